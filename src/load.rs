//! Reading a project: `platform.yaml` and `overlays/<env>.yaml` → YAML trees with a
//! position on every key and value.
//!
//! The files are untrusted (anyone who can open a pull request can change them), so reading
//! is bounded before any tree is built:
//!
//! - every file goes through one door, [`read_bounded`]: a regular file (a FIFO or a device
//!   is refused before it is opened), inside the project folder once symbolic links are
//!   resolved, of at most [`MAX_FILE_BYTES`], read through a limit;
//! - it must be UTF-8 (a leading byte-order mark is allowed);
//! - one pass over the parser's events refuses anchors, aliases, tags and a second
//!   document, more than [`MAX_NODES`] nodes and nesting deeper than [`MAX_DEPTH`] as it
//!   builds the tree, so no tree deeper or larger than that is ever built (a deep tree would
//!   overflow the stack when it is walked or dropped); a text in the plain subset specs
//!   are written in is scanned once, by [`subset`], and any other by yaml-rust2 as well,
//!   from the start;
//! - duplicate keys are refused with both positions; the root must be a mapping.
//!
//! Environment names must be DNS-1123 labels before a path is built from them, so
//! `../../etc/passwd` never reaches the file system.

use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};
use marked_yaml::Node;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use subset::Mark;
use yaml_rust2::parser::{Event, Parser};

mod subset;

/// The largest spec file wfk reads: 16 MiB, far above any real spec (the 1,000-component
/// benchmark platform is under 1 MiB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The deepest nesting of mappings and sequences wfk reads. A spec needs about ten.
pub const MAX_DEPTH: usize = 64;

/// The most YAML nodes (keys, values, collections) one file may hold: about 25 times the
/// 1,000-component benchmark platform. Checked before a tree is built, so a file of a
/// million tiny keys is refused without holding them all in memory.
pub const MAX_NODES: usize = 1_000_000;

/// The most overlays one `extends` chain may hold, the environment's own included.
pub const MAX_EXTENDS: usize = 16;

/// The base spec's file name.
pub const PLATFORM_FILE: &str = "platform.yaml";

/// The folder of overlays, one `<env>.yaml` per environment.
pub const OVERLAY_DIR: &str = "overlays";

/// What an environment name may be, for messages.
const NAME_RULE: &str = "an environment name is lowercase letters, digits and `-` (a DNS-1123 label), such as `prod` or `prod-eu`";

/// The environments a project defines: the `overlays/*.yaml` file names, sorted.
///
/// Every command that lists or loads environments starts here, so each refuses the same
/// folders the same way: one without `platform.yaml` (not a project), a project without
/// overlays (nothing to render), and a spec or overlay whose name is a near miss of
/// `.yaml` (`platform.yml`, `overlays/prod.yml`, `prod.YAML`), which would otherwise be
/// silently ignored. Other files in `overlays/` (`prod.yaml.bak`, `README.md`) are not
/// overlays and are left alone.
pub fn environments(dir: &Path) -> Result<Vec<String>, Diagnostics> {
    listed(dir, None)
}

/// [`environments`], with the help of an empty project naming `wanted` when it is a
/// valid name.
fn listed(dir: &Path, wanted: Option<&str>) -> Result<Vec<String>, Diagnostics> {
    let mut diagnostics = project(dir)?;
    let overlays = dir.join(OVERLAY_DIR);
    let entries = match fs::read_dir(&overlays) {
        Ok(entries) => entries.flatten().map(|e| e.file_name()).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(vec![Diagnostic::error(
                Code::UnreadableFile,
                format!("cannot read `{}`: {e}", display(dir, &overlays)),
            )]);
        }
    };
    // Sorted, so the diagnostics come in the same order on every file system.
    let mut files: Vec<&str> = entries.iter().filter_map(|n| n.to_str()).collect();
    files.sort_unstable();
    let mut names = Vec::new();
    for file_name in &files {
        if let Some(stem) = near_miss(file_name) {
            let wrong = format!("{OVERLAY_DIR}/{file_name}");
            let right = format!("{OVERLAY_DIR}/{stem}.yaml");
            diagnostics.push(misnamed(
                &wrong,
                &right,
                files.contains(&&*format!("{stem}.yaml")),
            ));
            continue;
        }
        let Some(name) = file_name.strip_suffix(".yaml") else {
            continue;
        };
        let problems = crate::validation::is_dns1123_label(name);
        if problems.is_empty() {
            names.push(name.to_string());
        } else {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidEnvName,
                    format!(
                        "overlay `{OVERLAY_DIR}/{name}.yaml` does not name a valid environment"
                    ),
                )
                .help(format!("rename the file: {NAME_RULE}")),
            );
        }
    }
    if names.is_empty() && diagnostics.is_empty() {
        let env = wanted
            .filter(|w| crate::validation::is_dns1123_label(w).is_empty())
            .unwrap_or("dev");
        diagnostics.push(
            Diagnostic::error(
                Code::NoEnvironments,
                format!("the project defines no environments: there is no `{OVERLAY_DIR}/<env>.yaml`"),
            )
            .help(format!(
                "add one: create `{OVERLAY_DIR}/{env}.yaml` with what `{env}` changes in `{PLATFORM_FILE}` (an empty file changes nothing)"
            )),
        );
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    names.sort();
    Ok(names)
}

