//! The spec core's commands on success paths: `envs`, `explain` (with its chain of
//! overrides, `--set` and removals), `extends`, `schema` and `completions`.

use crate::support::Test;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn at_root() -> Test {
    Test::new()
        .file(
            "platform.yaml",
            std::fs::read_to_string(format!("{ROOT}/platform.yaml")).unwrap(),
        )
        .file(
            "overlays/dev.yaml",
            std::fs::read_to_string(format!("{ROOT}/overlays/dev.yaml")).unwrap(),
        )
        .file(
            "overlays/staging.yaml",
            std::fs::read_to_string(format!("{ROOT}/overlays/staging.yaml")).unwrap(),
        )
        .file(
            "overlays/prod.yaml",
            std::fs::read_to_string(format!("{ROOT}/overlays/prod.yaml")).unwrap(),
        )
}

/// `file:line:col` of the first line of `file` (in the reference platform) that contains
/// `needle`, at the column where `value` starts on it.
fn position(file: &str, needle: &str, value: &str) -> String {
    let text = std::fs::read_to_string(format!("{ROOT}/{file}")).unwrap();
    let (i, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap();
    let col = line[..line.find(needle).unwrap()].chars().count() + needle.find(value).unwrap() + 1;
    format!("{file}:{}:{col}", i + 1)
}

#[test]
fn envs_lists_the_environments_sorted() {
    at_root()
        .args(["envs"])
        .stdout("dev\nprod\nstaging\n")
        .run();
}

#[test]
fn envs_shows_the_parent_of_an_extends() {
    at_root()
        .file(
            "overlays/prod-eu.yaml",
            "extends: prod\nnamespace: gorax-prod-eu\n",
        )
        .args(["envs"])
        .stdout("dev\nprod\nprod-eu (extends prod)\nstaging\n")
        .run();
}

#[test]
fn explain_shows_the_value_its_origin_and_what_it_overrode() {
    let prod = position("overlays/prod.yaml", "replicas: 3", "3");
    let base = position("platform.yaml", "replicas: 2", "2");
    at_root()
        .args(["explain", "prod", "components.api.replicas"])
        .stdout(format!(
            "components.api.replicas: 3\n  set at {prod}\n  overrides 2  {base}\n"
        ))
        .run();
}

#[test]
fn explain_with_set_has_three_entries_in_order() {
    let prod = position("overlays/prod.yaml", "replicas: 3", "3");
    let base = position("platform.yaml", "replicas: 2", "2");
    at_root()
        .args(["explain", "prod", "components.api.replicas", "--set", "components.api.replicas=5"])
        .stdout(format!(
            "components.api.replicas: 5\n  set at --set:1:25\n  overrides 3  {prod}\n  overrides 2  {base}\n"
        ))
        .run();
}

#[test]
fn explain_says_where_a_null_removed_a_component() {
    let test = at_root().file("overlays/dev.yaml", "components:\n  worker: null\n");
    test.args(["explain", "dev", "components.worker.replicas"])
        .stdout(format!(
            "components.worker.replicas: removed\n  components.worker removed by null at  overlays/dev.yaml:2:11\n  it was {{…}}  {}\n",
            position("platform.yaml", "  worker:", "worker")
        ))
        .run();
}

#[test]
fn explain_prints_a_mapping_as_yaml() {
    let out = at_root()
        .args(["explain", "prod", "components.api.autoscale"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(out.stdout.starts_with("components.api.autoscale:\n    cpu: 70\n    max: 20\n    memory: 80\n  set at platform.yaml:"), "{}", out.stdout);
}

#[test]
fn an_environment_extends_another() {
    let test = at_root().file(
        "overlays/prod-eu.yaml",
        "extends: prod\nnamespace: gorax-prod-eu\ncomponents: { api: { replicas: 4 } }\n",
    );
    let out = test
        .args(["explain", "prod-eu", "components.api.replicas"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "components.api.replicas: 4\n  set at overlays/prod-eu.yaml:3:32\n  overrides 3  {}\n  overrides 2  {}\n",
            position("overlays/prod.yaml", "replicas: 3", "3"),
            position("platform.yaml", "replicas: 2", "2")
        )
    );
    let render = at_root()
        .file(
            "overlays/prod-eu.yaml",
            "extends: prod\nnamespace: gorax-prod-eu\n",
        )
        .args(["render", "prod-eu"])
        .output();
    assert_eq!(render.status, Some(0), "{}", render.stderr);
    assert!(
        render.stdout.contains("namespace: gorax-prod-eu")
            && render.stdout.contains("maxReplicas: 20")
    );
}

#[test]
fn completions_are_printed_for_each_shell() {
    // Each script registers wfk as its own completer, through the COMPLETE variable.
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = Test::new().args(["completions", shell]).output();
        assert_eq!((out.status, out.stderr.as_str()), (Some(0), ""), "{shell}");
        assert!(
            out.stdout.contains("COMPLETE") && out.stdout.contains("wfk"),
            "{shell}: {}",
            out.stdout
        );
    }
}

/// What `wfk` offers for `words` (the command line, the last word being completed), as the
/// bash script registered by `wfk completions bash` asks for it.
fn complete(test: Test, words: &[&str]) -> Vec<String> {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_wfk"));
    command
        .current_dir(test.path())
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words);
    let out = command.output().expect("wfk runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Flags are offered too; the values are what these tests are about.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|c| !c.starts_with('-'))
        .map(String::from)
        .collect()
}

fn three_envs() -> Test {
    Test::new()
        .file("platform.yaml", "platform: shop\n")
        .file("overlays/dev.yaml", "")
        .file("overlays/staging.yaml", "")
        .file("overlays/prod.yaml", "")
        .file("other/platform.yaml", "platform: other\n")
        .file("other/overlays/qa.yaml", "")
}

#[test]
fn completion_offers_the_projects_environments() {
    assert_eq!(
        complete(three_envs(), &["wfk", "render", ""]),
        ["dev", "prod", "staging"]
    );
    assert_eq!(
        complete(three_envs(), &["wfk", "diff", "dev", "p"]),
        ["prod"]
    );
    assert_eq!(
        complete(three_envs(), &["wfk", "explain", "st"]),
        ["staging"]
    );
    // The project named by --dir, as typed so far.
    assert_eq!(
        complete(three_envs(), &["wfk", "--dir", "other", "validate", ""]),
        ["qa"]
    );
    assert!(complete(three_envs(), &["wfk", "ren"]).contains(&"render".to_string()));
}

#[test]
fn every_command_has_an_example_in_its_help() {
    for command in [
        "render",
        "validate",
        "diff",
        "explain",
        "envs",
        "schema",
        "completions",
        "init",
        "version",
    ] {
        let out = Test::new().args([command, "--help"]).output();
        assert_eq!(out.status, Some(0), "{command}");
        assert!(
            out.stdout.contains("Example"),
            "{command} --help has no example:\n{}",
            out.stdout
        );
        assert!(out.stdout.contains(&format!("wfk {command}")), "{command}");
    }
}
