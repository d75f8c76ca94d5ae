//! ## What it checks
//! ConfigMap keys (letters, digits, `-`, `_`, `.`, at most 253 characters, not `.` or `..`)
//! and the size of a ConfigMap (at most 1 MiB of data).
//!
//! ## Why
//! The API server refuses the ConfigMap, and the pods that use it never start.
//!
//! ## Example
//! `config: { app: { "log level": debug } }`.
//!
//! ## Fix
//! Use `log-level`; move large files out of the ConfigMap.

use super::{Finding, Input, Origin};
use crate::validation::is_config_map_key;

/// The most data a ConfigMap holds.
pub const MAX_CONFIG_MAP_BYTES: usize = 1024 * 1024;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, entries) in &input.spec.config {
        for key in entries.keys() {
            let errors = is_config_map_key(key);
            if !errors.is_empty() {
                out.push(
                    Finding::new(
                        format!("invalid config key `{key}`: {}", errors.join("; ")),
                        Origin::key(&["config", name, key]),
                        "this key",
                    )
                    .help("use letters, digits, `-`, `_` and `.`"),
                );
            }
        }
        let size: usize = crate::build::config_map_data(entries)
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum();
        if size > MAX_CONFIG_MAP_BYTES {
            out.push(
                Finding::new(
                    format!("config map `{name}` holds {size} bytes"),
                    Origin::key(&["config", name]),
                    format!("must have at most {MAX_CONFIG_MAP_BYTES} bytes"),
                )
                .help("split it, or mount large files from a volume"),
            );
        }
    }
    out
}
