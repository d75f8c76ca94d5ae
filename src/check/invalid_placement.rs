//! ## What it checks
//! A component's `placement`, `priorityClass`, `pullSecrets` and `serviceAccount.name` as
//! the API server validates them: node selector and node affinity label keys (qualified
//! names) and values (label values), toleration keys and values, `seconds` only with the
//! `NoExecute` effect, and the names of the objects referenced (DNS-1123 subdomains).
//!
//! ## Why
//! The API server refuses the whole workload, half-way through an apply.
//!
//! ## Example
//! `tolerations: { dedicated: { effect: NoSchedule, seconds: 300 } }`, or
//! `nodeSelector: { "gpu type": t4 }`.
//!
//! ## Fix
//! Use `NoExecute` with `seconds` (it is how long a pod stays after the taint appears);
//! write label keys as an optional DNS prefix and `/`, then at most 63 letters, digits,
//! `-`, `_` or `.`.

use super::{Finding, Input, Origin};
use crate::platform::component::TaintEffect;
use crate::validation::{is_dns1123_subdomain, is_qualified_name, is_valid_label_value};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    let label = |key: &str, value: Option<&str>| -> Vec<String> {
        let mut errors: Vec<String> = is_qualified_name(key)
            .into_iter()
            .map(|e| format!("key: {e}"))
            .collect();
        if let Some(v) = value {
            errors.extend(
                is_valid_label_value(v)
                    .into_iter()
                    .map(|e| format!("value: {e}")),
            );
        }
        errors
    };
    let label_help = "a label key is an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`; a value at most 63 of the same";
    for (name, c) in &input.spec.components {
        let p = &c.placement;
        let base = ["components", name.as_str(), "placement"];
        for (key, value) in &p.node_selector {
            let errors = label(key, Some(value));
            if !errors.is_empty() {
                out.push(
                    Finding::new(
                        format!(
                            "invalid node selector `{key}: {value}`: {}",
                            errors.join("; ")
                        ),
                        Origin::key(&[&base[..], &["nodeSelector", key]].concat()),
                        "a node label and its value",
                    )
                    .help(label_help),
                );
            }
        }
        for (which, labels) in [
            ("required", &p.nodes.required),
            ("preferred", &p.nodes.preferred),
        ] {
            for (key, values) in labels {
                let mut errors = label(key, None);
                for v in values {
                    errors.extend(
                        is_valid_label_value(v)
                            .into_iter()
                            .map(|e| format!("value `{v}`: {e}")),
                    );
                }
                if !errors.is_empty() {
                    out.push(
                        Finding::new(
                            format!("invalid node affinity on `{key}`: {}", errors.join("; ")),
                            Origin::key(&[&base[..], &["nodes", which, key]].concat()),
                            "a node label and the values it may take",
                        )
                        .help(label_help),
                    );
                }
            }
        }
        for (key, t) in &p.tolerations {
            let at = [&base[..], &["tolerations", key]].concat();
            let errors = label(key, t.value.as_deref());
            if !errors.is_empty() {
                out.push(
                    Finding::new(
                        format!("invalid toleration `{key}`: {}", errors.join("; ")),
                        Origin::key(&at),
                        "a taint key (and value)",
                    )
                    .help(label_help),
                );
            }
            if t.seconds.is_some() && t.effect != Some(TaintEffect::NoExecute) {
                out.push(
                    Finding::new(
                        format!("toleration `{key}`: effect must be 'NoExecute' when `tolerationSeconds` is set"),
                        Origin::value(&[&at[..], &["seconds"]].concat()),
                        "`seconds` needs `effect: NoExecute`",
                    )
                    .help("add `effect: NoExecute` (how long a pod stays on a node after the taint appears), or remove `seconds`"),
                );
            }
        }
        let mut names: Vec<(Vec<&str>, &str, &str)> = Vec::new();
        if let Some(class) = &c.priority_class {
            names.push((
                vec!["components", name, "priorityClass"],
                class,
                "PriorityClass",
            ));
        }
        for (i, secret) in c.pull_secrets.iter().enumerate() {
            let _ = i;
            names.push((vec!["components", name, "pullSecrets"], secret, "Secret"));
        }
        if let Some(own) = c.service_account.as_ref().and_then(|s| s.name.as_deref()) {
            names.push((
                vec!["components", name, "serviceAccount", "name"],
                own,
                "ServiceAccount",
            ));
        }
        out.extend(object_names(names));
    }
    let d = &input.spec.defaults;
    let mut names: Vec<(Vec<&str>, &str, &str)> = Vec::new();
    if let Some(class) = &d.priority_class {
        names.push((vec!["defaults", "priorityClass"], class, "PriorityClass"));
    }
    for secret in &d.pull_secrets {
        names.push((vec!["defaults", "pullSecrets"], secret, "Secret"));
    }
    out.extend(object_names(names));
    out
}

/// Names of objects a pod refers to: DNS-1123 subdomains.
fn object_names(names: Vec<(Vec<&str>, &str, &str)>) -> Vec<Finding> {
    names
        .into_iter()
        .filter_map(|(path, name, kind)| {
            let errors = is_dns1123_subdomain(name);
            (!errors.is_empty()).then(|| {
                Finding::new(
                    format!("invalid {kind} name `{name}`: {}", errors.join("; ")),
                    Origin::Value(path.iter().map(|s| s.to_string()).collect()),
                    format!("a {kind} name must be a DNS-1123 subdomain"),
                )
                .help("use lowercase letters, digits, `-` and `.`, at most 253 characters")
            })
        })
        .collect()
}
