//! `wfk diff`: two environments of the reference platform (seed 001's Gorax, at the
//! repository root) object by object and spec path by spec path, one environment against an
//! earlier render (a YAML stream, a JSON `List`, a `wfk render --output-dir` folder), the JSON format's
//! documented shape, `--unified`, errors, and Secrets that are never printed.
//!
//! Every run copies the reference platform into a temporary folder and goes through the
//! `Test` builder, so exit code, stdout and stderr are always compared. Exit codes: 0
//! identical, 1 different, 2 error.
//!
//! Golden file: tests/golden/diff/dev-prod.txt is `wfk diff dev prod` byte for byte;
//! `WFK_BLESS=1 cargo test --test it diff` rewrites it. Review its diff like code.

use crate::support::{Output, Test};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The crate's root: the reference platform's project folder.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The reference platform's files: platform.yaml and every overlays/*.yaml, by path
/// relative to the project.
fn reference_files() -> Vec<(String, String)> {
    let read = |rel: &str| {
        std::fs::read_to_string(root().join(rel))
            .unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    };
    let mut files = vec![("platform.yaml".to_string(), read("platform.yaml"))];
    let mut overlays: Vec<String> = std::fs::read_dir(root().join("overlays"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    overlays.sort();
    let mut templates: Vec<String> = std::fs::read_dir(root().join("templates"))
        .unwrap()
        .map(|e| format!("templates/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    templates.sort();
    for rel in overlays
        .iter()
        .map(|name| format!("overlays/{name}"))
        .chain(templates)
    {
        let text = read(&rel);
        files.push((rel, text));
    }
    files
}

/// A temporary copy of the reference platform.
fn gorax() -> Test {
    with(Test::new(), reference_files())
}

/// `test` with more files.
fn with<C: AsRef<[u8]>>(test: Test, files: impl IntoIterator<Item = (String, C)>) -> Test {
    files
        .into_iter()
        .fold(test, |test, (path, contents)| test.file(path, contents))
}

/// overlays/prod.yaml with its `worker:` block replaced by `worker: null`, and the line of
/// that `null`.
fn prod_without_worker() -> (String, usize) {
    let prod = std::fs::read_to_string(root().join("overlays/prod.yaml")).unwrap();
    let lines: Vec<&str> = prod.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == "  worker:")
        .expect("overlays/prod.yaml has a `  worker:` block");
    let end = (start + 1..lines.len())
        .find(|&i| !lines[i].starts_with("    "))
        .unwrap_or(lines.len());
    let mut out: Vec<&str> = lines[..start].to_vec();
    out.push("  worker: null");
    out.extend(&lines[end..]);
    (out.join("\n") + "\n", start + 1)
}

/// Runs `test`, which must exit 0 with an empty stderr, and returns its stdout.
fn succeed(test: &Test) -> String {
    let out = test.output();
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (Some(0), ""),
        "a run that should succeed failed"
    );
    out.stdout
}

/// `wfk render prod` of the reference platform.
fn render_prod(format: &str) -> String {
    succeed(&gorax().args(["render", "prod", "-o", format]))
}

/// `wfk render prod --output-dir before-dir` of the reference platform: its files, by path
/// relative to the project.
fn render_prod_dir() -> Vec<(String, Vec<u8>)> {
    let test = gorax().args(["render", "prod", "--output-dir", "before-dir"]);
    let out = test.output();
    let objects = objects_in(&render_prod("yaml"));
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr),
        (
            Some(0),
            "",
            format!("wrote {objects} files and kustomization.yaml to `before-dir`\n")
        ),
        "`render --output-dir` prints nothing on stdout and a count on stderr"
    );
    let dir = test.path().join("before-dir");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (format!("before-dir/{name}"), std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    assert!(
        files.len() > 10,
        "`render --output-dir` wrote one file per object"
    );
    files
}

/// The number of objects in a YAML stream written by `wfk render`.
fn objects_in(stream: &str) -> usize {
    stream.lines().filter(|l| *l == "---").count()
}

/// The rest of the line at `file:line:col` of the reference platform, from that column.
fn at(origin: &str) -> String {
    let mut parts = origin.rsplitn(3, ':');
    let (col, line, file) = (parts.next(), parts.next(), parts.next());
    let (Some(col), Some(line), Some(file)) = (col, line, file) else {
        panic!("`{origin}` is not file:line:col");
    };
    let (line, col): (usize, usize) = (
        line.parse()
            .unwrap_or_else(|_| panic!("bad line in `{origin}`")),
        col.parse()
            .unwrap_or_else(|_| panic!("bad column in `{origin}`")),
    );
    let text = std::fs::read_to_string(root().join(file))
        .unwrap_or_else(|e| panic!("origin `{origin}` names a file that cannot be read: {e}"));
    let text_line = text
        .lines()
        .nth(line.checked_sub(1).expect("lines count from 1"))
        .unwrap_or_else(|| panic!("origin `{origin}` is past the end of {file}"));
    let rest: String = text_line
        .chars()
        .skip(col.checked_sub(1).expect("columns count from 1"))
        .collect();
    assert!(
        col <= text_line.chars().count(),
        "origin `{origin}` is past the end of its line `{text_line}`"
    );
    rest
}

/// The `file:line:col` positions in the trailing `(…)` of a line of text output, without
/// `default`, `removed at` and `env:` words around them.
fn positions(line: &str) -> Vec<String> {
    let Some((_, tail)) = line.rsplit_once("   (") else {
        return Vec::new();
    };
    tail.trim_end_matches(')')
        .split([';', '→'])
        .map(|part| {
            let part = part.trim();
            let part = part.rsplit_once(": ").map_or(part, |(_, p)| p);
            part.trim_start_matches("removed at ").to_string()
        })
        .filter(|part| part.matches(':').count() == 2 && !part.contains(' '))
        .collect()
}

/// The one line of `text` that contains every piece of `pieces`.
fn line_with<'a>(text: &'a str, pieces: &[&str]) -> &'a str {
    let found: Vec<&str> = text
        .lines()
        .filter(|l| pieces.iter().all(|p| l.contains(p)))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one line with {pieces:?}, found {found:?} in:\n{text}"
    );
    found[0]
}

