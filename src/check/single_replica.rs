//! ## What it checks
//! A component that runs one pod while it has a disruption budget or an autoscaler.
//!
//! ## Why
//! A budget over one pod either blocks every drain or protects nothing; an autoscaler with
//! a minimum of 1 leaves the service down while its one pod restarts.
//!
//! ## Example
//! `replicas: 1, disruption: { minAvailable: 1 }`.
//!
//! ## Fix
//! Run at least 2 pods, or remove the budget (`disruption: null`) in that environment.

use super::{Finding, Input, Origin};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        let replicas = c.min_pods();
        if replicas != 1 {
            continue;
        }
        let with = match (&c.disruption, &c.autoscale) {
            (Some(_), _) => "a disruption budget",
            (None, Some(_)) => "an autoscaler",
            (None, None) => continue,
        };
        let at = if c.replicas.is_some() {
            Origin::value(&["components", name, "replicas"])
        } else {
            Origin::key(&["components", name])
        };
        out.push(
            Finding::new(
                format!("component `{name}` runs 1 pod with {with}"),
                at,
                "one pod",
            )
            .help("run at least 2 pods, or remove the budget and autoscaler in this environment"),
        );
    }
    out
}
