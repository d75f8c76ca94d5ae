//! The typed spec: what a platform is, deserialized from the merged tree of one environment.
//!
//! Every struct denies unknown fields, so a misspelled key is an error at its position with
//! the nearest valid key. Field doc comments are the user documentation: `wfk schema` turns
//! them into JSON Schema descriptions. Things users change one at a time (components, env
//! vars, config keys, ports, hosts) are maps keyed by name, so overlays never merge lists.
//!
//! [`Platform::from_tree`] reports every error of the tree, not only the first: after each
//! serde error it removes the offending key (or fills a missing one) and tries again.

/// `as_str()` for an enum whose variants are spelled in the spec as Kubernetes spells them
/// (`IfNotPresent`, `TCP`): the text written into objects and messages, never `Debug`'s.
macro_rules! kubernetes_names {
    ($ty:ident: $($variant:ident),+ $(,)?) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => stringify!($variant),)+
                }
            }
        }
    };
}

mod bounds;
pub mod component;
pub mod endpoint;
mod errors;
pub mod ingress;
pub mod job;
pub mod network;
mod references;
mod shape;
pub mod values;

use crate::diagnostic::Diagnostics;
use crate::merge::Merged;
use component::{Component, Resources};
use indexmap::IndexMap;
use ingress::Ingress;
use job::Job;
use schemars::JsonSchema;
use serde::Deserialize;
use values::{ConfigEntry, Free};

/// A workflow platform: its components, their configuration and how they are reached.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "wfk platform spec")]
pub struct Platform {
    /// The platform's name (a DNS-1123 label). Object names start with it and every object
    /// carries it in `app.kubernetes.io/part-of`.
    pub platform: String,
    /// The namespace everything is deployed to. Default: the platform's name.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Defaults for every component and job.
    #[serde(default)]
    pub defaults: Defaults,
    /// Labels added to every object.
    #[serde(default)]
    pub labels: IndexMap<String, String>,
    /// Config maps by name. Each key is a value, or a whole file (a key ending in `.yaml`,
    /// `.yml` or `.json`) written from structured YAML, so an overlay can change one key of it.
    #[serde(default)]
    pub config: IndexMap<String, IndexMap<String, ConfigEntry>>,
    /// The workloads, by name.
    #[serde(default)]
    pub components: IndexMap<String, Box<Component>>,
    /// What the components reach outside the platform, by name: a managed database, an
    /// OAuth issuer, an LLM API, a collector in another namespace. A component or job that
    /// names one in `uses` may connect to it; nothing else may.
    #[serde(default)]
    pub endpoints: IndexMap<String, endpoint::Endpoint>,
    /// Migrations (Jobs) and scheduled tasks (CronJobs), by name.
    #[serde(default)]
    pub jobs: IndexMap<String, Job>,
    /// How Prometheus scrapes the ports marked `scrape`: its namespace (let in by the
    /// network policy) and how it finds them.
    #[serde(default)]
    pub monitoring: Monitoring,
    /// How the platform is reached from outside the cluster.
    #[serde(default)]
    pub ingress: Option<Ingress>,
    /// StorageClass objects the platform creates, by name.
    #[serde(default)]
    pub storage_classes: IndexMap<String, StorageClass>,
    /// Last-resort patches on rendered objects, keyed `Kind/name` (`Deployment/gorax-api`):
    /// a JSON merge patch (a mapping; `null` removes a field), or a list of JSON Patch
    /// operations (`- { op: add, path: /spec/template/spec/containers/0/env/-, value: … }`).
    /// A patch that matches no object, or names a field the kind does not have, is an
    /// error. Prefer a spec field; use a patch for what the spec lacks.
    #[serde(default)]
    pub patches: IndexMap<String, Free>,
    /// Objects a template makes that a check would refuse, allowed by `Kind/name` with the
    /// reason (`ClusterRoleBinding/shop-metrics-reader: "the metrics adapter reads every
    /// namespace's pods"`): cluster-scoped objects, RBAC that can escalate, a mounted
    /// service-account token. Each shows up as a note; a patch cannot write one.
    #[serde(default)]
    pub relax: IndexMap<String, String>,
}

