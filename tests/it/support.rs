//! A `Test` builder in the style of just's tests: a temporary project folder, the real
//! binary run on it with `--dir`, and exit code, stdout and stderr *always* compared (empty
//! is the default expectation), after the temporary path is replaced by `[TMP]`.
//!
//! ```ignore
//! Test::new()
//!     .file("platform.yaml", "components:\n  api:\n    replica: 2\n")
//!     .file("overlays/dev.yaml", "")
//!     .args(["explain", "dev", "components"])
//!     .stderr("error[unknown-key]: …")
//!     .status(2)
//!     .run();
//! ```
//!
//! An expected stdout or stderr may contain `[..]` (any text within one line) and lines of
//! `...` (any number of lines), for output too long to spell out, such as a line of 100,000
//! brackets. Everything else is compared exactly.

#![allow(dead_code)]

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a run may take before the child is killed and the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The address space every run may use: 1 GiB. wfk needs a few MiB for a real platform; a
/// run that goes over fails (an allocation error, not exit 0 or 2), so every test that
/// checks an exit code also checks that memory stayed bounded.
pub const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;

/// A temporary folder, removed when dropped (kept when `WFK_KEEP_TMP` is set).
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new() -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        for attempt in 0..100 {
            let name = format!(
                "wfk-it-{}-{}-{nanos}-{attempt}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            );
            let path = std::env::temp_dir().join(name);
            match std::fs::create_dir(&path) {
                Ok(()) => return TempDir { path },
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => panic!("cannot create {}: {e}", path.display()),
            }
        }
        panic!("cannot create a temporary folder");
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `text` to `rel`, creating folders on the way; returns the full path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("WFK_KEEP_TMP").is_none() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// What a finished run printed.
pub struct Output {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// One run of `wfk --dir <tmp> ARGS…` and what it must print.
#[must_use = "a Test does nothing until `.run()`"]
pub struct Test {
    tempdir: TempDir,
    prefix: Vec<OsString>,
    args: Vec<OsString>,
    stdout: String,
    stderr: String,
    status: i32,
    timeout: Duration,
}

impl Default for Test {
    fn default() -> Self {
        Test::new()
    }
}

impl Test {
    pub fn new() -> Test {
        Test {
            tempdir: TempDir::new(),
            prefix: Vec::new(),
            args: Vec::new(),
            stdout: String::new(),
            stderr: String::new(),
            status: 0,
            timeout: TIMEOUT,
        }
    }

    /// The project folder.
    pub fn path(&self) -> &Path {
        self.tempdir.path()
    }

    /// Writes a file of the project (text or bytes), creating its folders.
    pub fn file(self, path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> Test {
        let path = self.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        self
    }

    /// Creates a folder of the project.
    pub fn dir(self, path: impl AsRef<Path>) -> Test {
        std::fs::create_dir_all(self.path().join(path)).unwrap();
        self
    }

    /// Creates a symbolic link at `path` pointing at `target`.
    #[cfg(unix)]
    pub fn symlink(self, path: impl AsRef<Path>, target: impl AsRef<Path>) -> Test {
        let path = self.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::os::unix::fs::symlink(target, &path).unwrap();
        self
    }

    /// Creates a named pipe at `path` with `mkfifo`.
    #[cfg(unix)]
    pub fn fifo(self, path: impl AsRef<Path>) -> Test {
        let path = self.path().join(path);
        let status = Command::new("mkfifo").arg(&path).status().unwrap();
        assert!(status.success(), "mkfifo {} failed", path.display());
        self
    }

    /// Runs the binary through a program, such as `setpriv --reuid=65534 …` to run it as
    /// another user: the command becomes `PREFIX… wfk --dir <tmp> ARGS…`.
    pub fn prefix<I, S>(mut self, prefix: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.prefix = prefix.into_iter().map(Into::into).collect();
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Test {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// The arguments of a further run in the same project, replacing the earlier ones (an
    /// earlier run, through [`Test::output`], prepared what this one reads).
    pub fn then_args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.clear();
        self.args(args)
    }

    pub fn stdout(mut self, stdout: impl Into<String>) -> Test {
        self.stdout = stdout.into();
        self
    }

    pub fn stderr(mut self, stderr: impl Into<String>) -> Test {
        self.stderr = stderr.into();
        self
    }

    pub fn status(mut self, status: i32) -> Test {
        self.status = status;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Test {
        self.timeout = timeout;
        self
    }

    /// Runs the binary and panics unless exit code, stdout and stderr are as expected.
    pub fn run(self) -> Output {
        let output = self.output();
        let mut report = String::new();
        if output.status != Some(self.status) {
            let _ = writeln!(
                report,
                "exit code: expected {}, got {:?}",
                self.status, output.status
            );
        }
        if !matches(&self.stdout, &output.stdout) {
            report.push_str(&diff("stdout", &self.stdout, &output.stdout));
        }
        if !matches(&self.stderr, &output.stderr) {
            report.push_str(&diff("stderr", &self.stderr, &output.stderr));
        }
        if !report.is_empty() {
            panic!(
                "wfk {} failed its expectations:\n{report}",
                self.shown_args()
            );
        }
        output
    }

    /// Runs the binary and returns what it printed, without comparing anything. Panics if
    /// it does not finish within the timeout.
    pub fn output(&self) -> Output {
        self.try_output().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Runs the binary and returns what it printed, or why it could not: it could not be
    /// started, or it was killed at the timeout.
    pub fn try_output(&self) -> Result<Output, String> {
        // Every run is bounded in memory as well as time: the address space is capped with
        // `ulimit -v`, so a run that tried to use more fails instead of swapping.
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""
            ))
            .args(&self.prefix)
            .arg(env!("CARGO_BIN_EXE_wfk"))
            .arg("--dir")
            .arg(self.path())
            .args(&self.args)
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run wfk: {e}"))?;
        let start = Instant::now();
        let stdout = reader(child.stdout.take().unwrap());
        let stderr = reader(child.stderr.take().unwrap());
        let status = loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                break status;
            }
            if start.elapsed() > self.timeout {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "wfk {} did not finish within {:?}",
                    self.shown_args(),
                    self.timeout
                ));
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let elapsed = start.elapsed();
        Ok(Output {
            status: status.code(),
            stdout: self.scrub(&stdout.join().unwrap()),
            stderr: self.scrub(&stderr.join().unwrap()),
            elapsed,
        })
    }

    fn shown_args(&self) -> String {
        self.args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Output with the temporary path replaced by `[TMP]`.
    fn scrub(&self, bytes: &[u8]) -> String {
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        let mut paths = vec![self.path().to_path_buf()];
        if let Ok(canonical) = self.path().canonicalize() {
            paths.push(canonical);
        }
        for path in paths {
            text = text.replace(&*path.to_string_lossy(), "[TMP]");
        }
        text
    }
}

fn reader(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// Whether `actual` matches `expected`, where `[..]` in an expected line matches any text
/// within the line and a line of `...` matches any number of lines.
pub fn matches(expected: &str, actual: &str) -> bool {
    if !expected.contains("[..]") && !expected.contains("...\n") {
        return expected == actual;
    }
    let expected: Vec<&str> = expected.split('\n').collect();
    let actual: Vec<&str> = actual.split('\n').collect();
    lines_match(&expected, &actual)
}

fn lines_match(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"...", rest)) => (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..])),
        Some((line, rest)) => match actual.split_first() {
            Some((got, more)) => line_matches(line, got) && lines_match(rest, more),
            None => false,
        },
    }
}

