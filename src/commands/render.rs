//! `wfk render <env>`: load → merge → spec → build → emit, to stdout or one file per object.
//! Any error: exit 2, nothing on stdout, nothing written.
//!
//! `--output-dir DIR` is checked before the render (it may not be the current folder or
//! one that holds it, nor `/`; it and its parent must be writable; it must be new, empty
//! or an earlier render's), then the files are written into a staging folder beside DIR,
//! `.DIR.wfk-new-PID`, which is swapped into place: on Linux in one step, so DIR is never
//! missing and never half written (elsewhere, two renames; see [`OutputDir::write`]).

use super::fail;
use crate::Exit;
use crate::cli::RenderArgs;
use crate::diagnostic::{self, Severity};
use crate::source::SourceMap;
use crate::{build, check, emit, load};
use anyhow::{Context, bail};
use foldhash::HashSet;
use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The file that marks a folder as written by `wfk render --output-dir`, so it may be
/// replaced. It lists every file wfk wrote there, one per line after its first line.
pub const MARKER: &str = ".wfk-render";

/// The kustomization written beside the objects, so a kustomize tree can build on the folder.
pub const KUSTOMIZATION: &str = "kustomization.yaml";

pub fn run(
    dir: &Path,
    args: &RenderArgs,
    quiet: bool,
    kept: &mut super::Kept,
) -> anyhow::Result<Exit> {
    // The output folder is checked first: a folder that cannot be written is reported
    // before the work of a render, and before anything is written.
    let out = args
        .output_dir
        .as_deref()
        .map(OutputDir::check)
        .transpose()?;
    let mut map = SourceMap::default();
    let mut sets = args.set.clone();
    if let Some(namespace) = &args.namespace {
        sets.push(format!("namespace={namespace}"));
    }
    let fuel = &mut crate::template::Fuel::per_run();
    let (merged, platform) = match super::spec(
        dir,
        &args.env,
        &sets,
        &mut map,
        crate::merge::History::Dropped,
        super::Reads::Positions,
    ) {
        Ok(spec) => spec,
        Err(ds) => return Ok(fail(&ds, &map)),
    };
    if platform.components.len() >= BATCHES_FROM {
        let to = match out {
            None => emit::To::Stdout,
            Some(_) => emit::To::Files,
        };
        let together = map.bytes() >= crate::TWO_THREADS_FROM;
        let made = match super::in_batches(
            dir,
            &args.env,
            merged,
            platform,
            &mut map,
            fuel,
            super::Batches {
                format: args.output,
                to,
                size: BATCH,
                together,
                texts: true,
            },
        ) {
            Ok(made) => made,
            Err(ds) => return Ok(fail(&ds, &map)),
        };
        if report(made.findings, quiet, &map) {
            return Ok(Exit::Findings);
        }
        let texts = made.texts?;
        match out {
            None => texts.write_to(&mut std::io::stdout().lock())?,
            Some(out) => {
                let written = out.write(Files::Texts(texts.files()), args.output)?;
                wrote(written, &out, quiet);
            }
        }
        kept.keep((made.merged, made.platform, made.origins, map));
        return Ok(Exit::Success);
    }
    let super::Render {
        merged,
        platform,
        objects,
        origins,
    } = match super::objects_of(
        dir,
        &args.env,
        merged,
        platform,
        &mut map,
        fuel,
        super::Reads::Positions,
    ) {
        Ok(all) => all,
        Err(ds) => return Ok(fail(&ds, &map)),
    };
    let input = check::Input {
        spec: &platform,
        objects: &objects,
        merged: &merged,
        origins: &origins,
        memo: Default::default(),
    };
    // For stdout, a large render's stream is made on a second thread while the checks
    // run, and any other once they pass; it is written only if they find no error.
    let together = out.is_none() && map.bytes() >= crate::TWO_THREADS_FROM;
    let (stream, all) = crate::both(
        together,
        || together.then(|| emit::Stream::of(&objects, args.output)),
        || check::all(&input),
    );
    if report(all, quiet, &map) {
        // A platform with errors is never half-applied: nothing on stdout.
        return Ok(Exit::Findings);
    }
    match out {
        None => stream
            .unwrap_or_else(|| emit::Stream::of(&objects, args.output))?
            .write_to(&mut std::io::stdout().lock())?,
        Some(out) => {
            let written = out.write(Files::Objects(&objects), args.output)?;
            wrote(written, &out, quiet);
        }
    }
    kept.keep((merged, platform, objects, origins, map));
    Ok(Exit::Success)
}

