//! Prometheus scrapes exactly the ports the spec marks `scrape`, each once, at its path: a
//! proof by discovery over every render of the reference platform (the environments `wfk
//! envs` lists), of each example under examples/ and of each project under tests/projects/,
//! each in the `monitoring.via` mode its environments use, and of a project that uses all of
//! them.
//!
//! Two halves that share no code with src/ (nor with the other tests):
//!
//! - **Discovery**, written from the Prometheus Operator API reference
//!   (<https://prometheus-operator.dev/docs/api-reference/api/>) and the `prometheus.io/*`
//!   annotation convention of the community Prometheus chart: a ServiceMonitor's `selector`
//!   (`matchLabels` and `matchExpressions`) picks Services in the namespaces of its
//!   `namespaceSelector` (its own namespace by default; `matchNames`; `any: true` for all);
//!   each of its `endpoints` names a Service `port`, and every pod behind a picked Service
//!   that has the port's target becomes a target. A PodMonitor's `selector` picks pods the
//!   same way, and `podMetricsEndpoints[].port` names a container port. A pod annotated
//!   `prometheus.io/scrape: "true"` is scraped at `prometheus.io/port` (every container
//!   port without it) and `prometheus.io/path`; a Service annotated so, each pod behind it.
//!   The path defaults to `/metrics` everywhere. When `monitoring.labels` is set, the
//!   operator picks only monitors that carry those labels (its `serviceMonitorSelector`).
//! - **The intent**, read from `platform.yaml` and `overlays/<env>.yaml` merged here (maps
//!   merge, `null` removes a key, anything else replaces; `extends` first): each component's
//!   ports, which have `scrape` (`true` is `/metrics`, else the path), which are on its
//!   Service (`service: false` is not), and `monitoring.via`.
//!
//! What is checked, per render:
//! - every target is a component's port marked `scrape`, at that port's path (never a job's
//!   pod, never an unmarked port);
//! - no port is a target twice (as through the headless or an extra Service beside the
//!   main one, or through a monitor and an annotation);
//! - each monitor picks only Services or pods that have a port it scrapes, and is picked by
//!   the operator;
//! - coverage, by `monitoring.via`: `serviceMonitor`: each marked port once, by a
//!   ServiceMonitor when it is on the component's Service, else by a PodMonitor;
//!   `podMonitor`: each marked port once, by a PodMonitor; `annotations`: one marked port
//!   of each component, by its pods' annotations (the convention reads one port per pod);
//!   unset: Prometheus's own configuration finds the ports, so nothing more is required.
//!
//! Assumptions:
//! - One Prometheus that discovers through every mechanism at once (the operator's
//!   monitors and both annotation conventions), so a port found twice is scraped twice.
//! - The operator watches every namespace for monitors.
//! - A workload's pods are one pod here: its template's labels, annotations and container
//!   ports (init containers too); replicas multiply targets alike for every mechanism.
//! - Endpoints name a `port`; the deprecated `targetPort` (which wfk never writes) is
//!   reported rather than modelled.

use crate::render_support::{project, root, wfk, wfk_ok};
use crate::support::TempDir;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Labels = BTreeMap<String, String>;

// ---------------------------------------------------------------------------------------
// The intent: the spec, merged and read here
// ---------------------------------------------------------------------------------------

/// A YAML file as JSON; an empty (or comment-only) file is an empty map.
fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: Option<Value> =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match value {
        None | Some(Value::Null) => json!({}),
        Some(value) => value,
    }
}

/// The spec of `env`: platform.yaml, then each overlay of the `extends` chain from its
/// root down to `overlays/<env>.yaml`.
fn merged_spec(dir: &Path, env: &str) -> Value {
    let mut chain = Vec::new();
    let mut next = Some(env.to_string());
    while let Some(name) = next {
        assert!(chain.len() < 32, "{}: `extends` goes round", dir.display());
        let mut overlay = read_yaml(&dir.join("overlays").join(format!("{name}.yaml")));
        next = overlay
            .as_object_mut()
            .and_then(|map| map.remove("extends"))
            .and_then(|parent| parent.as_str().map(String::from));
        chain.push(overlay);
    }
    let mut spec = read_yaml(&dir.join("platform.yaml"));
    for overlay in chain.into_iter().rev() {
        merge(&mut spec, overlay);
    }
    spec
}

/// Maps merge key by key; an overlay's `null` removes the key; anything else replaces.
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                if value.is_null() {
                    base.remove(&key);
                } else if let Some(slot) = base.get_mut(&key) {
                    merge(slot, value);
                } else {
                    base.insert(key, value);
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// The entries of a map, without removed (`null`) ones.
fn entries(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| !v.is_null())
}

/// A map of strings (labels, annotations, a Service's selector); a value that is not a
/// string is written as YAML would show it.
fn string_map(value: &Value) -> Labels {
    entries(value)
        .map(|(k, v)| {
            let text = v.as_str().map_or_else(|| v.to_string(), String::from);
            (k.clone(), text)
        })
        .collect()
}

/// An array's items; nothing for `null` or a missing field.
fn list(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// A field that is there and not `null`.
fn present<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value.get(key).filter(|v| !v.is_null())
}

/// How Prometheus finds the scraped ports (`monitoring.via`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    ServiceMonitor,
    PodMonitor,
    Annotations,
    /// Prometheus's own configuration.
    Unset,
}

