//! The typed spec → Kubernetes objects (k8s-openapi values, never pasted YAML), one file
//! per kind. Everything is secure by default: the restricted Pod Security Standard, no
//! service-account token, default-deny network policy with the paths the spec declares.
//!
//! Names: `<platform>-<component>` for a component's objects, `<platform>` for the
//! platform's own; config maps keep the names the spec gives them.

mod config_map;
mod cron_job;
mod deployment;
mod horizontal_pod_autoscaler;
mod ingress;
mod job;
mod namespace;
mod network_policy;
pub use crate::platform::network::DEFAULT_CONTROLLER_NAMESPACE;
pub mod object;
pub mod origins;
mod persistent_volume_claim;
mod pod;
mod pod_disruption_budget;
mod pod_monitor;
mod role;
mod role_binding;
mod scanner_skips;
mod service;
mod service_account;
mod service_monitor;
mod stateful_set;
mod storage_class;

use crate::platform::Platform;
use crate::platform::component::Component;
use foldhash::HashMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use object::Object;
use origins::{Origins, Owner};
use std::collections::BTreeMap;

/// The tool that manages rendered objects, in `app.kubernetes.io/managed-by`.
pub const MANAGER: &str = "wfk";

/// Every object of one environment, in apply order.
pub fn all(spec: &Platform) -> Vec<Object> {
    build(spec).0
}

/// Every object of one environment, in apply order, and where each field comes from.
pub fn build(spec: &Platform) -> (Vec<Object>, Origins) {
    build_on(spec, false)
}

/// [`build`]; when `together`, the second half of the components is built on a second
/// thread ([`crate::both`]) while this one builds the first. The objects and their
/// origins are the same either way: the halves are joined in the order of the spec.
pub fn build_on(spec: &Platform, together: bool) -> (Vec<Object>, Origins) {
    let ctx = Ctx::new(spec);
    let mut out = Out::new(spec);
    out.head(&ctx);
    let components = spec.components.as_slice();
    let (first, second) = components.split_at(if together {
        components.len() / 2
    } else {
        components.len()
    });
    let (second, ()) = crate::both(
        together,
        || {
            // Its own context: the checksum memo is not shared between threads.
            let ctx = Ctx::new(spec);
            let mut out = Out::new(spec);
            second.iter().for_each(|(n, c)| out.component(n, c, &ctx));
            out
        },
        || first.iter().for_each(|(n, c)| out.component(n, c, &ctx)),
    );
    out.append(second);
    out.jobs(&ctx);
    let owners = out.policy_owners(&ctx);
    for policy in network_policy::network_policies(&ctx) {
        out.policy(policy, &owners);
    }
    out.ingress(&ctx);
    let Out {
        mut objects,
        origins,
        ..
    } = out;
    objects.sort_by(|a, b| a.order().cmp(&b.order()));
    (objects, origins)
}

/// Which of a render's objects a builder makes, so that two threads can each build a part:
/// all of them, or the part before the component at a place in the spec (the platform's
/// own objects and the components before it), or the part from it (those components and
/// every object built after them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Whole,
    Before(usize),
    From(usize),
}

impl Part {
    /// The two parts of a render, each for a thread of its own: the objects of the first
    /// part and then those of the second are the objects of the whole, in the same order.
    /// The second part builds every network policy too, and the first is the one that
    /// runs the checks of the spec beside its objects and frees the merged tree; on the
    /// projects of `bench/generate` the two take the same time when the first has 21 of
    /// every 40 components (callgrind, one file per thread).
    pub fn halves(spec: &Platform) -> [Part; 2] {
        let at = spec.components.len() * 21 / 40;
        [Part::Before(at), Part::From(at)]
    }
}

/// The objects of [`build`] in batches of about `size` objects, in the order they are
/// built (not yet in apply order), each handed to `each` with the origins recorded so
/// far and how far the build is (the components and network policies built so far), so
/// that no more than a batch is held at a time. Returns the origins of every object, the
/// same as [`build`]'s. Builds only the objects of `part`.
pub fn batches<E>(
    spec: &Platform,
    part: Part,
    size: usize,
    mut each: impl FnMut(Vec<Object>, &mut Origins, usize) -> Result<(), E>,
) -> Result<Origins, E> {
    let ctx = Ctx::new(spec);
    let mut out = Out::new(spec);
    let mut done = 0;
    let mut flush = |out: &mut Out, done: usize, least: usize| -> Result<(), E> {
        if out.objects.len() >= least {
            each(std::mem::take(&mut out.objects), &mut out.origins, done)?;
        }
        Ok(())
    };
    let components = spec.components.as_slice();
    let components = match part {
        Part::Whole => components,
        Part::Before(at) => &components[..at.min(components.len())],
        Part::From(at) => &components[at.min(components.len())..],
    };
    if !matches!(part, Part::From(_)) {
        out.head(&ctx);
    }
    for (n, c) in components {
        out.component(n, c, &ctx);
        done += 1;
        flush(&mut out, done, size)?;
    }
    if !matches!(part, Part::Before(_)) {
        out.jobs(&ctx);
        flush(&mut out, done, size)?;
        let owners = out.policy_owners(&ctx);
        for policy in network_policy::network_policies(&ctx) {
            out.policy(policy, &owners);
            done += 1;
            flush(&mut out, done, size)?;
        }
        out.ingress(&ctx);
    }
    flush(&mut out, done, 1)?;
    Ok(out.origins)
}

