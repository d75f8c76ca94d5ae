//! PersistentVolumeClaims for the `storage` of stateless components and jobs (stateful
//! components get volume claim templates instead).

use super::Ctx;
use super::object::PersistentVolumeClaim;
use crate::platform::component::{AccessMode, Storage};
use indexmap::IndexMap;
use k8s_openapi::api::core::v1::{PersistentVolumeClaimSpec, VolumeResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

pub(crate) fn claims(
    owner: &str,
    storage: &IndexMap<String, Storage>,
    ctx: &Ctx,
) -> Vec<PersistentVolumeClaim> {
    storage
        .iter()
        .map(|(name, s)| PersistentVolumeClaim {
            metadata: ctx.metadata(
                ctx.name(&format!("{owner}-{name}")),
                ctx.workload_labels(owner, None),
            ),
            spec: Some(spec(s)),
            ..Default::default()
        })
        .collect()
}

/// The claim spec shared by PersistentVolumeClaims and volume claim templates.
pub(crate) fn spec(s: &Storage) -> PersistentVolumeClaimSpec {
    PersistentVolumeClaimSpec {
        access_modes: Some(vec![
            s.access
                .map_or("ReadWriteOnce", AccessMode::as_str)
                .to_string(),
        ]),
        storage_class_name: s.class.clone(),
        resources: Some(VolumeResourceRequirements {
            requests: Some(BTreeMap::from([(
                "storage".to_string(),
                Quantity(s.size.clone()),
            )])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A volume claim template of a StatefulSet.
pub(crate) fn template(name: &str, s: &Storage) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            ..Default::default()
        },
        spec: Some(spec(s)),
        ..Default::default()
    }
}
