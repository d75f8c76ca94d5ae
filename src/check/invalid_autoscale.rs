//! ## What it checks
//! Autoscaler bounds and behaviour, as the API server validates them: `min` at least 1,
//! `max` at least `min`, utilisation targets above 0, stabilization windows 0–3600 s,
//! policy periods 1–1800 s and values above 0. Custom metrics have the parts their type
//! requires: a `pods` metric an `average`; an `object` metric its `object` (`Kind/name`)
//! and a `value` or an `average`; an `external` metric one of `value` and `average`.
//!
//! ## Why
//! `min: 5, max: 3` is refused at apply time (`must be greater than or equal to
//! minReplicas`); an `object` metric without its object would name no object at all.
//!
//! ## Example
//! `autoscale: { min: 5, max: 3 }`, or `metrics: { queue: { type: object, value: "10" } }`.
//!
//! ## Fix
//! Make `max` at least `min`; give a metric the parts its type needs.

use super::{Finding, Input, Origin};
use crate::platform::component::{Metric, MetricType, ScalingRules};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        let Some(a) = &c.autoscale else { continue };
        let base = ["components", name.as_str(), "autoscale"];
        let min = a.min.or(c.replicas).unwrap_or(1);
        if min < 1 {
            let at = if a.min.is_some() {
                Origin::value(&[&base[..], &["min"]].concat())
            } else {
                Origin::value(&["components", name, "replicas"])
            };
            out.push(
                Finding::new(
                    format!("the autoscaler of `{name}` has a minimum of {min}"),
                    at,
                    "must be greater than or equal to 1",
                )
                .help("set `min` to 1 or more"),
            );
        }
        if a.max < min {
            out.push(
                Finding::new(
                    format!(
                        "the autoscaler of `{name}` has max {} below min {min}",
                        a.max
                    ),
                    Origin::value(&[&base[..], &["max"]].concat()),
                    format!("must be greater than or equal to `minReplicas` ({min})"),
                )
                .help(format!("set `max` to at least {min}")),
            );
        }
        for (target, value) in [("cpu", a.cpu), ("memory", a.memory)] {
            if value == Some(0) {
                out.push(
                    Finding::new(
                        format!("the {target} target of `{name}`'s autoscaler is 0"),
                        Origin::value(&[&base[..], &[target]].concat()),
                        "must be greater than 0",
                    )
                    .help("use a percentage of the request, such as 70"),
                );
            }
        }
        for (metric, m) in &a.metrics {
            let service = format!("{}-{name}", input.spec.platform);
            out.extend(metric_parts(name, metric, m, &service));
        }
        if let Some(b) = &a.behavior {
            for (dir, rules) in [("scaleUp", &b.scale_up), ("scaleDown", &b.scale_down)] {
                if let Some(r) = rules {
                    behavior(name, dir, r, &mut out);
                }
            }
        }
    }
    out
}

/// The parts a custom metric's type requires, with the API server's words where it has
/// them. A missing part points at the metric's name; `service` is the component's
/// Service, an example of an object to name.
fn metric_parts(name: &str, metric: &str, m: &Metric, service: &str) -> Vec<Finding> {
    let base = ["components", name, "autoscale", "metrics", metric];
    let what = format!("custom metric `{metric}` of `{name}`'s autoscaler");
    let mut out = Vec::new();
    let targets = "set `value` (the total) or `average` (per pod), e.g. `average: \"10\"`";
    match m.kind {
        MetricType::Pods => {
            if m.average.is_none() {
                out.push(
                    Finding::new(
                        format!("{what} has type `pods` but no `average`"),
                        Origin::key(&base),
                        "must specify a positive target averageValue",
                    )
                    .help("a `pods` metric is averaged over the pods: set `average`, e.g. `average: \"10\"`"),
                );
            }
        }
        MetricType::Object => {
            match m.object.as_deref() {
                None => out.push(
                    Finding::new(
                        format!("{what} has type `object` but no `object`"),
                        Origin::key(&base),
                        "must populate information for the given metric source",
                    )
                    .help(format!(
                        "name the object the metric describes as `Kind/name`: `object: Service/{service}`"
                    )),
                ),
                Some(object) => {
                    let parts = object.split_once('/');
                    if !parts.is_some_and(|(k, n)| !k.is_empty() && !n.is_empty()) {
                        out.push(
                            Finding::new(
                                format!("{what} names the object `{object}`, not `Kind/name`"),
                                Origin::value(&[&base[..], &["object"]].concat()),
                                "the described object needs a kind and a name",
                            )
                            .help(format!("write `Kind/name`: `object: Service/{service}`")),
                        );
                    }
                }
            }
            if m.value.is_none() && m.average.is_none() {
                out.push(
                    Finding::new(
                        format!("{what} has no target"),
                        Origin::key(&base),
                        "must set either a target value or averageValue",
                    )
                    .help(targets),
                );
            }
        }
        MetricType::External => match (&m.value, &m.average) {
            (None, None) => out.push(
                Finding::new(
                    format!("{what} has no target"),
                    Origin::key(&base),
                    "must set either a target value for metric or a per-pod target",
                )
                .help(targets),
            ),
            (Some(_), Some(_)) => out.push(
                Finding::new(
                    format!("{what} sets both `value` and `average`"),
                    Origin::value(&[&base[..], &["value"]].concat()),
                    "may not set both a target value for metric and a per-pod target",
                )
                .help("keep one: `value` for the total, `average` per pod"),
            ),
            _ => {}
        },
    }
    out
}

fn behavior(name: &str, dir: &str, r: &ScalingRules, out: &mut Vec<Finding>) {
    let base = ["components", name, "autoscale", "behavior", dir];
    if let Some(s) = r.stabilization {
        if !(0..=3600).contains(&s) {
            out.push(
                Finding::new(
                    format!("stabilization window {s} of `{name}` is out of range"),
                    Origin::value(&[&base[..], &["stabilization"]].concat()),
                    "must be between 0 and 3600, inclusive",
                )
                .help("use seconds from 0 to 3600"),
            );
        }
    }
    for (kind, policy) in [("pods", &r.pods), ("percent", &r.percent)] {
        let Some(p) = policy else { continue };
        let at = |f: &str| Origin::value(&[&base[..], &[kind, f]].concat());
        if p.value <= 0 {
            out.push(Finding::new(
                format!(
                    "scaling policy value {} of `{name}` is not positive",
                    p.value
                ),
                at("value"),
                "must be greater than zero",
            ));
        }
        if !(1..=1800).contains(&p.period) {
            out.push(
                Finding::new(
                    format!(
                        "scaling policy period {} of `{name}` is out of range",
                        p.period
                    ),
                    at("period"),
                    "must be between 1 and 1800, inclusive",
                )
                .help("use seconds from 1 to 1800"),
            );
        }
    }
}