/// Runs `test` expecting exit `status`, an empty stderr and the golden file `name` on
/// stdout; with `WFK_BLESS` set, writes the golden file first.
fn golden(test: Test, name: &str, status: i32) -> Output {
    let file = root().join("tests").join("golden").join("diff").join(name);
    if std::env::var_os("WFK_BLESS").is_some_and(|v| !v.is_empty() && v != "0") {
        let out = test.output();
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &out.stdout).unwrap();
    }
    let expected = std::fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; run `WFK_BLESS=1 cargo test --test it diff` to write it",
            file.display()
        )
    });
    // The builder reads `[..]` and `...` lines as patterns: a golden file is compared exactly.
    assert!(
        !expected.contains("[..]") && !expected.lines().any(|l| l == "..."),
        "{} holds a pattern; compare it some other way",
        file.display()
    );
    test.stdout(expected).status(status).run()
}

// 1. Two environments, object by object.

#[test]
fn dev_prod_equals_its_golden_file_and_names_the_overlay_line_of_each_change() {
    let out = golden(gorax().args(["diff", "dev", "prod"]), "dev-prod.txt", 1);
    let text = out.stdout.as_str();

    // Replicas: dev's own value, and prod's, which leaves the count to the autoscaler.
    let api = object_block(text, "~ Deployment gorax-api");
    let replicas = line_with(
        &api,
        &["spec.replicas: 1 → (autoscaler)", "overlays/prod.yaml:"],
    );
    assert!(replicas.contains("overlays/dev.yaml:"), "{replicas}");
    let [dev, prod] = positions(replicas).try_into().unwrap();
    assert!(at(&dev).starts_with('1'), "{dev} points at dev's replicas");
    assert!(
        at(&prod).starts_with('3'),
        "{prod} points at prod's replicas"
    );

    // Resources: each amount, with the overlay line of each side.
    let memory = line_with(
        &api,
        &["containers[api].resources.limits.memory: 256Mi → 512Mi"],
    );
    let [dev, prod] = positions(memory).try_into().unwrap();
    assert!(dev.starts_with("overlays/dev.yaml:"), "{memory}");
    assert!(at(&dev).starts_with("128Mi/256Mi"), "{dev}");
    assert!(prod.starts_with("overlays/prod.yaml:"), "{memory}");
    assert!(at(&prod).starts_with("256Mi/512Mi"), "{prod}");
    line_with(
        &api,
        &[
            "containers[api].resources.requests.cpu: 100m → 250m",
            "overlays/dev.yaml:",
            "overlays/prod.yaml:",
        ],
    );

    // Autoscalers and disruption budgets: only in prod, removed by a `null` in dev.
    for (kind, name) in [
        ("HorizontalPodAutoscaler", "gorax-api"),
        ("HorizontalPodAutoscaler", "gorax-worker"),
        ("PodDisruptionBudget", "gorax-api"),
        ("PodDisruptionBudget", "gorax-worker"),
    ] {
        let line = line_with(text, &[&format!("+ {kind} {name}   only in prod")]);
        assert!(
            line.contains("dev: removed at overlays/dev.yaml:"),
            "{line}"
        );
        let [removed, set] = positions(line).try_into().unwrap();
        assert!(at(&removed).starts_with("null"), "{line}: {removed}");
        assert!(set.starts_with("platform.yaml:"), "{line}");
    }

    // Hosts: dev's domain against the base's.
    let host = line_with(text, &["host: api.dev.gorax.io → api.gorax.io"]);
    let [dev, prod] = positions(host).try_into().unwrap();
    assert!(at(&dev).starts_with("dev.gorax.io"), "{host}");
    assert!(at(&prod).starts_with("gorax.io"), "{host}");

    // Every position printed is a real place in the reference platform.
    for line in text.lines() {
        for origin in positions(line) {
            at(&origin);
        }
    }
    assert_eq!(
        text.lines().last(),
        Some("4 added, 4 removed, 11 changed, 17 the same")
    );
}