/// A port of a component in the spec.
#[derive(Clone, Debug)]
struct SpecPort {
    port: u16,
    /// The path Prometheus scrapes, when the port has `scrape`.
    scrape: Option<String>,
    /// On the component's own Service (not `service: false`).
    on_service: bool,
}

/// What the spec of one environment says about scraping.
#[derive(Debug)]
struct Intent {
    platform: String,
    namespace: String,
    via: Via,
    /// `monitoring.labels`: what the operator picks monitors by.
    monitor_labels: Labels,
    /// Each component's ports, by name.
    components: BTreeMap<String, BTreeMap<String, SpecPort>>,
}

impl Intent {
    fn read(spec: &Value) -> Intent {
        let text = |v: &Value| v.as_str().map(String::from);
        let platform = text(&spec["platform"]).expect("a platform name");
        let via = match spec["monitoring"]["via"].as_str() {
            Some("serviceMonitor") => Via::ServiceMonitor,
            Some("podMonitor") => Via::PodMonitor,
            Some("annotations") => Via::Annotations,
            None => Via::Unset,
            Some(other) => panic!("unknown `monitoring.via: {other}`"),
        };
        let components = entries(&spec["components"])
            .map(|(name, c)| {
                let ports = entries(&c["ports"])
                    .filter_map(|(port_name, p)| Some((port_name.clone(), spec_port(p)?)))
                    .collect();
                (name.clone(), ports)
            })
            .collect();
        Intent {
            namespace: text(&spec["namespace"]).unwrap_or_else(|| platform.clone()),
            platform,
            via,
            monitor_labels: string_map(&spec["monitoring"]["labels"]),
            components,
        }
    }
}

/// A port of the spec: `8080`, or `{ port, scrape, service, … }`.
fn spec_port(value: &Value) -> Option<SpecPort> {
    let number = |v: &Value| {
        v.as_u64()
            .or_else(|| v.as_str()?.parse().ok())
            .and_then(|n| u16::try_from(n).ok())
    };
    if !value.is_object() {
        return Some(SpecPort {
            port: number(value)?,
            scrape: None,
            on_service: true,
        });
    }
    let scrape = match &value["scrape"] {
        Value::Bool(true) => Some("/metrics".to_string()),
        Value::String(s) if s == "true" => Some("/metrics".to_string()),
        Value::String(path) if path.starts_with('/') => Some(path.clone()),
        _ => None,
    };
    let off = value["service"] == false || value["service"] == "false";
    Some(SpecPort {
        port: number(&value["port"])?,
        scrape,
        on_service: !off,
    })
}

// ---------------------------------------------------------------------------------------
// Discovery: the targets Prometheus finds in the rendered objects
// ---------------------------------------------------------------------------------------

/// A pod, as far as discovery looks at it.
#[derive(Debug)]
struct Pod {
    /// For messages: `` `api` `` for a component's pods, else `Kind/name`.
    name: String,
    /// The component whose pods these are.
    component: Option<String>,
    namespace: String,
    labels: Labels,
    annotations: Labels,
    /// (name, number) of each container port.
    ports: Vec<(Option<String>, u16)>,
}

impl Pod {
    fn port_named(&self, name: &str) -> Option<u16> {
        self.ports
            .iter()
            .find(|(n, _)| n.as_deref() == Some(name))
            .map(|(_, p)| *p)
    }
}

/// How a target was found, for the coverage rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    ServiceMonitor,
    PodMonitor,
    PodAnnotations,
    ServiceAnnotations,
}

/// One scrape target: a pod's port, the path, and what found it.
#[derive(Debug)]
struct Target {
    pod: usize,
    port: u16,
    path: String,
    source: Source,
    /// For messages: `ServiceMonitor shop-api (endpoint 0) through Service shop-api`.
    by: String,
}

/// The pod template of a workload object.
fn pod_template(object: &Value) -> Option<&Value> {
    match object["kind"].as_str()? {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            Some(&object["spec"]["template"])
        }
        "CronJob" => Some(&object["spec"]["jobTemplate"]["spec"]["template"]),
        _ => None,
    }
}

fn name_of(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or("?")
}

/// The namespace of a namespaced object; one without lands in the platform's.
fn namespace_of<'a>(object: &'a Value, intent: &'a Intent) -> &'a str {
    object["metadata"]["namespace"]
        .as_str()
        .unwrap_or(&intent.namespace)
}

/// A pod for each rendered workload: a Deployment or StatefulSet named
/// `<platform>-<component>` runs that component's pods.
fn pods(objects: &[Value], intent: &Intent) -> Vec<Pod> {
    let mut out = Vec::new();
    for object in objects {
        let Some(template) = pod_template(object) else {
            continue;
        };
        let kind = object["kind"].as_str().unwrap_or("?");
        let namespace = namespace_of(object, intent).to_string();
        let component = name_of(object)
            .strip_prefix(&format!("{}-", intent.platform))
            .filter(|_| matches!(kind, "Deployment" | "StatefulSet"))
            .filter(|c| intent.components.contains_key(*c))
            .filter(|_| namespace == intent.namespace)
            .map(String::from);
        let spec = &template["spec"];
        let ports = ["containers", "initContainers"]
            .iter()
            .flat_map(|k| list(&spec[*k]))
            .flat_map(|c| list(&c["ports"]))
            .filter_map(|p| {
                let number = u16::try_from(p["containerPort"].as_u64()?).ok()?;
                Some((p["name"].as_str().map(String::from), number))
            })
            .collect();
        out.push(Pod {
            name: component.as_ref().map_or_else(
                || format!("{kind}/{}", name_of(object)),
                |c| format!("`{c}`"),
            ),
            component,
            namespace,
            labels: string_map(&template["metadata"]["labels"]),
            annotations: string_map(&template["metadata"]["annotations"]),
            ports,
        });
    }
    out
}

