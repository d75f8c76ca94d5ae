//! Where each field of a built object comes from: recorded while the objects are built
//! (the spec value each builder reads), by templates (the template's document) and by
//! patches (the patch's value), so `diff`, `explain` and the checks read positions from one
//! place instead of guessing them back from an object.
//!
//! Field paths are written as `wfk diff` prints them: map keys joined with `.`, entries of a
//! list of named objects by name (`containers[api]`, `env[LOG_LEVEL]`, `ports[http]`),
//! other list entries by index (`metrics[0]`). The whole object is the empty path.

use super::object::Object;
use crate::platform::Platform;
use crate::platform::component::{Component, Kind, Resources, Security};
use crate::platform::job::Job;
use crate::source::Span;
use std::collections::HashMap;

/// What produced a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A value of the merged spec (base, overlay, `--set`, `defaults` or a patch), by its
    /// path from the root; the merged tree knows its position and what it overrode.
    Spec(Vec<String>),
    /// A template document, at its first line.
    Template(Span),
    /// An operation of a JSON Patch (RFC 6902), at its item in the spec's `patches`.
    Operation(Span),
}

impl Source {
    /// The spec path, if the source is a spec value.
    pub fn path(&self) -> Option<&[String]> {
        match self {
            Source::Spec(p) => Some(p),
            Source::Template(_) | Source::Operation(_) => None,
        }
    }
}

/// The origins of every object of a render, by kind and name.
#[derive(Clone, Debug, Default)]
pub struct Origins {
    objects: HashMap<(String, String), Vec<(String, Source)>>,
    shrunk: Vec<Shrunk>,
}

/// A list of an object that a patch made shorter: `spec.egress` from 3 rules to 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shrunk {
    pub kind: String,
    pub name: String,
    /// The list, as a field path.
    pub field: String,
    pub before: usize,
    pub after: usize,
    /// The patch (or its operation) that did it.
    pub by: Source,
}

impl Origins {
    /// Records a list that a patch shortened.
    pub fn shrink(&mut self, shrunk: Shrunk) {
        self.shrunk.push(shrunk);
    }

    /// Every list a patch shortened, in the order the patches ran.
    pub fn shrunk(&self) -> &[Shrunk] {
        &self.shrunk
    }

    /// Records that `field` of the object comes from `source`. A later record replaces what
    /// an earlier one said about the field and everything below it (a patch over a builder).
    pub fn record(&mut self, kind: &str, name: &str, field: impl Into<String>, source: Source) {
        record_in(self.object_mut(kind, name), field.into(), source);
    }

    /// The records of one object, to record many fields of it.
    fn object_mut(&mut self, kind: &str, name: &str) -> &mut Vec<(String, Source)> {
        self.objects
            .entry((kind.to_string(), name.to_string()))
            .or_default()
    }

    /// Where the object itself comes from: the key of its component, job, config map…, or
    /// the template that wrote it.
    pub fn object(&self, kind: &str, name: &str) -> Option<&Source> {
        self.records(kind, name)
            .iter()
            .find(|(f, _)| f.is_empty())
            .map(|(_, s)| s)
    }

    /// What produced `field`: the records at it or below it; else the nearest record above
    /// it (a list set whole, the object itself).
    pub fn field(&self, kind: &str, name: &str, field: &str) -> Vec<(&str, &Source)> {
        let records = self.records(kind, name);
        let mut at: Vec<(&str, &Source)> = records
            .iter()
            .filter(|(f, _)| f == field || below(f, field))
            .map(|(f, s)| (f.as_str(), s))
            .collect();
        if at.is_empty() {
            at = records
                .iter()
                .filter(|(f, _)| f.is_empty() || below(field, f))
                .max_by_key(|(f, _)| f.len())
                .map(|(f, s)| (f.as_str(), s))
                .into_iter()
                .collect();
        }
        at.sort_by(|a, b| a.0.cmp(b.0));
        at
    }

