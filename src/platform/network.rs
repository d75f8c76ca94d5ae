//! The network the spec declares, derived once: for each component, who may reach it on
//! which ports (the components and jobs that use it, its own pods when it is stateful, the
//! monitoring namespace on scraped ports, the ingress controller on routed ports, anyone on
//! the ports a LoadBalancer or NodePort Service exposes) and what it may reach (the
//! components and endpoints it uses, the API server when it has `access`); for each job what
//! it reaches; DNS for every pod; cert-manager's HTTP-01 solver.
//!
//! Input: a [`Platform`]; output: [`Network`], plain data with no Kubernetes types. The
//! NetworkPolicy builder (build/network_policy.rs) writes it as policies and `wfk graph`
//! (graph.rs) draws it, so the picture and the policies cannot disagree about a port.
//!
//! Where a choice surprises:
//! - A component's ports are in name order; an endpoint's in the order written.
//! - A job with `component` reaches what that component uses, beside its own `uses`: in
//!   [`Workload::reaches`] the two entries for one target are one, on every port either
//!   opens; [`Network::uses`] keeps each entry as written.
//! - A route without a port goes to the component's first port by name, as the Ingress's
//!   backend does (build/pod.rs `first_port`).
//! - `openIngress`, `openEgress` and `cloudMetadata` are flags here: what they open is the
//!   policy builder's business (it replaces or extends the declared paths).

use super::Platform;
use super::component::{Component, Kind, Relaxation, ServiceType};
use super::endpoint::{ApiServer, Endpoint, Use, Uses};
use super::values::Protocol;
use std::collections::{BTreeMap, BTreeSet};

/// Prometheus's namespace when the spec names none.
pub const DEFAULT_MONITORING_NAMESPACE: &str = "monitoring";

/// The ingress controller's namespace when the spec names none.
pub const DEFAULT_CONTROLLER_NAMESPACE: &str = "ingress-nginx";

/// A port a path opens: its name in the spec, number and protocol (`TCP` unless written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathPort<'a> {
    pub name: &'a str,
    pub port: u16,
    pub protocol: Protocol,
}

/// What a `uses` entry names.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    Component(&'a Component),
    Endpoint(&'a Endpoint),
}

/// A path from a component or job to a component or endpoint it uses.
#[derive(Clone, Debug)]
pub struct Reach<'a> {
    /// The component or job that connects.
    pub from: &'a str,
    /// Whether `from` is a job.
    pub job: bool,
    /// The name it uses.
    pub to: &'a str,
    pub target: Target<'a>,
    /// The ports of `target` it may reach; none is none (not every port).
    pub ports: Vec<PathPort<'a>>,
}

/// A scraped port and the path Prometheus scrapes.
#[derive(Clone, Copy, Debug)]
pub struct Scraped<'a> {
    pub port: PathPort<'a>,
    pub path: &'a str,
}

/// One host of the ingress and its paths.
#[derive(Clone, Debug)]
pub struct Host<'a> {
    /// The full host name.
    pub name: String,
    pub routes: Vec<Route<'a>>,
}

/// A path of a host and the component port it goes to.
#[derive(Clone, Debug)]
pub struct Route<'a> {
    pub path: &'a str,
    pub component: &'a str,
    /// The port it names, or the component's first; none when the component has no ports.
    pub port: Option<&'a str>,
}

/// The paths into and out of a component or job.
#[derive(Clone, Debug)]
pub struct Workload<'a> {
    pub name: &'a str,
    /// A component's ports, in name order; none for a job.
    pub ports: Vec<PathPort<'a>>,
    /// What it reaches through `uses`, by target name; each target once.
    pub reaches: BTreeMap<&'a str, Reach<'a>>,
    /// Who reaches it through `uses`, by user name, on which of its ports.
    pub users: BTreeMap<&'a str, Vec<PathPort<'a>>>,
    /// A stateful component: its pods reach each other on every one of its `ports`
    /// (replication, clustering).
    pub peers: bool,
    /// The API server, for a component with `access` when `defaults.apiServer` says where it is.
    pub api_server: Option<&'a ApiServer>,
    /// The ports Prometheus scrapes, from [`Network::monitoring`].
    pub scraped: Vec<Scraped<'a>>,
    /// The ports an ingress route points at, from [`Network::controller`].
    pub routed: Vec<PathPort<'a>>,
    /// The ports a LoadBalancer or NodePort Service exposes, to anyone: the main
    /// Service's (all but `service: false`) and those of each such entry of `services`.
    pub external: Vec<PathPort<'a>>,
    pub open_ingress: bool,
    pub open_egress: bool,
    pub cloud_metadata: bool,
}

