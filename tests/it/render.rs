//! `wfk render`: the reference platform (seed 001's Gorax, at the repository root) and the
//! small projects under tests/projects/, checked against golden files, kubernetes-validate,
//! k8s-openapi's types, the restricted Pod Security Standard, seed 001's Environments table,
//! a YAML 1.1 reader, and the command line's promises (`--output-dir`, `-o`, closed pipes, determinism).
//!
//! Golden files: tests/golden/<project>/<env>.yaml is `wfk render <env>` byte for byte;
//! `WFK_BLESS=1 cargo test --test it render` rewrites them. Review their diff like code.

use crate::render_support::{
    ENVS, Run, TempDir, documents, find, first_difference, key, library, list_items, of_kind,
    project, render, render_json, reversed_yaml, root, run_program, tool, wfk_bin, wfk_in, wfk_ok,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wfk::build::object::Object;
use wfk::emit::{self, Format};

/// Every (project folder, environment) the checks below run on: the reference platform's
/// three environments, a project with every pod-bearing kind (Job, CronJob, init containers,
/// RBAC, mounts, claims), one with every pod setting (placement, sidecars, pull secrets,
/// workload identity, extended resources), and the YAML 1.1 project. tests/it/crd.rs checks
/// their custom resources.
pub fn all_renders() -> Vec<(PathBuf, &'static str)> {
    let mut out: Vec<(PathBuf, &'static str)> = ENVS.iter().map(|e| (root(), *e)).collect();
    out.push((project("full"), "test"));
    out.push((project("pods"), "test"));
    out.push((project("pods"), "prod"));
    out.push((project("yaml11"), "test"));
    out
}

/// A short label of a render, for messages.
fn label(dir: &Path, env: &str) -> String {
    let name = if dir == root() {
        "gorax".to_string()
    } else {
        dir.file_name().unwrap().to_string_lossy().into_owned()
    };
    format!("{name}/{env}")
}

// 1. Golden files.

#[test]
fn golden_files_equal_the_render_of_each_environment() {
    let bless = std::env::var_os("WFK_BLESS").is_some();
    let mut cases: Vec<(PathBuf, &str, PathBuf)> = ENVS
        .iter()
        .map(|env| (root(), *env, golden("gorax", env)))
        .collect();
    cases.push((project("full"), "test", golden("full", "test")));
    cases.push((project("pods"), "test", golden("pods", "test")));
    cases.push((project("pods"), "prod", golden("pods", "prod")));
    let mut failures = Vec::new();
    for (dir, env, file) in cases {
        let actual = render(&dir, env);
        if bless {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &actual).unwrap();
        }
        let expected = std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e}; run `WFK_BLESS=1 cargo test --test it render` to write it",
                file.display()
            )
        });
        if actual != expected {
            failures.push(format!(
                "{} differs from `wfk render {env}`: {}",
                file.display(),
                first_difference(&actual, &expected)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nIf the change is intended, run `WFK_BLESS=1 cargo test --test it render` and \
         review the golden files' diff.",
        failures.join("\n")
    );
}

fn golden(project: &str, env: &str) -> PathBuf {
    root()
        .join("tests")
        .join("golden")
        .join(project)
        .join(format!("{env}.yaml"))
}

// 2. kubernetes-validate, and the JSON format.

/// Every render validated strictly against the oldest (1.33) and newest (1.37) supported
/// schemas, one kubernetes-validate per file, run side by side. `--quiet` prints only
/// warnings and failures, so a kind without a schema (a warning, exit 0) also fails the
/// test, except the custom kinds that tests/it/crd.rs checks against their CRDs or exempts
/// (ClusterIssuer: no registry package ships its CRD). The JSON format holds the same
/// objects (the next test), so it is not run again.
#[test]
fn kubernetes_validate_strict_accepts_every_render_at_1_33_and_1_37() {
    let validate = tool("kubernetes-validate", "WFK_KUBERNETES_VALIDATE");
    let tmp = TempDir::new();
    let runs: Vec<_> = all_renders()
        .into_iter()
        .map(|(dir, env)| {
            let what = label(&dir, env);
            let file = tmp.write(
                &format!("{}.yaml", what.replace('/', "-")),
                &render(&dir, env),
            );
            let validate = validate.clone();
            let cwd = tmp.path().to_path_buf();
            let thread = std::thread::spawn(move || {
                let args = ["--strict", "--quiet", "-k", "1.33", "-k", "1.37"];
                let file = file.to_str().unwrap();
                run_program(&validate, &[&args[..], &[file]].concat(), &cwd)
            });
            (what, thread)
        })
        .collect();
    let failures: Vec<String> = runs
        .into_iter()
        .map(|(what, thread)| (what, thread.join().unwrap()))
        .filter(|(_, run)| {
            let mut lines = run.stdout.lines().chain(run.stderr.lines());
            run.status != Some(0)
                || lines.any(|line| !crate::crd::is_warning_of_a_custom_kind(line))
        })
        .map(|(what, run)| {
            format!(
                "{what}: exit {:?}\n{}{}",
                run.status, run.stdout, run.stderr
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "kubernetes-validate --strict rejected a render:\n{}",
        failures.join("\n")
    );
}

/// `--format json` is a `v1` `List` whose items are the YAML stream's documents, in the same
/// order, as PyYAML (a YAML 1.1 reader, as kubectl is) reads them.
#[test]
fn json_format_is_a_v1_list_of_the_yaml_streams_objects() {
    let tmp = TempDir::new();
    for (dir, env) in all_renders() {
        let what = label(&dir, env);
        let yaml = render(&dir, env);
        let items = list_items(&wfk_ok(&dir, &["render", env, "-o", "json"]));
        let from_yaml = py_yaml_load_all(&tmp, &yaml);
        assert_eq!(
            from_yaml.len(),
            documents(&yaml).len(),
            "{what}: one object per document"
        );
        assert_eq!(
            items.iter().map(key).collect::<Vec<_>>(),
            from_yaml.iter().map(key).collect::<Vec<_>>(),
            "{what}: the same objects in the same order"
        );
        for (item, doc) in items.iter().zip(&from_yaml) {
            assert_eq!(
                item,
                doc,
                "{what}: {} differs between JSON and YAML",
                key(item)
            );
        }
    }
}

/// The YAML stream's documents as PyYAML's `safe_load_all` reads them. A value PyYAML
/// retypes into something JSON has no word for (a date) comes back as `<type: repr>`, so it
/// differs from every string.
fn py_yaml_load_all(tmp: &TempDir, yaml: &str) -> Vec<Value> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = tmp.write(&format!("stream-{n}.yaml"), yaml);
    let python = tool("python", "WFK_PYTHON");
    let script = "import json, sys, yaml\n\
                  docs = list(yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')))\n\
                  print(json.dumps(docs, default=lambda v: '<%s: %r>' % (type(v).__name__, v)))\n";
    let run = run_program(&python, &["-c", script, file.to_str().unwrap()], tmp.path());
    assert_eq!(
        (run.status, run.stderr.as_str()),
        (Some(0), ""),
        "PyYAML could not read the render"
    );
    serde_json::from_str::<Vec<Value>>(&run.stdout).expect("the script prints JSON")
}

// 3. Typed round trip, and the binary against the library.

/// Each object of the library's render serializes to JSON, deserializes into its k8s-openapi
/// type (which checks `apiVersion` and `kind`), and serializes to the same JSON; the binary's
/// YAML document for it deserializes into an equal typed value.
#[test]
fn every_object_round_trips_through_its_k8s_openapi_type() {
    for (dir, env) in all_renders() {
        let what = label(&dir, env);
        let (_, objects) = library(&dir, env, &[]);
        let docs = documents(&render(&dir, env));
        assert_eq!(docs.len(), objects.len(), "{what}: one document per object");
        for (object, doc) in objects.iter().zip(&docs) {
            let context = format!("{what}: {}/{}", object.kind(), object.name());
            typed_round_trip(object, doc, &context);
        }
    }
}

fn typed_round_trip(object: &Object, doc: &str, context: &str) {
    macro_rules! each_kind {
        ($($kind:ident)*) => {
            match object {
                $(Object::$kind(o) => round_trip(&**o, doc, context),)*
                // A custom resource (a ServiceMonitor, a template's ExternalSecret) has no
                // typed kind: it round-trips as JSON, and tests/it/crd.rs checks its schema.
                Object::Custom(_) => round_trip(&serde_json::to_value(object).unwrap(), doc, context),
                #[allow(unreachable_patterns)]
                _ => panic!("{context}: add {} to `typed_round_trip`", object.kind()),
            }
        };
    }
    each_kind! {
        Namespace StorageClass ServiceAccount Role RoleBinding ConfigMap PersistentVolumeClaim
        Service Deployment StatefulSet Job CronJob HorizontalPodAutoscaler PodDisruptionBudget
        NetworkPolicy Ingress
    }
}

fn round_trip<T>(object: &T, doc: &str, context: &str)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_value(object).unwrap();
    let back: T = serde_json::from_value(json.clone())
        .unwrap_or_else(|e| panic!("{context}: its JSON does not read back: {e}"));
    assert_eq!(&back, object, "{context}: changed by a JSON round trip");
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        json,
        "{context}: JSON differs after a round trip"
    );
    let from_yaml: T = serde_saphyr::from_str(doc)
        .unwrap_or_else(|e| panic!("{context}: its YAML does not read back: {e}\n{doc}"));
    assert_eq!(
        &from_yaml, object,
        "{context}: its YAML reads back different"
    );
}

