//! `wfk import`: manifests in, a project out that renders the same workloads. Each test runs
//! the real binary and checks its exit code, stdout and stderr, then reads the files it
//! wrote and renders them.

use crate::render_support::{ENVS, list_items, render_json, root, wfk_ok};
use crate::support::{Output, Test, diff, matches};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Panics unless a run ended with `status` and printed exactly `stdout` and `stderr`
/// (with `[..]` and `...` as in `Test`).
fn expect(out: &Output, status: i32, stdout: &str, stderr: &str) {
    let mut report = String::new();
    if out.status != Some(status) {
        report.push_str(&format!(
            "exit code: expected {status}, got {:?}\n",
            out.status
        ));
    }
    if !matches(stdout, &out.stdout) {
        report.push_str(&diff("stdout", stdout, &out.stdout));
    }
    if !matches(stderr, &out.stderr) {
        report.push_str(&diff("stderr", stderr, &out.stderr));
    }
    assert!(
        report.is_empty(),
        "wfk import failed its expectations:\n{report}"
    );
}

/// A YAML file of the imported project, parsed.
fn yaml(dir: &Path, rel: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(rel)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not YAML: {e}"))
}

/// What a render says about each workload, by object name: image, ports, env, probes and
/// resources of every container, and the replicas (a Deployment's or StatefulSet's, or its
/// autoscaler's range).
fn workloads(objects: &[Value]) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for o in objects {
        let kind = o["kind"].as_str().unwrap_or_default();
        let name = o["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match kind {
            "Deployment" | "StatefulSet" => {
                let pod = &o["spec"]["template"]["spec"];
                let containers: Vec<Value> = pod["containers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        let mut env = c["env"].as_array().cloned().unwrap_or_default();
                        env.sort_by_key(|e| e["name"].as_str().unwrap_or_default().to_string());
                        serde_json::json!({
                            "name": c["name"], "image": c["image"], "ports": c["ports"],
                            "env": env, "liveness": c["livenessProbe"],
                            "readiness": c["readinessProbe"], "startup": c["startupProbe"],
                            "resources": c["resources"], "command": c["command"], "args": c["args"],
                        })
                    })
                    .collect();
                let entry = out.entry(name).or_insert_with(|| serde_json::json!({}));
                entry["kind"] = kind.into();
                entry["containers"] = containers.into();
                entry["replicas"] = o["spec"]["replicas"].clone();
            }
            "HorizontalPodAutoscaler" => {
                let entry = out.entry(name).or_insert_with(|| serde_json::json!({}));
                entry["autoscale"] =
                    serde_json::json!([o["spec"]["minReplicas"], o["spec"]["maxReplicas"]]);
            }
            _ => {}
        }
    }
    out
}