/// Every path the spec of one environment declares.
#[derive(Clone, Debug)]
pub struct Network<'a> {
    /// Each `uses` entry as written: the components' (in spec order), then each job's own
    /// followed by those of its component.
    pub uses: Vec<Reach<'a>>,
    /// The components, in spec order.
    pub components: Vec<Workload<'a>>,
    /// The jobs, in spec order: only [`Workload::reaches`] is set (a job's pods serve no
    /// port and mount no API token).
    pub jobs: Vec<Workload<'a>>,
    /// The ingress hosts, in spec order.
    pub hosts: Vec<Host<'a>>,
    /// The namespace Prometheus scrapes from.
    pub monitoring: &'a str,
    /// The ingress controller's namespace.
    pub controller: &'a str,
    /// The ingress takes its certificate from a cert-manager issuer: the controller must
    /// reach the HTTP-01 solver pods cert-manager starts in the namespace.
    pub acme_solver: bool,
    /// Addresses of a NodeLocal DNSCache, where every pod may send DNS beside kube-dns.
    pub node_local_dns: &'a [String],
}

impl<'a> Network<'a> {
    pub fn of(spec: &'a Platform) -> Network<'a> {
        let written = written(spec);
        let mut used: BTreeMap<&str, BTreeMap<&str, Use>> = BTreeMap::new();
        for &(from, _, to, u) in &written {
            used.entry(from)
                .or_default()
                .entry(to)
                .and_modify(|had| *had = union(had, u))
                .or_insert_with(|| u.clone());
        }
        let reach = |from: &'a str, job: bool, to: &'a str, u: &Use| {
            let target = target(spec, to)?;
            let ports = target_ports(target, u);
            Some(Reach {
                from,
                job,
                to,
                target,
                ports,
            })
        };
        let reaches = |from: &'a str, job: bool| -> BTreeMap<&'a str, Reach<'a>> {
            let entries = used.get(from).into_iter().flatten();
            entries
                .filter_map(|(&to, u)| Some((to, reach(from, job, to, u)?)))
                .collect()
        };
        let jobs: Vec<Workload> = spec
            .jobs
            .keys()
            .map(|name| Workload {
                reaches: reaches(name, true),
                ..Workload::empty(name)
            })
            .collect();
        let mut components: Vec<Workload> = spec
            .components
            .iter()
            .map(|(name, c)| component(spec, name, c, reaches(name, false)))
            .collect();
        let mut users: BTreeMap<&str, BTreeMap<&str, Vec<PathPort>>> = BTreeMap::new();
        for w in components.iter().chain(&jobs) {
            for reach in w.reaches.values() {
                if let Target::Component(_) = reach.target {
                    users
                        .entry(reach.to)
                        .or_default()
                        .insert(w.name, reach.ports.clone());
                }
            }
        }
        for c in &mut components {
            c.users = users.remove(c.name).unwrap_or_default();
        }
        let hosts = hosts(spec);
        // The ports the ingress routes to, by component, in one pass over the routes.
        let mut routed: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for r in hosts.iter().flat_map(|h| &h.routes) {
            if let Some(port) = r.port {
                routed.entry(r.component).or_default().insert(port);
            }
        }
        for c in &mut components {
            let names = routed.remove(c.name).unwrap_or_default();
            c.routed = c
                .ports
                .iter()
                .filter(|p| names.contains(p.name))
                .copied()
                .collect();
        }
        let ingress = spec.ingress.as_ref();
        let tls = ingress.and_then(|i| i.tls.as_ref());
        Network {
            uses: written
                .into_iter()
                .filter_map(|(from, job, to, u)| reach(from, job, to, u))
                .collect(),
            components,
            jobs,
            hosts,
            monitoring: spec
                .monitoring
                .namespace
                .as_deref()
                .unwrap_or(DEFAULT_MONITORING_NAMESPACE),
            controller: ingress
                .and_then(|i| i.controller_namespace.as_deref())
                .unwrap_or(DEFAULT_CONTROLLER_NAMESPACE),
            acme_solver: tls.is_some_and(|t| t.issuer.is_some() || t.cluster_issuer.is_some()),
            node_local_dns: &spec.defaults.dns.node_local,
        }
    }
}

