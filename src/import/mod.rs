//! `wfk import`: existing manifests (one stream or folder per environment) → a wfk project.
//!
//! The stages: [`read`] each input through the size limit of spec files, dropping every
//! Secret's data as it is parsed → [`environment`] maps one environment's objects onto the
//! spec (components, config, ingress, …) and keeps what does not map as templates →
//! `factor` splits the environments into `platform.yaml` and one overlay each → [`project`]
//! returns the files and the notes for stderr. Nothing here writes to disk.
//!
//! Objects wfk generates itself from a spec (the Namespace, the platform's ServiceAccount,
//! its NetworkPolicies, a stateful component's headless Service, RoleBindings of `access`)
//! map back onto the spec rather than becoming templates.

mod factor;
pub mod tree;
mod workload;

use anyhow::{Context, bail};
use foldhash::{HashSet, HashSetExt};
use indexmap::IndexMap;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::Role;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use tree::{Map, Tree, put, put_str};
use workload::{Configs, Extras, Workload};

/// What stands for the environment's namespace in a template until the file is written.
const NAMESPACE_MARK: &str = "wfk-import-namespace-0f3a";

/// One environment's manifests.
pub struct Input {
    pub env: String,
    pub objects: Vec<Value>,
}

/// The project `wfk import` writes: files relative to the project folder, notes for
/// stderr, and what went where.
pub struct Project {
    pub platform: String,
    pub files: Vec<(PathBuf, String)>,
    pub notes: Vec<String>,
    pub components: usize,
    pub config_maps: usize,
    pub ingresses: usize,
    pub templates: usize,
}

/// The Kubernetes objects of a file, a folder of `.yaml`, `.yml` and `.json` files, or `-`
/// (stdin). Each file is read through [`crate::load::MAX_FILE_BYTES`]; a `List` is opened
/// into its items; a Secret keeps only its name, so its data is never held, let alone
/// written or printed.
pub fn read(path: &Path) -> anyhow::Result<Vec<Value>> {
    let mut files = Vec::new();
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(crate::load::MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
        return parse(path, bytes);
    }
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    if meta.is_dir() {
        for entry in
            std::fs::read_dir(path).with_context(|| format!("cannot read `{}`", path.display()))?
        {
            let file = entry?.path();
            let ext = file
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            if matches!(ext, "yaml" | "yml" | "json") && file.is_file() {
                files.push(file);
            }
        }
        files.sort();
        if files.is_empty() {
            bail!(
                "`{}` holds no .yaml, .yml or .json file; pass a file or a folder of manifests",
                path.display()
            );
        }
    } else if meta.is_file() {
        files.push(path.to_path_buf());
    } else {
        bail!(
            "`{}` is not a regular file or a folder; save the stream to a file first, or pass `-` for stdin",
            path.display()
        );
    }
    let mut out = Vec::new();
    for file in files {
        let mut bytes = Vec::new();
        std::fs::File::open(&file)
            .and_then(|f| {
                f.take(crate::load::MAX_FILE_BYTES + 1)
                    .read_to_end(&mut bytes)
            })
            .with_context(|| format!("cannot read `{}`", file.display()))?;
        out.extend(parse(&file, bytes)?);
    }
    Ok(out)
}

fn parse(file: &Path, bytes: Vec<u8>) -> anyhow::Result<Vec<Value>> {
    if bytes.len() as u64 > crate::load::MAX_FILE_BYTES {
        bail!(
            "`{}` is larger than {} MiB, the most wfk reads from one file",
            file.display(),
            crate::load::MAX_FILE_BYTES / (1024 * 1024)
        );
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "`{}` is not UTF-8 text (at byte {})",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(crate::diff::documents(file, &text)?
        .into_iter()
        .map(clean)
        .collect())
}

/// An object without what the cluster adds (status, uid, managed fields, the last applied
/// configuration); a Secret reduced to its name and namespace.
fn clean(mut value: Value) -> Value {
    if kind(&value) == "Secret" {
        let mut meta = serde_json::Map::new();
        for key in ["name", "namespace"] {
            if let Some(v) = value.pointer(&format!("/metadata/{key}")) {
                meta.insert(key.into(), v.clone());
            }
        }
        let mut secret = serde_json::Map::new();
        secret.insert("apiVersion".into(), Value::String("v1".into()));
        secret.insert("kind".into(), Value::String("Secret".into()));
        secret.insert("metadata".into(), Value::Object(meta));
        return Value::Object(secret);
    }
    if let Some(o) = value.as_object_mut() {
        o.remove("status");
    }
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "generation",
            "managedFields",
            "selfLink",
        ] {
            meta.remove(key);
        }
        if let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            a.remove("kubectl.kubernetes.io/last-applied-configuration");
            a.remove("deployment.kubernetes.io/revision");
            if a.is_empty() {
                meta.remove("annotations");
            }
        }
    }
    value
}

