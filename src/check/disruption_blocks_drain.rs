//! ## What it checks
//! A disruption budget that leaves no room to evict a pod: `minAvailable` at or above the
//! pods the component runs (or `100%`), or `maxUnavailable` of `0` or `0%`.
//!
//! ## Why
//! The API server accepts it, but the eviction API then refuses every eviction: each node
//! drain, cluster upgrade and autoscaler scale-down waits on the component forever.
//!
//! ## Example
//! `replicas: 2, disruption: { minAvailable: 2 }`.
//!
//! ## Fix
//! Lower `minAvailable`, raise the replicas, or use `maxUnavailable: 1`. Where draining is
//! done by hand on purpose, say why:
//! `suppress: { disruption-blocks-drain: "the single writer is moved by hand" }`.

use super::{Finding, Input, Origin};
use crate::platform::component::Component;
use crate::platform::values::IntOrPercent;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        let Some((field, value)) = blocking(c) else {
            continue;
        };
        let base = ["components", name.as_str(), "disruption"];
        let replicas = c.min_pods();
        out.push(
            Finding::new(
                format!("the disruption budget of `{name}` ({field} {value}) allows no pod of its {replicas} to be evicted"),
                Origin::value(&[&base[..], &[field]].concat()),
                "this blocks every node drain",
            )
            .help(format!("set `minAvailable` below {replicas}, or raise the replicas")),
        );
    }
    out
}

/// The field and value of `c`'s disruption budget that allows no eviction, if it has one
/// (a budget with both fields is `invalid-disruption-budget`'s).
pub(super) fn blocking(c: &Component) -> Option<(&'static str, String)> {
    let d = c.disruption.as_ref()?;
    if d.min_available.is_some() && d.max_unavailable.is_some() {
        return None;
    }
    let replicas = c.min_pods();
    match (&d.min_available, &d.max_unavailable) {
        (Some(IntOrPercent::Int(n)), _) => {
            (*n as i64 >= replicas as i64).then(|| ("minAvailable", format!("{n}")))
        }
        (Some(IntOrPercent::Percent(p)), _) => (p == "100%").then(|| ("minAvailable", p.clone())),
        (_, Some(IntOrPercent::Int(0))) => Some(("maxUnavailable", "0".to_string())),
        (_, Some(IntOrPercent::Percent(p))) if p == "0%" => Some(("maxUnavailable", p.clone())),
        _ => None,
    }
}
