//! The StatefulSet of a stateful component: the headless Service it is governed by, and one
//! volume claim per replica for each `storage` entry.

use super::object::StatefulSet;
use super::pod::{self, Workload};
use super::{Ctx, deployment, persistent_volume_claim, service};
use crate::platform::component::Component;
use k8s_openapi::api::apps::v1::{
    RollingUpdateStatefulSetStrategy, StatefulSetSpec, StatefulSetUpdateStrategy,
};

pub(crate) fn stateful_set(name: &str, c: &Component, w: &Workload, ctx: &Ctx) -> StatefulSet {
    let mut claims: Vec<_> = c.storage.iter().collect();
    claims.sort_by(|a, b| a.0.cmp(b.0));
    let claims: Vec<_> = claims
        .into_iter()
        .map(|(n, s)| persistent_volume_claim::template(n, s))
        .collect();
    StatefulSet {
        metadata: ctx.component_metadata(name, c),
        spec: Some(StatefulSetSpec {
            replicas: deployment::fixed_replicas(c),
            service_name: Some(service::headless_name(name, ctx)),
            selector: ctx.selector(name),
            pod_management_policy: c.rollout.pod_management.map(|p| p.as_str().to_string()),
            update_strategy: Some(StatefulSetUpdateStrategy {
                type_: Some("RollingUpdate".into()),
                rolling_update: c.rollout.max_unavailable.as_ref().map(|m| {
                    RollingUpdateStatefulSetStrategy {
                        max_unavailable: Some(deployment::int_or_percent(
                            Some(m),
                            Default::default(),
                        )),
                        ..Default::default()
                    }
                }),
            }),
            template: pod::template(w, ctx, None),
            volume_claim_templates: (!claims.is_empty()).then_some(claims),
            ..Default::default()
        }),
        ..Default::default()
    }
}
