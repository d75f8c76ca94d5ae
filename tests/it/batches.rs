//! A large render takes its objects in batches (`commands::in_batches`): the same findings,
//! the same errors and the same bytes as every object at once, whatever the batch size.
//! Compared here over every project of the repository (the reference platform, the
//! examples, and each test case, check fixture and test project) in every environment,
//! with batches of 1, 3 and 1,000 objects, on one thread and with the halves of the
//! components on two, for stdout in YAML and JSON and for `--output-dir` files.

use crate::render_support::root;
use std::path::{Path, PathBuf};
use wfk::commands::{self, Batches, Reads};
use wfk::emit::{Format, To};
use wfk::merge::History;
use wfk::source::SourceMap;

/// Every folder under `dir` (and `dir` itself) that holds a `platform.yaml`.
fn projects_under(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join("platform.yaml").is_file() {
        out.push(dir.to_path_buf());
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.ends_with("target") && !p.ends_with(".git"))
        .collect();
    dirs.sort();
    for dir in dirs {
        projects_under(&dir, out);
    }
}

/// What one way of rendering made: the build's errors, or the findings and the texts.
#[derive(Debug, PartialEq)]
enum Made {
    Refused(Vec<wfk::diagnostic::Diagnostic>),
    Rendered {
        findings: Vec<wfk::diagnostic::Diagnostic>,
        yaml: Result<Vec<u8>, String>,
        json: Result<Vec<u8>, String>,
        files: Result<Vec<(String, String, Vec<u8>)>, String>,
    },
}

fn spec(
    dir: &Path,
    env: &str,
    map: &mut SourceMap,
) -> Option<(wfk::merge::Merged, wfk::platform::Platform)> {
    commands::spec(dir, env, &[], map, History::Dropped, Reads::Positions).ok()
}

/// Every object at once, as a small render makes it.
fn whole(dir: &Path, env: &str) -> Option<Made> {
    let mut map = SourceMap::default();
    let (merged, platform) = spec(dir, env, &mut map)?;
    let fuel = &mut wfk::template::Fuel::per_run();
    let render =
        match commands::objects_of(dir, env, merged, platform, &mut map, fuel, Reads::Positions) {
            Ok(render) => render,
            Err(ds) => return Some(Made::Refused(ds)),
        };
    let findings = wfk::check::all(&wfk::check::Input {
        spec: &render.platform,
        objects: &render.objects,
        merged: &render.merged,
        origins: &render.origins,
        memo: Default::default(),
    });
    let stream = |format| wfk::emit::to_bytes(&render.objects, format).map_err(|e| e.to_string());
    let mut files = Vec::new();
    let each = wfk::emit::each_file(&render.objects, Format::Yaml, |i, text| {
        let object = &render.objects[i];
        files.push((
            object.kind().to_string(),
            object.name().to_string(),
            text.concat(),
        ));
        Ok(())
    });
    Some(Made::Rendered {
        findings,
        yaml: stream(Format::Yaml),
        json: stream(Format::Json),
        files: each.map(|()| files).map_err(|e| e.to_string()),
    })
}

/// The objects in batches of `size`, the two halves on two threads when `together`.
fn batched(dir: &Path, env: &str, size: usize, together: bool) -> Option<Made> {
    let made_with = |format, to, texts| {
        let mut map = SourceMap::default();
        let (merged, platform) = spec(dir, env, &mut map)?;
        let fuel = &mut wfk::template::Fuel::per_run();
        Some(commands::in_batches(
            dir,
            env,
            merged,
            platform,
            &mut map,
            fuel,
            Batches {
                format,
                to,
                size,
                together,
                texts,
            },
        ))
    };
    let made = |format, to| made_with(format, to, true);
    let yaml = match made(Format::Yaml, To::Stdout)? {
        Ok(made) => made,
        Err(ds) => return Some(Made::Refused(ds)),
    };
    let json = made(Format::Json, To::Stdout)?.expect("refused in YAML only");
    let files = made(Format::Yaml, To::Files)?.expect("refused on stdout only");
    // `validate` takes the objects without their texts.
    let bare = made_with(Format::Yaml, To::Stdout, false)?.expect("refused with texts only");
    assert!(json.findings == yaml.findings && files.findings == yaml.findings);
    assert!(bare.findings == yaml.findings);
    let stream = |texts: anyhow::Result<wfk::emit::Texts>| {
        texts.map_err(|e| e.to_string()).and_then(|t| {
            let mut out = Vec::new();
            t.write_to(&mut out).map_err(|e| e.to_string())?;
            Ok(out)
        })
    };
    Some(Made::Rendered {
        findings: yaml.findings,
        yaml: stream(yaml.texts),
        json: stream(json.texts),
        files: files.texts.map_err(|e| e.to_string()).map(|t| {
            t.files()
                .into_iter()
                .map(|(kind, name, text)| (kind, name, text.into_vec()))
                .collect()
        }),
    })
}

#[test]
fn batches_of_any_size_render_what_every_object_at_once_renders() {
    let mut projects = Vec::new();
    projects_under(&root().join("tests"), &mut projects);
    projects_under(&root().join("examples"), &mut projects);
    projects.insert(0, root());
    let (mut rendered, mut refused, mut findings) = (0, 0, 0);
    for dir in &projects {
        let Ok(envs) = wfk::load::environments(dir) else {
            continue;
        };
        for env in envs {
            let Some(whole) = whole(dir, &env) else {
                continue;
            };
            match &whole {
                Made::Refused(_) => refused += 1,
                Made::Rendered { findings: f, .. } => {
                    rendered += 1;
                    findings += f.len();
                }
            }
            for (size, together) in [1, 3, 1000]
                .into_iter()
                .flat_map(|s| [(s, false), (s, true)])
            {
                let batched = batched(dir, &env, size, together).expect("the same spec");
                if batched != whole {
                    let cut = |m: &Made| format!("{m:?}").chars().take(3000).collect::<String>();
                    panic!(
                        "{} {env}, batches of {size}, together: {together}:\n  whole: {}\n  batched: {}",
                        dir.display(),
                        cut(&whole),
                        cut(&batched)
                    );
                }
            }
        }
    }
    // Enough renders, refusals and findings that a difference could not hide.
    assert!(rendered > 120, "{rendered} environments rendered");
    assert!(
        refused >= 3,
        "{refused} environments refused by a patch or a template"
    );
    assert!(findings > 150, "{findings} findings");
    eprintln!("{rendered} environments rendered, {refused} refused, {findings} findings");
}
