//! Where each field of a built object comes from: recorded while the objects are built
//! (the spec value each builder reads), by templates (the template's document) and by
//! patches (the patch's value), so `diff`, `explain` and the checks read positions from one
//! place instead of guessing them back from an object.
//!
//! Field paths are written as `wfk diff` prints them: map keys joined with `.`, entries of a
//! list of named objects by name (`containers[api]`, `env[LOG_LEVEL]`, `ports[http]`),
//! other list entries by index (`metrics[0]`). The whole object is the empty path.

use crate::platform::Platform;
use crate::platform::component::{Component, Kind, Resources, Security};
use crate::platform::job::Job;
use crate::source::Span;
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeMap;

/// A path of the merged spec from its root (`components`, `api`, `replicas`), in one
/// allocation: a render records one per field of every object, tens of thousands at
/// 1,000 components. Each key is written as its length, `:` and the key, so any key text
/// (dots included) reads back as it was.
#[derive(Clone, PartialEq, Eq)]
pub struct SpecPath(Box<str>);

impl SpecPath {
    pub fn new<S: AsRef<str>, I>(keys: I) -> SpecPath
    where
        I: IntoIterator<Item = S>,
        I::IntoIter: Clone,
    {
        let keys = keys.into_iter();
        let len = keys.clone().map(|k| encoded_len(k.as_ref())).sum();
        let mut text = String::with_capacity(len);
        for key in keys {
            push_key(&mut text, key.as_ref());
        }
        SpecPath(text.into_boxed_str())
    }

    /// This path with `key` added at its end.
    pub fn with(&self, key: &str) -> SpecPath {
        let mut text = String::with_capacity(self.0.len() + encoded_len(key));
        text.push_str(&self.0);
        push_key(&mut text, key);
        SpecPath(text.into_boxed_str())
    }

    /// Its keys, from the root.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let mut rest: &str = &self.0;
        std::iter::from_fn(move || {
            let (len, after) = rest.split_once(':')?;
            let len: usize = len.parse().ok()?;
            let (key, next) = after.split_at(len);
            rest = next;
            Some(key)
        })
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.keys().map(String::from).collect()
    }

    pub fn first(&self) -> Option<&str> {
        self.keys().next()
    }

    /// Whether the path is `keys`.
    pub fn is(&self, keys: &[&str]) -> bool {
        self.keys().eq(keys.iter().copied())
    }

    /// The keys joined by `sep`, as a path is shown.
    pub fn join(&self, sep: &str) -> String {
        self.keys().collect::<Vec<_>>().join(sep)
    }
}

/// The bytes [`push_key`] writes for `key`, so the text is allocated once at its size (a
/// boxed str drops spare capacity by copying).
fn encoded_len(key: &str) -> usize {
    let mut digits = 1;
    let mut len = key.len();
    while len >= 10 {
        digits += 1;
        len /= 10;
    }
    digits + 1 + key.len()
}

fn push_key(text: &mut String, key: &str) {
    crate::push_decimal(text, key.len() as u64);
    text.push(':');
    text.push_str(key);
}

impl std::fmt::Debug for SpecPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.keys()).finish()
    }
}

impl<S: AsRef<str>> From<&[S]> for SpecPath {
    fn from(keys: &[S]) -> SpecPath {
        SpecPath::new(keys)
    }
}

impl From<Vec<String>> for SpecPath {
    fn from(keys: Vec<String>) -> SpecPath {
        SpecPath::new(keys)
    }
}

/// What produced a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A value of the merged spec (base, overlay, `--set`, `defaults` or a patch), by its
    /// path from the root; the merged tree knows its position and what it overrode.
    Spec(SpecPath),
    /// A template document, at its first line.
    Template(Span),
    /// An operation of a JSON Patch (RFC 6902), at its item in the spec's `patches`.
    Operation(Span),
}

impl Source {
    /// The spec path, if the source is a spec value.
    pub fn path(&self) -> Option<&SpecPath> {
        match self {
            Source::Spec(p) => Some(p),
            Source::Template(_) | Source::Operation(_) => None,
        }
    }
}

