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

            pub fn kind(&self) -> &'static str {
                match self {
                    $(Object::$kind(_) => <$kind as Resource>::KIND,)*
                }
            }

            pub fn api_version(&self) -> &'static str {
                match self {
                    $(Object::$kind(_) => <$kind as Resource>::API_VERSION,)*
                }
            }

            pub fn metadata(&self) -> &ObjectMeta {
                match self {
                    $(Object::$kind(o) => o.metadata(),)*
                }
            }

            pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
                match self {
                    $(Object::$kind(o) => o.metadata_mut(),)*
                }
            }
        }

        impl Serialize for Object {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Object::$kind(o) => o.serialize(s),)*
                }
            }
        }
    };
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

impl Object {
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    /// The sort key of a stream: apply order, then name.
    pub fn order(&self) -> (usize, &str) {
        (self.rank(), self.name())
    }
}