/// Defaults applied to every component and job unless it sets its own.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Defaults {
    /// Numeric user id of every container (default 10001).
    #[serde(default)]
    pub run_as_user: Option<i64>,
    /// Numeric group id (default 10001).
    #[serde(default)]
    pub run_as_group: Option<i64>,
    /// Group owning mounted volumes (default 10001).
    #[serde(default)]
    pub fs_group: Option<i64>,
    /// Requests and limits for components that set none.
    #[serde(default)]
    pub resources: Resources,
    /// Where pods send DNS queries: kube-dns (CoreDNS) in `kube-system` always, and the
    /// addresses of a NodeLocal DNSCache when the cluster runs one.
    #[serde(default)]
    pub dns: Dns,
    /// Where the API server listens, for the pods of components with `access`: without
    /// it, their network policy blocks the calls their Role allows.
    #[serde(default)]
    pub api_server: Option<endpoint::ApiServer>,
    /// Image pull secrets of every pod (components and jobs), by name.
    #[serde(default)]
    pub pull_secrets: Vec<String>,
    /// The PriorityClass of every component's pods that names none.
    #[serde(default)]
    pub priority_class: Option<String>,
    /// The platform's shared ServiceAccount (named after the platform), which every pod
    /// without an account of its own runs as: annotations for workload identity.
    #[serde(default)]
    pub service_account: SharedServiceAccount,
    /// Policy checks every component and job is exempt from, each with the reason:
    /// `image-without-digest: "released by immutable tags"`. A component's or job's own
    /// `suppress` adds to these, and its reason wins for the same check.
    #[serde(default)]
    pub suppress: IndexMap<String, String>,
}

/// How Prometheus scrapes the platform.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Monitoring {
    /// The namespace Prometheus runs in, let in to ports with `scrape` (default `monitoring`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// How Prometheus finds each scraped port: `serviceMonitor` or `podMonitor` (a
    /// Prometheus Operator object per component), or `annotations` (`prometheus.io/scrape`,
    /// `port` and `path` on the pods, one port per pod). Unset: Prometheus's own
    /// configuration finds them, and only the network path is opened.
    #[serde(default)]
    pub via: Option<ScrapeVia>,
    /// Labels on each ServiceMonitor or PodMonitor: those the operator's
    /// `serviceMonitorSelector` or `podMonitorSelector` selects on
    /// (`release: kube-prometheus-stack`, say).
    #[serde(default)]
    pub labels: IndexMap<String, String>,
    /// How often Prometheus scrapes (`30s`); the operator's default when unset.
    #[serde(default)]
    pub interval: Option<String>,
}

/// How Prometheus finds a scraped port.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum ScrapeVia {
    ServiceMonitor,
    PodMonitor,
    Annotations,
}

/// Where pods send DNS queries.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Dns {
    /// The addresses a NodeLocal DNSCache listens on, as CIDRs: its link-local address
    /// (`169.254.20.10/32`) and, in iptables mode, the kube-dns Service's ClusterIP
    /// (`kubectl -n kube-system get service kube-dns`), e.g. `10.96.0.10/32`. Pods may send
    /// DNS to them on port 53, beside kube-dns itself.
    #[serde(default)]
    pub node_local: Vec<String>,
}

/// The platform's shared ServiceAccount.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SharedServiceAccount {
    /// Annotations, such as `eks.amazonaws.com/role-arn` or
    /// `iam.gke.io/gcp-service-account`. Its API token is never mounted.
    #[serde(default)]
    pub annotations: IndexMap<String, String>,
}

/// A StorageClass.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StorageClass {
    /// The provisioner, e.g. `ebs.csi.aws.com`.
    pub provisioner: String,
    /// Provisioner parameters.
    #[serde(default)]
    pub parameters: IndexMap<String, String>,
    /// `Delete` (default) or `Retain`.
    #[serde(default)]
    pub reclaim_policy: Option<String>,
    /// `Immediate` or `WaitForFirstConsumer`.
    #[serde(default)]
    pub volume_binding_mode: Option<String>,
    /// Whether claims may grow.
    #[serde(default)]
    pub allow_volume_expansion: Option<bool>,
}

