//! The pod template shared by Deployments, StatefulSets, Jobs and CronJobs: containers,
//! environment, volumes, probes, resources, and the restricted security context.

use super::Ctx;
use super::config_map;
use crate::platform::component::{
    Apart, Component, EnvFrom, InitContainer, Kind, Mount, Placement, Relaxation, Resources,
    Security, Sidecar, Spread, Storage,
};
use crate::platform::job::Job;
use crate::platform::values::{
    EnvValue, Port, Probe as ProbeSpec, Protocol, Quantity as Amount, Short,
};
use indexmap::IndexMap;
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, ConfigMapEnvSource, ConfigMapKeySelector, ConfigMapVolumeSource,
    Container, ContainerPort, EmptyDirVolumeSource, EnvFromSource, EnvVar, EnvVarSource,
    ExecAction, HTTPGetAction, KeyToPath, LocalObjectReference, NodeAffinity, NodeSelector,
    NodeSelectorRequirement, NodeSelectorTerm, ObjectFieldSelector,
    PersistentVolumeClaimVolumeSource, PodAffinity, PodAffinityTerm, PodAntiAffinity,
    PodSecurityContext, PodSpec, PodTemplateSpec, PreferredSchedulingTerm, Probe,
    ResourceRequirements, SeccompProfile, SecretEnvSource, SecretKeySelector, SecretVolumeSource,
    SecurityContext, TCPSocketAction, Toleration, TopologySpreadConstraint, Volume, VolumeMount,
    WeightedPodAffinityTerm,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The user and group id of containers when the spec names none.
pub const DEFAULT_ID: i64 = 10001;

/// The annotation holding the checksum of the config a pod uses.
pub const CONFIG_CHECKSUM: &str = "checksum/config";

/// What a pod is made of, gathered from a component or a job (and the component it runs as).
pub struct Workload<'a> {
    pub name: &'a str,
    pub image: &'a str,
    pub component: Option<&'a Component>,
    pub command: Option<&'a Vec<String>>,
    pub args: Option<&'a Vec<String>>,
    pub env: BTreeMap<&'a str, &'a EnvValue>,
    pub env_from: Vec<&'a EnvFrom>,
    pub mounts: BTreeMap<&'a str, &'a Mount>,
    pub storage: &'a IndexMap<String, Storage>,
    pub resources: Resources,
    pub security: &'a Security,
    /// The ServiceAccount the pods run as: the component's own, else the platform's.
    pub service_account: String,
    /// Whether the pods mount their account's API token (the component has `access`).
    pub access: bool,
    /// Image pull secrets: the defaults', then the component's, without repeats.
    pub pull_secrets: Vec<&'a str>,
}

impl<'a> Workload<'a> {
    pub fn component(name: &'a str, c: &'a Component, ctx: &Ctx<'a>) -> Self {
        Workload {
            name,
            image: &c.image,
            component: Some(c),
            command: c.command.as_ref(),
            args: c.args.as_ref(),
            env: c.env.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            env_from: vec![&c.env_from],
            mounts: c.mounts.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            storage: &c.storage,
            resources: c.resources.or(&ctx.spec.defaults.resources),
            security: &c.security,
            service_account: ctx.service_account(name, c),
            access: c.access.is_some(),
            pull_secrets: pull_secrets(ctx, Some(c)),
        }
    }