/// The origins of every object of a render, by kind and name.
///
/// A builder's records are not made while the objects are built: an object keeps only
/// what built it ([`Built`]), and its records are made from the spec when one of them is
/// first read (the checks read them only to place a finding, so a render without findings
/// never makes them: at 1,000 components that was 7% of a render's instructions and 5 MiB).
/// Lookups therefore take the spec the objects were built from.
#[derive(Clone, Debug, Default)]
pub struct Origins {
    /// By kind, then name: looked up by `&str`, without making a key.
    objects: HashMap<String, HashMap<String, Entry>>,
    shrunk: Vec<Shrunk>,
}

/// The origins of one object.
#[derive(Clone, Debug, Default)]
struct Entry {
    /// What built it, and its name then if a patch renamed it since.
    built: Option<(Built, Option<String>)>,
    /// Records made after the builder's, in order (scanner skips, templates, patches): each
    /// replaces what came before it about its field and what is below it.
    later: Vec<(String, Source)>,
    /// The builder's records and then the later ones, made when first read; by field, so
    /// that a field and what lies below it are one range of keys.
    records: std::sync::OnceLock<Records>,
}

impl Entry {
    /// The builder's records, made from `spec` on first read, then the later ones over
    /// them. `name` is the object's name now.
    fn records(&self, spec: &Platform, kind: &str, name: &str) -> &Records {
        self.records.get_or_init(|| {
            let mut records = Records::new();
            let built = self.built.as_ref();
            if let Some(owner) = built.and_then(|(b, _)| b.owner(spec)) {
                let name = built.and_then(|(_, was)| was.as_deref()).unwrap_or(name);
                record(&mut records, kind, name, owner, spec);
            }
            for (field, source) in &self.later {
                records.record(field.clone(), source.clone());
            }
            records
        })
    }
}

/// What built an object, by its place in the spec ([`Owner`] without the borrows).
#[derive(Clone, Copy, Debug)]
enum Built {
    Platform,
    Namespace,
    Component(usize),
    Job(usize),
    Config(usize),
    StorageClass(usize),
    Ingress,
}

impl Built {
    fn of(owner: &Owner, spec: &Platform) -> Option<Built> {
        Some(match owner {
            Owner::Platform => Built::Platform,
            Owner::Namespace => Built::Namespace,
            Owner::Component(n, _) => Built::Component(spec.components.get_index_of(*n)?),
            Owner::Job(n, _) => Built::Job(spec.jobs.get_index_of(*n)?),
            Owner::Config(n) => Built::Config(spec.config.get_index_of(*n)?),
            Owner::StorageClass(n) => Built::StorageClass(spec.storage_classes.get_index_of(*n)?),
            Owner::Ingress => Built::Ingress,
        })
    }