fn kind(v: &Value) -> &str {
    v.get("kind").and_then(Value::as_str).unwrap_or_default()
}

fn name(v: &Value) -> &str {
    v.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn namespace_of(v: &Value) -> Option<&str> {
    v.pointer("/metadata/namespace").and_then(Value::as_str)
}

/// `Deployment/gorax-api`.
fn id(v: &Value) -> String {
    format!("{}/{}", kind(v), name(v))
}

/// Whether `s` is a DNS-1123 label, as platform and environment names must be.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// The platform's name: the `app.kubernetes.io/part-of` label every workload shares, else
/// the longest name prefix every workload shares (`gorax-api`, `gorax-worker` → `gorax`),
/// else `fallback` (the project folder's name).
pub fn platform_name(inputs: &[Input], fallback: &str) -> String {
    let workloads: Vec<&Value> = inputs
        .iter()
        .flat_map(|i| &i.objects)
        .filter(|o| matches!(kind(o), "Deployment" | "StatefulSet"))
        .collect();
    let part_of: HashSet<Option<&str>> = workloads
        .iter()
        .map(|w| {
            w.pointer("/metadata/labels/app.kubernetes.io~1part-of")
                .and_then(Value::as_str)
        })
        .collect();
    if let [Some(label)] = part_of.into_iter().collect::<Vec<_>>()[..] {
        if is_dns_label(label) {
            return label.to_string();
        }
    }
    let names: Vec<&str> = workloads.iter().map(|w| name(w)).collect();
    if let Some(first) = names.first() {
        let mut common = first.len();
        for n in &names {
            common = common.min(
                first
                    .bytes()
                    .zip(n.bytes())
                    .take_while(|(a, b)| a == b)
                    .count(),
            );
        }
        if let Some(at) = first[..common].rfind('-') {
            let prefix = &first[..at];
            if is_dns_label(prefix) {
                return prefix.to_string();
            }
        }
    }
    let cleaned: String = fallback
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let cleaned = cleaned.trim_matches('-');
    if is_dns_label(cleaned) {
        cleaned.to_string()
    } else {
        "platform".to_string()
    }
}

/// One environment's spec (without `platform`), and what did not map.
struct EnvSpec {
    namespace: Option<String>,
    spec: Map,
    /// Templates: file name → (`Kind/name`, why, the object).
    templates: IndexMap<String, (String, String, Value)>,
    notes: Vec<String>,
}

/// Every file of the project for `inputs`, in order: platform.yaml, the overlays, the
/// templates.
pub fn project(inputs: &[Input], platform: &str, sources: &str) -> anyhow::Result<Project> {
    let envs: Vec<EnvSpec> = inputs
        .iter()
        .map(|i| environment(&i.objects, platform))
        .collect();
    let mut notes = Vec::new();
    let mut components = Vec::new();
    let mut config_maps = Vec::new();
    let mut ingresses = 0;
    for env in &envs {
        for note in &env.notes {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
        for (section, seen) in [
            ("components", &mut components),
            ("config", &mut config_maps),
        ] {
            if let Some(Tree::Map(m)) = env.spec.get(section) {
                for k in m.keys() {
                    if !seen.contains(k) {
                        seen.push(k.clone());
                    }
                }
            }
        }
        if env.spec.contains_key("ingress") {
            ingresses = 1;
        }
    }
    if components.is_empty() {
        bail!(
            "no Deployment or StatefulSet in the input, so there is no component to import; pass the manifests of a platform's workloads"
        );
    }
    let specs: Vec<&Map> = envs.iter().map(|e| &e.spec).collect();
    let (shared, overlays) = factor::factor(&specs);
    let mut base = Map::new();
    base.insert("platform".into(), Tree::str(platform));
    base.extend(shared);
    let mut files = vec![(
        PathBuf::from(crate::load::PLATFORM_FILE),
        format!(
            "# Imported by `wfk import` from {sources}: what every environment shares.\n# `wfk render <env>` merges this file with overlays/<env>.yaml.\n{}",
            tree::to_yaml(&Tree::Map(base))?
        ),
    )];
    for ((input, env), overlay) in inputs.iter().zip(&envs).zip(overlays) {
        let mut o = Map::new();
        put_str(&mut o, "namespace", env.namespace.as_deref());
        o.extend(overlay);
        let body = if o.is_empty() {
            String::new()
        } else {
            tree::to_yaml(&Tree::Map(o))?
        };
        files.push((
            Path::new(crate::load::OVERLAY_DIR).join(format!("{}.yaml", input.env)),
            format!("# {}: what differs from platform.yaml.\n{body}", input.env),
        ));
    }
    let templates = templates(inputs, &envs, &mut notes)?;
    let count = templates.len();
    files.extend(templates);
    Ok(Project {
        platform: platform.to_string(),
        files,
        notes,
        components: components.len(),
        config_maps: config_maps.len(),
        ingresses,
        templates: count,
    })
}

/// One template per object that did not map: plain YAML where the object is the same in
/// every environment (its namespace is `{{ namespace }}`), else one block per environment.
fn templates(
    inputs: &[Input],
    envs: &[EnvSpec],
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let mut files: IndexMap<String, Vec<Option<String>>> = IndexMap::new();
    for (i, env) in envs.iter().enumerate() {
        for (file, (id, why, object)) in &env.templates {
            let text = template_text(object)?;
            let note = format!(
                "note: {id} → {}/{file}: {why}",
                crate::template::TEMPLATE_DIR
            );
            if !notes.contains(&note) {
                notes.push(note);
            }
            files
                .entry(file.clone())
                .or_insert_with(|| vec![None; envs.len()])[i] = Some(text);
        }
    }
    let mut out = Vec::new();
    for (file, texts) in files {
        let first = texts[0].clone();
        let same = first.is_some() && texts.iter().all(|t| *t == first);
        let body = if same {
            first.unwrap_or_default()
        } else {
            let mut body = String::new();
            let mut keyword = "if";
            for (input, text) in inputs.iter().zip(&texts) {
                if let Some(text) = text {
                    body.push_str(&format!(
                        "{{% {keyword} env == \"{}\" %}}\n{text}",
                        input.env
                    ));
                    keyword = "elif";
                }
            }
            body.push_str("{% endif %}\n");
            body
        };
        out.push((
            Path::new(crate::template::TEMPLATE_DIR).join(&file),
            format!("# Imported by `wfk import`; rendered with minijinja.\n{body}"),
        ));
    }
    Ok(out)
}

/// An object as template text: `{{`, `{%` and `{#` escaped, the namespace `{{ namespace }}`.
fn template_text(object: &Value) -> anyhow::Result<String> {
    let yaml = serde_saphyr::to_string(object).map_err(|e| {
        anyhow::anyhow!("internal error: cannot write YAML ({e}); this is a bug in wfk")
    })?;
    let mut out = String::with_capacity(yaml.len());
    let mut chars = yaml.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('{', Some(&next @ ('{' | '%' | '#'))) => {
                chars.next();
                out.push_str(&format!("{{{{ '{{{next}' }}}}"));
            }
            _ => out.push(c),
        }
    }
    Ok(out.replace(NAMESPACE_MARK, "{{ namespace }}"))
}