/// A label selector: `matchLabels` and `matchExpressions`, ANDed; `{}` selects everything.
fn selector_matches(selector: &Value, labels: &Labels) -> bool {
    let label = |key: &str| labels.get(key).map(String::as_str);
    let by_label = entries(&selector["matchLabels"])
        .all(|(key, value)| value.as_str().is_some_and(|v| label(key) == Some(v)));
    let by_expression = list(&selector["matchExpressions"]).iter().all(|e| {
        let key = e["key"].as_str().unwrap_or_default();
        let values: Vec<&str> = list(&e["values"])
            .iter()
            .filter_map(Value::as_str)
            .collect();
        match e["operator"].as_str() {
            Some("In") => label(key).is_some_and(|v| values.contains(&v)),
            Some("NotIn") => label(key).is_none_or(|v| !values.contains(&v)),
            Some("Exists") => label(key).is_some(),
            Some("DoesNotExist") => label(key).is_none(),
            _ => false,
        }
    });
    by_label && by_expression
}

/// A monitor's `selector`: a missing one selects nothing (the operator turns a nil
/// selector into `labels.Nothing()`), `{}` everything.
fn monitor_selects(monitor: &Value, labels: &Labels) -> bool {
    present(&monitor["spec"], "selector").is_some_and(|s| selector_matches(s, labels))
}

/// Whether a monitor's `namespaceSelector` covers `namespace`: `any: true` every one,
/// `matchNames` those, and by default the monitor's own.
fn monitor_covers(monitor: &Value, own: &str, namespace: &str) -> bool {
    let selector = &monitor["spec"]["namespaceSelector"];
    if selector["any"] == true {
        return true;
    }
    let names: Vec<&str> = list(&selector["matchNames"])
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if names.is_empty() {
        namespace == own
    } else {
        names.contains(&namespace)
    }
}

/// The pods a Service sends to: those its `selector` matches in its namespace. A Service
/// without a selector has no endpoints here.
fn behind<'p>(service: &Value, namespace: &str, pods: &'p [Pod]) -> Vec<(usize, &'p Pod)> {
    let selector = string_map(&service["spec"]["selector"]);
    if selector.is_empty() {
        return Vec::new();
    }
    pods.iter()
        .enumerate()
        .filter(|(_, p)| {
            p.namespace == namespace && selector.iter().all(|(k, v)| p.labels.get(k) == Some(v))
        })
        .collect()
}

/// The container port a Service port sends to on `pod`: `targetPort` by name (none when
/// the pod has no such port) or number, else the Service port's own number.
fn target_port(service_port: &Value, pod: &Pod) -> Option<u16> {
    match &service_port["targetPort"] {
        Value::String(name) => match name.parse::<u16>() {
            Ok(n) => Some(n),
            Err(_) => pod.port_named(name),
        },
        Value::Number(n) => u16::try_from(n.as_u64()?).ok(),
        _ => u16::try_from(service_port["port"].as_u64()?).ok(),
    }
}

/// An endpoint's path: `/metrics` unless written.
fn path_of(value: &Value) -> String {
    value.as_str().unwrap_or("/metrics").to_string()
}

/// Whether a `prometheus.io/scrape` annotation says yes.
fn annotated(annotations: &Labels) -> bool {
    annotations.get("prometheus.io/scrape").map(String::as_str) == Some("true")
}

