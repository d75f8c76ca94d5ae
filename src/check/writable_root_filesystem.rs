//! ## What it checks
//! A component whose root filesystem is writable (`relax: { writableRootFilesystem: … }`).
//!
//! ## Why
//! A writable root lets an intruder change binaries; most software needs only a few
//! writable folders.
//!
//! ## Example
//! `security: { relax: { writableRootFilesystem: "nginx writes /var/cache" } }`.
//!
//! ## Fix
//! Mount scratch folders where it writes: `mounts: { /var/cache/nginx: { scratch: true } }`.

use super::{Finding, Input, Origin};
use crate::platform::component::Relaxation;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        if let Some(reason) = c.security.relax.get(&Relaxation::WritableRootFilesystem) {
            out.push(
                Finding::new(
                    format!("component `{name}` has a writable root filesystem: {reason}"),
                    Origin::key(&[
                        "components",
                        name,
                        "security",
                        "relax",
                        "writableRootFilesystem",
                    ]),
                    "readOnlyRootFilesystem is off",
                )
                .help("mount `{ scratch: true }` at the folders it writes to instead"),
            );
        }
    }
    out
}