/// A policy check a component or job is exempt from, as the spec states it.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppression<'a> {
    /// The check's code.
    pub code: &'a str,
    /// Why, as written.
    pub reason: &'a str,
    /// The entry's path: `["components", "api", "suppress", "image-latest"]`.
    pub path: Vec<String>,
}

impl Platform {
    /// The typed spec of a merged environment, or every error in it.
    /// The type errors of each layer on its own (the base, then each overlay), before the
    /// merge: a bad value is reported where it is written even when every environment
    /// overrides it. Missing keys are the merged spec's to report.
    /// The type errors of a tree typed as a layer is, on its own: an overlay, or what the
    /// merged tree no longer shows ([`Merged::take_displaced`]). A layer need not be complete,
    /// so a missing key is not an error here (the merged spec reports it).
    pub fn check_layer(tree: marked_yaml::Node) -> Diagnostics {
        errors::layer(tree)
    }

    pub fn from_tree(merged: &Merged) -> Result<Platform, Diagnostics> {
        let mut platform = errors::deserialize(merged)?;
        platform.read_files(merged);
        // Bounds first: a count past them must stop the run before anything is built.
        let mut ds = bounds::check(&platform, merged);
        if let Err(more) = references::check(&platform, merged) {
            ds.extend(more);
        }
        if ds.is_empty() { Ok(platform) } else { Err(ds) }
    }

    /// The namespace objects are deployed to.
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or(&self.platform)
    }

    /// Every image the spec names, with its path: each component's, its init containers'
    /// and sidecars', and each job's own (a job with `component:` runs that one's).
    pub fn images(&self) -> Vec<(Vec<String>, &str)> {
        let mut out = Vec::new();
        let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for (name, c) in &self.components {
            out.push((path(&["components", name, "image"]), c.image.as_str()));
            for (init, i) in &c.init {
                if let Some(image) = &i.image {
                    out.push((
                        path(&["components", name, "init", init, "image"]),
                        image.as_str(),
                    ));
                }
            }
            for (sidecar, s) in &c.sidecars {
                out.push((
                    path(&["components", name, "sidecars", sidecar, "image"]),
                    s.image.as_str(),
                ));
            }
        }
        for (name, j) in &self.jobs {
            if let Some(image) = &j.image {
                out.push((path(&["jobs", name, "image"]), image.as_str()));
            }
        }
        out
    }

    /// The suppressions that hold for what `owner` names (`["components", name, …]` or
    /// `["jobs", name, …]`; any other spec path has only the platform's): `defaults.suppress`,
    /// then, for a job that runs as a component, that component's, then its own. A later
    /// entry of the same check wins. Each is `(check, reason, path of the entry)`.
    pub fn suppressions(&self, owner: &[String]) -> Vec<Suppression<'_>> {
        fn add<'a>(out: &mut Vec<Suppression<'a>>, map: &'a IndexMap<String, String>, at: &[&str]) {
            for (code, reason) in map {
                let mut path: Vec<String> = at.iter().map(|s| s.to_string()).collect();
                path.extend(["suppress".to_string(), code.clone()]);
                out.retain(|s| s.code != code);
                out.push(Suppression { code, reason, path });
            }
        }
        let mut out = Vec::new();
        add(&mut out, &self.defaults.suppress, &["defaults"]);
        match owner {
            [first, name, ..] if first == "components" => {
                if let Some(c) = self.components.get(name) {
                    add(&mut out, &c.suppress, &["components", name]);
                }
            }
            [first, name, ..] if first == "jobs" => {
                if let Some(j) = self.jobs.get(name) {
                    let runs_as = j
                        .component
                        .as_ref()
                        .and_then(|c| Some((c, self.components.get(c)?)));
                    if let Some((c, component)) = runs_as {
                        add(&mut out, &component.suppress, &["components", c]);
                    }
                    add(&mut out, &j.suppress, &["jobs", name]);
                }
            }
            _ => {}
        }
        out
    }

    /// Structured config files take their content from the tree, which knows a quoted
    /// `"8080"` from a plain `8080`.
    fn read_files(&mut self, merged: &Merged) {
        for (name, entries) in &mut self.config {
            for (key, entry) in entries.iter_mut() {
                if let ConfigEntry::File(content) = entry {
                    let path = ["config".to_string(), name.clone(), key.clone()];
                    if let Some(node) = merged.get(&path) {
                        *content = crate::tree::to_json(node);
                    }
                }
            }
        }
        for (target, patch) in &mut self.patches {
            if let Some(node) = merged.get(&["patches".to_string(), target.clone()]) {
                patch.0 = crate::tree::to_json(node);
            }
        }
    }
}