/// The objects being built and their origins.
struct Out<'a> {
    objects: Vec<Object>,
    origins: Origins,
    spec: &'a Platform,
}

impl<'a> Out<'a> {
    fn new(spec: &'a Platform) -> Out<'a> {
        Out {
            objects: Vec::new(),
            origins: Origins::default(),
            spec,
        }
    }

    /// The objects of one component.
    fn component(&mut self, name: &'a str, component: &'a Component, ctx: &Ctx) {
        let owner = || Owner::Component(name, component);
        let workload = pod::Workload::component(name, component, ctx);
        if component.access.is_some() || component.service_account.is_some() {
            self.push(
                service_account::service_account(name, component, ctx),
                owner(),
            );
        }
        if let Some(rules) = &component.access {
            self.push(role::role(name, rules, ctx), owner());
            self.push(role_binding::role_binding(name, component, ctx), owner());
        }
        for service in service::services(name, component, ctx) {
            self.push(service, owner());
        }
        match component.kind {
            crate::platform::component::Kind::Stateless => {
                for claim in persistent_volume_claim::claims(name, &component.storage, ctx) {
                    self.push(claim, owner());
                }
                self.push(
                    deployment::deployment(name, component, &workload, ctx),
                    owner(),
                );
            }
            crate::platform::component::Kind::Stateful => {
                self.push(
                    stateful_set::stateful_set(name, component, &workload, ctx),
                    owner(),
                );
            }
        }
        if let Some(autoscale) = &component.autoscale {
            self.push(
                horizontal_pod_autoscaler::horizontal_pod_autoscaler(
                    name, component, autoscale, ctx,
                ),
                owner(),
            );
        }
        if let Some(disruption) = &component.disruption {
            self.push(
                pod_disruption_budget::pod_disruption_budget(name, disruption, ctx),
                owner(),
            );
        }
        let monitors = [
            service_monitor::service_monitor(name, component, ctx),
            pod_monitor::pod_monitor(name, component, ctx),
        ];
        for monitor in monitors.into_iter().flatten() {
            self.push(Object::Custom(Box::new(monitor)), owner());
        }
    }

    /// The platform's own objects, built before the components': its Namespace, storage
    /// classes, shared ServiceAccount and config maps.
    fn head(&mut self, ctx: &Ctx) {
        let spec = self.spec;
        self.push(namespace::namespace(ctx), Owner::Namespace);
        for (n, s) in &spec.storage_classes {
            self.push(
                storage_class::storage_class(n, s, ctx),
                Owner::StorageClass(n),
            );
        }
        self.push(service_account::shared(ctx), Owner::Platform);
        for (n, data) in &spec.config {
            self.push(config_map::config_map(n, data, ctx), Owner::Config(n));
        }
    }

    /// The objects of every job: its claims, and its Job or CronJob.
    fn jobs(&mut self, ctx: &Ctx) {
        for (name, job) in &self.spec.jobs {
            let workload = pod::Workload::job(name, job, ctx);
            for claim in persistent_volume_claim::claims(name, &job.storage, ctx) {
                self.push(claim, Owner::Job(name, job));
            }
            match &job.schedule {
                Some(schedule) => self.push(
                    cron_job::cron_job(name, job, schedule, &workload, ctx),
                    Owner::Job(name, job),
                ),
                None => self.push(job::job(name, job, &workload, ctx), Owner::Job(name, job)),
            }
        }
    }

    /// The components by the name of their objects: a component's policy is named after
    /// it; the platform's default deny is not.
    fn policy_owners(&self, ctx: &Ctx) -> HashMap<String, (&'a str, &'a Component)> {
        self.spec
            .components
            .iter()
            .map(|(n, c)| (ctx.name(n), (n.as_str(), &**c)))
            .collect()
    }

    /// A network policy, owned by the component it is named after, else by the platform.
    fn policy(
        &mut self,
        policy: k8s_openapi::api::networking::v1::NetworkPolicy,
        owners: &HashMap<String, (&'a str, &'a Component)>,
    ) {
        let owner = policy
            .metadata
            .name
            .as_deref()
            .and_then(|name| owners.get(name))
            .map_or(Owner::Platform, |&(n, c)| Owner::Component(n, c));
        self.push(policy, owner);
    }

    /// The ingress, when it has hosts.
    fn ingress(&mut self, ctx: &Ctx) {
        if let Some(ingress) = &self.spec.ingress {
            if !ingress.hosts.is_empty() {
                self.push(ingress::ingress(ingress, ctx), Owner::Ingress);
            }
        }
    }

    /// What another `Out` built after this one's objects, as if pushed here in its order.
    fn append(&mut self, later: Out<'a>) {
        self.objects.extend(later.objects);
        self.origins.append(later.origins);
    }

    fn push(&mut self, object: impl Into<Object>, owner: Owner<'a>) {
        let mut object = object.into();
        let skips = scanner_skips::annotate(&mut object, &owner, self.spec);
        self.origins
            .built(object.kind(), object.name(), &owner, self.spec);
        for (key, path) in skips {
            let field = format!("metadata.annotations.{key}");
            let source = origins::Source::Spec(path.into());
            self.origins
                .record(object.kind(), object.name(), field, source);
        }
        self.objects.push(object);
    }
}

/// A map of the spec as a Kubernetes string map (sorted by key), left out when empty.
pub fn string_map(map: &indexmap::IndexMap<String, String>) -> Option<BTreeMap<String, String>> {
    (!map.is_empty()).then(|| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

/// The `data` of a config map, as rendered.
pub fn config_map_data(
    entries: &indexmap::IndexMap<String, crate::platform::values::ConfigEntry>,
) -> BTreeMap<String, String> {
    config_map::data(entries)
}

/// What every builder needs: the spec, and the names and labels derived from it.
pub struct Ctx<'a> {
    pub spec: &'a Platform,
    /// The config checksum of each set of config keys a workload reads, made once per set:
    /// workloads that read the same keys (often all of them) share it.
    checksums: std::cell::RefCell<HashMap<pod::ConfigUse, Option<String>>>,
}

impl<'a> Ctx<'a> {
    pub fn new(spec: &'a Platform) -> Ctx<'a> {
        Ctx {
            spec,
            checksums: Default::default(),
        }
    }

    pub fn platform(&self) -> &str {
        &self.spec.platform
    }

    /// `<platform>-<name>`: the name of a component's or job's objects.
    pub fn name(&self, name: &str) -> String {
        [self.spec.platform.as_str(), "-", name].concat()
    }

    /// Labels on every object, built or from a template: the platform's, and the ones that
    /// make pruning work.
    pub fn labels(&self) -> BTreeMap<String, String> {
        let mut labels: BTreeMap<String, String> = self
            .spec
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        labels.extend(owned(self.pruning_pairs()));
        labels
    }

    /// `part-of` and `managed-by`, which `kubectl apply --prune -l
    /// app.kubernetes.io/part-of=<platform>` selects on: neither the platform's `labels`
    /// nor a template may change them, or an object would be left behind or pruned by
    /// another platform.
    pub fn pruning_labels(&self) -> BTreeMap<String, String> {
        owned(self.pruning_pairs()).collect()
    }

    /// [`Ctx::pruning_labels`] as borrowed pairs, to add to a map without making one.
    fn pruning_pairs(&self) -> [(&str, &str); 2] {
        [
            ("app.kubernetes.io/part-of", self.platform()),
            ("app.kubernetes.io/managed-by", MANAGER),
        ]
    }

    /// Labels of a component's or job's objects and pods.
    pub fn workload_labels(&self, name: &str, image: Option<&str>) -> BTreeMap<String, String> {
        let mut labels = self.labels();
        labels.extend(owned(self.selector_pairs(name)));
        labels.insert("app.kubernetes.io/component".into(), name.into());
        if let Some(version) = image.and_then(image_version) {
            labels.insert("app.kubernetes.io/version".into(), version);
        }
        labels
    }

    /// The stable labels a selector uses: never the version, so a new image tag never
    /// changes a selector (which the API server refuses to change).
    /// The ServiceAccount a component's pods run as: its own (`serviceAccount.name`, else
    /// `<platform>-<component>`) when it has `access` or `serviceAccount`, else the
    /// platform's shared one.
    pub fn service_account(&self, name: &str, c: &Component) -> String {
        if let Some(own) = c.service_account.as_ref().and_then(|s| s.name.as_ref()) {
            return own.clone();
        }
        if c.access.is_some() || c.service_account.is_some() {
            return self.name(name);
        }
        self.platform().to_string()
    }

    pub fn selector_labels(&self, name: &str) -> BTreeMap<String, String> {
        owned(self.selector_pairs(name)).collect()
    }

    /// [`Ctx::selector_labels`] as borrowed pairs, to add to a map without making one.
    fn selector_pairs<'n>(&'n self, name: &'n str) -> [(&'n str, &'n str); 2] {
        [
            ("app.kubernetes.io/name", name),
            ("app.kubernetes.io/instance", self.platform()),
        ]
    }

    pub fn selector(&self, name: &str) -> LabelSelector {
        LabelSelector {
            match_labels: Some(self.selector_labels(name)),
            ..Default::default()
        }
    }

    /// Metadata of a namespaced object.
    pub fn metadata(&self, name: String, labels: BTreeMap<String, String>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name),
            namespace: Some(self.spec.namespace().to_string()),
            labels: Some(labels),
            ..Default::default()
        }
    }