fn line_matches(expected: &str, actual: &str) -> bool {
    let mut pieces = expected.split("[..]");
    let first = pieces.next().unwrap_or("");
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    for (i, piece) in pieces.iter().enumerate() {
        if i + 1 == pieces.len() {
            return rest.len() >= piece.len() && rest.ends_with(piece);
        }
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// A line diff of `expected` and `actual` (`-` expected only, `+` actual only), with the
/// whole actual text after it so it can be pasted into a test.
pub fn diff(what: &str, expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    // Longest common subsequence of lines; outputs are short enough for the quadratic table.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if line_matches(a[i], b[j]) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = format!("--- {what}: expected\n+++ {what}: actual\n");
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && line_matches(a[i], b[j]) {
            let _ = writeln!(out, "  {}", shorten(b[j]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            let _ = writeln!(out, "+ {}", shorten(b[j]));
            j += 1;
        } else {
            let _ = writeln!(out, "- {}", shorten(a[i]));
            i += 1;
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        let _ = writeln!(out, "(the two differ in their final newline)");
    }
    let whole: Vec<&str> = actual.lines().map(shorten).collect();
    let _ = writeln!(
        out,
        "=== {what}: actual, whole ===\n{}\n=== end ===",
        whole.join("\n")
    );
    out
}

/// A line cut to 300 characters, so a line of 100,000 brackets does not flood the report.
fn shorten(line: &str) -> &str {
    match line.char_indices().nth(300) {
        Some((at, _)) => &line[..at],
        None => line,
    }
}

/// A minimal platform whose one component meets every check: the base most tests of
/// one finding start from.
pub const SHOP: &str = "platform: shop
defaults:
  resources: { cpu: 100m/500m, memory: 128Mi/256Mi }
components:
  api:
    image: shop/api:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: { http: { port: 8080, scrape: true } }
    probes: { liveness: /health/live, readiness: /health/ready }
";

/// [`SHOP`] with an empty `dev` overlay.
pub fn shop() -> Test {
    Test::new()
        .file("platform.yaml", SHOP)
        .file("overlays/dev.yaml", "")
}

/// A valid project whose last lines are the `api` component's, so a test can append keys
/// to it.
pub const SMALL: &str = "platform: p
defaults: { resources: { cpu: 100m/200m, memory: 64Mi/128Mi } }
ingress: { hosts: { api.example.com: { paths: { /: api } } } }
components:
  api:
    image: p/api:1.0
    ports: { http: 8080 }
    probes: { liveness: /h, readiness: /h }
";