/// The lines of one object's block in text output: its `~`, `+` or `-` line and the
/// indented lines under it.
fn object_block(text: &str, header: &str) -> String {
    let mut lines = text.lines().skip_while(|l| *l != header);
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no `{header}` in:\n{text}"));
    let mut out = vec![first];
    out.extend(lines.take_while(|l| l.starts_with("    ")));
    out.join("\n") + "\n"
}

#[test]
fn staging_prod_shows_the_autoscaler_range_change_with_both_origins() {
    let out = gorax()
        .args(["diff", "staging", "prod"])
        .stdout(
            "...
~ HorizontalPodAutoscaler gorax-api
    spec.maxReplicas: 6 → 20   (platform.yaml:[..] → overlays/prod.yaml:[..])
...
~ HorizontalPodAutoscaler gorax-worker
    spec.maxReplicas: 10 → 30   (platform.yaml:[..] → overlays/prod.yaml:[..])
...
0 added, 4 removed, 15 changed, 17 the same
",
        )
        .status(1)
        .run();
    let hpa = object_block(&out.stdout, "~ HorizontalPodAutoscaler gorax-api");
    let line = line_with(&hpa, &["spec.maxReplicas: 6 → 20"]);
    let [base, prod] = positions(line).try_into().unwrap();
    assert!(at(&base).starts_with('6'), "{base}");
    assert!(at(&prod).starts_with("20"), "{prod}");
    // Staging keeps the base sizes: no replicas line, and nothing added or removed.
    assert!(!out.stdout.contains("spec.replicas"), "{}", out.stdout);
}

// 2. Identical sides.

#[test]
fn an_environment_against_itself_is_the_same_with_exit_0() {
    let n = objects_in(&render_prod("yaml"));
    assert!(n > 10, "the prod render has its objects");
    gorax()
        .args(["diff", "prod", "prod"])
        .stdout(format!("no differences ({n} objects the same)\n"))
        .run();
    gorax()
        .args(["diff", "prod", "prod", "--spec"])
        .stdout("no differences\n")
        .run();
}

// 3. Against an earlier render.

/// The five objects of the worker, listed as removed when `worker: null` at `line`.
fn worker_removed(before: &str, line: usize) -> Vec<String> {
    [
        "Deployment",
        "HorizontalPodAutoscaler",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "Role",
        "RoleBinding",
        "Service",
        "ServiceAccount",
        "ServiceMonitor",
    ]
    .iter()
    .map(|kind| {
        format!(
            "- {kind} gorax-worker   only in {before}   (removed at overlays/prod.yaml:{line}:11)"
        )
    })
    .collect()
}

