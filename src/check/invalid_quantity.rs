//! ## What it checks
//! CPU, memory and storage amounts are Kubernetes quantities (`250m`, `512Mi`, `1Gi`),
//! memory is not given in millis (`500m` of memory is half a byte), and each request is at
//! most its limit.
//!
//! ## Why
//! `memory: 128mb` is refused at apply time (`quantities must match the regular
//! expression`); a request above its limit is refused too (`must be less than or equal to
//! memory limit`).
//!
//! ## Example
//! `resources: { memory: 128mb }`.
//!
//! ## Fix
//! Write `128Mi` (binary) or `128M` (decimal).

use super::quantity::parse;
use super::{Finding, Input, Origin};
use crate::platform::component::Resources;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    resources(
        &["defaults", "resources"],
        &input.spec.defaults.resources,
        &mut out,
    );
    for (name, c) in &input.spec.components {
        resources(&["components", name, "resources"], &c.resources, &mut out);
        for (init, i) in &c.init {
            if let Some(r) = &i.resources {
                resources(
                    &["components", name, "init", init, "resources"],
                    r,
                    &mut out,
                );
            }
        }
        for (volume, s) in &c.storage {
            size(
                &["components", name, "storage", volume, "size"],
                &s.size,
                &mut out,
            );
        }
    }
    for (name, j) in &input.spec.jobs {
        resources(&["jobs", name, "resources"], &j.resources, &mut out);
        for (volume, s) in &j.storage {
            size(
                &["jobs", name, "storage", volume, "size"],
                &s.size,
                &mut out,
            );
        }
    }
    out
}

fn size(path: &[&str], value: &str, out: &mut Vec<Finding>) {
    if parse(value).is_none_or(|q| q.milli || q.value <= 0.0) {
        out.push(
            Finding::new(format!("invalid storage size `{value}`"), Origin::value(path), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
                .help("write a size such as `20Gi`"),
        );
    }
}

fn resources(base: &[&str], r: &Resources, out: &mut Vec<Finding>) {
    let amounts = [
        ("cpu", &r.cpu),
        ("memory", &r.memory),
        ("ephemeralStorage", &r.ephemeral_storage),
    ];
    for (name, amount) in amounts {
        let Some(a) = amount else { continue };
        let at = Origin::value(&[base, &[name]].concat());
        let mut parsed = Vec::new();
        // One value written once (`memory: 128mb`) is one finding, not two.
        let sides: Vec<(&str, &String)> = if a.request == a.limit {
            vec![("amount", &a.request)]
        } else {
            vec![("request", &a.request), ("limit", &a.limit)]
        };
        for (which, text) in sides {
            match parse(text) {
                None => out.push(
                    Finding::new(format!("invalid {name} {which} `{text}`"), at.clone(), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
                        .help(if name == "cpu" { "write CPU as `250m` or `0.5`" } else { "write `128Mi` (binary) or `128M` (decimal); `mb` and `MB` are not units" }),
                ),
                Some(q) if q.milli && name != "cpu" => out.push(
                    Finding::new(format!("{name} {which} `{text}` is in millibytes"), at.clone(), "`m` means milli, a thousandth of a byte")
                        .help(format!("write `{}Mi`", text.trim_end_matches('m'))),
                ),
                Some(q) if q.value < 0.0 => out.push(Finding::new(format!("{name} {which} `{text}` is negative"), at.clone(), "must be greater than or equal to 0")),
                Some(q) => parsed.push(q.value),
            }
        }
        if let [request, limit] = parsed[..] {
            // Two values were parsed: a request above its limit is refused.
            if request > limit {
                out.push(
                    Finding::new(
                        format!(
                            "{name} request `{}` is above its limit `{}`",
                            a.request, a.limit
                        ),
                        at,
                        format!("must be less than or equal to {name} limit of {}", a.limit),
                    )
                    .help("write `request/limit` with the request first"),
                );
            }
        }
    }
}
