//! ## What it checks
//! A Role or ClusterRole in the output that lets its subjects read every Secret: a rule on
//! `secrets` with `get`, `list` or `watch` and no `resourceNames`. (A rule with `*` for
//! resources or verbs is `cluster-access`'s, an error.)
//!
//! ## Why
//! Whoever holds the account's token (any code that runs in its pods) can then read every
//! credential in the namespace, those of the other components included. CIS Kubernetes
//! Benchmark 5.1.2 asks to keep access to Secrets to the smallest group; checkov reports it as
//! CKV2_K8S_5, kube-linter as `access-to-secrets`.
//!
//! ## Example
//! `access: [{ apiGroups: [""], resources: [secrets], verbs: [get, list] }]`.
//!
//! ## Fix
//! Name the Secrets the component needs (`resourceNames: [api-key]`), or give the reason:
//! `suppress: { reads-secrets: "the operator reconciles every Secret it labels" }`.

use super::{Finding, Input, field_origin};

const READ: [&str; 3] = ["get", "list", "watch"];

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for object in input.objects {
        if !matches!(object.kind(), "Role" | "ClusterRole") {
            continue;
        }
        let Ok(value) = serde_json::to_value(object) else {
            continue;
        };
        for (i, rule) in value["rules"].as_array().into_iter().flatten().enumerate() {
            let any = |key: &str, wanted: &dyn Fn(&str) -> bool| {
                rule[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|v| v.as_str().is_some_and(wanted))
            };
            let wildcard = any("resources", &|r| r == "*") || any("verbs", &|v| v == "*");
            let secrets = any("resources", &|r| r == "secrets");
            let core =
                rule["apiGroups"].is_null() || any("apiGroups", &|g| g.is_empty() || g == "*");
            let reads = any("verbs", &|v| READ.contains(&v));
            let named = rule["resourceNames"]
                .as_array()
                .is_some_and(|n| !n.is_empty());
            if secrets && core && reads && !named && !wildcard {
                out.push(
                    Finding::new(
                        format!(
                            "{} `{}` lets its subjects read every Secret in the namespace",
                            object.kind(),
                            object.name()
                        ),
                        field_origin(input, object, &format!("rules[{i}]")),
                        "a rule on secrets without resourceNames",
                    )
                    .help("name the Secrets it needs with `resourceNames`, or suppress `reads-secrets` with the reason")
                    .owned(input, object),
                );
            }
        }
    }
    out
}