    /// Metadata of a component's object named `<platform>-<component>`.
    pub fn component_metadata(&self, name: &str, component: &Component) -> ObjectMeta {
        self.metadata(
            self.name(name),
            self.workload_labels(name, Some(&component.image)),
        )
    }
}

/// Borrowed label pairs as owned ones.
fn owned<'a>(pairs: [(&'a str, &'a str); 2]) -> impl Iterator<Item = (String, String)> + 'a {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
}

/// The tag of an image, as a label value: `gorax/api:v1.2.3` → `v1.2.3`. None for a
/// digest-only image or a tag that is not a valid label value.
fn image_version(image: &str) -> Option<String> {
    let name = image.split('@').next()?;
    let last = name.rsplit('/').next()?;
    let (_, tag) = last.split_once(':')?;
    (crate::validation::is_valid_label_value(tag).is_empty() && !tag.is_empty())
        .then(|| tag.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_built_on_two_threads_are_the_objects_and_origins_of_one() {
        // Kinds of every sort, and `a`'s Service `b` named as component `a-b`'s Service is
        // (`p-a-b`): a duplicate whose second object, built on the second thread, must
        // replace the first one's origins as it does on one thread.
        let mut yaml = String::from(
            "platform: p\ndefaults: { resources: { cpu: 100m/200m, memory: 64Mi/128Mi } }\ncomponents:\n",
        );
        yaml.push_str("  a:\n    image: x/a:v1\n    ports: { http: 80 }\n    services: { b: { ports: [http] } }\n");
        for i in 0..9 {
            yaml.push_str(&format!(
                "  c{i}:\n    image: x/c:v{i}\n    ports: {{ http: 80 }}\n    kind: {}\n    storage: {{ data: {{ size: 1Gi, mount: /data }} }}\n    access: [{{ verbs: [get], resources: [configmaps] }}]\n    autoscale: {{ max: 4, cpu: 70 }}\n    disruption: {{ minAvailable: 1 }}\n",
                if i % 2 == 0 { "stateless" } else { "stateful" },
            ));
        }
        yaml.push_str("  a-b:\n    image: x/ab:v1\n    ports: { http: 80 }\n");
        let tree = crate::load::parse(0, &yaml).unwrap();
        let spec = Platform::from_tree(&crate::merge::Merged::new(tree)).unwrap();
        let (one, one_origins) = build_on(&spec, false);
        let (two, two_origins) = build_on(&spec, true);
        assert_eq!(one, two);
        assert!(one.len() > 50, "{} objects", one.len());
        let sources = |origins: &Origins, o: &Object| {
            let mut all: Vec<String> = origins
                .sources(&spec, o.kind(), o.name())
                .map(|s| format!("{s:?}"))
                .collect();
            all.sort();
            (
                format!("{:?}", origins.object(&spec, o.kind(), o.name())),
                all,
            )
        };
        for o in &one {
            assert_eq!(
                sources(&one_origins, o),
                sources(&two_origins, o),
                "{} {}",
                o.kind(),
                o.name()
            );
        }
        let ab = one
            .iter()
            .find(|o| o.kind() == "Service" && o.name() == "p-a-b")
            .unwrap();
        assert!(
            sources(&one_origins, ab).0.contains("a-b"),
            "{:?}",
            sources(&one_origins, ab)
        );
    }

    #[test]
    fn image_version_is_the_tag() {
        assert_eq!(
            super::image_version("gorax/api:v1.2.3").as_deref(),
            Some("v1.2.3")
        );
        assert_eq!(super::image_version("registry:5000/api").as_deref(), None);
        assert_eq!(super::image_version("api@sha256:abc").as_deref(), None);
    }
}
