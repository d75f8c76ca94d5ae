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

/// The file that marks a folder as written by `wfk render -o`, so it may be replaced.
pub const MARKER: &str = ".wfk-render";

pub fn run(dir: &Path, args: &RenderArgs) -> anyhow::Result<Exit> {
    let mut map = SourceMap::default();
    let (merged, platform, objects) = match super::objects(dir, &args.env, &args.set, &mut map) {
        Ok(all) => all,
        Err(ds) => return Ok(fail(&ds, &map)),
    };
    let input = check::Input {
        spec: &platform,
        objects: &objects,
        merged: &merged,
    };
    let findings: Vec<_> = check::all(&input)
        .into_iter()
        .filter(|d| d.severity != Severity::Info)
        .collect();
    if !findings.is_empty() {
        diagnostic::eprint(&findings, &map);
    }
    if findings.iter().any(|d| d.severity == Severity::Error) {
        // A platform with errors is never half-applied: nothing on stdout.
        return Ok(Exit::Findings);
    }
    match &args.output {
        None => {
            let text = emit::to_string(&objects, args.format)?;
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
        Some(out) => write_dir(out, &objects, args.format)?,
    }
    Ok(Exit::Success)
}

/// Writes one file per object into a fresh folder beside `out`, then swaps it into place,
/// so an error or an interrupt leaves `out` as it was.
fn write_dir(
    out: &Path,
    objects: &[build::object::Object],
    format: emit::Format,
) -> anyhow::Result<()> {
    if out.exists() {
        let is_ours = out.join(MARKER).is_file();
        let is_empty = fs::read_dir(out)
            .with_context(|| format!("cannot read `{}`", out.display()))?
            .next()
            .is_none();
        if !is_ours && !is_empty {
            bail!(
                "`{}` is not empty and was not written by wfk; choose an empty or new folder",
                out.display()
            );
        }
    }
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
        for (i, object) in objects.iter().enumerate() {
            let file = format!(
                "{:0width$}-{}-{}.{ext}",
                i + 1,
                object.kind().to_lowercase(),
                object.name()
            );
            fs::write(staging.join(file), emit::one(object, format)?)?;
        }
        fs::write(
            staging.join(MARKER),
            "written by `wfk render -o`; replaced as a whole on each render\n",
        )?;
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
    Ok(())
}
