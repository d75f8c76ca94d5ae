//! ## What it checks
//! Port numbers are 1–65535: a container port, and a Service port (`servicePort`).
//!
//! ## Why
//! Port 0 is refused at apply time (`must be between 1 and 65535, inclusive`).
//!
//! ## Example
//! `ports: { http: { port: 0 } }`.
//!
//! ## Fix
//! Use the port the process listens on.

use super::{Finding, Input, Origin};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        for (port_name, p) in &c.ports {
            for (field, number) in [("port", Some(p.port)), ("servicePort", p.service_port)] {
                if number == Some(0) {
                    out.push(
                        Finding::new(
                            format!("port `{port_name}` of `{name}` is 0"),
                            Origin::value(&["components", name, "ports", port_name, field]),
                            "must be between 1 and 65535, inclusive",
                        )
                        .help("use the port the process listens on"),
                    );
                }
            }
        }
    }
    out
}
