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
    /// Health checks. A string is an HTTP GET path on the first port.
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
    /// The components this one connects to. Each opens exactly their ports in the
    /// NetworkPolicy, on both sides.
    #[serde(default)]
    pub uses: Vec<String>,
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
}

/// A HorizontalPodAutoscaler (autoscaling/v2).
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Autoscale {
    /// Fewest replicas. Default: the component's `replicas`.
    #[serde(default)]
    pub min: Option<u32>,
    /// Most replicas.
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
    /// Egress anywhere, not only to the components it uses.
    OpenEgress,
}

/// One RBAC rule of a component's Role.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessRule {
    /// API groups; `""` is the core group.
    #[serde(default)]
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
pub enum PodManagement {
    OrderedReady,
    Parallel,
}