/// Checks that `dir` holds a project: `platform.yaml`, and no near miss of it beside it.
/// Returns the near misses, to be reported with the overlays' problems; a folder with no
/// spec at all is an error on its own.
fn project(dir: &Path) -> Result<Diagnostics, Diagnostics> {
    let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let shown = shown.display();
    if !dir.is_dir() {
        let (what, help) = if dir.exists() {
            ("it is not a folder", String::new())
        } else {
            (
                "it does not exist",
                format!(
                    ", or start a project there with `wfk init --dir {}`",
                    dir.display()
                ),
            )
        };
        return Err(vec![
            Diagnostic::error(
                Code::NoProject,
                format!("no wfk project in `{shown}`: {what}"),
            )
            .help(format!(
                "pass `--dir` the folder that holds {PLATFORM_FILE}{help}"
            )),
        ]);
    }
    let (exists, mut misses) = match fs::read_dir(dir) {
        Ok(entries) => {
            let names: Vec<String> = entries
                .flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect();
            let misses = names
                .iter()
                .filter(|name| {
                    near_miss(name).is_some_and(|stem| stem.eq_ignore_ascii_case("platform"))
                        || (*name != PLATFORM_FILE && name.eq_ignore_ascii_case(PLATFORM_FILE))
                })
                .cloned()
                .collect();
            (names.iter().any(|n| n == PLATFORM_FILE), misses)
        }
        // An unlistable folder: whether the file is there decides; reading it says the rest.
        Err(_) => (
            !matches!(fs::metadata(dir.join(PLATFORM_FILE)), Err(e) if e.kind() == std::io::ErrorKind::NotFound),
            Vec::new(),
        ),
    };
    misses.sort();
    if !exists && misses.is_empty() {
        return Err(vec![
            Diagnostic::error(
                Code::NoProject,
                format!("no wfk project in `{shown}`: there is no `{PLATFORM_FILE}`"),
            )
            .help(format!("run wfk in the folder that holds {PLATFORM_FILE}, pass `--dir`, or start one with `wfk init`")),
        ]);
    }
    Ok(misses
        .iter()
        .map(|m| misnamed(m, PLATFORM_FILE, exists))
        .collect())
}

/// The stem of a file name whose extension is almost `.yaml`: `.yml`, `.YAML`, `.Yml`.
fn near_miss(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    let near =
        ext != "yaml" && (ext.eq_ignore_ascii_case("yml") || ext.eq_ignore_ascii_case("yaml"));
    (near && !stem.is_empty()).then_some(stem)
}

/// A spec or overlay file wfk would not read because of its name.
fn misnamed(wrong: &str, right: &str, both: bool) -> Diagnostic {
    let d = Diagnostic::error(
        Code::MisnamedFile,
        format!("`{wrong}` is not read: wfk reads `{right}`"),
    );
    if both {
        d.help(format!(
            "`{right}` exists too: move what `{wrong}` holds into `{right}`, then delete `{wrong}`"
        ))
    } else {
        d.help(format!("rename `{wrong}` to `{right}`"))
    }
}

/// Checks that `env` may be used to build a path, then returns `overlays/<env>.yaml`.
pub fn overlay_path(env: &str, known: &[String]) -> Result<PathBuf, Diagnostic> {
    if !crate::validation::is_dns1123_label(env).is_empty() {
        let hint = crate::suggest::did_you_mean("", env, known.iter().map(String::as_str))
            .map_or(String::new(), |near| near + " ");
        return Err(Diagnostic::error(
            Code::InvalidEnvName,
            format!("`{}` is not a valid environment name", env.escape_debug()),
        )
        .help(format!("{hint}{NAME_RULE}; {}", envs_help(known))));
    }
    if !known.iter().any(|k| k == env) {
        let hint = crate::suggest::did_you_mean("", env, known.iter().map(String::as_str))
            .map_or(String::new(), |near| near + " ");
        return Err(Diagnostic::error(
            Code::UnknownEnv,
            format!("unknown environment `{env}`: there is no `{OVERLAY_DIR}/{env}.yaml`"),
        )
        .help(format!("{hint}{}", envs_help(known))));
    }
    Ok(Path::new(OVERLAY_DIR).join(format!("{env}.yaml")))
}

fn envs_help(known: &[String]) -> String {
    if known.is_empty() {
        format!("create `{OVERLAY_DIR}/<env>.yaml` to define an environment")
    } else {
        format!("the environments are: {}", known.join(", "))
    }
}

/// The files of one environment, in merge order: the base, then each overlay of its
/// `extends` chain from the root down to the environment's own.
pub struct Layers {
    pub base: Node,
    /// Whether a key of the base has a plain null value ([`crate::merge::is_null`]), seen
    /// as its tree was built: only then does the merge walk the base to report them.
    pub base_nulls: bool,
    pub overlays: Vec<Node>,
}

/// Reads `platform.yaml` and the overlays of `env`, following `extends`. A large
/// `platform.yaml` is parsed on a second thread while the overlays are read and parsed
/// ([`crate::both`]); the texts join `map` afterwards, with the ids they were parsed with.
pub fn environment(dir: &Path, env: &str, map: &mut SourceMap) -> Result<Layers, Diagnostics> {
    let known = listed(dir, Some(env))?;
    let base_text = read(dir, Path::new(PLATFORM_FILE), PLATFORM_FILE);
    let base_id = map.next_id();
    let first_overlay = base_id + usize::from(base_text.is_ok());
    let together = base_text
        .as_ref()
        .is_ok_and(|t| t.len() >= crate::TWO_THREADS_FROM);
    let (base, (chain, texts)) = crate::both(
        together,
        || {
            let text = base_text.as_ref().map_err(Clone::clone)?;
            parse_noting_nulls(base_id, text).map_err(|d| vec![d])
        },
        || overlay_chain(dir, env, &known, first_overlay),
    );
    if let Ok(text) = base_text {
        map.add(PLATFORM_FILE, text);
    }
    for (name, text) in texts {
        map.add(name, text);
    }
    let (overlays, diagnostics) = chain;
    match base {
        Ok((base, base_nulls)) if diagnostics.is_empty() => Ok(Layers {
            base,
            base_nulls,
            overlays,
        }),
        Ok(_) => Err(diagnostics),
        Err(mut ds) => {
            ds.extend(diagnostics);
            Err(ds)
        }
    }
}

