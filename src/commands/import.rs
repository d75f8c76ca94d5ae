//! `wfk import FILE|DIR… --envs …`: existing manifests → a new project in `--dir`.
//!
//! Reads every input, maps and factors it (`crate::import`), writes the project into a
//! fresh folder, renders every environment of it there, and only then moves it into place:
//! an error at any step leaves nothing behind. stdout stays empty; notes and a summary line
//! go to stderr.

use crate::Exit;
use crate::cli::ImportArgs;
use crate::diagnostic::Severity;
use crate::import::{self, Input};
use crate::merge::History;
use crate::source::SourceMap;
use crate::{check, diagnostic};
use anyhow::{Context, bail};
use std::fs;
use std::path::{Path, PathBuf};

pub fn run(dir: &Path, args: &ImportArgs) -> anyhow::Result<Exit> {
    let envs = environments(args)?;
    check_empty(dir)?;
    if let Some(p) = &args.platform {
        if !import::is_dns_label(p) {
            bail!(
                "invalid platform name `{p}`: use lowercase letters, digits and `-` (a DNS-1123 label), such as `gorax`"
            );
        }
    }
    let mut inputs = Vec::new();
    for (path, env) in args.inputs.iter().zip(&envs) {
        let objects = import::read(path)?;
        inputs.push(Input {
            env: env.clone(),
            objects,
        });
    }
    let platform = match &args.platform {
        Some(p) => p.clone(),
        None => import::platform_name(&inputs, &folder_name(dir)),
    };
    let sources = args
        .inputs
        .iter()
        .map(|p| format!("`{}`", p.display()))
        .collect::<Vec<_>>()
        .join(", ");
    let project = import::project(&inputs, &platform, &sources)?;
    write(dir, &project.files, &envs)?;
    for note in &project.notes {
        anstream::eprintln!("{note}");
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    anstream::eprintln!(
        "imported {}, {}, {} into {} ({}); {}",
        plural(project.components, "component", "components"),
        plural(project.config_maps, "config map", "config maps"),
        plural(project.ingresses, "ingress", "ingresses"),
        dir.display(),
        plural(envs.len(), "environment", "environments"),
        plural(project.templates, "template", "templates"),
    );
    Ok(Exit::Success)
}

/// The environment of each input: `--envs`, else `dev` for one input, else each input's
/// file or folder name without its extension.
fn environments(args: &ImportArgs) -> anyhow::Result<Vec<String>> {
    let envs: Vec<String> = if !args.envs.is_empty() {
        if args.envs.len() != args.inputs.len() {
            bail!(
                "{} inputs but {} environments in `--envs`; name one environment per input, in order: `--envs dev,staging,prod`",
                args.inputs.len(),
                args.envs.len()
            );
        }
        args.envs.clone()
    } else if args.inputs.len() == 1 {
        vec!["dev".to_string()]
    } else {
        args.inputs
            .iter()
            .map(|p| {
                p.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect()
    };
    for env in &envs {
        if !import::is_dns_label(env) {
            bail!(
                "invalid environment name `{env}`: an environment name is lowercase letters, digits and `-` (a DNS-1123 label), such as `prod`; name them with `--envs dev,staging,prod`"
            );
        }
        if envs.iter().filter(|e| *e == env).count() > 1 {
            bail!(
                "the environment `{env}` is named twice; name each input's environment once with `--envs`"
            );
        }
    }
    if args.inputs.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        bail!("stdin (`-`) can be read once; save the other streams to files");
    }
    Ok(envs)
}

/// Refuses a project folder that holds anything: an import never overwrites.
fn check_empty(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        bail!(
            "`{}` is not a folder; choose a new or empty folder with `--dir`",
            dir.display()
        );
    }
    let mut entries =
        fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
    if let Some(entry) = entries.next() {
        let entry = entry.with_context(|| format!("cannot read `{}`", dir.display()))?;
        bail!(
            "`{}` is not empty (it holds `{}`); import into a new or empty folder with `--dir`",
            dir.display(),
            entry.file_name().to_string_lossy()
        );
    }
    Ok(())
}

/// The project folder's name, for the platform's name when nothing else gives one.
fn folder_name(dir: &Path) -> String {
    let full = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    full.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Writes the project into a fresh folder, renders every environment there, then moves it
/// into `dir`. Any failure removes the fresh folder and leaves `dir` as it was.
fn write(dir: &Path, files: &[(PathBuf, String)], envs: &[String]) -> anyhow::Result<()> {
    let existed = dir.exists();
    // Beside `dir` when it is new (then one rename), inside it when it exists and is empty.
    let staging = if existed {
        dir.join(format!(".wfk-import-{}", std::process::id()))
    } else {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "project".into());
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
        parent.join(format!(".{name}.wfk-import-{}", std::process::id()))
    };
    let result = (|| -> anyhow::Result<()> {
        for (rel, text) in files {
            let path = staging.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create `{}`", parent.display()))?;
            }
            fs::write(&path, text).with_context(|| format!("cannot write `{}`", path.display()))?;
        }
        verify(&staging, envs)?;
        if existed {
            for entry in fs::read_dir(&staging)? {
                let entry = entry?;
                fs::rename(entry.path(), dir.join(entry.file_name()))
                    .with_context(|| format!("cannot write into `{}`", dir.display()))?;
            }
            fs::remove_dir(&staging)?;
        } else {
            fs::rename(&staging, dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
        if existed {
            // Only what this run moved in can be there: the folder was empty.
            for (rel, _) in files {
                if let Some(top) = rel.components().next() {
                    let _ = fs::remove_dir_all(dir.join(top.as_os_str()));
                    let _ = fs::remove_file(dir.join(top.as_os_str()));
                }
            }
        }
    }
    result
}

/// Renders every environment of the new project and runs the checks: an import that does
/// not render is refused rather than written.
fn verify(project: &Path, envs: &[String]) -> anyhow::Result<()> {
    let mut fuel = crate::template::Fuel::per_run();
    for env in envs {
        let mut map = SourceMap::default();
        let super::Render {
            merged,
            platform,
            objects,
            origins,
            ..
        } = match super::objects(
            project,
            env,
            &[],
            &mut map,
            &mut fuel,
            History::Dropped,
            super::Reads::Positions,
        ) {
            Ok(all) => all,
            Err(ds) => {
                diagnostic::eprint(&ds, &map);
                bail!(
                    "internal error: the imported project does not render for `{env}` (above); this is a bug in wfk"
                );
            }
        };
        let input = check::Input {
            spec: &platform,
            objects: &objects,
            merged: &merged,
            origins: &origins,
            memo: Default::default(),
        };
        let errors: Vec<_> = check::all(&input)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            diagnostic::eprint(&errors, &map);
            bail!(
                "the imported project fails wfk's checks for `{env}` (above): the input breaks a Kubernetes rule wfk enforces; fix the input and import again"
            );
        }
    }
    Ok(())
}
