//! One Deployment or StatefulSet, with what belongs to it (its Services, autoscaler,
//! disruption budget, network policy, Role), as a spec component.
//!
//! Input: the workload read into its k8s-openapi type and the objects of its environment
//! that select it. Output: the component's tree, in the field order of
//! `platform::component::Component`, and notes for what does not map.

use super::tree::{Map, Tree, put, put_str};
use k8s_openapi::api::core::v1::{
    Container, EnvVar, PodSpec, PodTemplateSpec, Probe, ResourceRequirements, Volume,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// wfk's own ids, which a component need not repeat (`build::pod`).
const DEFAULT_ID: i64 = 10001;

/// Labels and annotations wfk writes itself; they are not carried into the spec.
fn is_generated_label(key: &str) -> bool {
    key.starts_with("app.kubernetes.io/")
}

/// `checksum/config` is `build::pod::CONFIG_CHECKSUM` (private to the build stage).
fn is_generated_annotation(key: &str) -> bool {
    key == "checksum/config" || key.starts_with("kubectl.kubernetes.io/")
}

/// A Deployment or StatefulSet, as far as a component needs it.
pub struct Workload {
    /// `Deployment/gorax-api`, for notes.
    pub id: String,
    pub stateful: bool,
    pub replicas: Option<i32>,
    pub template: PodTemplateSpec,
    pub claims: Vec<k8s_openapi::api::core::v1::PersistentVolumeClaim>,
    pub strategy: Option<k8s_openapi::api::apps::v1::DeploymentStrategy>,
    pub pod_management: Option<String>,
}

impl Workload {
    pub fn pod(&self) -> PodSpec {
        self.template.spec.clone().unwrap_or_default()
    }

    /// The labels of its pods.
    pub fn pod_labels(&self) -> BTreeMap<String, String> {
        self.template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default()
    }

    /// Whether a label selector picks this workload's pods.
    pub fn selected_by(&self, selector: &BTreeMap<String, String>) -> bool {
        let labels = self.pod_labels();
        !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
    }

    /// Its main container: the one named after the component, else the first.
    pub fn main(&self, component: &str) -> Option<Container> {
        let pod = self.pod();
        pod.containers
            .iter()
            .find(|c| c.name == component)
            .or_else(|| pod.containers.first())
            .cloned()
    }
}

/// A component's Service: its type, annotations, and (container port, Service port) of
/// each port it exposes.
pub type MainService = (String, BTreeMap<String, String>, Vec<(i32, i32)>);

/// A further Service: its key in `services`, type, annotations and port names.
pub type FurtherService = (String, String, BTreeMap<String, String>, Vec<String>);

/// What the rest of the environment says about a component.
#[derive(Default)]
pub struct Extras {
    /// The main Service's type and annotations, and the ports it exposes by number, with
    /// the Service port of each.
    pub service: Option<MainService>,
    /// Further Services: name in the spec, type, annotations, port names.
    pub services: Vec<FurtherService>,
    pub autoscale: Option<Map>,
    pub disruption: Option<Map>,
    pub uses: Vec<String>,
    /// Container ports the monitoring namespace is let in to.
    pub scraped: Vec<i32>,
    pub access: Option<Tree>,
    pub service_account: Option<Map>,
    /// Claims of a stateless component that wfk renders from `storage`: volume name →
    /// (claim name, the claim).
    pub claims: BTreeMap<String, k8s_openapi::api::core::v1::PersistentVolumeClaim>,
}

/// The environment's config maps, for `{ config: key }` references.
pub struct Configs<'a> {
    pub maps: &'a indexmap::IndexMap<String, indexmap::IndexMap<String, String>>,
}

impl Configs<'_> {
    /// `key`, or `map/key` when another config map has the key too.
    fn reference(&self, map: &str, key: &str) -> Option<String> {
        let data = self.maps.get(map)?;
        if !data.contains_key(key) {
            return None;
        }
        let shared = self
            .maps
            .iter()
            .filter(|(_, d)| d.contains_key(key))
            .count();
        Some(if shared > 1 {
            format!("{map}/{key}")
        } else {
            key.to_string()
        })
    }
}