/// Every target the render's monitors and annotations make. Problems with a monitor itself
/// (ignored by the operator, an endpoint without `port`, an object it picks that has none
/// of its ports) go to `failures`.
fn targets(
    objects: &[Value],
    pods: &[Pod],
    intent: &Intent,
    label: &str,
    failures: &mut Vec<String>,
) -> Vec<Target> {
    let mut out = Vec::new();
    let services: Vec<&Value> = objects.iter().filter(|o| o["kind"] == "Service").collect();
    for monitor in objects.iter().filter(|o| {
        o["apiVersion"] == "monitoring.coreos.com/v1"
            && matches!(o["kind"].as_str(), Some("ServiceMonitor" | "PodMonitor"))
    }) {
        let kind = monitor["kind"].as_str().unwrap_or_default();
        let me = format!("{kind} {}", name_of(monitor));
        let labels = string_map(&monitor["metadata"]["labels"]);
        let missing: Vec<String> = intent
            .monitor_labels
            .iter()
            .filter(|(k, v)| labels.get(*k) != Some(v))
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        if !missing.is_empty() {
            failures.push(format!(
                "{label}: {me} lacks `{}` (monitoring.labels): the operator ignores it",
                missing.join(", ")
            ));
            continue;
        }
        let own = namespace_of(monitor, intent);
        let endpoints_key = if kind == "ServiceMonitor" {
            "endpoints"
        } else {
            "podMetricsEndpoints"
        };
        let endpoints = list(&monitor["spec"][endpoints_key]);
        let port_names: Vec<Option<&str>> = endpoints.iter().map(|e| e["port"].as_str()).collect();
        for (i, name) in port_names.iter().enumerate() {
            if name.is_none() {
                failures.push(format!("{label}: {me} (endpoint {i}) names no `port`"));
            }
        }
        if kind == "ServiceMonitor" {
            let picked = services.iter().filter(|s| {
                monitor_covers(monitor, own, namespace_of(s, intent))
                    && monitor_selects(monitor, &string_map(&s["metadata"]["labels"]))
            });
            let mut any = false;
            for service in picked {
                any = true;
                let through = format!("Service {}", name_of(service));
                let ns = namespace_of(service, intent);
                let mut found = false;
                for (i, endpoint) in endpoints.iter().enumerate() {
                    let Some(name) = port_names[i] else { continue };
                    let Some(service_port) = list(&service["spec"]["ports"])
                        .iter()
                        .find(|p| p["name"].as_str() == Some(name))
                    else {
                        continue;
                    };
                    for (p, pod) in behind(service, ns, pods) {
                        if let Some(port) = target_port(service_port, pod) {
                            found = true;
                            out.push(Target {
                                pod: p,
                                port,
                                path: path_of(&endpoint["path"]),
                                source: Source::ServiceMonitor,
                                by: format!("{me} (endpoint {i}) through {through}"),
                            });
                        }
                    }
                }
                if !found {
                    failures.push(format!(
                        "{label}: {me} selects {through}, which has no port it scrapes"
                    ));
                }
            }
            if !any {
                failures.push(format!("{label}: {me} selects no Service"));
            }
        } else {
            let picked = pods.iter().enumerate().filter(|(_, p)| {
                monitor_covers(monitor, own, &p.namespace) && monitor_selects(monitor, &p.labels)
            });
            let mut any = false;
            for (p, pod) in picked {
                any = true;
                let mut found = false;
                for (i, endpoint) in endpoints.iter().enumerate() {
                    let Some(port) = port_names[i].and_then(|n| pod.port_named(n)) else {
                        continue;
                    };
                    found = true;
                    out.push(Target {
                        pod: p,
                        port,
                        path: path_of(&endpoint["path"]),
                        source: Source::PodMonitor,
                        by: format!("{me} (endpoint {i})"),
                    });
                }
                if !found {
                    failures.push(format!(
                        "{label}: {me} selects pods of {}, which have no port it scrapes",
                        pod.name
                    ));
                }
            }
            if !any {
                failures.push(format!("{label}: {me} selects no pod"));
            }
        }
    }
    // The annotation conventions: a pod's own, and a Service's for each pod behind it.
    for (p, pod) in pods.iter().enumerate() {
        if !annotated(&pod.annotations) {
            continue;
        }
        let path = path_of(&json!(pod.annotations.get("prometheus.io/path")));
        let ports: Vec<u16> = match pod.annotations.get("prometheus.io/port") {
            Some(port) => port.parse().into_iter().collect(),
            None => pod.ports.iter().map(|(_, n)| *n).collect(),
        };
        for port in ports {
            out.push(Target {
                pod: p,
                port,
                path: path.clone(),
                source: Source::PodAnnotations,
                by: format!(
                    "the pod template of {} (prometheus.io annotations)",
                    pod.name
                ),
            });
        }
    }
    for service in &services {
        let annotations = string_map(&service["metadata"]["annotations"]);
        if !annotated(&annotations) {
            continue;
        }
        let path = path_of(&json!(annotations.get("prometheus.io/path")));
        let fixed: Option<u16> = annotations
            .get("prometheus.io/port")
            .and_then(|p| p.parse().ok());
        for (p, pod) in behind(service, namespace_of(service, intent), pods) {
            // The annotation's port replaces each endpoint's: identical targets are one.
            let mut ports: Vec<u16> = match fixed {
                Some(port) => vec![port],
                None => list(&service["spec"]["ports"])
                    .iter()
                    .filter_map(|sp| target_port(sp, pod))
                    .collect(),
            };
            ports.sort_unstable();
            ports.dedup();
            for port in ports {
                out.push(Target {
                    pod: p,
                    port,
                    path: path.clone(),
                    source: Source::ServiceAnnotations,
                    by: format!("Service {} (prometheus.io annotations)", name_of(service)),
                });
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------------

/// Checks the rendered `objects` of one environment against its `spec`; one line per
/// problem, each starting with `label`.
fn check_objects(spec: &Value, objects: &[Value], label: &str) -> Vec<String> {
    let intent = Intent::read(spec);
    let pods = pods(objects, &intent);
    let mut failures = Vec::new();
    let targets = targets(objects, &pods, &intent, label, &mut failures);
    // Each component port a target reaches: the targets, by (component, port name).
    let mut found: BTreeMap<(&str, &str), Vec<&Target>> = BTreeMap::new();
    for t in &targets {
        let pod = &pods[t.pod];
        let marked = pod.component.as_deref().and_then(|c| {
            let ports = &intent.components[c];
            let (name, port) = ports.iter().find(|(_, p)| p.port == t.port)?;
            Some((c, name.as_str(), port))
        });
        let Some((component, name, port)) = marked.filter(|(_, _, p)| p.scrape.is_some()) else {
            failures.push(format!(
                "{label}: {} scrapes {} port {}, which the spec does not mark `scrape`",
                t.by, pod.name, t.port
            ));
            continue;
        };
        let path = port.scrape.as_deref().unwrap_or_default();
        if t.path != path {
            failures.push(format!(
                "{label}: {} scrapes `{component}` port {name} ({}) at `{}`; the spec says `{path}`",
                t.by, t.port, t.path
            ));
        }
        found.entry((component, name)).or_default().push(t);
    }
    for ((component, name), ts) in &found {
        if ts.len() > 1 {
            let port = intent.components[*component][*name].port;
            let by: Vec<&str> = ts.iter().map(|t| t.by.as_str()).collect();
            failures.push(format!(
                "{label}: `{component}` port {name} ({port}) is scraped {} times: {}",
                ts.len(),
                by.join("; ")
            ));
        }
    }
    // Coverage, by `monitoring.via`.
    for (component, ports) in &intent.components {
        let marked: Vec<(&String, &SpecPort)> =
            ports.iter().filter(|(_, p)| p.scrape.is_some()).collect();
        let sources = |name: &str| -> Vec<Source> {
            found
                .get(&(component.as_str(), name))
                .into_iter()
                .flatten()
                .map(|t| t.source)
                .collect()
        };
        if intent.via == Via::Annotations {
            let scraped: Vec<&str> = marked
                .iter()
                .filter(|(n, _)| sources(n).contains(&Source::PodAnnotations))
                .map(|(n, _)| n.as_str())
                .collect();
            if !marked.is_empty() && scraped.len() != 1 {
                let names: Vec<&str> = marked.iter().map(|(n, _)| n.as_str()).collect();
                failures.push(format!(
                    "{label}: `{component}` marks `scrape` on {}; its pods' annotations scrape {} of them, not one",
                    names.join(", "),
                    scraped.len()
                ));
            }
            continue;
        }
        for (name, port) in marked {
            let wanted = match intent.via {
                Via::ServiceMonitor if port.on_service => Source::ServiceMonitor,
                Via::ServiceMonitor | Via::PodMonitor => Source::PodMonitor,
                Via::Annotations | Via::Unset => continue,
            };
            let what = format!("`{component}` port {name} ({})", port.port);
            let by = sources(name);
            if by.is_empty() {
                failures.push(format!(
                    "{label}: {what} is marked `scrape`, but nothing scrapes it"
                ));
            } else if !by.contains(&wanted) {
                failures.push(format!(
                    "{label}: {what} is not scraped by a {wanted:?}, as `monitoring.via` says"
                ));
            }
        }
    }
    failures
}

/// The objects of `wfk render ENV -o json` in `dir` with `--set` values; the render must
/// succeed (warnings on stderr are the checks' business).
fn render(dir: &Path, env: &str, sets: &[&str]) -> Vec<Value> {
    let mut args = vec!["render", env, "-o", "json"];
    for set in sets {
        args.extend(["--set", set]);
    }
    let run = wfk(dir, &args);
    assert_eq!(
        run.status,
        Some(0),
        "{}: `wfk {}` failed:\n{}",
        dir.display(),
        args.join(" "),
        run.stderr
    );
    let list: Value = serde_json::from_str(&run.stdout).expect("JSON");
    list["items"].as_array().expect("a List").clone()
}

/// The environments of a project, as `wfk envs` lists them (`prod (extends dev)`: the
/// first word).
fn environments(dir: &Path) -> Vec<String> {
    let listed = wfk_ok(dir, &["envs"]);
    let names = listed
        .lines()
        .filter_map(|line| line.split_whitespace().next());
    names.map(String::from).collect()
}

/// The project folders under `folder` (those with a platform.yaml).
fn projects_under(folder: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("platform.yaml").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn project_label(dir: &Path) -> String {
    match dir.strip_prefix(root()) {
        Ok(rel) if rel.as_os_str().is_empty() => "the reference platform".to_string(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => "a temporary project".to_string(),
    }
}

/// Checks every environment of each project, with `monitoring.via` as each environment
/// says or, given `via`, as that; returns the modes seen and reports every failure at once.
fn check_all(dirs: &[PathBuf], via: Option<&str>) -> Vec<Via> {
    assert!(!dirs.is_empty(), "no projects to check");
    let mut failures = Vec::new();
    let mut modes = Vec::new();
    for dir in dirs {
        let envs = environments(dir);
        assert!(!envs.is_empty(), "{}: no environments", dir.display());
        for env in envs {
            let mut spec = merged_spec(dir, &env);
            let set = via.map(|v| format!("monitoring.via={v}"));
            if let Some(v) = via {
                spec["monitoring"]["via"] = json!(v);
            }
            let sets: Vec<&str> = set.iter().map(String::as_str).collect();
            let objects = render(dir, &env, &sets);
            let label = format!(
                "{} {env}{}",
                project_label(dir),
                set.map_or(String::new(), |s| format!(" --set {s}"))
            );
            modes.push(Intent::read(&spec).via);
            failures.extend(check_objects(&spec, &objects, &label));
        }
    }
    assert!(
        failures.is_empty(),
        "{} scrape mismatches with the spec:\n{}",
        failures.len(),
        failures.join("\n")
    );
    modes
}

#[test]
fn the_reference_platform_scrapes_each_marked_port_once() {
    let modes = check_all(&[root()], None);
    assert!(!modes.is_empty());
}

#[test]
fn every_example_scrapes_each_marked_port_once() {
    let dirs = projects_under(&root().join("examples"));
    assert!(dirs.len() >= 3, "the examples are checked: {dirs:?}");
    check_all(&dirs, None);
}

#[test]
fn every_test_project_scrapes_each_marked_port_once() {
    let dirs = projects_under(&root().join("tests").join("projects"));
    for name in ["full", "pods", "yaml11"] {
        assert!(dirs.contains(&project(name)), "{name} is not checked");
    }
    check_all(&dirs, None);
}

/// The reference platform and the test projects, switched to each `monitoring.via` with
/// `--set`: the selection holds whichever way Prometheus finds the ports.
#[test]
fn the_reference_platform_and_test_projects_scrape_each_marked_port_once_in_every_mode() {
    let mut dirs = vec![root()];
    dirs.extend(projects_under(&root().join("tests").join("projects")));
    for (via, mode) in [
        ("serviceMonitor", Via::ServiceMonitor),
        ("podMonitor", Via::PodMonitor),
        ("annotations", Via::Annotations),
    ] {
        let modes = check_all(&dirs, Some(via));
        assert!(modes.iter().all(|m| *m == mode), "{modes:?}");
    }
}

/// A project whose environments use each mode: `dev` ServiceMonitors (with a port off the
/// Service, a stateful component's headless Service and an extra Service that carry the
/// scraped ports too, an interval and operator labels), `staging` PodMonitors, `prod`
/// annotations (`api` and `db` mark two ports each, of which the convention scrapes one),
/// `plain` none. A job runs as the scraped component, so a selector that forgets the
/// component's name reaches its pods.
const PROJECT: &str = r#"platform: shop
defaults:
  resources: { cpu: 100m/500m, memory: 128Mi/256Mi }
  suppress: { image-without-digest: "a test" }
components:
  api:
    image: shop/api:1.0
    ports: { http: { port: 8080, scrape: true }, admin: { port: 9000, scrape: /admin/metrics }, debug: 6060 }
    probes: { liveness: /live, readiness: /ready }
    services: { internal: { ports: [http, admin, debug] } }
    uses: [db]
  db:
    kind: stateful
    image: shop/db:1.0
    ports: { sql: 5432, stats: { port: 9188, scrape: true }, metrics: { port: 9187, service: false, scrape: /q/metrics } }
    probes: { liveness: { tcp: sql }, readiness: { tcp: sql } }
  web:
    image: shop/web:1.0
    ports: { http: 3000, metrics: { port: 9100, scrape: true } }
    probes: { liveness: /live, readiness: /ready }
    uses: [api]
  worker:
    image: shop/worker:1.0
    ports: { metrics: 9102 }
    probes: { liveness: /live, readiness: /ready }
jobs:
  migrate: { component: api, command: [migrate], uses: [db] }
"#;

fn project_with_every_mode() -> TempDir {
    let dir = TempDir::new();
    dir.write("platform.yaml", PROJECT);
    dir.write(
        "overlays/dev.yaml",
        "monitoring: { via: serviceMonitor, interval: 30s, labels: { release: kube-prometheus-stack } }\n",
    );
    dir.write("overlays/staging.yaml", "monitoring: { via: podMonitor }\n");
    dir.write("overlays/prod.yaml", "monitoring: { via: annotations }\n");
    dir.write("overlays/plain.yaml", "");
    dir
}

#[test]
fn a_project_in_every_mode_scrapes_each_marked_port_once() {
    let dir = project_with_every_mode();
    let mut modes = check_all(&[dir.path().to_path_buf()], None);
    modes.sort_by_key(|m| format!("{m:?}"));
    assert_eq!(
        modes,
        [
            Via::Annotations,
            Via::PodMonitor,
            Via::ServiceMonitor,
            Via::Unset
        ]
    );
    // The modes make what they should: the checker has something to check in each.
    let kinds = |env: &str| -> Vec<String> {
        render(dir.path(), env, &[])
            .iter()
            .filter(|o| {
                matches!(o["kind"].as_str(), Some("ServiceMonitor" | "PodMonitor"))
                    || pod_template(o)
                        .is_some_and(|t| annotated(&string_map(&t["metadata"]["annotations"])))
            })
            .map(|o| format!("{}/{}", o["kind"].as_str().unwrap(), name_of(o)))
            .collect::<std::collections::BTreeSet<String>>()
            .into_iter()
            .collect()
    };
    assert_eq!(
        kinds("dev"),
        [
            "PodMonitor/shop-db",
            "ServiceMonitor/shop-api",
            "ServiceMonitor/shop-db",
            "ServiceMonitor/shop-web"
        ]
    );
    assert_eq!(
        kinds("staging"),
        [
            "PodMonitor/shop-api",
            "PodMonitor/shop-db",
            "PodMonitor/shop-web"
        ]
    );
    assert_eq!(
        kinds("prod"),
        [
            "Deployment/shop-api",
            "Deployment/shop-web",
            "StatefulSet/shop-db"
        ]
    );
    assert_eq!(kinds("plain"), Vec::<String>::new());
}

/// The objects of `env` of the every-mode project, with `change` applied to the object
/// `kind/name`, and the checker's findings on them.
fn mutated(env: &str, kind: &str, name: &str, change: impl Fn(&mut Value)) -> Vec<String> {
    let dir = project_with_every_mode();
    let spec = merged_spec(dir.path(), env);
    let mut objects = render(dir.path(), env, &[]);
    assert_eq!(check_objects(&spec, &objects, env), Vec::<String>::new());
    let object = objects
        .iter_mut()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind}/{name}"));
    change(object);
    check_objects(&spec, &objects, env)
}

fn assert_reports(found: &[String], lines: &[&str]) {
    for line in lines {
        assert!(
            found.iter().any(|f| f == line),
            "missing {line:?} in {found:#?}"
        );
    }
}

/// A ServiceMonitor whose selector forgets `wfk/scraped` picks the headless and the extra
/// Services too, which carry the same ports: each is scraped twice.
#[test]
fn a_widened_service_monitor_selector_is_a_double_scrape() {
    let without_scraped = |m: &mut Value| {
        let labels = m["spec"]["selector"]["matchLabels"]
            .as_object_mut()
            .unwrap();
        assert!(labels.remove("wfk/scraped").is_some());
    };
    assert_reports(
        &mutated("dev", "ServiceMonitor", "shop-api", without_scraped),
        &[
            "dev: `api` port http (8080) is scraped 2 times: ServiceMonitor shop-api (endpoint 1) through Service shop-api; ServiceMonitor shop-api (endpoint 1) through Service shop-api-internal",
        ],
    );
    assert_reports(
        &mutated("dev", "ServiceMonitor", "shop-db", without_scraped),
        &[
            "dev: `db` port stats (9188) is scraped 2 times: ServiceMonitor shop-db (endpoint 0) through Service shop-db; ServiceMonitor shop-db (endpoint 0) through Service shop-db-headless",
        ],
    );
    // Widened to the platform's instance label alone: every component's Services, and the
    // Services of `web` and `db` have none of its ports.
    let found = mutated("dev", "ServiceMonitor", "shop-api", |m| {
        m["spec"]["selector"] = json!({ "matchExpressions": [{ "key": "app.kubernetes.io/instance", "operator": "Exists" }] });
    });
    assert_reports(
        &found,
        &[
            "dev: ServiceMonitor shop-api selects Service shop-db, which has no port it scrapes",
            "dev: `api` port admin (9000) is scraped 2 times: ServiceMonitor shop-api (endpoint 0) through Service shop-api; ServiceMonitor shop-api (endpoint 0) through Service shop-api-internal",
        ],
    );
    // `any: true` alone changes nothing here: the render has one namespace.
    let found = mutated("dev", "ServiceMonitor", "shop-api", |m| {
        m["spec"]["namespaceSelector"] = json!({ "any": true });
    });
    assert_eq!(found, Vec::<String>::new());
}

/// A PodMonitor whose selector forgets the component's name picks every pod of the
/// platform, the job's too.
#[test]
fn a_widened_pod_monitor_selector_picks_pods_without_its_port() {
    let found = mutated("staging", "PodMonitor", "shop-web", |m| {
        let labels = m["spec"]["selector"]["matchLabels"]
            .as_object_mut()
            .unwrap();
        assert!(labels.remove("app.kubernetes.io/name").is_some());
    });
    assert_reports(
        &found,
        &[
            "staging: PodMonitor shop-web selects pods of `api`, which have no port it scrapes",
            "staging: `db` port metrics (9187) is scraped 2 times: PodMonitor shop-db (endpoint 0); PodMonitor shop-web (endpoint 0)",
            "staging: PodMonitor shop-web (endpoint 0) scrapes `worker` port 9102, which the spec does not mark `scrape`",
        ],
    );
    // The job that runs as `api` has pods of the platform too, with no ports.
    assert!(
        found.iter().any(|f| f.starts_with(
            "staging: PodMonitor shop-web selects pods of Job/shop-migrate"
        )),
        "{found:#?}"
    );
    // Pointed at the API's pods: its port `http` is a target twice, and `web` is left out.
    let found = mutated("staging", "PodMonitor", "shop-web", |m| {
        m["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] = json!("api");
        m["spec"]["podMetricsEndpoints"][0]["port"] = json!("http");
    });
    assert_reports(
        &found,
        &[
            "staging: `api` port http (8080) is scraped 2 times: PodMonitor shop-api (endpoint 1); PodMonitor shop-web (endpoint 0)",
            "staging: `web` port metrics (9100) is marked `scrape`, but nothing scrapes it",
        ],
    );
}

/// What else the checker names: a monitor gone, a path changed, the operator's labels
/// missing, an annotation pointing at an unmarked port, a ServiceMonitor where the mode
/// wants a PodMonitor.
#[test]
fn missing_monitors_wrong_paths_and_stray_annotations_are_named() {
    let found = mutated("dev", "ServiceMonitor", "shop-web", |m| {
        m["metadata"]["labels"]
            .as_object_mut()
            .unwrap()
            .remove("release");
    });
    assert_reports(
        &found,
        &[
            "dev: ServiceMonitor shop-web lacks `release: kube-prometheus-stack` (monitoring.labels): the operator ignores it",
            "dev: `web` port metrics (9100) is marked `scrape`, but nothing scrapes it",
        ],
    );
    let found = mutated("dev", "PodMonitor", "shop-db", |m| {
        m["spec"]["podMetricsEndpoints"][0]["path"] = json!("/metrics");
    });
    assert_reports(
        &found,
        &[
            "dev: PodMonitor shop-db (endpoint 0) scrapes `db` port metrics (9187) at `/metrics`; the spec says `/q/metrics`",
        ],
    );
    let found = mutated("prod", "Deployment", "shop-api", |d| {
        d["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] = json!("6060");
    });
    assert_reports(
        &found,
        &[
            "prod: the pod template of `api` (prometheus.io annotations) scrapes `api` port 6060, which the spec does not mark `scrape`",
            "prod: `api` marks `scrape` on admin, http; its pods' annotations scrape 0 of them, not one",
        ],
    );
    let found = mutated("staging", "PodMonitor", "shop-web", |m| {
        m["kind"] = json!("ServiceMonitor");
        m["spec"]["endpoints"] = m["spec"]["podMetricsEndpoints"].take();
    });
    assert_reports(
        &found,
        &[
            "staging: `web` port metrics (9100) is not scraped by a PodMonitor, as `monitoring.via` says",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Discovery on small hand-written inputs
// ---------------------------------------------------------------------------------------

fn object(kind: &str, name: &str, namespace: &str, rest: Value) -> Value {
    let mut o = json!({ "kind": kind, "metadata": { "name": name, "namespace": namespace } });
    for (k, v) in rest.as_object().unwrap() {
        if k == "labels" || k == "annotations" {
            o["metadata"][k] = v.clone();
        } else {
            o[k] = v.clone();
        }
    }
    o
}

/// Two namespaces, each with a Deployment `p-api` and its Service; the intent is the
/// platform `p` in namespace `a` with `http` scraped.
fn two_namespaces() -> (Value, Vec<Value>) {
    let spec = json!({
        "platform": "p", "namespace": "a",
        "monitoring": { "via": "serviceMonitor" },
        "components": { "api": { "ports": { "http": { "port": 8080, "scrape": true } } } },
    });
    let mut objects = Vec::new();
    for ns in ["a", "b"] {
        let labels = json!({ "app": "api" });
        objects.push(object(
            "Deployment",
            "p-api",
            ns,
            json!({ "spec": { "template": {
                "metadata": { "labels": labels },
                "spec": { "containers": [{ "ports": [{ "name": "http", "containerPort": 8080 }] }] },
            } } }),
        ));
        objects.push(object(
            "Service",
            "p-api",
            ns,
            json!({ "labels": labels, "spec": {
                "selector": labels,
                "ports": [{ "name": "web", "port": 80, "targetPort": "http" }],
            } }),
        ));
    }
    (spec, objects)
}

fn service_monitor(namespace_selector: Value, selector: Value) -> Value {
    let mut m = object(
        "ServiceMonitor",
        "p-api",
        "a",
        json!({ "spec": { "selector": selector, "endpoints": [{ "port": "web" }] } }),
    );
    m["apiVersion"] = json!("monitoring.coreos.com/v1");
    if !namespace_selector.is_null() {
        m["spec"]["namespaceSelector"] = namespace_selector;
    }
    m
}

#[test]
fn a_service_monitor_looks_in_its_own_namespace_unless_told_otherwise() {
    let (spec, objects) = two_namespaces();
    let check = |namespace_selector: Value| {
        let mut all = objects.clone();
        all.push(service_monitor(
            namespace_selector,
            json!({ "matchLabels": { "app": "api" } }),
        ));
        check_objects(&spec, &all, "t")
    };
    // Its own namespace: the Service port `web` goes to the container port `http`, 8080.
    assert_eq!(check(Value::Null), Vec::<String>::new());
    assert_eq!(check(json!({ "matchNames": ["a"] })), Vec::<String>::new());
    // Namespace `b` alone: its pods are no component's.
    assert_eq!(
        check(json!({ "matchNames": ["b"] })),
        [
            "t: ServiceMonitor p-api (endpoint 0) through Service p-api scrapes Deployment/p-api port 8080, which the spec does not mark `scrape`",
            "t: `api` port http (8080) is marked `scrape`, but nothing scrapes it",
        ]
    );
    let both = check(json!({ "any": true }));
    assert_eq!(
        both,
        [
            "t: ServiceMonitor p-api (endpoint 0) through Service p-api scrapes Deployment/p-api port 8080, which the spec does not mark `scrape`"
        ]
    );
}

#[test]
fn monitor_selectors_are_match_labels_and_expressions_and_none_selects_nothing() {
    let labels: Labels = [("app", "api"), ("tier", "web")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let with = |selector: Value| json!({ "spec": { "selector": selector } });
    assert!(monitor_selects(&with(json!({})), &labels));
    assert!(!monitor_selects(&json!({ "spec": {} }), &labels));
    assert!(monitor_selects(
        &with(json!({ "matchLabels": { "app": "api" } })),
        &labels
    ));
    assert!(!monitor_selects(
        &with(json!({ "matchLabels": { "app": "api", "tier": "db" } })),
        &labels
    ));
    let expression = |operator: &str, values: Value| {
        with(
            json!({ "matchExpressions": [{ "key": "tier", "operator": operator, "values": values }] }),
        )
    };
    assert!(monitor_selects(
        &expression("In", json!(["web", "db"])),
        &labels
    ));
    assert!(!monitor_selects(
        &expression("NotIn", json!(["web"])),
        &labels
    ));
    assert!(monitor_selects(&expression("Exists", Value::Null), &labels));
    assert!(!monitor_selects(
        &expression("DoesNotExist", Value::Null),
        &labels
    ));
    assert!(!monitor_selects(
        &expression("Matches", json!(["web"])),
        &labels
    ));
}

#[test]
fn annotations_without_a_port_scrape_every_container_port() {
    let (spec, mut objects) = two_namespaces();
    objects.truncate(1);
    objects[0]["spec"]["template"]["metadata"]["annotations"] =
        json!({ "prometheus.io/scrape": "true" });
    objects[0]["spec"]["template"]["spec"]["containers"][0]["ports"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": "debug", "containerPort": 6060 }));
    let mut spec = spec;
    spec["monitoring"]["via"] = json!("annotations");
    spec["components"]["api"]["ports"]["debug"] = json!(6060);
    assert_eq!(
        check_objects(&spec, &objects, "t"),
        [
            "t: the pod template of `api` (prometheus.io annotations) scrapes `api` port 6060, which the spec does not mark `scrape`"
        ]
    );
}