/// The components from which a render takes its objects in batches
/// ([`super::in_batches`]), holding one batch at a time on each of two threads (each takes
/// half of the components): at 10,000 components a render then needs about half the
/// memory. Below it, every object is held, and the checks and the stream run on two
/// threads.
pub const BATCHES_FROM: usize = 2_000;

/// The objects of one batch: about this many.
pub const BATCH: usize = 2_000;

/// Prints the findings of the checks that are not notes (only errors when `quiet`);
/// whether any is an error, when nothing may be written.
fn report(all: Vec<diagnostic::Diagnostic>, quiet: bool, map: &SourceMap) -> bool {
    let findings: Vec<_> = all
        .into_iter()
        .filter(|d| d.severity != Severity::Info)
        .collect();
    let shown: Vec<_> = findings
        .iter()
        .filter(|d| !quiet || d.severity == Severity::Error)
        .cloned()
        .collect();
    if !shown.is_empty() {
        diagnostic::eprint(&shown, map);
    }
    findings.iter().any(|d| d.severity == Severity::Error)
}

/// Says where the files went, unless `quiet`.
fn wrote(written: usize, out: &OutputDir, quiet: bool) {
    if !quiet {
        anstream::eprintln!(
            "wrote {written} files and {KUSTOMIZATION} to `{}`",
            out.shown.display()
        );
    }
}

/// What `--output-dir` writes: each object's text, made from the objects as it is written,
/// or already made ([`emit::Texts::files`]: kind, name, text).
enum Files<'a> {
    Objects(&'a [build::object::Object]),
    Texts(Vec<(String, String, Box<[u8]>)>),
}

/// The folder `--output-dir` names, checked and resolved: it is replaced as `parent/name`.
struct OutputDir {
    /// As the user wrote it, for messages.
    shown: PathBuf,
    /// The folder that holds it, with every link resolved as far as it exists.
    parent: PathBuf,
    /// Its own name in `parent` (a link there is replaced, not followed).
    name: OsString,
}