/// Every file under `dir`, with its path.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn reference_platform_round_trips_through_its_renders() {
    let mut t = Test::new();
    for env in ENVS {
        let stream = crate::render_support::render(&root(), env);
        t = t.file(format!("{env}.yaml"), stream);
    }
    let t = t.args([
        "import",
        "dev.yaml",
        "staging.yaml",
        "prod.yaml",
        "--envs",
        "dev,staging,prod",
        "--dir",
        "new",
    ]);
    expect(
        &t.output(),
        0,
        "",
        // What wfk import does not map yet stays a template, each with a note: the paths to
        // endpoints and the API server, the migration Job (a new name per spec), the
        // ServiceMonitors and the ExternalSecret.
        "note: NetworkPolicy/gorax-api: rules other than paths between components and from the monitoring or ingress namespaces are not imported
note: NetworkPolicy/gorax-postgres: rules other than paths between components and from the monitoring or ingress namespaces are not imported
note: NetworkPolicy/gorax-redis: rules other than paths between components and from the monitoring or ingress namespaces are not imported
note: NetworkPolicy/gorax-worker: rules other than paths between components and from the monitoring or ingress namespaces are not imported
note: NetworkPolicy/gorax-migrate → templates/networkpolicy-gorax-migrate.yaml: wfk makes its NetworkPolicies from `uses`; this one is not of that shape
note: Job/gorax-migrate-[..] → templates/job-gorax-migrate-[..].yaml: wfk import does not map jobs; see `jobs` in `wfk schema`
note: ServiceMonitor/gorax-api → templates/servicemonitor-gorax-api.yaml: a custom resource; wfk has no ServiceMonitor
note: ExternalSecret/gorax-secrets → templates/externalsecret-gorax-secrets.yaml: a custom resource; wfk has no ExternalSecret
note: ServiceMonitor/gorax-worker → templates/servicemonitor-gorax-worker.yaml: a custom resource; wfk has no ServiceMonitor
note: Job/gorax-migrate-[..] → templates/job-gorax-migrate-[..].yaml: wfk import does not map jobs; see `jobs` in `wfk schema`
note: Job/gorax-migrate-[..] → templates/job-gorax-migrate-[..].yaml: wfk import does not map jobs; see `jobs` in `wfk schema`
imported 4 components, 1 config map, 1 ingress into new (3 environments); 7 templates
",
    );
    let new = t.path().join("new");
    for env in ENVS {
        let before = workloads(&render_json(&root(), env, &[]));
        // The imported project warns of what the import left out (the endpoints and the API
        // server's address), so its render runs with `-q`.
        let after = workloads(&list_items(&wfk_ok(
            &new,
            &["render", env, "-o", "json", "-q"],
        )));
        // Prod's Postgres is a managed database, outside the render.
        let expected = if env == "prod" { 3 } else { 4 };
        assert_eq!(
            before.len(),
            expected,
            "{env}: the workloads of the reference render"
        );
        assert_eq!(
            serde_json::to_string_pretty(&after).unwrap(),
            serde_json::to_string_pretty(&before).unwrap(),
            "{env}: the imported project renders the same workloads"
        );
    }
    // What every environment shares is in the base, once.
    let base = yaml(&new, "platform.yaml");
    assert_eq!(base["platform"], "gorax");
    assert_eq!(base["components"]["api"]["image"], "gorax/api:v1.2.3");
    assert_eq!(
        base["components"]["api"]["uses"],
        serde_json::json!(["postgres", "redis"])
    );
    assert_eq!(base["ingress"]["class"], "nginx");
    assert!(
        base.get("namespace").is_none(),
        "namespaces are per environment"
    );
    for env in ENVS {
        let overlay = yaml(&new, &format!("overlays/{env}.yaml"));
        assert_eq!(overlay["namespace"], format!("gorax-{env}"));
        for (name, component) in overlay["components"].as_object().into_iter().flatten() {
            assert!(
                component.get("image").is_none(),
                "{env}: the image of {name} is the same everywhere, so only in platform.yaml"
            );
        }
    }
    // The overlays hold exactly the differences.
    let prod = yaml(&new, "overlays/prod.yaml");
    assert_eq!(prod["components"]["api"]["replicas"], 3);
    assert_eq!(
        prod["components"]["api"]["resources"],
        serde_json::json!({ "cpu": "250m/500m", "memory": "256Mi/512Mi" })
    );
    assert_eq!(
        prod["components"]["api"]["autoscale"],
        serde_json::json!({ "max": 20 })
    );
    // Prod's Postgres is a managed database: the component is not in prod's render.
    assert_eq!(prod["components"]["postgres"], Value::Null);
    assert_eq!(prod["ingress"]["domain"], "gorax.io");
    let dev = yaml(&new, "overlays/dev.yaml");
    assert_eq!(
        dev["components"]["api"]["autoscale"],
        Value::Null,
        "dev has no autoscaler: removed with null"
    );
    assert!(
        dev["components"]["api"]
            .as_object()
            .unwrap()
            .contains_key("autoscale"),
        "the null is written, not left out"
    );
    assert_eq!(prod["config"]["gorax-config"]["log-level"], "warn");
}

