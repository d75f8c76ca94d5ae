//! The PodDisruptionBudget of a component.

use super::object::PodDisruptionBudget;
use super::{Ctx, deployment};
use crate::platform::component::Disruption;
use k8s_openapi::api::policy::v1::PodDisruptionBudgetSpec;

pub(crate) fn pod_disruption_budget(name: &str, d: &Disruption, ctx: &Ctx) -> PodDisruptionBudget {
    let c = &ctx.spec.components[name];
    PodDisruptionBudget {
        metadata: ctx.component_metadata(name, c),
        spec: Some(PodDisruptionBudgetSpec {
            min_available: d
                .min_available
                .as_ref()
                .map(|v| deployment::int_or_percent(Some(v), Default::default())),
            max_unavailable: d
                .max_unavailable
                .as_ref()
                .map(|v| deployment::int_or_percent(Some(v), Default::default())),
            selector: Some(ctx.selector(name)),
            ..Default::default()
        }),
        ..Default::default()
    }
}