/// The component's tree.
pub fn component(
    name: &str,
    w: &Workload,
    extras: &Extras,
    configs: &Configs,
    notes: &mut Vec<String>,
) -> Map {
    let id = &w.id;
    let pod = w.pod();
    let mut c = Map::new();
    let Some(main) = w.main(name) else {
        notes.push(format!("note: {id} has no container; skipped"));
        return c;
    };
    if w.stateful {
        c.insert("kind".into(), Tree::str("stateful"));
    }
    c.insert(
        "image".into(),
        Tree::str(main.image.clone().unwrap_or_default()),
    );
    put_str(&mut c, "imagePullPolicy", main.image_pull_policy.as_deref());
    if let Some(command) = &main.command {
        c.insert("command".into(), Tree::strings(command));
    }
    if let Some(args) = &main.args {
        c.insert("args".into(), Tree::strings(args));
    }
    let hpa_min = extras
        .autoscale
        .as_ref()
        .and_then(|a| a.get("min"))
        .cloned();
    match (w.replicas, &hpa_min) {
        (Some(n), _) => {
            c.insert("replicas".into(), Tree::Int(n.into()));
        }
        (None, Some(min)) => {
            c.insert("replicas".into(), min.clone());
        }
        (None, None) => {}
    }
    // Ports, by name; wfk needs a name for each.
    let ports: Vec<(String, i32)> = main
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let name = p
                .name
                .clone()
                .unwrap_or_else(|| format!("port-{}", p.container_port));
            (name, p.container_port)
        })
        .collect();
    let mut port_tree = Map::new();
    for p in main.ports.iter().flatten() {
        let name = p
            .name
            .clone()
            .unwrap_or_else(|| format!("port-{}", p.container_port));
        let mut long = Map::new();
        if let Some(protocol) = p.protocol.as_deref().filter(|p| *p != "TCP") {
            long.insert("protocol".into(), Tree::str(protocol));
        }
        if let Some((_, _, exposed)) = &extras.service {
            match exposed.iter().find(|(n, _)| *n == p.container_port) {
                Some((_, sp)) if *sp != p.container_port => {
                    long.insert("servicePort".into(), Tree::Int((*sp).into()));
                }
                Some(_) => {}
                None => {
                    long.insert("service".into(), Tree::Bool(false));
                }
            }
        }
        if extras.scraped.contains(&p.container_port) {
            long.insert("scrape".into(), Tree::Bool(true));
        }
        let value = if long.is_empty() {
            Tree::Int(p.container_port.into())
        } else {
            let mut with_port = Map::new();
            with_port.insert("port".into(), Tree::Int(p.container_port.into()));
            with_port.extend(long);
            Tree::Map(with_port)
        };
        port_tree.insert(name, value);
    }
    put(&mut c, "ports", Tree::Map(port_tree));
    if let Some((kind, annotations, _)) = &extras.service {
        let mut s = Map::new();
        if kind != "ClusterIP" {
            s.insert("type".into(), Tree::str(kind));
        }
        put(&mut s, "annotations", string_map(annotations));
        put(&mut c, "service", Tree::Map(s));
    }
    let mut services = Map::new();
    for (key, kind, annotations, names) in &extras.services {
        let mut s = Map::new();
        s.insert("ports".into(), Tree::strings(names));
        if kind != "ClusterIP" {
            s.insert("type".into(), Tree::str(kind));
        }
        put(&mut s, "annotations", string_map(annotations));
        services.insert(key.clone(), Tree::Map(s));
    }
    put(&mut c, "services", Tree::Map(services));
    let mut probes = Map::new();
    for (key, probe) in [
        ("liveness", &main.liveness_probe),
        ("readiness", &main.readiness_probe),
        ("startup", &main.startup_probe),
    ] {
        if let Some(p) = probe {
            if let Some(t) = self::probe(p, &ports, id, key, notes) {
                probes.insert(key.into(), t);
            }
        }
    }
    put(&mut c, "probes", Tree::Map(probes));
    let mut r = match resources(main.resources.as_ref(), id, notes) {
        Tree::Map(m) => m,
        _ => Map::new(),
    };
    // wfk requires both (`missing-resources`); the values are its own suggestion.
    let mut missing = Vec::new();
    for (key, value) in [("cpu", "100m/500m"), ("memory", "128Mi/256Mi")] {
        if !r.contains_key(key) {
            r.insert(key.into(), Tree::str(value));
            missing.push(format!("{key} {value}"));
        }
    }
    if !missing.is_empty() {
        notes.push(format!(
            "note: {id}: wfk requires cpu and memory requests and limits; the import sets {}: adjust them",
            missing.join(", ")
        ));
    }
    put(&mut c, "resources", Tree::Map(r));
    if let Some(a) = &extras.autoscale {
        let mut a = a.clone();
        // The autoscaler's minimum is `replicas` unless the two differ.
        if a.get("min") == c.get("replicas") {
            a.shift_remove("min");
        }
        c.insert("autoscale".into(), Tree::Map(a));
    }
    if let Some(d) = &extras.disruption {
        put(&mut c, "disruption", Tree::Map(d.clone()));
    }
    put(&mut c, "env", env(&main.env, configs, id, notes));
    let mut env_from = (Vec::new(), Vec::new());
    for source in main.env_from.iter().flatten() {
        if source.prefix.is_some() {
            notes.push(format!(
                "note: {id}: an envFrom prefix is not imported; wfk has no prefixes"
            ));
        }
        if let Some(r) = &source.config_map_ref {
            if configs.maps.contains_key(&r.name) {
                env_from.0.push(r.name.clone());
            } else {
                notes.push(format!(
                    "note: {id}: envFrom ConfigMap/{} is not in the input; not imported",
                    r.name
                ));
            }
        }
        if let Some(r) = &source.secret_ref {
            env_from.1.push(r.name.clone());
        }
    }
    let mut ef = Map::new();
    if !env_from.0.is_empty() {
        ef.insert("config".into(), Tree::strings(&env_from.0));
    }
    if !env_from.1.is_empty() {
        ef.insert("secrets".into(), Tree::strings(&env_from.1));
    }
    put(&mut c, "envFrom", Tree::Map(ef));
    let volumes = pod.volumes.clone().unwrap_or_default();
    let (mounts, storage) = mounts(name, &main, &volumes, w, extras, configs, notes);
    put(&mut c, "mounts", Tree::Map(mounts));
    put(&mut c, "storage", Tree::Map(storage));
    if !extras.uses.is_empty() {
        c.insert("uses".into(), Tree::strings(&extras.uses));
    }
    for t in pod.topology_spread_constraints.iter().flatten() {
        match t.topology_key.as_str() {
            "topology.kubernetes.io/zone" => c.insert("spread".into(), Tree::str("zone")),
            "kubernetes.io/hostname" => c.insert("spread".into(), Tree::str("node")),
            other => {
                notes.push(format!(
                    "note: {id}: a topology spread over `{other}` is not imported; wfk spreads over zones or nodes"
                ));
                None
            }
        };
    }
    let (init, sidecars) = init_containers(&pod, &main, configs, id, notes);
    put(&mut c, "init", Tree::Map(init));
    put(&mut c, "sidecars", Tree::Map(sidecars));
    put(&mut c, "security", security(&pod, &main, id, notes));
    if let Some(access) = &extras.access {
        c.insert("access".into(), access.clone());
    }
    put(&mut c, "rollout", rollout(w));
    let labels: BTreeMap<String, String> = w
        .pod_labels()
        .into_iter()
        .filter(|(k, _)| !is_generated_label(k))
        .collect();
    put(&mut c, "labels", string_map(&labels));
    let annotations: BTreeMap<String, String> = w
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.annotations.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !is_generated_annotation(k))
        .collect();
    put(&mut c, "annotations", string_map(&annotations));
    if let Some(seconds) = pod.termination_grace_period_seconds {
        c.insert("terminationGracePeriod".into(), Tree::Int(seconds));
    }
    put(&mut c, "placement", placement(&pod, id, notes));
    put_str(&mut c, "priorityClass", pod.priority_class_name.as_deref());
    let pull: Vec<String> = pod
        .image_pull_secrets
        .iter()
        .flatten()
        .map(|r| r.name.clone())
        .collect();
    if !pull.is_empty() {
        c.insert("pullSecrets".into(), Tree::strings(&pull));
    }
    if let Some(sa) = &extras.service_account {
        c.insert("serviceAccount".into(), Tree::Map(sa.clone()));
    }
    c
}

