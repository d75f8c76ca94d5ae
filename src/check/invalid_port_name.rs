//! ## What it checks
//! Port names: IANA service names (at most 15 characters, lowercase letters, digits and
//! `-`, at least one letter, no `--`), as the API server requires for container and
//! Service ports.
//!
//! ## Why
//! The 16-character `metrics-exporter` is refused at apply time.
//!
//! ## Example
//! `ports: { metrics-exporter: 9100 }`.
//!
//! ## Fix
//! Use at most 15 characters: `metrics`.

use super::{Finding, Input, Origin};
use crate::validation::is_valid_port_name;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        for port in c.ports.keys() {
            let errors = is_valid_port_name(port);
            if !errors.is_empty() {
                out.push(
                    Finding::new(
                        format!("invalid port name `{port}`: {}", errors.join("; ")),
                        Origin::key(&["components", name, "ports", port]),
                        "port names are IANA service names",
                    )
                    .help("use at most 15 lowercase letters, digits and `-`, with at least one letter"),
                );
            }
        }
    }
    out
}