/// Reads `value` into a k8s-openapi type.
fn typed<T: serde::de::DeserializeOwned>(value: &Value) -> Option<T> {
    serde_json::from_value(value.clone()).ok()
}

/// Kinds the cluster makes from others; an import skips them.
const CLUSTER_MADE: &[&str] = &[
    "ReplicaSet",
    "Pod",
    "Endpoints",
    "EndpointSlice",
    "ControllerRevision",
    "Event",
    "Lease",
];

/// Maps one environment's objects onto the spec.
fn environment(objects: &[Value], platform: &str) -> EnvSpec {
    let mut notes = Vec::new();
    let mut done: HashSet<usize> = HashSet::new();
    let mut templates: IndexMap<String, (String, String, Value)> = IndexMap::new();
    // The namespace most objects are in.
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for o in objects {
        if let Some(ns) = namespace_of(o) {
            *counts.entry(ns).or_default() += 1;
        }
    }
    let namespace = counts
        .iter()
        .max_by_key(|(ns, n)| (**n, std::cmp::Reverse(**ns)))
        .map(|(ns, _)| ns.to_string())
        .or_else(|| {
            objects
                .iter()
                .find(|o| kind(o) == "Namespace")
                .map(|o| name(o).to_string())
        });

    let mut to_template = |i: usize, why: &str, done: &mut HashSet<usize>| {
        done.insert(i);
        let mut object = objects[i].clone();
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            // In the environment's namespace, it follows the namespace of each environment.
            let here = meta.get("namespace").and_then(Value::as_str);
            if here.is_some() && here == namespace.as_deref() {
                meta.insert("namespace".into(), Value::String(NAMESPACE_MARK.into()));
            }
        }
        let file = format!("{}-{}.yaml", kind(&object).to_lowercase(), name(&object));
        templates.insert(file, (id(&objects[i]), why.to_string(), object));
    };

    for (i, o) in objects.iter().enumerate() {
        let owned = o
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        if CLUSTER_MADE.contains(&kind(o)) || owned {
            done.insert(i);
            notes.push(format!(
                "note: {} is made by the cluster from another object; skipped",
                id(o)
            ));
        } else if kind(o) == "Namespace" && Some(name(o)) == namespace.as_deref() {
            done.insert(i);
        } else if kind(o) == "Secret" {
            done.insert(i);
            notes.push(format!(
                "note: {}: its data is not imported; the Secret must exist in the cluster (references to it stay `{{ secret: {}/key }}`)",
                id(o),
                name(o)
            ));
        }
    }

    // Config maps.
    let mut configs: IndexMap<String, IndexMap<String, String>> = IndexMap::new();
    for (i, o) in objects.iter().enumerate() {
        if kind(o) != "ConfigMap" || done.contains(&i) {
            continue;
        }
        if name(o) == "kube-root-ca.crt" {
            done.insert(i);
            continue;
        }
        if o.get("binaryData").is_some() {
            to_template(
                i,
                "wfk config maps hold text only, not binaryData",
                &mut done,
            );
            continue;
        }
        let data: IndexMap<String, String> = o
            .get("data")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect();
        let mut data: Vec<(String, String)> = data.into_iter().collect();
        data.sort();
        configs.insert(name(o).to_string(), data.into_iter().collect());
        done.insert(i);
    }

    // Workloads, by component name.
    let prefix = format!("{platform}-");
    let component_name = |full: &str| -> String {
        full.strip_prefix(&prefix)
            .filter(|rest| !rest.is_empty())
            .unwrap_or(full)
            .to_string()
    };
    let mut workloads: IndexMap<String, (usize, Workload)> = IndexMap::new();
    for (i, o) in objects.iter().enumerate() {
        if done.contains(&i) {
            continue;
        }
        let workload = match kind(o) {
            "Deployment" => typed::<Deployment>(o).map(|d| {
                let spec = d.spec.unwrap_or_default();
                Workload {
                    id: id(o),
                    stateful: false,
                    replicas: spec.replicas,
                    template: spec.template,
                    claims: Vec::new(),
                    strategy: spec.strategy,
                    pod_management: None,
                }
            }),
            "StatefulSet" => typed::<StatefulSet>(o).map(|s| {
                let spec = s.spec.unwrap_or_default();
                Workload {
                    id: id(o),
                    stateful: true,
                    replicas: spec.replicas,
                    template: spec.template,
                    claims: spec.volume_claim_templates.unwrap_or_default(),
                    strategy: None,
                    pod_management: spec.pod_management_policy,
                }
            }),
            _ => continue,
        };
        let component = component_name(name(o));
        match workload {
            None => to_template(i, "it does not read as its kind; kept as it is", &mut done),
            Some(_) if workloads.contains_key(&component) => to_template(
                i,
                "another workload maps to the same component name",
                &mut done,
            ),
            Some(w) => {
                if w.main(&component).is_none() {
                    to_template(i, "it has no container", &mut done);
                    continue;
                }
                done.insert(i);
                workloads.insert(component, (i, w));
            }
        }
    }
    let mut extras: IndexMap<String, Extras> = workloads
        .keys()
        .map(|k| (k.clone(), Extras::default()))
        .collect();
    let selected = |selector: &BTreeMap<String, String>| -> Option<String> {
        workloads
            .iter()
            .find(|(_, (_, w))| w.selected_by(selector))
            .map(|(k, _)| k.clone())
    };

    // Services.
    let mut by_component: IndexMap<String, Vec<(usize, Service)>> = IndexMap::new();
    // Service name → (component, service port name or number → container port name).
    let mut service_ports: BTreeMap<String, ServicePorts> = BTreeMap::new();
    for (i, o) in objects.iter().enumerate() {
        if kind(o) != "Service" || done.contains(&i) {
            continue;
        }
        let Some(s) = typed::<Service>(o) else {
            to_template(i, "it does not read as a Service; kept as it is", &mut done);
            continue;
        };
        let spec = s.spec.clone().unwrap_or_default();
        let selector = spec.selector.clone().unwrap_or_default();
        let Some(component) = selected(&selector) else {
            to_template(
                i,
                "it selects no Deployment or StatefulSet of the input",
                &mut done,
            );
            continue;
        };
        let w = &workloads[&component].1;
        if spec.cluster_ip.as_deref() == Some("None") && w.stateful {
            // The headless Service wfk makes for every stateful component.
            done.insert(i);
            continue;
        }
        done.insert(i);
        by_component.entry(component).or_default().push((i, s));
    }
    for (component, services) in &by_component {
        let (_, w) = &workloads[component];
        let main = w.main(component).unwrap_or_default();
        let ports: Vec<(String, i32)> = main
            .ports
            .iter()
            .flatten()
            .map(|p| {
                (
                    p.name
                        .clone()
                        .unwrap_or_else(|| format!("port-{}", p.container_port)),
                    p.container_port,
                )
            })
            .collect();
        let full = format!("{platform}-{component}");
        let main_at = services
            .iter()
            .position(|(_, s)| s.metadata.name.as_deref() == Some(&full))
            .unwrap_or(0);
        for (n, (i, s)) in services.iter().enumerate() {
            let service_name = s.metadata.name.clone().unwrap_or_default();
            let spec = s.spec.clone().unwrap_or_default();
            let mut exposed = Vec::new();
            let mut names = Vec::new();
            let mut mapping = Vec::new();
            for p in spec.ports.iter().flatten() {
                let target = p.target_port.clone().unwrap_or(IntOrString::Int(p.port));
                let found = ports.iter().find(|(name, number)| match &target {
                    IntOrString::Int(t) => t == number,
                    IntOrString::String(t) => t == name,
                });
                match found {
                    Some((port_name, number)) => {
                        exposed.push((*number, p.port));
                        names.push(port_name.clone());
                        mapping.push((
                            p.name.clone().unwrap_or_default(),
                            p.port,
                            port_name.clone(),
                        ));
                    }
                    None => notes.push(format!(
                        "note: {}: port {} targets no port of the container; not imported",
                        id(&objects[*i]),
                        p.port
                    )),
                }
            }
            let first = ports.first().map(|(n, _)| n.clone()).unwrap_or_default();
            service_ports.insert(service_name.clone(), (component.clone(), mapping, first));
            let kind = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
            let annotations = s.metadata.annotations.clone().unwrap_or_default();
            let extra = extras
                .get_mut(component)
                .expect("every component has extras");
            if n == main_at {
                if service_name != full {
                    notes.push(format!(
                        "note: {}: renamed `{full}`, the name wfk gives a component's Service",
                        id(&objects[*i])
                    ));
                }
                extra.service = Some((kind, annotations, exposed));
            } else {
                let key = service_name
                    .strip_prefix(&format!("{full}-"))
                    .unwrap_or(&service_name)
                    .to_string();
                if format!("{full}-{key}") != service_name {
                    notes.push(format!(
                        "note: {}: renamed `{full}-{key}`, the name wfk gives a component's further Services",
                        id(&objects[*i])
                    ));
                }
                extra.services.push((key, kind, annotations, names));
            }
        }
    }
    // A component without a Service in the input keeps its ports off one.
    for (component, extra) in extras.iter_mut() {
        if extra.service.is_none() && !workloads[component].1.stateful {
            extra.service = Some(("ClusterIP".into(), BTreeMap::new(), Vec::new()));
        }
    }

    // Autoscalers and disruption budgets.
    for (i, o) in objects.iter().enumerate() {
        if done.contains(&i) {
            continue;
        }
        match kind(o) {
            "HorizontalPodAutoscaler" => {
                let Some(h) = typed::<HorizontalPodAutoscaler>(o) else {
                    to_template(i, "it is not an autoscaling/v2 autoscaler", &mut done);
                    continue;
                };
                let spec = h.spec.unwrap_or_default();
                let target = &spec.scale_target_ref;
                let component = component_name(&target.name);
                let Some(extra) = extras
                    .get_mut(&component)
                    .filter(|_| matches!(target.kind.as_str(), "Deployment" | "StatefulSet"))
                else {
                    to_template(i, "it scales no workload of the input", &mut done);
                    continue;
                };
                let mut a = Map::new();
                if let Some(min) = spec.min_replicas {
                    a.insert("min".into(), Tree::Int(min.into()));
                }
                a.insert("max".into(), Tree::Int(spec.max_replicas.into()));
                for m in spec.metrics.iter().flatten() {
                    let utilization = m
                        .resource
                        .as_ref()
                        .and_then(|r| r.target.average_utilization.map(|u| (r.name.as_str(), u)));
                    match utilization {
                        Some((resource @ ("cpu" | "memory"), u)) => {
                            a.insert(resource.into(), Tree::Int(u.into()));
                        }
                        _ => notes.push(format!(
                            "note: {}: a {} metric is not imported; add it under `autoscale.metrics`",
                            id(o),
                            m.type_
                        )),
                    }
                }
                if spec.behavior.is_some() {
                    notes.push(format!(
                        "note: {}: scaling behavior is not imported; add it under `autoscale.behavior`",
                        id(o)
                    ));
                }
                extra.autoscale = Some(a);
                done.insert(i);
            }
            "PodDisruptionBudget" => {
                let Some(p) = typed::<PodDisruptionBudget>(o) else {
                    to_template(i, "it is not a policy/v1 disruption budget", &mut done);
                    continue;
                };
                let spec = p.spec.unwrap_or_default();
                let selector = spec
                    .selector
                    .and_then(|s| s.match_labels)
                    .unwrap_or_default();
                let Some(component) = selected(&selector) else {
                    to_template(i, "it selects no workload of the input", &mut done);
                    continue;
                };
                let mut d = Map::new();
                if let Some(v) = &spec.min_available {
                    d.insert("minAvailable".into(), workload::int_or_string(v));
                }
                if let Some(v) = &spec.max_unavailable {
                    d.insert("maxUnavailable".into(), workload::int_or_string(v));
                }
                extras[&component].disruption = Some(d);
                done.insert(i);
            }
            _ => {}
        }
    }

    // Network policies: wfk's own map back onto `uses` and `scrape`.
    let own = ["default-deny", "allow-dns", "allow-acme-solver"].map(|n| format!("{platform}-{n}"));
    let mut has_policy: HashSet<String> = HashSet::new();
    for (i, o) in objects.iter().enumerate() {
        if kind(o) != "NetworkPolicy" || done.contains(&i) {
            continue;
        }
        if own.iter().any(|n| n == name(o)) {
            done.insert(i);
            continue;
        }
        let Some(policy) = typed::<NetworkPolicy>(o) else {
            to_template(
                i,
                "it does not read as a NetworkPolicy; kept as it is",
                &mut done,
            );
            continue;
        };
        let spec = policy.spec.unwrap_or_default();
        let own_pods = spec
            .pod_selector
            .as_ref()
            .and_then(|s| s.match_labels.clone())
            .unwrap_or_default();
        let target = selected(&own_pods).filter(|c| name(o) == format!("{platform}-{c}"));
        let Some(component) = target else {
            to_template(
                i,
                "wfk makes its NetworkPolicies from `uses`; this one is not of that shape",
                &mut done,
            );
            continue;
        };
        let mut uses = Vec::new();
        let mut scraped = Vec::new();
        let mut foreign = false;
        let peer_component = |peer: &k8s_openapi::api::networking::v1::NetworkPolicyPeer| match (
            &peer.pod_selector,
            &peer.namespace_selector,
            &peer.ip_block,
        ) {
            (Some(s), None, None) => selected(&s.match_labels.clone().unwrap_or_default()),
            _ => None,
        };
        for rule in spec.egress.iter().flatten() {
            for peer in rule.to.iter().flatten() {
                match peer_component(peer) {
                    Some(c) if c == component => {}
                    Some(c) => {
                        if !uses.contains(&c) {
                            uses.push(c);
                        }
                    }
                    None => foreign = true,
                }
            }
        }
        for rule in spec.ingress.iter().flatten() {
            for peer in rule.from.iter().flatten() {
                if peer_component(peer).is_some() {
                    continue;
                }
                let ns = peer
                    .namespace_selector
                    .as_ref()
                    .and_then(|s| s.match_labels.as_ref())
                    .and_then(|l| l.get("kubernetes.io/metadata.name"));
                match ns.map(String::as_str) {
                    Some("monitoring") if peer.pod_selector.is_none() => {
                        for p in rule.ports.iter().flatten() {
                            if let Some(IntOrString::Int(n)) = &p.port {
                                scraped.push(*n);
                            }
                        }
                    }
                    // The ingress controller is let in for ingress paths.
                    Some(_) if peer.pod_selector.is_none() => {}
                    _ => foreign = true,
                }
            }
        }
        if foreign {
            notes.push(format!(
                "note: {}: rules other than paths between components and from the monitoring or ingress namespaces are not imported",
                id(o)
            ));
        }
        has_policy.insert(component.clone());
        let extra = &mut extras[&component];
        extra.uses = uses;
        extra.scraped = scraped;
        done.insert(i);
    }
    for (component, (i, _)) in &workloads {
        if !has_policy.contains(component) {
            notes.push(format!(
                "note: {}: no NetworkPolicy in the input; wfk denies traffic by default, so list what it connects to in `components.{component}.uses`",
                id(&objects[*i])
            ));
        }
    }

    // Roles of `access`, their bindings, and service accounts.
    for (i, o) in objects.iter().enumerate() {
        if done.contains(&i) {
            continue;
        }
        let component = name(o)
            .strip_prefix(&prefix)
            .filter(|c| workloads.contains_key(*c))
            .map(String::from);
        match (kind(o), component) {
            ("Role", Some(c)) => {
                let Some(role) = typed::<Role>(o) else {
                    to_template(i, "it does not read as a Role; kept as it is", &mut done);
                    continue;
                };
                let rules: Vec<Tree> = role
                    .rules
                    .iter()
                    .flatten()
                    .map(|r| {
                        let mut t = Map::new();
                        if let Some(groups) = &r.api_groups {
                            t.insert("apiGroups".into(), Tree::strings(groups));
                        }
                        t.insert(
                            "resources".into(),
                            Tree::strings(r.resources.as_deref().unwrap_or_default()),
                        );
                        t.insert("verbs".into(), Tree::strings(&r.verbs));
                        if let Some(names) = &r.resource_names {
                            t.insert("resourceNames".into(), Tree::strings(names));
                        }
                        Tree::Map(t)
                    })
                    .collect();
                extras[&c].access = Some(Tree::Seq(rules));
                done.insert(i);
            }
            ("RoleBinding", Some(_)) => {
                done.insert(i);
            }
            _ => {}
        }
    }
    let mut defaults = Map::new();
    for (i, o) in objects.iter().enumerate() {
        if kind(o) != "ServiceAccount" || done.contains(&i) {
            continue;
        }
        let annotations: BTreeMap<String, String> = o
            .pointer("/metadata/annotations")
            .and_then(|a| serde_json::from_value(a.clone()).ok())
            .unwrap_or_default();
        if name(o) == platform {
            if !annotations.is_empty() {
                let mut sa = Map::new();
                sa.insert("annotations".into(), workload::string_map(&annotations));
                defaults.insert("serviceAccount".into(), Tree::Map(sa));
            }
            done.insert(i);
            continue;
        }
        if name(o) == "default" {
            done.insert(i);
            continue;
        }
        let user = workloads
            .iter()
            .find(|(_, (_, w))| w.pod().service_account_name.as_deref() == Some(name(o)));
        let Some((component, _)) = user else {
            to_template(i, "no workload of the input runs as it", &mut done);
            continue;
        };
        let mut sa = Map::new();
        if name(o) != format!("{platform}-{component}") {
            sa.insert("name".into(), Tree::str(name(o)));
        }
        put(&mut sa, "annotations", workload::string_map(&annotations));
        extras[component].service_account = Some(sa);
        done.insert(i);
    }

    // Claims that wfk makes from a stateless component's `storage`.
    for (i, o) in objects.iter().enumerate() {
        if kind(o) != "PersistentVolumeClaim" || done.contains(&i) {
            continue;
        }
        let Some(claim) = typed::<PersistentVolumeClaim>(o) else {
            continue;
        };
        let owner = workloads.iter().find(|(c, (_, w))| {
            !w.stateful
                && name(o).starts_with(&format!("{platform}-{c}-"))
                && w.pod().volumes.iter().flatten().any(|v| {
                    v.persistent_volume_claim
                        .as_ref()
                        .is_some_and(|p| p.claim_name == name(o))
                })
        });
        if let Some((component, _)) = owner {
            extras[component].claims.insert(name(o).to_string(), claim);
            done.insert(i);
        }
    }

    let mut components = Map::new();
    let config_refs = Configs { maps: &configs };
    for (component, (_, w)) in &workloads {
        let extra = &extras[component];
        let c = workload::component(component, w, extra, &config_refs, &mut notes);
        components.insert(component.clone(), Tree::Map(c));
    }

    // The Ingress: one per platform.
    let mut ingress = None;
    for (i, o) in objects.iter().enumerate() {
        if kind(o) != "Ingress" || done.contains(&i) {
            continue;
        }
        if ingress.is_some() {
            to_template(i, "wfk makes one Ingress per platform", &mut done);
            continue;
        }
        match typed::<Ingress>(o).map(|ing| ingress_tree(&ing, platform, &service_ports)) {
            Some(Ok(t)) => {
                if name(o) != platform {
                    notes.push(format!(
                        "note: {}: renamed `{platform}`, the name wfk gives the platform's Ingress",
                        id(o)
                    ));
                }
                ingress = Some(t);
                done.insert(i);
            }
            Some(Err(why)) => to_template(i, &why, &mut done),
            None => to_template(
                i,
                "it does not read as an Ingress; kept as it is",
                &mut done,
            ),
        }
    }

    let mut storage_classes = Map::new();
    for (i, o) in objects.iter().enumerate() {
        if kind(o) != "StorageClass" || done.contains(&i) {
            continue;
        }
        let mut t = Map::new();
        put_str(
            &mut t,
            "provisioner",
            o.get("provisioner").and_then(Value::as_str),
        );
        if let Some(p) = o
            .get("parameters")
            .and_then(|p| serde_json::from_value::<BTreeMap<String, String>>(p.clone()).ok())
        {
            put(&mut t, "parameters", workload::string_map(&p));
        }
        put_str(
            &mut t,
            "reclaimPolicy",
            o.get("reclaimPolicy").and_then(Value::as_str),
        );
        put_str(
            &mut t,
            "volumeBindingMode",
            o.get("volumeBindingMode").and_then(Value::as_str),
        );
        if let Some(b) = o.get("allowVolumeExpansion").and_then(Value::as_bool) {
            t.insert("allowVolumeExpansion".into(), Tree::Bool(b));
        }
        if t.contains_key("provisioner") {
            storage_classes.insert(name(o).to_string(), Tree::Map(t));
            done.insert(i);
        }
    }

    for (i, o) in objects.iter().enumerate() {
        if done.contains(&i) {
            continue;
        }
        let why = match kind(o) {
            "DaemonSet" => "wfk has no daemon sets".to_string(),
            "Job" | "CronJob" => {
                "wfk import does not map jobs; see `jobs` in `wfk schema`".to_string()
            }
            "Namespace" => "wfk deploys to one namespace".to_string(),
            k if o
                .get("apiVersion")
                .and_then(Value::as_str)
                .is_some_and(|v| v.contains('.') && !v.contains("k8s.io/")) =>
            {
                format!("a custom resource; wfk has no {k}")
            }
            k => format!("wfk has no {k} of this shape"),
        };
        to_template(i, &why, &mut done);
    }

    let mut spec = Map::new();
    put(&mut spec, "defaults", Tree::Map(defaults));
    let config: Map = configs
        .iter()
        .map(|(name, data)| {
            let entries: Map = data
                .iter()
                .map(|(k, v)| (k.clone(), Tree::str(v)))
                .collect();
            (name.clone(), Tree::Map(entries))
        })
        .collect();
    put(&mut spec, "config", Tree::Map(config));
    put(&mut spec, "components", Tree::Map(components));
    if let Some(t) = ingress {
        spec.insert("ingress".into(), t);
    }
    put(&mut spec, "storageClasses", Tree::Map(storage_classes));
    EnvSpec {
        namespace,
        spec,
        templates,
        notes,
    }
}

