//! The platform as a picture: who may talk to whom, on which ports. Nodes are the
//! components, jobs, endpoints, ingress hosts, the monitoring namespace, DNS, the API server
//! and the internet; each edge is a path the network policy opens, labelled with its ports.
//! Written as Graphviz DOT or as Mermaid (which GitHub renders in Markdown).
//!
//! The paths come from [`crate::platform::network`], as the NetworkPolicies do; this
//! module only draws them.

use crate::platform::Platform;
use crate::platform::component::Kind;
use crate::platform::network::{Network, PathPort, Target};
use crate::platform::values::Protocol;
use foldhash::HashSet;
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
    /// The ids of `nodes` and the `(from, to, label)` of `edges`, to add each once in time
    /// independent of how many there are (the lists keep the order they are drawn in).
    node_ids: HashSet<String>,
    edge_keys: HashSet<(String, String, String)>,
}

/// A node id both formats accept: letters, digits and `_`.
fn id(prefix: &str, name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{prefix}_{safe}")
}

fn port_text(p: &PathPort) -> String {
    match p.protocol {
        Protocol::TCP => format!("{} {}", p.name, p.port),
        other => format!("{} {}/{}", p.name, p.port, other.as_str()),
    }
}

/// The ports of a path, as text.
fn ports_text(ports: &[PathPort]) -> String {
    ports.iter().map(port_text).collect::<Vec<_>>().join(", ")
}

impl Graph {
    fn node(&mut self, id: String, label: impl Into<String>, shape: Shape) {
        if self.node_ids.insert(id.clone()) {
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
        let key = (from.to_string(), to.to_string(), label.clone());
        if !self.edge_keys.insert(key) {
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
        let network = Network::of(spec);
        // Uses: components and jobs to components and endpoints, each entry as written.
        for r in &network.uses {
            let from = id(if r.job { "j" } else { "c" }, r.from);
            let to = match r.target {
                Target::Component(_) => id("c", r.to),
                Target::Endpoint(_) => id("e", r.to),
            };
            g.edge(&from, &to, ports_text(&r.ports));
        }
        for w in &network.components {
            let me = id("c", w.name);
            if w.peers && !w.ports.is_empty() {
                g.edge(&me, &me, format!("peers: {}", ports_text(&w.ports)));
            }
            if let Some(api) = w.api_server {
                g.node(
                    "api_server".into(),
                    format!("API server: {}", api.cidrs.join(", ")),
                    Shape::Cluster,
                );
                g.edge(&me, "api_server", format!("https {}", api.port));
            }
            if !w.scraped.is_empty() {
                let scraped: Vec<String> = w
                    .scraped
                    .iter()
                    .map(|s| format!("{} {}", port_text(&s.port), s.path))
                    .collect();
                g.node(
                    "monitoring".into(),
                    format!("Prometheus (namespace {})", network.monitoring),
                    Shape::Cluster,
                );
                g.edge("monitoring", &me, scraped.join(", "));
            }
            let external = !w.external.is_empty();
            if external || w.open_ingress {
                g.node("internet".into(), "internet", Shape::Outside);
                let what = if external {
                    "load balancer"
                } else {
                    "openIngress: every port"
                };
                g.edge("internet", &me, what);
            }
            if w.open_egress {
                g.node("internet".into(), "internet", Shape::Outside);
                g.edge(&me, "internet", "openEgress: every port");
            }
        }
        for host in &network.hosts {
            let node = id("h", &host.name);
            g.node(
                node.clone(),
                format!("{} (via {})", host.name, network.controller),
                Shape::Outside,
            );
            for route in &host.routes {
                let label = match route.port {
                    Some(p) => format!("{} → {p}", route.path),
                    None => route.path.to_string(),
                };
                g.edge(&node, &id("c", route.component), label);
            }
        }
        let mut dns = "kube-dns".to_string();
        for cidr in network.node_local_dns {
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