#[test]
fn removing_a_component_lists_its_objects_as_removed_against_a_file_and_a_folder() {
    let yaml = render_prod("yaml");
    let json = render_prod("json");
    let dir = render_prod_dir();
    let n = objects_in(&yaml);
    let (overlay, line) = prod_without_worker();
    assert_eq!(&overlay.lines().nth(line - 1).unwrap()[10..], "null");

    // Unchanged: the same, whatever form the earlier render takes.
    for against in ["before.yaml", "before.json", "before-dir"] {
        with(gorax(), dir.clone())
            .file("before.yaml", &yaml)
            .file("before.json", &json)
            .args(["diff", "prod", "--against", against])
            .stdout(format!("no differences ({n} objects the same)\n"))
            .run();
    }

    // Without the worker: its five objects are removed, at the overlay's `null`.
    for against in ["before.yaml", "before.json", "before-dir"] {
        let out = with(gorax(), dir.clone())
            .file("before.yaml", &yaml)
            .file("before.json", &json)
            .file("overlays/prod.yaml", &overlay)
            .args(["diff", "prod", "--against", against])
            .stdout("...\n0 added, 9 removed, [..] changed, [..] the same\n")
            .status(1)
            .run();
        let removed: Vec<String> = out
            .stdout
            .lines()
            .filter(|l| l.starts_with("- "))
            .map(String::from)
            .collect();
        assert_eq!(removed, worker_removed(against, line), "{}", out.stdout);
        assert!(
            !out.stdout.lines().any(|l| l.starts_with("+ ")),
            "nothing is added:\n{}",
            out.stdout
        );
        let (changed, same) = summary_counts(&out.stdout);
        assert_eq!(
            changed + same + 9,
            n,
            "every earlier object is counted once"
        );
    }
}

#[test]
fn an_earlier_render_of_more_than_a_thousand_objects_is_read_whole() {
    // A render of 1,000 components holds 5,005 documents; the YAML reader's own default
    // stops at 1,024. Here: the reference platform and 1,500 ConfigMaps the spec no longer
    // has.
    let yaml = render_prod("yaml");
    let n = objects_in(&yaml);
    let mut before = yaml.clone();
    for i in 0..1500 {
        write!(
            before,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gone-{i:04}\n  namespace: gorax-prod\ndata:\n  k: v\n"
        )
        .unwrap();
    }
    let out = gorax()
        .file("before.yaml", &before)
        .args(["diff", "prod", "--against", "before.yaml"])
        .stdout(format!(
            "...\n0 added, 1500 removed, 0 changed, {n} the same\n"
        ))
        .status(1)
        .run();
    assert!(
        out.stdout
            .starts_with("- ConfigMap gone-0000   only in before.yaml\n"),
        "{}",
        out.stdout
    );
}

/// The `changed` and `same` counts of a text summary line.
fn summary_counts(text: &str) -> (usize, usize) {
    let last = text.lines().last().unwrap();
    let numbers: Vec<usize> = last
        .split(", ")
        .map(|part| part.split(' ').next().unwrap().parse().unwrap())
        .collect();
    (numbers[2], numbers[3])
}

// 4. The merged specs.

#[test]
fn spec_diff_shows_both_origins_on_every_line_and_defaults_as_default() {
    let out = gorax()
        .args(["diff", "dev", "prod", "--spec"])
        .stdout(
            "...
~ components.api.autoscale.max: (none) → 20   (removed at overlays/dev.yaml:[..] → overlays/prod.yaml:[..])
...
~ components.api.replicas: 1 → 3   (overlays/dev.yaml:[..] → overlays/prod.yaml:[..])
...
~ components.api.spread: (none) → zone   (default → overlays/prod.yaml:[..])
...
~ ingress.domain: dev.gorax.io → gorax.io   (overlays/dev.yaml:[..] → platform.yaml:[..])
~ namespace: gorax-dev → gorax-prod   (overlays/dev.yaml:[..] → overlays/prod.yaml:[..])
[..] spec values differ
",
        )
        .status(1)
        .run();
    let lines: Vec<&str> = out.stdout.lines().collect();
    let (summary, values) = lines.split_last().unwrap();
    assert_eq!(*summary, format!("{} spec values differ", values.len()));
    for line in values {
        assert!(line.starts_with("~ "), "{line}");
        let (_, origins) = line
            .rsplit_once("   (")
            .unwrap_or_else(|| panic!("no origins: {line}"));
        let (a, b) = origins
            .trim_end_matches(')')
            .split_once(" → ")
            .unwrap_or_else(|| panic!("not two origins: {line}"));
        for origin in [a, b] {
            let origin = origin.trim_start_matches("removed at ");
            assert!(
                origin == "default" || (origin.matches(':').count() == 2 && !at(origin).is_empty()),
                "`{origin}` is neither a position nor `default`: {line}"
            );
        }
    }
    let replicas = line_with(&out.stdout, &["~ components.api.replicas: 1 → 3"]);
    let [dev, prod] = positions(replicas).try_into().unwrap();
    assert!(at(&dev).starts_with('1') && at(&prod).starts_with('3'));
    let spread = line_with(&out.stdout, &["~ components.api.spread:"]);
    assert!(at(&positions(spread)[0]).starts_with("zone"), "{spread}");
}

// 5. JSON.

/// The keys of a JSON object, which must be one.
fn keys(value: &Value, what: &str) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| k.to_string()).collect()
}

