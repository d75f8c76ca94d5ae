//! ## What it checks
//! Autoscaler bounds and behaviour, as the API server validates them: `min` at least 1,
//! `max` at least `min`, utilisation targets above 0, stabilization windows 0–3600 s,
//! policy periods 1–1800 s and values above 0.
//!
//! ## Why
//! `min: 5, max: 3` is refused at apply time (`must be greater than or equal to
//! minReplicas`).
//!
//! ## Example
//! `autoscale: { min: 5, max: 3 }`.
//!
//! ## Fix
//! Make `max` at least `min`.

use super::{Finding, Input, Origin};
use crate::platform::component::ScalingRules;

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
