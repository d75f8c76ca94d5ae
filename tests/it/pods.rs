//! Pods as real platforms run them: tests/projects/pods (seed 002's Ollama on a GPU node,
//! seed 001's workload identity, a native sidecar, pull secrets, anti-affinity, a Recreate
//! rollout) through `explain`, `diff` between environments and the JSON Schema; and every
//! update the API server refuses, found by `diff --against` an earlier render at the spec or
//! patch line that makes it. Its render is in render.rs's goldens, kubernetes-validate and
//! restricted-profile checks; its errors in tests/cases and tests/checks.
//!
//! Golden file: tests/golden/diff/pods-test-prod.txt is `wfk diff test prod` of the project;
//! `WFK_BLESS=1 cargo test --test it pods` rewrites it.

use crate::render_support::{project, root};
use crate::support::{Output, Test};
use serde_json::Value;

/// A temporary copy of a project under tests/projects/: platform.yaml, overlays/*.yaml.
fn copy(name: &str) -> Test {
    let dir = project(name);
    let mut test = Test::new().file(
        "platform.yaml",
        std::fs::read(dir.join("platform.yaml")).unwrap(),
    );
    for entry in std::fs::read_dir(dir.join("overlays")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        test = test.file(format!("overlays/{name}"), std::fs::read(&path).unwrap());
    }
    test
}

// 1. explain: each new field, with the line that set it and what it overrode.

#[test]
fn explain_names_the_line_of_each_pod_setting() {
    let cases: &[(&str, &str)] = &[
        (
            "components.ollama.placement.tolerations.nvidia.com/gpu",
            "components.ollama.placement.tolerations.nvidia.com/gpu: NoSchedule\n  set at platform.yaml:43:25\n",
        ),
        (
            "components.ollama.resources.extended.nvidia.com/gpu",
            "components.ollama.resources.extended.nvidia.com/gpu: 2\n  set at overlays/prod.yaml:7:46\n  overrides 1  platform.yaml:36:74\n",
        ),
        (
            "components.ollama.placement.nodeSelector.cloud.google.com/gke-accelerator",
            "components.ollama.placement.nodeSelector.cloud.google.com/gke-accelerator: nvidia-h100-80gb\n  set at overlays/prod.yaml:9:57\n  overrides nvidia-l4  platform.yaml:41:57\n",
        ),
        (
            "components.ollama.placement.nodes.required",
            "components.ollama.placement.nodes.required:\n    kubernetes.io/arch:\n    - amd64\n  set at platform.yaml:46:19\n",
        ),
        (
            "components.ollama.rollout.strategy",
            "components.ollama.rollout.strategy: Recreate\n  set at platform.yaml:48:26\n",
        ),
        (
            "components.api.sidecars.sql-proxy.args",
            "components.api.sidecars.sql-proxy.args:\n    - --port=5432\n    - example-project:europe-west1:pods-prod\n  set at overlays/prod.yaml:14:26\n  overrides [\"--port=5432\",\"example-project:europe-west1:pods\"]  platform.yaml:24:15\n",
        ),
        (
            "components.api.serviceAccount.annotations.eks.amazonaws.com/role-arn",
            "components.api.serviceAccount.annotations.eks.amazonaws.com/role-arn: \"arn:aws:iam::210987654321:role/pods-api\"\n  set at overlays/prod.yaml:12:50\n  overrides \"arn:aws:iam::123456789012:role/pods-api\"  platform.yaml:27:50\n",
        ),
        (
            "defaults.pullSecrets",
            "defaults.pullSecrets:\n    - registry-credentials\n    - prod-registry\n  set at overlays/prod.yaml:4:16\n  overrides [\"registry-credentials\"]  platform.yaml:10:16\n",
        ),
        (
            "components.worker.priorityClass",
            "components.worker.priorityClass: batch-low\n  set at overlays/prod.yaml:16:20\n",
        ),
        (
            "components.worker.placement.apart",
            "components.worker.placement.apart: node\n  set at overlays/prod.yaml:17:25\n  overrides {\"across\":\"zone\",\"required\":true}  platform.yaml:54:14\n",
        ),
    ];
    for (path, expected) in cases {
        copy("pods")
            .args(["explain", "prod", path])
            .stdout(*expected)
            .run();
    }
}