fn string_or_null(value: &Value) -> bool {
    value.is_string() || value.is_null()
}

/// Checks a `wfk diff --format json` document against its documented shape; returns the
/// `(change, kind, name)` of each change.
fn check_json_report(doc: &Value, a: &str, b: &str) -> Vec<(String, String, String)> {
    assert_eq!(
        keys(doc, "the document"),
        set(&["version", "a", "b", "changes", "findings", "summary"])
    );
    assert_eq!(doc["version"], 1);
    assert_eq!(
        doc["findings"],
        Value::Array(Vec::new()),
        "no update here that the API server refuses"
    );
    assert_eq!((doc["a"].as_str(), doc["b"].as_str()), (Some(a), Some(b)));
    let changes = doc["changes"].as_array().expect("changes is an array");
    let mut out = Vec::new();
    for change in changes {
        assert_eq!(
            keys(change, "a change"),
            set(&["change", "kind", "name", "fields", "why"])
        );
        let kind = change["change"].as_str().expect("change is a string");
        assert!(
            ["added", "removed", "changed"].contains(&kind),
            "change `{kind}`"
        );
        let (Some(object_kind), Some(name)) = (change["kind"].as_str(), change["name"].as_str())
        else {
            panic!("kind and name are strings: {change}");
        };
        assert!(!object_kind.is_empty() && !name.is_empty(), "{change}");
        let fields = change["fields"].as_array().expect("fields is an array");
        assert_eq!(
            fields.is_empty(),
            kind != "changed",
            "only a changed object has fields: {change}"
        );
        for field in fields {
            assert_eq!(
                keys(field, "a field"),
                set(&["path", "a", "b", "origin_a", "origin_b", "note"])
            );
            assert!(field["path"].is_string(), "{field}");
            assert!(
                string_or_null(&field["origin_a"]) && string_or_null(&field["origin_b"]),
                "{field}"
            );
            let path = field["path"].as_str().unwrap();
            if path.ends_with("annotations.checksum/config") {
                assert_eq!(field["note"], "config changed", "{field}");
                for key in ["a", "b", "origin_a", "origin_b"] {
                    assert!(field[key].is_null(), "a checksum's {key} is null: {field}");
                }
            } else {
                assert!(field["note"].is_null(), "{field}");
                assert_ne!(field["a"], field["b"], "a field that differs: {field}");
            }
        }
        out.push((kind.to_string(), object_kind.to_string(), name.to_string()));
    }
    let summary = &doc["summary"];
    assert_eq!(
        keys(summary, "the summary"),
        set(&["added", "removed", "changed", "same"])
    );
    for kind in ["added", "removed", "changed"] {
        assert_eq!(
            summary[kind].as_u64(),
            Some(out.iter().filter(|c| c.0 == kind).count() as u64),
            "summary.{kind} counts the changes"
        );
    }
    assert!(summary["same"].is_u64(), "summary.same is a count");
    out
}

/// The `(change, kind, name)` of each object in text output, and its summary line.
fn text_changes(text: &str) -> (Vec<(String, String, String)>, String) {
    let changes = text
        .lines()
        .filter_map(|l| {
            let change = match l.get(..2)? {
                "+ " => "added",
                "- " => "removed",
                "~ " => "changed",
                _ => return None,
            };
            let mut words = l[2..].split(' ');
            Some((
                change.to_string(),
                words.next()?.to_string(),
                words.next()?.to_string(),
            ))
        })
        .collect();
    (changes, text.lines().last().unwrap_or_default().to_string())
}

fn parse(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{stdout}"))
}