    fn owner(self, spec: &Platform) -> Option<Owner<'_>> {
        Some(match self {
            Built::Platform => Owner::Platform,
            Built::Namespace => Owner::Namespace,
            Built::Component(i) => {
                let (n, c) = spec.components.get_index(i)?;
                Owner::Component(n, c)
            }
            Built::Job(i) => {
                let (n, j) = spec.jobs.get_index(i)?;
                Owner::Job(n, j)
            }
            Built::Config(i) => Owner::Config(spec.config.get_index(i)?.0),
            Built::StorageClass(i) => Owner::StorageClass(spec.storage_classes.get_index(i)?.0),
            Built::Ingress => Owner::Ingress,
        })
    }
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
        let entry = self.entry_mut(kind, name);
        entry.later.push((field.into(), source));
        entry.records.take();
    }

    /// Records that `owner` built the object: its records are made from `spec` when read.
    /// Every builder records the object itself, which replaces whatever was recorded
    /// about it before (a second object of the same kind and name).
    pub(super) fn built(&mut self, kind: &str, name: &str, owner: &Owner, spec: &Platform) {
        let entry = self.entry_mut(kind, name);
        entry.built = Built::of(owner, spec).map(|b| (b, None));
        entry.later.clear();
        entry.records.take();
    }

    /// The origins of objects built after this one's, as if recorded here in their order:
    /// each of their objects replaces what was recorded about one of the same kind and
    /// name, as [`Origins::built`] would (an object always has its builder's record first).
    pub fn append(&mut self, later: Origins) {
        for (kind, names) in later.objects {
            self.objects.entry(kind).or_default().extend(names);
        }
        self.shrunk.extend(later.shrunk);
    }

    fn entry_mut(&mut self, kind: &str, name: &str) -> &mut Entry {
        if !self.objects.contains_key(kind) {
            self.objects.insert(kind.to_string(), HashMap::new());
        }
        let names = self.objects.get_mut(kind).expect("inserted above");
        if !names.contains_key(name) {
            names.insert(name.to_string(), Entry::default());
        }
        names.get_mut(name).expect("inserted above")
    }

    /// Where the object itself comes from: the key of its component, job, config map…, or
    /// the template that wrote it. `spec` is the spec the objects were built from.
    pub fn object(&self, spec: &Platform, kind: &str, name: &str) -> Option<&Source> {
        self.records(spec, kind, name)?.get("").map(|(_, s)| s)
    }

    /// What produced `field`: the records at it or below it; else the nearest record above
    /// it (a list set whole, the object itself). `spec` is the spec the objects were built
    /// from.
    pub fn field(
        &self,
        spec: &Platform,
        kind: &str,
        name: &str,
        field: &str,
    ) -> Vec<(&str, &Source)> {
        let Some(records) = self.records(spec, kind, name) else {
            return Vec::new();
        };
        let mut at = records.at_or_below(field);
        if at.is_empty() {
            // The nearest field above: the longest prefix that ends before a `.` or a `[`.
            let above = field
                .match_indices(['.', '['])
                .map(|(i, _)| &field[..i])
                .rev()
                .chain([""]);
            at = above
                .filter_map(|f| records.get(f))
                .map(|(f, s)| (f.as_str(), s))
                .take(1)
                .collect();
        }
        at.sort_by(|a, b| a.0.cmp(b.0));
        at
    }

    /// The object's records: the builder's, made from `spec` on first read, then the later
    /// ones over them.
    fn records(&self, spec: &Platform, kind: &str, name: &str) -> Option<&Records> {
        self.objects
            .get(kind)
            .and_then(|names| names.get(name))
            .map(|entry| entry.records(spec, kind, name))
    }

    /// Every source recorded for the object, in no particular order.
    pub fn sources(
        &self,
        spec: &Platform,
        kind: &str,
        name: &str,
    ) -> impl Iterator<Item = &Source> {
        self.records(spec, kind, name)
            .into_iter()
            .flat_map(|r| r.sources())
    }

    /// Only where each object comes from (its own record, made now from `spec`), without
    /// the records of its fields: what is kept of a build whose spec is not.
    pub fn objects_only(mut self, spec: &Platform) -> Origins {
        for (kind, names) in &mut self.objects {
            for (name, entry) in names {
                let own = entry
                    .records(spec, kind, name)
                    .get("")
                    .map(|(f, s)| (f.clone(), s.clone()));
                *entry = Entry {
                    later: own.into_iter().collect(),
                    ..Entry::default()
                };
            }
        }
        self
    }

    /// Moves the records of an object that a patch renamed.
    pub fn rename(&mut self, kind: &str, from: &str, to: &str) {
        if let Some(names) = self.objects.get_mut(kind) {
            if let Some(mut entry) = names.remove(from) {
                if let Some((_, was @ None)) = &mut entry.built {
                    *was = Some(from.to_string());
                }
                names.insert(to.to_string(), entry);
            }
        }
    }
}

/// An object's records, by field: a list while there are few (most objects have a few
/// dozen, which a scan reads fastest), a BTreeMap once there are many (an Ingress of
/// thousands of hosts), where a field and what is below it are one range of keys, so that
/// recording and looking up stay linear in the fields.
#[derive(Clone, Debug)]
enum Records {
    Few(Vec<(String, Source)>),
    Many(BTreeMap<String, Source>),
}

/// How many records an object keeps in a list.
const FEW: usize = 48;

impl Records {
    fn new() -> Records {
        Records::Few(Vec::new())
    }

    /// Records that `field` comes from `source`, replacing what was said about the field
    /// and everything below it (the object itself, `""`, replaces only what was said
    /// about the object).
    fn record(&mut self, field: String, source: Source) {
        let replaced = |f: &str| f == field || (!field.is_empty() && below(f, &field));
        match self {
            Records::Few(list) if list.len() < FEW => {
                list.retain(|(f, _)| !replaced(f));
                list.push((field, source));
            }
            Records::Few(list) => {
                list.retain(|(f, _)| !replaced(f));
                let mut map: BTreeMap<String, Source> = std::mem::take(list).into_iter().collect();
                map.insert(field, source);
                *self = Records::Many(map);
            }
            Records::Many(map) => {
                let gone: Vec<String> = if field.is_empty() {
                    Vec::new()
                } else {
                    at_or_below(map, &field).map(|(f, _)| f.clone()).collect()
                };
                for f in gone {
                    map.remove(&f);
                }
                map.insert(field, source);
            }
        }
    }

