//! The hostile-input corpus: every numbered case of the reliability brief's §5.4, each run
//! through the real binary, bounded in time (asserted here) and memory (`ulimit -v` in
//! `support`). A refused input exits non-zero with an empty stdout and names its position.
//!
//! Inputs are generated here, not committed: a 100 MB file has no place in the repository.

use crate::support::Test;
use std::time::Duration;

/// How long one hostile run may take, in a debug build on a busy 2-core machine.
const BOUND: Duration = Duration::from_secs(5);

use crate::support::SMALL as BASE;

/// A project: `platform.yaml` and an empty `overlays/dev.yaml`, unless replaced.
fn project() -> Test {
    Test::new()
        .file("platform.yaml", BASE)
        .file("overlays/dev.yaml", "{}\n")
}

/// What a refused run must show.
struct Refused<'a> {
    code: &'a str,
    /// `file:line:col` (or a prefix of it) that stderr names.
    at: Option<&'a str>,
    status: i32,
}

fn refused(test: Test, args: &[&str], expect: Refused) {
    let test = test.args(args.iter().copied());
    let out = test.output();
    let shown = format!("wfk {}\n{}", args.join(" "), out.stderr);
    assert!(out.elapsed < BOUND, "took {:?}: {shown}", out.elapsed);
    assert_eq!(out.status, Some(expect.status), "{shown}");
    assert_eq!(out.stdout, "", "stdout must stay empty: {shown}");
    assert!(
        out.stderr.contains(&format!("[{}]", expect.code)),
        "expected `{}`: {shown}",
        expect.code
    );
    if let Some(at) = expect.at {
        assert!(
            out.stderr.contains(&format!("--> {at}")),
            "expected `--> {at}`: {shown}"
        );
    }
    assert!(!out.stderr.contains("panicked"), "{shown}");
}

fn render_refused(test: Test, code: &str, at: Option<&str>) {
    refused(
        test,
        &["render", "dev"],
        Refused {
            code,
            at,
            status: 2,
        },
    );
}

fn accepted(test: Test, args: &[&str]) -> String {
    let out = test.args(args.iter().copied()).output();
    assert!(out.elapsed < BOUND, "took {:?}", out.elapsed);
    assert_eq!(
        out.status,
        Some(0),
        "wfk {}: {}",
        args.join(" "),
        out.stderr
    );
    assert_eq!(out.stderr, "", "wfk {}", args.join(" "));
    out.stdout
}

fn laughs() -> String {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        let refs = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    text
}

#[test]
fn case_01_billion_laughs_anywhere() {
    render_refused(
        project().file("platform.yaml", format!("platform: p\n{}", laughs())),
        "anchor-not-supported",
        Some("platform.yaml:2:4"),
    );
    render_refused(
        project().file("overlays/dev.yaml", laughs()),
        "anchor-not-supported",
        Some("overlays/dev.yaml:1:4"),
    );
    // Reached through a real field, so the typed reader would meet it.
    let nested: String = laughs()
        .lines()
        .map(|l| format!("      {}\n", l.replacen(": ", "_: ", 1)))
        .collect();
    let nested = format!("{BASE}    env:\n{nested}");
    render_refused(
        project().file("platform.yaml", nested),
        "anchor-not-supported",
        Some("platform.yaml:10:"),
    );
    let wide = format!(
        "w: &w [{}]\nuse: [{}]\n",
        vec!["x"; 10_000].join(","),
        vec!["*w"; 99].join(",")
    );
    render_refused(
        project().file("overlays/dev.yaml", wide),
        "anchor-not-supported",
        Some("overlays/dev.yaml:1:4"),
    );
}

#[test]
fn case_02_self_reference() {
    for text in ["a: &a [*a]\n", "a: &a {b: *a}\n"] {
        render_refused(
            project().file("overlays/dev.yaml", text),
            "anchor-not-supported",
            Some("overlays/dev.yaml:1:4"),
        );
    }
}

#[test]
fn case_03_absurd_depth_in_base_and_overlay() {
    let flow = format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let braces = format!("x: {}\n", "{".repeat(100_000));
    let mut block = String::new();
    for i in 0..2_000 {
        block.push_str(&format!("{}a{i}:\n", " ".repeat(i)));
    }
    let dashes = format!("x:\n{}y\n", "- ".repeat(100_000));
    for text in [&flow, &braces, &block, &dashes] {
        render_refused(
            project().file("overlays/dev.yaml", text.as_str()),
            "nesting-too-deep",
            Some("overlays/dev.yaml:"),
        );
    }
    render_refused(
        project().file("platform.yaml", flow),
        "nesting-too-deep",
        Some("platform.yaml:1:"),
    );
}

