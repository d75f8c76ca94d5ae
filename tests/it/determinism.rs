//! Rendering is a pure function of the input: 50 renders of every environment of the
//! reference platform and of every example give the same bytes, and so does the same
//! project with the keys of every mapping shuffled (ten seeds).

use crate::render_support::{root, shuffled_yaml};
use std::path::{Path, PathBuf};
use wfk::source::SourceMap;

/// Every project: the reference platform and each folder of `examples/` with a spec.
pub(crate) fn projects() -> Vec<PathBuf> {
    let mut out = vec![root()];
    if let Ok(entries) = std::fs::read_dir(root().join("examples")) {
        let mut examples: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("platform.yaml").is_file())
            .collect();
        examples.sort();
        out.extend(examples);
    }
    out
}

pub(crate) fn environments(dir: &Path) -> Vec<String> {
    wfk::load::environments(dir).unwrap_or_else(|d| panic!("{}: {d:?}", dir.display()))
}

/// The YAML stream of one environment, through the library (the same calls as `render`).
fn render(dir: &Path, env: &str) -> String {
    let mut map = SourceMap::default();
    let layers = wfk::load::environment(dir, env, &mut map).unwrap_or_else(|d| panic!("{d:?}"));
    let merged = wfk::merge::environment(layers, &[], &mut map).unwrap_or_else(|d| panic!("{d:?}"));
    let platform = wfk::platform::Platform::from_tree(&merged).unwrap_or_else(|d| panic!("{d:?}"));
    let (mut objects, mut origins) = wfk::build::build(&platform);
    objects.extend(
        wfk::template::render_all(
            dir,
            env,
            &platform,
            &merged,
            &mut map,
            &mut origins,
            &mut wfk::template::Fuel::per_run(),
        )
        .unwrap_or_else(|d| panic!("{d:?}")),
    );
    wfk::patch::apply(&mut objects, &platform, &merged, &mut origins)
        .unwrap_or_else(|d| panic!("{d:?}"));
    objects.sort_by(|a, b| a.order().cmp(&b.order()));
    wfk::emit::to_string(&objects, wfk::emit::Format::Yaml).unwrap()
}

#[test]
fn fifty_renders_of_every_environment_are_identical() {
    for dir in projects() {
        for env in environments(&dir) {
            let first = render(&dir, &env);
            for _ in 1..50 {
                assert!(
                    render(&dir, &env) == first,
                    "{} {env}: a render differs",
                    dir.display()
                );
            }
        }
    }
}

#[test]
fn shuffled_key_order_gives_the_same_bytes() {
    for dir in projects() {
        let envs = environments(&dir);
        let expected: Vec<String> = envs.iter().map(|env| render(&dir, env)).collect();
        for seed in 0..10u64 {
            let copy = crate::support::TempDir::new();
            copy_shuffled(&dir, copy.path(), seed);
            for (env, expected) in envs.iter().zip(&expected) {
                let actual = render(copy.path(), env);
                assert!(
                    &actual == expected,
                    "{} {env}, seed {seed}: shuffled keys change the output",
                    dir.display()
                );
            }
        }
    }
}

/// Copies a project's spec files with shuffled keys; templates are copied as they are.
fn copy_shuffled(from: &Path, to: &Path, seed: u64) {
    std::fs::create_dir_all(to.join("overlays")).unwrap();
    let base = std::fs::read_to_string(from.join("platform.yaml")).unwrap();
    std::fs::write(to.join("platform.yaml"), shuffled_yaml(&base, seed)).unwrap();
    for entry in std::fs::read_dir(from.join("overlays")).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        std::fs::write(
            to.join("overlays").join(entry.file_name()),
            shuffled_yaml(&text, seed + 1),
        )
        .unwrap();
    }
    if let Ok(entries) = std::fs::read_dir(from.join("templates")) {
        std::fs::create_dir_all(to.join("templates")).unwrap();
        for entry in entries.flatten() {
            std::fs::copy(entry.path(), to.join("templates").join(entry.file_name())).unwrap();
        }
    }
}
