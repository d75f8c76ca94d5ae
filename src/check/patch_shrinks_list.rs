//! ## What it checks
//! No patch makes a list of a rendered object shorter: the rules of a network policy, the
//! containers, volumes or ports of a pod, the paths of an Ingress.
//!
//! ## Why
//! A merge patch (RFC 7396) replaces a list whole: a patch written to add one egress rule
//! silently drops every rule wfk generated, and the platform loses a path it declared. A
//! shorter list after a patch is almost always that mistake.
//!
//! ## Example
//! `patches: { NetworkPolicy/shop-api: { spec: { egress: [{ to: [{ ipBlock: { cidr: 10.0.0.0/8 } }], ports: [{ port: 443 }] }] } } }`
//! on a policy with three egress rules.
//!
//! ## Fix
//! Add one item with a JSON Patch operation instead, which keeps the others:
//! `patches: { NetworkPolicy/shop-api: [{ op: add, path: /spec/egress/-, value: { to: …, ports: [{ port: 443 }] } }] }`,
//! or, better, say it in the spec (`uses`, `ports`, `mounts`).

use super::{Finding, Input, Origin};
use crate::build::origins::Source;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    input
        .origins
        .shrunk()
        .iter()
        .map(|s| {
            let at = match &s.by {
                Source::Spec(path) => Origin::Value(path.to_vec()),
                Source::Template(span) | Source::Operation(span) => Origin::Span(*span),
            };
            let items = |n: usize| format!("{n} item{}", if n == 1 { "" } else { "s" });
            Finding::new(
                format!(
                    "the patch of {} `{}` shortens `{}` from {} to {}",
                    s.kind,
                    s.name,
                    s.field,
                    items(s.before),
                    s.after
                ),
                at,
                "a merge patch replaces a list whole",
            )
            .help(format!(
                "to add an item, write the patch as a list of JSON Patch operations: `- {{ op: add, path: /{}/-, value: … }}`",
                s.field.replace(['.', '['], "/").replace(']', "")
            ))
        })
        .collect()
}
