//! A component: one workload of the platform (an API, a worker, a database) and everything
//! that is rendered for it: its Deployment or StatefulSet, Service, autoscaler, disruption
//! budget, network paths, init containers and RBAC.
//!
//! To add a field: add it here with a doc comment (it becomes the JSON Schema description),
//! give it a serde default or make it an `Option`, and use it in `build/`.

use super::values::{EnvValue, IntOrPercent, Port, Probe, Quantity, Short};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

/// One workload: a stateless Deployment or a stateful StatefulSet.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Component {
    /// `stateless` (a Deployment, the default) or `stateful` (a StatefulSet with a headless
    /// Service and one volume claim per replica for each `storage` entry).
    #[serde(default)]
    pub kind: Kind,
    /// The container image, with a tag or digest: `gorax/api:v1.2.3`.
    pub image: String,
    /// When the kubelet pulls the image: `Always`, `IfNotPresent` or `Never`.
    #[serde(default)]
    pub image_pull_policy: Option<PullPolicy>,
    /// The entrypoint, replacing the image's.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Arguments to the entrypoint.
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// Number of pods (the HPA's minimum when `autoscale` is set). Default 1.
    #[serde(default)]
    #[schemars(range(max = 5000))]
    pub replicas: Option<u32>,
    /// Named container ports: `http: 8080`, or `metrics: { port: 9090, service: false }`.
    #[serde(default)]
    pub ports: IndexMap<String, Short<Port>>,
    /// How the component's Service is exposed.
    #[serde(default)]
    pub service: Option<Service>,
    /// More Services, by name (`<platform>-<component>-<name>`), each with the ports it
    /// names: a metrics Service with Prometheus annotations beside a LoadBalancer, say. A
    /// port may be on several Services; mark it `service: false` to keep it off the main one.
    #[serde(default)]
    pub services: IndexMap<String, ExtraService>,
    /// Health checks. A string is an HTTP GET path on the first port by name.
    #[serde(default)]
    pub probes: Probes,
    /// CPU and memory as `request/limit` (`200m/400m`, `192Mi/384Mi`); one value sets both.
    #[serde(default)]
    pub resources: Resources,
    /// Horizontal autoscaling (autoscaling/v2).
    #[serde(default)]
    pub autoscale: Option<Autoscale>,
    /// A PodDisruptionBudget: how many pods must stay up during a voluntary disruption.
    #[serde(default)]
    pub disruption: Option<Disruption>,
    /// Environment variables, by name: a literal, or `{ config: key }`, `{ secret: name/key }`,
    /// `{ field: metadata.name }`.
    #[serde(default)]
    pub env: IndexMap<String, EnvValue>,
    /// Whole config maps and secrets exposed as environment variables.
    #[serde(default)]
    pub env_from: EnvFrom,
    /// Files and writable folders mounted into the container, by mount path.
    #[serde(default)]
    pub mounts: IndexMap<String, Mount>,
    /// Persistent storage, by volume name. For a stateful component each entry is a volume
    /// claim template; for a stateless one, a PersistentVolumeClaim shared by its pods.
    #[serde(default)]
    pub storage: IndexMap<String, Storage>,
    /// What this component connects to: components and `endpoints`, by name, each `true`
    /// (every port) or a list of port names: `{ postgres: true, otel: [grpc] }`. Each opens
    /// exactly those ports in the NetworkPolicy, on both sides. An overlay adds one with
    /// one line and removes one with `null`.
    #[serde(default)]
    pub uses: super::endpoint::Uses,
    /// Spread pods across `zone`s or `node`s (a topology spread constraint).
    #[serde(default)]
    pub spread: Option<Spread>,
    /// Init containers, by name, run in order before the main container.
    #[serde(default)]
    pub init: IndexMap<String, InitContainer>,
    /// Pod security: user and group ids, and explicit relaxations of the restricted profile.
    #[serde(default)]
    pub security: Security,
    /// Access to the Kubernetes API: a Role and RoleBinding with these rules, and a mounted
    /// service-account token.
    #[serde(default)]
    pub access: Option<Vec<AccessRule>>,
    /// Rolling-update settings (Deployments) or pod management (StatefulSets).
    #[serde(default)]
    pub rollout: Rollout,
    /// Extra labels on the pods.
    #[serde(default)]
    pub labels: IndexMap<String, String>,
    /// Extra annotations on the pods (Prometheus scraping, say).
    #[serde(default)]
    pub annotations: IndexMap<String, String>,
    /// Seconds a pod gets to shut down before it is killed.
    #[serde(default)]
    pub termination_grace_period: Option<u32>,
    /// Which nodes the pods run on and how they sit relative to each other and to other
    /// components: node labels, tolerated taints, node affinity, anti-affinity.
    #[serde(default)]
    pub placement: Placement,
    /// The PriorityClass of the pods (it must exist in the cluster): `high-priority`.
    #[serde(default)]
    pub priority_class: Option<String>,
    /// Containers that run beside the main one for the pod's whole life (a proxy, a log
    /// shipper), by name. Rendered as native sidecars (init containers with
    /// `restartPolicy: Always`, Kubernetes 1.29 and later), so they start before the init
    /// containers and the main container, and under the same restricted security context.
    #[serde(default)]
    pub sidecars: IndexMap<String, Sidecar>,
    /// Secrets (`kubernetes.io/dockerconfigjson`) used to pull the images of a private
    /// registry, by name; added to `defaults.pullSecrets`.
    #[serde(default)]
    pub pull_secrets: Vec<String>,
    /// A ServiceAccount of the component's own, with annotations for workload identity
    /// (`eks.amazonaws.com/role-arn`, `iam.gke.io/gcp-service-account`,
    /// `azure.workload.identity/client-id`). Its API token is mounted only with `access`.
    #[serde(default)]
    pub service_account: Option<ServiceAccount>,
    /// Policy checks this component is exempt from, each with the reason:
    /// `image-latest: "dev builds are tagged latest"`.
    #[serde(default)]
    pub suppress: IndexMap<String, String>,
}