impl OutputDir {
    /// Checks, before anything is rendered or written, that `out` may be replaced: it is
    /// not `/`, nor the current folder or one that holds it (which a swap would pull away
    /// from under the shell); it and its parent are writable; and it is new, empty, or
    /// holds only what an earlier render wrote there.
    fn check(out: &Path) -> anyhow::Result<OutputDir> {
        let shown = out.to_path_buf();
        let (parent, name) = match out.file_name() {
            Some(name) => {
                let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
                (real(parent.unwrap_or(Path::new(".")))?, name.to_os_string())
            }
            // `.`, `..`, `a/..` or `/`: the folder it names, by its own name.
            None => {
                let real = fs::canonicalize(out).with_context(|| {
                    format!("cannot use `{}` as the output folder", out.display())
                })?;
                match (real.parent(), real.file_name()) {
                    (Some(parent), Some(name)) => (parent.to_path_buf(), name.to_os_string()),
                    _ => bail!(
                        "`{}` is the root folder, which cannot be the output folder: wfk replaces the output folder as a whole; name a folder of its own, such as `--output-dir manifests`",
                        out.display()
                    ),
                }
            }
        };
        let dir = OutputDir {
            shown,
            parent,
            name,
        };
        let path = dir.path();
        let here = std::env::current_dir()
            .and_then(fs::canonicalize)
            .context("cannot read the current folder")?;
        if here.starts_with(&path) {
            let what = if here == path {
                "is the current folder"
            } else {
                "holds the current folder"
            };
            bail!(
                "`{}` {what}, which cannot be the output folder: wfk replaces the output folder as a whole, swapping a new folder into its place; name a folder below it, such as `--output-dir manifests`",
                dir.shown.display()
            );
        }
        let exists = match fs::symlink_metadata(&path) {
            Ok(meta) => {
                if !fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                    let what = if meta.file_type().is_symlink() {
                        "a link to something other than a folder"
                    } else {
                        "a file, not a folder"
                    };
                    bail!(
                        "`{}` is {what}; name a new folder, an empty one, or one an earlier render wrote",
                        dir.shown.display()
                    );
                }
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read `{}`", dir.shown.display()));
            }
        };
        // The staging folder is made in the parent (or the nearest folder that exists on the
        // way to it), and the swap renames in the parent. Both are named as the user wrote
        // them.
        let given_parent = match out.file_name() {
            Some(_) => out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf(),
            None => dir.parent.clone(),
        };
        let nearest = given_parent
            .ancestors()
            .find(|a| a.as_os_str().is_empty() || a.exists())
            .filter(|a| !a.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if let Err(e) = writable(nearest) {
            bail!(
                "cannot write `{}` in `{}`: {e}; make `{}` writable, or name a folder in a writable place",
                dir.shown.display(),
                nearest.display(),
                nearest.display()
            );
        }
        if exists {
            check_replaceable(&path, &dir.shown)?;
            // The old files are deleted after the swap, which needs the folder writable.
            if let Err(e) = writable(&path) {
                bail!(
                    "cannot replace the files in `{}`: {e}; make it writable (`chmod u+w {}`), or name another folder",
                    dir.shown.display(),
                    dir.shown.display()
                );
            }
        }
        Ok(dir)
    }