pub fn string_map(m: &BTreeMap<String, String>) -> Tree {
    Tree::Map(m.iter().map(|(k, v)| (k.clone(), Tree::str(v))).collect())
}

/// An int-or-string as the spec writes it: `2` or `50%`.
pub fn int_or_string(v: &IntOrString) -> Tree {
    match v {
        IntOrString::Int(n) => Tree::Int((*n).into()),
        IntOrString::String(s) => Tree::str(s),
    }
}

/// A probe port as the spec names it: the port's name where it has one.
fn port_ref(port: &IntOrString, ports: &[(String, i32)]) -> String {
    match port {
        IntOrString::Int(n) => ports
            .iter()
            .find(|(_, p)| p == n)
            .map_or_else(|| n.to_string(), |(name, _)| name.clone()),
        IntOrString::String(s) => s.clone(),
    }
}

fn probe(
    p: &Probe,
    ports: &[(String, i32)],
    id: &str,
    which: &str,
    notes: &mut Vec<String>,
) -> Option<Tree> {
    let mut t = Map::new();
    let first = ports.first().map(|(n, _)| n.as_str());
    if let Some(http) = &p.http_get {
        t.insert(
            "http".into(),
            Tree::str(http.path.clone().unwrap_or_else(|| "/".into())),
        );
        let port = port_ref(&http.port, ports);
        if Some(port.as_str()) != first {
            t.insert("port".into(), Tree::str(port));
        }
        if http.scheme.as_deref().is_some_and(|s| s != "HTTP") || http.http_headers.is_some() {
            notes.push(format!(
                "note: {id}: the {which} probe's scheme and headers are not imported; wfk probes plain HTTP"
            ));
        }
    } else if let Some(tcp) = &p.tcp_socket {
        t.insert("tcp".into(), Tree::str(port_ref(&tcp.port, ports)));
    } else if let Some(exec) = &p.exec {
        t.insert(
            "exec".into(),
            Tree::strings(exec.command.as_deref().unwrap_or_default()),
        );
    } else {
        notes.push(format!(
            "note: {id}: the {which} probe (gRPC) is not imported; wfk probes by HTTP, TCP or a command"
        ));
        return None;
    }
    for (key, value) in [
        ("initialDelay", p.initial_delay_seconds),
        ("period", p.period_seconds),
        ("timeout", p.timeout_seconds),
        ("failureThreshold", p.failure_threshold),
    ] {
        if let Some(v) = value {
            t.insert(key.into(), Tree::Int(v.into()));
        }
    }
    // The short form: an HTTP path on the first port.
    if t.len() == 1 {
        if let Some(Tree::Str(path)) = t.get("http") {
            return Some(Tree::str(path));
        }
    }
    Some(Tree::Map(t))
}