// 2. diff between environments: each changed pod setting with the lines on both sides.

#[test]
fn diff_of_two_environments_names_the_line_behind_each_pod_setting() {
    let file = root().join("tests/golden/diff/pods-test-prod.txt");
    let test = copy("pods").args(["diff", "test", "prod"]);
    if std::env::var_os("WFK_BLESS").is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(&file, test.output().stdout).unwrap();
    }
    let expected = std::fs::read_to_string(&file).unwrap();
    for line in [
        "    spec.template.spec.containers[ollama].resources.limits.nvidia.com/gpu: 1 → 2   (platform.yaml:36:74 → overlays/prod.yaml:7:46)",
        "    spec.template.spec.nodeSelector.cloud.google.com/gke-accelerator: nvidia-l4 → nvidia-h100-80gb   (platform.yaml:41:57 → overlays/prod.yaml:9:57)",
        "    spec.template.spec.priorityClassName: (none) → batch-low   (default → overlays/prod.yaml:16:20)",
        "    spec.template.spec.imagePullSecrets[prod-registry]: (none) → {\"name\":\"prod-registry\"}   (platform.yaml:10:16 → overlays/prod.yaml:4:16)",
        "    metadata.annotations.eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/pods-api → arn:aws:iam::210987654321:role/pods-api   (platform.yaml:27:50 → overlays/prod.yaml:12:50)",
    ] {
        assert!(
            expected.lines().any(|l| l == line),
            "the golden file has `{line}`:\n{expected}"
        );
    }
    // A sidecar's field names the `sidecars` entry, not an init container.
    assert!(
        expected.contains(
            "initContainers[sql-proxy].args: [\"--port=5432\",\"example-project:europe-west1:pods\"] → [\"--port=5432\",\"example-project:europe-west1:pods-prod\"]   (platform.yaml:24:15 → overlays/prod.yaml:14:26)"
        ),
        "{expected}"
    );
    test.stdout(expected).status(1).run();
}

// 3. The JSON Schema documents each new field.

#[test]
fn the_schema_describes_every_pod_setting() {
    let out = Test::new().args(["schema"]).output();
    assert_eq!((out.status, out.stderr.as_str()), (Some(0), ""));
    let schema: Value = serde_json::from_str(&out.stdout).unwrap();
    let definitions = &schema["definitions"];
    let described = |definition: &str, field: &str| {
        let d = &definitions[definition]["properties"][field]["description"];
        assert!(
            d.as_str().is_some_and(|s| s.len() > 20),
            "{definition}.{field} has a description: {}",
            definitions[definition]
        );
    };
    for field in [
        "placement",
        "priorityClass",
        "sidecars",
        "pullSecrets",
        "serviceAccount",
    ] {
        described("Component", field);
    }
    for field in ["nodeSelector", "tolerations", "nodes", "apart", "near"] {
        described("Placement", field);
    }
    for field in ["value", "effect", "seconds"] {
        described("Toleration", field);
    }
    for field in ["required", "preferred"] {
        described("NodeAffinity", field);
    }
    for field in ["image", "command", "args", "env", "resources"] {
        described("Sidecar", field);
    }
    for field in ["name", "annotations"] {
        described("ServiceAccount", field);
    }
    described("Resources", "extended");
    described("Rollout", "strategy");
    for field in ["pullSecrets", "priorityClass", "serviceAccount"] {
        described("Defaults", field);
    }
}

// 4. Updates the API server refuses, against an earlier render.

/// The `full` project (a StatefulSet with a claim template, a Deployment with a claim, a
/// Job, Services), rendered into before.yaml, then `extra` appended to its overlay:
/// `wfk diff test --against before.yaml`.
fn against_earlier_render(extra: impl Fn(&str) -> String) -> Output {
    let before = copy("full").args(["render", "test"]).output();
    assert_eq!(before.status, Some(0), "{}", before.stderr);
    let overlay = std::fs::read_to_string(project("full").join("overlays/test.yaml")).unwrap();
    copy("full")
        .file("before.yaml", &before.stdout)
        .file("overlays/test.yaml", overlay + &extra(&before.stdout))
        .args(["diff", "test", "--against", "before.yaml"])
        .output()
}

