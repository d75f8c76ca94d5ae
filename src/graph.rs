//! The platform as a picture: who may talk to whom, on which ports. Nodes are the
//! components, jobs, endpoints, ingress hosts, the monitoring namespace, DNS, the API server
//! and the internet; each edge is a path the network policy opens, labelled with its ports.
//! Written as Graphviz DOT or as Mermaid (which GitHub renders in Markdown).

use crate::platform::Platform;
use crate::platform::component::{Component, Kind, Relaxation, ServiceType};
use crate::platform::endpoint::Use;
use crate::platform::values::Protocol;
use std::fmt::Write;

/// The output formats of `wfk graph`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Mermaid flowchart, for Markdown (README files, pull-request comments).
    #[default]
    Mermaid,
    /// Graphviz DOT (`wfk graph prod --format dot | dot -Tsvg > platform.svg`).
    Dot,
}

/// What a node stands for, which decides its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Workload,
    Job,
    Outside,
    Cluster,
}

struct Node {
    id: String,
    label: String,
    shape: Shape,
}

struct Edge {
    from: String,
    to: String,
    label: String,
}

#[derive(Default)]
pub struct Graph {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

/// A node id both formats accept: letters, digits and `_`.
fn id(prefix: &str, name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{prefix}_{safe}")
}

fn port_text(name: &str, port: u16, protocol: Option<Protocol>) -> String {
    match protocol {
        Some(p) if p != Protocol::TCP => format!("{name} {port}/{}", p.as_str()),
        _ => format!("{name} {port}"),
    }
}

/// The ports of a component a `uses` entry (or `None`: every one) opens, as text.
fn component_ports(c: &Component, used: Option<&Use>) -> String {
    let mut ports: Vec<(&String, _)> = c.ports.iter().collect();
    ports.sort_by(|a, b| a.0.cmp(b.0));
    ports
        .into_iter()
        .filter(|(n, _)| used.is_none_or(|u| u.includes(n)))
        .map(|(n, p)| port_text(n, p.port, p.protocol))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Graph {
    fn node(&mut self, id: String, label: impl Into<String>, shape: Shape) {
        if !self.nodes.iter().any(|n| n.id == id) {
            self.nodes.push(Node {
                id,
                label: label.into(),
                shape,
            });
        }
    }

    fn edge(&mut self, from: &str, to: &str, label: impl Into<String>) {
        let label = label.into();
        // A job's own `uses` and its component's may name the same thing.
        if self
            .edges
            .iter()
            .any(|e| e.from == from && e.to == to && e.label == label)
        {
            return;
        }
        self.edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            label,
        });
    }