/// The overlays of an environment and the problems met reading them; and each text read
/// (name, text), in the order of their source ids.
type Chain = ((Vec<Node>, Diagnostics), Vec<(String, String)>);

/// The overlays of `env`, base-most first, following `extends`. The first text read
/// takes the source id `first`, the next `first + 1`, and so on: the caller adds them to
/// the source map in that order.
fn overlay_chain(dir: &Path, env: &str, known: &[String], first: usize) -> Chain {
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut overlays: Vec<Node> = Vec::new();
    let mut chain: Vec<(String, Option<Span>)> = Vec::new();
    let mut next: Option<(String, Option<Span>)> = Some((env.to_string(), None));
    while let Some((name, named_at)) = next.take() {
        if let Some(i) = chain.iter().position(|(n, _)| *n == name) {
            let mut d = Diagnostic::error(
                Code::ExtendsCycle,
                format!(
                    "`extends` makes a cycle: {} → {name}",
                    chain[i..]
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            )
            .help("remove `extends` from one of these overlays");
            if let Some(at) = named_at {
                d = d.at(at, "closes the cycle");
            }
            for (_, at) in chain[i + 1..].iter() {
                if let Some(at) = at {
                    d = d.also(*at, "extends here");
                }
            }
            diagnostics.push(d);
            break;
        }
        if chain.len() == MAX_EXTENDS {
            let mut d = Diagnostic::error(
                Code::OverLimit,
                format!("`{env}` extends more than {MAX_EXTENDS} overlays"),
            )
            .help(format!("an `extends` chain holds at most {MAX_EXTENDS} overlays; let more environments extend one shared overlay"));
            if let Some(at) = named_at {
                d = d.at(at, "one overlay too many");
            }
            diagnostics.push(d);
            break;
        }
        let rel = match overlay_path(&name, known) {
            Ok(rel) => rel,
            Err(mut d) => {
                if let Some(at) = named_at {
                    d = d.at(at, "named by `extends` here");
                }
                diagnostics.push(d);
                break;
            }
        };
        chain.push((name, named_at));
        let name = rel.to_string_lossy().replace('\\', "/");
        let parsed = read(dir, &rel, &name).and_then(|text| {
            let id = first + texts.len();
            texts.push((name, text));
            parse(id, &texts[texts.len() - 1].1).map_err(|d| vec![d])
        });
        match parsed {
            Ok(mut node) => {
                match take_extends(&mut node) {
                    Ok(parent) => next = parent,
                    Err(d) => diagnostics.push(d),
                }
                overlays.push(node);
            }
            Err(ds) => diagnostics.extend(ds),
        }
    }
    overlays.reverse();
    ((overlays, diagnostics), texts)
}

/// Removes `extends: <env>` from an overlay's root and returns the parent's name.
fn take_extends(node: &mut Node) -> Result<Option<(String, Option<Span>)>, Diagnostic> {
    let Some(map) = node.as_mapping_mut() else {
        return Ok(None);
    };
    let Some(value) = map.remove("extends") else {
        return Ok(None);
    };
    match value {
        Node::Scalar(s) if !s.as_str().is_empty() => {
            Ok(Some((s.as_str().to_string(), Span::of(s.span()))))
        }
        other => Err(Diagnostic::error(
            Code::InvalidExtends,
            "`extends` must name one environment",
        )
        .at(
            Span::of(other.span()).unwrap_or(span(0, 1, 1)),
            "expected an environment name",
        )
        .help("write `extends: prod` to build on `overlays/prod.yaml`")),
    }
}

/// The parent each overlay names with `extends`, for `wfk envs`.
pub fn parents(
    dir: &Path,
    envs: &[String],
    map: &mut SourceMap,
) -> Result<Vec<Option<String>>, Diagnostics> {
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    for env in envs {
        let rel = Path::new(OVERLAY_DIR).join(format!("{env}.yaml"));
        match file(dir, &rel, map).map(|mut n| take_extends(&mut n)) {
            Ok(Ok(parent)) => out.push(parent.map(|(p, _)| p)),
            Ok(Err(d)) => diagnostics.push(d),
            Err(ds) => diagnostics.extend(ds),
        }
    }
    if diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(diagnostics)
    }
}

/// Reads `dir/rel` as text with the same limits as a spec file, registering it in `map`.
pub fn text(dir: &Path, rel: &Path, map: &mut SourceMap) -> Result<usize, Diagnostics> {
    let name = rel.to_string_lossy().replace('\\', "/");
    let text = read(dir, rel, &name)?;
    Ok(map.add(name, text))
}

/// Reads and parses `dir/rel`, registering it in `map` under the name `rel`.
pub fn file(dir: &Path, rel: &Path, map: &mut SourceMap) -> Result<Node, Diagnostics> {
    let name = rel.to_string_lossy().replace('\\', "/");
    let text = read(dir, rel, &name)?;
    let id = map.add(name, text);
    let text = &map.get(id).map(|s| s.text.clone()).unwrap_or_default();
    parse(id, text).map_err(|d| vec![d])
}

