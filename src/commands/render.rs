//! `wfk render <env>`: load → merge → spec → build → emit, to stdout or one file per object.
//! Any error: exit 2, nothing on stdout, nothing written.

use super::fail;
use crate::Exit;
use crate::cli::RenderArgs;
use crate::diagnostic::{self, Severity};
use crate::source::SourceMap;
use crate::{build, check, emit};
use anyhow::{Context, bail};
use std::fs;
use std::io::Write;
use std::path::Path;

/// The file that marks a folder as written by `wfk render --output-dir`, so it may be
/// replaced. It lists every file wfk wrote there, one per line after its first line.
pub const MARKER: &str = ".wfk-render";

/// The kustomization written beside the objects, so a kustomize tree can build on the folder.
pub const KUSTOMIZATION: &str = "kustomization.yaml";

pub fn run(dir: &Path, args: &RenderArgs, quiet: bool) -> anyhow::Result<Exit> {
    let mut map = SourceMap::default();
    let mut sets = args.set.clone();
    if let Some(namespace) = &args.namespace {
        sets.push(format!("namespace={namespace}"));
    }
    let super::Render {
        merged,
        platform,
        objects,
        origins,
        ..
    } = match super::objects(dir, &args.env, &sets, &mut map) {
        Ok(all) => all,
        Err(ds) => return Ok(fail(&ds, &map)),
    };
    let input = check::Input {
        spec: &platform,
        objects: &objects,
        merged: &merged,
        origins: &origins,
    };
    let findings: Vec<_> = check::all(&input)
        .into_iter()
        .filter(|d| d.severity != Severity::Info)
        .collect();
    let shown: Vec<_> = findings
        .iter()
        .filter(|d| !quiet || d.severity == Severity::Error)
        .cloned()
        .collect();
    if !shown.is_empty() {
        diagnostic::eprint(&shown, &map);
    }
    if findings.iter().any(|d| d.severity == Severity::Error) {
        // A platform with errors is never half-applied: nothing on stdout.
        return Ok(Exit::Findings);
    }
    match &args.output_dir {
        None => {
            let text = emit::to_bytes(&objects, args.output)?;
            std::io::stdout().lock().write_all(&text)?;
        }
        Some(out) => {
            let written = write_dir(out, &objects, args.output)?;
            if !quiet {
                anstream::eprintln!(
                    "wrote {written} files and {KUSTOMIZATION} to `{}`",
                    out.display()
                );
            }
        }
    }
    Ok(Exit::Success)
}

/// Refuses to replace `out` unless it is missing, empty, or holds only what an earlier
/// render wrote (the names its marker lists): a file put there by hand is never deleted.
fn check_replaceable(out: &Path) -> anyhow::Result<()> {
    if !out.exists() {
        return Ok(());
    }
    let entries: Vec<String> = fs::read_dir(out)
        .with_context(|| format!("cannot read `{}`", out.display()))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read `{}`", out.display()))?;
    if entries.is_empty() {
        return Ok(());
    }
    let Ok(marker) = fs::read_to_string(out.join(MARKER)) else {
        bail!(
            "`{}` is not empty and was not written by wfk; choose an empty or new folder",
            out.display()
        );
    };
    let ours: std::collections::HashSet<&str> = marker.lines().skip(1).collect();
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
            out.join(first).display(),
            out.display()
        );
    }
    Ok(())
}

/// Writes one file per object and a kustomization into a fresh folder beside `out`, then
/// swaps it into place, so an error or an interrupt leaves `out` as it was. Returns how many
/// object files it wrote.
fn write_dir(
    out: &Path,
    objects: &[build::object::Object],
    format: emit::Format,
) -> anyhow::Result<usize> {
    check_replaceable(out)?;
    // Every text first: a render over the output limit writes nothing.
    let texts = emit::files(objects, format)?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = parent.join(format!(".{name}.wfk-new-{}", std::process::id()));
    let result = (|| -> anyhow::Result<()> {
        fs::create_dir_all(&staging)
            .with_context(|| format!("cannot create `{}`", staging.display()))?;
        let width = objects.len().to_string().len().max(2);
        let ext = match format {
            emit::Format::Yaml => "yaml",
            emit::Format::Json => "json",
        };
        let mut files = Vec::with_capacity(objects.len());
        for ((i, object), text) in objects.iter().enumerate().zip(&texts) {
            let file = format!(
                "{:0width$}-{}-{}.{ext}",
                i + 1,
                object.kind().to_lowercase(),
                object.name()
            );
            fs::write(staging.join(&file), text)?;
            files.push(file);
        }
        fs::write(staging.join(KUSTOMIZATION), kustomization(&files))?;
        let mut marker = String::from(
            "# written by `wfk render --output-dir`; replaced as a whole on each render. Files:\n",
        );
        for file in files.iter().map(String::as_str).chain([KUSTOMIZATION]) {
            marker.push_str(file);
            marker.push('\n');
        }
        fs::write(staging.join(MARKER), marker)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let old = parent.join(format!(".{name}.wfk-old-{}", std::process::id()));
    if out.exists() {
        fs::rename(out, &old).with_context(|| format!("cannot replace `{}`", out.display()))?;
    }
    if let Err(e) = fs::rename(&staging, out) {
        // Put the old folder back before reporting.
        let _ = fs::rename(&old, out);
        let _ = fs::remove_dir_all(&staging);
        return Err(e).with_context(|| format!("cannot write `{}`", out.display()));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(objects.len())
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
