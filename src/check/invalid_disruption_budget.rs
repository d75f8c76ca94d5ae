//! ## What it checks
//! A disruption budget sets one of `minAvailable` and `maxUnavailable`, not both.
//!
//! ## Why
//! The API server refuses the PodDisruptionBudget (`minAvailable and maxUnavailable cannot
//! be both set`).
//!
//! ## Example
//! `disruption: { minAvailable: 1, maxUnavailable: 1 }`.
//!
//! ## Fix
//! Keep one of the two.

use super::{Finding, Input, Origin};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        let Some(d) = &c.disruption else { continue };
        let base = ["components", name.as_str(), "disruption"];
        if d.min_available.is_some() && d.max_unavailable.is_some() {
            out.push(
                Finding::new(
                    format!("the disruption budget of `{name}` sets both `minAvailable` and `maxUnavailable`"),
                    Origin::key(&[&base[..], &["maxUnavailable"]].concat()),
                    "minAvailable and maxUnavailable cannot be both set",
                )
                .help("keep one of the two"),
            );
        }
    }
    out
}
