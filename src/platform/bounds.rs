//! Documented maxima (README, "Limits on input"): a count past one is an error at its line
//! before any object is built, so no spec makes wfk allocate without bound. A stateful
//! component's `peers` value, say, grows with its replicas: at 2147483647 it would be a
//! 51 GB string.

use super::Platform;
use super::values::EnvValue;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::merge::{At, Merged};
use indexmap::IndexMap;

/// The most replicas a component (or its autoscaler) may ask for. Kubernetes' tested
/// limits are 150,000 pods in a cluster of 5,000 nodes; one workload of more than 5,000
/// pods is beyond any platform wfk is for.
pub const MAX_REPLICAS: u32 = 5_000;

/// The most environment variables one container may have (each `env` map).
pub const MAX_ENV_VARS: usize = 1_000;

pub(super) fn check(platform: &Platform, merged: &Merged) -> Diagnostics {
    let mut out = Vec::new();
    let mut count = |path: &[&str], value: Option<u32>| {
        if let Some(n) = value.filter(|&n| n > MAX_REPLICAS) {
            out.push(over(merged, path, At::Value, format!("{n} replicas is more than the limit of {MAX_REPLICAS}"), &format!("at most {MAX_REPLICAS} replicas per component; split the work across components")));
        }
    };
    for (name, c) in &platform.components {
        count(&["components", name, "replicas"], c.replicas);
        if let Some(a) = &c.autoscale {
            count(&["components", name, "autoscale", "min"], a.min);
            count(&["components", name, "autoscale", "max"], Some(a.max));
        }
    }
    for (name, c) in &platform.components {
        env(&mut out, merged, &["components", name], &c.env);
        for (init, i) in &c.init {
            env(
                &mut out,
                merged,
                &["components", name, "init", init],
                &i.env,
            );
        }
        for (sidecar, s) in &c.sidecars {
            env(
                &mut out,
                merged,
                &["components", name, "sidecars", sidecar],
                &s.env,
            );
        }
    }
    for (name, j) in &platform.jobs {
        env(&mut out, merged, &["jobs", name], &j.env);
    }
    out
}

/// An `env` map of more than [`MAX_ENV_VARS`] variables, reported at `env:`.
fn env(out: &mut Diagnostics, merged: &Merged, base: &[&str], vars: &IndexMap<String, EnvValue>) {
    if vars.len() > MAX_ENV_VARS {
        out.push(over(
            merged,
            &[base, &["env"]].concat(),
            At::Key,
            format!("{} environment variables is more than the limit of {MAX_ENV_VARS}", vars.len()),
            &format!("at most {MAX_ENV_VARS} env vars per container; put the rest in a config file and mount it"),
        ));
    }
}

fn over(merged: &Merged, path: &[&str], at: At, message: String, help: &str) -> Diagnostic {
    let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
    Diagnostic::error(Code::OverLimit, message)
        .at(merged.nearest(&path, at), "over the limit")
        .help(help)
}
