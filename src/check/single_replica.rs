//! ## What it checks
//! A component that runs one pod while it has an autoscaler, or a disruption budget that
//! still lets its pod be evicted (one that does not is `disruption-blocks-drain`'s).
//!
//! ## Why
//! A budget over one pod either blocks every drain or protects nothing; an autoscaler with
//! a minimum of 1 leaves the service down while its one pod restarts.
//!
//! ## Example
//! `replicas: 1, disruption: { maxUnavailable: 1 }`.
//!
//! ## Fix
//! Run at least 2 pods, or remove the budget (`disruption: null`) in that environment.

use super::{Finding, Input, Origin, disruption_blocks_drain};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        let replicas = c.min_pods();
        if replicas != 1 {
            continue;
        }
        // A budget that blocks every drain is `disruption-blocks-drain`'s to report (and a
        // reason there settles it); one that does not protects nothing.
        let budget = c.disruption.is_some() && disruption_blocks_drain::blocking(c).is_none();
        let with = if budget {
            "a disruption budget"
        } else if c.autoscale.is_some() {
            "an autoscaler"
        } else {
            continue;
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
