//! The example projects under examples/ (seeds 000, 002 and 003): every environment renders
//! with nothing on stderr, `wfk validate` finds nothing to fix, kubernetes-validate accepts
//! every render (crd.rs checks its custom resources), each example renders every object its
//! guide deploys, overlays repeat no value, and examples/README.md's table is what
//! `examples/count-lines --check` prints.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every example and the environments each defines.
const EXAMPLES: [&str; 3] = ["industriverse", "ai-workflow-engine", "apparatus"];
const ENVS: [&str; 3] = ["dev", "staging", "prod"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder of an example project.
pub fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

/// Every (example, environment): the renders kubernetes-validate reads below, and whose
/// custom resources tests/it/crd.rs checks.
pub fn renders() -> impl Iterator<Item = (&'static str, &'static str)> {
    EXAMPLES
        .iter()
        .flat_map(|name| ENVS.iter().map(move |env| (*name, *env)))
}

/// What a program printed, and how it ended.
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(program: &Path, args: &[&str], cwd: &Path) -> Run {
    let output = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    Run {
        status: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `wfk --dir examples/NAME ARGS…`, run from the system's temporary folder.
fn wfk(name: &str, args: &[&str]) -> Run {
    let dir = example(name);
    let mut all = vec!["--dir", dir.to_str().expect("a UTF-8 path")];
    all.extend_from_slice(args);
    run(
        Path::new(env!("CARGO_BIN_EXE_wfk")),
        &all,
        &std::env::temp_dir(),
    )
}

/// `wfk ARGS…` on an example, which must exit 0 with an empty stderr; its stdout.
fn wfk_ok(name: &str, args: &[&str]) -> String {
    let out = wfk(name, args);
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (Some(0), ""),
        "`wfk --dir examples/{name} {}` must exit 0 with nothing on stderr",
        args.join(" ")
    );
    assert!(
        !out.stdout.is_empty(),
        "`wfk {}` printed nothing",
        args.join(" ")
    );
    out.stdout
}

/// The objects of `wfk render ENV --format json` (with `--set`s), from its `v1` `List`.
fn objects(name: &str, env: &str, sets: &[&str]) -> Vec<Value> {
    let mut args = vec!["render", env, "-o", "json"];
    for set in sets {
        args.extend(["--set", set]);
    }
    let list: Value = serde_json::from_str(&wfk_ok(name, &args)).expect("JSON");
    assert_eq!(
        (&list["apiVersion"], &list["kind"]),
        (&"v1".into(), &"List".into())
    );
    list["items"].as_array().expect("a List has items").clone()
}

fn key(object: &Value) -> (String, String) {
    let text = |v: &Value| v.as_str().unwrap_or("?").to_string();
    (text(&object["kind"]), text(&object["metadata"]["name"]))
}

/// The one object of `kind` named `name`.
fn find<'a>(items: &'a [Value], kind: &str, name: &str) -> &'a Value {
    let found: Vec<&Value> = items
        .iter()
        .filter(|o| key(o) == (kind.into(), name.into()))
        .collect();
    assert_eq!(found.len(), 1, "exactly one {kind}/{name}");
    found[0]
}