    fn path(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    /// The staging folder of process `pid`: `kind` is `new` (being written) or `old` (the
    /// replaced folder, on the way out).
    fn staging(&self, kind: &str, pid: u32) -> PathBuf {
        let mut name = OsString::from(".");
        name.push(&self.name);
        name.push(format!(".wfk-{kind}-{pid}"));
        self.parent.join(name)
    }

    /// Writes one file per object and a kustomization into a staging folder beside the
    /// output folder, then swaps it into place, so an error or an interrupt leaves the
    /// output folder as it was. Returns how many object files it wrote.
    ///
    /// The swap is one `renameat2(RENAME_EXCHANGE)` on Linux, so there is never a moment
    /// without the folder; the old files are then deleted from the staging folder's name.
    /// Elsewhere (or on a file system without the exchange) it is two renames, the old
    /// folder out and the new one in, with a moment between them when the folder is
    /// missing. Staging folders an earlier run left behind (it was killed) are removed
    /// first; see [`OutputDir::remove_stale`].
    fn write(&self, files: Files, format: emit::Format) -> anyhow::Result<usize> {
        let named: Vec<(&str, &str)> = match &files {
            Files::Objects(objects) => objects.iter().map(|o| (o.kind(), o.name())).collect(),
            Files::Texts(texts) => texts
                .iter()
                .map(|(kind, name, _)| (kind.as_str(), name.as_str()))
                .collect(),
        };
        let width = named.len().to_string().len().max(2);
        let ext = match format {
            emit::Format::Yaml => "yaml",
            emit::Format::Json => "json",
        };
        let mut names = Vec::with_capacity(named.len());
        for (i, (kind, name)) in named.iter().enumerate() {
            let file = format!("{:0width$}-{}-{name}.{ext}", i + 1, kind.to_lowercase());
            // Kinds and names were checked where they were made (a template's kind and
            // name, the spec's names); a path is built only from what passed.
            let plain = file
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
                && !file.contains("..");
            if !plain {
                bail!(
                    "internal error: the file name `{}` of a {} is not a plain name; this is a bug in wfk",
                    file.escape_debug(),
                    kind.escape_debug()
                );
            }
            names.push(file);
        }
        let count = names.len();
        self.remove_stale();
        let path = self.path();
        let staging = self.staging("new", std::process::id());
        // Folders on the way that do not exist yet are made, and removed again on an error.
        let mut first_made = None;
        let mut missing = self.parent.as_path();
        while !missing.exists() {
            first_made = Some(missing.to_path_buf());
            missing = missing.parent().unwrap_or(Path::new("/"));
        }
        let result = (|| -> anyhow::Result<()> {
            fs::create_dir_all(&self.parent)
                .with_context(|| format!("cannot create `{}`", self.parent.display()))?;
            fs::create_dir(&staging)
                .with_context(|| format!("cannot create `{}`", staging.display()))?;
            // Each text is written as it is made; a render over the output limit stops
            // here, and the staging folder is removed with all it holds.
            let write = |i: usize, text: &[&[u8]]| {
                let path = staging.join(&names[i]);
                let write = || -> std::io::Result<()> {
                    let mut file = fs::File::create(&path)?;
                    text.iter().try_for_each(|part| file.write_all(part))
                };
                write().with_context(|| format!("cannot write `{}`", path.display()))
            };
            match &files {
                Files::Objects(objects) => emit::each_file(objects, format, |i, text| {
                    write(i, &text.iter().map(Vec::as_slice).collect::<Vec<_>>())
                })?,
                Files::Texts(texts) => {
                    for (i, (_, _, text)) in texts.iter().enumerate() {
                        write(i, &[text])?;
                    }
                }
            }
            fs::write(staging.join(KUSTOMIZATION), kustomization(&names))?;
            let mut marker = String::from(
                "# written by `wfk render --output-dir`; replaced as a whole on each render. Files:\n",
            );
            for file in names.iter().map(String::as_str).chain([KUSTOMIZATION]) {
                marker.push_str(file);
                marker.push('\n');
            }
            fs::write(staging.join(MARKER), marker)?;
            swap(&staging, &path, &self.staging("old", std::process::id()))
                .with_context(|| format!("cannot replace `{}`", self.shown.display()))
        })();
        if let Err(e) = result {
            let _ = fs::remove_dir_all(&staging);
            if let Some(made) = first_made {
                let _ = fs::remove_dir_all(made);
            }
            return Err(e);
        }
        Ok(count)
    }

    /// Removes the staging folders of earlier runs for this output folder that were killed
    /// before they cleaned up: `.NAME.wfk-new-PID` and `.NAME.wfk-old-PID` whose process is
    /// gone (or is this one: process ids are reused, and a container often runs wfk with
    /// the same one). A render holds no lock, so the folder of a render still running
    /// beside this one is left alone; elsewhere than Unix a process cannot be asked about,
    /// and every one is removed.
    fn remove_stale(&self) {
        let Ok(entries) = fs::read_dir(&self.parent) else {
            return;
        };
        let mut prefix = OsString::from(".");
        prefix.push(&self.name);
        prefix.push(".wfk-");
        let Some(prefix) = prefix.to_str() else {
            return;
        };
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
                continue;
            };
            let Some(pid) = rest
                .strip_prefix("new-")
                .or_else(|| rest.strip_prefix("old-"))
                .and_then(|pid| pid.parse::<u32>().ok())
            else {
                continue;
            };
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir && (pid == std::process::id() || !alive(pid)) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// `path` with every link in it resolved, as far as it exists: the rest is appended as
/// written, so a folder that does not exist yet can still be compared with the current one.
fn real(path: &Path) -> anyhow::Result<PathBuf> {
    let absolute =
        std::path::absolute(path).with_context(|| format!("cannot find `{}`", path.display()))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        match fs::canonicalize(existing) {
            Ok(real) => {
                return Ok(rest.iter().rev().fold(real, |p, part| p.join(part)));
            }
            Err(_) => match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = parent;
                }
                _ => return Ok(absolute),
            },
        }
    }
}

