//! ## What it checks
//! That a StatefulSet's `serviceName` names a headless Service (`clusterIP: None`) that is
//! rendered with it.
//!
//! ## Why
//! Without its governing Service the pods get no stable DNS names, and clustered software
//! (Postgres replicas, a Raft cluster) cannot find its peers.
//!
//! ## Example
//! A patch that renames the headless Service.
//!
//! ## Fix
//! Keep the `<platform>-<component>-headless` Service that wfk renders.

use super::{Fact, Finding, Input, origin_of};
use crate::build::object::Object;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for object in input.objects {
        let Object::StatefulSet(s) = object else {
            continue;
        };
        let Some(service) = s.spec.as_ref().and_then(|s| s.service_name.clone()) else {
            continue;
        };
        // A headless Service of the render, whichever batch it is in.
        let headless = Fact::Headless(service.clone());
        if !input.holds(&headless) {
            out.push(
                Finding::new(
                    format!("StatefulSet `{}` names the Service `{service}`, which is not a rendered headless Service", object.name()),
                    origin_of(input, object),
                    "its governing Service is missing",
                )
                .help("keep the headless Service wfk renders for a stateful component")
                .unless(headless),
            );
        }
    }
    out
}
