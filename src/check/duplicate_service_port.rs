//! ## What it checks
//! Two ports of one component with the same container port, or the same Service port and
//! protocol.
//!
//! ## Why
//! The API server refuses a Service with a duplicate port (`Duplicate value`).
//!
//! ## Example
//! `ports: { http: 8080, web: { port: 9090, servicePort: 8080 } }`.
//!
//! ## Fix
//! Give each port its own number.

use super::{Finding, Input, Origin};
use crate::platform::values::Protocol;
use std::collections::BTreeMap;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        let mut service: BTreeMap<(u16, String), &str> = BTreeMap::new();
        let mut container: BTreeMap<(u16, String), &str> = BTreeMap::new();
        for (port_name, p) in &c.ports {
            let protocol = p.protocol.map_or("TCP", Protocol::as_str).to_string();
            if let Some(first) = container.insert((p.port, protocol.clone()), port_name) {
                out.push(duplicate(name, port_name, first, p.port, "container"));
            } else if p.service != Some(false) {
                let number = p.service_port.unwrap_or(p.port);
                if let Some(first) = service.insert((number, protocol), port_name) {
                    out.push(duplicate(name, port_name, first, number, "Service"));
                }
            }
        }
    }
    out
}

fn duplicate(component: &str, port: &str, first: &str, number: u16, what: &str) -> Finding {
    Finding::new(
        format!("{what} port {number} of component `{component}` is used twice, by `{first}` and `{port}`"),
        Origin::key(&["components", component, "ports", port]),
        format!("Duplicate value: {number}"),
    )
    .help("give each port its own number")
}
