//! The Deployment of a stateless component: replicas, selector, rolling update, pod template.

use super::Ctx;
use super::object::Deployment;
use super::pod::{self, Workload};
use crate::platform::component::{AccessMode, Component, Strategy};
use crate::platform::values::IntOrPercent;
use k8s_openapi::api::apps::v1::{DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

pub(crate) fn deployment(name: &str, c: &Component, w: &Workload, ctx: &Ctx) -> Deployment {
    Deployment {
        metadata: ctx.component_metadata(name, c),
        spec: Some(DeploymentSpec {
            replicas: fixed_replicas(c),
            revision_history_limit: Some(5),
            selector: ctx.selector(name),
            strategy: Some(strategy(c)),
            template: pod::template(w, ctx, None),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// As `rollout.strategy` says; by default rolling updates, except for a component with a
/// ReadWriteOnce claim: a surged pod on another node could not attach the volume and the
/// rollout would stall, so the old pod goes first (`Recreate`).
fn strategy(c: &Component) -> DeploymentStrategy {
    let exclusive = c.storage.values().any(|s| {
        matches!(
            s.access,
            None | Some(AccessMode::ReadWriteOnce | AccessMode::ReadWriteOncePod)
        )
    });
    let recreate = match c.rollout.strategy {
        Some(Strategy::Recreate) => true,
        Some(Strategy::RollingUpdate) => false,
        None => exclusive,
    };
    if recreate {
        return DeploymentStrategy {
            type_: Some("Recreate".into()),
            rolling_update: None,
        };
    }
    DeploymentStrategy {
        type_: Some("RollingUpdate".into()),
        rolling_update: Some(RollingUpdateDeployment {
            max_surge: Some(int_or_percent(
                c.rollout.max_surge.as_ref(),
                IntOrString::String("25%".into()),
            )),
            max_unavailable: Some(int_or_percent(
                c.rollout.max_unavailable.as_ref(),
                IntOrString::Int(0),
            )),
        }),
    }
}

/// `spec.replicas` of a workload: left out under an autoscaler, which owns it (a fixed
/// value would scale the workload back down on every apply).
pub(crate) fn fixed_replicas(c: &Component) -> Option<i32> {
    c.autoscale.is_none().then(|| replicas(c))
}

/// A component's replicas: as set, else the autoscaler's minimum, else 1.
pub(crate) fn replicas(c: &Component) -> i32 {
    let n = c
        .replicas
        .or(c.autoscale.as_ref().and_then(|a| a.min))
        .unwrap_or(1);
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub(crate) fn int_or_percent(v: Option<&IntOrPercent>, default: IntOrString) -> IntOrString {
    match v {
        Some(IntOrPercent::Int(n)) => IntOrString::Int(*n),
        Some(IntOrPercent::Percent(p)) => IntOrString::String(p.clone()),
        None => default,
    }
}