/// A diff run that found differences (exit 1, the diff on stdout) and exactly one refused
/// update, whose message, position and way out are as given.
fn refused(out: &Output, message: &str, at: &str, way_out: &str) {
    assert_eq!(out.status, Some(1), "stderr:\n{}", out.stderr);
    assert!(out.stdout.contains(" changed, "), "{}", out.stdout);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        (lines.first().copied(), lines.get(1).map(|l| l.trim())),
        (
            Some(format!("error[immutable-field]: {message}").as_str()),
            Some(format!("--> {at}").as_str())
        ),
        "stderr:\n{}",
        out.stderr
    );
    let help = lines
        .iter()
        .find(|l| {
            l.trim_start()
                .starts_with("= help: the API server refuses this update")
        })
        .unwrap_or_else(|| panic!("a help line: {}", out.stderr));
    assert!(help.contains(way_out), "`{way_out}` in {help}");
    assert_eq!(
        out.stderr.matches("error[immutable-field]").count(),
        1,
        "{}",
        out.stderr
    );
}

#[test]
fn a_claim_template_size_changed_in_an_overlay_is_refused_at_its_line() {
    let out = against_earlier_render(|_| {
        "components:\n  db:\n    storage: { data: { size: 5Gi } }\n".into()
    });
    refused(
        &out,
        "StatefulSet `full-db` cannot change `spec.volumeClaimTemplates[data].spec.resources.requests.storage` in place: 1Gi → 5Gi",
        "overlays/test.yaml:5:30",
        "kubectl delete statefulset full-db -n full-test --cascade=orphan",
    );
}

#[test]
fn a_claim_template_storage_class_change_is_refused() {
    let out = against_earlier_render(|_| {
        "components:\n  db:\n    storage: { data: { class: standard } }\n".into()
    });
    refused(
        &out,
        "StatefulSet `full-db` cannot change `spec.volumeClaimTemplates[data].spec.storageClassName` in place: fast → standard",
        "overlays/test.yaml:5:31",
        "--cascade=orphan",
    );
}

#[test]
fn a_pod_management_change_is_refused_and_its_default_is_not() {
    let out = against_earlier_render(|_| {
        "components:\n  db:\n    rollout: { podManagement: Parallel }\n".into()
    });
    refused(
        &out,
        "StatefulSet `full-db` cannot change `spec.podManagementPolicy` in place: (none) → Parallel",
        "overlays/test.yaml:5:31",
        "--cascade=orphan",
    );
    // The server's default, written out, changes nothing on the live object.
    let out = against_earlier_render(|_| {
        "components:\n  db:\n    rollout: { podManagement: OrderedReady }\n".into()
    });
    assert_eq!((out.status, out.stderr.as_str()), (Some(1), ""));
}

#[test]
fn a_stateful_sets_service_name_changed_by_a_patch_is_refused_at_the_patch() {
    let out = against_earlier_render(|_| {
        "patches:\n  StatefulSet/full-db: { spec: { serviceName: full-db-peers } }\n".into()
    });
    refused(
        &out,
        "StatefulSet `full-db` cannot change `spec.serviceName` in place: full-db-headless → full-db-peers",
        "overlays/test.yaml:4:47",
        "--cascade=orphan",
    );
}

#[test]
fn selectors_changed_by_a_patch_are_refused() {
    for (kind, name, label, way_out) in [
        ("StatefulSet", "full-db", "db", "--cascade=orphan"),
        (
            "Deployment",
            "full-api",
            "api",
            "kubectl delete deployment full-api -n full-test",
        ),
    ] {
        let out = against_earlier_render(|_| {
            format!(
                "patches:\n  {kind}/{name}:\n    spec:\n      selector: {{ matchLabels: {{ tier: {label} }} }}\n      template: {{ metadata: {{ labels: {{ tier: {label} }} }} }}\n"
            )
        });
        refused(
            &out,
            &format!(
                "{kind} `{name}` cannot change `spec.selector.matchLabels.tier` in place: (none) → {label}"
            ),
            "overlays/test.yaml:6:40",
            way_out,
        );
    }
}

