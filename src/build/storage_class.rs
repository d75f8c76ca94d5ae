//! StorageClass objects the spec declares (cluster-scoped).

use super::Ctx;
use super::object::StorageClass;
use crate::platform::StorageClass as Spec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub(crate) fn storage_class(name: &str, s: &Spec, ctx: &Ctx) -> StorageClass {
    StorageClass {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(ctx.labels()),
            ..Default::default()
        },
        provisioner: s.provisioner.clone(),
        parameters: super::string_map(&s.parameters),
        reclaim_policy: s.reclaim_policy.clone(),
        volume_binding_mode: s.volume_binding_mode.clone(),
        allow_volume_expansion: s.allow_volume_expansion,
        ..Default::default()
    }
}
