//! ## What it checks
//! No Service in the output — built by wfk, written by a template or changed by a patch —
//! sets `spec.externalIPs`.
//!
//! ## Why
//! `externalIPs` makes every node route traffic for an address to the Service, whoever owns
//! that address: a Service can capture another tenant's or an external host's traffic
//! (CVE-2020-8554, which Kubernetes documents as unfixable in the API). An application
//! platform reaches the outside through its Ingress.
//!
//! ## Example
//! `patches: { Service/shop-api: { spec: { externalIPs: [203.0.113.10] } } }`
//!
//! ## Fix
//! Remove `externalIPs`; expose the component through `ingress`, or a `LoadBalancer`
//! service with a reason. Where the addresses are the platform's own on purpose (a bare-metal
//! cluster without a load balancer), say why: `relax: { Service/shop-api: "<reason>" }`.

use super::{Finding, Input, field_origin};
use crate::build::object::Object;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for object in input.objects {
        // A template's Service is read into the typed kind too, so this sees every one.
        let Object::Service(service) = object else {
            continue;
        };
        let Some(ips) = service.spec.as_ref().and_then(|s| s.external_ips.as_ref()) else {
            continue;
        };
        if ips.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                format!(
                    "Service `{}` claims the external IPs {}: every node would route their traffic to it",
                    object.name(),
                    ips.join(", ")
                ),
                field_origin(input, object, "spec.externalIPs"),
                "sets `spec.externalIPs`",
            )
            .help(format!(
                "remove `externalIPs`; reach the component through `ingress`; if the addresses are the platform's own, say why: `relax: {{ Service/{}: \"<reason>\" }}`",
                object.name()
            ))
            .on(object),
        );
    }
    out
}
