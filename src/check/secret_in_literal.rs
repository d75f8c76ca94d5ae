//! ## What it checks
//! A literal environment variable whose name says it holds a secret (a part `PASSWORD`,
//! `PASSWD`, `TOKEN`, `SECRET`, `KEY`, `APIKEY` or `CREDENTIALS`). The value is never
//! printed. Cannot be suppressed.
//!
//! ## Why
//! The value ends up in the repository, in every render and in the API server's etcd in
//! clear text.
//!
//! ## Example
//! `env: { DB_PASSWORD: hunter2 }`.
//!
//! ## Fix
//! `env: { DB_PASSWORD: { secret: db/password } }`.

use super::{Finding, Input, Origin};
use crate::outline::Shape;
use crate::platform::values::EnvValue;
use indexmap::IndexMap;

const WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "SECRET",
    "KEY",
    "APIKEY",
    "CREDENTIALS",
];

/// Whether an env var name says it holds a secret.
pub(crate) fn looks_secret(name: &str) -> bool {
    name.to_ascii_uppercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|part| WORDS.contains(&part))
}

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut scan = |base: Vec<&str>, env: &IndexMap<String, EnvValue>| {
        for (name, value) in env {
            if value.0.value.is_some() && looks_secret(name) {
                let path: Vec<&str> = base.iter().copied().chain(["env", name.as_str()]).collect();
                let mut finding = Finding::new(
                    format!("`{name}` looks like a secret but its value is written in the spec"),
                    Origin::key(&path),
                    "a literal value",
                )
                .help(format!(
                    "reference a secret: `{name}: {{ secret: <secret-name>/<key> }}`"
                ));
                // The snippet must not show the value: mask it, short form or long.
                let keys: Vec<String> = path.iter().map(|s| s.to_string()).collect();
                let short = matches!(input.merged.shape(&keys), Some(Shape::Scalar { .. }));
                let mut value_path = path.clone();
                if !short {
                    value_path.push("value");
                }
                finding.redact = Some(Origin::value(&value_path));
                out.push(finding);
            }
        }
    };
    for (c, component) in &input.spec.components {
        scan(vec!["components", c], &component.env);
        for (i, init) in &component.init {
            scan(vec!["components", c, "init", i], &init.env);
        }
    }
    for (j, job) in &input.spec.jobs {
        scan(vec!["jobs", j], &job.env);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_split_into_words() {
        assert!(super::looks_secret("DB_PASSWORD"));
        assert!(super::looks_secret("api-key"));
        assert!(!super::looks_secret("KEYCLOAK_URL"));
        assert!(!super::looks_secret("MONKEY"));
    }
}
