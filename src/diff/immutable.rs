//! Changes the API server refuses to make in place: `kubectl apply` of the new render
//! fails on them, after the objects before them in the stream were already applied.
//!
//! Only fields the new render sets are compared: an earlier render read from
//! `kubectl get -o yaml` carries fields the server filled in (a Service's `clusterIP`, a
//! claim template's `volumeMode`), and those say nothing about what wfk changes.
//!
//! To add a rule: one line in [`RULES`], with the API server's wording and the way out.

use super::{Change, Field};
use serde_json::Value;

/// A field of a kind that cannot change once the object exists.
pub struct Rule {
    pub kind: &'static str,
    /// The field, or the prefix of the fields, that cannot change.
    pub path: &'static str,
    /// What the API server answers.
    pub refusal: &'static str,
    /// How to make the change anyway; `{name}` and `{namespace}` are filled in.
    pub way_out: &'static str,
    /// Only a smaller value is refused (a claim may grow where its class allows it).
    pub shrink_only: bool,
    /// The value the API server fills in when a render leaves the field out: setting
    /// exactly it changes nothing.
    pub default: Option<&'static str>,
}

const STATEFUL_SET: &str = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
const STATEFUL_SET_WAY_OUT: &str = "delete the StatefulSet and keep its pods and claims (`kubectl delete statefulset {name} -n {namespace} --cascade=orphan`), then apply: the new StatefulSet adopts them. Existing claims keep their size and class; resize each PersistentVolumeClaim on its own, or rename the component for new ones";

#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    Rule { kind: "StatefulSet", path: "spec.selector", refusal: STATEFUL_SET, way_out: STATEFUL_SET_WAY_OUT, shrink_only: false, default: None },
    Rule { kind: "StatefulSet", path: "spec.serviceName", refusal: STATEFUL_SET, way_out: STATEFUL_SET_WAY_OUT, shrink_only: false, default: None },
    Rule { kind: "StatefulSet", path: "spec.podManagementPolicy", refusal: STATEFUL_SET, way_out: STATEFUL_SET_WAY_OUT, shrink_only: false, default: Some("OrderedReady") },
    Rule { kind: "StatefulSet", path: "spec.volumeClaimTemplates", refusal: STATEFUL_SET, way_out: STATEFUL_SET_WAY_OUT, shrink_only: false, default: None },
    Rule { kind: "Deployment", path: "spec.selector", refusal: "field is immutable", way_out: "delete the Deployment (`kubectl delete deployment {name} -n {namespace}`) and apply again, or rename the component so a new Deployment replaces it", shrink_only: false, default: None },
    Rule { kind: "Job", path: "spec.template", refusal: "field is immutable", way_out: "delete the Job (`kubectl delete job {name} -n {namespace}`) and apply again; Jobs wfk builds from the spec are named by a hash of it, so a changed spec makes a new Job", shrink_only: false, default: None },
    Rule { kind: "Service", path: "spec.clusterIP", refusal: "may not change once set", way_out: "delete the Service (`kubectl delete service {name} -n {namespace}`) and apply again; clients cannot reach it in between", shrink_only: false, default: None },
    Rule { kind: "PersistentVolumeClaim", path: "spec.storageClassName", refusal: "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims", way_out: "create a claim under a new name (a new `storage` entry), copy the data over, then remove the old one", shrink_only: false, default: None },
    Rule { kind: "PersistentVolumeClaim", path: "spec.accessModes", refusal: "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims", way_out: "create a claim under a new name (a new `storage` entry), copy the data over, then remove the old one", shrink_only: false, default: None },
    Rule { kind: "PersistentVolumeClaim", path: "spec.resources.requests.storage", refusal: "field can not be less than previous value", way_out: "a claim never shrinks: create a smaller one under a new name and copy the data over", shrink_only: true, default: None },
];

/// One change the API server would refuse.
pub struct Refusal<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: &'a str,
    pub field: &'a Field,
    pub rule: &'static Rule,
}

impl Refusal<'_> {
    /// The way out, with the object's name and namespace filled in.
    pub fn way_out(&self) -> String {
        self.rule
            .way_out
            .replace("{name}", self.name)
            .replace("{namespace}", self.namespace)
    }
}