#[test]
fn case_04_duplicate_keys_at_every_level_show_both_lines() {
    let cases = [
        (
            "platform: p\nplatform: q\n",
            "platform.yaml:2:1",
            "1 | platform: p",
        ),
        (
            "platform: p\ncomponents:\n  api: {image: a:1}\n  api: {image: b:1}\n",
            "platform.yaml:4:3",
            "3 |   api: {image: a:1}",
        ),
        (
            "platform: p\ncomponents:\n  api:\n    labels: {tier: web, tier: db}\n",
            "platform.yaml:4:25",
            "first set here",
        ),
        (
            "platform: p\ncomponents:\n  api:\n    env: {LOG: info, LOG: debug}\n",
            "platform.yaml:4:22",
            "first set here",
        ),
    ];
    for (text, at, first) in cases {
        let out = project()
            .file("platform.yaml", text)
            .args(["render", "dev"])
            .output();
        assert_eq!(
            (out.status, out.stdout.as_str()),
            (Some(2), ""),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("[duplicate-key]") && out.stderr.contains(&format!("--> {at}")),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains(first) && out.stderr.contains("first set here"),
            "{}",
            out.stderr
        );
    }
}

/// Reads a YAML stream with PyYAML (a YAML 1.1 reader, like kubectl) and prints JSON.
pub(crate) fn python_reads(yaml: &str) -> serde_json::Value {
    let python = std::env::var("WFK_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python").to_string());
    let script = "import sys, json, yaml\nprint(json.dumps(list(yaml.safe_load_all(sys.stdin)), default=str))";
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{python} is missing ({e}): run scripts/test.sh, which installs PyYAML into .venv"
            )
        });
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), yaml.as_bytes()).unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "PyYAML could not read the stream");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn env_of(docs: &serde_json::Value, deployment: &str) -> Vec<(String, serde_json::Value)> {
    let doc = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "Deployment" && d["metadata"]["name"] == deployment)
        .expect("the deployment");
    doc["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_string(), e["value"].clone()))
        .collect()
}

#[test]
fn case_05_yaml_1_1_scalars_in_string_positions_stay_strings() {
    let text = format!(
        "{BASE}    env: {{FEATURE: on, LEGACY: no, COUNTRY: NO, MODE: 0755, SIZE: 1_000, AT: 12:30, Y: y, EQ: \"=\"}}\n    labels: {{enabled: yes}}\n"
    );
    let yaml = accepted(project().file("platform.yaml", text), &["render", "dev"]);
    let docs = python_reads(&yaml);
    let env = env_of(&docs, "p-api");
    let expected = [
        ("AT", "12:30"),
        ("COUNTRY", "NO"),
        ("EQ", "="),
        ("FEATURE", "on"),
        ("LEGACY", "no"),
        ("MODE", "0755"),
        ("SIZE", "1_000"),
        ("Y", "y"),
    ];
    for (name, value) in expected {
        let found = env.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        assert_eq!(found, Some(serde_json::Value::from(value)), "{name}");
    }
    assert!(
        yaml.contains("enabled: \"yes\""),
        "a label value `yes` is quoted"
    );
}

#[test]
fn case_06_yaml_1_1_words_as_keys() {
    let text = format!("{BASE}    env: {{on: a, yes: b, NO: c}}\n    labels: {{yes: x}}\n");
    let yaml = accepted(project().file("platform.yaml", text), &["render", "dev"]);
    let names: Vec<String> = env_of(&python_reads(&yaml), "p-api")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["NO", "on", "yes"]);
    // A YAML 1.1 word as a top-level key is just an unknown key.
    render_refused(
        project().file("overlays/dev.yaml", "on: {}\n"),
        "unknown-key",
        Some("overlays/dev.yaml:1:1"),
    );
}

#[test]
fn case_07_tags_are_refused_not_dropped() {
    for (value, col) in [
        ("!Secret db-pass", 12),
        ("!!binary aGk=", 12),
        ("!!python/object/apply:os.system [id]", 12),
    ] {
        let text = format!("components:\n  api:\n    image: {value}\n");
        render_refused(
            project().file("overlays/dev.yaml", text),
            "tag-not-supported",
            Some(&format!("overlays/dev.yaml:3:{col}")),
        );
    }
    render_refused(
        project().file(
            "overlays/dev.yaml",
            "components:\n  api:\n    replicas: !!str 3\n",
        ),
        "tag-not-supported",
        Some("overlays/dev.yaml:3:15"),
    );
}