/// The spec's entity maps: the maps whose keys name things of their own, each becoming
/// Kubernetes objects (a component's Deployment and Service, a job's Job, a config map's
/// ConfigMap, an ingress host's rule, a StorageClass) or changing one (a patch), with the
/// word for one entry. An entity is the entry one key below its map's path.
///
/// `--set` may change anything an entity has, and add a key to a map of values inside one
/// (an env var, a config key, a label, an annotation), but never add an entity: a CI
/// pipeline's `--set components.apii.image=…` must fail, not render a new component
/// `apii` beside an `api` that keeps its old image (see [`crate::merge::Merged::set`]).
///
/// The list is written out because the schema cannot tell the two kinds of maps apart: an
/// env var is a struct as much as a component is, and `config.NAME` (an entity) and
/// `config.NAME.KEY` (a value) are both maps keyed by free names. What makes an entity is
/// that a misspelt name renders something new rather than fail. A new entity map in the
/// spec belongs here; a unit test checks that each path is a map in the schema.
pub const ENTITY_MAPS: &[(&[&str], &str)] = &[
    (&["components"], "component"),
    (&["jobs"], "job"),
    (&["endpoints"], "endpoint"),
    (&["config"], "config map"),
    (&["storageClasses"], "storage class"),
    (&["ingress", "hosts"], "ingress host"),
    (&["patches"], "patch"),
    (&["relax"], "relaxation"),
];

/// The word for the entity `path` names (`["components", "api"]` → `component`), or
/// `None` when `path` is not exactly one name below an entity map.
pub fn entity(path: &[String]) -> Option<&'static str> {
    let (_, map) = path.split_last()?;
    ENTITY_MAPS
        .iter()
        .find(|(at, _)| at.len() == map.len() && at.iter().zip(map).all(|(a, k)| a == k))
        .map(|&(_, word)| word)
}

/// The JSON Schema of the spec, for editors.
pub fn schema() -> serde_json::Value {
    cached_schema().clone()
}

/// The spec's JSON Schema, made once per process (the type checks walk it on every run).
pub(crate) fn cached_schema() -> &'static serde_json::Value {
    static SCHEMA: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let generator = schemars::generate::SchemaSettings::draft07().into_generator();
        let schema = generator.into_root_schema_for::<Platform>();
        serde_json::to_value(schema).unwrap_or_default()
    })
}

