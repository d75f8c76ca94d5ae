//! ## What it checks
//! Environment variable names, as the API server accepts them: printable ASCII without `=`,
//! not empty.
//!
//! ## Why
//! The API server refuses the workload (`a valid environment variable name must consist
//! only of printable ASCII characters other than '='`).
//!
//! ## Example
//! `env: { "DB=URL": x }`.
//!
//! ## Fix
//! Use letters, digits and `_`, such as `DB_URL`.

use super::{Finding, Input, Origin};
use crate::validation::is_relaxed_env_var_name;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |path: Vec<&str>, name: &str| {
        let errors = is_relaxed_env_var_name(name);
        if !errors.is_empty() {
            out.push(
                Finding::new(
                    format!(
                        "invalid environment variable name `{}`: {}",
                        name.escape_debug(),
                        errors.join("; ")
                    ),
                    Origin::key(&path),
                    "this name",
                )
                .help("use letters, digits and `_`, such as `DATABASE_URL`"),
            );
        }
    };
    for (c, component) in &input.spec.components {
        for name in component.env.keys() {
            push(vec!["components", c, "env", name], name);
        }
        for (i, init) in &component.init {
            for name in init.env.keys() {
                push(vec!["components", c, "init", i, "env", name], name);
            }
        }
    }
    for (j, job) in &input.spec.jobs {
        for name in job.env.keys() {
            push(vec!["jobs", j, "env", name], name);
        }
    }
    out
}