/// Where a file read through [`read_bounded`] may be.
#[derive(Clone, Copy, Debug)]
pub enum Within<'a> {
    /// Inside this project folder, after every symbolic link is resolved: a link inside
    /// the project to another file of the project is fine, one that leads out is not.
    Project(&'a Path),
    /// Anywhere: a file named on the command line, such as `wfk diff --against FILE`.
    Anywhere,
}

/// Why [`read_bounded`] did not read a file.
#[derive(Debug)]
pub enum Refusal {
    /// Nothing is there.
    Missing,
    /// A folder, device, FIFO or socket (after following links): `what` says which, for
    /// messages ("a directory", "not a regular file").
    NotAFile { what: &'static str },
    /// A project file that leads outside the project folder. `link` is the project-relative
    /// name of the symbolic link that leads out (the file itself, or a folder on its way).
    OutsideProject { link: PathBuf },
    /// More than the limit.
    TooLarge { limit: u64 },
    /// The file system refused (permissions, an I/O error).
    Io(std::io::Error),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Missing => write!(f, "it does not exist"),
            Refusal::NotAFile { what } => write!(f, "it is {what}"),
            Refusal::OutsideProject { link } => write!(
                f,
                "`{}` is a symbolic link that leads outside the project",
                link.display()
            ),
            Refusal::TooLarge { limit } => write!(f, "it is larger than {} MiB", limit >> 20),
            Refusal::Io(e) => write!(f, "{e}"),
        }
    }
}

/// The one door every input file goes through: a project's spec, overlays and templates, an
/// earlier render's marker, and `wfk diff --against` files.
///
/// - Only a regular file is opened (after following symbolic links): a folder, a device
///   (`/dev/zero` never ends) or a FIFO (opening one blocks until a writer comes) is
///   refused from its metadata, before it is opened. The file is opened without
///   blocking and without following a link in its last component, and checked again once
///   open, so a file swapped for a FIFO in between is refused too.
/// - With [`Within::Project`], the file's real path (every link resolved) must lie inside
///   the project's real folder, so a link cannot make wfk read, and quote in a diagnostic,
///   a file outside the project.
/// - It is read through `limit`: the size in the metadata can change between the check
///   and the read.
pub fn read_bounded(path: &Path, within: Within, limit: u64) -> Result<Vec<u8>, Refusal> {
    let not_a_file = |meta: &fs::Metadata| Refusal::NotAFile {
        what: if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file"
        },
    };
    // `metadata` follows links: a link to a regular file is fine, a link to /dev/zero is not.
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Refusal::Missing,
        _ => Refusal::Io(e),
    })?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    let real = fs::canonicalize(path).map_err(Refusal::Io)?;
    if let Within::Project(dir) = within {
        let root = fs::canonicalize(dir).map_err(Refusal::Io)?;
        if !real.starts_with(&root) {
            return Err(Refusal::OutsideProject {
                link: link_out(dir, path, &root),
            });
        }
    }
    let file = open_regular(&real).map_err(Refusal::Io)?;
    let meta = file.metadata().map_err(Refusal::Io)?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(Refusal::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Refusal::TooLarge { limit });
    }
    Ok(bytes)
}

/// Opens `path` for reading without blocking (a FIFO put there after the check would
/// otherwise wait for a writer) and without following a link in its last component
/// (`path` is already resolved, so a link there was put there since).
#[cfg(unix)]
fn open_regular(path: &Path) -> std::io::Result<fs::File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    Ok(fs::File::from(rustix::fs::open(
        path,
        flags,
        Mode::empty(),
    )?))
}

/// Elsewhere only the metadata check guards against a FIFO (Windows has none in the file
/// system).
#[cfg(not(unix))]
fn open_regular(path: &Path) -> std::io::Result<fs::File> {
    fs::File::open(path)
}

/// The project-relative name of the symbolic link through which `path` leads outside the
/// project (whose real folder is `root`): the first link on the way whose target is
/// outside, else the file itself.
fn link_out(dir: &Path, path: &Path, root: &Path) -> PathBuf {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let mut prefix = PathBuf::new();
    for part in rel.components() {
        prefix.push(part);
        let here = dir.join(&prefix);
        let is_link = fs::symlink_metadata(&here).is_ok_and(|m| m.file_type().is_symlink());
        if is_link && fs::canonicalize(&here).is_ok_and(|real| !real.starts_with(root)) {
            return prefix;
        }
    }
    rel.to_path_buf()
}

