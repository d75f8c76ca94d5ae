//! ## What it checks
//! Nothing in the output reaches beyond the platform's namespace unless the spec says why:
//! - no cluster-scoped object (a ClusterRole or ClusterRoleBinding, a PriorityClass, a
//!   webhook configuration, a CustomResourceDefinition, any `Cluster…` custom resource such
//!   as cert-manager's ClusterIssuer) other than the spec's own Namespace and
//!   StorageClasses;
//! - no Role or ClusterRole that can grant itself more: the verbs `escalate`, `bind`,
//!   `impersonate` or `*`, or the resource `*`;
//! - no binding to the `cluster-admin` ClusterRole.
//!
//! Each may be allowed in the spec with its reason, by `Kind/name`
//! (`relax: { ClusterRoleBinding/shop-metrics-reader: "the metrics adapter lists pods" }`);
//! it then shows up as a note.
//!
//! ## Why
//! A platform owns one namespace. A cluster-scoped object or an RBAC rule that can escalate
//! changes the cluster for every tenant, and a template or a patch can write one that no
//! reviewer of the spec sees.
//!
//! ## Example
//! A template with `kind: ClusterRoleBinding` and `roleRef: { kind: ClusterRole, name:
//! cluster-admin }`.
//!
//! ## Fix
//! Grant the component what it needs in its namespace with `access`; if the platform truly
//! needs the cluster object, say why in `relax`.

use super::{Finding, Input, field_origin};
use crate::build::object::{Object, cluster_scoped};
use crate::build::origins::Source;
use serde_json::Value;

/// Verbs that let a role grant more than it holds.
const ESCALATING: &[&str] = &["*", "escalate", "bind", "impersonate"];

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for object in input.objects {
        let kind = object.kind();
        // The spec's own StorageClasses are stated in the spec; Namespaces are
        // `foreign-namespace`'s.
        let stated = || {
            kind == "StorageClass"
                && matches!(
                    input.origins.object(input.spec, kind, object.name()),
                    Some(Source::Spec(path)) if path.first().is_some_and(|p| p != "patches")
                )
        };
        if cluster_scoped(kind) && kind != "Namespace" && !stated() {
            out.push(
                Finding::new(
                    format!(
                        "{kind} `{}` is cluster-scoped: it reaches beyond the platform's namespace",
                        object.name()
                    ),
                    field_origin(input, object, ""),
                    "written here",
                )
                .help(format!(
                    "grant what a component needs in the namespace with `access`; if the platform needs this object, say why: `relax: {{ {kind}/{}: \"<reason>\" }}`",
                    object.name()
                ))
                .on(object),
            );
        }
        if !matches!(
            kind,
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
        ) {
            continue;
        }
        let Ok(value) = serde_json::to_value(object) else {
            continue;
        };
        if matches!(kind, "Role" | "ClusterRole") {
            rules(input, object, &value, &mut out);
        }
        if matches!(kind, "RoleBinding" | "ClusterRoleBinding")
            && value["roleRef"]["kind"] == "ClusterRole"
            && value["roleRef"]["name"] == "cluster-admin"
        {
            out.push(
                Finding::new(
                    format!("{kind} `{}` grants `cluster-admin`", object.name()),
                    field_origin(input, object, "roleRef.name"),
                    "bound here",
                )
                .help(format!(
                    "bind a Role with only the rules the component needs (`access`); if it must be cluster-admin, say why: `relax: {{ {kind}/{}: \"<reason>\" }}`",
                    object.name()
                ))
                .on(object),
            );
        }
    }
    out
}

/// Rules of a Role or ClusterRole that can escalate: a verb of [`ESCALATING`] or every
/// resource (`*`).
fn rules(input: &Input, object: &Object, value: &Value, out: &mut Vec<Finding>) {
    let Some(rules) = value["rules"].as_array() else {
        return;
    };
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    for (i, rule) in rules.iter().enumerate() {
        let verbs = strings(&rule["verbs"]);
        let resources = strings(&rule["resources"]);
        let mut what: Vec<String> = verbs
            .iter()
            .filter(|v| ESCALATING.contains(&v.as_str()))
            .map(|v| format!("the verb `{v}`"))
            .collect();
        if resources.iter().any(|r| r == "*") {
            what.push("every resource (`*`)".into());
        }
        if what.is_empty() {
            continue;
        }
        let field = format!("rules[{i}]");
        out.push(
            Finding::new(
                format!(
                    "{} `{}` rule {} allows {}, with which it can grant itself more",
                    object.kind(),
                    object.name(),
                    i + 1,
                    what.join(" and ")
                ),
                field_origin(input, object, &field),
                format!("sets `{field}`"),
            )
            .help(format!(
                "name the verbs and resources the component uses (`get`, `list`, `watch` on `pods`); if it needs more, say why: `relax: {{ {}/{}: \"<reason>\" }}`",
                object.kind(),
                object.name()
            ))
            .on(object),
        );
    }
}
