//! ## What it checks
//! User and group ids are in range (0–2147483647). Root (user 0) is refused on the pod
//! itself by `pod-not-restricted`, whatever sets it.
//!
//! ## Why
//! The API server refuses an id out of range when the pod is created, long after apply.
//!
//! ## Example
//! `security: { runAsUser: 4294967296 }`.
//!
//! ## Fix
//! Use the image's non-root user, such as 999 for postgres or 10001.

use super::{Finding, Input, Origin};
use crate::validation::{is_valid_group_id, is_valid_user_id};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    let d = &input.spec.defaults;
    ids(
        vec!["defaults".into()],
        d.run_as_user,
        d.run_as_group,
        d.fs_group,
        &mut out,
    );
    for (name, c) in &input.spec.components {
        let s = &c.security;
        ids(
            vec!["components".into(), name.clone(), "security".into()],
            s.run_as_user,
            s.run_as_group,
            s.fs_group,
            &mut out,
        );
    }
    for (name, j) in &input.spec.jobs {
        let s = &j.security;
        ids(
            vec!["jobs".into(), name.clone(), "security".into()],
            s.run_as_user,
            s.run_as_group,
            s.fs_group,
            &mut out,
        );
    }
    out
}

fn ids(
    base: Vec<String>,
    user: Option<i64>,
    group: Option<i64>,
    fs_group: Option<i64>,
    out: &mut Vec<Finding>,
) {
    let at = |field: &str| {
        let mut p = base.clone();
        p.push(field.into());
        Origin::Value(p)
    };
    if let Some(u) = user {
        let errors = is_valid_user_id(u);
        if !errors.is_empty() {
            out.push(
                Finding::new(
                    format!("invalid user id {u}: {}", errors.join("; ")),
                    at("runAsUser"),
                    "out of range",
                )
                .help("a user id is a number from 1 to 2147483647, such as 10001"),
            );
        }
    }
    for (field, id) in [("runAsGroup", group), ("fsGroup", fs_group)] {
        if let Some(g) = id {
            let errors = is_valid_group_id(g);
            if !errors.is_empty() {
                out.push(
                    Finding::new(
                        format!("invalid group id {g}: {}", errors.join("; ")),
                        at(field),
                        "out of range",
                    )
                    .help("a group id is a number from 0 to 2147483647, such as 10001"),
                );
            }
        }
    }
}
