//! A ServiceMonitor (Prometheus Operator, `monitoring.coreos.com/v1`) for each component
//! whose main Service has scraped ports, when `monitoring.via` is `serviceMonitor`. It
//! selects the main Service alone by [`SCRAPED`], so the headless and extra Services that
//! carry the same ports are not scraped twice.

use super::Ctx;
use super::object::Custom;
use super::pod::sorted_ports;
use crate::platform::ScrapeVia;
use crate::platform::component::Component;
use crate::platform::values::Port;
use serde_json::{Map, Value, json};

/// The label a ServiceMonitor selects its component's main Service by.
pub(crate) const SCRAPED: &str = "wfk/scraped";

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
    Some(monitor(
        "ServiceMonitor",
        name,
        c,
        ctx,
        json!({
            "selector": { "matchLabels": selector },
            "endpoints": endpoints(&ports, ctx),
        }),
    ))
}

/// A monitor object of `kind` for the component, with the labels the operator selects on.
pub(super) fn monitor(kind: &str, name: &str, c: &Component, ctx: &Ctx, spec: Value) -> Custom {
    let mut metadata = ctx.component_metadata(name, c);
    metadata.labels.get_or_insert_default().extend(
        ctx.spec
            .monitoring
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    Custom {
        api_version: "monitoring.coreos.com/v1".to_string(),
        kind: kind.to_string(),
        metadata,
        rest: Map::from_iter([("spec".to_string(), spec)]),
    }
}

/// One scrape endpoint per port: its name, path and the platform's interval.
pub(super) fn endpoints(ports: &[(&String, &Port)], ctx: &Ctx) -> Value {
    ports
        .iter()
        .map(|(name, p)| {
            let mut e = json!({ "port": name, "path": p.scrape_path() });
            if let Some(interval) = &ctx.spec.monitoring.interval {
                e["interval"] = json!(interval);
            }
            e
        })
        .collect()
}
