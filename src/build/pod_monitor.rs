//! A PodMonitor (Prometheus Operator, `monitoring.coreos.com/v1`) for each component with
//! scraped ports, when `monitoring.via` is `podMonitor`; with `serviceMonitor`, for the
//! scraped ports no Service of the component's own carries (`service: false`).

use super::Ctx;
use super::object::Custom;
use super::pod::sorted_ports;
use super::service_monitor::{endpoints, monitor, on_main_service};
use crate::platform::ScrapeVia;
use crate::platform::component::Component;
use serde_json::json;

pub(crate) fn pod_monitor(name: &str, c: &Component, ctx: &Ctx) -> Option<Custom> {
    let via = ctx.spec.monitoring.via;
    if !matches!(via, Some(ScrapeVia::PodMonitor | ScrapeVia::ServiceMonitor)) {
        return None;
    }
    let on_service = on_main_service(c, ctx);
    let ports: Vec<_> = sorted_ports(&c.ports)
        .into_iter()
        .filter(|(n, p)| p.scraped() && !on_service.iter().any(|(s, _)| s == n))
        .collect();
    if ports.is_empty() {
        return None;
    }
    Some(monitor(
        "PodMonitor",
        name,
        c,
        ctx,
        json!({
            "selector": { "matchLabels": ctx.selector_labels(name) },
            "podMetricsEndpoints": endpoints(&ports, ctx),
        }),
    ))
}