    /// The record at `field` exactly.
    fn get(&self, field: &str) -> Option<(&String, &Source)> {
        match self {
            Records::Few(list) => list.iter().find(|(f, _)| f == field).map(|(f, s)| (f, s)),
            Records::Many(map) => map.get_key_value(field),
        }
    }

    /// The records at `field` and below it, in no particular order.
    fn at_or_below<'r>(&'r self, field: &str) -> Vec<(&'r str, &'r Source)> {
        match self {
            Records::Few(list) => list
                .iter()
                .filter(|(f, _)| f == field || below(f, field))
                .map(|(f, s)| (f.as_str(), s))
                .collect(),
            Records::Many(map) => at_or_below(map, field)
                .map(|(f, s)| (f.as_str(), s))
                .collect(),
        }
    }

    fn sources(&self) -> Box<dyn Iterator<Item = &Source> + '_> {
        match self {
            Records::Few(list) => Box::new(list.iter().map(|(_, s)| s)),
            Records::Many(map) => Box::new(map.values()),
        }
    }
}

/// The records of `map` at `field` and below it: keys that start with `field` sort
/// together, from `field` on.
fn at_or_below<'r>(
    map: &'r BTreeMap<String, Source>,
    field: &str,
) -> impl Iterator<Item = (&'r String, &'r Source)> {
    map.range::<str, _>((std::ops::Bound::Included(field), std::ops::Bound::Unbounded))
        .take_while(move |(f, _)| f.starts_with(field))
        .filter(move |(f, _)| f.as_str() == field || below(f, field))
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

/// Records the fields of a built object of `kind` named `name` into `records`.
fn record(records: &mut Records, kind: &str, name: &str, owner: Owner, spec: &Platform) {
    let mut rec = |field: String, path: SpecPath| {
        records.record(field, Source::Spec(path));
    };
    let rec: &mut dyn FnMut(String, SpecPath) = &mut rec;
    for key in spec.labels.keys() {
        rec(cat(&["metadata.labels.", key]), p(&["labels", key]));
    }
    match owner {
        Owner::Platform => {
            rec(String::new(), p(&["platform"]));
            if kind == "ServiceAccount" {
                for key in spec.defaults.service_account.annotations.keys() {
                    rec(
                        cat(&["metadata.annotations.", key]),
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
                rec(cat(&["data.", key]), p(&["config", config, key]));
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
                        cat(&["metadata.annotations.", key]),
                        p(&["ingress", "annotations", key]),
                    );
                }
            }
        }
        Owner::Component(n, c) => component(rec, kind, name, n, c, spec),
        Owner::Job(n, j) => {
            rec(String::new(), p(&["jobs", n]));
            match kind {
                "CronJob" => {
                    rec("spec.schedule".into(), p(&["jobs", n, "schedule"]));
                    rec("spec.timeZone".into(), p(&["jobs", n, "timeZone"]));
                    let pod = "spec.jobTemplate.spec.template.spec";
                    rec(
                        cat(&[pod, ".backoffLimit"]),
                        p(&["jobs", n, "backoffLimit"]),
                    );
                    pod_fields(rec, pod, &["jobs", n], n, Pod::job(n, j, spec));
                }
                "Job" => {
                    rec("spec.backoffLimit".into(), p(&["jobs", n, "backoffLimit"]));
                    let pod = "spec.template.spec";
                    pod_fields(rec, pod, &["jobs", n], n, Pod::job(n, j, spec));
                }
                "PersistentVolumeClaim" => claim(rec, name, &["jobs", n], n, spec),
                _ => {}
            }
        }
    }
}

fn component(
    rec: &mut dyn FnMut(String, SpecPath),
    kind: &str,
    name: &str,
    n: &str,
    c: &Component,
    spec: &Platform,
) {
    let own = ["components", n];
    let at = |rest: &[&str]| -> SpecPath { join(&own, rest) };
    match kind {
        "Deployment" | "StatefulSet" => {
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
                    let base = cat(&["spec.volumeClaimTemplates[", volume, "].spec"]);
                    storage_fields(rec, &base, &join(&own, &["storage", volume]));
                }
            }
        }
        "HorizontalPodAutoscaler" => {
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
        "PodDisruptionBudget" => {
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
        "Service" => {
            // An extra Service is named `<platform>-<component>-<name>`.
            let extra = c
                .services
                .keys()
                .find(|extra| name == format!("{}-{n}-{extra}", spec.platform));
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
                rec(cat(&["spec.ports[", port, "]"]), at(&["ports", port]));
            }
        }
        "ServiceAccount" => {
            match (&c.access, &c.service_account) {
                (_, Some(_)) => rec(String::new(), at(&["serviceAccount"])),
                _ => rec(String::new(), at(&["access"])),
            }
            for key in c.service_account.iter().flat_map(|s| s.annotations.keys()) {
                rec(
                    cat(&["metadata.annotations.", key]),
                    at(&["serviceAccount", "annotations", key]),
                );
            }
        }
        "Role" => {
            rec(String::new(), at(&["access"]));
            rec("rules".into(), at(&["access"]));
        }
        "RoleBinding" => rec(String::new(), at(&["access"])),
        "PersistentVolumeClaim" => claim(rec, name, &own, n, spec),
        "NetworkPolicy" => rec(String::new(), at(&["uses"])),
        _ => rec(String::new(), p(&own)),
    }
}

