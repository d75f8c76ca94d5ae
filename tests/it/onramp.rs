//! Adopting wfk: `wfk init`, the editor schemas and modelines, the Argo CD plugin's
//! contract, and the habits kubectl and Helm users bring (`-n`, `--color`, `-q`/`-v`,
//! `--format json` for `envs` and `explain`, `wfk version`).

use crate::render_support::{root, tool};
use crate::support::Test;
use jsonschema::Validator;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

// 1. wfk init

#[test]
fn init_writes_a_project_that_validates_and_renders_every_environment() {
    let test = Test::new().args(["init", "shop"]);
    let out = test.output();
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (
            Some(0),
            "",
            "created platform `shop` in `[TMP]`: platform.yaml, overlays/{dev,staging,prod}.yaml\nnext: wfk --dir [TMP] validate, then wfk --dir [TMP] render dev\n"
        )
    );
    let dir = test.path();
    for file in [
        "platform.yaml",
        "overlays/dev.yaml",
        "overlays/staging.yaml",
        "overlays/prod.yaml",
        ".wfk/platform.schema.json",
        ".wfk/overlay.schema.json",
    ] {
        assert!(dir.join(file).is_file(), "{file} is written");
    }
    let platform = std::fs::read_to_string(dir.join("platform.yaml")).unwrap();
    assert!(
        platform.starts_with("# yaml-language-server: $schema=.wfk/platform.schema.json\n"),
        "{platform}"
    );
    assert!(platform.contains("platform: shop\n"));
    let envs = run_in(dir, &["envs"]);
    assert_eq!(
        (envs.0, envs.1.as_str(), envs.2.as_str()),
        (Some(0), "dev\nprod\nstaging\n", "")
    );
    let validate = run_in(dir, &["validate", "--deny", "warnings"]);
    assert_eq!(validate.0, Some(0), "{}", validate.2);
    let validator = tool("kubernetes-validate", "WFK_KUBERNETES_VALIDATE");
    for env in ["dev", "staging", "prod"] {
        let (status, stdout, stderr) = run_in(dir, &["render", env]);
        assert_eq!((status, stderr.as_str()), (Some(0), ""), "render {env}");
        let file = dir.join(format!("{env}.out.yaml"));
        std::fs::write(&file, &stdout).unwrap();
        let checked = Command::new(&validator)
            .args(["--strict", "--quiet", "-k", "1.33", "-k", "1.37"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            checked.status.success(),
            "kubernetes-validate {env}: {}{}",
            String::from_utf8_lossy(&checked.stdout),
            String::from_utf8_lossy(&checked.stderr)
        );
    }
    // Every file it wrote passes the editor schemas.
    let problems = editor_schema_problems(dir);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `wfk --dir DIR ARGS…` in DIR: (exit code, stdout, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wfk"))
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn init_names_the_platform_after_the_folder() {
    let tmp = crate::support::TempDir::new();
    let dir = tmp.path().join("my-shop");
    let (status, stdout, stderr) = run_in(&dir, &["init", "-q"]);
    assert_eq!(
        (status, stdout.as_str(), stderr.as_str()),
        (Some(0), "", "")
    );
    let platform = std::fs::read_to_string(dir.join("platform.yaml")).unwrap();
    assert!(platform.contains("platform: my-shop\n"), "{platform}");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty_and_a_bad_name() {
    Test::new()
        .file("notes.txt", "mine\n")
        .args(["init", "shop"])
        .stderr("error: `[TMP]` is not empty; run `wfk init` in an empty folder, or name a new one with `--dir`\n")
        .status(2)
        .run();
    Test::new()
        .args(["init", "Shop_1"])
        .stderr("error: `Shop_1` cannot name a platform: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'); pass a name such as `wfk init shop`\n")
        .status(2)
        .run();
}

// 2. Editor schemas.

/// The editor schemas, as `wfk schema` and `wfk schema --overlay` print them.
fn printed_schema(overlay: bool) -> Value {
    let args: &[&str] = if overlay {
        &["schema", "--overlay"]
    } else {
        &["schema"]
    };
    let out = Test::new().args(args).output();
    assert_eq!((out.status, out.stderr.as_str()), (Some(0), ""));
    serde_json::from_str(&out.stdout).unwrap()
}

/// Every platform.yaml and overlay under `dir` (recursively, skipping `target`, bench/run's
/// output and the deliberately broken projects of tests/cases and the checks' fail fixtures) checked
/// against the schema its modeline names, or the committed ones.
fn editor_schema_problems(dir: &Path) -> Vec<String> {
    let base = Validator::new(&printed_schema(false)).unwrap();
    let overlay = Validator::new(&printed_schema(true)).unwrap();
    let mut problems = Vec::new();
    let mut files = Vec::new();
    collect(dir, &mut files);
    assert!(
        !files.is_empty(),
        "found spec files under {}",
        dir.display()
    );
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let value: Value = serde_saphyr::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not YAML: {e}", file.display()));
        let value = if value.is_null() {
            Value::Object(Default::default())
        } else {
            value
        };
        let is_overlay = file.parent().is_some_and(|p| p.ends_with("overlays"));
        let validator = if is_overlay { &overlay } else { &base };
        for error in validator.iter_errors(&value) {
            problems.push(format!(
                "{}: {error} at {}",
                file.display(),
                error.instance_path
            ));
        }
    }
    problems
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let broken_on_purpose = name == "cases"
                || (name == "fail" && path.starts_with(root().join("tests/checks")));
            // bench/run's generated projects (git-ignored): 10,000 components are past the
            // test's YAML reader's node budget.
            let generated = path == root().join("bench/out");
            if !matches!(name.as_str(), "target" | ".git" | ".venv" | "fuzz")
                && !broken_on_purpose
                && !generated
            {
                collect(&path, out);
            }
        } else if name == "platform.yaml"
            || (path.parent().is_some_and(|p| p.ends_with("overlays")) && name.ends_with(".yaml"))
        {
            out.push(path);
        }
    }
}