    fn records(&self, kind: &str, name: &str) -> &[(String, Source)] {
        self.objects
            .get(&(kind.to_string(), name.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Every source recorded for the object, in no particular order.
    pub fn sources(&self, kind: &str, name: &str) -> impl Iterator<Item = &Source> {
        self.records(kind, name).iter().map(|(_, s)| s)
    }

    /// Only where each object comes from: its own record, without those of its fields.
    pub fn objects_only(mut self) -> Origins {
        for records in self.objects.values_mut() {
            records.retain(|(f, _)| f.is_empty());
            records.shrink_to_fit();
        }
        self
    }

    /// Moves the records of an object that a patch renamed.
    pub fn rename(&mut self, kind: &str, from: &str, to: &str) {
        if let Some(records) = self.objects.remove(&(kind.to_string(), from.to_string())) {
            self.objects
                .insert((kind.to_string(), to.to_string()), records);
        }
    }
}

/// Records that `field` comes from `source` among an object's `records`, replacing what
/// they said about the field and everything below it.
fn record_in(records: &mut Vec<(String, Source)>, field: String, source: Source) {
    records.retain(|(f, _)| !(f == &field || (!field.is_empty() && below(f, &field))));
    records.push((field, source));
}

/// Whether `field` lies strictly below `parent`: `a.b` and `a[x]` are below `a`.
pub fn below(field: &str, parent: &str) -> bool {
    parent.is_empty() && !field.is_empty()
        || field
            .strip_prefix(parent)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// What an object was built from.
pub(super) enum Owner<'a> {
    Platform,
    Namespace,
    Component(&'a str, &'a Component),
    Job(&'a str, &'a Job),
    Config(&'a str),
    StorageClass(&'a str),
    Ingress,
}

/// Records the fields of a built object.
pub(super) fn record(origins: &mut Origins, object: &Object, owner: Owner, spec: &Platform) {
    let records = origins.object_mut(object.kind(), object.name());
    let mut rec = |field: String, path: Vec<String>| {
        record_in(records, field, Source::Spec(path));
    };
    let rec: &mut dyn FnMut(String, Vec<String>) = &mut rec;
    for key in spec.labels.keys() {
        rec(format!("metadata.labels.{key}"), p(&["labels", key]));
    }
    match owner {
        Owner::Platform => {
            rec(String::new(), p(&["platform"]));
            if let Object::ServiceAccount(_) = object {
                for key in spec.defaults.service_account.annotations.keys() {
                    rec(
                        format!("metadata.annotations.{key}"),
                        p(&["defaults", "serviceAccount", "annotations", key]),
                    );
                }
            }
        }
        Owner::Namespace => match spec.namespace {
            Some(_) => rec(String::new(), p(&["namespace"])),
            None => rec(String::new(), p(&["platform"])),
        },
        Owner::Config(config) => {
            rec(String::new(), p(&["config", config]));
            for key in spec.config.get(config).into_iter().flat_map(|c| c.keys()) {
                rec(format!("data.{key}"), p(&["config", config, key]));
            }
        }
        Owner::StorageClass(class) => rec(String::new(), p(&["storageClasses", class])),
        Owner::Ingress => {
            rec(String::new(), p(&["ingress"]));
            if let Some(ingress) = &spec.ingress {
                // A rule per host, named under `domain`; one TLS entry for them all.
                rec("spec.rules".into(), p(&["ingress", "hosts"]));
                for (i, host) in ingress.hosts.keys().enumerate() {
                    rec(format!("spec.rules[{i}].host"), p(&["ingress", "domain"]));
                    rec(
                        format!("spec.rules[{i}].http"),
                        p(&["ingress", "hosts", host]),
                    );
                }
                rec("spec.tls".into(), p(&["ingress", "tls"]));
                rec("spec.tls[0].hosts".into(), p(&["ingress", "domain"]));
                rec("spec.ingressClassName".into(), p(&["ingress", "class"]));
                for key in ingress.annotations.keys() {
                    rec(
                        format!("metadata.annotations.{key}"),
                        p(&["ingress", "annotations", key]),
                    );
                }
            }
        }
        Owner::Component(n, c) => component(rec, object, n, c, spec),
        Owner::Job(n, j) => {
            rec(String::new(), p(&["jobs", n]));
            match object {
                Object::CronJob(_) => {
                    rec("spec.schedule".into(), p(&["jobs", n, "schedule"]));
                    rec("spec.timeZone".into(), p(&["jobs", n, "timeZone"]));
                    let pod = "spec.jobTemplate.spec.template.spec";
                    rec(
                        format!("{pod}.backoffLimit"),
                        p(&["jobs", n, "backoffLimit"]),
                    );
                    pod_fields(rec, pod, &["jobs", n], n, Pod::job(n, j, spec));
                }
                Object::Job(_) => {
                    rec("spec.backoffLimit".into(), p(&["jobs", n, "backoffLimit"]));
                    let pod = "spec.template.spec";
                    pod_fields(rec, pod, &["jobs", n], n, Pod::job(n, j, spec));
                }
                Object::PersistentVolumeClaim(_) => claim(rec, object, &["jobs", n], n, spec),
                _ => {}
            }
        }
    }
}

fn component(
    rec: &mut dyn FnMut(String, Vec<String>),
    object: &Object,
    n: &str,
    c: &Component,
    spec: &Platform,
) {
    let own = ["components", n];
    let at = |rest: &[&str]| -> Vec<String> { join(&own, rest) };
    match object {
        Object::Deployment(_) | Object::StatefulSet(_) => {
            rec(String::new(), p(&own));
            rec("spec.replicas".into(), at(&["replicas"]));
            rec("spec.strategy".into(), at(&["rollout"]));
            rec("spec.updateStrategy".into(), at(&["rollout"]));
            rec(
                "spec.podManagementPolicy".into(),
                at(&["rollout", "podManagement"]),
            );
            rec(
                "spec.template.spec.topologySpreadConstraints".into(),
                at(&["spread"]),
            );
            pod_fields(rec, "spec.template.spec", &own, n, Pod::component(c, spec));
            if c.kind == Kind::Stateful {
                for volume in c.storage.keys() {
                    let base = format!("spec.volumeClaimTemplates[{volume}].spec");
                    storage_fields(rec, &base, &join(&own, &["storage", volume]));
                }
            }
        }
        Object::HorizontalPodAutoscaler(_) => {
            rec(String::new(), at(&["autoscale"]));
            let Some(a) = &c.autoscale else { return };
            match a.min {
                Some(_) => rec("spec.minReplicas".into(), at(&["autoscale", "min"])),
                None => rec("spec.minReplicas".into(), at(&["replicas"])),
            }
            rec("spec.maxReplicas".into(), at(&["autoscale", "max"]));
            rec("spec.behavior".into(), at(&["autoscale", "behavior"]));
            // In the order the builder writes them: cpu, memory, then custom ones by name.
            let mut metrics: Vec<&str> = Vec::new();
            if a.cpu.is_some() {
                metrics.push("cpu");
            }
            if a.memory.is_some() {
                metrics.push("memory");
            }
            let mut custom: Vec<&String> = a.metrics.keys().collect();
            custom.sort();
            for (i, metric) in metrics.iter().enumerate() {
                rec(format!("spec.metrics[{i}]"), at(&["autoscale", metric]));
            }
            for (i, metric) in custom.into_iter().enumerate() {
                rec(
                    format!("spec.metrics[{}]", metrics.len() + i),
                    at(&["autoscale", "metrics", metric]),
                );
            }
        }
        Object::PodDisruptionBudget(_) => {
            rec(String::new(), at(&["disruption"]));
            rec(
                "spec.minAvailable".into(),
                at(&["disruption", "minAvailable"]),
            );
            rec(
                "spec.maxUnavailable".into(),
                at(&["disruption", "maxUnavailable"]),
            );
        }
        Object::Service(s) => {
            // An extra Service is named `<platform>-<component>-<name>`.
            let extra = c.services.keys().find(|extra| {
                s.metadata.name.as_deref() == Some(&format!("{}-{n}-{extra}", spec.platform))
            });
            match extra {
                Some(extra) => {
                    rec(String::new(), at(&["services", extra]));
                    rec("spec.type".into(), at(&["services", extra, "type"]));
                }
                None => {
                    rec(String::new(), p(&own));
                    rec("spec.type".into(), at(&["service", "type"]));
                }
            }
            for port in c.ports.keys() {
                rec(format!("spec.ports[{port}]"), at(&["ports", port]));
            }
        }
        Object::ServiceAccount(_) => {
            match (&c.access, &c.service_account) {
                (_, Some(_)) => rec(String::new(), at(&["serviceAccount"])),
                _ => rec(String::new(), at(&["access"])),
            }
            for key in c.service_account.iter().flat_map(|s| s.annotations.keys()) {
                rec(
                    format!("metadata.annotations.{key}"),
                    at(&["serviceAccount", "annotations", key]),
                );
            }
        }
        Object::Role(_) => {
            rec(String::new(), at(&["access"]));
            rec("rules".into(), at(&["access"]));
        }
        Object::RoleBinding(_) => rec(String::new(), at(&["access"])),
        Object::PersistentVolumeClaim(_) => claim(rec, object, &own, n, spec),
        Object::NetworkPolicy(_) => rec(String::new(), at(&["uses"])),
        _ => rec(String::new(), p(&own)),
    }
}

/// A claim of a component or job, named `<platform>-<owner>-<volume>`.
fn claim(
    rec: &mut dyn FnMut(String, Vec<String>),
    object: &Object,
    own: &[&str],
    n: &str,
    spec: &Platform,
) {
    let prefix = format!("{}-{n}-", spec.platform);
    let Some(volume) = object.name().strip_prefix(&prefix) else {
        rec(String::new(), p(own));
        return;
    };
    let path = join(own, &["storage", volume]);
    rec(String::new(), path.clone());
    storage_fields(rec, "spec", &path);
}

/// A spec path.
fn p(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

/// `own` followed by `rest`.
fn join(own: &[&str], rest: &[&str]) -> Vec<String> {
    own.iter().chain(rest).map(|s| s.to_string()).collect()
}

fn storage_fields(rec: &mut dyn FnMut(String, Vec<String>), base: &str, storage: &[String]) {
    let at =
        |last: &str| -> Vec<String> { storage.iter().cloned().chain([last.to_string()]).collect() };
    rec(format!("{base}.resources.requests.storage"), at("size"));
    rec(format!("{base}.storageClassName"), at("class"));
    rec(format!("{base}.accessModes"), at("access"));
}

/// Whether a `Resources` sets one amount.
type IsSet = fn(&Resources) -> bool;

/// What a pod template is built from.
struct Pod<'a> {
    /// Where the container's own fields are: the component's or the job's path.
    image: Vec<&'a str>,
    resources: [(&'a Resources, Vec<&'a str>); 3],
    component: Option<(&'a str, &'a Component)>,
    job: Option<(&'a str, &'a Job)>,
    /// The pod's own user, group and fs group ids, then the defaults'.
    ids: [(Ids, Vec<&'a str>); 2],
}

/// A user id, a group id and an fs group id, each if set.
type Ids = (Option<i64>, Option<i64>, Option<i64>);

/// Whether one of the three ids is set.
type IdSet = fn(&Ids) -> bool;

fn ids(s: &Security) -> Ids {
    (s.run_as_user, s.run_as_group, s.fs_group)
}

fn default_ids(spec: &Platform) -> Ids {
    let d = &spec.defaults;
    (d.run_as_user, d.run_as_group, d.fs_group)
}

impl<'a> Pod<'a> {
    fn component(c: &'a Component, spec: &'a Platform) -> Pod<'a> {
        Pod {
            image: Vec::new(),
            resources: [
                (&c.resources, vec!["resources"]),
                (&spec.defaults.resources, vec!["defaults", "resources"]),
                (&spec.defaults.resources, vec!["defaults", "resources"]),
            ],
            component: Some(("", c)),
            job: None,
            ids: [
                (ids(&c.security), vec!["security"]),
                (default_ids(spec), vec!["defaults"]),
            ],
        }
    }

    /// A job's pod: its own fields, then those of the component it names, then defaults.
    fn job(n: &'a str, j: &'a Job, spec: &'a Platform) -> Pod<'a> {
        let named = j
            .component
            .as_deref()
            .and_then(|c| spec.components.get_key_value(c));
        let image = match (&j.image, named) {
            (None, Some((cn, _))) => vec!["components", cn.as_str(), "image"],
            _ => Vec::new(),
        };
        let component_resources = match named {
            Some((cn, c)) => (&c.resources, vec!["components", cn.as_str(), "resources"]),
            None => (&spec.defaults.resources, vec!["defaults", "resources"]),
        };
        Pod {
            image,
            resources: [
                (&j.resources, vec!["resources"]),
                component_resources,
                (&spec.defaults.resources, vec!["defaults", "resources"]),
            ],
            component: None,
            job: Some((n, j)),
            ids: [
                (ids(&j.security), vec!["security"]),
                (default_ids(spec), vec!["defaults"]),
            ],
        }
    }
}

/// The fields of a pod template at `base` whose main container is named `main`, for the
/// component or job at `own`.
fn pod_fields(
    rec: &mut dyn FnMut(String, Vec<String>),
    base: &str,
    own: &[&str],
    main: &str,
    pod: Pod,
) {
    let at = |rest: &[&str]| -> Vec<String> { join(own, rest) };
    let container = format!("{base}.containers[{main}]");
    match pod.image.is_empty() {
        true => rec(format!("{container}.image"), at(&["image"])),
        false => rec(format!("{container}.image"), p(&pod.image)),
    }
    rec(format!("{container}.command"), at(&["command"]));
    rec(format!("{container}.args"), at(&["args"]));
    // Each amount from the first of the pod's sources that sets it.
    let amounts: [(&str, &str, IsSet); 3] = [
        ("cpu", "cpu", |r| r.cpu.is_some()),
        ("memory", "memory", |r| r.memory.is_some()),
        ("ephemeral-storage", "ephemeralStorage", |r| {
            r.ephemeral_storage.is_some()
        }),
    ];
    for (amount, key, set) in amounts {
        let Some((_, path)) = pod.resources.iter().find(|(r, _)| set(r)) else {
            continue;
        };
        let mut path = if path[0] == "resources" {
            at(path)
        } else {
            p(path)
        };
        path.push(key.to_string());
        for side in ["requests", "limits"] {
            rec(
                format!("{container}.resources.{side}.{amount}"),
                path.clone(),
            );
        }
    }
    // Each id from the pod's own `security`, else `defaults`.
    let keys: [(&str, IdSet); 3] = [
        ("runAsUser", |i| i.0.is_some()),
        ("runAsGroup", |i| i.1.is_some()),
        ("fsGroup", |i| i.2.is_some()),
    ];
    for (key, set) in keys {
        if let Some((_, path)) = pod.ids.iter().find(|(i, _)| set(i)) {
            let mut path = if path[0] == "security" {
                at(path)
            } else {
                p(path)
            };
            path.push(key.to_string());
            rec(format!("{base}.securityContext.{key}"), path);
        }
    }
    for extended in pod.resources[0].0.extended.keys() {
        for side in ["requests", "limits"] {
            rec(
                format!("{container}.resources.{side}.{extended}"),
                at(&["resources", "extended", extended]),
            );
        }
    }
    let (env, init, sidecars, placement, ports) = match (pod.component, pod.job) {
        (Some((_, c)), _) => (
            c.env.keys().collect::<Vec<_>>(),
            c.init.keys().collect::<Vec<_>>(),
            c.sidecars.keys().collect::<Vec<_>>(),
            true,
            c.ports.keys().collect::<Vec<_>>(),
        ),
        (None, Some((_, j))) => (
            j.env.keys().collect(),
            Vec::new(),
            Vec::new(),
            false,
            Vec::new(),
        ),
        (None, None) => Default::default(),
    };
    let selectors: Vec<&String> = pod
        .component
        .iter()
        .flat_map(|(_, c)| c.placement.node_selector.keys())
        .collect();
    for var in env {
        rec(format!("{container}.env[{var}]"), at(&["env", var]));
    }
    for port in ports {
        rec(format!("{container}.ports[{port}]"), at(&["ports", port]));
    }
    for probe in ["liveness", "readiness", "startup"] {
        rec(format!("{container}.{probe}Probe"), at(&["probes", probe]));
    }
    // Init containers and sidecars (init containers that keep running), each with its
    // own fields.
    for (group, name) in init
        .into_iter()
        .map(|n| ("init", n))
        .chain(sidecars.into_iter().map(|n| ("sidecars", n)))
    {
        let c = format!("{base}.initContainers[{name}]");
        rec(c.clone(), at(&[group, name]));
        for field in ["image", "command", "args"] {
            rec(format!("{c}.{field}"), at(&[group, name, field]));
        }
    }
    // The priority class and pull secrets: the component's own, else `defaults`.
    let defaulted = |field: &str, own_set: bool| -> Vec<String> {
        match own_set {
            true => at(&[field]),
            false => p(&["defaults", field]),
        }
    };
    let component = pod.component.map(|(_, c)| c);
    rec(
        format!("{base}.priorityClassName"),
        defaulted(
            "priorityClass",
            component.is_some_and(|c| c.priority_class.is_some()),
        ),
    );
    rec(
        format!("{base}.imagePullSecrets"),
        defaulted(
            "pullSecrets",
            component.is_some_and(|c| !c.pull_secrets.is_empty()),
        ),
    );
    if placement {
        rec(
            format!("{base}.serviceAccountName"),
            at(&["serviceAccount"]),
        );
        rec(
            format!("{base}.nodeSelector"),
            at(&["placement", "nodeSelector"]),
        );
        for key in selectors {
            rec(
                format!("{base}.nodeSelector.{key}"),
                at(&["placement", "nodeSelector", key]),
            );
        }
        rec(
            format!("{base}.tolerations"),
            at(&["placement", "tolerations"]),
        );
        rec(
            format!("{base}.affinity.nodeAffinity"),
            at(&["placement", "nodes"]),
        );
        rec(
            format!("{base}.affinity.podAntiAffinity"),
            at(&["placement", "apart"]),
        );
        rec(
            format!("{base}.affinity.podAffinity"),
            at(&["placement", "near"]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_record_replaces_the_field_and_what_is_below_it() {
        let mut o = Origins::default();
        let path = |p: &str| Source::Spec(vec![p.to_string()]);
        o.record("Deployment", "p-api", "", path("a"));
        o.record("Deployment", "p-api", "spec.replicas", path("b"));
        o.record("Deployment", "p-api", "spec.template.x", path("c"));
        o.record("Deployment", "p-api", "spec.template", path("patch"));
        let fields = |f: &str| -> Vec<String> {
            o.field("Deployment", "p-api", f)
                .into_iter()
                .map(|(f, s)| format!("{f}={}", s.path().unwrap()[0]))
                .collect()
        };
        assert_eq!(fields("spec.template.x.y"), ["spec.template=patch"]);
        assert_eq!(fields("spec"), ["spec.replicas=b", "spec.template=patch"]);
        assert_eq!(fields("metadata.name"), ["=a"]);
        assert!(below("a[x].b", "a") && below("a.b", "a") && !below("ab", "a"));
    }
}