impl<'a> Workload<'a> {
    fn empty(name: &'a str) -> Workload<'a> {
        Workload {
            name,
            ports: Vec::new(),
            reaches: BTreeMap::new(),
            users: BTreeMap::new(),
            peers: false,
            api_server: None,
            scraped: Vec::new(),
            routed: Vec::new(),
            external: Vec::new(),
            open_ingress: false,
            open_egress: false,
            cloud_metadata: false,
        }
    }
}

/// A component's own paths; `users` and `routed` are filled from the others.
fn component<'a>(
    spec: &'a Platform,
    name: &'a str,
    c: &'a Component,
    reaches: BTreeMap<&'a str, Reach<'a>>,
) -> Workload<'a> {
    let relaxed = |r: Relaxation| c.security.relax.contains_key(&r);
    let external = external_ports(c);
    let scraped = sorted_ports(c)
        .into_iter()
        .filter_map(|(n, p)| {
            Some(Scraped {
                path: p.scrape_path()?,
                port: path_port(n, p.port, p.protocol),
            })
        })
        .collect();
    Workload {
        ports: own_ports(c, |_| true),
        reaches,
        peers: c.kind == Kind::Stateful,
        api_server: c.access.as_ref().and(spec.defaults.api_server.as_ref()),
        scraped,
        external: own_ports(c, |n| external.contains(n)),
        open_ingress: relaxed(Relaxation::OpenIngress),
        open_egress: relaxed(Relaxation::OpenEgress),
        cloud_metadata: relaxed(Relaxation::CloudMetadata),
        ..Workload::empty(name)
    }
}

/// Every `uses` entry as written: who, whether it is a job, what, which ports.
fn written(spec: &Platform) -> Vec<(&str, bool, &str, &Use)> {
    let components = spec.components.iter().map(|(n, c)| (n, false, &c.uses));
    let jobs = spec.jobs.iter().flat_map(|(n, j)| {
        let inherited = j.component.as_ref().and_then(|c| spec.components.get(c));
        std::iter::once((n, true, &j.uses)).chain(inherited.map(|c| (n, true, &c.uses)))
    });
    let all = components.chain(jobs);
    all.flat_map(|(from, job, uses): (&String, bool, &Uses)| {
        uses.iter()
            .map(move |(to, u)| (from.as_str(), job, to.as_str(), u))
    })
    .collect()
}

/// Two `uses` entries for the same name (a job's own and its component's): every port
/// either opens.
fn union(a: &Use, b: &Use) -> Use {
    match (a, b) {
        (Use::Ports(a), Use::Ports(b)) => {
            let mut ports = a.clone();
            ports.extend(b.iter().filter(|p| !a.contains(p)).cloned());
            Use::Ports(ports)
        }
        _ => Use::All,
    }
}

fn target<'a>(spec: &'a Platform, name: &str) -> Option<Target<'a>> {
    match spec.components.get(name) {
        Some(c) => Some(Target::Component(c)),
        None => spec.endpoints.get(name).map(Target::Endpoint),
    }
}

/// The ports of `target` that `used` opens: a component's in name order, an endpoint's in
/// the order written.
fn target_ports<'a>(target: Target<'a>, used: &Use) -> Vec<PathPort<'a>> {
    match target {
        Target::Component(c) => own_ports(c, |n| used.includes(n)),
        Target::Endpoint(e) => e
            .ports
            .iter()
            .filter(|(n, _)| used.includes(n))
            .map(|(n, p)| path_port(n, p.port, p.protocol))
            .collect(),
    }
}

/// A component's ports whose names pass `keep`, in name order.
fn own_ports<'a>(c: &'a Component, keep: impl Fn(&str) -> bool) -> Vec<PathPort<'a>> {
    sorted_ports(c)
        .into_iter()
        .filter(|(n, _)| keep(n))
        .map(|(n, p)| path_port(n, p.port, p.protocol))
        .collect()
}

fn sorted_ports(c: &Component) -> Vec<(&str, &super::values::Port)> {
    let mut ports: Vec<(&str, &super::values::Port)> =
        c.ports.iter().map(|(n, p)| (n.as_str(), &p.0)).collect();
    ports.sort_by(|a, b| a.0.cmp(b.0));
    ports
}

fn path_port(name: &str, port: u16, protocol: Option<Protocol>) -> PathPort<'_> {
    PathPort {
        name,
        port,
        protocol: protocol.unwrap_or(Protocol::TCP),
    }
}

/// The names of the ports a LoadBalancer or NodePort Service of the component exposes.
fn external_ports(c: &Component) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    if c.service
        .as_ref()
        .is_some_and(|s| s.kind != ServiceType::ClusterIP)
    {
        out.extend(
            c.ports
                .iter()
                .filter(|(_, p)| p.service != Some(false))
                .map(|(n, _)| n.as_str()),
        );
    }
    for s in c.services.values() {
        if s.kind != ServiceType::ClusterIP {
            out.extend(s.ports.iter().map(String::as_str));
        }
    }
    out
}