#[test]
fn binary_output_equals_the_library_render() {
    for (dir, env) in all_renders() {
        let what = label(&dir, env);
        let (_, objects) = library(&dir, env, &[]);
        for (format, flag) in [(Format::Yaml, "yaml"), (Format::Json, "json")] {
            let expected = emit::to_string(&objects, format).unwrap();
            let actual = wfk_ok(&dir, &["render", env, "-o", flag]);
            assert!(
                actual == expected,
                "{what} --format {flag}: binary and library differ: {}",
                first_difference(&actual, &expected)
            );
        }
        assert_eq!(
            render(&dir, env),
            wfk_ok(&dir, &["render", env, "-o", "yaml"]),
            "{what}: YAML is the default format"
        );
    }
}

// 4. Pod Security Standard "restricted", resources, service-account tokens.

/// The volume types the restricted profile allows.
const RESTRICTED_VOLUMES: [&str; 8] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

#[test]
fn every_pod_template_meets_the_restricted_pod_security_standard() {
    let mut kinds_seen = BTreeSet::new();
    let mut problems = Vec::new();
    for (dir, env) in all_renders() {
        let what = label(&dir, env);
        let (platform, _) = library(&dir, env, &[]);
        let items = render_json(&dir, env, &[]);
        let namespace = find(&items, "Namespace", platform.namespace());
        for mode in ["enforce", "audit", "warn"] {
            assert_eq!(
                namespace["metadata"]["labels"][format!("pod-security.kubernetes.io/{mode}")],
                "restricted",
                "{what}: the namespace {mode}s the restricted profile"
            );
        }
        for object in &items {
            let template = match object["kind"].as_str().unwrap() {
                "Deployment" | "StatefulSet" | "Job" => &object["spec"]["template"],
                "CronJob" => &object["spec"]["jobTemplate"]["spec"]["template"],
                "Pod" | "ReplicaSet" | "DaemonSet" | "ReplicationController" => {
                    panic!("{what}: add {} to this test", key(object))
                }
                _ => continue,
            };
            kinds_seen.insert(object["kind"].as_str().unwrap().to_string());
            let name = template["metadata"]["labels"]["app.kubernetes.io/name"]
                .as_str()
                .unwrap_or_else(|| panic!("{what}: {} pods have a name label", key(object)));
            let access = platform
                .components
                .get(name)
                .is_some_and(|c| c.access.is_some());
            let mut report = |p: String| problems.push(format!("{what}: {}: {p}", key(object)));
            check_pod(&template["spec"], access, &mut report);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        kinds_seen,
        BTreeSet::from(["CronJob", "Deployment", "Job", "StatefulSet"].map(String::from)),
        "every pod-bearing kind was checked"
    );
}

fn check_pod(pod: &Value, access: bool, report: &mut impl FnMut(String)) {
    let security = &pod["securityContext"];
    if security["runAsNonRoot"] != true {
        report("pod securityContext.runAsNonRoot is not true".into());
    }
    match security["runAsUser"].as_i64() {
        Some(0) => report("pod runs as user 0".into()),
        Some(_) => {}
        None => report("pod securityContext.runAsUser is not a number".into()),
    }
    if security["seccompProfile"]["type"] != "RuntimeDefault" {
        report("pod seccompProfile is not RuntimeDefault".into());
    }
    for field in ["sysctls", "seLinuxOptions", "windowsOptions"] {
        if !security[field].is_null() {
            report(format!("pod securityContext.{field} is set"));
        }
    }
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod[field] == true {
            report(format!("pod sets {field}"));
        }
    }
    if pod["automountServiceAccountToken"] != access {
        report(format!(
            "automountServiceAccountToken is {}, expected {access} (the component {} `access`)",
            pod["automountServiceAccountToken"],
            if access { "has" } else { "has no" }
        ));
    }
    for volume in pod["volumes"].as_array().into_iter().flatten() {
        let types: Vec<&String> = volume
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "name")
            .collect();
        if types.len() != 1 || !RESTRICTED_VOLUMES.contains(&types[0].as_str()) {
            report(format!(
                "volume {} has type(s) {types:?}; restricted allows {RESTRICTED_VOLUMES:?}",
                volume["name"]
            ));
        }
    }
    if pod["containers"].as_array().is_none_or(|c| c.is_empty()) {
        report("pod has no containers".into());
    }
    if !pod["ephemeralContainers"].is_null() {
        report("pod has ephemeral containers".into());
    }
    for list in ["containers", "initContainers"] {
        for c in pod[list].as_array().into_iter().flatten() {
            let mut report = |p: String| report(format!("{list} {}: {p}", c["name"]));
            check_container(c, &mut report);
        }
    }
}

