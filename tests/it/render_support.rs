//! Helpers of the render tests (tests/it/render.rs), kept apart from the other modules'
//! helpers so that each can change on its own: running the binary with a time limit,
//! temporary folders, the external validators from `scripts/test.sh`, the library pipeline,
//! and a YAML writer that reorders a spec's keys without changing what it means.

use marked_yaml::Node;
use serde_json::Value;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wfk::build::object::Object;
use wfk::merge::History;
use wfk::platform::Platform;

/// How long one run of `wfk` may take before it is killed and the test fails.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The crate's root: the reference platform's project folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A test project under tests/projects/.
pub fn project(name: &str) -> PathBuf {
    root().join("tests").join("projects").join(name)
}

/// The reference platform's environments.
pub const ENVS: [&str; 3] = ["dev", "staging", "prod"];

pub use crate::support::TempDir;

/// What one run printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `program ARGS…` in `cwd` with a time limit, capturing stdout and stderr.
pub fn run_program(program: &Path, args: &[&str], cwd: &Path) -> Run {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`{} {}` ran longer than {TIMEOUT:?}",
                program.display(),
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Run {
        status: status.code(),
        stdout: String::from_utf8(out.join().unwrap()).expect("stdout is UTF-8"),
        stderr: String::from_utf8(err.join().unwrap()).expect("stderr is UTF-8"),
    }
}

/// The `wfk` binary under test.
pub fn wfk_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_wfk"))
}

/// Runs `wfk --dir DIR ARGS…` (from the system's temporary folder, so nothing depends on
/// the test's working directory).
pub fn wfk(dir: &Path, args: &[&str]) -> Run {
    wfk_in(&std::env::temp_dir(), dir, args)
}

/// Runs `wfk --dir DIR ARGS…` in the working directory `cwd`.
pub fn wfk_in(cwd: &Path, dir: &Path, args: &[&str]) -> Run {
    let dir = dir.to_str().expect("a UTF-8 path");
    let mut all = vec!["--dir", dir];
    all.extend_from_slice(args);
    run_program(&wfk_bin(), &all, cwd)
}

/// `wfk --dir DIR ARGS…`, which must succeed with nothing on stderr; its stdout.
pub fn wfk_ok(dir: &Path, args: &[&str]) -> String {
    let run = wfk(dir, args);
    assert_eq!(
        (run.status, run.stderr.as_str()),
        (Some(0), ""),
        "`wfk --dir {} {}` failed",
        dir.display(),
        args.join(" ")
    );
    run.stdout
}

/// `wfk render ENV` of the project in `dir` (YAML), which must succeed.
pub fn render(dir: &Path, env: &str) -> String {
    wfk_ok(dir, &["render", env])
}

/// `wfk render ENV --format json` of the project in `dir`, parsed: the `List`'s items.
pub fn render_json(dir: &Path, env: &str, sets: &[&str]) -> Vec<Value> {
    let mut args = vec!["render", env, "-o", "json"];
    for set in sets {
        args.extend(["--set", set]);
    }
    list_items(&wfk_ok(dir, &args))
}

/// The items of a JSON `v1` `List`, checking its envelope.
pub fn list_items(text: &str) -> Vec<Value> {
    let list: Value = serde_json::from_str(text).expect("--format json is JSON");
    assert_eq!(list["apiVersion"], "v1", "the JSON output is a v1 List");
    assert_eq!(list["kind"], "List", "the JSON output is a v1 List");
    list["items"].as_array().expect("a List has items").to_vec()
}

/// The documents of a `---` stream, each without its `---` line.
pub fn documents(stream: &str) -> Vec<String> {
    assert!(
        stream.starts_with("---\n"),
        "a stream starts with `---`: {:?}",
        &stream[..stream.len().min(40)]
    );
    let mut docs: Vec<String> = Vec::new();
    for line in stream.lines() {
        if line == "---" {
            docs.push(String::new());
        } else {
            let doc = docs.last_mut().unwrap();
            doc.push_str(line);
            doc.push('\n');
        }
    }
    docs
}

/// `kind/name` of a rendered object, for messages and lookups.
pub fn key(object: &Value) -> String {
    format!(
        "{}/{}",
        object["kind"].as_str().unwrap_or("?"),
        object["metadata"]["name"].as_str().unwrap_or("?")
    )
}

/// The one object of `kind` named `name`.
pub fn find<'a>(items: &'a [Value], kind: &str, name: &str) -> &'a Value {
    let found: Vec<&Value> = items
        .iter()
        .filter(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .collect();
    assert_eq!(found.len(), 1, "exactly one {kind}/{name}");
    found[0]
}

/// Every object of `kind`.
pub fn of_kind<'a>(items: &'a [Value], kind: &str) -> Vec<&'a Value> {
    items.iter().filter(|o| o["kind"] == kind).collect()
}