/// A component's Service: the component, each port's (name, number, container port name),
/// and the component's first container port, which ingress routes use by default.
type ServicePorts = (String, Vec<(String, i32, String)>, String);

/// The Ingress as the spec's `ingress`, or why it cannot be.
fn ingress_tree(
    ing: &Ingress,
    platform: &str,
    services: &BTreeMap<String, ServicePorts>,
) -> Result<Tree, String> {
    let spec = ing.spec.clone().unwrap_or_default();
    let mut t = Map::new();
    put_str(&mut t, "class", spec.ingress_class_name.as_deref());
    let rules = spec.rules.clone().unwrap_or_default();
    let hosts: Vec<String> = rules.iter().filter_map(|r| r.host.clone()).collect();
    if hosts.len() != rules.len() || hosts.is_empty() {
        return Err("a rule without a host; wfk's hosts are named".into());
    }
    // The domain every host is under: `api.gorax.io`, `webhooks.gorax.io` → `gorax.io`.
    let suffixes: HashSet<&str> = hosts
        .iter()
        .map(|h| h.split_once('.').map_or("", |(_, s)| s))
        .collect();
    let domain = match suffixes.into_iter().collect::<Vec<_>>()[..] {
        [d] if d.contains('.') => Some(d.to_string()),
        _ => None,
    };
    if let Some(d) = &domain {
        t.insert("domain".into(), Tree::str(d));
    }
    let mut host_tree = Map::new();
    for rule in &rules {
        let host = rule.host.clone().unwrap_or_default();
        let key = match &domain {
            Some(d) => host
                .strip_suffix(&format!(".{d}"))
                .unwrap_or(&host)
                .to_string(),
            None => host.clone(),
        };
        let mut paths = Map::new();
        for p in rule.http.iter().flat_map(|h| &h.paths) {
            let Some(backend) = &p.backend.service else {
                return Err("a backend that is not a Service".into());
            };
            let Some((component, ports, first)) = services.get(&backend.name) else {
                return Err(format!(
                    "its backend Service/{} belongs to no component",
                    backend.name
                ));
            };
            let port = backend.port.as_ref().and_then(|bp| {
                ports.iter().find(|(name, number, _)| {
                    bp.name.as_deref() == Some(name.as_str()) || bp.number == Some(*number)
                })
            });
            let Some((_, _, container_port)) = port else {
                return Err(format!(
                    "its backend port of Service/{} is unknown",
                    backend.name
                ));
            };
            let first = Some(first.as_str());
            let route = if Some(container_port.as_str()) == first {
                component.clone()
            } else {
                format!("{component}:{container_port}")
            };
            let path = p.path.clone().unwrap_or_else(|| "/".into());
            if p.path_type == "Prefix" {
                paths.insert(path, Tree::str(route));
            } else {
                let mut r = Map::new();
                r.insert("component".into(), Tree::str(component));
                if Some(container_port.as_str()) != first {
                    r.insert("port".into(), Tree::str(container_port));
                }
                r.insert("pathType".into(), Tree::str(&p.path_type));
                paths.insert(path, Tree::Map(r));
            }
        }
        let mut h = Map::new();
        h.insert("paths".into(), Tree::Map(paths));
        host_tree.insert(key, Tree::Map(h));
    }
    t.insert("hosts".into(), Tree::Map(host_tree));
    let mut annotations = ing.metadata.annotations.clone().unwrap_or_default();
    let mut tls = Map::new();
    if let Some(i) = annotations.remove("cert-manager.io/cluster-issuer") {
        tls.insert("clusterIssuer".into(), Tree::str(i));
    }
    if let Some(i) = annotations.remove("cert-manager.io/issuer") {
        tls.insert("issuer".into(), Tree::str(i));
    }
    let secret = spec
        .tls
        .iter()
        .flatten()
        .find_map(|t| t.secret_name.clone());
    match secret {
        Some(s) if s != format!("{platform}-tls") => {
            tls.insert("secret".into(), Tree::str(s));
        }
        Some(_) if tls.is_empty() => {
            tls.insert("secret".into(), Tree::str(format!("{platform}-tls")));
        }
        _ => {}
    }
    if !tls.is_empty() {
        t.insert("tls".into(), Tree::Map(tls));
    }
    put(&mut t, "annotations", workload::string_map(&annotations));
    Ok(Tree::Map(t))
}