/// Reads `dir/rel`, a file of the project, through [`read_bounded`]: a regular UTF-8 file
/// of at most [`MAX_FILE_BYTES`] inside the project folder.
fn read(dir: &Path, rel: &Path, name: &str) -> Result<String, Diagnostics> {
    let fail = |code, message: String, help: &str| {
        Err(vec![
            Diagnostic::error(code, message).help(help.to_string()),
        ])
    };
    let bytes = match read_bounded(&dir.join(rel), Within::Project(dir), MAX_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(Refusal::Missing) => {
            return fail(
                Code::MissingFile,
                format!("`{name}` does not exist"),
                "run wfk in a project folder, or point `--dir` at one",
            );
        }
        Err(Refusal::NotAFile { what }) => {
            return fail(
                Code::NotAFile,
                format!("`{name}` is {what}"),
                "a spec must be a regular YAML file",
            );
        }
        Err(Refusal::OutsideProject { link }) => {
            let link = link.to_string_lossy().replace('\\', "/");
            let message = if link == name {
                format!("`{name}` is a symbolic link to a file outside the project")
            } else {
                format!(
                    "`{name}` is not read: `{link}` is a symbolic link to a folder outside the project"
                )
            };
            return fail(
                Code::OutsideProject,
                message,
                &format!(
                    "wfk reads only files inside the project folder; copy what `{link}` points to into the project in place of the link"
                ),
            );
        }
        Err(Refusal::TooLarge { .. }) => {
            return fail(
                Code::FileTooLarge,
                format!(
                    "`{name}` is larger than {} MiB",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
                "a spec file is at most 16 MiB; split large config files out of the spec",
            );
        }
        Err(Refusal::Io(e)) => {
            return fail(
                Code::UnreadableFile,
                format!("cannot read `{name}`: {e}"),
                "check the file's permissions",
            );
        }
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    // `contains` searches a word at a time (memchr); only a text with a NUL is looked at
    // again, byte by byte, for its position.
    let nul = if bytes.contains(&0) {
        bytes.iter().position(|&b| b == 0)
    } else {
        None
    };
    if let Some(at) = nul {
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let col = String::from_utf8_lossy(&bytes[line_start..at])
            .chars()
            .count()
            + 1;
        return fail(
            Code::NulByte,
            format!("`{name}` holds a NUL byte (at {name}:{line}:{col}); it is binary, not YAML"),
            "a spec is a text file; check that the right file is named",
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let col = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
            fail(
                Code::InvalidUtf8,
                format!(
                    "`{name}` is not valid UTF-8 (at {name}:{line}:{col}, byte {})",
                    e.valid_up_to()
                ),
                "save the file as UTF-8",
            )
        }
    }
}

/// Parses one YAML text into a tree whose root is a mapping. An empty or comment-only text
/// is an empty mapping.
///
/// A text in the plain subset specs are written in is read by [`subset`], which gives the
/// events yaml-rust2 would give without its cost; any other text, and any text with an
/// error, is read by yaml-rust2, which words the errors.
pub fn parse(source: usize, text: &str) -> Result<Node, Diagnostic> {
    parse_noting_nulls(source, text).map(|(tree, _)| tree)
}

/// [`parse`], and whether a key's value is a plain null anywhere in the tree.
pub(crate) fn parse_noting_nulls(source: usize, text: &str) -> Result<(Node, bool), Diagnostic> {
    let mut bounds = Bounds::new(source, text);
    let mut root = None;
    let read = subset::read(text, |event, mark| match bounds.event(event, mark) {
        Ok(None) => Ok(()),
        Ok(Some(node)) => {
            root = Some(node);
            Ok(())
        }
        Err(_) => Err(subset::Leave),
    });
    if let (Ok(()), Some(root)) = (read, root) {
        return Ok((root, bounds.nulls));
    }
    parse_general_noting_nulls(source, text)
}

/// [`parse`] by yaml-rust2 alone, whatever the text: the reading [`subset`] must agree
/// with, tree for tree and error for error (the fuzz target `load` compares the two).
pub fn parse_general(source: usize, text: &str) -> Result<Node, Diagnostic> {
    parse_general_noting_nulls(source, text).map(|(tree, _)| tree)
}

fn parse_general_noting_nulls(source: usize, text: &str) -> Result<(Node, bool), Diagnostic> {
    let mut bounds = Bounds::new(source, text);
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            let m = e.marker();
            if e.info().contains("unknown anchor") {
                return not_supported("alias", span(source, m.line(), m.col() + 1));
            }
            if e.info().contains("recursion limit") {
                return Diagnostic::error(
                    Code::NestingTooDeep,
                    format!("the YAML is nested more than {MAX_DEPTH} levels deep"),
                )
                .at(span(source, m.line(), m.col() + 1), "too deep here")
                .help(format!(
                    "a spec needs far fewer levels; wfk reads at most {MAX_DEPTH}"
                ));
            }
            syntax_error(text, e.info(), span(source, m.line(), m.col() + 1))
        })?;
        if let Some(root) = bounds.event(event, mark.into())? {
            return Ok((root, bounds.nulls));
        }
    }
}

/// The bounds of one text, checked event by event as its tree is built: nodes, depth,
/// documents, anchors and tags, and a mapping at the root.
struct Bounds<'t> {
    source: usize,
    text: &'t str,
    tree: Tree,
    depth: usize,
    nodes: usize,
    documents: usize,
    root_checked: bool,
    /// Whether the tree, once built, has a key whose value is a plain null.
    nulls: bool,
}

impl<'t> Bounds<'t> {
    fn new(source: usize, text: &'t str) -> Self {
        Bounds {
            source,
            text,
            tree: Tree::new(source),
            depth: 0,
            nodes: 0,
            documents: 0,
            root_checked: false,
            nulls: false,
        }
    }