/// Whether this process may create and delete entries in `dir` (`access(2)`, which knows
/// about read-only mounts and the superuser).
#[cfg(unix)]
fn writable(dir: &Path) -> std::io::Result<()> {
    use rustix::fs::Access;
    rustix::fs::access(dir, Access::WRITE_OK | Access::EXEC_OK).map_err(Into::into)
}

#[cfg(not(unix))]
fn writable(dir: &Path) -> std::io::Result<()> {
    if fs::metadata(dir)?.permissions().readonly() {
        return Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
    }
    Ok(())
}

/// Whether process `pid` is running (`kill(pid, 0)`: a process of another user is running
/// too, only not ours to signal).
#[cfg(unix)]
fn alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e != rustix::io::Errno::SRCH,
    }
}

#[cfg(not(unix))]
fn alive(_pid: u32) -> bool {
    false
}

/// Puts `staging` in the place of `out`: exchanged with it in one step where the system
/// can, else by renaming `out` to `old` first. The old files are deleted afterwards; if
/// that fails they stay under a staging name, which the next render removes.
fn swap(staging: &Path, out: &Path, old: &Path) -> std::io::Result<()> {
    if fs::symlink_metadata(out).is_err() {
        return fs::rename(staging, out);
    }
    match exchange(staging, out) {
        Ok(()) => {
            // `staging` now holds the old folder (or the link that was there).
            let _ = fs::remove_dir_all(staging);
            return Ok(());
        }
        Err(e) if e.kind() != std::io::ErrorKind::Unsupported => return Err(e),
        Err(_) => {}
    }
    fs::rename(out, old)?;
    if let Err(e) = fs::rename(staging, out) {
        // Put the old folder back before reporting.
        let _ = fs::rename(old, out);
        return Err(e);
    }
    let _ = fs::remove_dir_all(old);
    Ok(())
}

/// Exchanges two paths atomically: `renameat2(RENAME_EXCHANGE)`. A file system without it
/// (some network ones) reports `Unsupported`, so the caller falls back to two renames.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags};
    match rustix::fs::renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            Err(std::io::ErrorKind::Unsupported.into())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Refuses to replace `out` unless it is empty, or holds only what an earlier render wrote
/// (the names its marker lists): a file put there by hand is never deleted.
fn check_replaceable(out: &Path, shown: &Path) -> anyhow::Result<()> {
    let entries: Vec<String> = fs::read_dir(out)
        .with_context(|| format!("cannot read `{}`", shown.display()))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read `{}`", shown.display()))?;
    if entries.is_empty() {
        return Ok(());
    }
    let marker = match load::read_bounded(
        &out.join(MARKER),
        load::Within::Anywhere,
        load::MAX_FILE_BYTES,
    ) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(load::Refusal::Missing) => bail!(
            "`{}` is not empty and was not written by wfk; choose an empty or new folder",
            shown.display()
        ),
        Err(refusal) => bail!(
            "cannot read `{}`: {refusal}; it marks a folder an earlier render wrote, so wfk does not replace `{}` without it",
            shown.join(MARKER).display(),
            shown.display()
        ),
    };
    let ours: HashSet<&str> = marker.lines().skip(1).collect();
    let mut foreign: Vec<&String> = entries
        .iter()
        .filter(|e| e.as_str() != MARKER && !ours.contains(e.as_str()))
        .collect();
    foreign.sort();
    if let Some(first) = foreign.first() {
        let more = match foreign.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        bail!(
            "`{}` was not written by wfk{more}; move it out of `{}`, which wfk replaces as a whole on each render",
            shown.join(first).display(),
            shown.display()
        );
    }
    Ok(())
}

/// A kustomization listing the files in apply order, so `kubectl kustomize` (or a parent
/// kustomization) builds exactly the render. File names are plain (digits, lowercase kinds,
/// DNS names and a dot), so they need no quoting.
fn kustomization(files: &[String]) -> String {
    let mut out = String::from(
        "# written by `wfk render --output-dir`\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    for file in files {
        out.push_str("- ");
        out.push_str(file);
        out.push('\n');
    }
    out
}
