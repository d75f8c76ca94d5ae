//! ## What it checks
//! A component without a liveness or a readiness probe.
//!
//! ## Why
//! Without readiness, a Service sends traffic to pods that are still starting; without
//! liveness, a hung process is never restarted.
//!
//! ## Example
//! A component with no `probes`.
//!
//! ## Fix
//! `probes: { liveness: /health/live, readiness: /health/ready }`, or `{ tcp: <port> }`.

use super::{Finding, Input, Origin};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        let missing: Vec<&str> = [
            ("liveness", c.probes.liveness.is_none()),
            ("readiness", c.probes.readiness.is_none()),
        ]
        .into_iter()
        .filter(|(_, m)| *m)
        .map(|(p, _)| p)
        .collect();
        if !missing.is_empty() {
            out.push(
                Finding::new(
                    format!("component `{name}` has no {} probe", missing.join(" or ")),
                    Origin::key(&["components", name]),
                    "probes not set",
                )
                .help("add `probes: { liveness: /health/live, readiness: /health/ready }`"),
            );
        }
    }
    out
}