    /// Takes one event; gives the tree at the end of the stream.
    fn event(&mut self, event: Event, mark: Mark) -> Result<Option<Node>, Diagnostic> {
        let source = self.source;
        let here = span(source, mark.line, mark.col + 1);
        if matches!(
            event,
            Event::Scalar(..) | Event::MappingStart(..) | Event::SequenceStart(..)
        ) {
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                return Err(Diagnostic::error(
                    Code::TooManyNodes,
                    format!("the YAML holds more than {MAX_NODES} keys and values"),
                )
                .at(here, "the limit is reached here")
                .help("a spec is far smaller; split generated data out of the spec"));
            }
        }
        let (anchor, tag) = match &event {
            Event::StreamEnd => {
                let tree = std::mem::replace(&mut self.tree, Tree::new(source));
                self.nulls = tree.nulls;
                return match tree.finish() {
                    Ok(Some(root)) => Ok(Some(root)),
                    // No document: an empty mapping.
                    Ok(None) => Ok(Some(Node::Mapping(
                        marked_yaml::types::MarkedMappingNode::new_empty(
                            marked_yaml::Span::new_start(marked_yaml::Marker::new(source, 0, 1, 1)),
                        ),
                    ))),
                    Err(e) => Err(load_error(e)),
                };
            }
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Diagnostic::error(
                        Code::MultipleDocuments,
                        "a spec file holds exactly one YAML document",
                    )
                    .at(here, "a second document starts here")
                    .help("remove the `---` and what follows, or move it to a file of its own"));
                }
                (0, None)
            }
            Event::Alias(_) => {
                return Err(not_supported("alias", here));
            }
            Event::MappingStart(anchor, tag) | Event::SequenceStart(anchor, tag) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(Diagnostic::error(
                        Code::NestingTooDeep,
                        format!("the YAML is nested more than {MAX_DEPTH} levels deep"),
                    )
                    .at(here, format!("level {} starts here", self.depth))
                    .help(format!(
                        "a spec needs far fewer levels; wfk reads at most {MAX_DEPTH}"
                    )));
                }
                (*anchor, tag.as_ref())
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.depth -= 1;
                (0, None)
            }
            Event::Scalar(_, _, anchor, tag) => (*anchor, tag.as_ref()),
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => (0, None),
        };
        if anchor != 0 {
            return Err(not_supported("anchor", back_to(self.text, here, '&')));
        }
        if tag.is_some() {
            return Err(not_supported("tag", back_to(self.text, here, '!')));
        }
        if !self.root_checked && self.documents == 1 {
            match event {
                Event::MappingStart(..) => self.root_checked = true,
                Event::DocumentStart => {}
                Event::Scalar(ref s, style, ..)
                    if style == yaml_rust2::scanner::TScalarStyle::Plain
                        && matches!(s.as_str(), "" | "~" | "null" | "Null" | "NULL") =>
                {
                    // `~` or `null` alone is a document whose root is null, not a mapping.
                    return Err(root_not_mapping(here, "a null"));
                }
                Event::Scalar(..) => return Err(root_not_mapping(here, "a scalar")),
                Event::SequenceStart(..) => return Err(root_not_mapping(here, "a sequence")),
                _ => {}
            }
        }
        self.tree.event(event, mark);
        Ok(None)
    }
}

/// The positioned tree of one document, built from the parser's events in the same pass
/// that bounds them ([`parse`]): what `marked_yaml::parse_yaml_with_options` builds with
/// duplicate keys refused and quoted scalars kept from coercion, without a second scan.
/// A key that is not a scalar or is repeated stops the building; it is reported once the
/// whole text has passed the bounds, which come first.
struct Tree {
    source: usize,
    /// The mappings and sequences open, innermost last.
    open: Vec<Open>,
    root: Option<Node>,
    error: Option<TreeError>,
    /// Whether a key's value is a plain null.
    nulls: bool,
}

enum Open {
    Mapping {
        start: marked_yaml::Marker,
        map: MappingHash,
        key: Option<MarkedScalarNode>,
    },
    Sequence {
        start: marked_yaml::Marker,
        list: Vec<Node>,
    },
}

type MappingHash = hashlink::LinkedHashMap<MarkedScalarNode, Node>;

/// Why a tree could not be built.
enum TreeError {
    /// A mapping or sequence used as a key, where it starts.
    ComplexKey(marked_yaml::Marker),
    /// A key set twice: the first, then the second.
    DuplicateKey(MarkedScalarNode, MarkedScalarNode),
}

impl Tree {
    fn new(source: usize) -> Self {
        Tree {
            source,
            open: Vec::new(),
            root: None,
            error: None,
            nulls: false,
        }
    }

    fn marker(&self, mark: Mark) -> marked_yaml::Marker {
        marked_yaml::Marker::new(self.source, mark.index, mark.line, mark.col + 1)
    }

    fn event(&mut self, event: Event, mark: Mark) {
        if self.error.is_some() {
            return;
        }
        let at = self.marker(mark);
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if let Some(Open::Mapping { key: None, .. }) = self.open.last() {
                    self.error = Some(TreeError::ComplexKey(at));
                    return;
                }
                self.open.push(match event {
                    Event::MappingStart(..) => Open::Mapping {
                        start: at,
                        map: MappingHash::new(),
                        key: None,
                    },
                    _ => Open::Sequence {
                        start: at,
                        list: Vec::new(),
                    },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let node = match self.open.pop() {
                    Some(Open::Mapping { start, map, .. }) => Node::from(MarkedMappingNode::new(
                        marked_yaml::Span::new_with_marks(start, at),
                        map,
                    )),
                    Some(Open::Sequence { start, list }) => {
                        Node::from(marked_yaml::types::MarkedSequenceNode::new(
                            marked_yaml::Span::new_with_marks(start, at),
                            list,
                        ))
                    }
                    None => return,
                };
                self.add(node);
            }
            Event::Scalar(value, style, ..) => {
                let mut node = MarkedScalarNode::new(marked_yaml::Span::new_start(at), value);
                // A quoted `"null"` or `"3"` stays a string.
                node.set_coerce(matches!(style, yaml_rust2::scanner::TScalarStyle::Plain));
                match self.open.last_mut() {
                    Some(Open::Mapping {
                        key: key @ None, ..
                    }) => *key = Some(node),
                    _ => self.add(Node::from(node)),
                }
            }
            _ => {}
        }
    }