/// `kubectl kustomize` of tests/import/kustomize/overlays/ENV.
fn kustomize(env: &str) -> String {
    let dir = root().join("tests/import/kustomize/overlays").join(env);
    let out = std::process::Command::new("kubectl")
        .arg("kustomize")
        .arg(&dir)
        .output()
        .expect("kubectl is installed (/usr/bin/kubectl)");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "kubectl kustomize {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn kustomize_tree_is_factored_into_base_and_overlays() {
    let mut t = Test::new();
    let mut built = BTreeMap::new();
    for env in ENVS {
        let stream = kustomize(env);
        let objects: Vec<Value> = serde_saphyr::from_multiple(&stream).unwrap();
        built.insert(env, objects);
        t = t.file(format!("build/{env}.yaml"), stream);
    }
    let t = t.args([
        "import",
        "build/dev.yaml",
        "build/staging.yaml",
        "build/prod.yaml",
        "--dir",
        "new",
    ]);
    expect(
        &t.output(),
        0,
        "",
        "note: Deployment/shop-web: no NetworkPolicy in the input; wfk denies traffic by default, so list what it connects to in `components.web.uses`\n\
         imported 1 component, 1 config map, 0 ingresses into new (3 environments); 0 templates\n",
    );
    let new = t.path().join("new");
    let base = yaml(&new, "platform.yaml");
    assert_eq!(
        base["platform"], "shop",
        "the name prefix every workload shares"
    );
    let web = &base["components"]["web"];
    assert_eq!(web["image"], "ghcr.io/example/shop-web:2.4.1");
    assert_eq!(web["args"], serde_json::json!(["--listen", ":8080"]));
    assert_eq!(
        web["ports"],
        serde_json::json!({ "http": { "port": 8080, "servicePort": 80 }, "metrics": { "port": 9090, "service": false } })
    );
    assert_eq!(
        web["env"],
        serde_json::json!({ "SHOP_MODE": "online", "LOG_LEVEL": { "config": "log-level" }, "POD_NAME": { "field": "metadata.name" } })
    );
    assert_eq!(
        web["probes"],
        serde_json::json!({ "liveness": "/live", "readiness": { "http": "/ready", "period": 5 } })
    );
    assert_eq!(base["config"]["shop-config"]["currency"], "EUR");
    for (env, replicas, max, cpu, memory, level) in [
        ("dev", 1, 2, "50m/200m", "64Mi/128Mi", "debug"),
        ("staging", 2, 6, "100m/500m", "128Mi/256Mi", "info"),
        ("prod", 3, 12, "250m/1", "256Mi/512Mi", "warn"),
    ] {
        let overlay = yaml(&new, &format!("overlays/{env}.yaml"));
        assert_eq!(overlay["namespace"], format!("shop-{env}"));
        // Every value is in the base or the overlay, never both with the same value.
        let merged = |key: &str| {
            let o = &overlay["components"]["web"][key];
            if o.is_null() {
                web[key].clone()
            } else {
                o.clone()
            }
        };
        assert_eq!(merged("replicas"), replicas, "{env}");
        assert_eq!(merged("autoscale")["max"], max, "{env}");
        assert_eq!(
            merged("resources"),
            serde_json::json!({ "cpu": cpu, "memory": memory }),
            "{env}"
        );
        let level_set = &overlay["config"]["shop-config"]["log-level"];
        let level_here = if level_set.is_null() {
            &base["config"]["shop-config"]["log-level"]
        } else {
            level_set
        };
        assert_eq!(level_here, level, "{env}");
        assert!(
            overlay["components"]["web"].get("image").is_none(),
            "{env}: the image is the same everywhere"
        );

        // It renders, and the Deployment keeps the input's image, resources and replicas.
        let run = crate::render_support::wfk(&new, &["render", env, "-o", "json"]);
        assert_eq!(run.status, Some(0), "{env}: {}", run.stderr);
        // Only the warnings of a platform without network paths, and dev's one pod.
        let findings: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("warning[") || l.starts_with("error"))
            .collect();
        let mut expected = vec![
            "warning[isolated-component]: component `web` has no network path: nothing uses it and it uses nothing",
        ];
        if env == "dev" {
            expected.push("warning[single-replica]: component `web` runs 1 pod with an autoscaler");
        }
        assert_eq!(findings, expected, "{env}");
        let rendered = crate::render_support::list_items(&run.stdout);
        let deployment = rendered
            .iter()
            .find(|o| o["kind"] == "Deployment")
            .expect("a Deployment");
        assert_eq!(deployment["metadata"]["name"], "shop-web");
        assert_eq!(deployment["metadata"]["namespace"], format!("shop-{env}"));
        let input = built[env]
            .iter()
            .find(|o| o["kind"] == "Deployment")
            .unwrap();
        let (a, b) = (
            &deployment["spec"]["template"]["spec"]["containers"][0],
            &input["spec"]["template"]["spec"]["containers"][0],
        );
        assert_eq!(a["image"], b["image"]);
        assert_eq!(a["resources"], b["resources"], "{env}");
        assert_eq!(a["readinessProbe"], b["readinessProbe"], "{env}");
        let hpa = rendered
            .iter()
            .find(|o| o["kind"] == "HorizontalPodAutoscaler")
            .expect("an autoscaler");
        assert_eq!(
            (&hpa["spec"]["minReplicas"], &hpa["spec"]["maxReplicas"]),
            (&Value::from(replicas), &Value::from(max)),
            "{env}"
        );
        let service = rendered.iter().find(|o| o["kind"] == "Service").unwrap();
        assert_eq!(service["spec"]["ports"][0]["port"], 80);
    }
}

