//! A ServiceMonitor (Prometheus Operator, `monitoring.coreos.com/v1`) for each component
//! whose main Service has scraped ports, when `monitoring.via` is `serviceMonitor`. It
//! selects the main Service alone by [`SCRAPED`], so the headless and extra Services that
//! carry the same ports are not scraped twice.
//!
//! The operator's kinds are not in k8s-openapi: their `spec` is typed here (and in
//! pod_monitor.rs) with the fields wfk writes, and goes into a [`Custom`] object.

use super::Ctx;
use super::object::Custom;
use super::pod::sorted_ports;
use crate::platform::ScrapeVia;
use crate::platform::component::Component;
use crate::platform::values::Port;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::Serialize;

/// The label a ServiceMonitor selects its component's main Service by.
pub(crate) const SCRAPED: &str = "wfk/scraped";

/// The `spec` of a ServiceMonitor: the Services it selects (in its own namespace) and the
/// ports of theirs it scrapes. Fields in alphabetical order, the order they are written in.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceMonitorSpec {
    endpoints: Vec<Endpoint>,
    selector: LabelSelector,
}

/// One scraped port: of a Service (`endpoints`) or of a pod (`podMetricsEndpoints`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Endpoint {
    /// The operator's default when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<String>,
    path: String,
    /// A Service port's name, or a container port's for a PodMonitor.
    port: String,
}

/// The main Service's scraped ports (not `service: false`), when ServiceMonitors find them.
pub(crate) fn on_main_service<'a>(c: &'a Component, ctx: &Ctx) -> Vec<(&'a String, &'a Port)> {
    if ctx.spec.monitoring.via != Some(ScrapeVia::ServiceMonitor) {
        return Vec::new();
    }
    sorted_ports(&c.ports)
        .into_iter()
        .filter(|(_, p)| p.scraped() && p.service != Some(false))
        .collect()
}

pub(crate) fn service_monitor(name: &str, c: &Component, ctx: &Ctx) -> Option<Custom> {
    let ports = on_main_service(c, ctx);
    if ports.is_empty() {
        return None;
    }
    let mut selector = ctx.selector_labels(name);
    selector.insert(SCRAPED.to_string(), "true".to_string());
    let spec = ServiceMonitorSpec {
        endpoints: endpoints(&ports, ctx),
        selector: LabelSelector {
            match_labels: Some(selector),
            ..Default::default()
        },
    };
    Some(monitor("ServiceMonitor", name, c, ctx, &spec))
}

/// A monitor object of `kind` for the component, with the labels the operator selects on.
pub(super) fn monitor(
    kind: &str,
    name: &str,
    c: &Component,
    ctx: &Ctx,
    spec: &impl Serialize,
) -> Custom {
    let mut metadata = ctx.component_metadata(name, c);
    metadata.labels.get_or_insert_default().extend(
        ctx.spec
            .monitoring
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    // Strings, label maps and lists: nothing here that JSON cannot hold.
    let spec = serde_json::to_value(spec).unwrap_or_else(|e| {
        panic!("internal error: a {kind} spec is not JSON ({e}); this is a bug in wfk")
    });
    Custom {
        api_version: "monitoring.coreos.com/v1".to_string(),
        kind: kind.to_string(),
        metadata,
        rest: serde_json::Map::from_iter([("spec".to_string(), spec)]),
    }
}

/// One scrape endpoint per scraped port: its name, path and the platform's interval.
pub(super) fn endpoints(ports: &[(&String, &Port)], ctx: &Ctx) -> Vec<Endpoint> {
    ports
        .iter()
        .filter_map(|(name, p)| {
            Some(Endpoint {
                interval: ctx.spec.monitoring.interval.clone(),
                path: p.scrape_path()?.to_string(),
                port: (*name).clone(),
            })
        })
        .collect()
}