    /// A job runs with its own settings on top of its component's, if it names one.
    pub fn job(name: &'a str, j: &'a Job, ctx: &Ctx<'a>) -> Self {
        let component = j
            .component
            .as_ref()
            .and_then(|c| ctx.spec.components.get(c));
        let mut env: BTreeMap<&str, &EnvValue> = BTreeMap::new();
        let mut env_from = Vec::new();
        let mut mounts = BTreeMap::new();
        if let Some(c) = component {
            env.extend(c.env.iter().map(|(k, v)| (k.as_str(), v)));
            env_from.push(&c.env_from);
        }
        env.extend(j.env.iter().map(|(k, v)| (k.as_str(), v)));
        env_from.push(&j.env_from);
        mounts.extend(j.mounts.iter().map(|(k, v)| (k.as_str(), v)));
        Workload {
            name,
            image: j
                .image
                .as_deref()
                .or(component.map(|c| c.image.as_str()))
                .unwrap_or_default(),
            component: None,
            command: j.command.as_ref(),
            args: j.args.as_ref(),
            env,
            env_from,
            mounts,
            storage: &j.storage,
            resources: j.effective_resources(ctx.spec),
            security: &j.security,
            service_account: ctx.platform().to_string(),
            access: false,
            pull_secrets: pull_secrets(ctx, component.map(|c| &**c)),
        }
    }
}

/// `defaults.pullSecrets`, then the component's, each once.
fn pull_secrets<'a>(ctx: &Ctx<'a>, c: Option<&'a Component>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    let own = c.map(|c| c.pull_secrets.as_slice()).unwrap_or_default();
    for name in ctx.spec.defaults.pull_secrets.iter().chain(own) {
        if !out.contains(&name.as_str()) {
            out.push(name);
        }
    }
    out
}