    /// The declared paths of one environment's spec.
    pub fn of(spec: &Platform) -> Graph {
        let mut g = Graph::default();
        for (name, c) in &spec.components {
            let kind = if c.kind == Kind::Stateful {
                "stateful"
            } else {
                "stateless"
            };
            g.node(id("c", name), format!("{name} ({kind})"), Shape::Workload);
        }
        for name in spec.jobs.keys() {
            g.node(id("j", name), format!("{name} (job)"), Shape::Job);
        }
        for (name, e) in &spec.endpoints {
            let place = match &e.namespace {
                Some(ns) => format!("namespace {ns}"),
                None => e.cidrs.join(", "),
            };
            let hosts = if e.hosts.is_empty() {
                String::new()
            } else {
                format!("; {}", e.hosts.join(", "))
            };
            g.node(
                id("e", name),
                format!("{name}: {place}{hosts}"),
                Shape::Outside,
            );
        }
        // Uses: components and jobs to components and endpoints.
        let users = spec
            .components
            .iter()
            .map(|(n, c)| (id("c", n), &c.uses))
            .chain(spec.jobs.iter().flat_map(|(n, j)| {
                let inherited = j.component.as_ref().and_then(|c| spec.components.get(c));
                std::iter::once((id("j", n), &j.uses))
                    .chain(inherited.map(|c| (id("j", n), &c.uses)))
            }));
        for (from, uses) in users {
            for (used, u) in uses.iter() {
                if let Some(c) = spec.components.get(used) {
                    g.edge(&from, &id("c", used), component_ports(c, Some(u)));
                } else if let Some(e) = spec.endpoints.get(used) {
                    let ports: Vec<String> = e
                        .ports
                        .iter()
                        .filter(|(n, _)| u.includes(n))
                        .map(|(n, p)| port_text(n, p.port, p.protocol))
                        .collect();
                    g.edge(&from, &id("e", used), ports.join(", "));
                }
            }
        }
        for (name, c) in &spec.components {
            let me = id("c", name);
            if c.kind == Kind::Stateful && !c.ports.is_empty() {
                g.edge(&me, &me, format!("peers: {}", component_ports(c, None)));
            }
            if c.access.is_some() {
                if let Some(api) = &spec.defaults.api_server {
                    g.node(
                        "api_server".into(),
                        format!("API server: {}", api.cidrs.join(", ")),
                        Shape::Cluster,
                    );
                    g.edge(&me, "api_server", format!("https {}", api.port));
                }
            }
            let scraped: Vec<String> = {
                let mut ports: Vec<(&String, _)> =
                    c.ports.iter().filter(|(_, p)| p.scraped()).collect();
                ports.sort_by(|a, b| a.0.cmp(b.0));
                ports
                    .into_iter()
                    .map(|(n, p)| {
                        format!(
                            "{} {}",
                            port_text(n, p.port, p.protocol),
                            p.scrape_path().unwrap_or_default()
                        )
                    })
                    .collect()
            };
            if !scraped.is_empty() {
                let ns = spec.monitoring.namespace.as_deref().unwrap_or("monitoring");
                g.node(
                    "monitoring".into(),
                    format!("Prometheus (namespace {ns})"),
                    Shape::Cluster,
                );
                g.edge("monitoring", &me, scraped.join(", "));
            }
            let external = c
                .service
                .as_ref()
                .is_some_and(|s| s.kind != ServiceType::ClusterIP)
                || c.services
                    .values()
                    .any(|s| s.kind != ServiceType::ClusterIP);
            if external || c.security.relax.contains_key(&Relaxation::OpenIngress) {
                g.node("internet".into(), "internet", Shape::Outside);
                let what = if external {
                    "load balancer"
                } else {
                    "openIngress: every port"
                };
                g.edge("internet", &me, what);
            }
            if c.security.relax.contains_key(&Relaxation::OpenEgress) {
                g.node("internet".into(), "internet", Shape::Outside);
                g.edge(&me, "internet", "openEgress: every port");
            }
        }
        if let Some(ingress) = &spec.ingress {
            let controller = ingress
                .controller_namespace
                .as_deref()
                .unwrap_or(crate::build::DEFAULT_CONTROLLER_NAMESPACE);
            for (key, host) in &ingress.hosts {
                let name = ingress.host_name(key, host);
                let node = id("h", &name);
                g.node(
                    node.clone(),
                    format!("{name} (via {controller})"),
                    Shape::Outside,
                );
                for (path, route) in &host.paths {
                    let target = id("c", &route.component);
                    let port = route.port.clone().or_else(|| {
                        let c = spec.components.get(&route.component)?;
                        c.ports.keys().min().cloned()
                    });
                    let label = match port {
                        Some(p) => format!("{path} → {p}"),
                        None => path.clone(),
                    };
                    g.edge(&node, &target, label);
                }
            }
        }
        let mut dns = "kube-dns".to_string();
        for cidr in &spec.defaults.dns.node_local {
            dns.push_str(", ");
            dns.push_str(cidr);
        }
        g.node("pods".into(), "every pod", Shape::Cluster);
        g.node("dns".into(), format!("DNS: {dns}"), Shape::Cluster);
        g.edge("pods", "dns", "dns 53/UDP, 53/TCP");
        g
    }

    pub fn write(&self, format: Format) -> String {
        match format {
            Format::Mermaid => self.mermaid(),
            Format::Dot => self.dot(),
        }
    }

    fn mermaid(&self) -> String {
        let quote = |s: &str| s.replace('"', "#quot;");
        let mut out = String::from("flowchart LR\n");
        for n in &self.nodes {
            let label = quote(&n.label);
            let _ = match n.shape {
                Shape::Workload => writeln!(out, "  {}[\"{label}\"]", n.id),
                Shape::Job => writeln!(out, "  {}([\"{label}\"])", n.id),
                Shape::Outside => writeln!(out, "  {}{{{{\"{label}\"}}}}", n.id),
                Shape::Cluster => writeln!(out, "  {}[(\"{label}\")]", n.id),
            };
        }
        for e in &self.edges {
            let _ = writeln!(out, "  {} -->|\"{}\"| {}", e.from, quote(&e.label), e.to);
        }
        out
    }

    fn dot(&self) -> String {
        let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let mut out = String::from(
            "digraph platform {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
        );
        for n in &self.nodes {
            let shape = match n.shape {
                Shape::Workload => "box",
                Shape::Job => "box, style=rounded",
                Shape::Outside => "hexagon",
                Shape::Cluster => "cylinder",
            };
            let _ = writeln!(
                out,
                "  {} [label=\"{}\", shape={shape}];",
                n.id,
                quote(&n.label)
            );
        }
        for e in &self.edges {
            let _ = writeln!(
                out,
                "  {} -> {} [label=\"{}\"];",
                e.from,
                e.to,
                quote(&e.label)
            );
        }
        out.push_str("}\n");
        out
    }
}
