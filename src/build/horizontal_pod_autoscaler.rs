//! The HorizontalPodAutoscaler (autoscaling/v2) of a component: CPU and memory utilisation,
//! custom metrics, and scaling behaviour.

use super::object::HorizontalPodAutoscaler;
use super::{Ctx, deployment};
use crate::platform::component::{Autoscale, Behavior, Component, Kind, MetricType, ScalingRules};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, ExternalMetricSource, HPAScalingPolicy, HPAScalingRules,
    HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricIdentifier, MetricSpec,
    MetricTarget, ObjectMetricSource, PodsMetricSource, ResourceMetricSource,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

pub(crate) fn horizontal_pod_autoscaler(
    name: &str,
    c: &Component,
    a: &Autoscale,
    ctx: &Ctx,
) -> HorizontalPodAutoscaler {
    let mut metrics = Vec::new();
    for (resource, target) in [("cpu", a.cpu), ("memory", a.memory)] {
        if let Some(percent) = target {
            metrics.push(MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: resource.into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(i32::try_from(percent).unwrap_or(i32::MAX)),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            });
        }
    }
    let mut custom: Vec<_> = a.metrics.iter().collect();
    custom.sort_by(|x, y| x.0.cmp(y.0));
    for (metric_name, m) in custom {
        let metric = MetricIdentifier {
            name: metric_name.clone(),
            selector: (!m.selector.is_empty()).then(|| LabelSelector {
                match_labels: super::string_map(&m.selector),
                ..Default::default()
            }),
        };
        let target = MetricTarget {
            type_: if m.average.is_some() {
                "AverageValue"
            } else {
                "Value"
            }
            .into(),
            average_value: m.average.clone().map(Quantity),
            value: m.value.clone().map(Quantity),
            ..Default::default()
        };
        let spec = match m.kind {
            MetricType::Pods => MetricSpec {
                type_: "Pods".into(),
                pods: Some(PodsMetricSource { metric, target }),
                ..Default::default()
            },
            MetricType::External => MetricSpec {
                type_: "External".into(),
                external: Some(ExternalMetricSource { metric, target }),
                ..Default::default()
            },
            MetricType::Object => {
                let (kind, object) = m
                    .object
                    .as_deref()
                    .and_then(|o| o.split_once('/'))
                    .unwrap_or(("Service", ""));
                let api_version = match kind {
                    "Deployment" | "StatefulSet" => "apps/v1",
                    "Ingress" => "networking.k8s.io/v1",
                    _ => "v1",
                };
                MetricSpec {
                    type_: "Object".into(),
                    object: Some(ObjectMetricSource {
                        described_object: CrossVersionObjectReference {
                            api_version: Some(api_version.into()),
                            kind: kind.into(),
                            name: object.into(),
                        },
                        metric,
                        target,
                    }),
                    ..Default::default()
                }
            }
        };
        metrics.push(spec);
    }
    // A MetricSpec is large; the list is kept as long as it is, not as it grew.
    metrics.shrink_to_fit();
    let target_kind = match c.kind {
        Kind::Stateless => "Deployment",
        Kind::Stateful => "StatefulSet",
    };
    HorizontalPodAutoscaler {
        metadata: ctx.component_metadata(name, c),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: target_kind.into(),
                name: ctx.name(name),
            },
            min_replicas: Some(a.min.map_or_else(
                || deployment::replicas(c),
                |m| i32::try_from(m).unwrap_or(i32::MAX),
            )),
            max_replicas: i32::try_from(a.max).unwrap_or(i32::MAX),
            metrics: (!metrics.is_empty()).then_some(metrics),
            behavior: a.behavior.as_ref().map(behavior),
        }),
        ..Default::default()
    }
}

fn behavior(b: &Behavior) -> HorizontalPodAutoscalerBehavior {
    HorizontalPodAutoscalerBehavior {
        scale_up: b.scale_up.as_ref().map(rules),
        scale_down: b.scale_down.as_ref().map(rules),
    }
}

fn rules(r: &ScalingRules) -> HPAScalingRules {
    let mut policies = Vec::new();
    for (kind, policy) in [("Pods", &r.pods), ("Percent", &r.percent)] {
        if let Some(p) = policy {
            policies.push(HPAScalingPolicy {
                type_: kind.into(),
                value: p.value,
                period_seconds: p.period,
            });
        }
    }
    HPAScalingRules {
        stabilization_window_seconds: r.stabilization,
        policies: (!policies.is_empty()).then_some(policies),
        select_policy: r.select.map(|s| s.as_str().to_string()),
        ..Default::default()
    }
}