fn check_container(c: &Value, report: &mut impl FnMut(String)) {
    let security = &c["securityContext"];
    if security["allowPrivilegeEscalation"] != false {
        report("allowPrivilegeEscalation is not false".into());
    }
    if security["privileged"] == true {
        report("is privileged".into());
    }
    if security["readOnlyRootFilesystem"] != true {
        report("readOnlyRootFilesystem is not true".into());
    }
    if !security["runAsNonRoot"].is_null() && security["runAsNonRoot"] != true {
        report("runAsNonRoot is false".into());
    }
    if security["runAsUser"] == 0 {
        report("runs as user 0".into());
    }
    let seccomp = &security["seccompProfile"]["type"];
    if !seccomp.is_null() && seccomp != "RuntimeDefault" && seccomp != "Localhost" {
        report(format!("seccompProfile is {seccomp}"));
    }
    if !security["procMount"].is_null() && security["procMount"] != "Default" {
        report("procMount is not Default".into());
    }
    for field in ["seLinuxOptions", "windowsOptions", "appArmorProfile"] {
        if !security[field].is_null() {
            report(format!("securityContext.{field} is set"));
        }
    }
    let capabilities = &security["capabilities"];
    let drop: Vec<&str> = capabilities["drop"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !drop.contains(&"ALL") {
        report(format!("capabilities.drop is {drop:?}, without ALL"));
    }
    for add in capabilities["add"].as_array().into_iter().flatten() {
        if add != "NET_BIND_SERVICE" {
            report(format!("adds capability {add}"));
        }
    }
    for port in c["ports"].as_array().into_iter().flatten() {
        if port["hostPort"].as_i64().is_some_and(|p| p != 0) {
            report(format!("uses hostPort {}", port["hostPort"]));
        }
    }
    for side in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            if c["resources"][side][resource]
                .as_str()
                .is_none_or(str::is_empty)
            {
                report(format!("has no {resource} {side}"));
            }
        }
    }
}

/// The checker above is not vacuous: a pod that breaks each rule gets each report.
#[test]
fn the_pod_security_check_reports_each_violation() {
    let pod = json!({
        "securityContext": { "runAsUser": 0, "seccompProfile": { "type": "Unconfined" } },
        "hostNetwork": true,
        "automountServiceAccountToken": true,
        "volumes": [{ "name": "host", "hostPath": { "path": "/" } }],
        "containers": [{
            "name": "bad",
            "ports": [{ "containerPort": 80, "hostPort": 80 }],
            "resources": { "requests": { "cpu": "1" } },
            "securityContext": {
                "allowPrivilegeEscalation": true,
                "privileged": true,
                "capabilities": { "add": ["SYS_ADMIN", "NET_BIND_SERVICE"] },
            },
        }],
    });
    let mut problems = Vec::new();
    check_pod(&pod, false, &mut |p| problems.push(p));
    let expected = [
        "pod securityContext.runAsNonRoot is not true",
        "pod runs as user 0",
        "pod seccompProfile is not RuntimeDefault",
        "pod sets hostNetwork",
        "automountServiceAccountToken is true, expected false (the component has no `access`)",
        "volume \"host\" has type(s) [\"hostPath\"]; restricted allows [\"configMap\", \"csi\", \
         \"downwardAPI\", \"emptyDir\", \"ephemeral\", \"persistentVolumeClaim\", \"projected\", \
         \"secret\"]",
        "containers \"bad\": allowPrivilegeEscalation is not false",
        "containers \"bad\": is privileged",
        "containers \"bad\": readOnlyRootFilesystem is not true",
        "containers \"bad\": capabilities.drop is [], without ALL",
        "containers \"bad\": adds capability \"SYS_ADMIN\"",
        "containers \"bad\": uses hostPort 80",
        "containers \"bad\": has no memory requests",
        "containers \"bad\": has no cpu limits",
        "containers \"bad\": has no memory limits",
    ];
    assert_eq!(problems, expected);
}

// 5. Secrets are referenced, never written.

#[test]
fn no_secret_is_ever_rendered() {
    for (dir, env) in all_renders() {
        let what = label(&dir, env);
        let yaml = render(&dir, env);
        assert!(
            !yaml.lines().any(|l| l.trim_start() == "kind: Secret"),
            "{what}: the YAML stream has a Secret"
        );
        let items = render_json(&dir, env, &[]);
        assert!(
            of_kind(&items, "Secret").is_empty(),
            "{what}: the JSON list has a Secret"
        );
    }
}

// 6. Determinism.

#[test]
fn rendering_twice_gives_the_same_bytes() {
    for (dir, env) in all_renders() {
        for format in ["yaml", "json"] {
            let args = ["render", env, "-o", format];
            assert!(
                wfk_ok(&dir, &args) == wfk_ok(&dir, &args),
                "{} --format {format}: two renders differ",
                label(&dir, env)
            );
        }
    }
}

/// A copy of the reference project with every mapping's keys in reverse order (comments
/// dropped, quoting kept) renders the same bytes in every environment.
#[test]
fn key_order_in_the_spec_does_not_change_the_output() {
    let tmp = TempDir::new();
    let original = std::fs::read_to_string(root().join("platform.yaml")).unwrap();
    let reversed = reversed_yaml(&original);
    tmp.write("platform.yaml", &reversed);
    for entry in std::fs::read_dir(root().join("overlays")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_str().unwrap();
            tmp.write(&format!("overlays/{name}"), &reversed_yaml(&text));
        }
    }
    copy_tree(&root().join("templates"), &tmp.path().join("templates"));
    // The copy really is reversed: its top-level keys come in the opposite order.
    let top = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with([' ', '#', '-']) && l.contains(':'))
            .map(|l| l.split(':').next().unwrap().to_string())
            .collect()
    };
    let mut expected = top(&original);
    expected.reverse();
    assert_eq!(
        top(&reversed),
        expected,
        "platform.yaml's keys are reversed"
    );
    for env in ENVS {
        let a = render(&root(), env);
        let b = render(tmp.path(), env);
        assert!(
            a == b,
            "{env}: reversing the spec's key order changed the output: {}",
            first_difference(&b, &a)
        );
    }
}

/// The writer the test above uses: keys reversed at every depth, lists kept in order,
/// quoted scalars quoted (escaped), plain ones plain, empty collections and nulls kept.
#[test]
fn reversed_yaml_reverses_keys_and_keeps_quoting() {
    let text = r#"a: "10"
b: [x, "y \"z\"", { p: 1, q: 2 }]
c: { d: 1, e: "", f: {}, g: [], h: null, i: }
"#;
    let expected = r#"c:
  i:
  h: null
  g: []
  f: {}
  e: ""
  d: 1
b:
  - x
  - "y \"z\""
  -
    q: 2
    p: 1
a: "10"
"#;
    assert_eq!(reversed_yaml(text), expected);
    // And it reads back as the same tree, key order aside.
    let again = reversed_yaml(&reversed_yaml(text));
    assert_eq!(reversed_yaml(&again), expected);
}

