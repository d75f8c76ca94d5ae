//! ## What it checks
//! Extended resources in `resources.extended` (of components, sidecars, init containers,
//! jobs and `defaults`): the name is fully qualified (`nvidia.com/gpu`) or a huge-page size
//! (`hugepages-2Mi`), outside the `kubernetes.io` domain, and the amount is a whole number
//! (huge pages: a quantity).
//!
//! ## Why
//! The API server refuses the workload: "must be a standard resource type or fully
//! qualified", "must be an integer".
//!
//! ## Example
//! `extended: { gpu: 1 }`, or `extended: { nvidia.com/gpu: 0.5 }`.
//!
//! ## Fix
//! Name the resource as the device plugin advertises it (`nvidia.com/gpu`,
//! `amd.com/gpu`) and ask for whole devices.

use super::{Finding, Input, Origin, quantity};
use crate::platform::component::Resources;
use crate::validation::is_qualified_name;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut sets: Vec<(Vec<String>, &Resources)> = Vec::new();
    let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    sets.push((
        path(&["defaults", "resources"]),
        &input.spec.defaults.resources,
    ));
    for (name, c) in &input.spec.components {
        sets.push((path(&["components", name, "resources"]), &c.resources));
        for (s, sidecar) in &c.sidecars {
            sets.push((
                path(&["components", name, "sidecars", s, "resources"]),
                &sidecar.resources,
            ));
        }
        for (i, init) in &c.init {
            if let Some(r) = &init.resources {
                sets.push((path(&["components", name, "init", i, "resources"]), r));
            }
        }
    }
    for (name, j) in &input.spec.jobs {
        sets.push((path(&["jobs", name, "resources"]), &j.resources));
    }
    let mut out = Vec::new();
    for (base, resources) in sets {
        for (key, amount) in &resources.extended {
            let mut at = base.clone();
            at.extend(["extended".to_string(), key.clone()]);
            if let Some(problem) = name_problem(key) {
                out.push(
                    Finding::new(format!("invalid extended resource name `{key}`: {problem}"), Origin::Key(at.clone()), "the resource's name")
                        .help("name it as its device plugin advertises it, with a domain: `nvidia.com/gpu`"),
                );
                continue;
            }
            let huge_pages = key.starts_with("hugepages-");
            match quantity::parse(&amount.0) {
                None => out.push(
                    Finding::new(format!("invalid amount `{}` of `{key}`: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", amount.0), Origin::Value(at), "not a quantity")
                        .help("write a whole number such as `1`"),
                ),
                Some(q) if !huge_pages && (q.value.fract() != 0.0 || q.value < 0.0) => out.push(
                    Finding::new(format!("invalid amount `{}` of `{key}`: must be an integer", amount.0), Origin::Value(at), "extended resources come in whole units")
                        .help("ask for whole devices: `1`, `2`"),
                ),
                Some(_) => {}
            }
        }
    }
    out
}

/// Why the API server would refuse `key` as an extended resource name, if it would.
fn name_problem(key: &str) -> Option<String> {
    if let Some(size) = key.strip_prefix("hugepages-") {
        return quantity::parse(size)
            .is_none()
            .then(|| format!("`{size}` is not a page size"));
    }
    let errors = is_qualified_name(key);
    if !errors.is_empty() {
        return Some(errors.join("; "));
    }
    let Some((domain, _)) = key.split_once('/') else {
        return Some("must be a standard resource type or fully qualified".into());
    };
    if domain == "kubernetes.io" || domain.ends_with(".kubernetes.io") {
        return Some("must be a standard resource for the `kubernetes.io` domain; an extended resource has a domain of its own".into());
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_need_a_domain_outside_kubernetes_io() {
        assert_eq!(super::name_problem("nvidia.com/gpu"), None);
        assert_eq!(super::name_problem("hugepages-2Mi"), None);
        assert!(
            super::name_problem("gpu")
                .unwrap()
                .contains("fully qualified")
        );
        assert!(super::name_problem("kubernetes.io/gpu").is_some());
        assert!(super::name_problem("hugepages-big").is_some());
    }
}
