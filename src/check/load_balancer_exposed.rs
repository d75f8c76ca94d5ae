//! ## What it checks
//! A component exposed through a LoadBalancer or NodePort Service.
//!
//! ## Why
//! It is reachable from outside the cluster, past the Ingress and its TLS and rate limits.
//!
//! ## Example
//! `service: { type: LoadBalancer }`.
//!
//! ## Fix
//! Route it through `ingress`, or suppress with the reason it must be exposed.

use super::{Finding, Input, Origin};
use crate::platform::component::ServiceType;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        for (extra, s) in &c.services {
            if s.kind != ServiceType::ClusterIP {
                out.push(
                    Finding::new(format!("component `{name}` is exposed outside the cluster by a {} Service", s.kind.as_str()), Origin::value(&["components", name, "services", extra, "type"]), "exposed here")
                        .help("route it through `ingress`, or suppress `load-balancer-exposed` with a reason"),
                );
            }
        }
        let Some(service) = &c.service else { continue };
        if service.kind != ServiceType::ClusterIP {
            out.push(
                Finding::new(
                    format!(
                        "component `{name}` is exposed outside the cluster by a {} Service",
                        service.kind.as_str()
                    ),
                    Origin::value(&["components", name, "service", "type"]),
                    "exposed here",
                )
                .help(
                    "route it through `ingress`, or suppress `load-balancer-exposed` with a reason",
                ),
            );
        }
    }
    out
}