#[test]
fn a_jobs_template_changed_under_the_same_name_is_refused() {
    let out = against_earlier_render(|before| {
        let job = before
            .split_whitespace()
            .find(|w| w.starts_with("full-migrate-"))
            .expect("the Job's hashed name");
        format!(
            "patches:\n  Job/{job}: {{ spec: {{ template: {{ spec: {{ activeDeadlineSeconds: 600 }} }} }} }}\n"
        )
    });
    let lines: Vec<&str> = out.stderr.lines().collect();
    let job = lines[0]
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("{}", out.stderr));
    refused(
        &out,
        &format!(
            "Job `{job}` cannot change `spec.template.spec.activeDeadlineSeconds` in place: (none) → 600"
        ),
        "overlays/test.yaml:4:83",
        &format!("kubectl delete job {job} -n full-test"),
    );
}

#[test]
fn a_jobs_changed_spec_is_a_new_job_not_a_refused_update() {
    let out = against_earlier_render(|_| "jobs:\n  migrate: { backoffLimit: 5 }\n".into());
    assert_eq!((out.status, out.stderr.as_str()), (Some(1), ""));
    assert!(out.stdout.contains("~ Job full-migrate-"), "{}", out.stdout);
}

#[test]
fn a_services_cluster_ip_changed_by_a_patch_is_refused() {
    let out = against_earlier_render(|_| {
        "patches:\n  Service/full-api: { spec: { clusterIP: None } }\n".into()
    });
    refused(
        &out,
        "Service `full-api` cannot change `spec.clusterIP` in place: (none) → None",
        "overlays/test.yaml:4:42",
        "kubectl delete service full-api -n full-test",
    );
}

#[test]
fn a_claims_class_access_and_shrinking_are_refused_and_growing_is_not() {
    for (change, message, at) in [
        (
            "class: standard",
            "`spec.storageClassName` in place: fast → standard",
            "overlays/test.yaml:4:39",
        ),
        (
            "access: ReadWriteMany",
            "`spec.accessModes` in place: [\"ReadWriteOnce\"] → [\"ReadWriteMany\"]",
            "overlays/test.yaml:4:40",
        ),
        (
            "size: 512Mi",
            "`spec.resources.requests.storage` in place: 1Gi → 512Mi",
            "overlays/test.yaml:4:38",
        ),
    ] {
        let out = against_earlier_render(|_| {
            format!("components:\n  api: {{ storage: {{ uploads: {{ {change} }} }} }}\n")
        });
        refused(
            &out,
            &format!("PersistentVolumeClaim `full-api-uploads` cannot change {message}"),
            at,
            "under a new name",
        );
    }
    let out = against_earlier_render(|_| {
        "components:\n  api: { storage: { uploads: { size: 2Gi } } }\n".into()
    });
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (Some(1), ""),
        "a claim may grow"
    );
}