    /// Adds a finished node to the mapping or sequence it is in, or makes it the root.
    fn add(&mut self, node: Node) {
        match self.open.last_mut() {
            Some(Open::Mapping { map, key, .. }) => {
                let Some(key) = key.take() else { return };
                if let Some((first, _)) = map.get_key_value(&key) {
                    self.error = Some(TreeError::DuplicateKey(first.clone(), key));
                    return;
                }
                self.nulls |= crate::merge::is_null(&node);
                map.insert(key, node);
            }
            Some(Open::Sequence { list, .. }) => list.push(node),
            None => self.root = Some(node),
        }
    }

    fn finish(self) -> Result<Option<Node>, TreeError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.root),
        }
    }
}

/// The position of the last `marker` before `at` on its line: the parser reports an anchor
/// or a tag at the node after it, but the caret belongs on `&name` or `!tag`.
fn back_to(text: &str, at: Span, marker: char) -> Span {
    let Some(line) = text.lines().nth(at.line.saturating_sub(1)) else {
        return at;
    };
    let before: String = line.chars().take(at.col.saturating_sub(1)).collect();
    match before.rfind(marker) {
        Some(byte) => {
            // `!!str`: the tag starts at the first of the run of markers.
            let start = before[..byte].trim_end_matches(marker).len();
            Span {
                col: before[..start].chars().count() + 1,
                ..at
            }
        }
        None => at,
    }
}

fn root_not_mapping(here: Span, found: &str) -> Diagnostic {
    Diagnostic::error(Code::RootNotMapping, format!("the top level of a spec file must be a mapping, found {found}"))
        .at(here, "expected `key: value` lines here")
        .help("start the file with keys such as `platform:` and `components:`; an empty file is an empty mapping")
}

fn not_supported(what: &'static str, here: Span) -> Diagnostic {
    let code = match what {
        "alias" => Code::AliasNotSupported,
        "anchor" => Code::AnchorNotSupported,
        _ => Code::TagNotSupported,
    };
    Diagnostic::error(code, format!("YAML {} are not supported in a wfk spec", if what == "alias" { "aliases" } else if what == "anchor" { "anchors" } else { "tags" }))
        .at(here, format!("{what} here"))
        .help(match what {
            "tag" => "remove the tag: the spec's types decide how a value is read, so `!!str` and custom tags are not needed",
            _ => "write the value out, or move what repeats into `platform.yaml` and let overlays change only what differs; anchors hide where a value comes from and can expand without bound",
        })
}

/// A YAML syntax error the parser reports at `at` with the message `info`. A tab in the
/// indentation gets a message of its own, at the tab: the parser reports it at the token
/// after it, or at the start of the plain scalar the line would have continued (often the
/// end of the line before).
fn syntax_error(text: &str, info: &str, at: Span) -> Diagnostic {
    if let Some(tab) = indentation_tab(text, info, at) {
        return Diagnostic::error(Code::YamlSyntax, "invalid YAML: tabs cannot indent YAML")
            .at(tab, "tab here")
            .help("indent with spaces instead (set your editor to insert spaces in YAML files)");
    }
    Diagnostic::error(Code::YamlSyntax, format!("invalid YAML: {info}"))
        .at(at, "here")
        .help("fix the YAML syntax at this position")
}

/// The tab in the indentation that caused the error at `at`: on the error's line when the
/// error is the first token after that line's indentation; and, when the parser's message
/// is about a tab in indentation, on the first later line indented with one.
fn indentation_tab(text: &str, info: &str, at: Span) -> Option<Span> {
    let about_tab = ["indentation", "found a tab", "start with a tab"]
        .iter()
        .any(|m| info.contains(m));
    let first = at.line.checked_sub(1)?;
    for (i, line) in text.lines().enumerate().skip(first) {
        let indent: Vec<char> = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        if let Some(col) = indent.iter().position(|c| *c == '\t') {
            if about_tab || (i == first && at.col == indent.len() + 1) {
                return Some(Span {
                    line: i + 1,
                    col: col + 1,
                    ..at
                });
            }
        }
        if !about_tab {
            return None;
        }
    }
    None
}

fn span(source: usize, line: usize, col: usize) -> Span {
    Span { source, line, col }
}

fn load_error(e: TreeError) -> Diagnostic {
    match e {
        TreeError::DuplicateKey(first, second) => {
            let at = |key: &MarkedScalarNode| Span::of(key.span()).unwrap_or(span(0, 1, 1));
            Diagnostic::error(
                Code::DuplicateKey,
                format!("duplicate key `{}`", second.as_str()),
            )
            .at(at(&second), "set again here")
            .also(at(&first), "first set here")
            .help("remove one of the two; in an overlay, a key set once replaces the base value")
        }
        TreeError::ComplexKey(m) => {
            let at = Span::of(&marked_yaml::Span::new_start(m)).unwrap_or(span(0, 1, 1));
            Diagnostic::error(Code::ComplexKey, "a mapping key must be a plain value")
                .at(at, "a mapping or sequence used as a key")
                .help("use a string as the key")
        }
    }
}