#[test]
fn json_format_has_the_documented_shape_and_agrees_with_the_text() {
    for (a, b) in [("dev", "prod"), ("staging", "prod"), ("dev", "staging")] {
        let text = gorax().args(["diff", a, b]).stdout("...\n").status(1).run();
        let json = gorax()
            .args(["diff", a, b, "--format", "json"])
            .stdout("...\n")
            .status(1)
            .run();
        let doc = parse(&json.stdout);
        let changes = check_json_report(&doc, a, b);
        let (text_changes, summary) = text_changes(&text.stdout);
        assert_eq!(
            changes, text_changes,
            "{a} {b}: the same changes as the text"
        );
        let s = &doc["summary"];
        assert_eq!(
            summary,
            format!(
                "{} added, {} removed, {} changed, {} the same",
                s["added"], s["removed"], s["changed"], s["same"]
            ),
            "{a} {b}: the same summary as the text"
        );
    }

    // dev → prod in detail: a checksum, replicas left to the autoscaler, origins.
    let json = gorax()
        .args(["diff", "dev", "prod", "--format", "json"])
        .stdout("...\n")
        .status(1)
        .run();
    let doc = parse(&json.stdout);
    let api = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "Deployment" && c["name"] == "gorax-api")
        .expect("the api Deployment changed");
    let field = |path: &str| {
        api["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("no field {path} in {api}"))
            .clone()
    };
    let checksum = field("spec.template.metadata.annotations.checksum/config");
    assert_eq!(checksum["note"], "config changed");
    let replicas = field("spec.replicas");
    assert_eq!(
        (&replicas["a"], &replicas["b"]),
        (&Value::from(1), &Value::Null)
    );
    let origin_a = replicas["origin_a"].as_str().unwrap();
    let origin_b = replicas["origin_b"].as_str().unwrap();
    assert!(origin_a.starts_with("overlays/dev.yaml:") && at(origin_a).starts_with('1'));
    assert!(origin_b.starts_with("overlays/prod.yaml:") && at(origin_b).starts_with('3'));
    let added: Vec<_> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"] == "added")
        .map(|c| {
            format!(
                "{} {}",
                c["kind"].as_str().unwrap(),
                c["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        added,
        [
            "HorizontalPodAutoscaler gorax-api",
            "HorizontalPodAutoscaler gorax-worker",
            "PodDisruptionBudget gorax-api",
            "PodDisruptionBudget gorax-worker"
        ]
    );

    // Identical: no changes, every object the same.
    let n = objects_in(&render_prod("yaml"));
    let json = gorax()
        .args(["diff", "prod", "prod", "--format", "json"])
        .stdout("...\n")
        .run();
    let doc = parse(&json.stdout);
    assert!(check_json_report(&doc, "prod", "prod").is_empty());
    assert_eq!(doc["summary"]["same"], n);
}

#[test]
fn json_format_against_an_earlier_render_names_the_file_and_the_removed_objects() {
    let (overlay, _) = prod_without_worker();
    let out = gorax()
        .file("before.yaml", render_prod("yaml"))
        .file("overlays/prod.yaml", overlay)
        .args([
            "diff",
            "prod",
            "--against",
            "before.yaml",
            "--format",
            "json",
        ])
        .stdout("...\n")
        .status(1)
        .run();
    let changes = check_json_report(&parse(&out.stdout), "before.yaml", "prod");
    let removed: Vec<String> = changes
        .iter()
        .filter(|c| c.0 == "removed")
        .map(|c| format!("{} {}", c.1, c.2))
        .collect();
    assert_eq!(
        removed,
        [
            "Deployment gorax-worker",
            "HorizontalPodAutoscaler gorax-worker",
            "NetworkPolicy gorax-worker",
            "PodDisruptionBudget gorax-worker",
            "Role gorax-worker",
            "RoleBinding gorax-worker",
            "Service gorax-worker",
            "ServiceAccount gorax-worker",
            "ServiceMonitor gorax-worker"
        ]
    );
}

#[test]
fn spec_json_format_has_the_documented_shape_and_agrees_with_the_text() {
    let text = gorax()
        .args(["diff", "dev", "prod", "--spec"])
        .stdout("...\n")
        .status(1)
        .run();
    let json = gorax()
        .args(["diff", "dev", "prod", "--spec", "--format", "json"])
        .stdout("...\n")
        .status(1)
        .run();
    let doc = parse(&json.stdout);
    assert_eq!(
        keys(&doc, "the document"),
        set(&["version", "a", "b", "spec"])
    );
    assert_eq!(doc["version"], 1);
    assert_eq!(
        (doc["a"].as_str(), doc["b"].as_str()),
        (Some("dev"), Some("prod"))
    );
    let items = doc["spec"].as_array().expect("spec is an array");
    for item in items {
        assert_eq!(
            keys(item, "a spec item"),
            set(&["path", "a", "b", "origin_a", "origin_b"])
        );
        assert!(item["path"].is_string(), "{item}");
        assert!(
            item["origin_a"].is_string() && item["origin_b"].is_string(),
            "both sides were rendered now, so both have an origin: {item}"
        );
        assert_ne!(item["a"], item["b"], "{item}");
    }
    let json_paths: Vec<&str> = items.iter().map(|i| i["path"].as_str().unwrap()).collect();
    let text_paths: Vec<&str> = text
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("~ ")?.split_once(": ").map(|(p, _)| p))
        .collect();
    assert_eq!(
        json_paths, text_paths,
        "the same paths as the text, in order"
    );
    let replicas = items
        .iter()
        .find(|i| i["path"] == "components.api.replicas")
        .expect("components.api.replicas differs");
    assert_eq!(
        (&replicas["a"], &replicas["b"]),
        (&Value::from(1), &Value::from(3))
    );
    let spread = items
        .iter()
        .find(|i| i["path"] == "components.api.spread")
        .expect("components.api.spread differs");
    assert_eq!(spread["origin_a"], "default");
    assert!(
        spread["origin_b"]
            .as_str()
            .unwrap()
            .starts_with("overlays/prod.yaml:")
    );

    gorax()
        .args(["diff", "prod", "prod", "--spec", "--format", "json"])
        .stdout("{\n  \"a\": \"prod\",\n  \"b\": \"prod\",\n  \"spec\": [],\n  \"version\": 1\n}\n")
        .run();
}

// 6. Unified diffs.

#[test]
fn unified_prints_a_unified_diff_of_each_changed_object() {
    let out = gorax()
        .args(["diff", "staging", "prod", "--unified"])
        .stdout(
            "~ ConfigMap gorax-config
    data.cors-allowed-origins: https://app.staging.gorax.io → https://app.gorax.io   (overlays/staging.yaml:[..] → platform.yaml:[..])
    data.log-level: info → warn   (platform.yaml:[..] → overlays/prod.yaml:[..])
--- staging ConfigMap/gorax-config
+++ prod ConfigMap/gorax-config
@@ [..] @@
...
-  log-level: info
+  log-level: warn
...
",
        )
        .status(1)
        .run();
    let text = out.stdout;
    let changed = text.lines().filter(|l| l.starts_with("~ ")).count();
    assert_eq!(changed, 15, "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("--- staging "))
            .count(),
        changed,
        "one unified diff per changed object:\n{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("+++ prod ")).count(),
        changed
    );
    // Each changed object's block holds a hunk with a removed and an added line.
    for block in text.split("\n~ ").skip(1) {
        let lines: Vec<&str> = block.lines().collect();
        assert!(lines.iter().any(|l| l.starts_with("@@ ")), "{block}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with('-') && !l.starts_with("--- ")),
            "{block}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with('+') && !l.starts_with("+++ ")),
            "{block}"
        );
    }
    let hpa = text
        .split("\n~ ")
        .find(|b| b.starts_with("HorizontalPodAutoscaler gorax-api\n"))
        .expect("the api's autoscaler changed");
    assert!(hpa.lines().any(|l| l == "-  maxReplicas: 6"), "{hpa}");
    assert!(hpa.lines().any(|l| l == "+  maxReplicas: 20"), "{hpa}");

    // An object on one side only has no unified diff.
    let out = gorax()
        .args(["diff", "dev", "prod", "--unified"])
        .stdout("...\n")
        .status(1)
        .run();
    let changed = out.stdout.lines().filter(|l| l.starts_with("~ ")).count();
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| l.starts_with("--- dev "))
            .count(),
        changed
    );
    for line in out.stdout.lines().filter(|l| l.starts_with("+ ")) {
        let after = out
            .stdout
            .split_once(&format!("{line}\n"))
            .unwrap()
            .1
            .lines()
            .next()
            .unwrap();
        assert!(
            !after.starts_with("--- ") && !after.starts_with("@@"),
            "`{line}` is followed by a diff"
        );
    }
}

