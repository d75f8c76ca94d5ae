//! ## What it checks
//! A disruption budget sets one of `minAvailable` and `maxUnavailable`, and leaves room to
//! evict a pod: `minAvailable` below the replicas, `maxUnavailable` above 0.
//!
//! ## Why
//! Both set is refused by the API server; a budget that allows no eviction blocks every
//! node drain and cluster upgrade.
//!
//! ## Example
//! `replicas: 2, disruption: { minAvailable: 2 }`.
//!
//! ## Fix
//! Lower `minAvailable`, raise the replicas, or use `maxUnavailable: 1`.

use super::{Finding, Input, Origin};
use crate::platform::values::IntOrPercent;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        let Some(d) = &c.disruption else { continue };
        let base = ["components", name.as_str(), "disruption"];
        let replicas = c.min_pods();
        if d.min_available.is_some() && d.max_unavailable.is_some() {
            out.push(
                Finding::new(
                    format!("the disruption budget of `{name}` sets both `minAvailable` and `maxUnavailable`"),
                    Origin::key(&[&base[..], &["maxUnavailable"]].concat()),
                    "minAvailable and maxUnavailable cannot be both set",
                )
                .help("keep one of the two"),
            );
            continue;
        }
        let blocks = match (&d.min_available, &d.max_unavailable) {
            (Some(IntOrPercent::Int(n)), _) => {
                (*n as i64 >= replicas as i64).then(|| ("minAvailable", format!("{n}")))
            }
            (Some(IntOrPercent::Percent(p)), _) => {
                (p == "100%").then(|| ("minAvailable", p.clone()))
            }
            (_, Some(IntOrPercent::Int(0))) => Some(("maxUnavailable", "0".to_string())),
            (_, Some(IntOrPercent::Percent(p))) if p == "0%" => Some(("maxUnavailable", p.clone())),
            _ => None,
        };
        if let Some((field, value)) = blocks {
            out.push(
                Finding::new(
                    format!("the disruption budget of `{name}` ({field} {value}) allows no pod of its {replicas} to be evicted"),
                    Origin::value(&[&base[..], &[field]].concat()),
                    "this blocks every node drain",
                )
                .help(format!("set `minAvailable` below {replicas}, or raise the replicas")),
            );
        }
    }
    out
}