/// `request/limit`, or one value when they are equal or only one is set.
fn quantity(request: Option<&str>, limit: Option<&str>) -> Option<String> {
    match (request, limit) {
        (Some(r), Some(l)) if r == l => Some(r.to_string()),
        (Some(r), Some(l)) => Some(format!("{r}/{l}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_string()),
        (None, None) => None,
    }
}

pub fn resources(r: Option<&ResourceRequirements>, id: &str, notes: &mut Vec<String>) -> Tree {
    let mut t = Map::new();
    let Some(r) = r else {
        return Tree::Map(t);
    };
    let requests = r.requests.clone().unwrap_or_default();
    let limits = r.limits.clone().unwrap_or_default();
    let mut names: Vec<&String> = requests.keys().chain(limits.keys()).collect();
    names.sort();
    names.dedup();
    let mut extended = Map::new();
    for name in names {
        let req = requests.get(name).map(|q| q.0.as_str());
        let lim = limits.get(name).map(|q| q.0.as_str());
        if req.is_some() != lim.is_some() {
            notes.push(format!(
                "note: {id}: {name} has only a {}; wfk sets request and limit, both to {}",
                if req.is_some() { "request" } else { "limit" },
                req.or(lim).unwrap_or_default()
            ));
        }
        let Some(q) = quantity(req, lim) else {
            continue;
        };
        match name.as_str() {
            "cpu" => t.insert("cpu".into(), Tree::str(q)),
            "memory" => t.insert("memory".into(), Tree::str(q)),
            "ephemeral-storage" => t.insert("ephemeralStorage".into(), Tree::str(q)),
            other => extended.insert(
                other.to_string(),
                Tree::str(lim.or(req).unwrap_or_default()),
            ),
        };
    }
    put(&mut t, "extended", Tree::Map(extended));
    Tree::Map(t)
}

pub fn env(
    vars: &Option<Vec<EnvVar>>,
    configs: &Configs,
    id: &str,
    notes: &mut Vec<String>,
) -> Tree {
    let mut t = Map::new();
    for var in vars.iter().flatten() {
        let value = match (&var.value, &var.value_from) {
            (_, Some(from)) => {
                let mut s = Map::new();
                let optional;
                if let Some(r) = &from.config_map_key_ref {
                    let Some(reference) = configs.reference(&r.name, &r.key) else {
                        notes.push(format!(
                            "note: {id}: env {} reads ConfigMap/{} (key {}), which is not in the input; not imported",
                            var.name, r.name, r.key
                        ));
                        continue;
                    };
                    s.insert("config".into(), Tree::str(reference));
                    optional = r.optional;
                } else if let Some(r) = &from.secret_key_ref {
                    s.insert("secret".into(), Tree::str(format!("{}/{}", r.name, r.key)));
                    optional = r.optional;
                } else if let Some(r) = &from.field_ref {
                    s.insert("field".into(), Tree::str(&r.field_path));
                    optional = None;
                } else {
                    notes.push(format!(
                        "note: {id}: env {} reads a container resource; not imported (wfk has no resource fields)",
                        var.name
                    ));
                    continue;
                }
                if let Some(o) = optional {
                    s.insert("optional".into(), Tree::Bool(o));
                }
                Tree::Map(s)
            }
            (Some(v), None) => Tree::str(v),
            (None, None) => Tree::str(""),
        };
        t.insert(var.name.clone(), value);
    }
    Tree::Map(t)
}

/// Mounts by path, and storage by volume name.
fn mounts(
    component: &str,
    main: &Container,
    volumes: &[Volume],
    w: &Workload,
    extras: &Extras,
    configs: &Configs,
    notes: &mut Vec<String>,
) -> (Map, Map) {
    let id = &w.id;
    let mut mounts = Map::new();
    let mut storage = Map::new();
    for m in main.volume_mounts.iter().flatten() {
        let claim_template = w
            .claims
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some(&m.name));
        if let Some(claim) = claim_template {
            storage.insert(m.name.clone(), claim_storage(claim, &m.mount_path));
            continue;
        }
        let Some(volume) = volumes.iter().find(|v| v.name == m.name) else {
            notes.push(format!(
                "note: {id}: the mount at {} names no volume; not imported",
                m.mount_path
            ));
            continue;
        };
        let mut t = Map::new();
        if let Some(cm) = &volume.config_map {
            if !configs.maps.contains_key(&cm.name) {
                notes.push(format!(
                    "note: {id}: the mount at {} is of ConfigMap/{}, which is not in the input; not imported",
                    m.mount_path, cm.name
                ));
                continue;
            }
            t.insert("config".into(), Tree::str(&cm.name));
            put_str(&mut t, "key", m.sub_path.as_deref());
        } else if let Some(secret) = &volume.secret {
            t.insert(
                "secret".into(),
                Tree::str(secret.secret_name.clone().unwrap_or_default()),
            );
            put_str(&mut t, "key", m.sub_path.as_deref());
        } else if let Some(empty) = &volume.empty_dir {
            // wfk mounts a writable /tmp itself.
            if m.mount_path == "/tmp" && m.name == "tmp" && empty.size_limit.is_none() {
                continue;
            }
            match &empty.size_limit {
                Some(q) => t.insert("scratch".into(), Tree::str(&q.0)),
                None => t.insert("scratch".into(), Tree::Bool(true)),
            };
        } else if let Some(pvc) = &volume.persistent_volume_claim {
            let prefix = format!("{component}-");
            let own = extras.claims.get(&pvc.claim_name).filter(|_| !w.stateful);
            match own {
                Some(claim) => {
                    let key = pvc
                        .claim_name
                        .rsplit_once(&prefix)
                        .map_or(pvc.claim_name.as_str(), |(_, k)| k);
                    storage.insert(key.to_string(), claim_storage(claim, &m.mount_path));
                    continue;
                }
                None => {
                    t.insert("claim".into(), Tree::str(&pvc.claim_name));
                }
            }
            if m.read_only == Some(true) {
                t.insert("readOnly".into(), Tree::Bool(true));
            }
        } else {
            notes.push(format!(
                "note: {id}: the volume `{}` at {} is of a kind wfk does not mount (config maps, secrets, scratch folders and claims); not imported",
                volume.name, m.mount_path
            ));
            continue;
        }
        mounts.insert(m.mount_path.clone(), Tree::Map(t));
    }
    (mounts, storage)
}

fn claim_storage(claim: &k8s_openapi::api::core::v1::PersistentVolumeClaim, mount: &str) -> Tree {
    let spec = claim.spec.clone().unwrap_or_default();
    let mut t = Map::new();
    let size = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .map(|q| q.0.clone())
        .unwrap_or_else(|| "1Gi".into());
    t.insert("size".into(), Tree::str(size));
    t.insert("mount".into(), Tree::str(mount));
    put_str(&mut t, "class", spec.storage_class_name.as_deref());
    if let Some(mode) = spec
        .access_modes
        .iter()
        .flatten()
        .next()
        .filter(|m| *m != "ReadWriteOnce")
    {
        t.insert("access".into(), Tree::str(mode));
    }
    Tree::Map(t)
}

/// Init containers, and native sidecars (init containers with `restartPolicy: Always`, and
/// any container beside the main one).
fn init_containers(
    pod: &PodSpec,
    main: &Container,
    configs: &Configs,
    id: &str,
    notes: &mut Vec<String>,
) -> (Map, Map) {
    let mut init = Map::new();
    let mut sidecars = Map::new();
    let main_env = env(&main.env, configs, id, &mut Vec::new());
    let sidecar = |c: &Container, notes: &mut Vec<String>| {
        let mut t = Map::new();
        t.insert(
            "image".into(),
            Tree::str(c.image.clone().unwrap_or_default()),
        );
        if let Some(command) = &c.command {
            t.insert("command".into(), Tree::strings(command));
        }
        if let Some(args) = &c.args {
            t.insert("args".into(), Tree::strings(args));
        }
        put(&mut t, "env", env(&c.env, configs, id, notes));
        put(
            &mut t,
            "resources",
            resources(c.resources.as_ref(), id, notes),
        );
        Tree::Map(t)
    };
    for c in pod.init_containers.iter().flatten() {
        if c.restart_policy.as_deref() == Some("Always") {
            sidecars.insert(c.name.clone(), sidecar(c, notes));
            continue;
        }
        let mut t = Map::new();
        if c.image != main.image {
            put_str(&mut t, "image", c.image.as_deref());
        }
        if let Some(command) = &c.command {
            t.insert("command".into(), Tree::strings(command));
        }
        if let Some(args) = &c.args {
            t.insert("args".into(), Tree::strings(args));
        }
        // The component's own variables are passed to init containers anyway.
        if let (Tree::Map(own), Tree::Map(main_env)) = (env(&c.env, configs, id, notes), &main_env)
        {
            let extra: Map = own
                .into_iter()
                .filter(|(k, v)| main_env.get(k) != Some(v))
                .collect();
            put(&mut t, "env", Tree::Map(extra));
        }
        if c.resources != main.resources {
            let r = resources(c.resources.as_ref(), id, notes);
            if !r.is_empty_map() {
                t.insert("resources".into(), r);
            }
        }
        init.insert(c.name.clone(), Tree::Map(t));
    }
    for c in &pod.containers {
        if c.name == main.name {
            continue;
        }
        notes.push(format!(
            "note: {id}: container `{}` becomes a native sidecar (it starts before the main container)",
            c.name
        ));
        sidecars.insert(c.name.clone(), sidecar(c, notes));
    }
    (init, sidecars)
}

fn security(pod: &PodSpec, main: &Container, id: &str, notes: &mut Vec<String>) -> Tree {
    let mut t = Map::new();
    let ctx = pod.security_context.clone().unwrap_or_default();
    let own = main.security_context.clone().unwrap_or_default();
    for (key, value) in [
        ("runAsUser", own.run_as_user.or(ctx.run_as_user)),
        ("runAsGroup", own.run_as_group.or(ctx.run_as_group)),
        ("fsGroup", ctx.fs_group),
    ] {
        match value {
            Some(0) => notes.push(format!(
                "note: {id}: {key} 0 (root) is not imported; wfk runs every pod as a non-root user ({DEFAULT_ID})"
            )),
            Some(v) if v != DEFAULT_ID => {
                t.insert(key.into(), Tree::Int(v));
            }
            _ => {}
        }
    }
    if own.read_only_root_filesystem == Some(false) {
        let mut relax = Map::new();
        relax.insert(
            "writableRootFilesystem".into(),
            Tree::str("imported: the container's root filesystem was writable"),
        );
        t.insert("relax".into(), Tree::Map(relax));
    }
    Tree::Map(t)
}

fn rollout(w: &Workload) -> Tree {
    let mut t = Map::new();
    if let Some(s) = &w.strategy {
        if s.type_.as_deref() == Some("Recreate") {
            t.insert("strategy".into(), Tree::str("Recreate"));
        }
        if let Some(r) = &s.rolling_update {
            // wfk's defaults: 25% more pods, none unavailable.
            if let Some(v) = r
                .max_surge
                .as_ref()
                .filter(|v| **v != IntOrString::String("25%".into()))
            {
                t.insert("maxSurge".into(), int_or_string(v));
            }
            if let Some(v) = r
                .max_unavailable
                .as_ref()
                .filter(|v| **v != IntOrString::Int(0))
            {
                t.insert("maxUnavailable".into(), int_or_string(v));
            }
        }
    }
    if let Some(p) = w.pod_management.as_deref().filter(|p| *p != "OrderedReady") {
        t.insert("podManagement".into(), Tree::str(p));
    }
    Tree::Map(t)
}

fn placement(pod: &PodSpec, id: &str, notes: &mut Vec<String>) -> Tree {
    let mut t = Map::new();
    if let Some(selector) = &pod.node_selector {
        put(&mut t, "nodeSelector", string_map(selector));
    }
    let mut tolerations = Map::new();
    for tol in pod.tolerations.iter().flatten() {
        let Some(key) = &tol.key else {
            notes.push(format!(
                "note: {id}: a toleration without a key (every taint) is not imported"
            ));
            continue;
        };
        let mut v = Map::new();
        put_str(&mut v, "value", tol.value.as_deref());
        put_str(&mut v, "effect", tol.effect.as_deref());
        if let Some(s) = tol.toleration_seconds {
            v.insert("seconds".into(), Tree::Int(s));
        }
        let short = v.len() == 1 && v.contains_key("effect");
        tolerations.insert(
            key.clone(),
            if short {
                v["effect"].clone()
            } else {
                Tree::Map(v)
            },
        );
    }
    put(&mut t, "tolerations", Tree::Map(tolerations));
    if pod.affinity.is_some() {
        notes.push(format!(
            "note: {id}: affinity rules are not imported; set `placement.nodes`, `apart` or `near` by hand"
        ));
    }
    Tree::Map(t)
}