// 7. Errors.

#[test]
fn one_environment_without_another_or_an_earlier_render_is_an_error() {
    gorax()
        .args(["diff", "dev"])
        .stderr("error: name a second environment[..]--against[..]\n")
        .status(2)
        .run();
}

#[test]
fn an_unknown_environment_is_an_error_on_either_side() {
    for args in [["diff", "dev", "nope"], ["diff", "nope", "prod"]] {
        gorax()
            .args(args)
            .stderr(
                "error[unknown-env]: unknown environment `nope`: there is no `overlays/nope.yaml`
  |
  = help: the environments are: dev, prod, staging

",
            )
            .status(2)
            .run();
    }
}

#[test]
fn an_earlier_render_that_is_missing_or_not_yaml_is_an_error() {
    gorax()
        .args(["diff", "prod", "--against", "missing.yaml"])
        .stderr("error: cannot read `missing.yaml`: [..]\n")
        .status(2)
        .run();
    gorax()
        .file("broken.yaml", "kind: Service\nmetadata: { name: [x\n")
        .args(["diff", "prod", "--against", "broken.yaml"])
        .stderr("error: `broken.yaml` is not a YAML stream (line 2, column 19)\n")
        .status(2)
        .run();
    gorax()
        .file("prose.yaml", "just some words\n")
        .args(["diff", "prod", "--against", "prose.yaml"])
        .stderr("error: `prose.yaml` holds something that is not a Kubernetes object\n")
        .status(2)
        .run();
    gorax()
        .file("broken.json", "{\"kind\": \"List\", \"items\": [\n")
        .args(["diff", "prod", "--against", "broken.json"])
        .stderr("error: `broken.json` is not JSON (line 2, column 0)\n")
        .status(2)
        .run();
}