#[test]
fn case_08_merge_keys_are_refused_and_a_literal_one_never_reaches_output() {
    let text = "base: &b {cpu: 1}\ncomponents:\n  api: {<<: *b, memory: 1Gi}\n";
    render_refused(
        project().file("overlays/dev.yaml", text),
        "anchor-not-supported",
        Some("overlays/dev.yaml:1:7"),
    );
    render_refused(
        project().file("overlays/dev.yaml", "components:\n  api: {\"<<\": x}\n"),
        "unknown-key",
        Some("overlays/dev.yaml:2:9"),
    );
}

#[test]
fn case_09_several_documents_stop_at_the_second() {
    render_refused(
        project().file(
            "platform.yaml",
            format!("{BASE}---\nplatform: q\n---\nplatform: r\n"),
        ),
        "multiple-documents",
        Some("platform.yaml:9:1"),
    );
    render_refused(
        project().file("overlays/dev.yaml", "a: 1\n---\nb: [\n---\nc: 3\n"),
        "multiple-documents",
        Some("overlays/dev.yaml:2:1"),
    );
}

#[test]
fn case_10_empty_and_non_mapping_roots() {
    render_refused(project().file("platform.yaml", ""), "missing-key", None);
    render_refused(
        project().file("platform.yaml", "# only comments\n"),
        "missing-key",
        None,
    );
    for text in ["~\n", "[]\n", "hello\n"] {
        render_refused(
            project().file("platform.yaml", text),
            "root-not-mapping",
            Some("platform.yaml:1:1"),
        );
    }
}

