//! ## What it checks
//! That every workload's selector matches its own pod template, and that every Service,
//! PodDisruptionBudget and autoscaler selects or targets a workload that exists.
//!
//! ## Why
//! The API server refuses a Deployment whose selector does not match its template
//! (`selector does not match template labels`); a Service that selects nothing silently
//! routes nowhere.
//!
//! ## Example
//! A patch or template that changes pod labels.
//!
//! ## Fix
//! Keep the `app.kubernetes.io/name` and `instance` labels that wfk sets.

use super::{Fact, Finding, Input, origin_of, pod_template};
use crate::build::object::Object;
use std::collections::BTreeMap;

/// The label every wfk selector names.
pub(super) const NAME: &str = "app.kubernetes.io/name";

pub(super) fn matches(
    selector: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for object in input.objects {
        let Some(labels) = pod_template(object)
            .and_then(|t| t.metadata.as_ref())
            .and_then(|m| m.labels.as_ref())
        else {
            continue;
        };
        let selector = match object {
            Object::Deployment(d) => d
                .spec
                .as_ref()
                .and_then(|s| s.selector.match_labels.clone()),
            Object::StatefulSet(s) => s
                .spec
                .as_ref()
                .and_then(|s| s.selector.match_labels.clone()),
            _ => continue,
        };
        if !selector.as_ref().is_some_and(|s| matches(s, labels)) {
            out.push(Finding::new(
                format!(
                    "the selector of {} `{}` does not match its template labels",
                    object.kind(),
                    object.name()
                ),
                origin_of(input, object),
                "selector does not match template labels",
            ));
        }
    }
    for object in input.objects {
        let (selector, what) = match object {
            Object::Service(s) => (s.spec.as_ref().and_then(|s| s.selector.clone()), "selects"),
            Object::PodDisruptionBudget(p) => (
                p.spec
                    .as_ref()
                    .and_then(|s| s.selector.as_ref())
                    .and_then(|s| s.match_labels.clone()),
                "protects",
            ),
            _ => continue,
        };
        let Some(selector) = selector else { continue };
        // The pods of every workload of the render, as a selector may name pods of
        // another batch ([`Fact::Selected`] looks only at the pods of the name it names:
        // linear in the objects, not quadratic).
        let selected = Fact::Selected(selector);
        if !input.holds(&selected) {
            out.push(
                Finding::new(
                    format!(
                        "{} `{}` {what} no pods of this platform",
                        object.kind(),
                        object.name()
                    ),
                    origin_of(input, object),
                    "its selector matches no workload",
                )
                .help("point it at a component's pods")
                .unless(selected),
            );
        }
    }
    for object in input.objects {
        if let Object::HorizontalPodAutoscaler(h) = object {
            let Some(target) = h.spec.as_ref().map(|s| &s.scale_target_ref) else {
                continue;
            };
            let rendered = Fact::Rendered(target.kind.clone(), target.name.clone());
            if !input.holds(&rendered) {
                out.push(
                    Finding::new(
                        format!(
                            "autoscaler `{}` targets {} `{}`, which is not rendered",
                            object.name(),
                            target.kind,
                            target.name
                        ),
                        origin_of(input, object),
                        "its target is missing",
                    )
                    .unless(rendered),
                );
            }
        }
    }
    out
}