#[test]
fn fields_the_server_filled_in_are_never_refused() {
    // `kubectl get -o yaml` of the live objects: what the render set, plus what the server
    // added (an assigned cluster IP, claim templates' volume mode and status, defaults).
    let before = copy("full").args(["render", "test", "-o", "json"]).output();
    let mut list: Value = serde_json::from_str(&before.stdout).unwrap();
    for item in list["items"].as_array_mut().unwrap() {
        item["metadata"]["uid"] = "0b9c2a7e-5a51-4c1e-9d8e-000000000001".into();
        item["metadata"]["resourceVersion"] = "4711".into();
        match item["kind"].as_str().unwrap() {
            "Service" if item["spec"]["clusterIP"].is_null() => {
                item["spec"]["clusterIP"] = "10.96.0.42".into();
                item["spec"]["clusterIPs"] = serde_json::json!(["10.96.0.42"]);
            }
            "StatefulSet" => {
                item["spec"]["podManagementPolicy"] = "OrderedReady".into();
                for claim in item["spec"]["volumeClaimTemplates"].as_array_mut().unwrap() {
                    claim["spec"]["volumeMode"] = "Filesystem".into();
                    claim["status"] = serde_json::json!({ "phase": "Pending" });
                }
            }
            "Job" => {
                let labels = &mut item["spec"]["template"]["metadata"]["labels"];
                labels["batch.kubernetes.io/controller-uid"] = "0b9c2a7e".into();
                item["spec"]["selector"] = serde_json::json!({ "matchLabels": { "batch.kubernetes.io/controller-uid": "0b9c2a7e" } });
            }
            _ => {}
        }
        item["status"] = serde_json::json!({});
    }
    let out = copy("full")
        .file("live.json", list.to_string())
        .args(["diff", "test", "--against", "live.json"])
        .output();
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (Some(1), ""),
        "server-filled fields differ, and none is a refused update:\n{}",
        out.stdout
    );
}

#[test]
fn json_lists_the_refused_updates_as_findings() {
    let out = {
        let before = copy("full").args(["render", "test"]).output();
        let overlay = std::fs::read_to_string(project("full").join("overlays/test.yaml")).unwrap();
        copy("full")
            .file("before.yaml", &before.stdout)
            .file(
                "overlays/test.yaml",
                overlay + "components:\n  db:\n    storage: { data: { size: 5Gi } }\n",
            )
            .args([
                "diff",
                "test",
                "--against",
                "before.yaml",
                "--format",
                "json",
            ])
            .output()
    };
    assert_eq!((out.status, out.stderr.as_str()), (Some(1), ""));
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(
        (
            f["code"].as_str(),
            f["severity"].as_str(),
            f["file"].as_str(),
            f["line"].as_u64(),
            f["column"].as_u64()
        ),
        (
            Some("immutable-field"),
            Some("error"),
            Some("overlays/test.yaml"),
            Some(5),
            Some(30)
        )
    );
    assert!(
        f["help"]
            .as_str()
            .is_some_and(|h| h.contains("--cascade=orphan")),
        "{f}"
    );
}

/// A probe or an ingress route without a port goes to the first port by name, whatever
/// order the spec writes them in (so shuffling keys never changes the output): seed 002's
/// Qdrant (`ports: { http: 6333, grpc: 6334 }`) names `port: http` for its HTTP probes.
#[test]
fn a_probe_or_route_without_a_port_uses_the_first_port_by_name() {
    let spec = |ports: &str| {
        format!(
            "platform: shop
defaults: {{ resources: {{ cpu: 100m/500m, memory: 128Mi/256Mi }} }}
ingress: {{ hosts: {{ db.example.com: {{ paths: {{ /: qdrant }} }} }} }}
components:
  qdrant:
    image: qdrant/qdrant:v1.12.4-unprivileged
    ports: {ports}
    probes: {{ liveness: /healthz, readiness: {{ http: /readyz, port: http }} }}
"
        )
    };
    for ports in ["{ http: 6333, grpc: 6334 }", "{ grpc: 6334, http: 6333 }"] {
        let out = Test::new()
            .file("platform.yaml", spec(ports))
            .file("overlays/dev.yaml", "")
            .args(["render", "dev", "-o", "json"])
            .output();
        assert_eq!((out.status, out.stderr.as_str()), (Some(0), ""));
        let json: Value = serde_json::from_str(&out.stdout).unwrap();
        let items = json["items"].as_array().unwrap();
        let kind = |k: &str| items.iter().find(|o| o["kind"] == k).unwrap();
        let container = &kind("Deployment")["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(
            container["livenessProbe"]["httpGet"]["port"], "grpc",
            "{ports}"
        );
        assert_eq!(
            container["readinessProbe"]["httpGet"]["port"], "http",
            "{ports}"
        );
        assert_eq!(
            kind("Ingress")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"]["name"],
            "grpc",
            "{ports}"
        );
    }
}
