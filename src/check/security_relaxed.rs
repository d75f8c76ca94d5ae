//! ## What it checks
//! A component that relaxes a network default (`openIngress`, `openEgress`,
//! `cloudMetadata`), shown with the reason it gives.
//!
//! ## Why
//! Reviewers should see every hole in the default-deny policy.
//!
//! ## Example
//! `security: { relax: { openEgress: "calls third-party webhooks" } }`.
//!
//! ## Fix
//! Prefer `uses` to open exact paths; keep the relaxation if it is needed.

use super::{Finding, Input, Origin};
use crate::platform::component::Relaxation;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        for (relaxation, reason) in &c.security.relax {
            let key = match relaxation {
                Relaxation::OpenIngress => "openIngress",
                Relaxation::OpenEgress => "openEgress",
                Relaxation::CloudMetadata => "cloudMetadata",
                Relaxation::WritableRootFilesystem => continue,
            };
            out.push(
                Finding::new(
                    format!("component `{name}` relaxes `{key}`: {reason}"),
                    Origin::key(&["components", name, "security", "relax", key]),
                    "network policy opened here",
                )
                .help("prefer `uses` for exact paths; suppress `security-relaxed` once reviewed"),
            );
        }
    }
    out
}