/// `wfk render ENV -o json` of an imported project: it must exit 0 with exactly the
/// findings `codes` (warnings) on stderr; the List's items.
fn render_with_warnings(dir: &Path, env: &str, codes: &[&str]) -> Vec<Value> {
    let run = crate::render_support::wfk(dir, &["render", env, "-o", "json"]);
    assert_eq!(run.status, Some(0), "{env}: {}", run.stderr);
    let found: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning[").or(l.strip_prefix("error")))
        .map(|l| l.split(']').next().unwrap_or(l))
        .collect();
    assert_eq!(found, codes, "{env}: {}", run.stderr);
    crate::render_support::list_items(&run.stdout)
}

#[test]
fn unmappable_objects_become_templates_that_render() {
    let input = r#"
apiVersion: apps/v1
kind: Deployment
metadata: { name: acme-api, namespace: acme }
spec:
  replicas: 2
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers:
      - { name: api, image: "acme/api:1.0.0", ports: [{ name: http, containerPort: 8080 }] }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: log-agent, namespace: acme, annotations: { note: "{{ not a template }}" } }
spec:
  selector: { matchLabels: { app: log-agent } }
  template:
    metadata: { labels: { app: log-agent } }
    spec:
      automountServiceAccountToken: false
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: RuntimeDefault } }
      containers:
      - name: agent
        image: "fluent/fluent-bit:3.1.4"
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: { name: acme-api, namespace: acme }
spec:
  selector: { matchLabels: { app: api } }
  endpoints: [{ port: http }]