/// A claim of a component or job, named `<platform>-<owner>-<volume>`.
fn claim(
    rec: &mut dyn FnMut(String, SpecPath),
    name: &str,
    own: &[&str],
    n: &str,
    spec: &Platform,
) {
    let prefix = format!("{}-{n}-", spec.platform);
    let Some(volume) = name.strip_prefix(&prefix) else {
        rec(String::new(), p(own));
        return;
    };
    let path = join(own, &["storage", volume]);
    rec(String::new(), path.clone());
    storage_fields(rec, "spec", &path);
}

/// The pieces as one string, allocated once (a field path).
fn cat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

/// A spec path.
fn p(parts: &[&str]) -> SpecPath {
    SpecPath::new(parts)
}

/// `own` followed by `rest`.
fn join(own: &[&str], rest: &[&str]) -> SpecPath {
    SpecPath::new(own.iter().chain(rest))
}

fn storage_fields(rec: &mut dyn FnMut(String, SpecPath), base: &str, storage: &SpecPath) {
    let at = |last: &str| -> SpecPath { storage.with(last) };
    rec(cat(&[base, ".resources.requests.storage"]), at("size"));
    rec(cat(&[base, ".storageClassName"]), at("class"));
    rec(cat(&[base, ".accessModes"]), at("access"));
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
    rec: &mut dyn FnMut(String, SpecPath),
    base: &str,
    own: &[&str],
    main: &str,
    pod: Pod,
) {
    let at = |rest: &[&str]| -> SpecPath { join(own, rest) };
    let container = cat(&[base, ".containers[", main, "]"]);
    match pod.image.is_empty() {
        true => rec(cat(&[&container, ".image"]), at(&["image"])),
        false => rec(cat(&[&container, ".image"]), p(&pod.image)),
    }
    rec(cat(&[&container, ".command"]), at(&["command"]));
    rec(cat(&[&container, ".args"]), at(&["args"]));
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
        let path = if path[0] == "resources" {
            at(path)
        } else {
            p(path)
        }
        .with(key);
        for side in ["requests", "limits"] {
            rec(
                cat(&[&container, ".resources.", side, ".", amount]),
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
            let path = if path[0] == "security" {
                at(path)
            } else {
                p(path)
            }
            .with(key);
            rec(cat(&[base, ".securityContext.", key]), path);
        }
    }
    for extended in pod.resources[0].0.extended.keys() {
        for side in ["requests", "limits"] {
            rec(
                cat(&[&container, ".resources.", side, ".", extended]),
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
        rec(cat(&[&container, ".env[", var, "]"]), at(&["env", var]));
    }
    for port in ports {
        rec(
            cat(&[&container, ".ports[", port, "]"]),
            at(&["ports", port]),
        );
    }
    for probe in ["liveness", "readiness", "startup"] {
        rec(
            cat(&[&container, ".", probe, "Probe"]),
            at(&["probes", probe]),
        );
    }
    // Init containers and sidecars (init containers that keep running), each with its
    // own fields.
    for (group, name) in init
        .into_iter()
        .map(|n| ("init", n))
        .chain(sidecars.into_iter().map(|n| ("sidecars", n)))
    {
        let c = cat(&[base, ".initContainers[", name, "]"]);
        rec(c.clone(), at(&[group, name]));
        for field in ["image", "command", "args"] {
            rec(cat(&[&c, ".", field]), at(&[group, name, field]));
        }
    }
    // The priority class and pull secrets: the component's own, else `defaults`.
    let defaulted = |field: &str, own_set: bool| -> SpecPath {
        match own_set {
            true => at(&[field]),
            false => p(&["defaults", field]),
        }
    };
    let component = pod.component.map(|(_, c)| c);
    rec(
        cat(&[base, ".priorityClassName"]),
        defaulted(
            "priorityClass",
            component.is_some_and(|c| c.priority_class.is_some()),
        ),
    );
    rec(
        cat(&[base, ".imagePullSecrets"]),
        defaulted(
            "pullSecrets",
            component.is_some_and(|c| !c.pull_secrets.is_empty()),
        ),
    );
    if placement {
        rec(cat(&[base, ".serviceAccountName"]), at(&["serviceAccount"]));
        rec(
            cat(&[base, ".nodeSelector"]),
            at(&["placement", "nodeSelector"]),
        );
        for key in selectors {
            rec(
                cat(&[base, ".nodeSelector.", key]),
                at(&["placement", "nodeSelector", key]),
            );
        }
        rec(
            cat(&[base, ".tolerations"]),
            at(&["placement", "tolerations"]),
        );
        rec(
            cat(&[base, ".affinity.nodeAffinity"]),
            at(&["placement", "nodes"]),
        );
        rec(
            cat(&[base, ".affinity.podAntiAffinity"]),
            at(&["placement", "apart"]),
        );
        rec(
            cat(&[base, ".affinity.podAffinity"]),
            at(&["placement", "near"]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_path_reads_back_every_key_as_written() {
        let keys = [
            "components",
            "api.gorax.io",
            "",
            "12:30",
            "1:x",
            "ü-名",
            "a\nb",
        ];
        let path = SpecPath::new(keys);
        assert_eq!(path.to_vec(), keys);
        assert_eq!(path.first(), Some("components"));
        assert!(path.is(&keys) && !path.is(&keys[..6]));
        assert_eq!(path.with("replicas").to_vec().last().unwrap(), "replicas");
        assert_eq!(path.join("."), keys.join("."));
        assert_eq!(format!("{:?}", SpecPath::new(["a", "b"])), r#"["a", "b"]"#);
        let long = "k".repeat(1234);
        assert_eq!(
            SpecPath::new([long.as_str(), "x"]).to_vec(),
            [long.as_str(), "x"]
        );
        assert!(SpecPath::new(Vec::<String>::new()).first().is_none());
    }

    fn spec(yaml: &str) -> Platform {
        let tree = crate::load::parse(0, yaml).unwrap();
        Platform::from_tree(&crate::merge::Merged::new(tree)).unwrap()
    }

    /// What `field` of the object comes from, as `field=spec.path` lines.
    fn recorded(o: &Origins, spec: &Platform, kind: &str, name: &str, field: &str) -> Vec<String> {
        o.field(spec, kind, name, field)
            .into_iter()
            .map(|(f, s)| format!("{f}={}", s.path().unwrap().join(".")))
            .collect()
    }

    #[test]
    fn a_later_record_replaces_the_field_and_what_is_below_it() {
        let spec = spec("platform: p\n");
        let mut o = Origins::default();
        let path = |p: &str| Source::Spec(SpecPath::new([p]));
        o.record("Deployment", "p-api", "", path("a"));
        o.record("Deployment", "p-api", "spec.replicas", path("b"));
        o.record("Deployment", "p-api", "spec.template.x", path("c"));
        o.record("Deployment", "p-api", "spec.template", path("patch"));
        let fields = |f: &str| recorded(&o, &spec, "Deployment", "p-api", f);
        assert_eq!(fields("spec.template.x.y"), ["spec.template=patch"]);
        assert_eq!(fields("spec"), ["spec.replicas=b", "spec.template=patch"]);
        assert_eq!(fields("metadata.name"), ["=a"]);
        assert!(below("a[x].b", "a") && below("a.b", "a") && !below("ab", "a"));
    }

    #[test]
    fn a_field_that_only_starts_like_another_is_not_below_it() {
        // With few records (a list) and with many (a map): the same answers.
        for fillers in [0, FEW] {
            let spec = spec("platform: p\n");
            let mut o = Origins::default();
            let path = |p: &str| Source::Spec(SpecPath::new([p]));
            for i in 0..fillers {
                o.record(
                    "Ingress",
                    "p",
                    format!("metadata.annotations.a{i}"),
                    path("f"),
                );
            }
            for (field, from) in [
                ("spec.rules[1].host", "one"),
                ("spec.rules[10].host", "ten"),
                ("spec.rulesX", "x"),
                ("spec.rules[1].http", "http"),
                ("metadata.labels.app", "label"),
            ] {
                o.record("Ingress", "p", field, path(from));
            }
            // Replacing `spec.rules[1]` takes what is below it, and no field it is a prefix
            // of; recording the object itself replaces none of its fields.
            o.record("Ingress", "p", "spec.rules[1]", path("patch"));
            o.record("Ingress", "p", "", path("object"));
            let fields = |f: &str| recorded(&o, &spec, "Ingress", "p", f);
            assert_eq!(
                fields("spec"),
                [
                    "spec.rulesX=x",
                    "spec.rules[10].host=ten",
                    "spec.rules[1]=patch"
                ]
            );
            assert_eq!(fields("spec.rules[1].host"), ["spec.rules[1]=patch"]);
            assert_eq!(fields("spec.rules[10]"), ["spec.rules[10].host=ten"]);
            assert_eq!(fields("spec.rules[2]"), ["=object"], "the nearest above");
            assert_eq!(fields("metadata.labels"), ["metadata.labels.app=label"]);
            assert_eq!(fields("").len(), fillers + 5);
            let ingress = o.objects["Ingress"]["p"].records.get().unwrap();
            assert_eq!(matches!(ingress, Records::Many(_)), fillers > 0);
        }
    }

    #[test]
    fn a_builders_records_are_made_when_read_under_the_name_it_built() {
        let spec = spec(
            "platform: p\ndefaults: { resources: { cpu: 1, memory: 1Gi } }\ncomponents:\n  \
             api: { image: a:1, replicas: 2, ports: { http: 80, admin: 9 }, services: { admin: { ports: [admin] } } }\n",
        );
        let (objects, mut o) = crate::build::build(&spec);
        let api = |o: &Origins, name: &str, field: &str| -> Vec<String> {
            o.field(&spec, "Deployment", name, field)
                .into_iter()
                .map(|(f, s)| format!("{f}={}", s.path().map_or("-".into(), |p| p.join("."))))
                .collect()
        };
        assert!(objects.iter().any(|o| o.name() == "p-api"));
        assert_eq!(
            api(&o, "p-api", "spec.replicas"),
            ["spec.replicas=components.api.replicas"]
        );
        assert_eq!(
            o.object(&spec, "Service", "p-api-admin")
                .and_then(Source::path)
                .map(|p| p.join(".")),
            Some("components.api.services.admin".into()),
            "an extra Service is told from the component's by its name"
        );
        // A patch renames the Service and writes one field: the builder's records follow
        // the object under its new name, read as the name it was built with.
        o.rename("Service", "p-api-admin", "renamed");
        let op = Source::Operation(Span {
            source: 0,
            line: 9,
            col: 1,
        });
        o.record("Service", "renamed", "spec.type", op.clone());
        assert_eq!(
            o.object(&spec, "Service", "renamed")
                .and_then(Source::path)
                .map(|p| p.join(".")),
            Some("components.api.services.admin".into())
        );
        assert_eq!(
            o.field(&spec, "Service", "renamed", "spec.type"),
            [("spec.type", &op)]
        );
        assert!(o.object(&spec, "Service", "p-api-admin").is_none());
        // A record made after a read is read too.
        assert_eq!(
            api(&o, "p-api", "spec.replicas"),
            ["spec.replicas=components.api.replicas"]
        );
        o.record("Deployment", "p-api", "spec", op);
        assert_eq!(api(&o, "p-api", "spec.replicas"), ["spec=-"]);
        // What is kept of a build whose spec is not: each object's own record.
        let only = o.objects_only(&spec);
        assert_eq!(
            only.object(&spec, "Deployment", "p-api")
                .and_then(Source::path)
                .map(|p| p.join(".")),
            Some("components.api".into())
        );
        assert_eq!(only.sources(&spec, "Deployment", "p-api").count(), 1);
    }
}