#[test]
fn against_with_a_second_environment_or_spec_is_a_usage_error() {
    for extra in [&["prod"][..], &["--spec"][..]] {
        let out = gorax()
            .args(["diff", "dev", "--against", "before.yaml"])
            .args(extra)
            .stderr("error: the argument [..] cannot be used with [..]\n...\n")
            .status(2)
            .run();
        let first = out.stderr.lines().next().unwrap();
        assert!(first.contains("'--against <FILE|DIR>'"), "{first}");
    }
}

// 8. Secrets.

const CANARY: &str = "secret-canary";
const CANARY_BASE64: &str = "c2VjcmV0LWNhbmFyeQ==";

/// A Secret with the canary in `data` (base64) and `stringData` (plain).
fn secret_yaml() -> String {
    format!(
        "apiVersion: v1
kind: Secret
metadata:
  name: gorax-secrets
  namespace: gorax-prod
type: Opaque
data:
  database-url: {CANARY_BASE64}
stringData:
  jwt-secret: {CANARY}
"
    )
}

fn assert_no_canary(out: &Output, what: &str) {
    for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        for canary in [CANARY, CANARY_BASE64, &CANARY_BASE64[..16]] {
            assert!(
                !text.contains(canary),
                "{what}: `{canary}` is on {stream}:\n{text}"
            );
        }
    }
}

#[test]
fn a_secrets_data_in_an_earlier_render_is_never_printed() {
    let yaml = render_prod("yaml");
    let before_yaml = format!("{yaml}---\n{}", secret_yaml());
    let mut list = parse(&render_prod("json"));
    let secret: Value = serde_json::json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": { "name": "gorax-secrets", "namespace": "gorax-prod" },
        "type": "Opaque",
        "data": { "database-url": CANARY_BASE64 },
        "stringData": { "jwt-secret": CANARY },
    });
    list["items"].as_array_mut().unwrap().push(secret);
    let before_json = serde_json::to_string_pretty(&list).unwrap();
    let mut dir = render_prod_dir();
    dir.push((
        "before-dir/99-secret-gorax-secrets.yaml".into(),
        format!("---\n{}", secret_yaml()).into_bytes(),
    ));
    let (overlay, _) = prod_without_worker();
    let n = objects_in(&yaml);

    for against in ["before.yaml", "before.json", "before-dir"] {
        // The Secret alone differs: listed as removed, by kind and name only.
        let out = with(gorax(), dir.clone())
            .file("before.yaml", &before_yaml)
            .file("before.json", &before_json)
            .args(["diff", "prod", "--against", against])
            .stdout(format!(
                "- Secret gorax-secrets   only in {against}\n0 added, 1 removed, 0 changed, {n} the same\n"
            ))
            .status(1)
            .run();
        assert_no_canary(&out, against);

        // With other changes too, in every format.
        for extra in [&[][..], &["--unified"][..], &["--format", "json"][..]] {
            let out = with(gorax(), dir.clone())
                .file("before.yaml", &before_yaml)
                .file("before.json", &before_json)
                .file("overlays/prod.yaml", &overlay)
                .args(["diff", "prod", "--against", against])
                .args(extra)
                .stdout("...\n")
                .status(1)
                .run();
            assert_no_canary(&out, &format!("{against} {extra:?}"));
            assert!(
                out.stdout.contains("Secret") && out.stdout.contains("gorax-secrets"),
                "the Secret is listed: {}",
                out.stdout
            );
        }
    }
}

/// A broken earlier render must not quote a Secret's data back in its error. Today the YAML
/// reader's error shows the lines around the mistake, data included.
#[test]
fn a_broken_earlier_render_does_not_quote_a_secrets_data() {
    let broken = format!("{}  other: [{CANARY_BASE64}\n", secret_yaml());
    let out = gorax()
        .file("before.yaml", broken)
        .args(["diff", "prod", "--against", "before.yaml"])
        .stderr("error: `before.yaml` is not a YAML stream (line [..], column [..])\n")
        .status(2)
        .run();
    assert_no_canary(&out, "a broken before.yaml");
}
