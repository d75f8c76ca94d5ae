//! Every kind wfk renders, in one list whose order is the apply order: a stream in this
//! order is accepted by `kubectl apply` in one pass (namespaces first, then what pods
//! reference, then workloads, then what refers to workloads).
//!
//! To add a kind: write build/<kind>.rs, add its name below (position = apply order), call
//! it from `build::all`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{Metadata, Resource};
use serde::Serialize;

macro_rules! objects {
    ($($kind:ident: $path:path,)*) => {
        $(pub use $path as $kind;)*

        /// One rendered Kubernetes object.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object {
            $($kind(Box<$kind>),)*
            /// A custom resource from a template (a ServiceMonitor, say); applied last, as it
            /// usually refers to what comes before it.
            Custom(Box<Custom>),
        }

        $(impl From<$kind> for Object {
            fn from(o: $kind) -> Self {
                Object::$kind(Box::new(o))
            }
        })*

        impl Object {
            /// The kind's place in apply order.
            pub fn rank(&self) -> usize {
                let mut rank = 0;
                $(
                    if let Object::$kind(_) = self {
                        return rank;
                    }
                    rank += 1;
                )*
                rank
            }

            pub fn kind(&self) -> &str {
                match self {
                    $(Object::$kind(_) => <$kind as Resource>::KIND,)*
                    Object::Custom(c) => &c.kind,
                }
            }

            pub fn api_version(&self) -> &str {
                match self {
                    $(Object::$kind(_) => <$kind as Resource>::API_VERSION,)*
                    Object::Custom(c) => &c.api_version,
                }
            }

            pub fn metadata(&self) -> &ObjectMeta {
                match self {
                    $(Object::$kind(o) => o.metadata(),)*
                    Object::Custom(c) => &c.metadata,
                }
            }

            pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
                match self {
                    $(Object::$kind(o) => o.metadata_mut(),)*
                    Object::Custom(c) => &mut c.metadata,
                }
            }

            /// An object from data (a template's output, a patched object): a kind wfk knows
            /// becomes its k8s-openapi type, and every field that type does not have is
            /// returned in `unknown` (k8s-openapi would drop it silently); any other kind is
            /// a custom resource.
            pub fn from_value(value: serde_json::Value, unknown: &mut Vec<String>) -> Result<Object, String> {
                let api_version = value["apiVersion"].as_str().unwrap_or_default().to_string();
                let kind = value["kind"].as_str().unwrap_or_default().to_string();
                $(
                    if kind == <$kind as Resource>::KIND && api_version == <$kind as Resource>::API_VERSION {
                        let object: $kind = serde_ignored::deserialize(value, |path| unknown.push(path.to_string()))
                            .map_err(|e| e.to_string())?;
                        return Ok(object.into());
                    }
                )*
                Custom::from_value(value, unknown).map(|c| Object::Custom(Box::new(c)))
            }
        }

        impl Serialize for Object {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Object::$kind(o) => o.serialize(s),)*
                    Object::Custom(c) => c.serialize(s),
                }
            }
        }
    };
}

/// A custom resource: its type, metadata, and the rest as data.
#[derive(Clone, Debug, PartialEq)]
pub struct Custom {
    pub api_version: String,
    pub kind: String,
    pub metadata: ObjectMeta,
    pub rest: serde_json::Map<String, serde_json::Value>,
}

impl Custom {
    /// A custom resource; fields its `metadata` does not have go to `unknown`, as for the
    /// kinds wfk knows.
    fn from_value(value: serde_json::Value, unknown: &mut Vec<String>) -> Result<Custom, String> {
        let serde_json::Value::Object(mut map) = value else {
            return Err("a document is not a mapping".into());
        };
        let mut text = |key: &str| match map.remove(key) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s),
            _ => Err(format!("a custom resource needs `{key}`")),
        };
        let api_version = text("apiVersion")?;
        let kind = text("kind")?;
        let metadata: ObjectMeta =
            serde_ignored::deserialize(map.remove("metadata").unwrap_or_default(), |path| {
                unknown.push(format!("metadata.{path}"))
            })
            .map_err(|e| format!("invalid `metadata`: {e}"))?;
        Ok(Custom {
            api_version,
            kind,
            metadata,
            rest: map,
        })
    }
}

impl Serialize for Custom {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.rest.len() + 3))?;
        map.serialize_entry("apiVersion", &self.api_version)?;
        map.serialize_entry("kind", &self.kind)?;
        map.serialize_entry("metadata", &self.metadata)?;
        for (k, v) in &self.rest {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

objects! {
    Namespace: k8s_openapi::api::core::v1::Namespace,
    StorageClass: k8s_openapi::api::storage::v1::StorageClass,
    ServiceAccount: k8s_openapi::api::core::v1::ServiceAccount,
    Role: k8s_openapi::api::rbac::v1::Role,
    RoleBinding: k8s_openapi::api::rbac::v1::RoleBinding,
    ConfigMap: k8s_openapi::api::core::v1::ConfigMap,
    PersistentVolumeClaim: k8s_openapi::api::core::v1::PersistentVolumeClaim,
    Service: k8s_openapi::api::core::v1::Service,
    Deployment: k8s_openapi::api::apps::v1::Deployment,
    StatefulSet: k8s_openapi::api::apps::v1::StatefulSet,
    Job: k8s_openapi::api::batch::v1::Job,
    CronJob: k8s_openapi::api::batch::v1::CronJob,
    HorizontalPodAutoscaler: k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler,
    PodDisruptionBudget: k8s_openapi::api::policy::v1::PodDisruptionBudget,
    NetworkPolicy: k8s_openapi::api::networking::v1::NetworkPolicy,
    Ingress: k8s_openapi::api::networking::v1::Ingress,
}

/// Built-in cluster-scoped kinds (`kubectl api-resources --namespaced=false`).
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

/// Whether objects of `kind` live outside any namespace: the built-in cluster-scoped kinds,
/// and custom resources named `Cluster…` (cert-manager's ClusterIssuer, Kyverno's
/// ClusterPolicy), as that is how such kinds are named. Every other kind gets the
/// platform's namespace.
pub fn cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind) || kind.starts_with("Cluster")
}

impl Object {
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    /// The sort key of a stream: apply order, then name.
    pub fn order(&self) -> (usize, &str) {
        (self.rank(), self.name())
    }
}
