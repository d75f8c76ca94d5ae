//! ## What it checks
//! Ingress hosts are DNS-1123 subdomains (a leading `*.` allowed), each host appears once,
//! and paths start with `/`.
//!
//! ## Why
//! The API server refuses the Ingress (`a lowercase RFC 1123 subdomain must consist of …`,
//! `must be an absolute path`).
//!
//! ## Example
//! `domain: Gorax.io`, or `paths: { api: api }`.
//!
//! ## Fix
//! Lowercase the host; start paths with `/`.

use super::{Finding, Input, Origin};
use crate::validation::is_dns1123_subdomain;
use std::collections::BTreeMap;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(ingress) = &input.spec.ingress else {
        return out;
    };
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (key, host) in &ingress.hosts {
        let name = ingress.host_name(key, host);
        let at = if host.host.is_some() {
            Origin::value(&["ingress", "hosts", key, "host"])
        } else {
            Origin::key(&["ingress", "hosts", key])
        };
        let errors = is_dns1123_subdomain(name.strip_prefix("*.").unwrap_or(&name));
        if !errors.is_empty() {
            out.push(
                Finding::new(
                    format!("invalid ingress host `{name}`: {}", errors.join("; ")),
                    at.clone(),
                    "this host",
                )
                .help("use a lowercase host name such as `api.example.com`"),
            );
        }
        if let Some(first) = seen.insert(name.clone(), key) {
            out.push(
                Finding::new(
                    format!("ingress host `{name}` is given twice, as `{first}` and `{key}`"),
                    at,
                    "Duplicate value",
                )
                .help("merge the paths into one host"),
            );
        }
        for path in host.paths.keys() {
            if path.contains("//") {
                out.push(
                    Finding::new(
                        format!("ingress path `{path}` holds `//`"),
                        Origin::key(&["ingress", "hosts", key, "paths", path]),
                        "must not contain '//'",
                    )
                    .help(format!("write `{}`", path.replace("//", "/"))),
                );
            }
            if !path.starts_with('/') {
                out.push(
                    Finding::new(
                        format!("ingress path `{path}` is not absolute"),
                        Origin::key(&["ingress", "hosts", key, "paths", path]),
                        "must be an absolute path",
                    )
                    .help(format!("write `/{path}`")),
                );
            }
        }
    }
    out
}