/// The pod template of a workload. `restart` is `Never` or `OnFailure` for jobs.
pub fn template(w: &Workload, ctx: &Ctx, restart: Option<&str>) -> PodTemplateSpec {
    let mut labels = ctx.workload_labels(w.name, Some(w.image));
    let mut annotations = BTreeMap::new();
    if let Some(c) = w.component {
        labels.extend(c.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
        if ctx.spec.monitoring.via == Some(crate::platform::ScrapeVia::Annotations) {
            // The convention reads one port per pod: the first scraped one, by name.
            if let Some((_, p)) = sorted_ports(&c.ports)
                .into_iter()
                .find(|(_, p)| p.scraped())
            {
                annotations.extend([
                    ("prometheus.io/scrape".to_string(), "true".to_string()),
                    ("prometheus.io/port".to_string(), p.port.to_string()),
                    (
                        "prometheus.io/path".to_string(),
                        p.scrape_path().unwrap_or_default().to_string(),
                    ),
                ]);
            }
        }
        annotations.extend(c.annotations.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    if let Some(sum) = config_checksum(w, ctx) {
        annotations.insert(CONFIG_CHECKSUM.to_string(), sum);
    }
    let (volumes, mounts) = volumes(w, ctx);
    let component = w.component;
    let main = Container {
        name: w.name.to_string(),
        image: Some(w.image.to_string()),
        image_pull_policy: component
            .and_then(|c| c.image_pull_policy)
            .map(|p| p.as_str().to_string())
            .or_else(|| pull_always(w.image)),
        command: w.command.cloned(),
        args: w.args.cloned(),
        env: env(w.env.iter().map(|(k, v)| (*k, *v)), w, ctx),
        env_from: env_from(&w.env_from),
        ports: component.and_then(|c| container_ports(&c.ports)),
        liveness_probe: component.and_then(|c| probe(c.probes.liveness.as_deref(), &c.ports)),
        readiness_probe: component.and_then(|c| probe(c.probes.readiness.as_deref(), &c.ports)),
        startup_probe: component.and_then(|c| probe(c.probes.startup.as_deref(), &c.ports)),
        resources: Some(resources(&w.resources)),
        security_context: Some(container_security(w.security)),
        volume_mounts: Some(mounts.clone()),
        ..Default::default()
    };
    // Native sidecars first: they start before, and keep running beside, the init
    // containers (a database proxy a migration needs) and the main container.
    let init: Vec<Container> = component.map_or(Vec::new(), |c| {
        let sidecars = c
            .sidecars
            .iter()
            .map(|(name, s)| sidecar(name, s, w, &main, ctx));
        let inits = c
            .init
            .iter()
            .map(|(name, i)| init_container(name, i, w, &main, ctx));
        sidecars.chain(inits).collect()
    });
    let (user, group, fs_group) = ids(w.security, ctx);
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..Default::default()
        }),
        spec: Some(PodSpec {
            service_account_name: Some(w.service_account.clone()),
            automount_service_account_token: Some(w.access),
            image_pull_secrets: (!w.pull_secrets.is_empty()).then(|| {
                w.pull_secrets
                    .iter()
                    .map(|name| LocalObjectReference {
                        name: name.to_string(),
                    })
                    .collect()
            }),
            priority_class_name: component
                .and_then(|c| c.priority_class.as_ref())
                .or(ctx.spec.defaults.priority_class.as_ref())
                .filter(|_| component.is_some())
                .cloned(),
            node_selector: component.and_then(|c| super::string_map(&c.placement.node_selector)),
            tolerations: component.and_then(|c| tolerations(&c.placement)),
            affinity: component.and_then(|c| affinity(&c.placement, w.name, ctx)),
            security_context: Some(PodSecurityContext {
                run_as_non_root: Some(true),
                run_as_user: Some(user),
                run_as_group: Some(group),
                fs_group: Some(fs_group),
                seccomp_profile: Some(SeccompProfile {
                    type_: "RuntimeDefault".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            init_containers: (!init.is_empty()).then_some(init),
            containers: vec![main],
            volumes: Some(volumes),
            restart_policy: restart.map(String::from),
            termination_grace_period_seconds: component
                .and_then(|c| c.termination_grace_period)
                .map(i64::from),
            topology_spread_constraints: component
                .and_then(|c| c.spread)
                .map(|s| spread(s, w.name, ctx)),
            ..Default::default()
        }),
    }
}

fn ids(security: &Security, ctx: &Ctx) -> (i64, i64, i64) {
    let d = &ctx.spec.defaults;
    let user = security.run_as_user.or(d.run_as_user).unwrap_or(DEFAULT_ID);
    let group = security
        .run_as_group
        .or(d.run_as_group)
        .unwrap_or(DEFAULT_ID);
    let fs_group = security.fs_group.or(d.fs_group).unwrap_or(group);
    (user, group, fs_group)
}

fn container_security(security: &Security) -> SecurityContext {
    let writable = security
        .relax
        .contains_key(&Relaxation::WritableRootFilesystem);
    SecurityContext {
        allow_privilege_escalation: Some(false),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            ..Default::default()
        }),
        read_only_root_filesystem: Some(!writable),
        run_as_non_root: Some(true),
        ..Default::default()
    }
}

/// A native sidecar: an init container that keeps running (`restartPolicy: Always`), with
/// the main container's mounts and security context.
fn sidecar(name: &str, s: &Sidecar, w: &Workload, main: &Container, ctx: &Ctx) -> Container {
    let res = s.resources.or(&ctx.spec.defaults.resources);
    Container {
        name: name.to_string(),
        image: Some(s.image.clone()),
        image_pull_policy: pull_always(&s.image),
        command: s.command.clone(),
        args: s.args.clone(),
        env: env(s.env.iter().map(|(k, v)| (k.as_str(), v)), w, ctx),
        resources: Some(resources(&res)),
        restart_policy: Some("Always".into()),
        security_context: main.security_context.clone(),
        volume_mounts: main.volume_mounts.clone(),
        ..Default::default()
    }
}

/// The taints the pods tolerate, sorted by key: `Exists` for any value, `Equal` for one.
fn tolerations(p: &Placement) -> Option<Vec<Toleration>> {
    let mut keys: Vec<&String> = p.tolerations.keys().collect();
    keys.sort();
    let out: Vec<Toleration> = keys
        .into_iter()
        .map(|key| {
            let t = &p.tolerations[key].0;
            Toleration {
                key: Some(key.clone()),
                operator: Some(if t.value.is_some() { "Equal" } else { "Exists" }.into()),
                value: t.value.clone(),
                effect: t.effect.map(|e| e.as_str().to_string()),
                toleration_seconds: t.seconds,
            }
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

/// A topology key of a spread or an affinity.
pub fn topology_key(s: Spread) -> &'static str {
    match s {
        Spread::Zone => "topology.kubernetes.io/zone",
        Spread::Node => "kubernetes.io/hostname",
    }
}

/// Node affinity from `nodes`, anti-affinity from `apart`, affinity from `near`.
fn affinity(p: &Placement, name: &str, ctx: &Ctx) -> Option<Affinity> {
    let terms = |labels: &IndexMap<String, Vec<String>>| -> Vec<NodeSelectorRequirement> {
        let mut keys: Vec<&String> = labels.keys().collect();
        keys.sort();
        keys.into_iter()
            .map(|key| {
                let values = &labels[key];
                NodeSelectorRequirement {
                    key: key.clone(),
                    operator: if values.is_empty() { "Exists" } else { "In" }.into(),
                    values: (!values.is_empty()).then(|| values.clone()),
                }
            })
            .collect()
    };
    let required = terms(&p.nodes.required);
    let preferred = terms(&p.nodes.preferred);
    let node = (!required.is_empty() || !preferred.is_empty()).then(|| NodeAffinity {
        required_during_scheduling_ignored_during_execution: (!required.is_empty()).then(|| {
            NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_expressions: Some(required),
                    ..Default::default()
                }],
            }
        }),
        preferred_during_scheduling_ignored_during_execution: (!preferred.is_empty()).then(|| {
            vec![PreferredSchedulingTerm {
                weight: 100,
                preference: NodeSelectorTerm {
                    match_expressions: Some(preferred),
                    ..Default::default()
                },
            }]
        }),
    });
    let term = |component: &str, across: Spread| PodAffinityTerm {
        label_selector: Some(ctx.selector(component)),
        topology_key: topology_key(across).into(),
        ..Default::default()
    };
    let anti = p.apart.as_ref().map(|a| {
        let Apart { across, required } = a.0.clone();
        if required {
            PodAntiAffinity {
                required_during_scheduling_ignored_during_execution: Some(vec![term(name, across)]),
                ..Default::default()
            }
        } else {
            PodAntiAffinity {
                preferred_during_scheduling_ignored_during_execution: Some(vec![
                    WeightedPodAffinityTerm {
                        weight: 100,
                        pod_affinity_term: term(name, across),
                    },
                ]),
                ..Default::default()
            }
        }
    });
    let mut near: Vec<(&String, &Spread)> = p.near.iter().collect();
    near.sort_by(|a, b| a.0.cmp(b.0));
    let pod = (!near.is_empty()).then(|| PodAffinity {
        preferred_during_scheduling_ignored_during_execution: Some(
            near.into_iter()
                .map(|(other, across)| WeightedPodAffinityTerm {
                    weight: 100,
                    pod_affinity_term: term(other, *across),
                })
                .collect(),
        ),
        ..Default::default()
    });
    (node.is_some() || anti.is_some() || pod.is_some()).then_some(Affinity {
        node_affinity: node,
        pod_affinity: pod,
        pod_anti_affinity: anti,
    })
}

fn init_container(
    name: &str,
    i: &InitContainer,
    w: &Workload,
    main: &Container,
    ctx: &Ctx,
) -> Container {
    let mut vars: BTreeMap<&str, &EnvValue> = w.env.clone();
    vars.extend(i.env.iter().map(|(k, v)| (k.as_str(), v)));
    let res = i
        .resources
        .as_ref()
        .map_or_else(|| w.resources.clone(), |r| r.or(&w.resources));
    Container {
        name: name.to_string(),
        image: Some(i.image.clone().unwrap_or_else(|| w.image.to_string())),
        image_pull_policy: pull_always(i.image.as_deref().unwrap_or(w.image)),
        command: i.command.clone(),
        args: i.args.clone(),
        env: env(vars.into_iter(), w, ctx),
        env_from: main.env_from.clone(),
        resources: Some(resources(&res)),
        security_context: main.security_context.clone(),
        volume_mounts: main.volume_mounts.clone(),
        ..Default::default()
    }
}

/// `Always` for an image not pinned by digest: a tag can move, so the kubelet asks the
/// registry (with the pod's pull secrets) on every start instead of running whatever it
/// cached under that tag (Kubernetes' own default is `IfNotPresent` for a tag). A digest
/// names fixed content, so the default stays.
fn pull_always(image: &str) -> Option<String> {
    (!image.contains('@')).then(|| "Always".to_string())
}

fn resources(r: &Resources) -> ResourceRequirements {
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    let amounts: [(&str, &Option<Amount>); 3] = [
        ("cpu", &r.cpu),
        ("memory", &r.memory),
        ("ephemeral-storage", &r.ephemeral_storage),
    ];
    for (name, amount) in amounts {
        if let Some(a) = amount {
            requests.insert(name.to_string(), Quantity(a.request.clone()));
            limits.insert(name.to_string(), Quantity(a.limit.clone()));
        }
    }
    // Extended resources cannot be overcommitted: the request is the limit.
    for (name, amount) in &r.extended {
        requests.insert(name.clone(), Quantity(amount.0.clone()));
        limits.insert(name.clone(), Quantity(amount.0.clone()));
    }
    ResourceRequirements {
        requests: (!requests.is_empty()).then_some(requests),
        limits: (!limits.is_empty()).then_some(limits),
        ..Default::default()
    }
}

/// Env vars sorted by name, except that a variable referenced as `$(NAME)` by another comes
/// before it, so the kubelet can expand the reference; the output does not depend on the
/// order of keys in the spec.
fn env<'a>(
    vars: impl Iterator<Item = (&'a str, &'a EnvValue)>,
    w: &Workload,
    ctx: &Ctx,
) -> Option<Vec<EnvVar>> {
    let vars: BTreeMap<&str, EnvVar> = vars
        .map(|(name, value)| (name, env_var(name, value, w, ctx)))
        .collect();
    if vars.is_empty() {
        return None;
    }
    // Kahn's algorithm, always taking the first ready name: O((V + E) log V).
    let names: Vec<&str> = vars.keys().copied().collect();
    let index = |name: &str| names.binary_search(&name).ok();
    let mut waits = vec![0usize; names.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    for (i, var) in vars.values().enumerate() {
        let text = var.value.as_deref().unwrap_or("");
        let refs: BTreeSet<usize> = text
            .split("$(")
            .skip(1)
            .filter_map(|s| s.split_once(')').and_then(|(n, _)| index(n)))
            .filter(|&r| r != i)
            .collect();
        waits[i] = refs.len();
        for r in refs {
            dependents[r].push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..names.len()).filter(|&i| waits[i] == 0).collect();
    let mut placed = vec![false; names.len()];
    let mut unplaced = 0..names.len();
    let mut vars: Vec<Option<EnvVar>> = vars.into_values().map(Some).collect();
    let mut out = Vec::with_capacity(vars.len());
    while out.len() < vars.len() {
        // A cycle of references cannot be ordered; fall back to name order.
        let next = match ready.pop_first() {
            Some(i) => i,
            None => match unplaced.by_ref().find(|&i| !placed[i]) {
                Some(i) => i,
                None => break,
            },
        };
        placed[next] = true;
        out.extend(vars[next].take());
        for &d in &dependents[next] {
            waits[d] -= 1;
            if waits[d] == 0 && !placed[d] {
                ready.insert(d);
            }
        }
    }
    Some(out)
}

fn env_var(name: &str, value: &EnvValue, w: &Workload, ctx: &Ctx) -> EnvVar {
    let source = &value.0;
    let optional = source.optional;
    if let (Some(port), Some(c)) = (&source.peers, w.component) {
        return EnvVar {
            name: name.to_string(),
            value: Some(peers(w.name, c, port, ctx)),
            value_from: None,
        };
    }
    let value_from = if let Some(reference) = &source.config {
        let (map, key) = ctx.spec.config_ref(reference).unwrap_or(("", reference));
        Some(EnvVarSource {
            config_map_key_ref: Some(ConfigMapKeySelector {
                name: map.to_string(),
                key: key.to_string(),
                optional,
            }),
            ..Default::default()
        })
    } else if let Some(secret) = &source.secret {
        let (name, key) = secret.split_once('/').unwrap_or((secret, ""));
        Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: name.to_string(),
                key: key.to_string(),
                optional,
            }),
            ..Default::default()
        })
    } else {
        source.field.as_ref().map(|field| EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                field_path: field.clone(),
                ..Default::default()
            }),
            ..Default::default()
        })
    };
    EnvVar {
        name: name.to_string(),
        value: source.value.clone(),
        value_from,
    }
}