impl Component {
    /// The pods a component runs at least: its autoscaler's minimum, else `replicas`, else 1.
    pub fn min_pods(&self) -> u32 {
        self.autoscale
            .as_ref()
            .and_then(|a| a.min)
            .or(self.replicas)
            .unwrap_or(1)
    }
}

/// What kind of workload a component is.
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A Deployment.
    #[default]
    Stateless,
    /// A StatefulSet with a headless Service and stable pod names.
    Stateful,
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}
kubernetes_names!(PullPolicy: Always, IfNotPresent, Never);

/// The component's Service.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Service {
    /// `ClusterIP` (default), `LoadBalancer` or `NodePort`.
    #[serde(default, rename = "type")]
    pub kind: ServiceType,
    /// Annotations on the Service (load-balancer settings, say).
    #[serde(default)]
    pub annotations: IndexMap<String, String>,
}

/// A further Service of a component.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExtraService {
    /// The component's ports it exposes, by name.
    pub ports: Vec<String>,
    /// `ClusterIP` (default), `LoadBalancer` or `NodePort`.
    #[serde(default, rename = "type")]
    pub kind: ServiceType,
    /// Annotations on the Service (`prometheus.io/scrape: "true"`, say).
    #[serde(default)]
    pub annotations: IndexMap<String, String>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
pub enum ServiceType {
    #[default]
    ClusterIP,
    LoadBalancer,
    NodePort,
}
kubernetes_names!(ServiceType: ClusterIP, LoadBalancer, NodePort);

/// Liveness, readiness and startup checks.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Probes {
    /// Restarts the container when it fails.
    #[serde(default)]
    pub liveness: Option<Short<Probe>>,
    /// Takes the pod out of its Service when it fails.
    #[serde(default)]
    pub readiness: Option<Short<Probe>>,
    /// Holds the other probes back until the container has started.
    #[serde(default)]
    pub startup: Option<Short<Probe>>,
}

/// Requests and limits; each is `request/limit`, or one value for both.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Resources {
    /// CPU, e.g. `200m/400m`.
    #[serde(default)]
    pub cpu: Option<Quantity>,
    /// Memory, e.g. `192Mi/384Mi`.
    #[serde(default)]
    pub memory: Option<Quantity>,
    /// Ephemeral storage, e.g. `1Gi`.
    #[serde(default)]
    pub ephemeral_storage: Option<Quantity>,
    /// Extended resources by name, requested and limited alike (the API server requires
    /// it): `nvidia.com/gpu: 1`.
    #[serde(default)]
    pub extended: IndexMap<String, Extended>,
}

