//! CI integrations: `validate --format sarif` (checked against the OASIS SARIF 2.1.0 schema),
//! `--format gitlab` (GitLab Code Quality), the GitHub Action in action.yml (its steps run
//! with bash as the runner would) and the pre-commit hook in .pre-commit-hooks.yaml.
//!
//! These runs need a project folder relative to the working directory (`--dir deploy`, as
//! in a repository), which the `Test` builder does not give, so they use [`wfk_at`]; every
//! test still compares exit code, stdout and stderr.

use crate::support::TempDir;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use wfk::check::CHECKS;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What one run printed.
#[derive(Debug)]
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `wfk ARGS…` with `cwd` as the working directory.
fn wfk_at(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_wfk"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run wfk: {e}"));
    Run {
        status: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// PATH with the built wfk's folder first.
fn path_with_wfk() -> Vec<PathBuf> {
    let bin = Path::new(env!("CARGO_BIN_EXE_wfk")).parent().unwrap();
    let mut dirs = vec![bin.to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    dirs
}

/// Writes `files` into `dir`, creating folders.
fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Copies a fixture of tests/checks into `dir` (without its `expected` file).
fn copy_fixture(fixture: &str, dir: &Path) {
    let from = root().join("tests/checks").join(fixture);
    for rel in ["platform.yaml", "overlays/dev.yaml"] {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::copy(from.join(rel), path).unwrap();
    }
}

/// Two environments; an error in platform.yaml, warnings in platform.yaml and in an
/// overlay, a note (hidden from CI formats), and a finding at a `--set` value ([`SET`]).
const MIXED: &[(&str, &str)] = &[
    (
        "platform.yaml",
        "platform: shop

defaults:
  resources: { cpu: 100m/500m, memory: 128Mi/256Mi }

components:
  api:
    image: shop/api:latest
    ports: { metrics-exporter: 9100 }
    probes: { liveness: /health/live, readiness: /health/ready }
",
    ),
    ("overlays/dev.yaml", "# dev: no changes\n"),
    (
        "overlays/prod.yaml",
        "components:\n  api: { image: shop/api }\n",
    ),
];

/// A literal secret set on the command line: a finding with no file. Its value must never
/// be printed.
const SET: &str = "components.api.env.API_KEY=s3cr3t-from-ci";

/// `(code, file, line, col, environments)` of every error and warning of `--format json`,
/// in order; the environments joined by `, `.
fn json_findings(stdout: &str) -> Vec<(String, String, u64, u64, String)> {
    let doc: Value = serde_json::from_str(stdout).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                joined(&f["environments"]),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// SARIF

fn sarif_validator() -> jsonschema::Validator {
    let path = root().join("tests/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["$schema"], "http://json-schema.org/draft-04/schema#",
        "the SARIF schema is draft-04"
    );
    jsonschema::draft4::new(&schema)
        .unwrap_or_else(|e| panic!("the SARIF schema does not compile as draft-04: {e}"))
}

/// Every schema error of `log`, as `/instance/path: message`.
fn sarif_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

/// The one run of a log, its results and rules, after checking what every log must have.
fn sarif_run(stdout: &str) -> (Vec<Value>, Vec<Value>) {
    assert!(stdout.ends_with("}\n"), "{stdout}");
    let log: Value = serde_json::from_str(stdout).unwrap();
    let errors = sarif_errors(&sarif_validator(), &log);
    assert!(errors.is_empty(), "not SARIF 2.1.0: {errors:#?}\n{stdout}");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "wfk");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(runs[0]["columnKind"], "unicodeCodePoints");
    let results = runs[0]["results"].as_array().unwrap().clone();
    let rules = driver["rules"].as_array().unwrap().clone();
    assert_rules_cover(&results, &rules);
    (results, rules)
}

/// One rule per ruleId that appears, `ruleIndex` pointing at it, and a check's rule holding
/// its documentation.
fn assert_rules_cover(results: &[Value], rules: &[Value]) {
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let used: BTreeSet<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.iter().copied().collect::<BTreeSet<_>>(), used);
    assert_eq!(ids.len(), used.len(), "a rule twice: {ids:?}");
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        for key in ["shortDescription", "fullDescription", "help"] {
            let text = rule[key]["text"].as_str().unwrap_or("");
            assert!(!text.is_empty(), "rule `{id}` has no {key}: {rule}");
        }
        assert!(!rule["help"]["markdown"].as_str().unwrap_or("").is_empty());
        let Some(check) = CHECKS.iter().find(|c| c.code == id) else {
            assert_eq!(rule["defaultConfiguration"]["level"], "error", "{rule}");
            continue;
        };
        let one_line = |part: &str| {
            let text = check.doc(part).unwrap();
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        assert_eq!(rule["shortDescription"]["text"], one_line("What it checks"));
        assert_eq!(rule["fullDescription"]["text"], one_line("Why"));
        let markdown = rule["help"]["markdown"].as_str().unwrap();
        for part in ["Why", "Example", "Fix"] {
            assert!(
                markdown.contains(&check.doc(part).unwrap()),
                "`{id}` help lacks {part}: {markdown}"
            );
        }
        let level = match check.severity {
            wfk::diagnostic::Severity::Error => "error",
            wfk::diagnostic::Severity::Warning => "warning",
            wfk::diagnostic::Severity::Info => "note",
        };
        assert_eq!(rule["defaultConfiguration"]["level"], level, "{id}");
    }
}

/// The strings of a JSON array joined by `, `.
fn joined(list: &Value) -> String {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(ruleId, uri, line, col, environments)` of a result with a file.
fn sarif_position(result: &Value) -> (String, String, u64, u64, String) {
    let physical = &result["locations"][0]["physicalLocation"];
    (
        result["ruleId"].as_str().unwrap().to_string(),
        physical["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_string(),
        physical["region"]["startLine"].as_u64().unwrap(),
        physical["region"]["startColumn"].as_u64().unwrap(),
        joined(&result["properties"]["environments"]),
    )
}

#[test]
fn sarif_is_valid_and_puts_each_finding_at_its_spec_position_in_the_repository() {
    let repo = TempDir::new();
    write_files(&repo.path().join("deploy"), MIXED);
    let args = ["--dir", "deploy", "validate", "--set", SET];
    let sarif = wfk_at(repo.path(), &[&args[..], &["--format", "sarif"]].concat());
    let json = wfk_at(repo.path(), &[&args[..], &["--format", "json"]].concat());
    assert_eq!((sarif.status, sarif.stderr.as_str()), (Some(1), ""));
    assert_eq!((json.status, json.stderr.as_str()), (Some(1), ""));
    assert!(!sarif.stdout.contains("s3cr3t-from-ci"), "{}", sarif.stdout);
    let (results, _) = sarif_run(&sarif.stdout);

    // The same findings as json (errors and warnings), in order, at the same positions;
    // the file relative to the repository under %SRCROOT%.
    let expected = json_findings(&json.stdout);
    assert_eq!(results.len(), expected.len());
    let mut with_file = Vec::new();
    for (result, (code, file, line, col, env)) in results.iter().zip(&expected) {
        assert_eq!(result["ruleId"], code.as_str());
        assert!(
            result["message"]["text"]
                .as_str()
                .unwrap()
                .contains(&match env.split_once(", ") {
                    None => format!("(environment `{env}`)"),
                    Some(_) => format!("(environments `{}`)", env.replace(", ", "`, `")),
                }),
            "{result}"
        );
        if file == "--set" {
            let location = &result["locations"][0];
            assert_eq!(location.get("physicalLocation"), None, "{result}");
            assert_eq!(
                location["logicalLocations"][0]["fullyQualifiedName"],
                "--set components.api.env.API_KEY"
            );
            continue;
        }
        let location = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(location["uriBaseId"], "%SRCROOT%");
        assert_eq!(
            sarif_position(result),
            (
                code.clone(),
                format!("deploy/{file}"),
                *line,
                *col,
                env.clone()
            )
        );
        with_file.push(sarif_position(result));
    }
    // Pinned by hand, so a shared mistake in json and sarif cannot hide.
    let at = |code: &str, file: &str, line: u64, col: u64, env: &str| {
        (
            code.to_string(),
            file.to_string(),
            line,
            col,
            env.to_string(),
        )
    };
    for expected in [
        at(
            "invalid-port-name",
            "deploy/platform.yaml",
            9,
            14,
            "dev, prod",
        ),
        at("image-latest", "deploy/platform.yaml", 8, 12, "dev"),
        at("image-latest", "deploy/overlays/prod.yaml", 2, 17, "prod"),
    ] {
        assert!(
            with_file.contains(&expected),
            "{expected:?} in {with_file:#?}"
        );
    }
    let levels: BTreeSet<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, BTreeSet::from(["error", "warning"]));
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "secret-in-literal" && r["level"] == "warning")
    );
}

#[test]
fn sarif_schema_check_catches_a_broken_log() {
    let repo = TempDir::new();
    write_files(repo.path(), MIXED);
    let run = wfk_at(repo.path(), &["validate", "--format", "sarif"]);
    assert_eq!((run.status, run.stderr.as_str()), (Some(1), ""));
    let good: Value = serde_json::from_str(&run.stdout).unwrap();
    // With `--dir .` the uri is the bare file name.
    assert_eq!(
        good["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"],
        serde_json::json!({ "uri": "platform.yaml", "uriBaseId": "%SRCROOT%" })
    );
    let validator = sarif_validator();
    assert_eq!(sarif_errors(&validator, &good), Vec::<String>::new());
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut log = good.clone();
        edit(&mut log);
        sarif_errors(&validator, &log)
    };
    assert!(!broken(&|l| l["version"] = "2.0.0".into()).is_empty());
    assert!(!broken(&|l| l["runs"][0]["results"][0]["level"] = "fatal".into()).is_empty());
    assert!(
        !broken(&|l| l["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
            ["startLine"] = 0.into())
        .is_empty()
    );
}

#[test]
fn sarif_of_an_absolute_dir_uses_file_uris() {
    let repo = TempDir::new();
    copy_fixture("invalid-port-name/fail", repo.path());
    let dir = repo.path().to_str().unwrap();
    let run = wfk_at(
        Path::new("/"),
        &["--dir", dir, "validate", "--format", "sarif"],
    );
    assert_eq!((run.status, run.stderr.as_str()), (Some(1), ""));
    let (results, _) = sarif_run(&run.stdout);
    assert_eq!(results.len(), 1);
    let artifact = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        *artifact,
        serde_json::json!({ "uri": format!("file://{dir}/platform.yaml") }),
        "{}",
        run.stdout
    );
}

#[test]
fn sarif_of_a_platform_with_only_notes_has_no_results() {
    let example = root().join("examples/ai-workflow-engine");
    let run = wfk_at(&example, &["validate", "--format", "sarif"]);
    assert_eq!((run.status, run.stderr.as_str()), (Some(0), ""));
    let (results, rules) = sarif_run(&run.stdout);
    assert_eq!((results.len(), rules.len()), (0, 0), "{}", run.stdout);
    // It has notes (see --format json); they stay out of SARIF as out of text and github.
    let json = wfk_at(&example, &["validate", "--format", "json"]);
    assert_eq!((json.status, json.stderr.as_str()), (Some(0), ""));
    assert!(json.stdout.contains("\"severity\": \"info\""));
}

#[test]
fn sarif_reports_input_errors_as_results_and_exits_2() {
    let repo = TempDir::new();
    write_files(
        &repo.path().join("deploy"),
        &[
            (
                "platform.yaml",
                "platform: shop\ncomponents:\n  api:\n    image: shop/api:v1\n    replica: 2\n",
            ),
            ("overlays/dev.yaml", ""),
        ],
    );
    let run = wfk_at(
        repo.path(),
        &["--dir", "deploy", "validate", "--format", "sarif"],
    );
    assert_eq!((run.status, run.stderr.as_str()), (Some(2), ""));
    let (results, rules) = sarif_run(&run.stdout);
    assert_eq!(results.len(), 1);
    assert_eq!(
        sarif_position(&results[0]),
        (
            "unknown-key".to_string(),
            "deploy/platform.yaml".to_string(),
            5,
            5,
            "dev".to_string()
        )
    );
    assert_eq!(results[0]["level"], "error");
    assert!(
        results[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("unknown key `replica` in component `api` (environment `dev`)\nhelp: did you mean `replicas`?")
    );
    assert_eq!(rules[0]["id"], "unknown-key");
}

#[test]
fn a_project_whose_environments_cannot_be_listed_still_gets_a_ci_document() {
    let repo = TempDir::new();
    copy_fixture("invalid-port-name/pass", &repo.path().join("deploy"));
    write_files(
        &repo.path().join("deploy"),
        &[("overlays/Bad_Name.yaml", "")],
    );
    let message = "overlay `overlays/Bad_Name.yaml` does not name a valid environment";

    let sarif = wfk_at(
        repo.path(),
        &["--dir", "deploy", "validate", "--format", "sarif"],
    );
    assert_eq!((sarif.status, sarif.stderr.as_str()), (Some(2), ""));
    let (results, _) = sarif_run(&sarif.stdout);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "invalid-env-name");
    assert_eq!(results[0].get("locations"), None, "it has no position");
    assert!(
        results[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{message}\nhelp: rename the file"))
    );

    let gitlab = wfk_at(
        repo.path(),
        &["--dir", "deploy", "validate", "--format", "gitlab"],
    );
    assert_eq!((gitlab.status, gitlab.stderr.as_str()), (Some(2), ""));
    let issues: Vec<_> = gitlab_issues(&gitlab.stdout)
        .iter()
        .map(gitlab_summary)
        .collect();
    assert_eq!(
        issues,
        [(
            "invalid-env-name".to_string(),
            "critical".to_string(),
            "deploy/platform.yaml".to_string(),
            1,
            message.to_string()
        )]
    );
}

#[test]
fn sarif_exit_codes_follow_deny_warnings() {
    let repo = TempDir::new();
    copy_fixture("image-latest/fail", repo.path());
    for (deny, status) in [(false, 0), (true, 1)] {
        let mut args = vec!["validate", "--format", "sarif"];
        if deny {
            args.extend(["--deny", "warnings"]);
        }
        let run = wfk_at(repo.path(), &args);
        assert_eq!((run.status, run.stderr.as_str()), (Some(status), ""));
        let (results, _) = sarif_run(&run.stdout);
        assert_eq!(results.len(), 1);
        assert_eq!(
            (&results[0]["ruleId"], &results[0]["level"]),
            (&Value::from("image-latest"), &Value::from("warning"))
        );
    }
}

// ---------------------------------------------------------------------------------------
// GitLab Code Quality

/// Parses a Code Quality report strictly: exactly the documented keys and types.
fn gitlab_issues(stdout: &str) -> Vec<Map<String, Value>> {
    assert!(stdout.ends_with("]\n"), "{stdout}");
    let doc: Value = serde_json::from_str(stdout).unwrap();
    let mut fingerprints = BTreeSet::new();
    doc.as_array()
        .unwrap()
        .iter()
        .map(|issue| {
            let issue = issue.as_object().unwrap();
            let keys: BTreeSet<&str> = issue.keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from([
                    "description",
                    "check_name",
                    "fingerprint",
                    "severity",
                    "location"
                ])
            );
            assert!(!issue["description"].as_str().unwrap().is_empty());
            assert!(!issue["check_name"].as_str().unwrap().is_empty());
            let fingerprint = issue["fingerprint"].as_str().unwrap();
            assert!(
                fingerprint.len() == 64 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
                "{fingerprint}"
            );
            assert!(
                fingerprints.insert(fingerprint.to_string()),
                "a fingerprint twice"
            );
            assert!(
                ["info", "minor", "major", "critical", "blocker"]
                    .contains(&issue["severity"].as_str().unwrap())
            );
            let location = issue["location"].as_object().unwrap();
            assert_eq!(location.keys().collect::<Vec<_>>(), ["lines", "path"]);
            assert!(!location["path"].as_str().unwrap().is_empty());
            let lines = location["lines"].as_object().unwrap();
            assert_eq!(lines.keys().collect::<Vec<_>>(), ["begin"]);
            assert!(lines["begin"].as_u64().unwrap() >= 1);
            issue.clone()
        })
        .collect()
}

/// `(check_name, severity, path, begin, description)` of an issue.
fn gitlab_summary(issue: &Map<String, Value>) -> (String, String, String, u64, String) {
    (
        issue["check_name"].as_str().unwrap().to_string(),
        issue["severity"].as_str().unwrap().to_string(),
        issue["location"]["path"].as_str().unwrap().to_string(),
        issue["location"]["lines"]["begin"].as_u64().unwrap(),
        issue["description"].as_str().unwrap().to_string(),
    )
}

#[test]
fn gitlab_report_has_the_documented_shape_and_one_issue_per_finding() {
    let repo = TempDir::new();
    write_files(&repo.path().join("deploy"), MIXED);
    let args = [
        "--dir", "deploy", "validate", "--set", SET, "--format", "gitlab",
    ];
    let run = wfk_at(repo.path(), &args);
    assert_eq!((run.status, run.stderr.as_str()), (Some(1), ""));
    assert!(!run.stdout.contains("s3cr3t-from-ci"), "{}", run.stdout);
    let issues: Vec<_> = gitlab_issues(&run.stdout)
        .iter()
        .map(gitlab_summary)
        .collect();
    let issue = |code: &str, severity: &str, path: &str, line: u64, description: &str| {
        (
            code.to_string(),
            severity.to_string(),
            path.to_string(),
            line,
            description.to_string(),
        )
    };
    assert_eq!(
        issues,
        [
            issue(
                "isolated-component",
                "minor",
                "deploy/platform.yaml",
                7,
                "component `api` has no network path: nothing uses it and it uses nothing (environments: dev, prod)"
            ),
            issue(
                "image-latest",
                "minor",
                "deploy/platform.yaml",
                8,
                "image `shop/api:latest` is not pinned to a version (environment: dev)"
            ),
            issue(
                "invalid-port-name",
                "critical",
                "deploy/platform.yaml",
                9,
                "invalid port name `metrics-exporter`: must be no more than 15 characters (environments: dev, prod)"
            ),
            issue(
                "secret-in-literal",
                "minor",
                "deploy/platform.yaml",
                1,
                "`API_KEY` looks like a secret but its value is written in the spec (set by `--set components.api.env.API_KEY`) (environments: dev, prod)"
            ),
            issue(
                "image-latest",
                "minor",
                "deploy/overlays/prod.yaml",
                2,
                "image `shop/api` is not pinned to a version (environment: prod)"
            ),
        ]
    );
}

#[test]
fn gitlab_fingerprints_are_stable_across_runs_and_environments() {
    let repo = TempDir::new();
    write_files(&repo.path().join("deploy"), MIXED);
    let fingerprints = |envs: &[&str]| {
        let args = [
            &["--dir", "deploy", "validate"][..],
            envs,
            &["--set", SET, "--format", "gitlab"],
        ]
        .concat();
        let run = wfk_at(repo.path(), &args);
        assert_eq!((run.status, run.stderr.as_str()), (Some(1), ""));
        gitlab_issues(&run.stdout)
            .iter()
            .map(|i| {
                (
                    i["check_name"].as_str().unwrap().to_string(),
                    i["location"]["lines"]["begin"].as_u64().unwrap(),
                    i["fingerprint"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let first = fingerprints(&[]);
    assert_eq!(first, fingerprints(&[]), "two runs differ");
    // Checking one environment keeps the fingerprints of what it shares with the others.
    let dev = fingerprints(&["dev"]);
    assert_eq!(dev.len(), 4);
    for issue in &dev {
        assert!(first.contains(issue), "{issue:?} not in {first:#?}");
    }
    // A different position is a different finding.
    write_files(
        &repo.path().join("deploy"),
        &[("platform.yaml", &format!("# moved\n{}", MIXED[0].1))],
    );
    let moved = fingerprints(&[]);
    assert_eq!(moved.len(), first.len());
    for ((code, line, fingerprint), (code_moved, line_moved, fingerprint_moved)) in
        first.iter().zip(&moved)
    {
        assert_eq!(code, code_moved);
        if line != line_moved {
            assert_ne!(fingerprint, fingerprint_moved, "{code}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// The GitHub Action, run as the runner runs a composite action's steps.

/// What a simulated run of action.yml left behind.
struct ActionRun {
    status: i32,
    stdout: String,
    stderr: String,
    /// `name=value` lines the validate step wrote to `$GITHUB_OUTPUT`.
    output: String,
    summary: String,
}

/// Replaces the `${{ … }}` expressions the action may use: `inputs.<name>`,
/// `github.action_path` and `github.workspace`. Any other expression fails the test.
fn expand(text: &str, inputs: &Map<String, Value>, workspace: &Path) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("an unclosed expression") + start;
        let expression = rest[start + 3..end].trim();
        let value = if let Some(name) = expression.strip_prefix("inputs.") {
            inputs
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("no input `{name}`"))
                .to_string()
        } else if expression == "github.action_path" {
            root().to_str().unwrap().to_string()
        } else if expression == "github.workspace" {
            workspace.to_str().unwrap().to_string()
        } else {
            panic!("the simulation does not know `{expression}`");
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn action() -> Value {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("action.yml: {e}"))
}

/// Runs the steps of action.yml in `workspace` with `given` inputs, each step's `run` with
/// `bash --noprofile --norc -eo pipefail` (the runner's `shell: bash`), the built wfk first
/// on PATH, until a step fails.
fn run_action(workspace: &Path, given: &[(&str, &str)]) -> ActionRun {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    let declared = action["inputs"].as_object().unwrap();
    let mut inputs = Map::new();
    for (name, input) in declared {
        let default = input.get("default").and_then(Value::as_str).unwrap_or("");
        inputs.insert(name.clone(), Value::from(default));
    }
    for (name, value) in given {
        assert!(
            declared.contains_key(*name),
            "action.yml has no input `{name}`"
        );
        inputs.insert(name.to_string(), Value::from(*value));
    }
    let runner = TempDir::new();
    let file = |name: &str| {
        let path = runner.path().join(name);
        std::fs::write(&path, "").unwrap();
        path
    };
    let (summary, github_path) = (file("step_summary"), file("path"));
    let mut path_dirs = path_with_wfk();
    let (mut stdout, mut stderr, mut output) = (String::new(), String::new(), String::new());
    for (i, step) in action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(step["shell"], "bash", "step {i}");
        assert_eq!(step.get("if"), None, "the simulation runs every step");
        let script = step["run"].as_str().unwrap();
        assert!(
            !script.contains("${{"),
            "step {i}: inputs reach `run` through `env`, never spliced into the script"
        );
        let script_path = runner.path().join(format!("step{i}.sh"));
        std::fs::write(&script_path, script).unwrap();
        let step_output = file(&format!("output{i}"));
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_path)
            .current_dir(workspace)
            .env("PATH", std::env::join_paths(&path_dirs).unwrap())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", root())
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_OUTPUT", &step_output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_PATH", &github_path)
            .env("RUNNER_TEMP", runner.path())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .stdin(Stdio::null());
        if let Some(env) = step.get("env").and_then(Value::as_object) {
            for (name, value) in env {
                command.env(name, expand(value.as_str().unwrap(), &inputs, workspace));
            }
        }
        let result = command.output().unwrap();
        stdout.push_str(&String::from_utf8(result.stdout).unwrap());
        stderr.push_str(&String::from_utf8(result.stderr).unwrap());
        if step.get("id").and_then(Value::as_str) == Some("validate") {
            output = std::fs::read_to_string(&step_output).unwrap();
        }
        // Later steps see what a step added to $GITHUB_PATH first.
        let added = std::fs::read_to_string(&github_path).unwrap();
        for dir in added.lines().rev() {
            path_dirs.insert(0, PathBuf::from(dir));
        }
        std::fs::write(&github_path, "").unwrap();
        let status = result.status.code().unwrap();
        if status != 0 {
            return ActionRun {
                status,
                stdout,
                stderr,
                output,
                summary: std::fs::read_to_string(&summary).unwrap(),
            };
        }
    }
    ActionRun {
        status: 0,
        stdout,
        stderr,
        output,
        summary: std::fs::read_to_string(&summary).unwrap(),
    }
}

const USING: &str = concat!("using wfk ", env!("CARGO_PKG_VERSION"), " from PATH\n");

#[test]
fn github_action_annotates_the_spec_line_fails_and_writes_sarif() {
    let workspace = TempDir::new();
    copy_fixture("invalid-port-name/fail", &workspace.path().join("deploy"));
    let run = run_action(
        workspace.path(),
        &[("dir", "deploy"), ("sarif", "wfk.sarif")],
    );
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "{USING}::error file=deploy/platform.yaml,line=10,col=14,title=wfk invalid-port-name (dev)::invalid port name `metrics-exporter`: must be no more than 15 characters%0Ahelp: use at most 15 lowercase letters, digits and `-`, with at least one letter\n"
        )
    );
    assert_eq!(run.stderr, "");
    assert_eq!(run.output, "sarif=wfk.sarif\n");
    // The job summary holds the text report, as `wfk validate` prints it.
    let text = wfk_at(workspace.path(), &["--dir", "deploy", "validate"]);
    assert_eq!((text.status, text.stdout.as_str()), (Some(1), ""));
    assert_eq!(
        run.summary,
        format!("### wfk validate\n```text\n{}```\n", text.stderr)
    );
    assert!(run.summary.contains("error[invalid-port-name]"));
    let sarif = std::fs::read_to_string(workspace.path().join("wfk.sarif")).unwrap();
    let (results, _) = sarif_run(&sarif);
    assert_eq!(
        results.iter().map(sarif_position).collect::<Vec<_>>(),
        [(
            "invalid-port-name".to_string(),
            "deploy/platform.yaml".to_string(),
            10,
            14,
            "dev".to_string()
        )]
    );
}

#[test]
fn github_action_passes_a_clean_project_and_denies_warnings_when_asked() {
    let workspace = TempDir::new();
    copy_fixture("invalid-port-name/pass", workspace.path());
    let clean = run_action(workspace.path(), &[("deny", "warnings")]);
    assert_eq!(
        (clean.status, clean.stdout.as_str(), clean.stderr.as_str()),
        (0, USING, "")
    );
    assert_eq!(clean.output, "");
    assert!(
        clean
            .summary
            .contains("checked 1 environment (dev): 0 errors, 0 warnings\n"),
        "{}",
        clean.summary
    );

    let warned = TempDir::new();
    copy_fixture("image-latest/fail", &warned.path().join("deploy"));
    let annotation = "::warning file=deploy/platform.yaml,line=9,col=12,title=wfk image-latest (dev)::image `shop/api:latest` is not pinned to a version%0Ahelp: use a version tag such as `:v1.2.3`, or a digest\n";
    for (deny, status) in [("", 0), ("warnings", 1)] {
        let run = run_action(
            warned.path(),
            &[("dir", "deploy"), ("envs", "dev"), ("deny", deny)],
        );
        assert_eq!(
            (run.status, run.stdout, run.stderr.as_str()),
            (status, format!("{USING}{annotation}"), ""),
            "deny: {deny:?}"
        );
    }
}

#[test]
fn github_action_refuses_an_unknown_install_mode_and_an_unknown_environment() {
    let workspace = TempDir::new();
    copy_fixture("invalid-port-name/pass", workspace.path());
    let run = run_action(workspace.path(), &[("install", "sometimes")]);
    assert_eq!(
        (run.status, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "::error title=wfk::install must be auto, always or never, not `sometimes`\n",
            ""
        )
    );
    let run = run_action(workspace.path(), &[("envs", "staging")]);
    assert_eq!(run.status, 2, "{}", run.stdout);
    assert!(
        run.stdout.starts_with(USING) && run.stdout.contains("::error"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "");
}

// ---------------------------------------------------------------------------------------
// pre-commit

fn hook() -> Map<String, Value> {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Vec<Map<String, Value>> =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!(".pre-commit-hooks.yaml: {e}"));
    assert_eq!(hooks.len(), 1);
    hooks.into_iter().next().unwrap()
}

/// Runs the hook's entry as pre-commit does with `pass_filenames: false`: split like a
/// shell word list, run at the repository root, no file names after it.
fn run_hook(repo: &Path) -> Run {
    let hook = hook();
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
    let dirs = path_with_wfk();
    let output = Command::new(entry[0])
        .args(&entry[1..])
        .current_dir(repo)
        .env("PATH", std::env::join_paths(&dirs).unwrap())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        status: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn pre_commit_hook_runs_wfk_validate_on_the_spec_files() {
    let hook = hook();
    assert_eq!(hook["id"], "wfk-validate");
    assert_eq!(hook["entry"], "wfk validate");
    assert_eq!(hook["language"], "system");
    assert_eq!(hook["pass_filenames"], false);

    // `files` is a Python regex that pre-commit applies with re.search.
    let python = root().join(".venv/bin/python");
    let names = [
        ("platform.yaml", true),
        ("overlays/prod.yaml", true),
        ("deploy/platform.yaml", true),
        ("deploy/overlays/dev.yaml", true),
        ("templates/monitor.yaml", true),
        ("README.md", false),
        ("src/platform.rs", false),
        ("my-platform.yaml", false),
        ("overlays/notes.txt", false),
    ];
    let output = Command::new(&python)
        .args([
            "-c",
            "import re, sys\nfor name in sys.argv[2:]: print(name, bool(re.search(sys.argv[1], name)))",
            hook["files"].as_str().unwrap(),
        ])
        .args(names.iter().map(|(n, _)| *n))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let expected: String = names
        .iter()
        .map(|(n, m)| format!("{n} {}\n", if *m { "True" } else { "False" }))
        .collect();
    assert_eq!(
        (
            output.status.code(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap()
        ),
        (Some(0), expected, String::new())
    );

    let failing = TempDir::new();
    copy_fixture("invalid-port-name/fail", failing.path());
    let run = run_hook(failing.path());
    assert_eq!((run.status, run.stdout.as_str()), (Some(1), ""));
    assert_eq!(
        run.stderr,
        "environment `dev`:
error[invalid-port-name]: invalid port name `metrics-exporter`: must be no more than 15 characters
  --> platform.yaml:10:14
   |
10 |     ports: { metrics-exporter: { port: 9100, scrape: true } }
   |              ^^^^^^^^^^^^^^^^ port names are IANA service names
   |
   = help: use at most 15 lowercase letters, digits and `-`, with at least one letter

checked 1 environment (dev): 1 error, 0 warnings
"
    );

    let passing = TempDir::new();
    copy_fixture("invalid-port-name/pass", passing.path());
    let run = run_hook(passing.path());
    assert_eq!(
        (run.status, run.stdout.as_str(), run.stderr.as_str()),
        (
            Some(0),
            "",
            "checked 1 environment (dev): 0 errors, 0 warnings\n"
        )
    );
}

// ---------------------------------------------------------------------------------------
// The README's CI snippets, run here. `OWNER/wfk` is where wfk's repository lives; the
// tests run this checkout's action.yml and hooks in its place.

/// README: a GitHub workflow with the action and a SARIF upload.
const README_GITHUB: &str = "\
on: [push, pull_request]
jobs:
  wfk:
    runs-on: ubuntu-latest
    permissions: { contents: read, security-events: write }
    steps:
      - uses: actions/checkout@v4
      - uses: OWNER/wfk@v0.1.0
        with:
          dir: deploy
          deny: warnings
          sarif: wfk.sarif
      - uses: github/codeql-action/upload-sarif@v3
        if: always()
        with:
          sarif_file: wfk.sarif
";

/// README: a GitLab job whose report shows in merge requests.
const README_GITLAB: &str = "\
wfk:
  stage: test
  # wfk on PATH: an image with it, or `cargo install --locked --path <wfk checkout>`
  script:
    - wfk --dir deploy validate --format gitlab > gl-code-quality-report.json
  artifacts:
    when: always
    reports:
      codequality: gl-code-quality-report.json
";

/// README: .pre-commit-config.yaml of a project.
const README_PRE_COMMIT: &str = "\
repos:
  - repo: https://github.com/OWNER/wfk
    rev: v0.1.0
    hooks:
      - id: wfk-validate
        args: [--dir, deploy]
";

#[test]
fn the_readme_shows_exactly_the_snippets_these_tests_run() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for snippet in [README_GITHUB, README_GITLAB, README_PRE_COMMIT] {
        assert!(
            readme.contains(&format!("```yaml\n{snippet}```\n")),
            "README.md shows this snippet as it is:\n{snippet}"
        );
    }
}

#[test]
fn readme_github_workflow_runs_the_action_and_uploads_its_sarif() {
    let workflow: Value = serde_saphyr::from_str(README_GITHUB).unwrap();
    let steps = workflow["jobs"]["wfk"]["steps"].as_array().unwrap();
    let wfk = steps
        .iter()
        .find(|s| s["uses"].as_str().unwrap().starts_with("OWNER/wfk@"))
        .unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .unwrap()
                .starts_with("github/codeql-action/upload-sarif@")
        })
        .unwrap();
    // The upload runs when wfk fails the job, and reads the file wfk wrote.
    assert_eq!(upload["if"], "always()");
    assert_eq!(upload["with"]["sarif_file"], wfk["with"]["sarif"]);

    let workspace = TempDir::new();
    copy_fixture("invalid-port-name/fail", &workspace.path().join("deploy"));
    let inputs: Vec<(&str, &str)> = wfk["with"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
        .collect();
    let run = run_action(workspace.path(), &inputs);
    assert_eq!(
        (run.status, run.stderr.as_str(), run.output.as_str()),
        (1, "", "sarif=wfk.sarif\n")
    );
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert!(run.stdout.contains(
        "::error file=deploy/platform.yaml,line=10,col=14,title=wfk invalid-port-name (dev)::"
    ));
    let sarif = std::fs::read_to_string(workspace.path().join("wfk.sarif")).unwrap();
    assert_eq!(sarif_run(&sarif).0.len(), 1);
}

#[test]
fn readme_gitlab_job_writes_its_code_quality_report_and_fails_on_errors() {
    let config: Value = serde_saphyr::from_str(README_GITLAB).unwrap();
    let job = &config["wfk"];
    let report = job["artifacts"]["reports"]["codequality"].as_str().unwrap();
    assert_eq!(job["artifacts"]["when"], "always");
    let dirs = path_with_wfk();
    for (fixture, status, issues) in [
        ("invalid-port-name/fail", 1, 1),
        ("invalid-port-name/pass", 0, 0),
    ] {
        let repo = TempDir::new();
        copy_fixture(fixture, &repo.path().join("deploy"));
        // The runner's bash runs each line under `set -eo pipefail`; the first failure ends it.
        let script: Vec<&str> = job["script"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        let output = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
            .arg(script.join("\n"))
            .current_dir(repo.path())
            .env("PATH", std::env::join_paths(&dirs).unwrap())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(
            (
                output.status.code(),
                String::from_utf8(output.stdout).unwrap(),
                String::from_utf8(output.stderr).unwrap()
            ),
            (Some(status), String::new(), String::new()),
            "{fixture}"
        );
        let text = std::fs::read_to_string(repo.path().join(report)).unwrap();
        let found = gitlab_issues(&text);
        assert_eq!(found.len(), issues, "{text}");
        if let Some(issue) = found.first() {
            assert_eq!(
                gitlab_summary(issue).2,
                "deploy/platform.yaml",
                "paths are relative to the repository"
            );
        }
    }
}

#[test]
fn readme_pre_commit_config_names_the_hook_and_its_args_work() {
    let config: Value = serde_saphyr::from_str(README_PRE_COMMIT).unwrap();
    let used = &config["repos"][0]["hooks"][0];
    let hook = hook();
    assert_eq!(used["id"], hook["id"]);
    let mut command: Vec<String> = hook["entry"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    command.extend(
        used["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    let repo = TempDir::new();
    copy_fixture("invalid-port-name/fail", &repo.path().join("deploy"));
    let dirs = path_with_wfk();
    let output = Command::new(&command[0])
        .args(&command[1..])
        .current_dir(repo.path())
        .env("PATH", std::env::join_paths(&dirs).unwrap())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("environment `dev`:\nerror[invalid-port-name]:")
            && stderr.ends_with("checked 1 environment (dev): 1 error, 0 warnings\n"),
        "{stderr}"
    );
}