fn env_from(sources: &[&EnvFrom]) -> Option<Vec<EnvFromSource>> {
    let configs: BTreeSet<&String> = sources.iter().flat_map(|s| &s.config).collect();
    let secrets: BTreeSet<&String> = sources.iter().flat_map(|s| &s.secrets).collect();
    let mut out: Vec<EnvFromSource> = configs
        .into_iter()
        .map(|name| EnvFromSource {
            config_map_ref: Some(ConfigMapEnvSource {
                name: name.clone(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    out.extend(secrets.into_iter().map(|name| EnvFromSource {
        secret_ref: Some(SecretEnvSource {
            name: name.clone(),
            ..Default::default()
        }),
        ..Default::default()
    }));
    (!out.is_empty()).then_some(out)
}

/// `<pod>.<headless>:<port>` for every replica of a stateful component, comma-separated.
fn peers(name: &str, c: &Component, port: &str, ctx: &Ctx) -> String {
    let number = c.ports.get(port).map_or(0, |p| p.port);
    let headless = super::service::headless_name(name, ctx);
    let set = ctx.name(name);
    (0..super::deployment::replicas(c))
        .map(|i| format!("{set}-{i}.{headless}:{number}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The port a probe or a route without one goes to, and the one the Prometheus annotations
/// name: the first by name, so the order a spec's keys are written in never changes the
/// output (`ports: { http: 6333, grpc: 6334 }` is `grpc`: name the port, `port: http`).
pub fn first_port(ports: &IndexMap<String, Short<Port>>) -> Option<(&String, &Port)> {
    sorted_ports(ports).into_iter().next()
}

/// The ports of a component, sorted by name: the order they are written out in.
pub fn sorted_ports(ports: &IndexMap<String, Short<Port>>) -> Vec<(&String, &Port)> {
    let mut ports: Vec<(&String, &Port)> = ports.iter().map(|(n, p)| (n, &p.0)).collect();
    ports.sort_by(|a, b| a.0.cmp(b.0));
    ports
}

fn container_ports(ports: &IndexMap<String, Short<Port>>) -> Option<Vec<ContainerPort>> {
    let out: Vec<ContainerPort> = sorted_ports(ports)
        .into_iter()
        .map(|(name, p)| ContainerPort {
            name: Some(name.clone()),
            container_port: i32::from(p.port),
            protocol: Some(p.protocol.map_or("TCP", Protocol::as_str).to_string()),
            ..Default::default()
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

/// A port reference: a name of `ports`, or a number.
fn port_ref(port: Option<&String>, ports: &IndexMap<String, Short<Port>>) -> IntOrString {
    match port {
        Some(p) => match p.parse::<i32>() {
            Ok(n) => IntOrString::Int(n),
            Err(_) => IntOrString::String(p.clone()),
        },
        None => first_port(ports).map_or(IntOrString::Int(80), |(n, _)| {
            IntOrString::String(n.clone())
        }),
    }
}

fn probe(spec: Option<&ProbeSpec>, ports: &IndexMap<String, Short<Port>>) -> Option<Probe> {
    let spec = spec?;
    let mut probe = Probe {
        initial_delay_seconds: spec.initial_delay,
        period_seconds: spec.period,
        timeout_seconds: spec.timeout,
        failure_threshold: spec.failure_threshold,
        ..Default::default()
    };
    if let Some(path) = &spec.http {
        probe.http_get = Some(HTTPGetAction {
            path: Some(path.clone()),
            port: port_ref(spec.port.as_ref(), ports),
            ..Default::default()
        });
    } else if let Some(port) = &spec.tcp {
        probe.tcp_socket = Some(TCPSocketAction {
            port: port_ref(Some(port), ports),
            ..Default::default()
        });
    } else if let Some(command) = &spec.exec {
        probe.exec = Some(ExecAction {
            command: Some(command.clone()),
        });
    }
    Some(probe)
}

fn spread(spread: Spread, name: &str, ctx: &Ctx) -> Vec<TopologySpreadConstraint> {
    vec![TopologySpreadConstraint {
        max_skew: 1,
        topology_key: topology_key(spread).into(),
        when_unsatisfiable: "ScheduleAnyway".into(),
        label_selector: Some(ctx.selector(name)),
        ..Default::default()
    }]
}

/// A volume name from a mount path: `/var/run/postgresql` → `scratch-var-run-postgresql`.
fn volume_name(prefix: &str, path: &str) -> String {
    let mut name = String::from(prefix);
    for c in path.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name: String = name.chars().take(63).collect();
    name.trim_end_matches('-').to_string()
}

/// Volumes and mounts: `/tmp` always (the root filesystem is read-only), each `mounts`
/// entry, and each `storage` entry.
fn volumes(w: &Workload, ctx: &Ctx) -> (Vec<Volume>, Vec<VolumeMount>) {
    let mut volumes = Vec::new();
    let mut mounts = Vec::new();
    if !w.mounts.contains_key("/tmp") {
        volumes.push(Volume {
            name: "tmp".into(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Default::default()
        });
        mounts.push(VolumeMount {
            name: "tmp".into(),
            mount_path: "/tmp".into(),
            ..Default::default()
        });
    }
    for (path, m) in &w.mounts {
        let key_items = |key: &Option<String>| {
            key.as_ref().map(|k| {
                vec![KeyToPath {
                    key: k.clone(),
                    path: k.clone(),
                    ..Default::default()
                }]
            })
        };
        let (name, mut volume) = if let Some(config) = &m.config {
            let volume = Volume {
                config_map: Some(ConfigMapVolumeSource {
                    name: config.clone(),
                    items: key_items(&m.key),
                    ..Default::default()
                }),
                ..Default::default()
            };
            (volume_name("config-", path), volume)
        } else if let Some(secret) = &m.secret {
            let volume = Volume {
                secret: Some(SecretVolumeSource {
                    secret_name: Some(secret.clone()),
                    items: key_items(&m.key),
                    ..Default::default()
                }),
                ..Default::default()
            };
            (volume_name("secret-", path), volume)
        } else if let Some(claim) = &m.claim {
            let claim_name = if w.storage.contains_key(claim) {
                ctx.name(&format!("{}-{claim}", w.name))
            } else {
                claim.clone()
            };
            let volume = Volume {
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                    claim_name,
                    read_only: m.read_only,
                }),
                ..Default::default()
            };
            (volume_name("claim-", path), volume)
        } else {
            let limit = m
                .scratch
                .as_ref()
                .map(|s| s.0.as_str())
                .filter(|s| *s != "true");
            let volume = Volume {
                empty_dir: Some(EmptyDirVolumeSource {
                    size_limit: limit.map(|l| Quantity(l.to_string())),
                    ..Default::default()
                }),
                ..Default::default()
            };
            (volume_name("scratch-", path), volume)
        };
        volume.name = name.clone();
        let read_only = m
            .read_only
            .or((m.config.is_some() || m.secret.is_some()).then_some(true));
        volumes.push(volume);
        mounts.push(VolumeMount {
            name,
            mount_path: path.to_string(),
            // A single key mounted at a file path.
            sub_path: m.key.clone(),
            read_only,
            ..Default::default()
        });
    }
    let stateful = w.component.is_some_and(|c| c.kind == Kind::Stateful);
    let mut storage: Vec<(&String, &Storage)> = w.storage.iter().collect();
    storage.sort_by(|a, b| a.0.cmp(b.0));
    for (name, s) in storage {
        if !stateful {
            volumes.push(Volume {
                name: name.clone(),
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                    claim_name: ctx.name(&format!("{}-{name}", w.name)),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
        mounts.push(VolumeMount {
            name: name.clone(),
            mount_path: s.mount.clone(),
            ..Default::default()
        });
    }
    mounts.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
    volumes.sort_by(|a, b| a.name.cmp(&b.name));
    // A Volume takes 3 KiB whichever source it has: the lists are kept as long as they
    // are, not as they grew.
    volumes.shrink_to_fit();
    mounts.shrink_to_fit();
    (volumes, mounts)
}

/// A checksum of exactly the config a workload uses: the keys its env vars reference, and
/// whole config maps it mounts or takes with `envFrom`. Changing any other key leaves it
/// alone, so only the workloads that use a changed key roll.
fn config_checksum(w: &Workload, ctx: &Ctx) -> Option<String> {
    let mut used = ConfigUse::new();
    for value in w.env.values() {
        if let Some(reference) = &value.0.config {
            if let Ok((map, key)) = ctx.spec.config_ref(reference) {
                used.insert((map.to_string(), Some(key.to_string())));
            }
        }
    }
    if let Some(c) = w.component {
        let sidecars = c.sidecars.values().map(|s| &s.env);
        for env in c.init.values().map(|i| &i.env).chain(sidecars) {
            for value in env.values() {
                if let Some(Ok((map, key))) =
                    value.0.config.as_ref().map(|r| ctx.spec.config_ref(r))
                {
                    used.insert((map.to_string(), Some(key.to_string())));
                }
            }
        }
    }
    for from in &w.env_from {
        used.extend(from.config.iter().map(|c| (c.clone(), None)));
    }
    for m in w.mounts.values() {
        if let Some(config) = &m.config {
            used.insert((config.clone(), m.key.clone()));
        }
    }
    if let Some(sum) = ctx.checksums.borrow().get(&used) {
        return sum.clone();
    }
    let sum = checksum_of(&used, ctx);
    ctx.checksums.borrow_mut().insert(used, sum.clone());
    sum
}

/// The config a workload reads: each map with the key it reads, or `None` for all of it.
pub(super) type ConfigUse = BTreeSet<(String, Option<String>)>;

/// The checksum of the config `used` names, as it is in the spec.
fn checksum_of(used: &ConfigUse, ctx: &Ctx) -> Option<String> {
    if used.is_empty() {
        return None;
    }
    let mut hasher = Sha256::new();
    for (map, key) in used {
        let Some(entries) = ctx.spec.config.get(map) else {
            continue;
        };
        let data = config_map::data(entries);
        let selected: Vec<(&String, &String)> = match key {
            Some(k) => data.iter().filter(|(dk, _)| *dk == k).collect(),
            None => data.iter().collect(),
        };
        for (k, v) in selected {
            for part in [
                map.as_bytes(),
                b"\0",
                k.as_bytes(),
                b"\0",
                v.as_bytes(),
                b"\0",
            ] {
                hasher.update(part);
            }
        }
    }
    let digest = hasher.finalize();
    Some(crate::hex(&digest))
}

#[cfg(test)]
mod tests {
    #[test]
    fn volume_names_are_labels() {
        assert_eq!(
            super::volume_name("scratch-", "/var/run/postgresql"),
            "scratch-var-run-postgresql"
        );
        assert!(super::volume_name("config-", &"/a".repeat(100)).len() <= 63);
    }
}