/// Asserts that every `(kind, name)` is rendered; a name ending in `-*` is a prefix (a Job's
/// name ends with a hash of its spec).
fn assert_renders(name: &str, env: &str, expected: &[(&str, &str)]) {
    let items = objects(name, env, &[]);
    let keys: Vec<(String, String)> = items.iter().map(key).collect();
    let missing: Vec<String> = expected
        .iter()
        .filter(|(kind, object)| {
            !keys.iter().any(|(k, n)| match object.strip_suffix('*') {
                Some(prefix) => k == kind && n.starts_with(prefix),
                None => k == kind && n == object,
            })
        })
        .map(|(kind, object)| format!("{kind}/{object}"))
        .collect();
    assert!(
        missing.is_empty(),
        "examples/{name} ({env}) does not render {}; it renders:\n{}",
        missing.join(", "),
        keys.iter()
            .map(|(k, n)| format!("  {k}/{n}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_example_renders_every_environment_with_nothing_on_stderr() {
    for name in EXAMPLES {
        let envs = wfk(name, &["envs"]);
        assert_eq!(
            (envs.status, envs.stdout.as_str(), envs.stderr.as_str()),
            (Some(0), "dev\nprod\nstaging\n", ""),
            "examples/{name}: `wfk envs`"
        );
        for env in ENVS {
            let yaml = wfk_ok(name, &["render", env]);
            assert!(
                yaml.starts_with("---\napiVersion: v1\nkind: Namespace\n"),
                "{name}/{env}"
            );
        }
    }
}

#[test]
fn validate_finds_no_errors_or_warnings_in_any_example() {
    for name in EXAMPLES {
        let text = wfk(name, &["validate"]);
        assert_eq!(
            (text.status, text.stdout.as_str()),
            (Some(0), ""),
            "examples/{name}"
        );
        let clean = "checked 3 environments (dev, prod, staging): 0 errors, 0 warnings";
        assert!(
            text.stderr == format!("{clean}\n")
                || crate::support::matches(
                    &format!("{clean}, [..] (-v shows them)\n"),
                    &text.stderr
                ),
            "examples/{name}: `wfk validate` printed {:?}",
            text.stderr
        );
        let json: Value = serde_json::from_str(&wfk_ok(name, &["validate", "--format", "json"]))
            .expect("validate --format json is JSON");
        let findings = json["findings"].as_array().expect("findings");
        let serious: Vec<&Value> = findings
            .iter()
            .filter(|f| f["severity"] != "info")
            .collect();
        assert!(serious.is_empty(), "examples/{name}: {serious:#?}");
    }
}

/// One kubernetes-validate per render (it cannot read stdin twice), run side by side,
/// strictly, against the oldest and the newest supported Kubernetes.
#[test]
fn kubernetes_validate_strict_accepts_every_render_of_every_example() {
    let validate = root().join(".venv/bin/kubernetes-validate");
    assert!(
        validate.is_file(),
        "`{}` is missing: run `scripts/test.sh`, which installs kubernetes-validate into .venv",
        validate.display()
    );
    let tmp = crate::support::TempDir::new();
    let runs: Vec<_> = renders()
        .map(|(name, env)| {
            let file = tmp.path().join(format!("{name}-{env}.yaml"));
            std::fs::write(&file, wfk_ok(name, &["render", env])).unwrap();
            let (validate, cwd) = (validate.clone(), tmp.path().to_path_buf());
            let thread = std::thread::spawn(move || {
                let file = file.to_str().unwrap().to_string();
                let args = ["--strict", "--quiet", "-k", "1.33", "-k", "1.37", &file];
                run(&validate, &args, &cwd)
            });
            (format!("{name}/{env}"), thread)
        })
        .collect();
    let mut failures = Vec::new();
    for (what, thread) in runs {
        let out = thread.join().unwrap();
        // kubernetes-validate has no schemas for custom resources: it warns about each and
        // checks nothing. tests/it/crd.rs checks them against their CRDs, except ClusterIssuer,
        // exempt there because no registry package ships its CRD. Any other line fails.
        let unexpected: Vec<&str> = out
            .stdout
            .lines()
            .chain(out.stderr.lines())
            .filter(|line| !crate::crd::is_warning_of_a_custom_kind(line))
            .collect();
        if out.status != Some(0) || !unexpected.is_empty() {
            failures.push(format!(
                "{what}: exit {:?}\n{}",
                out.status,
                unexpected.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "kubernetes-validate --strict rejected a render:\n{}",
        failures.join("\n")
    );
}

#[test]
fn industriverse_renders_everything_its_guide_deploys() {
    assert_renders(
        "industriverse",
        "prod",
        &[
            ("Namespace", "workflow-automation"),
            ("ConfigMap", "workflow-automation-config"),
            ("ConfigMap", "workflow-automation-logging"),
            ("ServiceAccount", "workflow-vault-auth"),
            ("StatefulSet", "workflow-db"),
            ("Service", "workflow-db"),
            ("StatefulSet", "workflow-telemetry-db"),
            ("Service", "workflow-telemetry-db"),
            ("Deployment", "workflow-api-server"),
            ("Service", "workflow-api-server"),
            ("Deployment", "workflow-engine"),
            ("Deployment", "workflow-agents"),
            ("Deployment", "workflow-n8n-integration"),
            ("Service", "workflow-n8n-integration"),
            ("Ingress", "workflow"),
            ("HorizontalPodAutoscaler", "workflow-api-server"),
            ("HorizontalPodAutoscaler", "workflow-engine"),
            ("ServiceMonitor", "workflow-api-server"),
            ("CronJob", "workflow-db-backup"),
            ("PersistentVolumeClaim", "workflow-db-backup-backups"),
            ("Job", "workflow-db-migration-*"),
            ("NetworkPolicy", "workflow-api-server"),
        ],
    );
}

#[test]
fn industriverse_overlays_change_single_keys_of_config_yaml() {
    let config = |env: &str| -> Value {
        let items = objects("industriverse", env, &[]);
        let map = find(&items, "ConfigMap", "workflow-automation-config");
        let text = map["data"]["config.yaml"]
            .as_str()
            .expect("config.yaml is text");
        serde_saphyr::from_str(text).expect("config.yaml is YAML")
    };
    let (dev, prod) = (config("dev"), config("prod"));
    assert_eq!(dev["workflow_engine"]["telemetry"]["retention_days"], 7);
    assert_eq!(prod["workflow_engine"]["telemetry"]["retention_days"], 90);
    assert_eq!(dev["api"]["rate_limiting"]["enabled"], false);
    assert_eq!(
        prod["api"]["rate_limiting"],
        serde_json::json!({ "enabled": true, "requests_per_minute": 300 })
    );
    // Every key the overlays leave alone is the base's.
    assert_eq!(dev["databases"], prod["databases"]);
    assert_eq!(
        dev["workflow_engine"]["execution_modes"],
        prod["workflow_engine"]["execution_modes"]
    );
}

#[test]
fn industriverse_backups_write_to_their_claim_and_the_api_is_reached_from_the_ingress_controller() {
    let items = objects("industriverse", "prod", &[]);
    let backup = find(&items, "CronJob", "workflow-db-backup");
    let pod = &backup["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let volume = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["persistentVolumeClaim"]["claimName"] == "workflow-db-backup-backups")
        .expect("a volume from the backup claim");
    let mounts = pod["containers"][0]["volumeMounts"].as_array().unwrap();
    assert!(
        mounts
            .iter()
            .any(|m| m["name"] == volume["name"] && m["mountPath"] == "/backups")
    );
    let policy = find(&items, "NetworkPolicy", "workflow-api-server");
    let from_controller = policy["spec"]["ingress"]
        .as_array()
        .unwrap()
        .iter()
        .any(|rule| {
            rule["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                == "ingress-nginx"
                && rule["ports"][0]["port"] == 8080
        });
    assert!(from_controller, "{policy:#}");
    let egress: Vec<i64> = policy["spec"]["egress"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|rule| {
            rule["ports"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|p| p["port"].as_i64())
        })
        .collect();
    assert!(
        egress.contains(&5432) && egress.contains(&27017),
        "{egress:?}"
    );
}

#[test]
fn industriverse_deployments_roll_a_quarter_of_their_pods_at_a_time() {
    let items = objects("industriverse", "prod", &[]);
    for name in ["api-server", "engine", "agents", "n8n-integration"] {
        let deployment = find(&items, "Deployment", &format!("workflow-{name}"));
        assert_eq!(
            deployment["spec"]["strategy"],
            serde_json::json!({
                "type": "RollingUpdate",
                "rollingUpdate": { "maxSurge": "25%", "maxUnavailable": "25%" }
            }),
            "{name}"
        );
    }
}

#[test]
fn ai_workflow_engine_renders_everything_its_guide_deploys() {
    assert_renders(
        "ai-workflow-engine",
        "prod",
        &[
            ("Namespace", "ai-workflow-engine-production"),
            ("StorageClass", "ai-workflow-engine-ssd"),
            ("StorageClass", "ai-workflow-engine-nvme"),
            ("ConfigMap", "api-config"),
            ("ConfigMap", "postgres-config"),
            ("StatefulSet", "ai-workflow-engine-postgres"),
            ("StatefulSet", "ai-workflow-engine-redis"),
            ("StatefulSet", "ai-workflow-engine-qdrant"),
            ("Service", "ai-workflow-engine-postgres-headless"),
            ("Deployment", "ai-workflow-engine-api"),
            ("Service", "ai-workflow-engine-api"),
            ("Deployment", "ai-workflow-engine-webui"),
            ("Service", "ai-workflow-engine-webui"),
            ("Deployment", "ai-workflow-engine-worker"),
            ("HorizontalPodAutoscaler", "ai-workflow-engine-api"),
            ("PodDisruptionBudget", "ai-workflow-engine-api"),
            ("PodDisruptionBudget", "ai-workflow-engine-postgres"),
            ("NetworkPolicy", "ai-workflow-engine-api"),
            ("Ingress", "ai-workflow-engine"),
            ("ClusterIssuer", "letsencrypt-prod"),
        ],
    );
}

#[test]
fn ai_workflow_engine_api_waits_for_postgres_migrates_and_scales_on_requests() {
    let items = objects("ai-workflow-engine", "prod", &[]);
    let api = find(&items, "Deployment", "ai-workflow-engine-api");
    let pod = &api["spec"]["template"]["spec"];
    let init: Vec<&str> = pod["initContainers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(init, ["wait-for-postgres", "run-migrations"]);
    assert_eq!(
        pod["containers"][0]["envFrom"],
        serde_json::json!([{ "configMapRef": { "name": "api-config" } }, { "secretRef": { "name": "api-secrets" } }])
    );
    let hpa = &find(&items, "HorizontalPodAutoscaler", "ai-workflow-engine-api")["spec"];
    let pods_metric = hpa["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["type"] == "Pods")
        .unwrap();
    assert_eq!(
        pods_metric["pods"]["metric"]["name"],
        "http_requests_per_second"
    );
    assert_eq!(
        hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"],
        300
    );
    assert_eq!(hpa["behavior"]["scaleUp"]["selectPolicy"], "Max");
    let classes: BTreeMap<&str, &str> = ["postgres", "redis", "qdrant"]
        .into_iter()
        .map(|db| {
            let set = find(&items, "StatefulSet", &format!("ai-workflow-engine-{db}"));
            (
                db,
                set["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"]
                    .as_str()
                    .unwrap(),
            )
        })
        .collect();
    assert_eq!(classes["postgres"], "ai-workflow-engine-ssd");
    assert_eq!(classes["qdrant"], "ai-workflow-engine-nvme");
    // Egress to exactly the three databases (DNS is the platform-wide policy).
    let policy = find(&items, "NetworkPolicy", "ai-workflow-engine-api");
    let mut to: Vec<&str> = policy["spec"]["egress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                .as_str()
                .unwrap()
        })
        .collect();
    to.sort();
    assert_eq!(to, ["postgres", "qdrant", "redis"]);
    let ingress = find(&items, "Ingress", "ai-workflow-engine");
    let hosts: Vec<&str> = ingress["spec"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["aiwfe.com", "api.aiwfe.com"]);
    let annotations = &ingress["metadata"]["annotations"];
    assert_eq!(
        annotations["nginx.ingress.kubernetes.io/rewrite-target"],
        "/$1"
    );
    assert_eq!(annotations["nginx.ingress.kubernetes.io/limit-rpm"], "100");
}

#[test]
fn apparatus_renders_everything_its_guide_deploys() {
    assert_renders(
        "apparatus",
        "prod",
        &[
            ("Namespace", "inquisitor-system"),
            ("ConfigMap", "inquisitor-config"),
            ("StatefulSet", "inquisitor-raft"),
            ("Service", "inquisitor-raft"),
            ("Service", "inquisitor-raft-headless"),
            ("Service", "inquisitor-raft-metrics"),
            ("ServiceAccount", "inquisitor-raft"),
            ("Role", "inquisitor-raft"),
            ("RoleBinding", "inquisitor-raft"),
            ("NetworkPolicy", "inquisitor-raft"),
        ],
    );
}

#[test]
fn apparatus_services_and_pod_identity() {
    let items = objects("apparatus", "prod", &[]);
    let ports = |name: &str| -> (String, Vec<String>) {
        let spec = &find(&items, "Service", name)["spec"];
        let names = spec["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string());
        (
            spec["type"].as_str().unwrap_or("headless").to_string(),
            names.collect(),
        )
    };
    assert_eq!(
        ports("inquisitor-raft"),
        ("LoadBalancer".into(), vec!["http".into()])
    );
    assert_eq!(
        ports("inquisitor-raft-headless"),
        ("headless".into(), vec!["http".into(), "raft".into()])
    );
    assert_eq!(
        ports("inquisitor-raft-metrics"),
        ("ClusterIP".into(), vec!["http".into()])
    );
    let metrics = find(&items, "Service", "inquisitor-raft-metrics");
    assert_eq!(
        metrics["metadata"]["annotations"]["prometheus.io/scrape"],
        "true"
    );
    let set = find(&items, "StatefulSet", "inquisitor-raft");
    let claims: Vec<&str> = set["spec"]["volumeClaimTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(claims, ["artifacts", "manifests"]);
    let env = &set["spec"]["template"]["spec"]["containers"][0]["env"];
    for (var, field) in [
        ("POD_NAME", "metadata.name"),
        ("POD_NAMESPACE", "metadata.namespace"),
    ] {
        let found = env
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == var)
            .expect(var);
        assert_eq!(found["valueFrom"]["fieldRef"]["fieldPath"], field);
    }
}

/// `RAFT_PEERS` of the Raft StatefulSet, and its replicas.
fn raft_peers(env: &str, sets: &[&str]) -> (i64, String) {
    let items = objects("apparatus", env, sets);
    let set = find(&items, "StatefulSet", "inquisitor-raft");
    let vars = set["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .unwrap();
    let peers = vars
        .iter()
        .find(|e| e["name"] == "RAFT_PEERS")
        .expect("RAFT_PEERS");
    (
        set["spec"]["replicas"].as_i64().unwrap(),
        peers["value"].as_str().unwrap().to_string(),
    )
}

fn peer_list(n: usize) -> String {
    (0..n)
        .map(|i| format!("inquisitor-raft-{i}.inquisitor-raft-headless:4321"))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn apparatus_raft_peers_follow_the_replica_count() {
    assert_eq!(raft_peers("staging", &[]), (3, peer_list(3)));
    assert_eq!(
        raft_peers("staging", &["components.raft.replicas=5"]),
        (5, peer_list(5))
    );
    assert_eq!(raft_peers("prod", &[]), (5, peer_list(5)));
}

/// Every leaf of a YAML value with its dotted path.
fn leaves(value: &Value, path: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                leaves(v, format!("{path}.{k}"), out);
            }
        }
        other => out.push((path, other.to_string())),
    }
}

/// A value shared by several overlays belongs in platform.yaml.
#[test]
fn no_overlay_repeats_a_value_of_another() {
    for name in EXAMPLES {
        let mut seen: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
        for env in ENVS {
            let file = example(name).join("overlays").join(format!("{env}.yaml"));
            let text = std::fs::read_to_string(&file).unwrap();
            let value: Value = serde_saphyr::from_str(&text).expect("an overlay is YAML");
            let mut found = Vec::new();
            leaves(&value, String::new(), &mut found);
            for leaf in found {
                seen.entry(leaf).or_default().push(env);
            }
        }
        let repeated: Vec<String> = seen
            .iter()
            .filter(|(_, envs)| envs.len() > 1)
            .map(|((path, value), envs)| format!("{path} = {value} in {}", envs.join(", ")))
            .collect();
        assert!(
            repeated.is_empty(),
            "examples/{name}: {}",
            repeated.join("; ")
        );
    }
}

/// examples/README.md holds the table `examples/count-lines --check` prints, which fails
/// when a spec is over 35% of its guide's YAML.
#[test]
fn readme_table_is_what_count_lines_prints_and_every_spec_is_at_most_35_percent() {
    let script = root().join("examples").join("count-lines");
    let out = run(
        Path::new("python3"),
        &[script.to_str().unwrap(), "--check"],
        &root(),
    );
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (Some(0), ""),
        "examples/count-lines --check printed:\n{}",
        out.stdout
    );
    let readme = std::fs::read_to_string(root().join("examples").join("README.md")).unwrap();
    assert!(
        readme.contains(&out.stdout),
        "examples/README.md's table differs from `examples/count-lines`; paste its output:\n{}",
        out.stdout
    );
}
