//! Monitoring as part of the platform: the ServiceMonitors, PodMonitors or annotations
//! `monitoring.via` makes for ports with `scrape`, the path and interval, the labels the
//! operator selects on, and the network path from the monitoring namespace.

use crate::support::{SHOP, shop};
use serde_json::{Value, json};

/// The objects of `wfk render dev -o json` for `spec`.
fn render(spec: &str) -> Vec<Value> {
    let out = shop()
        .file("platform.yaml", spec)
        .args(["render", "dev", "-o", "json"])
        .output();
    assert_eq!((out.status, out.stderr.as_str()), (Some(0), ""), "{spec}");
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    json["items"].as_array().unwrap().clone()
}

fn find<'a>(objects: &'a [Value], kind: &str, name: &str) -> Option<&'a Value> {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
}

/// [`SHOP`] with `monitoring` and a stateful `db` whose metrics port is off its Service.
fn spec(monitoring: &str) -> String {
    format!(
        "{monitoring}\n{SHOP}  db:
    kind: stateful
    image: shop/db:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: {{ sql: 5432, metrics: {{ port: 9187, service: false, scrape: /q/metrics }} }}
    probes: {{ liveness: {{ tcp: sql }}, readiness: {{ tcp: sql }} }}
"
    )
}

const SELECTOR: [(&str, &str); 2] = [
    ("app.kubernetes.io/instance", "shop"),
    ("app.kubernetes.io/name", "api"),
];

#[test]
fn service_monitors_select_the_main_service_alone_and_pod_monitors_take_the_rest() {
    let objects = render(&spec(
        "monitoring: { via: serviceMonitor, labels: { release: kube-prometheus-stack }, interval: 30s }",
    ));
    let monitor = find(&objects, "ServiceMonitor", "shop-api").expect("a ServiceMonitor");
    assert_eq!(monitor["apiVersion"], "monitoring.coreos.com/v1");
    assert_eq!(
        monitor["metadata"]["labels"]["release"],
        "kube-prometheus-stack"
    );
    let mut selector: serde_json::Map<String, Value> = SELECTOR
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    selector.insert("wfk/scraped".into(), json!("true"));
    assert_eq!(
        monitor["spec"],
        json!({
            "selector": { "matchLabels": selector },
            "endpoints": [{ "port": "http", "path": "/metrics", "interval": "30s" }],
        })
    );
    // Exactly one Service carries the label the ServiceMonitor selects on.
    let labelled: Vec<&Value> = objects
        .iter()
        .filter(|o| o["kind"] == "Service" && o["metadata"]["labels"]["wfk/scraped"] == "true")
        .collect();
    assert_eq!(labelled.len(), 1);
    assert_eq!(labelled[0]["metadata"]["name"], "shop-api");
    // The database's metrics port is on no Service of its own: a PodMonitor scrapes it.
    assert!(find(&objects, "ServiceMonitor", "shop-db").is_none());
    let pods = find(&objects, "PodMonitor", "shop-db").expect("a PodMonitor");
    assert_eq!(
        pods["spec"]["podMetricsEndpoints"],
        json!([{ "port": "metrics", "path": "/q/metrics", "interval": "30s" }])
    );
    assert!(
        find(&objects, "Service", "shop-db-headless").unwrap()["metadata"]["labels"]
            .get("wfk/scraped")
            .is_none()
    );
}

#[test]
fn pod_monitors_scrape_every_marked_port_and_annotations_the_first() {
    let objects = render(&spec("monitoring: { via: podMonitor }"));
    assert!(objects.iter().all(|o| o["kind"] != "ServiceMonitor"));
    let api = find(&objects, "PodMonitor", "shop-api").expect("a PodMonitor");
    assert_eq!(
        api["spec"]["podMetricsEndpoints"],
        json!([{ "port": "http", "path": "/metrics" }])
    );
    assert_eq!(
        api["spec"]["selector"]["matchLabels"],
        json!({ "app.kubernetes.io/instance": "shop", "app.kubernetes.io/name": "api" })
    );

    let objects = render(&spec("monitoring: { via: annotations }"));
    assert!(objects.iter().all(|o| o["kind"] != "PodMonitor"));
    let pod = &find(&objects, "StatefulSet", "shop-db").unwrap()["spec"]["template"];
    let annotations = &pod["metadata"]["annotations"];
    assert_eq!(annotations["prometheus.io/scrape"], "true");
    assert_eq!(annotations["prometheus.io/port"], "9187");
    assert_eq!(annotations["prometheus.io/path"], "/q/metrics");
}

#[test]
fn without_via_only_the_path_opens_from_the_monitoring_namespace() {
    let objects = render(&spec("monitoring: { namespace: observability }"));
    assert!(
        objects
            .iter()
            .all(|o| o["kind"] != "ServiceMonitor" && o["kind"] != "PodMonitor")
    );
    let policy = find(&objects, "NetworkPolicy", "shop-db").unwrap();
    let from_monitoring: Vec<&Value> = policy["spec"]["ingress"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                == "observability"
        })
        .collect();
    assert_eq!(
        from_monitoring,
        [&json!({
            "from": [{ "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": "observability" } } }],
            "ports": [{ "port": 9187, "protocol": "TCP" }],
        })]
    );
}

#[test]
fn a_scrape_that_is_neither_a_flag_nor_a_path_is_refused_where_it_is_written() {
    let out = shop()
        .file(
            "platform.yaml",
            SHOP.replace("scrape: true", "scrape: metrics"),
        )
        .args(["render", "dev"])
        .output();
    assert_eq!((out.status, out.stdout.as_str()), (Some(2), ""));
    assert!(
        out.stderr
            .contains("`metrics` is not `true`, `false` or a path starting with `/`")
            && out.stderr.contains("platform.yaml:7:"),
        "{}",
        out.stderr
    );
}

#[test]
fn explain_shows_where_the_monitoring_labels_come_from() {
    let out = shop()
        .file(
            "platform.yaml",
            spec("monitoring: { via: serviceMonitor, labels: { release: prom } }"),
        )
        .args(["explain", "dev", "monitoring.labels.release"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.contains("prom") && out.stdout.contains("platform.yaml:1:"),
        "{}",
        out.stdout
    );
}
