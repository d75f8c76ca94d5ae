//! ## What it checks
//! A component with `access` (a Role and a mounted token) on a platform that does not say
//! where the API server listens (`defaults.apiServer`).
//!
//! ## Why
//! The default-deny policy blocks every address nobody declared, the API server's
//! included: the pods get a Role and a token they cannot use, and an operator or a Raft
//! cluster that discovers its peers through the API fails at start.
//!
//! ## Example
//! `access: [{ resources: [pods], verbs: [get, list] }]` with no `defaults.apiServer`.
//!
//! ## Fix
//! Write the addresses of the `kubernetes` Service's endpoints and their port:
//! `defaults: { apiServer: { cidrs: [172.20.0.0/16], port: 443 } }`
//! (`kubectl get endpointslices -l kubernetes.io/service-name=kubernetes`).

use super::{Finding, Input, Origin};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    if input.spec.defaults.api_server.is_some() {
        return Vec::new();
    }
    input
        .spec
        .components
        .iter()
        .filter(|(_, c)| c.access.is_some())
        .map(|(name, _)| {
            Finding::new(
                format!("component `{name}` has `access` but its network policy blocks the API server"),
                Origin::key(&["components", name, "access"]),
                "no `defaults.apiServer` says where it listens",
            )
            .help("set `defaults: { apiServer: { cidrs: [<address>/32], port: 443 } }` to the addresses of `kubectl get endpointslices -l kubernetes.io/service-name=kubernetes`")
        })
        .collect()
}