#[test]
fn the_editor_schemas_accept_every_spec_and_overlay_of_the_repository() {
    let problems = editor_schema_problems(&root());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_overlay_schema_takes_partial_overlays_nulls_and_extends_and_still_refuses_typos() {
    let overlay = Validator::new(&printed_schema(true)).unwrap();
    let ok = serde_json::json!({
        "extends": "prod",
        "namespace": "shop-eu",
        "components": { "api": { "replicas": 3 }, "worker": null },
        "config": { "shop": { "log-level": null } }
    });
    let errors: Vec<String> = overlay.iter_errors(&ok).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let typo = serde_json::json!({ "components": { "api": { "replcas": 3 } } });
    assert!(!overlay.is_valid(&typo), "a misspelled key is refused");
    let wrong = serde_json::json!({ "components": { "api": { "replicas": "three" } } });
    assert!(!overlay.is_valid(&wrong), "a wrong type is refused");
    // The base schema still wants what a platform must have.
    let base = Validator::new(&printed_schema(false)).unwrap();
    assert!(!base.is_valid(&serde_json::json!({ "namespace": "x" })));
    assert!(!base.is_valid(&serde_json::json!({ "platform": "x", "extends": "prod" })));
}

#[test]
fn the_committed_schemas_are_what_wfk_schema_prints() {
    for (file, overlay) in [
        (".wfk/platform.schema.json", false),
        (".wfk/overlay.schema.json", true),
    ] {
        let committed: Value =
            serde_json::from_str(&std::fs::read_to_string(root().join(file)).unwrap()).unwrap();
        assert_eq!(
            committed,
            printed_schema(overlay),
            "{file} is stale: run `wfk schema{} > {file}`",
            if overlay { " --overlay" } else { "" }
        );
    }
}

// 3. The Argo CD plugin, run the way Argo CD runs it.

/// The plugin's discovery file and its generate command (`command` + `args`).
fn plugin() -> (String, Vec<String>) {
    let text = std::fs::read_to_string(root().join("argocd/plugin.yaml")).unwrap();
    let plugin: Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(
        (plugin["apiVersion"].as_str(), plugin["kind"].as_str()),
        (Some("argoproj.io/v1alpha1"), Some("ConfigManagementPlugin"))
    );
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let mut command = strings(&plugin["spec"]["generate"]["command"]);
    command.extend(strings(&plugin["spec"]["generate"]["args"]));
    (
        plugin["spec"]["discover"]["fileName"]
            .as_str()
            .unwrap()
            .to_string(),
        command,
    )
}

/// Runs the generate command in `app` (the application's path) with the `ARGOCD_ENV_`
/// variables set, and the wfk under test first on PATH.
fn generate(app: &Path, env: Option<&str>) -> (Option<i32>, String, String) {
    let (_, command) = plugin();
    let bin = Path::new(env!("CARGO_BIN_EXE_wfk")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut run = Command::new(&command[0]);
    run.args(&command[1..])
        .current_dir(app)
        .env_clear()
        .env("PATH", path)
        .env("ARGOCD_APP_NAME", "gorax-prod")
        .env("ARGOCD_APP_NAMESPACE", "argocd")
        .env(
            "ARGOCD_APP_REVISION",
            "0123456789abcdef0123456789abcdef01234567",
        )
        .env("ARGOCD_APP_SOURCE_PATH", ".")
        .env(
            "ARGOCD_APP_SOURCE_REPO_URL",
            "https://git.example.com/gorax.git",
        )
        .env("KUBE_VERSION", "1.33");
    if let Some(env) = env {
        run.env("ARGOCD_ENV_WFK_ENV", env);
    }
    let out = run.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_argo_cd_plugin_generates_exactly_the_render() {
    let (discover, _) = plugin();
    assert!(
        root().join(&discover).is_file(),
        "the plugin discovers a project by `{discover}`, which the reference platform has"
    );
    for env in ["dev", "prod"] {
        let (status, stdout, stderr) = generate(&root(), Some(env));
        assert_eq!((status, stderr.as_str()), (Some(0), ""), "{env}");
        assert_eq!(
            stdout,
            crate::render_support::render(&root(), env),
            "the plugin's output is `wfk render {env}`"
        );
    }
}

#[test]
fn a_broken_plugin_run_prints_nothing_and_fails() {
    for env in [Some("nope"), None] {
        let (status, stdout, stderr) = generate(&root(), env);
        assert_eq!((status, stdout.as_str()), (Some(2), ""), "{env:?}");
        assert!(stderr.starts_with("error"), "{stderr}");
    }
    // A spec error too: Argo CD must not sync half a platform.
    let test = Test::new()
        .file(
            "platform.yaml",
            "platform: shop\ncomponents:\n  api: { image: a:1, replcas: 2 }\n",
        )
        .file("overlays/prod.yaml", "");
    let (status, stdout, stderr) = generate(test.path(), Some("prod"));
    assert_eq!((status, stdout.as_str()), (Some(2), ""));
    assert!(stderr.contains("error[unknown-key]"), "{stderr}");
}

#[test]
fn the_argo_cd_sidecar_is_a_restricted_container_that_mounts_the_plugin() {
    let text = std::fs::read_to_string(root().join("argocd/sidecar.yaml")).unwrap();
    let container: k8s_openapi::api::core::v1::Container = serde_saphyr::from_str(&text).unwrap();
    let security = container.security_context.as_ref().unwrap();
    assert_eq!(
        (
            security.run_as_user,
            security.run_as_non_root,
            security.allow_privilege_escalation
        ),
        (Some(999), Some(true), Some(false))
    );
    let mounts = container.volume_mounts.unwrap();
    assert!(
        mounts
            .iter()
            .any(|m| m.mount_path == "/home/argocd/cmp-server/config/plugin.yaml"),
        "the plugin config is mounted where the CMP server reads it"
    );
    assert_eq!(
        container.command.unwrap(),
        ["/var/run/argocd/argocd-cmp-server"]
    );
}

// 4. kubectl and Helm habits.

#[test]
fn n_deploys_to_another_namespace() {
    let out = crate::render_support::wfk_ok(&root(), &["render", "prod", "-n", "gorax-canary"]);
    let docs: Vec<Value> = serde_saphyr::from_multiple(&out).unwrap();
    assert!(docs.len() > 10);
    for doc in &docs {
        match doc["kind"].as_str().unwrap() {
            "Namespace" => assert_eq!(doc["metadata"]["name"], "gorax-canary"),
            "StorageClass" => {}
            _ => assert_eq!(
                doc["metadata"]["namespace"], "gorax-canary",
                "{}",
                doc["metadata"]["name"]
            ),
        }
    }
    let run = crate::render_support::wfk(&root(), &["render", "prod", "-n", "Bad_NS"]);
    assert_eq!((run.status, run.stdout.as_str()), (Some(1), ""));
    assert!(
        run.stderr
            .contains("error[invalid-name]: invalid Namespace name `Bad_NS`"),
        "{}",
        run.stderr
    );
}

#[test]
fn color_is_chosen_by_the_flag() {
    let broken = || {
        Test::new()
            .file(
                "platform.yaml",
                "platform: shop\ncomponents:\n  api: { image: a:1, replcas: 2 }\n",
            )
            .file("overlays/dev.yaml", "")
    };
    let always = broken()
        .args(["--color", "always", "render", "dev"])
        .output();
    assert_eq!(always.status, Some(2));
    assert!(
        always.stderr.contains("\u{1b}["),
        "colour: {:?}",
        always.stderr
    );
    let never = broken()
        .args(["--color", "never", "render", "dev"])
        .output();
    assert_eq!(never.status, Some(2));
    assert!(!never.stderr.contains('\u{1b}'), "{:?}", never.stderr);
}

/// A project with a warning (a component nothing reaches) and a note (an unpinned image).
fn warned() -> Test {
    Test::new()
        .file(
            "platform.yaml",
            "platform: shop\ndefaults: { resources: { cpu: 100m/500m, memory: 128Mi/256Mi } }\ncomponents:\n  api:\n    image: shop/api:1.0.0\n    replicas: 2\n    ports: { http: 8080 }\n    probes: { liveness: /, readiness: / }\n",
        )
        .file("overlays/dev.yaml", "")
}

#[test]
fn quiet_keeps_errors_only_and_verbose_shows_notes() {
    let normal = warned().args(["validate"]).output();
    assert_eq!(normal.status, Some(0));
    assert!(
        normal.stderr.contains("warning[isolated-component]"),
        "{}",
        normal.stderr
    );
    assert!(
        !normal.stderr.contains("image-without-digest"),
        "{}",
        normal.stderr
    );
    assert!(
        normal.stderr.ends_with("(-v shows them)\n"),
        "{}",
        normal.stderr
    );
    warned().args(["-q", "validate"]).run();
    let verbose = warned().args(["-v", "validate"]).output();
    assert_eq!(verbose.status, Some(0));
    assert!(
        verbose.stderr.contains("info[image-without-digest]")
            || verbose.stderr.contains("note[image-without-digest]"),
        "{}",
        verbose.stderr
    );
    // Errors still show under -q.
    let out = warned()
        .args(["-q", "validate", "--set", "components.api.replicas=-1"])
        .output();
    assert_eq!((out.status, out.stdout.as_str()), (Some(2), ""));
    assert!(
        out.stderr.contains("error[type-mismatch]") && !out.stderr.contains("warning["),
        "{}",
        out.stderr
    );
}

#[test]
fn envs_and_explain_speak_json() {
    let out = crate::render_support::wfk_ok(&root(), &["envs", "--format", "json"]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({ "version": 1, "environments": [
            { "name": "dev", "extends": null },
            { "name": "prod", "extends": null },
            { "name": "staging", "extends": null },
        ] })
    );
    let out = crate::render_support::wfk_ok(
        &root(),
        &[
            "explain",
            "prod",
            "components.api.replicas",
            "--format",
            "json",
            "--set",
            "components.api.replicas=5",
        ],
    );
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["state"], "set");
    assert_eq!(doc["value"], 5);
    assert_eq!(doc["at"]["file"], "--set");
    let files: Vec<&str> = doc["overrides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["at"]["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["overlays/prod.yaml", "platform.yaml"]);
    // The text form says the same lines.
    let text =
        crate::render_support::wfk_ok(&root(), &["explain", "prod", "components.api.replicas"]);
    for o in doc["overrides"].as_array().unwrap() {
        let at = format!(
            "{}:{}:{}",
            o["at"]["file"].as_str().unwrap(),
            o["at"]["line"],
            o["at"]["column"]
        );
        assert!(text.contains(&at), "{at} in {text}");
    }
}

#[test]
fn version_names_the_commit() {
    let out = Test::new().args(["version"]).output();
    assert_eq!((out.status, out.stderr.as_str()), (Some(0), ""));
    let line = out.stdout.trim_end();
    let expected_start = format!("wfk {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(
        line.starts_with(&expected_start) && line.ends_with(')'),
        "{line}"
    );
    let commit = &line[expected_start.len()..line.len() - 1];
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{commit}"
    );
}