"#;
    let t = Test::new()
        .file("all.yaml", input)
        .args(["import", "all.yaml", "--dir", "new"]);
    expect(
        &t.output(),
        0,
        "",
        "note: Deployment/acme-api: no NetworkPolicy in the input; wfk denies traffic by default, so list what it connects to in `components.api.uses`\n\
         note: Deployment/acme-api: wfk requires cpu and memory requests and limits; the import sets cpu 100m/500m, memory 128Mi/256Mi: adjust them\n\
         note: DaemonSet/log-agent → templates/daemonset-log-agent.yaml: wfk has no daemon sets\n\
         note: ServiceMonitor/acme-api → templates/servicemonitor-acme-api.yaml: a custom resource; wfk has no ServiceMonitor\n\
         imported 1 component, 0 config maps, 0 ingresses into new (1 environment); 2 templates\n",
    );
    let new = t.path().join("new");
    assert!(
        new.join("overlays/dev.yaml").is_file(),
        "one input is the environment `dev`"
    );
    // A platform without probes or network paths renders with warnings about both.
    let rendered = render_with_warnings(&new, "dev", &["isolated-component", "probe-missing"]);
    let daemon_set = rendered
        .iter()
        .find(|o| o["kind"] == "DaemonSet")
        .expect("the template's DaemonSet is in the render");
    assert_eq!(daemon_set["metadata"]["name"], "log-agent");
    assert_eq!(daemon_set["metadata"]["namespace"], "acme");
    assert_eq!(
        daemon_set["metadata"]["annotations"]["note"], "{{ not a template }}",
        "braces in the input are escaped, not rendered"
    );
    let monitor = rendered
        .iter()
        .find(|o| o["kind"] == "ServiceMonitor")
        .expect("the custom resource is in the render");
    assert_eq!(monitor["metadata"]["namespace"], "acme");
    assert!(
        rendered
            .iter()
            .any(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == "acme-api")
    );
}

#[test]
fn secret_data_is_written_nowhere() {
    const CANARY: &str = "c2VjcmV0LWNhbmFyeS0xMjM0";
    const PLAIN: &str = "plain-canary-5678";
    let input = format!(
        r#"
apiVersion: v1
kind: Secret
metadata:
  name: app-secrets
  namespace: app
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{{"data":{{"token":"{CANARY}"}}}}'
data: {{ token: {CANARY} }}
stringData: {{ password: {PLAIN} }}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{ name: app-web, namespace: app }}
spec:
  selector: {{ matchLabels: {{ app: web }} }}
  template:
    metadata: {{ labels: {{ app: web }} }}
    spec:
      containers:
      - name: web
        image: "app/web:1.0.0"
        env:
        - name: TOKEN
          valueFrom: {{ secretKeyRef: {{ name: app-secrets, key: token }} }}
"#
    );
    let t = Test::new()
        .file("in.yaml", &input)
        .args(["import", "in.yaml", "--envs", "prod", "--dir", "new"]);
    let out = t.output();
    expect(
        &out,
        0,
        "",
        "note: Secret/app-secrets: its data is not imported; the Secret must exist in the cluster (references to it stay `{ secret: app-secrets/key }`)\n\
         note: Deployment/app-web: no NetworkPolicy in the input; wfk denies traffic by default, so list what it connects to in `components.web.uses`\n\
         note: Deployment/app-web: wfk requires cpu and memory requests and limits; the import sets cpu 100m/500m, memory 128Mi/256Mi: adjust them\n\
         imported 1 component, 0 config maps, 0 ingresses into new (1 environment); 0 templates\n",
    );
    let written = files(&t.path().join("new"));
    assert_eq!(
        written.len(),
        2,
        "platform.yaml and overlays/prod.yaml: {written:?}"
    );
    for (path, text) in &written {
        assert!(
            !text.contains(CANARY) && !text.contains(PLAIN),
            "{path} holds secret data"
        );
    }
    let base = yaml(&t.path().join("new"), "platform.yaml");
    assert_eq!(
        base["components"]["web"]["env"]["TOKEN"],
        serde_json::json!({ "secret": "app-secrets/token" })
    );
    let rendered = render_with_warnings(
        &t.path().join("new"),
        "prod",
        &["isolated-component", "probe-missing"],
    );
    let text = serde_json::to_string(&rendered).unwrap();
    assert!(!text.contains(CANARY) && !text.contains(PLAIN));
    assert!(
        text.contains(r#""secretKeyRef":{"key":"token","name":"app-secrets"}"#),
        "the reference stays"
    );
}

