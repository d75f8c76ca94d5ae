//! ## What it checks
//! No two rendered objects share a kind and name.
//!
//! ## Why
//! The second silently replaces the first on apply: a component named `default-deny`
//! would collide with the platform's default-deny NetworkPolicy.
//!
//! ## Example
//! `components: { allow-dns: … }` (the platform renders `<platform>-allow-dns`).
//!
//! ## Fix
//! Rename the component or config map.

use super::{Finding, Input, origin_named};
use foldhash::{HashSet, HashSetExt};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    // Every object of the render, whichever batch it is in. Hashed, not ordered: a render
    // has thousands of objects, and the findings come in the objects' order either way.
    let facts = input.facts();
    let mut seen = HashSet::with_capacity(facts.names.len());
    for (kind, namespace, name) in facts.names() {
        if !seen.insert((kind, namespace, name)) {
            out.push(
                Finding::new(
                    format!("two objects are {kind} `{name}`"),
                    origin_named(input, kind, name),
                    "this name is rendered twice",
                )
                .help("rename one of them"),
            );
        }
    }
    out
}
