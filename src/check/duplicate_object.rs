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

use super::{Finding, Input, origin_of};
use foldhash::{HashSet, HashSetExt};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    // Hashed, not ordered: a render has thousands of objects, and the findings come in
    // the objects' order either way.
    let mut seen = HashSet::with_capacity(input.objects.len());
    for object in input.objects {
        if !seen.insert((
            object.kind(),
            object.metadata().namespace.as_deref(),
            object.name(),
        )) {
            out.push(
                Finding::new(
                    format!("two objects are {} `{}`", object.kind(), object.name()),
                    origin_of(input, object),
                    "this name is rendered twice",
                )
                .help("rename one of them"),
            );
        }
    }
    out
}