/// The ingress hosts and where each path goes.
fn hosts(spec: &Platform) -> Vec<Host<'_>> {
    let Some(ingress) = &spec.ingress else {
        return Vec::new();
    };
    ingress
        .hosts
        .iter()
        .map(|(key, host)| Host {
            name: ingress.host_name(key, host),
            routes: host
                .paths
                .iter()
                .map(|(path, route)| Route {
                    path,
                    component: &route.component,
                    port: route.port.as_deref().or_else(|| {
                        let c = spec.components.get(&route.component)?;
                        sorted_ports(c).first().map(|(n, _)| *n)
                    }),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Network, PathPort, Target};
    use crate::merge::Merged;
    use crate::platform::Platform;
    use crate::platform::values::Protocol;

    fn spec(yaml: &str) -> Platform {
        let head = "platform: p\ndefaults: { resources: { cpu: 1, memory: 1Gi } }\n";
        let tree = crate::load::parse(0, &format!("{head}{yaml}")).unwrap();
        Platform::from_tree(&Merged::new(tree)).unwrap()
    }

    fn names<'a>(ports: &[PathPort<'a>]) -> Vec<&'a str> {
        ports.iter().map(|p| p.name).collect()
    }

    #[test]
    fn a_job_reaches_the_union_of_its_uses_and_its_components_but_each_entry_is_kept() {
        let spec = spec(
            "components:
  api: { image: a:1, ports: { http: 8080 }, uses: { db: [sql] } }
  db: { image: d:1, kind: stateful, ports: { sql: 5432, gossip: { port: 7946, protocol: UDP } } }
jobs:
  migrate: { component: api, uses: { db: [gossip] } }
",
        );
        let network = Network::of(&spec);
        let written: Vec<(&str, bool, &str, Vec<&str>)> = network
            .uses
            .iter()
            .map(|r| (r.from, r.job, r.to, names(&r.ports)))
            .collect();
        assert_eq!(
            written,
            [
                ("api", false, "db", vec!["sql"]),
                ("migrate", true, "db", vec!["gossip"]),
                ("migrate", true, "db", vec!["sql"]),
            ]
        );
        let migrate = &network.jobs[0];
        let reach = &migrate.reaches["db"];
        assert!(matches!(reach.target, Target::Component(_)));
        assert_eq!(names(&reach.ports), ["gossip", "sql"]);
        assert_eq!(reach.ports[0].protocol, Protocol::UDP);
        let db = &network.components[1];
        assert_eq!(db.name, "db");
        let users: Vec<(&str, Vec<&str>)> = db.users.iter().map(|(u, p)| (*u, names(p))).collect();
        assert_eq!(
            users,
            [("api", vec!["sql"]), ("migrate", vec!["gossip", "sql"])]
        );
        assert!(db.peers);
    }

    #[test]
    fn routes_scrapes_and_load_balancers_open_their_ports_and_no_others() {
        let spec = spec(
            "monitoring: { namespace: prom }
ingress: { domain: x.io, controllerNamespace: edge, hosts: { www: { paths: { /: api, /admin: \"api:admin\" } } } }
components:
  api:
    image: a:1
    ports: { http: 8080, admin: { port: 9000, scrape: /q/metrics }, raft: { port: 4321, service: false } }
    service: { type: LoadBalancer }
",
        );
        let network = Network::of(&spec);
        let api = &network.components[0];
        // A route without a port goes to the first port by name.
        assert_eq!(names(&api.routed), ["admin"]);
        let routes: Vec<(&str, Option<&str>)> = network.hosts[0]
            .routes
            .iter()
            .map(|r| (r.path, r.port))
            .collect();
        assert_eq!(routes, [("/", Some("admin")), ("/admin", Some("admin"))]);
        assert_eq!(network.hosts[0].name, "www.x.io");
        let scraped: Vec<(&str, &str)> =
            api.scraped.iter().map(|s| (s.port.name, s.path)).collect();
        assert_eq!(scraped, [("admin", "/q/metrics")]);
        // The main Service is a LoadBalancer, but not with `service: false` ports.
        assert_eq!(names(&api.external), ["admin", "http"]);
        assert_eq!((network.monitoring, network.controller), ("prom", "edge"));
        assert!(!network.acme_solver && !api.peers && api.api_server.is_none());
    }
}
