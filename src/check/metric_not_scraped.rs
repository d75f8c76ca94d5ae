//! ## What it checks
//! An autoscaler metric of type `pods` or `object` (which comes from Prometheus through a
//! metrics adapter) on a component none of whose ports has `scrape`: the autoscaled
//! component's own for `pods`, the component whose Service, Deployment or StatefulSet an
//! `object` metric names.
//!
//! ## Why
//! Prometheus never gets the metric: the default-deny policy keeps it out of a port that is
//! not scraped, and no ServiceMonitor, PodMonitor or annotation points it there. The
//! autoscaler reports `FailedGetPodsMetric` and never scales on it.
//!
//! ## Example
//! `autoscale: { metrics: { http_requests_per_second: { average: "100" } } }` on a
//! component with `ports: { http: 8080 }`.
//!
//! ## Fix
//! Mark the port that serves the metric: `ports: { http: { port: 8080, scrape: true } }`
//! (or its path, `scrape: /q/metrics`), and set `monitoring.via`.

use super::{Finding, Input, Origin};
use crate::platform::component::{Component, MetricType};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let spec = input.spec;
    let scraped = |c: &Component| c.ports.values().any(|p| p.scraped());
    // The component an `object` metric describes: `Kind/<platform>-<component>`.
    let described = |object: &str| {
        let (kind, name) = object.split_once('/')?;
        if !matches!(kind, "Service" | "Deployment" | "StatefulSet") {
            return None;
        }
        let component = name.strip_prefix(&format!("{}-", spec.platform))?;
        spec.components.get_key_value(component)
    };
    let mut out = Vec::new();
    for (name, c) in &spec.components {
        let Some(autoscale) = &c.autoscale else {
            continue;
        };
        for (metric, m) in &autoscale.metrics {
            let source = match m.kind {
                MetricType::Pods => Some((name, c)),
                MetricType::Object => m.object.as_deref().and_then(described),
                MetricType::External => None,
            };
            let Some((source, sc)) = source else {
                continue;
            };
            if scraped(sc) {
                continue;
            }
            out.push(
                Finding::new(
                    format!("`{name}` scales on `{metric}`, but Prometheus scrapes no port of `{source}`"),
                    Origin::key(&["components", name, "autoscale", "metrics", metric]),
                    "this metric never arrives",
                )
                .help(format!(
                    "mark the port of `{source}` that serves it: `ports: {{ <name>: {{ port: <number>, scrape: true }} }}`"
                )),
            );
        }
    }
    out
}
