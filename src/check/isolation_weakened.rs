//! ## What it checks
//! The two things that isolate a platform stay as wfk writes them, whatever a template or a
//! patch does:
//! - the platform's Namespace keeps `pod-security.kubernetes.io/enforce`, `audit` and
//!   `warn` at `restricted`;
//! - the default-deny NetworkPolicy selects every pod (`podSelector: {}`), denies both
//!   directions (`policyTypes: [Ingress, Egress]`) and allows nothing;
//! - no NetworkPolicy rule from a template or a patch allows every peer: a rule without
//!   `from`/`to`, an empty peer `{}`, a `namespaceSelector: {}` (every namespace) or an
//!   `ipBlock` of `0.0.0.0/0` or `::/0`.
//!
//! ## Why
//! Pod Security admission enforces what the Namespace's labels say, and NetworkPolicies
//! add up: one policy that allows everything undoes every declared path. A patch that sets
//! `enforce: privileged` or empties the default deny passes every schema.
//!
//! ## Example
//! `patches: { Namespace/shop: { metadata: { labels: { pod-security.kubernetes.io/enforce: privileged } } } }`
//!
//! ## Fix
//! Remove the patch or template rule. A path the platform needs is declared in the spec
//! (`uses`, `ingress`, `ports` with `scrape`), which opens exactly it. What no declaration
//! covers (a policy that lets every namespace reach a shared service, say) takes a reason
//! for the object: `relax: { NetworkPolicy/shop-shared: "<reason>" }`; the note shows where.

use super::{Finding, Input, field_origin};
use crate::build::object::Object;
use crate::build::origins::Source;
use serde_json::Value;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    let deny = format!("{}-default-deny", input.spec.platform);
    for object in input.objects {
        if !matches!(object, Object::Namespace(_) | Object::NetworkPolicy(_)) {
            continue;
        }
        // A component's policy as the spec built it has nothing to find: only the
        // platform's Namespace, its default deny, and rules a template or a patch wrote are
        // read (and made JSON).
        let read = match object {
            Object::Namespace(_) => object.name() == input.spec.namespace(),
            _ => {
                object.name() == deny
                    || input
                        .origins
                        .sources(input.spec, object.kind(), object.name())
                        .any(outside_the_spec)
            }
        };
        if !read {
            continue;
        }
        let Ok(value) = serde_json::to_value(object) else {
            continue;
        };
        match object {
            Object::Namespace(_) if object.name() == input.spec.namespace() => {
                namespace(input, object, &value, &mut out);
            }
            Object::NetworkPolicy(_) => {
                if object.name() == deny {
                    default_deny(input, object, &value, &mut out);
                }
                allow_all(input, object, &value, &mut out);
            }
            _ => {}
        }
    }
    out
}

/// What to do: remove it, declare the path, or state the reason for `object`.
fn help(object: &Object) -> String {
    format!(
        "remove it from the patch or template that writes it; declare a path the platform needs in the spec (`uses`, `ingress`, `scrape`); if it must be, say why: `relax: {{ {}/{}: \"<reason>\" }}`",
        object.kind(),
        object.name()
    )
}

fn namespace(input: &Input, object: &Object, value: &Value, out: &mut Vec<Finding>) {
    for mode in ["enforce", "audit", "warn"] {
        let label = format!("pod-security.kubernetes.io/{mode}");
        let found = value["metadata"]["labels"][label.as_str()].as_str();
        if found != Some("restricted") {
            let field = format!("metadata.labels.{label}");
            out.push(
                Finding::new(
                    format!(
                        "Namespace `{}` must {mode} the restricted pod security standard, not {}",
                        object.name(),
                        found.map_or("nothing".to_string(), |f| format!("`{f}`"))
                    ),
                    field_origin(input, object, &field),
                    format!("sets `{field}`"),
                )
                .help(help(object))
                .on(object),
            );
        }
    }
}

fn default_deny(input: &Input, object: &Object, value: &Value, out: &mut Vec<Finding>) {
    let spec = &value["spec"];
    let mut problems = Vec::new();
    if spec["podSelector"]
        .as_object()
        .is_none_or(|s| !s.is_empty())
    {
        problems.push(("spec.podSelector", "selects only some pods".to_string()));
    }
    for direction in ["Ingress", "Egress"] {
        let types = spec["policyTypes"].as_array();
        if !types.is_some_and(|t| t.iter().any(|v| v == direction)) {
            problems.push(("spec.policyTypes", format!("no longer denies {direction}")));
        }
    }
    for rules in ["ingress", "egress"] {
        if spec[rules].as_array().is_some_and(|r| !r.is_empty()) {
            let field = if rules == "ingress" {
                "spec.ingress"
            } else {
                "spec.egress"
            };
            problems.push((field, format!("allows {rules} traffic")));
        }
    }
    for (field, problem) in problems {
        out.push(
            Finding::new(
                format!(
                    "the default-deny NetworkPolicy `{}` {problem}",
                    object.name()
                ),
                field_origin(input, object, field),
                format!("sets `{field}`"),
            )
            .help(help(object))
            .on(object),
        );
    }
}

/// Rules that allow every peer, where a template or a patch wrote them.
fn allow_all(input: &Input, object: &Object, value: &Value, out: &mut Vec<Finding>) {
    for (rules, peers) in [("ingress", "from"), ("egress", "to")] {
        let Some(list) = value["spec"][rules].as_array() else {
            continue;
        };
        for (i, rule) in list.iter().enumerate() {
            let field = format!("spec.{rules}[{i}]");
            if !written_outside_the_spec(input, object, &field) {
                continue;
            }
            let open = match rule[peers].as_array() {
                None => Some(format!("has no `{peers}`, so it allows every peer")),
                Some(list) if list.is_empty() => {
                    Some(format!("has an empty `{peers}`, so it allows every peer"))
                }
                Some(list) => list.iter().find_map(everyone),
            };
            if let Some(open) = open {
                out.push(
                    Finding::new(
                        format!(
                            "NetworkPolicy `{}` {rules} rule {} {open}",
                            object.name(),
                            i + 1
                        ),
                        field_origin(input, object, &field),
                        format!("sets `{field}`"),
                    )
                    .help(help(object))
                    .on(object),
                );
            }
        }
    }
}

/// What makes a peer stand for everyone, if it does.
fn everyone(peer: &Value) -> Option<String> {
    let empty = |v: &Value| v.as_object().is_some_and(|o| o.is_empty());
    if empty(peer) {
        return Some("has an empty peer `{}`, which is every pod of the namespace".into());
    }
    if empty(&peer["namespaceSelector"]) && peer["podSelector"].is_null() {
        return Some("selects every namespace (`namespaceSelector: {}`)".into());
    }
    match peer["ipBlock"]["cidr"].as_str() {
        Some(cidr @ ("0.0.0.0/0" | "::/0")) => Some(format!("allows every address (`{cidr}`)")),
        _ => None,
    }
}

/// Whether a template or a patch wrote `field` of `object` (or the object itself).
fn written_outside_the_spec(input: &Input, object: &Object, field: &str) -> bool {
    let sources = input
        .origins
        .field(input.spec, object.kind(), object.name(), field);
    sources.first().is_some_and(|(_, s)| outside_the_spec(s))
}

/// Whether a template or a patch is the source.
fn outside_the_spec(source: &Source) -> bool {
    match source {
        Source::Spec(path) => path.first().is_some_and(|p| p == "patches"),
        Source::Template(_) | Source::Operation(_) => true,
    }
}