#[test]
fn case_11_null_or_empty_required_strings() {
    for value in ["null", "~", ""] {
        let text = format!("components:\n  api:\n    image: {value}\n");
        let out = project()
            .file("overlays/dev.yaml", text)
            .args(["render", "dev"])
            .output();
        assert_eq!((out.status, out.stdout.as_str()), (Some(2), ""));
        assert!(
            out.stderr.contains("[missing-key]") && out.stderr.contains("`image` was removed here"),
            "{}",
            out.stderr
        );
    }
    render_refused(
        project().file(
            "overlays/dev.yaml",
            "components:\n  api:\n    image: \"\"\n",
        ),
        "invalid-image",
        Some("overlays/dev.yaml:3:12"),
    );
    // `true` is a valid (if odd) image name: a string position reads it as text.
    let out = project()
        .file(
            "overlays/dev.yaml",
            "components:\n  api:\n    image: true\n",
        )
        .args(["render", "dev"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.contains("image: \"true\""),
        "rendered as the string, quoted"
    );
    assert!(
        out.stderr.starts_with("warning[image-latest]"),
        "{}",
        out.stderr
    );
}

#[test]
fn case_12_numbers() {
    // Quoted, it is a string: the types decide, and a count is not a string.
    render_refused(
        project().file(
            "overlays/dev.yaml",
            "components:\n  api:\n    replicas: \"3\"\n",
        ),
        "type-mismatch",
        Some("overlays/dev.yaml:3:15"),
    );
    for value in ["3.0", "1e3", "-1", "99999999999", "0x10"] {
        let text = format!("components:\n  api:\n    replicas: {value}\n");
        render_refused(
            project().file("overlays/dev.yaml", text),
            "type-mismatch",
            Some("overlays/dev.yaml:3:15"),
        );
    }
    render_refused(
        project().file(
            "overlays/dev.yaml",
            "components:\n  api:\n    ports: { http: 65536 }\n",
        ),
        "invalid-value",
        Some("overlays/dev.yaml:3:20"),
    );
    // The long form refuses the same ports as the short one, each as one error.
    for port in ["65536", "0", "-1"] {
        render_refused(
            project().file(
                "overlays/dev.yaml",
                format!("components:\n  api:\n    ports: {{ http: {{ port: {port} }} }}\n"),
            ),
            "invalid-value",
            Some("overlays/dev.yaml:3:28"),
        );
    }
}

#[test]
fn case_13_misspelled_fields_say_did_you_mean() {
    for (text, hint) in [
        (
            "components:\n  api:\n    replicsa: 2\n",
            "did you mean `replicas`?",
        ),
        ("servcies: {}\n", "valid keys here"),
        ("componets: {}\n", "did you mean `components`?"),
    ] {
        let out = project()
            .file("overlays/dev.yaml", text)
            .args(["render", "dev"])
            .output();
        assert_eq!((out.status, out.stdout.as_str()), (Some(2), ""));
        assert!(
            out.stderr.contains("[unknown-key]") && out.stderr.contains(hint),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn case_14_sizes_are_refused_before_parsing() {
    let big = "x: 1\n".repeat(100 * 1024 * 1024 / 5);
    render_refused(
        project().file("overlays/dev.yaml", big),
        "file-too-large",
        None,
    );
    let scalar = format!("x: {}\n", "a".repeat(50 * 1024 * 1024));
    render_refused(
        project().file("overlays/dev.yaml", scalar),
        "file-too-large",
        None,
    );
    let mut keys = String::with_capacity(12 * 1_100_000);
    for i in 0..1_100_000 {
        keys.push_str(&format!("k{i}: 1\n"));
    }
    render_refused(
        project().file("overlays/dev.yaml", keys),
        "too-many-nodes",
        Some("overlays/dev.yaml:"),
    );
}

#[test]
fn case_15_only_regular_files_are_read() {
    render_refused(
        Test::new()
            .file("platform.yaml", BASE)
            .symlink("overlays/dev.yaml", "/dev/zero"),
        "not-a-file",
        None,
    );
    render_refused(
        Test::new()
            .file("platform.yaml", BASE)
            .dir("overlays")
            .fifo("overlays/dev.yaml"),
        "not-a-file",
        None,
    );
    render_refused(
        Test::new()
            .file("platform.yaml", BASE)
            .dir("overlays/dev.yaml"),
        "not-a-file",
        None,
    );
}

#[test]
fn case_16_environment_names_are_labels_before_any_path() {
    for env in ["../../etc/passwd", "prod/../x", "", "PROD", "dev\n"] {
        refused(
            project(),
            &["render", env],
            Refused {
                code: "invalid-env-name",
                at: None,
                status: 2,
            },
        );
    }
}

#[test]
fn case_17_encodings() {
    // A byte-order mark and CRLF line ends are accepted; positions stay right.
    accepted(
        project().file("platform.yaml", format!("\u{feff}{BASE}")),
        &["render", "dev"],
    );
    accepted(
        project().file("platform.yaml", BASE.replace('\n', "\r\n")),
        &["render", "dev"],
    );
    let crlf = "components:\r\n  api:\r\n    replcas: 2\r\n";
    render_refused(
        project().file("overlays/dev.yaml", crlf),
        "unknown-key",
        Some("overlays/dev.yaml:3:5"),
    );
    render_refused(
        project().file("overlays/dev.yaml", "components:\n\tapi: {}\n"),
        "yaml-syntax",
        Some("overlays/dev.yaml:2:"),
    );
    render_refused(
        project().file("overlays/dev.yaml", "a: 1\nb: x\0y\n"),
        "nul-byte",
        None,
    );
    render_refused(
        project().file("overlays/dev.yaml", b"a: 1\nb: \xff\xfe\n".as_slice()),
        "invalid-utf8",
        None,
    );
    render_refused(
        project().file("overlays/dev.yaml", "a: \"\\ud800\"\n"),
        "yaml-syntax",
        Some("overlays/dev.yaml:1:"),
    );
}

#[test]
fn case_18_names_that_would_break_the_output_are_refused() {
    let names = [
        "\"api\\n---\\nkind: ClusterRoleBinding\"",
        "\"api: x\"",
        "Api",
        "api_v2",
        &"a".repeat(64),
        "\"api\\u200b\"",
        "\"-api\"",
    ];
    for name in names {
        let text = format!(
            "platform: p\ndefaults: {{ resources: {{ cpu: 100m/200m, memory: 64Mi/128Mi }} }}\ncomponents:\n  {name}:\n    image: p/x:1.0\n    probes: {{ liveness: /h, readiness: /h }}\n    ports: {{ http: 80 }}\n    service: {{ type: LoadBalancer }}\n    suppress: {{ load-balancer-exposed: \"test\" }}\n"
        );
        let out = Test::new()
            .file("platform.yaml", text)
            .file("overlays/dev.yaml", "{}\n")
            .args(["render", "dev"])
            .output();
        assert!(out.elapsed < BOUND);
        assert_eq!(
            (out.status, out.stdout.as_str()),
            (Some(1), ""),
            "{name}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("[invalid-name]"),
            "{name}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("--> platform.yaml:4:3"),
            "{name}: {}",
            out.stderr
        );
    }
}

#[test]
fn case_19_values_that_could_split_the_stream_read_back_the_same() {
    let text = format!(
        "{BASE}    env: {{ A: \"x\\n---\\napiVersion: v1\\nkind: Secret\", B: \"--- y\", C: \"...\" }}\nconfig:\n  c: {{ k: \"x\\n---\\nkind: Secret\\n...\\n\" }}\n"
    );
    let yaml = accepted(project().file("platform.yaml", text), &["render", "dev"]);
    let docs = python_reads(&yaml);
    assert_eq!(
        docs.as_array().unwrap().len(),
        yaml.lines().filter(|l| *l == "---").count()
    );
    let env = env_of(&docs, "p-api");
    let value = |n: &str| {
        env.iter()
            .find(|(name, _)| name == n)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(value("A"), "x\n---\napiVersion: v1\nkind: Secret");
    assert_eq!(value("B"), "--- y");
    assert_eq!(value("C"), "...");
    let cm = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "ConfigMap")
        .unwrap();
    assert_eq!(cm["data"]["k"], "x\n---\nkind: Secret\n...\n");
    let big = format!(
        "{BASE}    annotations: {{ note: \"{}\" }}\n",
        "a".repeat(300 * 1024)
    );
    refused(
        project().file("platform.yaml", big),
        &["render", "dev"],
        Refused {
            code: "invalid-annotation",
            at: Some("platform.yaml:"),
            status: 1,
        },
    );
}

#[test]
fn case_20_a_long_plain_key_gives_a_readable_error() {
    let text = format!("{}: 1\n", "k".repeat(2000));
    let out = project()
        .file("overlays/dev.yaml", text)
        .args(["render", "dev"])
        .output();
    assert_eq!((out.status, out.stdout.as_str()), (Some(2), ""));
    assert!(
        out.stderr.contains("--> overlays/dev.yaml:1:"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.len() < 20_000,
        "the message stays readable: {} bytes",
        out.stderr.len()
    );
}

#[test]
fn case_21_kubernetes_rules_schemas_miss() {
    let cases: &[(&str, &str)] = &[
        (
            "components:\n  api:\n    ports: { metrics-exporter: 9100 }\n",
            "invalid-port-name",
        ),
        (
            &format!("labels: {{ team: {} }}\n", "a".repeat(64)),
            "invalid-label",
        ),
        (
            "components:\n  api:\n    resources: { memory: 128m }\n",
            "invalid-quantity",
        ),
        (
            "components:\n  api:\n    resources: { memory: 128mb }\n",
            "invalid-quantity",
        ),
        (
            "components:\n  api:\n    autoscale: { min: 5, max: 3 }\n",
            "invalid-autoscale",
        ),
        (
            "components:\n  api:\n    replicas: 2\n    disruption: { minAvailable: 1, maxUnavailable: 1 }\n",
            "invalid-disruption-budget",
        ),
        (
            "jobs:\n  backup: { image: p/b:1.0, schedule: \"CRON_TZ=UTC 0 * * * *\" }\n",
            "invalid-schedule",
        ),
        (
            "jobs:\n  backup: { image: p/b:1.0, schedule: \"0 0 * * * *\" }\n",
            "invalid-schedule",
        ),
        (
            "ingress: { hosts: { api.example.com: { paths: { /a//b: api } } } }\n",
            "invalid-ingress",
        ),
        (
            &format!(
                "jobs:\n  {}: {{ image: p/b:1.0, schedule: \"0 2 * * *\" }}\n",
                "b".repeat(51)
            ),
            "invalid-name",
        ),
        (
            &format!(
                "components:\n  {}:\n    kind: stateful\n    image: p/db:1.0\n    ports: {{ db: 5432 }}\n    probes: {{ liveness: /h, readiness: /h }}\n",
                "d".repeat(58)
            ),
            "invalid-name",
        ),
    ];
    for (overlay, code) in cases {
        let out = project()
            .file("overlays/dev.yaml", *overlay)
            .args(["validate", "dev", "--format", "json"])
            .output();
        assert!(out.elapsed < BOUND);
        assert_eq!(
            out.status,
            Some(1),
            "{code}: {}\n{}",
            out.stdout,
            out.stderr
        );
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let finding = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == *code);
        let finding = finding.unwrap_or_else(|| panic!("{code} not found in {}", out.stdout));
        assert!(
            finding["file"].is_string() && finding["line"].is_u64(),
            "{finding}"
        );
    }
}