/// Every change of `report` that the API server would refuse, in report order.
pub fn refusals(changes: &[Change]) -> Vec<Refusal<'_>> {
    let mut out = Vec::new();
    for change in changes {
        let Change::Changed { a, b, fields } = change else {
            continue;
        };
        // Paired through a Job's hash: another object under another name, not an update.
        if a.name != b.name {
            continue;
        }
        for field in fields {
            let Some(rule) = RULES
                .iter()
                .find(|r| r.kind == b.kind && under(&field.path, r.path))
            else {
                continue;
            };
            let whole_entry = field.path.ends_with(']');
            let set_by_wfk = field.b.is_some() || whole_entry;
            let is_default = field.a.is_none()
                && rule
                    .default
                    .is_some_and(|d| field.b.as_ref().and_then(Value::as_str) == Some(d));
            if !set_by_wfk || is_default || (rule.shrink_only && !shrinks(field)) {
                continue;
            }
            out.push(Refusal {
                kind: &b.kind,
                name: &b.name,
                namespace: match b.namespace.as_str() {
                    "" => "default",
                    namespace => namespace,
                },
                field,
                rule,
            });
        }
    }
    out
}

/// `path` is `prefix` or a field inside it.
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// The new quantity is smaller than the old one.
fn shrinks(field: &Field) -> bool {
    let amount = |v: &Option<Value>| {
        v.as_ref()
            .and_then(Value::as_str)
            .and_then(crate::check::quantity::parse)
            .map(|q| q.value)
    };
    matches!((amount(&field.a), amount(&field.b)), (Some(a), Some(b)) if b < a)
}

#[cfg(test)]
mod tests {
    use super::super::{Rendered, objects};
    use super::*;
    use serde_json::json;

    fn set(name: &str, size: &str, extra: Value) -> Rendered {
        let mut v = json!({
            "kind": "StatefulSet",
            "metadata": { "name": name, "namespace": "p" },
            "spec": { "replicas": 1, "volumeClaimTemplates": [
                { "metadata": { "name": "data" }, "spec": { "resources": { "requests": { "storage": size } } } }
            ] }
        });
        if let (Some(spec), Some(extra)) = (v["spec"].as_object_mut(), extra.as_object()) {
            spec.extend(extra.clone());
        }
        Rendered::new(v)
    }

    #[test]
    fn a_claim_template_change_is_refused_and_replicas_are_not() {
        let report = objects(
            vec![set("p-db", "1Gi", json!({}))],
            vec![set("p-db", "2Gi", json!({ "replicas": 3 }))],
        );
        let refused = refusals(&report.changes);
        let paths: Vec<&str> = refused.iter().map(|r| r.field.path.as_str()).collect();
        assert_eq!(
            paths,
            ["spec.volumeClaimTemplates[data].spec.resources.requests.storage"]
        );
        assert!(
            refused[0]
                .way_out()
                .contains("kubectl delete statefulset p-db -n p --cascade=orphan")
        );
    }

    #[test]
    fn fields_only_the_server_set_are_not_compared() {
        let live = set(
            "p-db",
            "1Gi",
            json!({ "serviceName": "p-db-headless", "podManagementPolicy": "OrderedReady" }),
        );
        let report = objects(vec![live], vec![set("p-db", "1Gi", json!({}))]);
        assert!(refusals(&report.changes).is_empty());
    }

    #[test]
    fn setting_the_servers_default_changes_nothing() {
        let report = objects(
            vec![set("p-db", "1Gi", json!({}))],
            vec![set(
                "p-db",
                "1Gi",
                json!({ "podManagementPolicy": "OrderedReady" }),
            )],
        );
        assert!(refusals(&report.changes).is_empty());
        let report = objects(
            vec![set("p-db", "1Gi", json!({}))],
            vec![set(
                "p-db",
                "1Gi",
                json!({ "podManagementPolicy": "Parallel" }),
            )],
        );
        assert_eq!(refusals(&report.changes).len(), 1);
    }

    #[test]
    fn a_claim_may_grow_but_not_shrink() {
        let claim = |size: &str| {
            Rendered::new(
                json!({ "kind": "PersistentVolumeClaim", "metadata": { "name": "c" },
                "spec": { "resources": { "requests": { "storage": size } } } }),
            )
        };
        let grow = objects(vec![claim("1Gi")], vec![claim("2Gi")]);
        assert!(refusals(&grow.changes).is_empty());
        let shrink = objects(vec![claim("2Gi")], vec![claim("1536Mi")]);
        assert_eq!(refusals(&shrink.changes).len(), 1);
    }
}