/// Copies a folder tree, if it exists.
fn copy_tree(from: &Path, to: &Path) {
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    std::fs::create_dir_all(to).unwrap();
    for entry in entries {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

// 7. Seed 001's Environments table, number by number.

/// One row of the table, per environment (seed 001, "Environments").
struct Row {
    env: &'static str,
    namespace: &'static str,
    replicas: [i64; 2],
    /// cpu request/limit of api and worker, where the table gives them.
    cpu: [Option<(&'static str, &'static str)>; 2],
    /// memory request/limit of api and worker.
    memory: [(&'static str, &'static str); 2],
    /// HPA (min, max) of api and worker; None: no autoscaler.
    hpa: Option<[(i64, i64); 2]>,
    hosts: [&'static str; 2],
    log_level: &'static str,
    zone_spread: bool,
    /// PDB minAvailable, where the table gives it.
    pdb_min_available: Option<i64>,
}

const WORKLOADS: [&str; 2] = ["api", "worker"];

/// The autoscalers' CPU and memory utilisation targets: api 70/80, worker 75/85.
const HPA_TARGETS: [(i64, i64); 2] = [(70, 80), (75, 85)];

fn check_row(row: &Row) {
    let items = render_json(&root(), row.env, &[]);
    let env = row.env;
    // Namespace: the Namespace object, and every other object in it.
    assert_eq!(of_kind(&items, "Namespace").len(), 1);
    find(&items, "Namespace", row.namespace);
    for object in items.iter().filter(|o| o["kind"] != "Namespace") {
        assert_eq!(
            object["metadata"]["namespace"],
            row.namespace,
            "{env}: {} is in {}",
            key(object),
            row.namespace
        );
    }
    for (i, workload) in WORKLOADS.into_iter().enumerate() {
        let name = format!("gorax-{workload}");
        let deployment = find(&items, "Deployment", &name);
        let spec = &deployment["spec"];
        // Replicas: the Deployment's own, or under an autoscaler (which owns `replicas`, so
        // an apply never scales it back down) the autoscaler's minimum.
        let hpas: Vec<&Value> = of_kind(&items, "HorizontalPodAutoscaler")
            .into_iter()
            .filter(|h| h["metadata"]["name"] == name.as_str())
            .collect();
        match hpas.as_slice() {
            [] => assert_eq!(
                spec["replicas"], row.replicas[i],
                "{env}: {workload} replicas"
            ),
            [hpa] => {
                assert!(
                    spec["replicas"].is_null(),
                    "{env}: {workload} leaves replicas to its autoscaler"
                );
                assert_eq!(
                    hpa["spec"]["minReplicas"], row.replicas[i],
                    "{env}: {workload} replicas (the autoscaler's minimum)"
                );
            }
            _ => panic!("{env}: {workload} has one autoscaler at most"),
        }
        let pod = &spec["template"]["spec"];
        let containers = pod["containers"].as_array().unwrap();
        assert_eq!(containers.len(), 1, "{env}: {workload} has one container");
        let resources = &containers[0]["resources"];
        if let Some((request, limit)) = row.cpu[i] {
            assert_eq!(
                (&resources["requests"]["cpu"], &resources["limits"]["cpu"]),
                (&json!(request), &json!(limit)),
                "{env}: {workload} cpu request/limit"
            );
        }
        let (request, limit) = row.memory[i];
        assert_eq!(
            (
                &resources["requests"]["memory"],
                &resources["limits"]["memory"]
            ),
            (&json!(request), &json!(limit)),
            "{env}: {workload} memory request/limit"
        );
        // LOG_LEVEL comes from the config map, whose value is the table's.
        let log = containers[0]["env"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == "LOG_LEVEL")
            .unwrap_or_else(|| panic!("{env}: {workload} has LOG_LEVEL"));
        assert_eq!(
            log["valueFrom"]["configMapKeyRef"],
            json!({ "name": "gorax-config", "key": "log-level" }),
            "{env}: {workload} LOG_LEVEL"
        );
        // Zone spread.
        let spread = pod["topologySpreadConstraints"].as_array();
        if row.zone_spread {
            let spread = spread.unwrap_or_else(|| panic!("{env}: {workload} spreads"));
            assert_eq!(
                spread.len(),
                1,
                "{env}: {workload} has one spread constraint"
            );
            assert_eq!(spread[0]["topologyKey"], "topology.kubernetes.io/zone");
            assert_eq!(
                spread[0]["labelSelector"], spec["selector"],
                "{env}: {workload} spreads its own pods"
            );
        } else {
            assert!(spread.is_none(), "{env}: {workload} has no spread");
        }
        // Autoscaler.
        match row.hpa {
            None => assert!(hpas.is_empty(), "{env}: {workload} has no autoscaler"),
            Some(ranges) => {
                assert_eq!(hpas.len(), 1, "{env}: {workload} has an autoscaler");
                let hpa = &hpas[0]["spec"];
                let (min, max) = ranges[i];
                assert_eq!(
                    (&hpa["minReplicas"], &hpa["maxReplicas"]),
                    (&json!(min), &json!(max)),
                    "{env}: {workload} autoscaler range"
                );
                assert_eq!(
                    hpa["scaleTargetRef"],
                    json!({ "apiVersion": "apps/v1", "kind": "Deployment", "name": name }),
                    "{env}: {workload} autoscaler target"
                );
                let (cpu, memory) = HPA_TARGETS[i];
                assert_eq!(
                    hpa["metrics"],
                    json!([
                        { "type": "Resource", "resource": { "name": "cpu",
                            "target": { "type": "Utilization", "averageUtilization": cpu } } },
                        { "type": "Resource", "resource": { "name": "memory",
                            "target": { "type": "Utilization", "averageUtilization": memory } } },
                    ]),
                    "{env}: {workload} autoscaler targets"
                );
            }
        }
        // Disruption budget.
        let pdbs: Vec<&Value> = of_kind(&items, "PodDisruptionBudget")
            .into_iter()
            .filter(|p| p["metadata"]["name"] == name.as_str())
            .collect();
        if let Some(min) = row.pdb_min_available {
            assert_eq!(pdbs.len(), 1, "{env}: {workload} has a disruption budget");
            assert_eq!(
                pdbs[0]["spec"]["minAvailable"], min,
                "{env}: {workload} minAvailable"
            );
        }
        for pdb in pdbs {
            assert_eq!(pdb["spec"]["selector"], spec["selector"]);
            // A budget that needs every replica up blocks every node drain.
            let min = pdb["spec"]["minAvailable"].as_i64().unwrap();
            assert!(
                min < row.replicas[i],
                "{env}: {workload} minAvailable {min} < replicas"
            );
        }
    }
    // Log level.
    let config = find(&items, "ConfigMap", "gorax-config");
    assert_eq!(
        config["data"]["log-level"], row.log_level,
        "{env}: log level"
    );
    // Hosts, with TLS for each.
    let ingress = find(&items, "Ingress", "gorax");
    let rules: Vec<(&str, &str, &str)> = ingress["spec"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["http"]["paths"].as_array().unwrap().iter().map(|p| {
                (
                    r["host"].as_str().unwrap(),
                    p["path"].as_str().unwrap(),
                    p["backend"]["service"]["name"].as_str().unwrap(),
                )
            })
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            (row.hosts[0], "/", "gorax-api"),
            (row.hosts[1], "/webhooks", "gorax-api")
        ],
        "{env}: hosts"
    );
    assert_eq!(
        ingress["spec"]["tls"],
        json!([{ "hosts": row.hosts, "secretName": "gorax-tls" }]),
        "{env}: TLS"
    );
    assert_eq!(
        ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"], "letsencrypt-prod",
        "{env}: cert-manager issues the certificate"
    );
}

#[test]
fn seed_001_environments_table_development() {
    check_row(&Row {
        env: "dev",
        namespace: "gorax-dev",
        replicas: [1, 1],
        cpu: [Some(("100m", "250m")), Some(("100m", "250m"))],
        memory: [("128Mi", "256Mi"), ("128Mi", "256Mi")],
        hpa: None,
        hosts: ["api.dev.gorax.io", "webhooks.dev.gorax.io"],
        log_level: "debug",
        zone_spread: false,
        pdb_min_available: None,
    });
}

#[test]
fn seed_001_environments_table_staging() {
    check_row(&Row {
        env: "staging",
        namespace: "gorax-staging",
        replicas: [2, 2],
        cpu: [Some(("200m", "400m")), Some(("200m", "400m"))],
        memory: [("192Mi", "384Mi"), ("192Mi", "384Mi")],
        hpa: Some([(2, 6), (2, 10)]),
        hosts: ["api.staging.gorax.io", "webhooks.staging.gorax.io"],
        log_level: "info",
        zone_spread: false,
        pdb_min_available: None,
    });
}

#[test]
fn seed_001_environments_table_production() {
    check_row(&Row {
        env: "prod",
        namespace: "gorax-prod",
        replicas: [3, 3],
        // The table gives production's memory only.
        cpu: [None, None],
        memory: [("256Mi", "512Mi"), ("512Mi", "1Gi")],
        hpa: Some([(3, 20), (3, 30)]),
        hosts: ["api.gorax.io", "webhooks.gorax.io"],
        log_level: "warn",
        zone_spread: true,
        pdb_min_available: Some(2),
    });
}

// 8. Stateful components and network paths.

#[test]
fn postgres_and_redis_are_stateful_sets_with_a_headless_service_and_claims() {
    for env in ENVS {
        let items = render_json(&root(), env, &[]);
        // Prod's Postgres is a managed database outside the cluster (an endpoint).
        let stores: &[(&str, i64)] = if env == "prod" {
            &[("redis", 6379)]
        } else {
            &[("postgres", 5432), ("redis", 6379)]
        };
        for &(component, port) in stores {
            let name = format!("gorax-{component}");
            assert!(
                items
                    .iter()
                    .all(|o| !(o["kind"] == "Deployment" && o["metadata"]["name"] == name.as_str())),
                "{env}: {component} is not a Deployment"
            );
            let set = &find(&items, "StatefulSet", &name)["spec"];
            let service_name = set["serviceName"].as_str().expect("serviceName");
            let headless = find(&items, "Service", service_name);
            assert_eq!(
                headless["spec"]["clusterIP"], "None",
                "{env}: {service_name} is headless"
            );
            assert_eq!(
                headless["spec"]["selector"], set["selector"]["matchLabels"],
                "{env}: {service_name} selects the set's pods"
            );
            assert_eq!(headless["spec"]["ports"][0]["port"], port);
            let claims = set["volumeClaimTemplates"].as_array().expect("claims");
            assert_eq!(claims.len(), 1, "{env}: {component} has one claim template");
            let claim = &claims[0];
            let mounts = set["template"]["spec"]["containers"][0]["volumeMounts"]
                .as_array()
                .unwrap();
            assert!(
                mounts
                    .iter()
                    .any(|m| m["name"] == claim["metadata"]["name"]),
                "{env}: {component} mounts its claim"
            );
            assert_eq!(claim["spec"]["accessModes"], json!(["ReadWriteOnce"]));
            // The regular Service is the one the others connect to.
            let service = find(&items, "Service", &name);
            assert_eq!(service["spec"]["ports"][0]["port"], port);
        }
        if env == "prod" {
            assert!(
                of_kind(&items, "StatefulSet")
                    .iter()
                    .all(|s| s["metadata"]["name"] != "gorax-postgres"),
                "prod: postgres is managed, not in the cluster"
            );
            continue;
        }
        let postgres = find(&items, "StatefulSet", "gorax-postgres");
        let storage = &postgres["spec"]["volumeClaimTemplates"][0]["spec"];
        let expected = match env {
            "dev" => json!({ "storage": "5Gi" }),
            _ => json!({ "storage": "20Gi" }),
        };
        assert_eq!(
            storage["resources"]["requests"], expected,
            "{env}: postgres size"
        );
        assert_eq!(
            storage["storageClassName"],
            Value::Null,
            "{env}: postgres class"
        );
    }
}

/// The rules of one NetworkPolicy direction as (peer component names, sorted ports).
fn rules(policy: &Value, direction: &str, peers: &str) -> Vec<(BTreeSet<String>, Vec<i64>)> {
    policy["spec"][direction]
        .as_array()
        .unwrap_or_else(|| panic!("{} has {direction}", key(policy)))
        .iter()
        .map(|rule| {
            let names = rule[peers]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    if let Some(cidr) = p["ipBlock"]["cidr"].as_str() {
                        return format!("ip:{cidr}");
                    }
                    if !p["namespaceSelector"].is_null() {
                        let ns =
                            &p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"];
                        return format!("namespace:{}", ns.as_str().unwrap_or("?"));
                    }
                    let labels = &p["podSelector"]["matchLabels"];
                    assert_eq!(labels["app.kubernetes.io/instance"], "gorax");
                    labels["app.kubernetes.io/name"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect();
            let mut ports: Vec<i64> = rule["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    assert_eq!(p["protocol"], "TCP");
                    p["port"].as_i64().unwrap()
                })
                .collect();
            ports.sort();
            (names, ports)
        })
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn network_policies_open_exactly_the_declared_paths() {
    for env in ENVS {
        let items = render_json(&root(), env, &[]);
        let policies = of_kind(&items, "NetworkPolicy");
        let policy_names: BTreeSet<&str> = policies
            .iter()
            .map(|p| p["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            policy_names,
            BTreeSet::from([
                "gorax-allow-acme-solver",
                "gorax-allow-dns",
                "gorax-api",
                "gorax-default-deny",
                "gorax-migrate",
                "gorax-redis",
                "gorax-worker"
            ])
            .into_iter()
            .chain((env != "prod").then_some("gorax-postgres"))
            .collect(),
            "{env}: the policies"
        );
        let deny = find(&items, "NetworkPolicy", "gorax-default-deny");
        assert_eq!(
            deny["spec"],
            json!({ "podSelector": {}, "policyTypes": ["Ingress", "Egress"] }),
            "{env}: default deny"
        );
        let dns = find(&items, "NetworkPolicy", "gorax-allow-dns");
        assert_eq!(
            dns["spec"]["podSelector"],
            json!({}),
            "{env}: DNS for every pod"
        );
        assert_eq!(dns["spec"]["policyTypes"], json!(["Egress"]));
        assert_eq!(
            dns["spec"]["egress"][0]["ports"],
            json!([{ "port": 53, "protocol": "UDP" }, { "port": 53, "protocol": "TCP" }]),
            "{env}: DNS ports"
        );
        assert!(
            dns["spec"]["ingress"].is_null(),
            "{env}: DNS opens no ingress"
        );
        for workload in WORKLOADS {
            let policy = find(&items, "NetworkPolicy", &format!("gorax-{workload}"));
            assert_eq!(policy["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
            // Postgres in the cluster, or prod's managed database; the tracing collector in
            // its namespace; the API server, for the Role.
            let postgres = if env == "prod" {
                names(&["ip:10.20.0.0/24"])
            } else {
                names(&["postgres"])
            };
            assert_eq!(
                rules(policy, "egress", "to"),
                vec![
                    (names(&["namespace:observability"]), vec![14268]),
                    (postgres, vec![5432]),
                    (names(&["redis"]), vec![6379]),
                    (names(&["ip:10.0.0.0/28"]), vec![443]),
                ],
                "{env}: {workload} reaches exactly the collector, postgres, redis and the API server"
            );
        }
        assert_eq!(
            rules(
                find(&items, "NetworkPolicy", "gorax-api"),
                "ingress",
                "from"
            ),
            vec![
                (names(&["namespace:monitoring"]), vec![8080]),
                (names(&["namespace:ingress-nginx"]), vec![8080])
            ],
            "{env}: only Prometheus (scrape) and the ingress controller reach the api"
        );
        assert_eq!(
            rules(
                find(&items, "NetworkPolicy", "gorax-worker"),
                "ingress",
                "from"
            ),
            vec![(names(&["namespace:monitoring"]), vec![8081])],
            "{env}: only Prometheus reaches the worker, on its metrics port"
        );
        let stores: &[(&str, i64)] = if env == "prod" {
            &[("redis", 6379)]
        } else {
            &[("postgres", 5432), ("redis", 6379)]
        };
        for &(store, port) in stores {
            let policy = find(&items, "NetworkPolicy", &format!("gorax-{store}"));
            // The api, the worker and the migration Job (which runs with the api's
            // dependencies); and a stateful component's own pods (replication), which wfk
            // always opens between the pods of one StatefulSet.
            assert_eq!(
                rules(policy, "ingress", "from"),
                vec![(names(&["api", "worker", "migrate", store]), vec![port])],
                "{env}: only api, worker and migrate pods (and its own) reach {store}"
            );
            assert_eq!(
                rules(policy, "egress", "to"),
                vec![(names(&[store]), vec![port])],
                "{env}: {store} reaches only its own pods"
            );
        }
    }
}

// 9. Config changes roll exactly the workloads that use them.

/// The objects of two renders that differ, by `kind/name`; both renders hold the same.
/// A Job's name ends with a hash of its spec (a changed Job is a new one), so Jobs are keyed
/// by the name before it.
fn changed(before: &[Value], after: &[Value]) -> BTreeMap<String, (Value, Value)> {
    let stable = |o: &Value| {
        let key = key(o);
        match (o["kind"].as_str(), key.rsplit_once('-')) {
            (Some("Job"), Some((name, _))) => name.to_string(),
            _ => key,
        }
    };
    assert_eq!(
        before.iter().map(stable).collect::<Vec<_>>(),
        after.iter().map(stable).collect::<Vec<_>>(),
        "the same objects"
    );
    before
        .iter()
        .zip(after)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (stable(a), (a.clone(), b.clone())))
        .collect()
}

/// A workload with its config checksum removed, and the checksum.
fn without_checksum(workload: &Value) -> (Value, Value) {
    let mut workload = workload.clone();
    let annotations = workload["spec"]["template"]["metadata"]["annotations"]
        .as_object_mut()
        .expect("a pod template with annotations");
    let sum = annotations
        .remove("checksum/config")
        .expect("a checksum/config annotation");
    if annotations.is_empty() {
        workload["spec"]["template"]["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("annotations");
    }
    (workload, sum)
}

#[test]
fn a_config_change_rolls_exactly_the_workloads_that_use_the_key() {
    let before = render_json(&root(), "prod", &[]);
    // A key only the api uses.
    let after = render_json(
        &root(),
        "prod",
        &["config.gorax-config.cors-allowed-origins=https://x.example"],
    );
    let diff = changed(&before, &after);
    assert_eq!(
        diff.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "ConfigMap/gorax-config",
            "Deployment/gorax-api",
            "Job/gorax-migrate"
        ],
        "only the config map, the api and the migration Job (with the api's environment) change"
    );
    let (old, new) = &diff["Job/gorax-migrate"];
    assert_ne!(
        old["metadata"]["name"], new["metadata"]["name"],
        "a new Job"
    );
    let (old, new) = &diff["ConfigMap/gorax-config"];
    let mut expected = old.clone();
    expected["data"]["cors-allowed-origins"] = json!("https://x.example");
    assert_eq!(new, &expected, "only the key changes in the config map");
    let (old, new) = &diff["Deployment/gorax-api"];
    let (old, old_sum) = without_checksum(old);
    let (new, new_sum) = without_checksum(new);
    assert_eq!(old, new, "only the checksum changes in the api");
    assert_ne!(old_sum, new_sum, "the api's checksum changes");
    assert_eq!(old_sum.as_str().map(str::len), Some(64), "a sha256 in hex");

    // A key both use: both roll; the databases do not.
    let after = render_json(&root(), "prod", &["config.gorax-config.log-level=error"]);
    let diff = changed(&before, &after);
    assert_eq!(
        diff.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "ConfigMap/gorax-config",
            "Deployment/gorax-api",
            "Deployment/gorax-worker",
            "Job/gorax-migrate"
        ],
        "the config map, the api, the worker and the migration Job change; redis does not"
    );
    for workload in ["Deployment/gorax-api", "Deployment/gorax-worker"] {
        let (old, new) = &diff[workload];
        let (old, old_sum) = without_checksum(old);
        let (new, new_sum) = without_checksum(new);
        assert_eq!(old, new, "only the checksum changes in {workload}");
        assert_ne!(old_sum, new_sum, "{workload}'s checksum changes");
    }
}

// 10. YAML 1.1 readers.

/// The values of tests/projects/yaml11's `tricky` config map: each one a string that a
/// YAML 1.1 reader retypes when it is written plain.
const TRICKY: [(&str, &str); 25] = [
    ("no", "no"),
    ("on", "on"),
    ("yes", "yes"),
    ("off", "off"),
    ("y", "y"),
    ("n", "n"),
    ("true", "True"),
    ("null", "null"),
    ("tilde", "~"),
    ("time", "12:30"),
    ("sexagesimal", "1:20:30"),
    ("underscore", "1_000"),
    ("octal", "0755"),
    ("octal-yaml12", "0o17"),
    ("hex", "0x1F"),
    ("binary", "0b101"),
    ("float", "1e3"),
    ("dot-float", ".5"),
    ("infinity", ".inf"),
    ("not-a-number", ".NaN"),
    ("plus", "+1"),
    ("date", "2001-12-14"),
    ("value", "="),
    ("merge", "<<"),
    ("empty", ""),
];

#[test]
fn a_yaml_1_1_reader_reads_every_string_back_as_the_same_string() {
    let tmp = TempDir::new();
    let dir = project("yaml11");
    let docs = py_yaml_load_all(&tmp, &render(&dir, "test"));
    let config = find(&docs, "ConfigMap", "tricky");
    let expected: serde_json::Map<String, Value> = TRICKY
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    assert_eq!(
        config["data"],
        Value::Object(expected),
        "PyYAML reads the config map's keys and values as the same strings"
    );
    let container =
        &find(&docs, "Deployment", "yaml11-app")["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["args"], json!(["no", "on", "12:30", "="]));
    let env: BTreeMap<&str, &Value> = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap(), &v["value"]))
        .collect();
    assert_eq!(
        env,
        BTreeMap::from([
            ("EQ", &json!("=")),
            ("FLAG", &json!("on")),
            ("MODE", &json!("0755")),
            ("WHEN", &json!("12:30")),
        ])
    );
    assert_eq!(
        find(&docs, "Service", "yaml11-app")["metadata"]["labels"]["app.kubernetes.io/version"],
        "1.0",
        "a version label that looks like a number stays a string"
    );
    assert_eq!(
        find(&docs, "Ingress", "yaml11")["metadata"]["annotations"],
        json!({ "example.com/at": "12:30", "example.com/flag": "yes" }),
        "annotations stay strings"
    );
}

// 11. `--output-dir DIR` and `-o FORMAT`.

/// Every file under `dir` (hidden ones too), by relative path, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if entry.file_type().unwrap().is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(base, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The files an `--output-dir` render wrote besides the objects.
const NOT_OBJECTS: [&str; 2] = [".wfk-render", "kustomization.yaml"];

#[test]
fn output_dir_holds_one_file_per_object_a_kustomization_and_a_marker() {
    let tmp = TempDir::new();
    let stream = render(&root(), "prod");
    let docs = documents(&stream);
    let wrote = format!(
        "wrote {} files and kustomization.yaml to `out`\n",
        docs.len()
    );
    for _ in 0..2 {
        // The second render replaces the first one's folder.
        let run = wfk_in(
            tmp.path(),
            &root(),
            &["render", "prod", "--output-dir", "out"],
        );
        assert_eq!(
            (run.status, run.stdout.as_str(), run.stderr.as_str()),
            (Some(0), "", wrote.as_str()),
            "render --output-dir"
        );
        let files = snapshot(&tmp.path().join("out"));
        let objects: Vec<(&String, &Vec<u8>)> = files
            .iter()
            .filter(|(name, _)| !NOT_OBJECTS.contains(&name.as_str()))
            .collect();
        assert_eq!(objects.len(), docs.len(), "one file per object");
        for ((name, bytes), doc) in objects.iter().zip(&docs) {
            assert!(name.ends_with(".yaml"), "{name} is a YAML file");
            assert_eq!(
                std::str::from_utf8(bytes).unwrap(),
                doc,
                "{name} holds its object, in stream order"
            );
        }
        let names: Vec<&str> = objects.iter().map(|(n, _)| n.as_str()).collect();
        let kustomization = std::str::from_utf8(&files["kustomization.yaml"]).unwrap();
        let listed: Vec<&str> = kustomization
            .lines()
            .filter_map(|l| l.strip_prefix("- "))
            .collect();
        assert_eq!(listed, names, "the kustomization lists every object file");
        assert!(
            kustomization.contains("kind: Kustomization\n"),
            "{kustomization}"
        );
        let marker = std::str::from_utf8(&files[".wfk-render"]).unwrap();
        let mut marked: Vec<&str> = marker.lines().skip(1).collect();
        marked.sort();
        let mut expected = names.clone();
        expected.push("kustomization.yaml");
        expected.sort();
        assert_eq!(marked, expected, "the marker lists what wfk wrote");
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "nothing is left beside the output folder"
        );
    }
    // JSON files, one object each.
    let run = wfk_in(
        tmp.path(),
        &root(),
        &["render", "prod", "--output-dir", "out", "-o", "json"],
    );
    assert_eq!((run.status, run.stderr.as_str()), (Some(0), wrote.as_str()));
    let items = list_items(&wfk_ok(&root(), &["render", "prod", "-o", "json"]));
    let files = snapshot(&tmp.path().join("out"));
    let objects: Vec<Value> = files
        .iter()
        .filter(|(name, _)| !NOT_OBJECTS.contains(&name.as_str()))
        .map(|(name, bytes)| {
            assert!(name.ends_with(".json"), "{name} is a JSON file");
            serde_json::from_slice(bytes).unwrap()
        })
        .collect();
    assert_eq!(
        objects, items,
        "the JSON files hold the List's items, in order"
    );
}

#[test]
fn kubectl_kustomize_builds_the_output_dir_into_the_render() {
    let tmp = TempDir::new();
    let run = wfk_in(
        tmp.path(),
        &root(),
        &["render", "prod", "--output-dir", "out"],
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    let built = std::process::Command::new("kubectl")
        .args(["kustomize", "out"])
        .current_dir(tmp.path())
        .output()
        .expect("kubectl runs");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let from_kustomize: Vec<Value> =
        serde_saphyr::from_multiple(std::str::from_utf8(&built.stdout).unwrap()).unwrap();
    let from_wfk: Vec<Value> = serde_saphyr::from_multiple(&render(&root(), "prod")).unwrap();
    let key = |v: &Value| format!("{}/{}", v["kind"], v["metadata"]["name"]);
    let mut a: Vec<(String, &Value)> = from_kustomize.iter().map(|v| (key(v), v)).collect();
    let mut b: Vec<(String, &Value)> = from_wfk.iter().map(|v| (key(v), v)).collect();
    a.sort_by(|x, y| x.0.cmp(&y.0));
    b.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(a, b, "kustomize builds exactly the objects of the render");
}

#[test]
fn o_is_the_format_and_never_a_folder() {
    let tmp = TempDir::new();
    let run = wfk_in(tmp.path(), &root(), &["render", "prod", "-o", "json"]);
    assert_eq!((run.status, run.stderr.as_str()), (Some(0), ""));
    assert_eq!(
        list_items(&run.stdout).len(),
        documents(&render(&root(), "prod")).len()
    );
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "`-o json` writes no folder"
    );
    let run = wfk_in(tmp.path(), &root(), &["render", "prod", "-o", "out"]);
    assert_eq!((run.status, run.stdout.as_str()), (Some(2), ""));
    assert!(
        run.stderr
            .contains("invalid value 'out' for '--output <FORMAT>'")
            && run.stderr.contains("[possible values: yaml, json]"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn a_file_added_to_the_output_dir_by_hand_is_refused_by_name() {
    let tmp = TempDir::new();
    let run = wfk_in(
        tmp.path(),
        &root(),
        &["render", "prod", "--output-dir", "out"],
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    tmp.write("out/values-notes.md", "mine\n");
    let before = snapshot(tmp.path());
    let run = wfk_in(
        tmp.path(),
        &root(),
        &["render", "prod", "--output-dir", "out"],
    );
    assert_failed(
        &run,
        "error: `out/values-notes.md` was not written by wfk; move it out of `out`, which wfk replaces as a whole on each render",
    );
    assert!(snapshot(tmp.path()) == before, "nothing was deleted");
}

#[test]
fn a_failed_render_leaves_the_output_dir_unchanged() {
    let tmp = TempDir::new();
    let run = wfk_in(
        tmp.path(),
        &root(),
        &["render", "prod", "--output-dir", "out"],
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    let before = snapshot(tmp.path());
    let run = wfk_in(
        tmp.path(),
        &root(),
        &[
            "render",
            "prod",
            "--output-dir",
            "out",
            "--set",
            "components.api.replcas=1",
        ],
    );
    assert_failed(
        &run,
        "error[unknown-key]: unknown key `replcas` in component `api`",
    );
    assert!(
        run.stderr.contains("--> --set:1:16"),
        "points at the --set: {}",
        run.stderr
    );
    assert!(snapshot(tmp.path()) == before, "the folder is unchanged");
}

#[test]
fn an_output_dir_not_written_by_wfk_is_refused() {
    let tmp = TempDir::new();
    tmp.write("out/notes.txt", "mine\n");
    let before = snapshot(tmp.path());
    let run = wfk_in(
        tmp.path(),
        &root(),
        &["render", "prod", "--output-dir", "out"],
    );
    assert_failed(
        &run,
        "error: `out` is not empty and was not written by wfk; choose an empty or new folder",
    );
    assert!(snapshot(tmp.path()) == before, "the folder is unchanged");
}

/// A run that failed with exit 2, nothing on stdout, and `first_line` first on stderr. The
/// rest of the message (snippets, the list of valid keys) is the cases tests' to pin.
fn assert_failed(run: &Run, first_line: &str) {
    assert_eq!(
        (run.status, run.stdout.as_str(), run.stderr.lines().next()),
        (Some(2), "", Some(first_line)),
        "stderr:\n{}",
        run.stderr
    );
}

// 12. A closed pipe.

/// `wfk render prod | head -1`: the reader goes away after one line; wfk exits 0 quietly.
#[test]
fn a_closed_stdout_pipe_exits_quietly() {
    check_closed_pipe(&root(), "prod");
    // The reference platform's output fits in a pipe's buffer, so wfk may finish before the
    // pipe closes; a platform of 1 MB cannot, so its write surely meets the closed pipe.
    let tmp = TempDir::new();
    let mut spec = String::from("platform: big\ncomponents:\n");
    for i in 0..300 {
        // A chain of `uses`, so no component is isolated (a warning on stderr).
        let uses = if i == 0 { 299 } else { i - 1 };
        spec.push_str(&format!(
            "  c{i}:\n    image: example/c{i}:1.0.0\n    ports: {{ http: 8080 }}\n    \
             probes: {{ liveness: /live, readiness: /ready }}\n    \
             resources: {{ cpu: 10m/20m, memory: 16Mi/32Mi }}\n    uses: [c{uses}]\n    \
             env: {{ A: a, B: b, C: c, D: d, E: e, F: f }}\n"
        ));
    }
    tmp.write("platform.yaml", &spec);
    tmp.write("overlays/big.yaml", "");
    let size = render(tmp.path(), "big").len();
    assert!(size > 1_000_000, "the big render is {size} bytes");
    check_closed_pipe(tmp.path(), "big");
}

fn check_closed_pipe(dir: &Path, env: &str) {
    let mut child = Command::new(wfk_bin())
        .args(["--dir", dir.to_str().unwrap(), "render", env])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "---\n");
    drop(stdout);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("wfk did not exit after its stdout closed");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(
        (status.code(), stderr.as_str()),
        (Some(0), ""),
        "a closed pipe is not an error"
    );
}

/// The reference platform deploys what its guide deploys: ServiceMonitors, a Role and
/// RoleBinding, the migration Job, the ExternalSecret of `templates/`, the API's Service on
/// port 80, tracing settings and CORS origins per environment; Postgres in the cluster in dev
/// and a managed database (an endpoint) in prod, Redis in the cluster in both.
#[test]
fn the_reference_platform_renders_what_its_guide_deploys() {
    let (dev, prod) = (
        render_json(&root(), "dev", &[]),
        render_json(&root(), "prod", &[]),
    );
    for items in [&dev, &prod] {
        for (kind, name) in [
            ("ServiceMonitor", "gorax-api"),
            ("ServiceMonitor", "gorax-worker"),
            ("Role", "gorax-api"),
            ("RoleBinding", "gorax-api"),
            ("ExternalSecret", "gorax-secrets"),
            ("StatefulSet", "gorax-redis"),
        ] {
            find(items, kind, name);
        }
        let jobs = of_kind(items, "Job");
        assert!(
            jobs.len() == 1
                && jobs[0]["metadata"]["name"]
                    .as_str()
                    .unwrap()
                    .starts_with("gorax-migrate-"),
            "{jobs:?}"
        );
    }
    find(&dev, "StatefulSet", "gorax-postgres");
    assert!(
        of_kind(&prod, "StatefulSet")
            .iter()
            .all(|s| s["metadata"]["name"] != "gorax-postgres")
    );
    assert_eq!(
        find(&prod, "Service", "gorax-api")["spec"]["ports"][0],
        json!({ "name": "http", "port": 80, "protocol": "TCP", "targetPort": "http" })
    );
    assert_eq!(
        find(&prod, "ExternalSecret", "gorax-secrets")["spec"]["data"][0]["remoteRef"]["key"],
        "gorax/prod/database-url"
    );
    let config = |items: &[Value]| find(items, "ConfigMap", "gorax-config")["data"].clone();
    assert_eq!(config(&prod)["tracing-sample-rate"], "0.1");
    assert_eq!(
        config(&dev)["cors-allowed-origins"],
        "https://app.dev.gorax.io"
    );
    assert_eq!(
        config(&prod)["cors-allowed-origins"],
        "https://app.gorax.io"
    );
    let policy = find(&prod, "NetworkPolicy", "gorax-api");
    assert!(
        policy["spec"]["egress"]
            .as_array()
            .unwrap()
            .iter()
            .any(|rule| {
                rule["to"] == json!([{ "ipBlock": { "cidr": "10.20.0.0/24" } }])
                    && rule["ports"] == json!([{ "port": 5432, "protocol": "TCP" }])
            }),
        "{policy:#}"
    );
}