/// Runs an import that must fail with `stderr`, and checks that it wrote nothing: `new`
/// holds what it held before (`before`), and no staging folder is left beside it.
fn refused(t: Test, stderr: &str, before: &[&str]) {
    expect(&t.output(), 2, "", stderr);
    let mut left: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("wfk-import") || n == "new")
        .collect();
    left.sort();
    let new = t.path().join("new");
    if before.is_empty() {
        assert!(left.is_empty(), "nothing written: {left:?}");
    } else {
        let mut inside: Vec<String> = std::fs::read_dir(&new)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        inside.sort();
        assert_eq!(inside, before, "the folder is as it was");
    }
}

const WORKLOAD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: a-web }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec: { containers: [{ name: web, image: \"a/web:1\" }] }\n";

#[test]
fn unreadable_input_is_refused() {
    refused(
        Test::new().args(["import", "missing.yaml", "--dir", "new"]),
        "error: cannot read `missing.yaml`: No such file or directory (os error 2)\n",
        &[],
    );
}

#[test]
fn input_that_is_not_yaml_is_refused_without_quoting_it() {
    refused(
        Test::new()
            .file("bad.yaml", "kind: Secret\ndata: { token: s3cr3t\n")
            .args(["import", "bad.yaml", "--dir", "new"]),
        "error: `bad.yaml` is not a YAML stream (line [..], column [..])\n",
        &[],
    );
}

#[test]
fn input_without_workloads_is_refused() {
    refused(
        Test::new()
            .file(
                "cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: b }\n",
            )
            .args(["import", "cm.yaml", "--dir", "new"]),
        "error: no Deployment or StatefulSet in the input, so there is no component to import; pass the manifests of a platform's workloads\n",
        &[],
    );
}

#[test]
fn wrong_number_of_envs_is_refused() {
    refused(
        Test::new()
            .file("a.yaml", WORKLOAD)
            .file("b.yaml", WORKLOAD)
            .args([
                "import",
                "a.yaml",
                "b.yaml",
                "--envs",
                "dev,staging,prod",
                "--dir",
                "new",
            ]),
        "error: 2 inputs but 3 environments in `--envs`; name one environment per input, in order: `--envs dev,staging,prod`\n",
        &[],
    );
}

#[test]
fn non_empty_project_folder_is_refused() {
    refused(
        Test::new()
            .file("a.yaml", WORKLOAD)
            .file("new/notes.txt", "mine\n")
            .args(["import", "a.yaml", "--dir", "new"]),
        "error: `new` is not empty (it holds `notes.txt`); import into a new or empty folder with `--dir`\n",
        &["notes.txt"],
    );
}

#[test]
fn empty_project_folder_is_filled() {
    let t = Test::new()
        .file("a.yaml", WORKLOAD)
        .dir("new")
        .args(["import", "a.yaml", "--envs", "qa", "--dir", "new"]);
    expect(
        &t.output(),
        0,
        "",
        "note: Deployment/a-web: no NetworkPolicy in the input; wfk denies traffic by default, so list what it connects to in `components.web.uses`\n\
         note: Deployment/a-web: wfk requires cpu and memory requests and limits; the import sets cpu 100m/500m, memory 128Mi/256Mi: adjust them\n\
         imported 1 component, 0 config maps, 0 ingresses into new (1 environment); 0 templates\n",
    );
    let mut names: Vec<String> = files(&t.path().join("new"))
        .into_iter()
        .map(|(p, _)| p.rsplit("/new/").next().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["overlays/qa.yaml", "platform.yaml"],
        "no staging folder left inside"
    );
}
