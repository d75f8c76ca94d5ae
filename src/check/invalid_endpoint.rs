//! ## What it checks
//! Each entry of `endpoints` says where it is in one way: `cidrs` (addresses outside the
//! cluster) or `namespace` (pods of another namespace, narrowed by `pods`); it has at least
//! one port; its name is not also a component's; and its namespace is not the platform's own.
//! `defaults.apiServer` has at least one address.
//!
//! ## Why
//! `uses` names components and endpoints alike, so one name cannot be both. An endpoint
//! without a place or a port opens nothing, or, as an empty list in a NetworkPolicy, every
//! port. Pods of the platform's own namespace that wfk does not render are behind its
//! default deny on both sides, so a path to them only half opens: make such a workload a
//! component.
//!
//! ## Example
//! `endpoints: { llm: { ports: { https: 443 } } }` (no `cidrs`, no `namespace`).
//!
//! ## Fix
//! Write `cidrs: [203.0.113.0/24]` or `namespace: observability`, and the ports it listens on.

use super::{Finding, Input, Origin};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let spec = input.spec;
    let mut out = Vec::new();
    if spec
        .defaults
        .api_server
        .as_ref()
        .is_some_and(|a| a.cidrs.is_empty())
    {
        out.push(
            Finding::new(
                "`defaults.apiServer` has no `cidrs`",
                Origin::key(&["defaults", "apiServer"]),
                "no address to reach",
            )
            .help("write the addresses of `kubectl get endpointslices -l kubernetes.io/service-name=kubernetes`: `cidrs: [10.0.0.10/32]`"),
        );
    }
    for (name, e) in &spec.endpoints {
        let at = ["endpoints", name.as_str()];
        let field = |f: &str| Origin::value(&[at[0], at[1], f]);
        if spec.components.contains_key(name) {
            out.push(
                Finding::new(
                    format!("`{name}` is both a component and an endpoint"),
                    Origin::key(&at),
                    "named here",
                )
                .help("`uses` names both: rename the endpoint"),
            );
        }
        match (e.cidrs.is_empty(), &e.namespace) {
            (true, None) => out.push(
                Finding::new(
                    format!("endpoint `{name}` sets neither `cidrs` nor `namespace`"),
                    Origin::key(&at),
                    "nowhere to connect to",
                )
                .help("write its addresses (`cidrs: [203.0.113.0/24]`) or its namespace (`namespace: observability`)"),
            ),
            (false, Some(_)) => out.push(
                Finding::new(
                    format!("endpoint `{name}` sets both `cidrs` and `namespace`"),
                    field("namespace"),
                    "set here, beside `cidrs`",
                )
                .help("keep one: addresses outside the cluster, or pods of a namespace; declare the other as a second endpoint"),
            ),
            (true, Some(namespace)) if namespace == spec.namespace() => out.push(
                Finding::new(
                    format!("endpoint `{name}` is in the platform's own namespace `{namespace}`"),
                    field("namespace"),
                    "the default deny blocks its pods too",
                )
                .help("a workload in the platform's namespace is a component: declare it under `components`, or move it to a namespace of its own"),
            ),
            _ => {}
        }
        if !e.pods.is_empty() && e.namespace.is_none() {
            out.push(
                Finding::new(
                    format!("endpoint `{name}` selects `pods` without a `namespace`"),
                    Origin::key(&[at[0], at[1], "pods"]),
                    "pods of which namespace?",
                )
                .help("add `namespace:`, or remove `pods` for an endpoint outside the cluster"),
            );
        }
        if e.ports.is_empty() {
            out.push(
                Finding::new(
                    format!("endpoint `{name}` has no ports"),
                    Origin::key(&[at[0], at[1], "ports"]),
                    "nothing to connect to",
                )
                .help("name the ports it listens on: `ports: { https: 443 }`"),
            );
        }
    }
    out
}
