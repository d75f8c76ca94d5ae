//! The scanners users run on rendered manifests agree with `wfk validate`: a reason the spec
//! states for an exemption is written as checkov's and kube-linter's skip annotation on the
//! objects their checks read. checkov runs here over a folder of every render of the
//! reference platform and the examples and must find nothing; kube-linter cannot be
//! installed here, so its annotations are checked against its documented format
//! (`ignore-check.kube-linter.io/<check>: <reason>`, on the object the check reports).

use crate::render_support::{root, tool};
use crate::support::Test;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const DIGEST: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A platform with every kind of stated exemption: `defaults.suppress`, a component's
/// `suppress`, a job that runs as that component, a job with its own, a writable root with
/// its reason, and `access` (whose token checkov reports).
fn exemptions() -> String {
    format!(
        "platform: shop
defaults:
  resources: {{ cpu: 100m/500m, memory: 128Mi/256Mi }}
  suppress: {{ image-without-digest: \"released by immutable version tags\" }}
  apiServer: {{ cidrs: [10.0.0.1/32], port: 443 }}
components:
  api:
    image: shop/api:v1.0.0
    ports: {{ http: {{ port: 8080, scrape: true }} }}
    probes: {{ liveness: /health/live }}
    service: {{ type: LoadBalancer }}
    env: {{ DATABASE_URL: {{ secret: shop-db/url }} }}
    security: {{ runAsUser: 1000, relax: {{ writableRootFilesystem: \"the app unpacks plugins next to itself\" }} }}
    access: [{{ apiGroups: [\"\"], resources: [secrets], verbs: [get, watch] }}]
    suppress:
      probe-missing: \"a readiness probe would cut long uploads off\"
      secret-in-env: \"the app reads its database URL only from the environment\"
      low-user-id: \"the image owns its files as user 1000\"
      reads-secrets: \"the app reloads its TLS Secret when it changes\"
      load-balancer-exposed: \"partners call the API through the cloud load balancer\"
      writable-root-filesystem: \"reviewed: the plugin folder is not known before start\"
jobs:
  migrate:
    component: api
    command: [/app/migrate]
  report:
    image: shop/report:latest@sha256:{DIGEST}
    schedule: \"0 3 * * *\"
    suppress: {{ image-latest: \"the report image is rebuilt nightly and pinned by digest\" }}
"
    )
}

/// `wfk render dev -o json` of a project: its objects.
fn render_items(test: Test) -> Vec<Value> {
    let out = test.args(["render", "dev", "-o", "json"]).output();
    assert_eq!((out.status, out.stderr.as_str()), (Some(0), ""));
    let json: Value = serde_json::from_str(&out.stdout).expect("JSON output");
    json["items"].as_array().expect("a List").clone()
}

/// The annotations of `kind/name`, as a sorted map.
fn annotations(items: &[Value], kind: &str, name: &str) -> BTreeMap<String, String> {
    let object = items
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind}/{name}"));
    object["metadata"]["annotations"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn every_stated_exemption_is_written_as_each_scanners_skip_on_the_objects_it_reads() {
    let test = Test::new()
        .file("platform.yaml", exemptions())
        .file("overlays/dev.yaml", "");
    // Nothing left to report: each finding is suppressed with its reason.
    let validate = Test::new()
        .file("platform.yaml", exemptions())
        .file("overlays/dev.yaml", "")
        .args(["validate", "--deny", "warnings", "--format", "json"])
        .output();
    assert_eq!((validate.status, validate.stderr.as_str()), (Some(0), ""));
    let report: Value = serde_json::from_str(&validate.stdout).unwrap();
    let codes: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["code"])
        .collect();
    assert!(codes.is_empty(), "{codes:?}");

    let items = render_items(test);
    let token = "the API token is mounted for the access rules the spec grants this component";
    let workload = [
        (
            "checkov.io/skip1",
            "CKV_K8S_22=the app unpacks plugins next to itself",
        ),
        (
            "checkov.io/skip2",
            "CKV_K8S_35=the app reads its database URL only from the environment",
        ),
        ("checkov.io/skip3", &*format!("CKV_K8S_38={token}")),
        (
            "checkov.io/skip4",
            "CKV_K8S_40=the image owns its files as user 1000",
        ),
        (
            "checkov.io/skip5",
            "CKV_K8S_43=released by immutable version tags",
        ),
        (
            "checkov.io/skip6",
            "CKV_K8S_8=a readiness probe would cut long uploads off",
        ),
        (
            "checkov.io/skip7",
            "CKV_K8S_9=a readiness probe would cut long uploads off",
        ),
        (
            "ignore-check.kube-linter.io/no-liveness-probe",
            "a readiness probe would cut long uploads off",
        ),
        (
            "ignore-check.kube-linter.io/no-read-only-root-fs",
            "the app unpacks plugins next to itself",
        ),
        (
            "ignore-check.kube-linter.io/no-readiness-probe",
            "a readiness probe would cut long uploads off",
        ),
        (
            "ignore-check.kube-linter.io/read-secret-from-env-var",
            "the app reads its database URL only from the environment",
        ),
    ];
    assert_eq!(
        annotations(&items, "Deployment", "shop-api"),
        map(&workload)
    );
    let access = [
        (
            "checkov.io/skip1",
            "CKV2_K8S_5=the app reloads its TLS Secret when it changes",
        ),
        (
            "ignore-check.kube-linter.io/access-to-secrets",
            "the app reloads its TLS Secret when it changes",
        ),
    ];
    assert_eq!(annotations(&items, "Role", "shop-api"), map(&access));
    assert_eq!(annotations(&items, "RoleBinding", "shop-api"), map(&access));
    assert_eq!(
        annotations(&items, "Service", "shop-api"),
        map(&[(
            "ignore-check.kube-linter.io/exposed-services",
            "partners call the API through the cloud load balancer"
        )])
    );
    // A job that runs as the component takes its suppressions (not its token: the job gets
    // none), and its relaxations stay the component's.
    let job = items
        .iter()
        .find(|o| o["kind"] == "Job")
        .expect("the migrate Job");
    let job_name = job["metadata"]["name"].as_str().unwrap();
    assert_eq!(
        annotations(&items, "Job", job_name),
        map(&[
            (
                "checkov.io/skip1",
                "CKV_K8S_35=the app reads its database URL only from the environment"
            ),
            (
                "checkov.io/skip2",
                "CKV_K8S_40=the image owns its files as user 1000"
            ),
            (
                "checkov.io/skip3",
                "CKV_K8S_43=released by immutable version tags"
            ),
            (
                "checkov.io/skip4",
                "CKV_K8S_8=a readiness probe would cut long uploads off"
            ),
            (
                "checkov.io/skip5",
                "CKV_K8S_9=a readiness probe would cut long uploads off"
            ),
            (
                "ignore-check.kube-linter.io/no-liveness-probe",
                "a readiness probe would cut long uploads off"
            ),
            (
                "ignore-check.kube-linter.io/no-readiness-probe",
                "a readiness probe would cut long uploads off"
            ),
            (
                "ignore-check.kube-linter.io/read-secret-from-env-var",
                "the app reads its database URL only from the environment"
            ),
        ])
    );
    assert_eq!(
        annotations(&items, "CronJob", "shop-report"),
        map(&[
            (
                "checkov.io/skip1",
                "CKV_K8S_14=the report image is rebuilt nightly and pinned by digest"
            ),
            (
                "checkov.io/skip2",
                "CKV_K8S_43=released by immutable version tags"
            ),
            (
                "ignore-check.kube-linter.io/latest-tag",
                "the report image is rebuilt nightly and pinned by digest"
            ),
        ])
    );
    // Nothing else carries a skip: not the pods (checkov and kube-linter read the
    // workload's own metadata), the headless or metrics Services, the ConfigMaps…
    for o in &items {
        let kind = o["kind"].as_str().unwrap();
        if ["Deployment", "Job", "CronJob", "Role", "RoleBinding"].contains(&kind)
            || (kind == "Service" && o["metadata"]["name"] == "shop-api")
        {
            continue;
        }
        let text = o.to_string();
        assert!(
            !text.contains("checkov.io/") && !text.contains("kube-linter.io/"),
            "{kind}: {text}"
        );
    }
}

/// kube-linter's documented format: `ignore-check.kube-linter.io/<check>` with the name of
/// one of its built-in checks (docs/generated/checks.md), the reason as the value, on an
/// object of a kind that check reads.
#[test]
fn kube_linter_skips_name_its_built_in_checks_on_the_kinds_they_read() {
    // Check name → the kinds it reports (kube-linter's templates: deployment-like objects,
    // services, RBAC bindings and roles).
    let workloads = ["Deployment", "StatefulSet", "Job", "CronJob"];
    let documented: BTreeMap<&str, &[&str]> = [
        ("latest-tag", &workloads[..]),
        ("no-liveness-probe", &workloads[..]),
        ("no-readiness-probe", &workloads[..]),
        ("no-read-only-root-fs", &workloads[..]),
        ("read-secret-from-env-var", &workloads[..]),
        ("exposed-services", &["Service"][..]),
        ("access-to-secrets", &["Role", "RoleBinding"][..]),
    ]
    .into_iter()
    .collect();
    let items = render_items(
        Test::new()
            .file("platform.yaml", exemptions())
            .file("overlays/dev.yaml", ""),
    );
    let mut seen = BTreeSet::new();
    for o in &items {
        let kind = o["kind"].as_str().unwrap();
        for (key, value) in o["metadata"]["annotations"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let Some(check) = key.strip_prefix("ignore-check.kube-linter.io/") else {
                continue;
            };
            let kinds = documented
                .get(check)
                .unwrap_or_else(|| panic!("`{check}` is not a kube-linter check"));
            assert!(kinds.contains(&kind), "`{check}` on a {kind}");
            let reason = value.as_str().unwrap();
            assert!(
                !reason.trim().is_empty() && exemptions().contains(reason),
                "`{check}`: {reason:?} is not a reason the spec states"
            );
            seen.insert(check);
        }
    }
    let all: BTreeSet<&str> = documented.keys().copied().collect();
    assert_eq!(seen, all, "each mapped kube-linter check is exercised");
}

#[test]
fn a_reason_with_an_equals_sign_is_refused_at_its_position_with_nothing_on_stdout() {
    let spec = exemptions().replace(
        "\"the image owns its files as user 1000\"",
        "\"uid=1000 owns the image's files\"",
    );
    Test::new()
        .file("platform.yaml", &spec)
        .file("overlays/dev.yaml", "")
        .args(["render", "dev"])
        .stderr(
            "error[invalid-reason]: the reason for suppressing `low-user-id` contains `=`
  --> platform.yaml:18:20
   |
18 |       low-user-id: \"uid=1000 owns the image's files\"
   |                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ `=` here
   |
   = help: write it without `=`: the reason becomes checkov's skip annotation `ID=reason`, which checkov splits at `=`

",
        )
        .status(1)
        .run();
    let relax = exemptions().replace(
        "the app unpacks plugins next to itself",
        "plugins=unpacked beside the binary",
    );
    Test::new()
        .file("platform.yaml", &relax)
        .file("overlays/dev.yaml", "")
        .args(["render", "dev"])
        .stderr(
            "error[invalid-reason]: the reason for `writableRootFilesystem` contains `=`
  --> platform.yaml:13:67
   |
13 |     security: { runAsUser: 1000, relax: { writableRootFilesystem: \"plugins=unpacked beside the binary\" } }
   |                                                                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ `=` here
   |
   = help: write it without `=`: the reason becomes checkov's skip annotation `ID=reason`, which checkov splits at `=`

",
        )
        .status(1)
        .run();
}

#[test]
fn defaults_and_jobs_suppress_only_checks_that_exist_with_a_reason() {
    let spec = exemptions()
        .replace(
            "suppress: { image-without-digest:",
            "suppress: { image-without-digets:",
        )
        .replace(
            "suppress: { image-latest: \"the report image is rebuilt nightly and pinned by digest\" }",
            "suppress: { image-latest: \"\" }",
        );
    Test::new()
        .file("platform.yaml", &spec)
        .file("overlays/dev.yaml", "")
        .args(["validate", "dev"])
        .stderr(
            "environment `dev`:
error[unknown-check]: there is no check `image-without-digets` to suppress
 --> platform.yaml:4:15
  |
4 |   suppress: { image-without-digets: \"released by immutable version tags\" }
  |               ^^^^^^^^^^^^^^^^^^^^ not a check code
  |
  = help: did you mean `image-without-digest`?

error[suppression-without-reason]: suppressing `image-latest` needs a reason
  --> platform.yaml:29:17
   |
29 |     suppress: { image-latest: \"\" }
   |                 ^^^^^^^^^^^^ no reason given
   |
   = help: write why: `image-latest: \"<reason>\"`

checked 1 environment (dev): 2 errors, 0 warnings, 1 note (-v shows them)
",
        )
        .status(1)
        .run();
}

/// The projects whose every render checkov scans: the reference platform and the examples.
fn projects() -> Vec<(String, PathBuf)> {
    let mut out = vec![("gorax".to_string(), root())];
    for name in ["ai-workflow-engine", "apparatus", "industriverse"] {
        out.push((name.to_string(), root().join("examples").join(name)));
    }
    out
}

/// checkov, once over a folder of every render: no failed check, and every skipped one
/// carries a reason its project's spec states.
#[test]
fn checkov_finds_nothing_in_any_render_of_the_reference_and_the_examples() {
    let checkov = tool("checkov", "WFK_CHECKOV");
    let folder = crate::support::TempDir::new();
    let mut specs = BTreeMap::new();
    for (name, dir) in projects() {
        let mut text = String::new();
        for file in [
            "platform.yaml",
            "overlays/dev.yaml",
            "overlays/staging.yaml",
            "overlays/prod.yaml",
        ] {
            text.push_str(&std::fs::read_to_string(dir.join(file)).unwrap());
        }
        specs.insert(name.clone(), text);
        for env in ["dev", "staging", "prod"] {
            let out = Command::new(env!("CARGO_BIN_EXE_wfk"))
                .args(["--dir", dir.to_str().unwrap(), "render", env])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{name}/{env}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::fs::write(
                folder.path().join(format!("{name}-{env}.yaml")),
                &out.stdout,
            )
            .unwrap();
        }
    }
    let out = Command::new(&checkov)
        .args(["--directory"])
        .arg(folder.path())
        .args(["--framework", "kubernetes", "--output", "json", "--compact"])
        .current_dir(folder.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let summary = &report["summary"];
    assert_eq!(
        summary["resource_count"].as_u64().map(|n| n > 300),
        Some(true),
        "{summary}"
    );
    assert_eq!(summary["parsing_errors"], 0, "{summary}");
    let failed: Vec<String> = report["results"]["failed_checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| format!("{} {} {}", f["check_id"], f["file_path"], f["resource"]))
        .collect();
    assert!(
        failed.is_empty(),
        "checkov failed checks:\n{}",
        failed.join("\n")
    );
    assert_eq!(out.status.code(), Some(0), "{summary}");
    let skipped = report["results"]["skipped_checks"]
        .as_array()
        .expect("skipped checks");
    let token = "the API token is mounted for the access rules the spec grants this component";
    let mut ids = BTreeSet::new();
    for record in skipped {
        let file = record["file_path"].as_str().unwrap();
        let project = specs
            .keys()
            .find(|p| {
                Path::new(file)
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with(&format!("{p}-"))
            })
            .unwrap();
        let reason = record["check_result"]["suppress_comment"].as_str().unwrap();
        assert!(
            reason == token || specs[project].contains(reason),
            "{file}: {} skipped for {reason:?}, which its spec does not state",
            record["check_id"]
        );
        ids.insert(record["check_id"].as_str().unwrap().to_string());
    }
    let expected: BTreeSet<String> = [
        "CKV2_K8S_5",
        "CKV_K8S_35",
        "CKV_K8S_38",
        "CKV_K8S_40",
        "CKV_K8S_43",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(ids, expected);
}