/// An external tool from `scripts/test.sh`'s virtualenv (or the path in `env_var`). A missing
/// tool fails the test: these checks are never skipped.
pub fn tool(venv_bin: &str, env_var: &str) -> PathBuf {
    let path = std::env::var_os(env_var)
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv").join("bin").join(venv_bin));
    assert!(
        path.is_file(),
        "`{}` is missing: run `scripts/test.sh` (it installs kubernetes-validate, checkov and \
         PyYAML into .venv), or point {env_var} at the tool",
        path.display()
    );
    path
}

/// The library's render of one environment: the typed spec and its objects.
pub fn library(dir: &Path, env: &str, sets: &[&str]) -> (Platform, Vec<Object>) {
    let mut map = wfk::source::SourceMap::default();
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let mut fuel = wfk::template::Fuel::per_run();
    let render = wfk::commands::objects(
        dir,
        env,
        &sets,
        &mut map,
        &mut fuel,
        History::Dropped,
        wfk::commands::Reads::Positions,
    )
    .unwrap_or_else(|d| panic!("render {env}: {d:#?}"));
    (render.platform, render.objects)
}

/// A diff-like message: the first line where `actual` and `expected` differ, with context.
pub fn first_difference(actual: &str, expected: &str) -> String {
    let a: Vec<&str> = actual.lines().collect();
    let e: Vec<&str> = expected.lines().collect();
    let at = a
        .iter()
        .zip(&e)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(e.len()));
    let mut out = format!(
        "first difference at line {} (actual {} lines, expected {} lines)\n",
        at + 1,
        a.len(),
        e.len()
    );
    let from = at.saturating_sub(3);
    for (i, line) in e.iter().enumerate().skip(from).take(at + 4 - from) {
        let _ = writeln!(out, "  expected {:>5} | {line}", i + 1);
    }
    for (i, line) in a.iter().enumerate().skip(from).take(at + 4 - from) {
        let _ = writeln!(out, "  actual   {:>5} | {line}", i + 1);
    }
    out
}

/// A spec file written back as block YAML with every mapping's keys in reverse order.
/// Sequences keep their order (it means something). Plain scalars stay plain; quoted ones
/// (`!may_coerce()`) are written double-quoted, so `"10"` stays a string and `10` a number.
pub fn reversed_yaml(text: &str) -> String {
    reordered_yaml(text, &mut |n| (0..n).rev().collect())
}

/// The same, with every mapping's keys in an order drawn from `seed` (a small LCG, so a
/// failure can be replayed from its seed).
pub fn shuffled_yaml(text: &str, seed: u64) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    reordered_yaml(text, &mut |n| {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            order.swap(i, (state >> 33) as usize % (i + 1));
        }
        order
    })
}

/// A spec file written back as block YAML with each mapping's keys in the order `order`
/// gives for its length.
fn reordered_yaml(text: &str, order: &mut dyn FnMut(usize) -> Vec<usize>) -> String {
    let node = wfk::load::parse(0, text).unwrap_or_else(|d| panic!("parse: {d:#?}"));
    let Node::Mapping(map) = &node else {
        panic!("a spec's root is a mapping")
    };
    let mut out = String::new();
    if map.is_empty() {
        out.push_str("{}\n");
    }
    let entries: Vec<_> = map.iter().collect();
    for i in order(entries.len()) {
        let (k, v) = entries[i];
        out.push_str(&scalar(k));
        out.push(':');
        write_value(v, 0, &mut out, order, false);
    }
    out
}

/// Writes the value after `key:` or `-` on a line indented by `indent`.
/// `keep` holds a mapping's own order: init containers run in the order they are written.
fn write_value(
    node: &Node,
    indent: usize,
    out: &mut String,
    order: &mut dyn FnMut(usize) -> Vec<usize>,
    keep: bool,
) {
    let pad = " ".repeat(indent + 2);
    match node {
        Node::Scalar(s) => {
            let text = scalar(s);
            if !text.is_empty() {
                out.push(' ');
                out.push_str(&text);
            }
            out.push('\n');
        }
        Node::Mapping(m) if m.is_empty() => out.push_str(" {}\n"),
        Node::Sequence(s) if s.is_empty() => out.push_str(" []\n"),
        Node::Mapping(m) => {
            out.push('\n');
            let entries: Vec<_> = m.iter().collect();
            let indices = if keep {
                (0..entries.len()).collect()
            } else {
                order(entries.len())
            };
            for i in indices {
                let (k, v) = entries[i];
                out.push_str(&pad);
                out.push_str(&scalar(k));
                out.push(':');
                write_value(v, indent + 2, out, order, k.as_str() == "init");
            }
        }
        Node::Sequence(s) => {
            out.push('\n');
            for item in s.iter() {
                out.push_str(&pad);
                out.push('-');
                write_value(item, indent + 2, out, order, false);
            }
        }
    }
}

fn scalar(s: &marked_yaml::types::MarkedScalarNode) -> String {
    if s.may_coerce() {
        return s.as_str().to_string();
    }
    let mut out = String::from('"');
    for c in s.as_str().chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
