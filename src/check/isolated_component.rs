//! ## What it checks
//! A component that nothing uses, no ingress route reaches, no external Service exposes,
//! and that uses nothing itself: the default-deny policy leaves it no network path at all.
//!
//! ## Why
//! Usually a missing `uses` entry: the component that should call it cannot.
//!
//! ## Example
//! A `cache` component no one lists in `uses`.
//!
//! ## Fix
//! Add it to the `uses` of its clients, route to it, or remove it.

use super::{Finding, Input, Origin};
use crate::platform::component::ServiceType;
use foldhash::HashSet;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let spec = input.spec;
    let mut out = Vec::new();
    // Every name that something uses or routes to, once: linear, not quadratic.
    let used: HashSet<&str> = spec
        .components
        .values()
        .flat_map(|c| c.uses.names())
        .chain(spec.jobs.values().flat_map(|j| j.uses.names()))
        .map(String::as_str)
        .collect();
    let routed: HashSet<&str> = spec
        .ingress
        .iter()
        .flat_map(|i| i.hosts.values())
        .flat_map(|h| h.paths.values())
        .map(|r| r.component.as_str())
        .collect();
    for (name, c) in &spec.components {
        let (used, routed) = (used.contains(name.as_str()), routed.contains(name.as_str()));
        let external = c
            .service
            .as_ref()
            .is_some_and(|s| s.kind != ServiceType::ClusterIP);
        let open = !c.security.relax.is_empty() || c.ports.values().any(|p| p.scraped());
        if !used && !routed && !external && !open && c.uses.is_empty() {
            out.push(
                Finding::new(format!("component `{name}` has no network path: nothing uses it and it uses nothing"), Origin::key(&["components", name]), "isolated by the default-deny policy")
                    .help(format!("add `{name}` to the `uses` of the components that call it")),
            );
        }
    }
    out
}
