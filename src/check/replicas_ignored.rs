//! ## What it checks
//! A component that sets both `replicas` and `autoscale.min` to different numbers.
//!
//! ## Why
//! Under an autoscaler wfk leaves `spec.replicas` out (the autoscaler owns it), so
//! `replicas` does nothing and misleads the reader.
//!
//! ## Example
//! `replicas: 3, autoscale: { min: 2, max: 6 }`.
//!
//! ## Fix
//! Drop `autoscale.min` (it defaults to `replicas`), or drop `replicas`.

use super::{Finding, Input, Origin};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        let (Some(replicas), Some(min)) = (c.replicas, c.autoscale.as_ref().and_then(|a| a.min))
        else {
            continue;
        };
        if replicas != min {
            out.push(
                Finding::new(format!("`replicas: {replicas}` of `{name}` is ignored: its autoscaler starts at {min}"), Origin::value(&["components", name, "replicas"]), "ignored under `autoscale`")
                    .help("remove `autoscale.min`: it defaults to `replicas`"),
            );
        }
    }
    out
}