impl Resources {
    /// These resources, with each amount they lack taken from `fallback`; an extended
    /// resource set in both keeps this one's amount.
    pub fn or(&self, fallback: &Resources) -> Resources {
        Resources {
            cpu: self.cpu.clone().or_else(|| fallback.cpu.clone()),
            memory: self.memory.clone().or_else(|| fallback.memory.clone()),
            ephemeral_storage: self
                .ephemeral_storage
                .clone()
                .or_else(|| fallback.ephemeral_storage.clone()),
            extended: fallback
                .extended
                .iter()
                .chain(&self.extended)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// An amount of an extended resource: a whole number (`1`), or a quantity (`2Gi`) for
/// resources such as `hugepages-2Mi`.
#[derive(Clone, Debug, PartialEq)]
pub struct Extended(pub String);

impl<'de> Deserialize<'de> for Extended {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Extended;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a whole number such as `1`, or a quantity such as `2Gi`")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Extended, E> {
                Ok(Extended(n.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Extended, E> {
                Ok(Extended(n.to_string()))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Extended, E> {
                Ok(Extended(s.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Extended {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Extended".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A whole number such as `1`, or a quantity such as `2Gi`.",
            "type": ["integer", "string"]
        })
    }
}

/// Where a component's pods are scheduled.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Placement {
    /// Labels a node must have: `{ cloud.google.com/gke-accelerator: nvidia-l4 }`.
    #[serde(default)]
    pub node_selector: IndexMap<String, String>,
    /// Node taints the pods tolerate, by taint key: `nvidia.com/gpu: NoSchedule` (any value
    /// of the taint, one effect), or `{ value: gpu, effect: NoExecute, seconds: 300 }`.
    #[serde(default)]
    pub tolerations: IndexMap<String, Short<Toleration>>,
    /// Node affinity: node labels and the values a node must (`required`) or should
    /// (`preferred`) have. An empty list means the label must exist.
    #[serde(default)]
    pub nodes: NodeAffinity,
    /// Keep this component's pods apart, one per `node` or `zone` where the cluster allows
    /// it, or `{ across: node, required: true }` to never share one (pod anti-affinity).
    #[serde(default)]
    pub apart: Option<Short<Apart>>,
    /// Run near other components' pods, by component: `{ redis: zone }` (preferred pod
    /// affinity).
    #[serde(default)]
    pub near: IndexMap<String, Spread>,
}

/// A taint the pods tolerate.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Toleration {
    /// The taint's value; any value when left out.
    #[serde(default)]
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`; every effect when left out.
    #[serde(default)]
    pub effect: Option<TaintEffect>,
    /// With `NoExecute`: how long a pod stays on a node after the taint appears.
    #[serde(default)]
    pub seconds: Option<i64>,
}

impl super::values::ShortForm for Toleration {
    const EXPECTING: &'static str =
        "an effect (`NoSchedule`, `PreferNoSchedule`, `NoExecute`) or `{ value, effect, seconds }`";
    fn from_short(s: &str) -> Result<Self, String> {
        let effect = match s {
            "NoSchedule" => TaintEffect::NoSchedule,
            "PreferNoSchedule" => TaintEffect::PreferNoSchedule,
            "NoExecute" => TaintEffect::NoExecute,
            other => {
                return Err(format!(
                    "`{other}` is not a taint effect; expected `NoSchedule`, `PreferNoSchedule` or `NoExecute`"
                ));
            }
        };
        Ok(Toleration {
            effect: Some(effect),
            ..Toleration::default()
        })
    }
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

kubernetes_names!(TaintEffect: NoSchedule, PreferNoSchedule, NoExecute);

/// Node labels a node must or should have, each with the values it may take.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeAffinity {
    /// Only nodes with these labels: `{ kubernetes.io/arch: [amd64, arm64] }`.
    #[serde(default)]
    pub required: IndexMap<String, Vec<String>>,
    /// Nodes with these labels where there are any: `{ node.kubernetes.io/lifecycle: [on-demand] }`.
    #[serde(default)]
    pub preferred: IndexMap<String, Vec<String>>,
}

/// Pod anti-affinity among a component's own pods.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Apart {
    /// `node` or `zone`.
    pub across: Spread,
    /// Never place two pods on one node (zone); pods stay pending when there are too few.
    /// Default false: apart where possible.
    #[serde(default)]
    pub required: bool,
}

impl super::values::ShortForm for Apart {
    const EXPECTING: &'static str = "`node`, `zone`, or `{ across: node, required: true }`";
    fn from_short(s: &str) -> Result<Self, String> {
        let across = match s {
            "node" => Spread::Node,
            "zone" => Spread::Zone,
            other => return Err(format!("`{other}` is not `node` or `zone`")),
        };
        Ok(Apart {
            across,
            required: false,
        })
    }
}

/// A container beside the main one for the pod's whole life.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Sidecar {
    /// The image, with a tag or digest.
    pub image: String,
    /// The entrypoint, replacing the image's.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Arguments to the entrypoint.
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// Environment variables, by name, as for components (the component's own are not
    /// passed).
    #[serde(default)]
    pub env: IndexMap<String, EnvValue>,
    /// Requests and limits; `defaults.resources` fill what is left out.
    #[serde(default)]
    pub resources: Resources,
}

/// The component's own ServiceAccount.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceAccount {
    /// Its name; `<platform>-<component>` when left out. A cloud role trusts this name.
    #[serde(default)]
    pub name: Option<String>,
    /// Annotations, such as `eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/api`.
    #[serde(default)]
    pub annotations: IndexMap<String, String>,
}

/// A HorizontalPodAutoscaler (autoscaling/v2).
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Autoscale {
    /// Fewest replicas. Default: the component's `replicas`.
    #[serde(default)]
    #[schemars(range(max = 5000))]
    pub min: Option<u32>,
    /// Most replicas.
    #[schemars(range(max = 5000))]
    pub max: u32,
    /// Target average CPU utilisation, in percent of the request.
    #[serde(default)]
    pub cpu: Option<u32>,
    /// Target average memory utilisation, in percent of the request.
    #[serde(default)]
    pub memory: Option<u32>,
    /// Custom metrics, by metric name.
    #[serde(default)]
    pub metrics: IndexMap<String, Metric>,
    /// How fast to scale up and down.
    #[serde(default)]
    pub behavior: Option<Behavior>,
}

/// A custom metric target.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metric {
    /// `pods` (a per-pod metric, the default), `object` (a metric of another object) or
    /// `external` (a metric from outside the cluster).
    #[serde(default, rename = "type")]
    pub kind: MetricType,
    /// Target average value per pod (`pods`, `external`), e.g. `"10"`.
    #[serde(default)]
    pub average: Option<String>,
    /// Target total value (`object`, `external`).
    #[serde(default)]
    pub value: Option<String>,
    /// For `object`: the described object, `Kind/name` (e.g. `Service/gorax-api`).
    #[serde(default)]
    pub object: Option<String>,
    /// Label selector on the metric.
    #[serde(default)]
    pub selector: IndexMap<String, String>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    #[default]
    Pods,
    Object,
    External,
}

/// Scaling behaviour for both directions.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Behavior {
    /// How fast pods are added.
    #[serde(default)]
    pub scale_up: Option<ScalingRules>,
    /// How fast pods are removed.
    #[serde(default)]
    pub scale_down: Option<ScalingRules>,
}

/// How fast one direction may scale.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScalingRules {
    /// Seconds of past recommendations to consider (0–3600).
    #[serde(default)]
    pub stabilization: Option<i32>,
    /// At most this many pods per `period` seconds.
    #[serde(default)]
    pub pods: Option<ScalingPolicy>,
    /// At most this percentage of pods per `period` seconds.
    #[serde(default)]
    pub percent: Option<ScalingPolicy>,
    /// With both `pods` and `percent`: `Max` (default), `Min` or `Disabled`.
    #[serde(default)]
    pub select: Option<SelectPolicy>,
}

#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScalingPolicy {
    /// Pods, or percent of the current pods.
    pub value: i32,
    /// Seconds (1–1800).
    pub period: i32,
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
pub enum SelectPolicy {
    Max,
    Min,
    Disabled,
}
kubernetes_names!(SelectPolicy: Max, Min, Disabled);

/// A PodDisruptionBudget: set one of the two.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Disruption {
    /// Pods that must stay available: a number or a percentage (`50%`).
    #[serde(default)]
    pub min_available: Option<IntOrPercent>,
    /// Pods that may be down at once: a number or a percentage.
    #[serde(default)]
    pub max_unavailable: Option<IntOrPercent>,
}

/// Whole config maps and secrets as environment variables.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvFrom {
    /// Config maps of this spec's `config`, by name.
    #[serde(default)]
    pub config: Vec<String>,
    /// Secrets, by name. wfk references them; it never writes them.
    #[serde(default)]
    pub secrets: Vec<String>,
}

/// What is mounted at a path. Set exactly one of the fields.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Mount {
    /// A config map of this spec's `config`; with `key`, only that file.
    #[serde(default)]
    pub config: Option<String>,
    /// A secret, by name; with `key`, only that file.
    #[serde(default)]
    pub secret: Option<String>,
    /// Mount only this key, as a file at the mount path.
    #[serde(default)]
    pub key: Option<String>,
    /// A writable scratch folder (an emptyDir), with an optional size limit.
    #[serde(default)]
    pub scratch: Option<ScratchSize>,
    /// An existing PersistentVolumeClaim, or a `storage` entry of a job, by name.
    #[serde(default)]
    pub claim: Option<String>,
    /// Mount read-only (default true for config and secrets).
    #[serde(default)]
    pub read_only: Option<bool>,
}

/// `true`, or a size limit such as `1Gi`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(transparent)]
pub struct ScratchSize(pub String);

impl JsonSchema for ScratchSize {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ScratchSize".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "`true`, or a size limit such as `1Gi`.",
            "type": ["boolean", "string"]
        })
    }
}

/// A persistent volume.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Storage {
    /// Requested size, e.g. `20Gi`.
    pub size: String,
    /// Where it is mounted in the container.
    pub mount: String,
    /// The storage class; the cluster's default when left out.
    #[serde(default)]
    pub class: Option<String>,
    /// `ReadWriteOnce` (default), `ReadWriteMany`, `ReadOnlyMany` or `ReadWriteOncePod`.
    #[serde(default)]
    pub access: Option<AccessMode>,
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
pub enum AccessMode {
    ReadWriteOnce,
    ReadWriteMany,
    ReadOnlyMany,
    ReadWriteOncePod,
}
kubernetes_names!(AccessMode: ReadWriteOnce, ReadWriteMany, ReadOnlyMany, ReadWriteOncePod);

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Spread {
    /// Across `topology.kubernetes.io/zone`.
    Zone,
    /// Across `kubernetes.io/hostname`.
    Node,
}

/// A container that runs to completion before the main one starts.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InitContainer {
    /// The image; the component's own when left out.
    #[serde(default)]
    pub image: Option<String>,
    /// The entrypoint, replacing the image's.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Arguments to the entrypoint.
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// Extra environment variables; the component's own are passed too.
    #[serde(default)]
    pub env: IndexMap<String, EnvValue>,
    /// Requests and limits; the component's own when left out.
    #[serde(default)]
    pub resources: Option<Resources>,
}

/// The pod's identity and any relaxation of the restricted Pod Security Standard.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Security {
    /// Numeric user id (default from `defaults.security`, else 10001).
    #[serde(default)]
    pub run_as_user: Option<i64>,
    /// Numeric group id.
    #[serde(default)]
    pub run_as_group: Option<i64>,
    /// Group that owns mounted volumes.
    #[serde(default)]
    pub fs_group: Option<i64>,
    /// Relaxations, each with the reason it is needed:
    /// `writableRootFilesystem: "nginx writes its pid file to /var/run"`.
    #[serde(default)]
    pub relax: IndexMap<Relaxation, String>,
}

/// A default of the restricted profile that a component may turn off, with a reason.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub enum Relaxation {
    /// `readOnlyRootFilesystem: false`.
    WritableRootFilesystem,
    /// No default-deny network policy paths for this component: all ingress allowed.
    OpenIngress,
    /// Egress anywhere, not only to the components it uses, except the cloud instance
    /// metadata address (`169.254.169.254`, `fd00:ec2::254`), which hands out the node's
    /// credentials on most clouds.
    OpenEgress,
    /// Egress to the cloud instance metadata address on port 80, with or without
    /// `openEgress`: for software that reads the node's identity from it.
    CloudMetadata,
}

fn core_group() -> Vec<String> {
    vec![String::new()]
}

/// One RBAC rule of a component's Role.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessRule {
    /// API groups; `""` is the core group, the default (a rule with no group matches
    /// nothing).
    #[serde(default = "core_group")]
    pub api_groups: Vec<String>,
    /// Resource types, such as `pods` or `configmaps`.
    pub resources: Vec<String>,
    /// What may be done: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`.
    pub verbs: Vec<String>,
    /// Only these objects, by name; all of them when left out.
    #[serde(default)]
    pub resource_names: Vec<String>,
}

/// Rollout settings.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rollout {
    /// Deployments: `RollingUpdate` (the default), or `Recreate` to stop the old pods
    /// before starting new ones (a single writer). A component with a ReadWriteOnce claim
    /// is `Recreate` unless it says otherwise.
    #[serde(default)]
    pub strategy: Option<Strategy>,
    /// Deployments: extra pods during an update (number or percent).
    #[serde(default)]
    pub max_surge: Option<IntOrPercent>,
    /// Pods that may be unavailable during an update (number or percent).
    #[serde(default)]
    pub max_unavailable: Option<IntOrPercent>,
    /// StatefulSets: `OrderedReady` (default) or `Parallel`.
    #[serde(default)]
    pub pod_management: Option<PodManagement>,
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
pub enum Strategy {
    RollingUpdate,
    Recreate,
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
pub enum PodManagement {
    OrderedReady,
    Parallel,
}
kubernetes_names!(PodManagement: OrderedReady, Parallel);
