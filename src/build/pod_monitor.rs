//! A PodMonitor (Prometheus Operator, `monitoring.coreos.com/v1`) for each component with
//! scraped ports, when `monitoring.via` is `podMonitor`; with `serviceMonitor`, for the
//! scraped ports no Service of the component's own carries (`service: false`).

use super::Ctx;
use super::object::Custom;
use super::pod::sorted_ports;
use super::service_monitor::{Endpoint, endpoints, monitor, on_main_service};
use crate::platform::ScrapeVia;
use crate::platform::component::Component;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::Serialize;

/// The `spec` of a PodMonitor: the pods it selects (in its own namespace) and the container
/// ports of theirs it scrapes. Fields in alphabetical order, the order they are written in.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PodMonitorSpec {
    pod_metrics_endpoints: Vec<Endpoint>,
    selector: LabelSelector,
}

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
    let spec = PodMonitorSpec {
        pod_metrics_endpoints: endpoints(&ports, ctx),
        selector: ctx.selector(name),
    };
    Some(monitor("PodMonitor", name, c, ctx, &spec))
}