/// The JSON Schema of an overlay, for editors: the spec's, with every field optional,
/// `null` allowed wherever a key may be (it removes the key), and `extends`.
pub fn overlay_schema() -> serde_json::Value {
    fn relax(node: &mut serde_json::Value) {
        match node {
            serde_json::Value::Object(map) => {
                map.remove("required");
                for (key, value) in map.iter_mut() {
                    match key.as_str() {
                        "properties" => {
                            if let Some(props) = value.as_object_mut() {
                                for prop in props.values_mut() {
                                    relax(prop);
                                    *prop = nullable(prop.take());
                                }
                            }
                        }
                        "additionalProperties" if value.is_object() => {
                            relax(value);
                            *value = nullable(value.take());
                        }
                        _ => relax(value),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(relax),
            _ => {}
        }
    }
    /// `schema` or `null`, keeping the description where editors show it.
    fn nullable(schema: serde_json::Value) -> serde_json::Value {
        let description = schema.get("description").cloned();
        let mut out = serde_json::json!({ "anyOf": [schema, { "type": "null" }] });
        if let Some(d) = description {
            out["description"] = d;
        }
        out
    }
    let mut schema = schema();
    relax(&mut schema);
    schema["title"] = "wfk overlay".into();
    schema["properties"]["extends"] = serde_json::json!({
        "description": "Build on another environment: its overlay applies first, then this one.",
        "type": "string"
    });
    schema
}

/// Whether `path` names a field of the spec (set or not), and if not, the keys valid at the
/// first step that fails, for "did you mean". From step `declared` on, each key must be a
/// declared field, not a name in a map (`components.<name>`), so an unset field is told
/// apart from a name that is not there. Walks the JSON Schema `wfk schema` prints, so it
/// knows every field without a second list.
pub fn valid_path(path: &[String], declared: usize) -> Result<(), (usize, Vec<String>)> {
    let root = cached_schema();
    let mut current = alternatives(root, root);
    for (i, key) in path.iter().enumerate() {
        let mut next = Vec::new();
        let mut keys = Vec::new();
        for schema in &current {
            if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
                keys.extend(props.keys().cloned());
                if let Some(p) = props.get(key) {
                    next.extend(alternatives(root, p));
                }
            }
            if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                if i < declared {
                    next.extend(alternatives(root, extra));
                }
            }
        }
        if next.is_empty() {
            keys.sort();
            keys.dedup();
            return Err((i, keys));
        }
        current = next;
    }
    Ok(())
}

/// The schemas a value must match one of: `schema` with `$ref`, `allOf`, `anyOf` and
/// `oneOf` opened (schemars writes an optional field as `anyOf: [T, null]`, a documented
/// one as `allOf: [T]`).
pub(crate) fn alternatives<'a>(
    root: &'a serde_json::Value,
    schema: &'a serde_json::Value,
) -> Vec<&'a serde_json::Value> {
    if let Some(name) = schema
        .get("$ref")
        .and_then(|r| r.as_str())
        .and_then(|r| r.rsplit('/').next())
    {
        return root
            .get("definitions")
            .and_then(|d| d.get(name))
            .map(|d| alternatives(root, d))
            .unwrap_or_default();
    }
    for combinator in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = schema.get(combinator).and_then(|l| l.as_array()) {
            return list.iter().flat_map(|s| alternatives(root, s)).collect();
        }
    }
    vec![schema]
}

#[cfg(test)]
mod tests {
    use super::{ENTITY_MAPS, entity, valid_path};

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(String::from).collect()
    }

    #[test]
    fn valid_path_knows_fields_from_the_schema() {
        assert_eq!(valid_path(&path("components.api.spread"), 2), Ok(()));
        assert_eq!(
            valid_path(&path("components.api.autoscale.behavior.scaleUp"), 2),
            Ok(())
        );
        let (at, keys) = valid_path(&path("components.api.sprad"), 2).unwrap_err();
        assert_eq!(at, 2);
        assert!(keys.contains(&"spread".to_string()));
        // A name in a map is not a field: from step 1 on, `nope` must be declared.
        assert_eq!(valid_path(&path("components.nope"), 1).unwrap_err().0, 1);
        assert_eq!(valid_path(&path("components.nope.image"), 2), Ok(()));
    }

    #[test]
    fn every_entity_map_is_a_map_of_names_in_the_schema() {
        for (map, word) in ENTITY_MAPS {
            let mut at: Vec<String> = map.iter().map(|k| k.to_string()).collect();
            assert_eq!(valid_path(&at, at.len()), Ok(()), "`{word}`: {at:?}");
            at.push("any-name".to_string());
            // A name is allowed one step below the map, and is not a declared field.
            assert_eq!(valid_path(&at, at.len()), Ok(()), "`{word}`: {at:?}");
            assert_eq!(
                valid_path(&at, at.len() - 1).map_err(|(i, _)| i),
                Err(at.len() - 1),
                "`{word}`: {at:?} is a field, not a name"
            );
            assert_eq!(entity(&at), Some(*word));
        }
    }

    #[test]
    fn entities_are_one_name_below_their_map_and_values_are_not_entities() {
        assert_eq!(entity(&path("components.api")), Some("component"));
        assert_eq!(entity(&path("ingress.hosts.x")), Some("ingress host"));
        assert_eq!(
            entity(&["config".into(), "app.yaml".into()]),
            Some("config map")
        );
        for value in [
            "components",
            "components.api.image",
            "components.api.env.LOG_LEVEL",
            "config.app.log-level",
            "labels.team",
            "jobs.migrate.annotations.a",
            "ingress.hosts",
            "defaults.serviceAccount.annotations.x",
        ] {
            assert_eq!(entity(&path(value)), None, "{value}");
        }
    }
}
