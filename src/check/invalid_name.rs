//! ## What it checks
//! Object names against the rule of their kind, as the API server applies it: Services are
//! DNS-1035 labels (they start with a letter), Namespaces and StatefulSets DNS-1123 labels,
//! CronJobs at most 52 characters, everything else DNS-1123 subdomains; container names are
//! DNS-1123 labels.
//!
//! ## Why
//! A bad name fails the apply half-way: the objects before it are created, the rest not.
//!
//! ## Example
//! A component named with 70 characters makes a Service name longer than 63.
//!
//! ## Fix
//! Shorten or rename the component (or the platform), using lowercase letters, digits and `-`.

use super::{Finding, Input, origin_of};
use crate::validation::{is_dns1035_label, is_dns1123_label, is_dns1123_subdomain};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for object in input.objects {
        let name = object.name();
        let (rule, mut errors) = match object.kind() {
            "Service" => ("a DNS-1035 label", is_dns1035_label(name)),
            "Namespace" | "StatefulSet" => ("a DNS-1123 label", is_dns1123_label(name)),
            _ => ("a DNS-1123 subdomain", is_dns1123_subdomain(name)),
        };
        // A CronJob's Jobs, and a StatefulSet's controller-revision-hash label, add 11
        // characters to the name, and the result must still be a 63-character label.
        if matches!(object.kind(), "CronJob" | "StatefulSet") && name.len() > 52 {
            errors.push("must be no more than 52 characters".to_string());
        }
        if !errors.is_empty() {
            out.push(
                Finding::new(
                    format!(
                        "invalid {} name `{name}`: {}",
                        object.kind(),
                        errors.join("; ")
                    ),
                    origin_of(input, object),
                    format!(
                        "the {} name comes from here and must be {rule}",
                        object.kind()
                    ),
                )
                .help("use a shorter name of lowercase letters, digits and `-`"),
            );
        }
    }
    // The containers' names, once per render.
    let components = if input.first() {
        input.spec.components.as_slice()
    } else {
        Default::default()
    };
    for (name, c) in components {
        let containers = std::iter::once((None, name))
            .chain(c.init.keys().map(|k| (Some("init"), k)))
            .chain(c.sidecars.keys().map(|k| (Some("sidecars"), k)));
        for (group, container) in containers {
            let errors = is_dns1123_label(container);
            if !errors.is_empty() {
                let path: Vec<&str> = match group {
                    None => vec!["components", name],
                    Some(group) => vec!["components", name, group, container],
                };
                out.push(
                    Finding::new(
                        format!(
                            "invalid container name `{container}`: {}",
                            errors.join("; ")
                        ),
                        super::Origin::key(&path),
                        "a container name must be a DNS-1123 label",
                    )
                    .help("use lowercase letters, digits and `-`, at most 63 characters"),
                );
            }
        }
    }
    out
}