/// A path for messages: relative to the project folder where possible.
fn display(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (&'static str, usize, usize) {
        parse(0, text).unwrap_err().code_at()
    }

    /// Every YAML file of the repository's projects, fixtures and cases.
    pub(super) fn yaml_files() -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            let Ok(entries) = fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    out.push(path);
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = vec![root.join("platform.yaml")];
        for dir in ["overlays", "templates", "examples", "tests"] {
            walk(&root.join(dir), &mut out);
        }
        out
    }

    #[test]
    fn the_one_pass_tree_is_the_tree_marked_yaml_builds() {
        let options = || {
            marked_yaml::LoaderOptions::default()
                .error_on_duplicate_keys(true)
                .prevent_coercion(true)
        };
        let mut same = 0;
        for path in yaml_files() {
            let text = fs::read_to_string(&path).unwrap();
            let theirs = marked_yaml::parse_yaml_with_options(0, &text, options());
            match parse(0, &text) {
                // Spans, values, quoting and key order, all of it.
                Ok(ours) => {
                    let theirs = theirs.unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
                    if ours.span().end().is_none() {
                        // No document (comments only): an empty mapping at the top.
                        assert!(theirs.as_mapping().is_some_and(|m| m.is_empty()));
                        continue;
                    }
                    assert_eq!(
                        format!("{ours:?}"),
                        format!("{theirs:?}"),
                        "{}",
                        path.display()
                    );
                    same += 1;
                }
                Err(d) if matches!(d.code_at().0, "duplicate-key" | "complex-key") => {
                    assert!(theirs.is_err(), "{}", path.display());
                }
                // Refused before a tree is built, as the bounds always were.
                Err(_) => {}
            }
        }
        assert!(same > 250, "only {same} files compared");
    }

    #[test]
    fn a_repeated_key_and_a_mapping_as_a_key_are_errors_at_their_place() {
        assert_eq!(err("a: 1\nb: 2\na: 3\n"), ("duplicate-key", 3, 1));
        assert_eq!(err("a:\n  ? [x]\n  : 1\n"), ("complex-key", 2, 5));
        // The bounds come first: an anchor after a repeated key is what is reported.
        assert_eq!(err("a: 1\na: 2\nb: &x 3\n"), ("anchor-not-supported", 3, 4));
    }

    #[test]
    fn the_first_error_in_the_text_is_the_one_reported() {
        assert_eq!(
            err("a: 1\na: 2\nb:\n  c: 1\n  c: 2\n"),
            ("duplicate-key", 2, 1)
        );
        assert_eq!(
            err("b:\n  c: 1\n  c: 2\na: 1\na: 2\n"),
            ("duplicate-key", 3, 3)
        );
        assert_eq!(err("a: 1\na: 2\n? [x]\n: 1\n"), ("duplicate-key", 2, 1));
        assert_eq!(
            err("x:\n  a: 1\n  a: 2\n  ? [x]\n  : 1\n"),
            ("duplicate-key", 3, 3)
        );
        assert_eq!(err("? [x]\n: 1\na: 1\na: 2\n"), ("complex-key", 1, 3));
    }

    #[test]
    fn a_duplicate_key_points_at_the_second_and_shows_the_first() {
        let d = parse(0, "a: 1\nb:\n  c: 1\n  c: 2\n").unwrap_err();
        assert_eq!(d.code_at(), ("duplicate-key", 4, 3));
        assert_eq!((d.secondary[0].span.line, d.secondary[0].span.col), (3, 3));
    }

    #[test]
    fn anchors_aliases_and_tags_are_refused() {
        assert_eq!(err("a: &x 1\nb: 2\n"), ("anchor-not-supported", 1, 4));
        assert_eq!(err("a: !!str 1\n"), ("tag-not-supported", 1, 4));
        assert_eq!(err("a: *x\n"), ("alias-not-supported", 1, 4));
    }

    #[test]
    fn a_second_document_is_refused_even_when_it_is_broken() {
        assert_eq!(err("a: 1\n---\nb: [\n"), ("multiple-documents", 2, 1));
        assert_eq!(err("a: 1\n---\nb: 2\n"), ("multiple-documents", 2, 1));
    }

    #[test]
    fn the_root_must_be_a_mapping() {
        assert_eq!(err("- a\n"), ("root-not-mapping", 1, 1));
        assert_eq!(err("just text\n"), ("root-not-mapping", 1, 1));
        assert_eq!(err("~\n"), ("root-not-mapping", 1, 1));
        assert!(
            parse(0, "# only a comment\n")
                .unwrap()
                .as_mapping()
                .unwrap()
                .is_empty()
        );
        assert!(parse(0, "").unwrap().as_mapping().is_some());
    }

    #[test]
    fn deep_nesting_is_refused_before_a_tree_is_built() {
        let deep = "[".repeat(100_000);
        assert_eq!(err(&deep).0, "nesting-too-deep");
        let mut block = String::new();
        for i in 0..200 {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        assert_eq!(err(&block).0, "nesting-too-deep");
    }

    #[test]
    fn positions_are_one_based() {
        let node = parse(0, "a:\n  b: 1\n").unwrap();
        let b = node
            .as_mapping()
            .unwrap()
            .get_mapping("a")
            .unwrap()
            .get_node("b")
            .unwrap();
        assert_eq!(Span::of(b.span()), Some(span(0, 2, 6)));
    }

    #[test]
    fn environment_names_must_be_labels() {
        let known = vec!["dev".to_string(), "prod".to_string()];
        assert_eq!(
            overlay_path("../etc", &known).unwrap_err().code,
            "invalid-env-name"
        );
        let d = overlay_path("Prod", &known).unwrap_err();
        assert_eq!(d.code, "invalid-env-name");
        assert!(d.help.unwrap().starts_with("did you mean `prod`?"));
        let d = overlay_path("prd", &known).unwrap_err();
        assert_eq!(d.code, "unknown-env");
        assert!(d.help.unwrap().contains("did you mean `prod`?"));
        assert_eq!(
            overlay_path("prod", &known).unwrap(),
            Path::new("overlays/prod.yaml")
        );
    }
}
