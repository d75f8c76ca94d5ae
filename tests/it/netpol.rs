//! The NetworkPolicies allow exactly what the spec declares: a proof by evaluation over every
//! render of the reference platform (dev, staging, prod), of each example under examples/
//! and of each project under tests/projects/.
//!
//! Two halves that share no code with `src/build/network_policy.rs`:
//!
//! - **An evaluator** of NetworkPolicy objects (as JSON), written from the Kubernetes
//!   documents (<https://kubernetes.io/docs/concepts/services-networking/network-policies/>
//!   and the API reference): which policies isolate a pod for a direction, and whether a
//!   connection `source → destination port/protocol` matches a rule of one of them. Its unit
//!   tests are at the end of this file.
//! - **The declared paths**, read from `platform.yaml` and `overlays/<env>.yaml` merged here
//!   (maps merge, `null` removes a key, anything else replaces; `extends` first), plus the
//!   rendered Services and Ingress for what they route: `uses` (list or map form, a job with
//!   `component` taking that component's), `endpoints`, `defaults.apiServer` for components
//!   with `access`, DNS, scraped ports, Ingress routes, LoadBalancer and NodePort Services,
//!   a stateful component's own pods, `security.relax`, and cert-manager's HTTP-01 solver
//!   pods when the ingress takes its certificate from an issuer.
//!
//! Each connection is checked on each side: the egress side (the source's policies) must
//! allow exactly the declared egress, and the ingress side (the destination's) exactly the
//! declared ingress. The probes: every workload's pod (from the rendered Deployments,
//! StatefulSets, DaemonSets, Jobs and CronJobs) to every other and to another pod of its
//! own, on each of the destination's container and spec ports, each of them with the other
//! protocol, and a port nobody declares; pods of another namespace labelled like each
//! workload; an unlabelled pod of the platform's namespace; the monitoring and ingress
//! controller namespaces; kube-dns and its look-alikes; internet addresses (IPv4 and IPv6)
//! as sources and destinations; the cloud metadata address; and every address the spec
//! names (NodeLocal DNS, the API server, endpoints, and the address just past each
//! endpoint's block). All failures of all renders are reported at once.
//!
//! Assumptions:
//! - The policies are evaluated as the Kubernetes documents define them; whether a
//!   cluster's network plugin enforces them (and how it treats traffic from a pod's own
//!   node, which the API reference always allows) is outside this test.
//! - A pod's IP address is unknown here, so a pod never matches an `ipBlock`: the documents
//!   say `ipBlock` is meant for addresses outside the cluster, and that pod IPs are
//!   ephemeral. Addresses in the probes are outside the cluster.
//! - A policy without `policyTypes` isolates egress only when its `egress` has a rule, as
//!   the API server's defaulting decides (`egress: []` is dropped on the wire).
//! - A job with `component` takes that component's `uses`, not its `access`: a job's pods
//!   mount no API token, so they never call the API server. Its `security.relax` is its own.
//! - A patch or template that writes a NetworkPolicy may open more than the spec declares:
//!   a side of a probe whose pod such a policy selects is left out (counted on stderr, not
//!   reported). No project has one today; a test below has one.

use crate::render_support::{project, root, wfk, wfk_ok};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

type Labels = BTreeMap<String, String>;

// ---------------------------------------------------------------------------------------
// The evaluator
// ---------------------------------------------------------------------------------------

/// A port one of a pod's containers declares.
#[derive(Clone, Debug)]
struct ContainerPort {
    name: Option<String>,
    port: u16,
    protocol: String,
}

/// A pod, as far as NetworkPolicies look at it.
#[derive(Clone, Debug)]
struct Pod {
    /// For messages.
    name: String,
    namespace: String,
    labels: Labels,
    ports: Vec<ContainerPort>,
}

impl Pod {
    fn new(
        name: &str,
        namespace: &str,
        labels: &[(&str, &str)],
        ports: &[(&str, u16, &str)],
    ) -> Pod {
        Pod {
            name: name.into(),
            namespace: namespace.into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ports: ports
                .iter()
                .map(|(n, port, protocol)| ContainerPort {
                    name: Some(n.to_string()),
                    port: *port,
                    protocol: protocol.to_string(),
                })
                .collect(),
        }
    }
}

/// One end of a connection: a pod, or an address outside the cluster.
#[derive(Clone, Copy, Debug)]
enum Peer<'a> {
    Pod(&'a Pod),
    Address(IpAddr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn policy_type(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    /// The spec's list of rules for this direction.
    fn rules(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    /// A rule's list of peers.
    fn peers(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

/// The NetworkPolicies of a cluster and the labels of its namespaces.
struct Cluster<'a> {
    policies: Vec<&'a Value>,
    /// Labels of namespaces beyond `kubernetes.io/metadata.name`, which every namespace has.
    namespaces: BTreeMap<String, Labels>,
}

impl Cluster<'_> {
    /// Whether `src`'s policies let it send to `dst` on `port`/`protocol`. An address
    /// outside the cluster has no policies.
    fn egress_allows(&self, src: Peer, dst: Peer, port: u16, protocol: &str) -> bool {
        match src {
            Peer::Address(_) => true,
            Peer::Pod(pod) => self.side_allows(Direction::Egress, pod, dst, dst, port, protocol),
        }
    }

    /// Whether `dst`'s policies let `src` in on `port`/`protocol`.
    fn ingress_allows(&self, src: Peer, dst: Peer, port: u16, protocol: &str) -> bool {
        match dst {
            Peer::Address(_) => true,
            Peer::Pod(pod) => self.side_allows(Direction::Ingress, pod, src, dst, port, protocol),
        }
    }

    /// Both sides: what a connection needs.
    fn allows(&self, src: Peer, dst: Peer, port: u16, protocol: &str) -> bool {
        self.egress_allows(src, dst, port, protocol)
            && self.ingress_allows(src, dst, port, protocol)
    }

    /// "If no policies apply to a pod for a direction, all connections are allowed in that
    /// direction"; otherwise a connection must match a rule of one of them (rules add up
    /// across policies). `remote` is the other end; named ports resolve against `dst`.
    fn side_allows(
        &self,
        direction: Direction,
        selected: &Pod,
        remote: Peer,
        dst: Peer,
        port: u16,
        protocol: &str,
    ) -> bool {
        let isolating: Vec<&&Value> = self
            .policies
            .iter()
            .filter(|p| isolates(p, selected, direction))
            .collect();
        isolating.is_empty()
            || isolating.iter().any(|policy| {
                let namespace = policy_namespace(policy);
                list(&policy["spec"][direction.rules()]).iter().any(|rule| {
                    self.peers_match(&rule[direction.peers()], namespace, remote)
                        && ports_match(&rule["ports"], dst, port, protocol)
                })
            })
    }

    /// A rule's `from`/`to`: absent or empty matches every peer, else any one of them.
    fn peers_match(&self, peers: &Value, policy_namespace: &str, remote: Peer) -> bool {
        let peers = list(peers);
        peers.is_empty()
            || peers
                .iter()
                .any(|peer| self.peer_matches(peer, policy_namespace, remote))
    }

    fn peer_matches(&self, peer: &Value, policy_namespace: &str, remote: Peer) -> bool {
        if let Some(block) = present(peer, "ipBlock") {
            // Pods never match an ipBlock here (see the module's assumptions).
            let Peer::Address(ip) = remote else {
                return false;
            };
            let within = |cidr: &Value| {
                cidr.as_str()
                    .and_then(Cidr::parse)
                    .is_some_and(|c| c.contains(ip))
            };
            return within(&block["cidr"]) && !list(&block["except"]).iter().any(within);
        }
        let Peer::Pod(pod) = remote else {
            return false;
        };
        let pods = present(peer, "podSelector");
        let namespaces = present(peer, "namespaceSelector");
        // A peer with neither selector nor ipBlock is refused by the API server.
        if pods.is_none() && namespaces.is_none() {
            return false;
        }
        // podSelector alone: the policy's own namespace; namespaceSelector alone: every pod
        // of the namespaces it selects; both in one peer: pods that match both.
        let in_namespace = match namespaces {
            None => pod.namespace == policy_namespace,
            Some(selector) => selector_matches(selector, &self.namespace_labels(&pod.namespace)),
        };
        in_namespace && pods.is_none_or(|selector| selector_matches(selector, &pod.labels))
    }

    fn namespace_labels(&self, namespace: &str) -> Labels {
        let mut labels = self.namespaces.get(namespace).cloned().unwrap_or_default();
        labels.insert("kubernetes.io/metadata.name".into(), namespace.into());
        labels
    }
}

/// Whether `policy` selects `pod` and applies to `direction`.
fn isolates(policy: &Value, pod: &Pod, direction: Direction) -> bool {
    let selects = match present(&policy["spec"], "podSelector") {
        // The API reference: "If not specified, it defaults to an empty selector".
        None => true,
        Some(selector) => selector_matches(selector, &pod.labels),
    };
    policy_namespace(policy) == pod.namespace
        && selects
        && policy_types(policy).contains(&direction.policy_type())
}

/// `policyTypes`, or its default: Ingress always, Egress when the policy has egress rules.
/// The API server's defaulting counts a non-empty `egress` only (`egress: []` is dropped on
/// the wire), so an empty list does not isolate egress.
fn policy_types(policy: &Value) -> Vec<&str> {
    let spec = &policy["spec"];
    let written: Vec<&str> = list(&spec["policyTypes"])
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if !written.is_empty() {
        return written;
    }
    let mut types = vec!["Ingress"];
    if !list(&spec["egress"]).is_empty() {
        types.push("Egress");
    }
    types
}

/// A namespaced object without a namespace lands in the client's, `default` here.
fn policy_namespace(policy: &Value) -> &str {
    policy["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default")
}

/// A rule's `ports`: absent or empty matches every port; else one entry must match. An
/// entry's protocol defaults to TCP; no `port` is every port of that protocol; a number
/// may start a range up to `endPort`; a name is a container port of the destination pod
/// (never an address).
fn ports_match(ports: &Value, dst: Peer, port: u16, protocol: &str) -> bool {
    let ports = list(ports);
    ports.is_empty()
        || ports.iter().any(|entry| {
            if entry["protocol"].as_str().unwrap_or("TCP") != protocol {
                return false;
            }
            match &entry["port"] {
                Value::Null => true,
                Value::Number(first) => {
                    let first = first.as_u64().unwrap_or(u64::MAX);
                    let last = entry["endPort"].as_u64().unwrap_or(first);
                    (first..=last).contains(&u64::from(port))
                }
                Value::String(name) => match dst {
                    Peer::Pod(pod) => pod.ports.iter().any(|c| {
                        c.name.as_deref() == Some(name) && c.port == port && c.protocol == protocol
                    }),
                    Peer::Address(_) => false,
                },
                _ => false,
            }
        })
}

/// A label selector: `matchLabels` and `matchExpressions`, ANDed; `{}` selects everything.
fn selector_matches(selector: &Value, labels: &Labels) -> bool {
    let label = |key: &str| labels.get(key).map(String::as_str);
    let by_label = selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(key, value)| value.as_str().is_some_and(|v| label(key) == Some(v)));
    let by_expression = list(&selector["matchExpressions"]).iter().all(|e| {
        let key = e["key"].as_str().unwrap_or_default();
        let values: Vec<&str> = list(&e["values"])
            .iter()
            .filter_map(Value::as_str)
            .collect();
        match e["operator"].as_str() {
            Some("In") => label(key).is_some_and(|v| values.contains(&v)),
            Some("NotIn") => label(key).is_none_or(|v| !values.contains(&v)),
            Some("Exists") => label(key).is_some(),
            Some("DoesNotExist") => label(key).is_none(),
            _ => false,
        }
    });
    by_label && by_expression
}

/// A field that is there and not `null`.
fn present<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value.get(key).filter(|v| !v.is_null())
}

/// An array's items; nothing for `null` or a missing field.
fn list(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// An IPv4 or IPv6 block: an address and a prefix length.
#[derive(Clone, Copy, Debug)]
struct Cidr {
    address: IpAddr,
    prefix: u32,
}

impl Cidr {
    fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = text.split_once('/')?;
        let address: IpAddr = address.parse().ok()?;
        let prefix: u32 = prefix.parse().ok()?;
        (prefix <= width(address)).then_some(Cidr { address, prefix })
    }

    /// Whether `ip` is in the block: same family, same first `prefix` bits.
    fn contains(&self, ip: IpAddr) -> bool {
        width(ip) == width(self.address)
            && network(bits(ip), width(ip), self.prefix)
                == network(bits(self.address), width(ip), self.prefix)
    }

    /// The block's first address.
    fn first(&self) -> IpAddr {
        let w = width(self.address);
        let host_bits = w - self.prefix;
        address(
            network(bits(self.address), w, self.prefix)
                .checked_shl(host_bits)
                .unwrap_or(0),
            w,
        )
    }

    /// The first address after the block, if the address space goes on past it.
    fn after(&self) -> Option<IpAddr> {
        let w = width(self.address);
        let next = network(bits(self.address), w, self.prefix).checked_add(1)?;
        // Past the end when the next network number no longer fits in `prefix` bits.
        if next.checked_shr(self.prefix).unwrap_or(0) != 0 {
            return None;
        }
        Some(address(next << (w - self.prefix), w))
    }
}

fn width(ip: IpAddr) -> u32 {
    if ip.is_ipv4() { 32 } else { 128 }
}

fn bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// The first `prefix` bits of an address of `width` bits.
fn network(bits: u128, width: u32, prefix: u32) -> u128 {
    if prefix == 0 {
        0
    } else {
        bits >> (width - prefix)
    }
}

fn address(bits: u128, width: u32) -> IpAddr {
    if width == 32 {
        IpAddr::V4((bits as u32).into())
    } else {
        IpAddr::V6(bits.into())
    }
}

/// Whether `ip` is the cloud instance metadata address (AWS, Azure, GCP; AWS's IPv6 one).
fn is_metadata(ip: IpAddr) -> bool {
    ["169.254.169.254", "fd00:ec2::254"]
        .iter()
        .any(|a| a.parse::<IpAddr>().ok() == Some(ip))
}

/// An address written in this file.
fn ip(text: &str) -> IpAddr {
    text.parse()
        .unwrap_or_else(|_| panic!("`{text}` is not an address"))
}

// ---------------------------------------------------------------------------------------
// The spec, merged and read here
// ---------------------------------------------------------------------------------------

/// A YAML file as JSON; an empty (or comment-only) file is an empty map.
fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: Option<Value> =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match value {
        None | Some(Value::Null) => json!({}),
        Some(value) => value,
    }
}

/// The spec of `env`: platform.yaml, then each overlay of the `extends` chain from its
/// root down to `overlays/<env>.yaml`.
fn merged_spec(dir: &Path, env: &str) -> Value {
    let mut chain = Vec::new();
    let mut next = Some(env.to_string());
    while let Some(name) = next {
        assert!(chain.len() < 32, "{}: `extends` goes round", dir.display());
        let mut overlay = read_yaml(&dir.join("overlays").join(format!("{name}.yaml")));
        next = overlay
            .as_object_mut()
            .and_then(|map| map.remove("extends"))
            .and_then(|parent| parent.as_str().map(String::from));
        chain.push(overlay);
    }
    let mut spec = read_yaml(&dir.join("platform.yaml"));
    for overlay in chain.into_iter().rev() {
        merge(&mut spec, overlay);
    }
    spec
}

/// Maps merge key by key; an overlay's `null` removes the key; anything else replaces.
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                if value.is_null() {
                    base.remove(&key);
                } else if let Some(slot) = base.get_mut(&key) {
                    merge(slot, value);
                } else {
                    base.insert(key, value);
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// The entries of a map in the spec, without removed (`null`) ones.
fn entries(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| !v.is_null())
}

/// A map of labels; a value that is not a string is written as YAML would show it.
fn labels(value: &Value) -> Labels {
    entries(value)
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), String::from),
            )
        })
        .collect()
}

fn cidr(text: &str) -> Cidr {
    Cidr::parse(text).unwrap_or_else(|| panic!("`{text}` is not a CIDR"))
}

/// A port of the spec: `8080`, or `{ port, protocol, scrape, … }`.
#[derive(Clone, Debug)]
struct SpecPort {
    port: u16,
    protocol: String,
    scrape: bool,
}

fn spec_port(value: &Value) -> Option<SpecPort> {
    let number = |v: &Value| {
        v.as_u64()
            .or_else(|| v.as_str()?.parse().ok())
            .and_then(|n| u16::try_from(n).ok())
    };
    Some(match value {
        Value::Object(_) => SpecPort {
            port: number(&value["port"])?,
            protocol: value["protocol"].as_str().unwrap_or("TCP").into(),
            // `true`, or (about to land) the path Prometheus scrapes.
            scrape: value["scrape"] == true
                || value["scrape"]
                    .as_str()
                    .is_some_and(|path| !path.is_empty()),
        },
        _ => SpecPort {
            port: number(value)?,
            protocol: "TCP".into(),
            scrape: false,
        },
    })
}

fn spec_ports(owner: &Value) -> BTreeMap<String, SpecPort> {
    entries(&owner["ports"])
        .filter_map(|(name, port)| Some((name.clone(), spec_port(port)?)))
        .collect()
}

/// Which ports of a used component or endpoint: every one, or some by name.
#[derive(Clone, Debug, PartialEq)]
enum Use {
    All,
    Ports(BTreeSet<String>),
}

impl Use {
    fn includes(&self, name: &str) -> bool {
        match self {
            Use::All => true,
            Use::Ports(ports) => ports.contains(name),
        }
    }

    fn union(self, other: Use) -> Use {
        match (self, other) {
            (Use::Ports(mut a), Use::Ports(b)) => {
                a.extend(b);
                Use::Ports(a)
            }
            _ => Use::All,
        }
    }
}

/// `uses`: a list of names (every port of each), or a map of names to `true` (every port)
/// or a list of port names.
fn uses(value: &Value) -> BTreeMap<String, Use> {
    match value {
        Value::Array(names) => names
            .iter()
            .filter_map(Value::as_str)
            .map(|name| (name.to_string(), Use::All))
            .collect(),
        _ => entries(value)
            .filter_map(|(name, used)| {
                let used = match used {
                    Value::Bool(true) => Use::All,
                    Value::Array(ports) => Use::Ports(
                        ports
                            .iter()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect(),
                    ),
                    _ => return None,
                };
                Some((name.clone(), used))
            })
            .collect(),
    }
}

/// Whether `port`/`protocol` is one of `ports` that `used` names.
fn serves(ports: &BTreeMap<String, SpecPort>, used: &Use, port: u16, protocol: &str) -> bool {
    ports
        .iter()
        .any(|(name, p)| used.includes(name) && p.port == port && p.protocol == protocol)
}

/// A component or a job, as far as the network goes.
#[derive(Debug, Default)]
struct Workload {
    job: bool,
    ports: BTreeMap<String, SpecPort>,
    uses: BTreeMap<String, Use>,
    stateful: bool,
    access: bool,
    open_egress: bool,
    open_ingress: bool,
    cloud_metadata: bool,
}

/// Something outside the platform: addresses, or (labelled) pods of another namespace.
#[derive(Debug)]
struct Endpoint {
    cidrs: Vec<Cidr>,
    namespace: Option<String>,
    pods: Labels,
    ports: BTreeMap<String, SpecPort>,
}

/// What the spec of one environment declares about the network, and (from the render)
/// what its Services and Ingress expose.
#[derive(Debug)]
struct Declared {
    platform: String,
    namespace: String,
    workloads: BTreeMap<String, Workload>,
    endpoints: BTreeMap<String, Endpoint>,
    node_local: Vec<Cidr>,
    /// `defaults.apiServer`: its addresses and port.
    api_server: Option<(Vec<Cidr>, u16)>,
    monitoring: String,
    controller: String,
    /// The ingress takes its certificate from a cert-manager issuer, whose HTTP-01 solver
    /// pods the controller must reach.
    acme: bool,
    /// (node, port, protocol) behind a LoadBalancer or NodePort Service.
    exposed: BTreeSet<(usize, u16, String)>,
    /// (node, port, protocol) an Ingress routes to.
    routed: BTreeSet<(usize, u16, String)>,
}

impl Declared {
    fn read(spec: &Value) -> Declared {
        let text = |v: &Value| v.as_str().map(String::from);
        let relaxed =
            |owner: &Value, what: &str| present(&owner["security"]["relax"], what).is_some();
        let platform = text(&spec["platform"]).expect("a platform name");
        let mut workloads = BTreeMap::new();
        for (name, c) in entries(&spec["components"]) {
            let component = Workload {
                job: false,
                ports: spec_ports(c),
                uses: uses(&c["uses"]),
                stateful: c["kind"] == "stateful",
                access: present(c, "access").is_some(),
                open_egress: relaxed(c, "openEgress"),
                open_ingress: relaxed(c, "openIngress"),
                cloud_metadata: relaxed(c, "cloudMetadata"),
            };
            workloads.insert(name.clone(), component);
        }
        for (name, j) in entries(&spec["jobs"]) {
            // A job that runs as a component connects to what that component uses; it
            // mounts no API token, so it does not call the API server.
            let component = j["component"]
                .as_str()
                .and_then(|c| present(&spec["components"], c));
            let mut used = component.map(|c| uses(&c["uses"])).unwrap_or_default();
            for (target, more) in uses(&j["uses"]) {
                let all = match used.remove(&target) {
                    Some(before) => before.union(more),
                    None => more,
                };
                used.insert(target, all);
            }
            let job = Workload {
                job: true,
                uses: used,
                access: false,
                open_egress: relaxed(j, "openEgress"),
                open_ingress: relaxed(j, "openIngress"),
                cloud_metadata: relaxed(j, "cloudMetadata"),
                ..Workload::default()
            };
            let twice = workloads.insert(name.clone(), job);
            assert!(
                twice.is_none(),
                "a component and a job are both named `{name}`"
            );
        }
        let endpoints = entries(&spec["endpoints"])
            .map(|(name, e)| {
                let endpoint = Endpoint {
                    cidrs: list(&e["cidrs"])
                        .iter()
                        .filter_map(Value::as_str)
                        .map(cidr)
                        .collect(),
                    namespace: text(&e["namespace"]),
                    pods: labels(&e["pods"]),
                    ports: spec_ports(e),
                };
                (name.clone(), endpoint)
            })
            .collect();
        let defaults = &spec["defaults"];
        let api_server = present(defaults, "apiServer").map(|a| {
            let cidrs = list(&a["cidrs"])
                .iter()
                .filter_map(Value::as_str)
                .map(cidr)
                .collect();
            let port = spec_port(&a["port"]).expect("defaults.apiServer.port").port;
            (cidrs, port)
        });
        let tls = &spec["ingress"]["tls"];
        Declared {
            namespace: text(&spec["namespace"]).unwrap_or_else(|| platform.clone()),
            platform,
            workloads,
            endpoints,
            node_local: list(&defaults["dns"]["nodeLocal"])
                .iter()
                .filter_map(Value::as_str)
                .map(cidr)
                .collect(),
            api_server,
            monitoring: text(&spec["monitoring"]["namespace"])
                .unwrap_or_else(|| "monitoring".into()),
            controller: text(&spec["ingress"]["controllerNamespace"])
                .unwrap_or_else(|| "ingress-nginx".into()),
            acme: present(tls, "clusterIssuer").is_some() || present(tls, "issuer").is_some(),
            exposed: BTreeSet::new(),
            routed: BTreeSet::new(),
        }
    }

    /// Why the spec lets `src` send to `dst` on `port`/`protocol`, as far as `src`'s own
    /// policies go; `None` when it does not.
    fn egress(&self, src: &Node, dst: &Node, port: u16, protocol: &str) -> Option<String> {
        let NodeKind::Pod(pod, role) = &src.kind else {
            return Some("an address outside the cluster has no policy".into());
        };
        if pod.namespace != self.namespace {
            return Some(format!("the platform has no policy in `{}`", pod.namespace));
        }
        let dns = port == 53 && matches!(protocol, "UDP" | "TCP");
        match &dst.kind {
            NodeKind::Pod(d, _)
                if dns
                    && d.namespace == "kube-system"
                    && d.labels.get("k8s-app").map(String::as_str) == Some("kube-dns") =>
            {
                return Some("every pod may send DNS to kube-dns".into());
            }
            NodeKind::Address(ip) if dns && self.node_local.iter().any(|c| c.contains(*ip)) => {
                return Some("every pod may send DNS to defaults.dns.nodeLocal".into());
            }
            _ => {}
        }
        let Role::Workload(name) = role else {
            return None;
        };
        let w = &self.workloads[name];
        let metadata = matches!(dst.kind, NodeKind::Address(ip) if is_metadata(ip));
        if w.open_egress && !metadata {
            return Some(format!("`{name}` relaxes openEgress"));
        }
        if w.cloud_metadata && metadata && port == 80 && protocol == "TCP" {
            return Some(format!("`{name}` relaxes cloudMetadata"));
        }
        if let (true, Some((cidrs, api_port)), NodeKind::Address(ip)) =
            (w.access, &self.api_server, &dst.kind)
        {
            if port == *api_port && protocol == "TCP" && cidrs.iter().any(|c| c.contains(*ip)) {
                return Some(format!("`{name}` has `access`: defaults.apiServer"));
            }
        }
        let is_workload =
            |target: &str| matches!(&dst.kind, NodeKind::Pod(_, Role::Workload(d)) if d == target);
        for (target, used) in &w.uses {
            if let Some(t) = self.workloads.get(target) {
                if is_workload(target) && serves(&t.ports, used, port, protocol) {
                    return Some(format!("`{name}` uses `{target}`"));
                }
            } else if let Some(e) = self.endpoints.get(target) {
                let reached = match &dst.kind {
                    NodeKind::Address(ip) => e.cidrs.iter().any(|c| c.contains(*ip)),
                    NodeKind::Pod(d, _) => {
                        e.namespace.as_deref() == Some(d.namespace.as_str())
                            && e.pods.iter().all(|(k, v)| d.labels.get(k) == Some(v))
                    }
                };
                if reached && serves(&e.ports, used, port, protocol) {
                    return Some(format!("`{name}` uses endpoint `{target}`"));
                }
            }
        }
        if w.stateful && is_workload(name) && serves(&w.ports, &Use::All, port, protocol) {
            return Some(format!("`{name}` is stateful: its pods reach each other"));
        }
        None
    }

    /// Why the spec lets `src` in to `dst` (node `d`) on `port`/`protocol`, as far as
    /// `dst`'s own policies go; `None` when it does not.
    fn ingress(
        &self,
        src: &Node,
        d: usize,
        dst: &Node,
        port: u16,
        protocol: &str,
    ) -> Option<String> {
        let NodeKind::Pod(pod, role) = &dst.kind else {
            return Some("an address outside the cluster has no policy".into());
        };
        if pod.namespace != self.namespace {
            return Some(format!("the platform has no policy in `{}`", pod.namespace));
        }
        let from = match &src.kind {
            NodeKind::Pod(p, _) => Some(p.namespace.as_str()),
            NodeKind::Address(_) => None,
        };
        let key = (d, port, protocol.to_string());
        match role {
            Role::Stranger => None,
            Role::Solver => (self.acme
                && port == 8089
                && protocol == "TCP"
                && from == Some(self.controller.as_str()))
            .then(|| "the ingress controller reaches cert-manager's HTTP-01 solver".into()),
            Role::Workload(name) => {
                let w = &self.workloads[name];
                if w.open_ingress {
                    return Some(format!("`{name}` relaxes openIngress"));
                }
                if self.exposed.contains(&key) {
                    return Some("a LoadBalancer or NodePort Service exposes it".into());
                }
                if self.routed.contains(&key) && from == Some(self.controller.as_str()) {
                    return Some("an Ingress routes to it".into());
                }
                let scraped = w
                    .ports
                    .values()
                    .any(|p| p.scrape && p.port == port && p.protocol == protocol);
                if scraped && from == Some(self.monitoring.as_str()) {
                    return Some("Prometheus scrapes it".into());
                }
                if let NodeKind::Pod(_, Role::Workload(user)) = &src.kind {
                    let used = self.workloads[user].uses.get(name);
                    if used.is_some_and(|used| serves(&w.ports, used, port, protocol)) {
                        return Some(format!("`{user}` uses `{name}`"));
                    }
                    if user == name && w.stateful && serves(&w.ports, &Use::All, port, protocol) {
                        return Some(format!("`{name}` is stateful: its pods reach each other"));
                    }
                }
                None
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The probes: pods and addresses
// ---------------------------------------------------------------------------------------

/// What the spec says a pod is.
#[derive(Clone, Debug, PartialEq)]
enum Role {
    /// A component's or a job's pod, in the platform's namespace.
    Workload(String),
    /// cert-manager's HTTP-01 solver, which cert-manager starts in the platform's namespace.
    Solver,
    /// Any other pod: the spec declares nothing for it beyond DNS in the platform's namespace.
    Stranger,
}

#[derive(Debug)]
enum NodeKind {
    Pod(Pod, Role),
    Address(IpAddr),
}

/// One end of the probes.
#[derive(Debug)]
struct Node {
    name: String,
    kind: NodeKind,
    /// Probed as a source too (every pod, and the internet addresses).
    source: bool,
}

impl Node {
    fn pod(
        name: String,
        namespace: &str,
        labels: &[(&str, &str)],
        ports: &[(&str, u16, &str)],
        role: Role,
    ) -> Node {
        let pod = Pod::new(&name, namespace, labels, ports);
        Node {
            name,
            kind: NodeKind::Pod(pod, role),
            source: true,
        }
    }

    fn peer(&self) -> Peer<'_> {
        match &self.kind {
            NodeKind::Pod(pod, _) => Peer::Pod(pod),
            NodeKind::Address(ip) => Peer::Address(*ip),
        }
    }

    fn pod_of(&self) -> Option<&Pod> {
        match &self.kind {
            NodeKind::Pod(pod, _) => Some(pod),
            NodeKind::Address(_) => None,
        }
    }
}

/// The pod template of a workload object.
fn pod_template(object: &Value) -> Option<&Value> {
    match object["kind"].as_str()? {
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => Some(&object["spec"]["template"]),
        "CronJob" => Some(&object["spec"]["jobTemplate"]["spec"]["template"]),
        _ => None,
    }
}

/// The spec's workload an object runs, by its name: `<platform>-<component>` for a
/// Deployment or StatefulSet, `<platform>-<job>` for a CronJob, and that with a hash of
/// the pod template (`-84755c7b`) for a Job.
fn workload_of(object: &Value, declared: &Declared) -> Option<String> {
    let name = object["metadata"]["name"].as_str()?;
    let rest = name.strip_prefix(&format!("{}-", declared.platform))?;
    let job = |w: &Workload| w.job;
    let found = declared
        .workloads
        .iter()
        .find(|(n, w)| match object["kind"].as_str() {
            Some("Deployment" | "StatefulSet") => !job(w) && rest == n.as_str(),
            Some("CronJob") => job(w) && rest == n.as_str(),
            Some("Job") => {
                let hash = rest
                    .strip_prefix(n.as_str())
                    .and_then(|h| h.strip_prefix('-'));
                job(w)
                    && (rest == n.as_str()
                        || hash.is_some_and(|h| {
                            !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit())
                        }))
            }
            _ => false,
        });
    found.map(|(n, _)| n.clone())
}

/// Every end of the probes: the rendered workloads' pods, the pods outside them, and
/// the addresses.
fn nodes(
    objects: &[Value],
    declared: &Declared,
    failures: &mut Vec<String>,
    label: &str,
) -> Vec<Node> {
    let mut nodes = workload_pods(objects, declared);
    for name in declared.workloads.keys() {
        let found = nodes
            .iter()
            .filter(|n| matches!(&n.kind, NodeKind::Pod(_, Role::Workload(w)) if w == name))
            .count();
        if found != 1 {
            failures.push(format!(
                "{label}: `{name}` has {found} rendered workloads, not 1"
            ));
        }
    }
    let others = other_pods(&nodes, declared);
    nodes.extend(others);
    nodes.extend(addresses(declared));
    nodes
}

/// A pod for each rendered Deployment, StatefulSet, DaemonSet, Job and CronJob: its
/// template's labels and every container's ports (sidecars and init containers too).
fn workload_pods(objects: &[Value], declared: &Declared) -> Vec<Node> {
    let ns = declared.namespace.as_str();
    let mut nodes = Vec::new();
    for object in objects {
        let Some(template) = pod_template(object) else {
            continue;
        };
        let namespace = object["metadata"]["namespace"].as_str().unwrap_or(ns);
        let workload = workload_of(object, declared).filter(|_| namespace == ns);
        let spec = &template["spec"];
        let ports = ["containers", "initContainers"]
            .iter()
            .flat_map(|k| list(&spec[*k]))
            .flat_map(|c| list(&c["ports"]))
            .filter_map(|p| {
                Some(ContainerPort {
                    name: p["name"].as_str().map(String::from),
                    port: u16::try_from(p["containerPort"].as_u64()?).ok()?,
                    protocol: p["protocol"].as_str().unwrap_or("TCP").into(),
                })
            })
            .collect();
        let name = workload.clone().unwrap_or_else(|| {
            let text = |v: &Value| v.as_str().unwrap_or("?").to_string();
            format!(
                "{}/{}",
                text(&object["kind"]),
                text(&object["metadata"]["name"])
            )
        });
        let pod = Pod {
            name: name.clone(),
            namespace: namespace.into(),
            labels: labels(&template["metadata"]["labels"]),
            ports,
        };
        let role = workload.map_or(Role::Stranger, Role::Workload);
        nodes.push(Node {
            name,
            kind: NodeKind::Pod(pod, role),
            source: true,
        });
    }
    nodes
}

/// The pods around the platform's: a twin of each workload's pod in namespace `other`
/// (a selector that forgets its namespace reaches it), an unlabelled pod of the
/// platform's namespace, cert-manager's solver, Prometheus, the ingress controller,
/// kube-dns and two look-alikes, and each endpoint's pods (with an unlabelled neighbour
/// when the endpoint names labels).
fn other_pods(workloads: &[Node], declared: &Declared) -> Vec<Node> {
    let ns = declared.namespace.as_str();
    let mut nodes: Vec<Node> = workloads
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Pod(pod, Role::Workload(w)) => {
                let name = format!("other/{w} (labelled like `{w}`)");
                let twin = Pod {
                    name: name.clone(),
                    namespace: "other".into(),
                    ..pod.clone()
                };
                Some(Node {
                    name,
                    kind: NodeKind::Pod(twin, Role::Stranger),
                    source: true,
                })
            }
            _ => None,
        })
        .collect();
    let dns = [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")];
    let stranger =
        |name: String, namespace: &str, labels: &[(&str, &str)], ports: &[(&str, u16, &str)]| {
            Node::pod(name, namespace, labels, ports, Role::Stranger)
        };
    nodes.extend([
        stranger(
            format!("an unlabelled pod of {ns}"),
            ns,
            &[],
            &[("http", 8080, "TCP")],
        ),
        Node::pod(
            "cert-manager's HTTP-01 solver".into(),
            ns,
            &[("acme.cert-manager.io/http01-solver", "true")],
            &[("http", 8089, "TCP")],
            Role::Solver,
        ),
        stranger(
            format!("{}/prometheus", declared.monitoring),
            &declared.monitoring,
            &[("app.kubernetes.io/name", "prometheus")],
            &[("web", 9090, "TCP")],
        ),
        stranger(
            format!("{}/controller", declared.controller),
            &declared.controller,
            &[("app.kubernetes.io/name", "ingress-nginx")],
            &[("http", 80, "TCP"), ("https", 443, "TCP")],
        ),
        stranger(
            "kube-system/kube-dns".into(),
            "kube-system",
            &[("k8s-app", "kube-dns")],
            &[dns[0], dns[1], ("metrics", 9153, "TCP")],
        ),
        stranger(
            "kube-system/metrics-server".into(),
            "kube-system",
            &[("k8s-app", "metrics-server")],
            &[dns[0], ("https", 10250, "TCP")],
        ),
        stranger(
            "other/kube-dns (labelled like kube-dns)".into(),
            "other",
            &[("k8s-app", "kube-dns")],
            &dns,
        ),
    ]);
    for (name, e) in &declared.endpoints {
        let Some(namespace) = &e.namespace else {
            continue;
        };
        let ports: Vec<(&str, u16, &str)> = e
            .ports
            .iter()
            .map(|(n, p)| (n.as_str(), p.port, p.protocol.as_str()))
            .collect();
        let labelled: Vec<(&str, &str)> = e
            .pods
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let endpoint = format!("{namespace}/endpoint `{name}`");
        nodes.push(stranger(endpoint, namespace, &labelled, &ports));
        if !labelled.is_empty() {
            let neighbour = format!("an unlabelled pod of {namespace}");
            nodes.push(stranger(neighbour, namespace, &[], &ports));
        }
    }
    nodes
}

/// The internet (IPv4 and IPv6, also as sources), the cloud metadata address, and the
/// first address of each block the spec names, with the first one past each endpoint's;
/// one node per address, under the first name given to it.
fn addresses(declared: &Declared) -> Vec<Node> {
    let mut named: Vec<(String, IpAddr)> = Vec::new();
    for c in &declared.node_local {
        named.push(("NodeLocal DNS".into(), c.first()));
    }
    for c in declared.api_server.iter().flat_map(|(cidrs, _)| cidrs) {
        named.push(("the API server".into(), c.first()));
    }
    for (name, e) in &declared.endpoints {
        for c in &e.cidrs {
            named.push((format!("endpoint `{name}`"), c.first()));
            if let Some(after) = c.after() {
                named.push((format!("just past endpoint `{name}`"), after));
            }
        }
    }
    let internet = ["203.0.113.7", "2001:db8::7"].map(|a| ("the internet".to_string(), ip(a)));
    let metadata = ["169.254.169.254", "fd00:ec2::254"]
        .map(|a| ("the cloud metadata address".to_string(), ip(a)));
    let mut seen = BTreeSet::new();
    internet
        .into_iter()
        .chain(metadata)
        .chain(named)
        .filter(|(_, address)| seen.insert(*address))
        .map(|(what, address)| Node {
            name: format!("{what} ({address})"),
            kind: NodeKind::Address(address),
            source: what == "the internet",
        })
        .collect()
}

/// The ports to probe on a node: its container ports and (for a workload) its spec ports,
/// each also with the other protocol, and 9999/TCP, which nothing declares; for an address,
/// the ports the spec names for addresses and the common ones.
fn probe_ports(node: &Node, declared: &Declared) -> BTreeSet<(u16, String)> {
    let mut ports: BTreeSet<(u16, String)> = BTreeSet::from([(9999, "TCP".into())]);
    match &node.kind {
        NodeKind::Pod(pod, role) => {
            ports.extend(pod.ports.iter().map(|c| (c.port, c.protocol.clone())));
            if let Role::Workload(w) = role {
                ports.extend(
                    declared.workloads[w]
                        .ports
                        .values()
                        .map(|p| (p.port, p.protocol.clone())),
                );
            }
        }
        NodeKind::Address(_) => {
            for (port, protocol) in [(443, "TCP"), (80, "TCP"), (53, "UDP"), (53, "TCP")] {
                ports.insert((port, protocol.into()));
            }
            ports.extend(
                declared
                    .api_server
                    .iter()
                    .map(|(_, port)| (*port, "TCP".into())),
            );
            let endpoint_ports = declared.endpoints.values().flat_map(|e| e.ports.values());
            ports.extend(endpoint_ports.map(|p| (p.port, p.protocol.clone())));
        }
    }
    let other = |protocol: &str| if protocol == "TCP" { "UDP" } else { "TCP" };
    let swapped: Vec<(u16, String)> = ports
        .iter()
        .map(|(port, protocol)| (*port, other(protocol).into()))
        .collect();
    ports.extend(swapped);
    ports
}

/// (node, port, protocol) that `service_port` of `service` sends to: the pods its selector
/// picks in its namespace, the target port resolved against each pod's container ports.
fn service_targets(
    nodes: &[Node],
    service: &Value,
    service_port: &Value,
    namespace: &str,
) -> Vec<(usize, u16, String)> {
    let namespace = service["metadata"]["namespace"]
        .as_str()
        .unwrap_or(namespace);
    let selector = labels(&service["spec"]["selector"]);
    let protocol = service_port["protocol"].as_str().unwrap_or("TCP");
    if selector.is_empty() {
        return Vec::new();
    }
    let selected = nodes.iter().enumerate().filter_map(|(i, n)| {
        let pod = n.pod_of()?;
        let picked = pod.namespace == namespace
            && selector.iter().all(|(k, v)| pod.labels.get(k) == Some(v));
        picked.then_some((i, pod))
    });
    selected
        .filter_map(|(i, pod)| {
            let port = match &service_port["targetPort"] {
                Value::Null => u16::try_from(service_port["port"].as_u64()?).ok()?,
                Value::Number(n) => u16::try_from(n.as_u64()?).ok()?,
                Value::String(name) => {
                    pod.ports
                        .iter()
                        .find(|c| c.name.as_deref() == Some(name) && c.protocol == protocol)?
                        .port
                }
                _ => return None,
            };
            Some((i, port, protocol.to_string()))
        })
        .collect()
}

/// What LoadBalancer and NodePort Services expose, and what Ingress objects route to.
fn exposed_and_routed(nodes: &[Node], objects: &[Value], declared: &mut Declared) {
    let namespace = declared.namespace.clone();
    let services: Vec<&Value> = objects.iter().filter(|o| o["kind"] == "Service").collect();
    for service in &services {
        if matches!(
            service["spec"]["type"].as_str(),
            Some("LoadBalancer" | "NodePort")
        ) {
            for port in list(&service["spec"]["ports"]) {
                declared
                    .exposed
                    .extend(service_targets(nodes, service, port, &namespace));
            }
        }
    }
    for ingress in objects.iter().filter(|o| o["kind"] == "Ingress") {
        let in_namespace = ingress["metadata"]["namespace"]
            .as_str()
            .unwrap_or(&namespace);
        let rules = list(&ingress["spec"]["rules"]).iter();
        let paths = rules.flat_map(|r| list(&r["http"]["paths"]));
        let backends =
            std::iter::once(&ingress["spec"]["defaultBackend"]).chain(paths.map(|p| &p["backend"]));
        for backend in backends {
            let wanted = &backend["service"];
            let Some(service) = services.iter().find(|s| {
                s["metadata"]["name"] == wanted["name"]
                    && s["metadata"]["namespace"].as_str().unwrap_or(&namespace) == in_namespace
            }) else {
                continue;
            };
            for port in list(&service["spec"]["ports"]) {
                let by_number = wanted["port"]["number"]
                    .as_u64()
                    .is_some_and(|n| port["port"].as_u64() == Some(n));
                let by_name = wanted["port"]["name"]
                    .as_str()
                    .is_some_and(|n| port["name"].as_str() == Some(n));
                if by_number || by_name {
                    declared
                        .routed
                        .extend(service_targets(nodes, service, port, &namespace));
                }
            }
        }
    }
}

/// The policies that a patch or a template writes: `patches` keyed `NetworkPolicy/<name>`,
/// and each NetworkPolicy document of templates/, by the name its metadata gives (with
/// `{{ platform }}`, `{{ namespace }}` and `{{ env }}` filled in). A name that cannot be
/// read that way counts every policy as touched.
fn touched<'a>(
    dir: &Path,
    env: &str,
    spec: &Value,
    declared: &Declared,
    policies: &[&'a Value],
) -> Vec<&'a Value> {
    let mut names: BTreeSet<String> = entries(&spec["patches"])
        .filter_map(|(key, _)| key.strip_prefix("NetworkPolicy/").map(String::from))
        .collect();
    let mut every = false;
    let templates = std::fs::read_dir(dir.join("templates"))
        .into_iter()
        .flatten()
        .flatten();
    for file in templates {
        let text = std::fs::read_to_string(file.path()).unwrap_or_default();
        for doc in text
            .split("\n---")
            .filter(|d| d.contains("kind: NetworkPolicy"))
        {
            let name = doc
                .lines()
                .skip_while(|l| l.trim() != "metadata:")
                .find_map(|l| l.trim().strip_prefix("name:"))
                .map(|n| {
                    n.replace("{{ platform }}", &declared.platform)
                        .replace("{{ namespace }}", &declared.namespace)
                        .replace("{{ env }}", env)
                        .trim()
                        .trim_matches(['"', '\''])
                        .to_string()
                });
            match name {
                Some(name) if !name.contains("{{") && !name.contains("{%") && !name.is_empty() => {
                    names.insert(name);
                }
                _ => every = true,
            }
        }
    }
    policies
        .iter()
        .copied()
        .filter(|p| {
            every
                || p["metadata"]["name"]
                    .as_str()
                    .is_some_and(|n| names.contains(n))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------------

/// Renders `env` of the project in `dir` and checks each side of every probe against the
/// spec, adding a line to `failures` for each mismatch.
fn check(dir: &Path, env: &str, failures: &mut Vec<String>) {
    let project = match dir.strip_prefix(root()) {
        Ok(rel) if rel.as_os_str().is_empty() => "the reference platform".to_string(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => "a temporary project".to_string(),
    };
    let label = format!("{project} {env}");
    let excluded = check_objects(dir, env, &label, &render(dir, env), failures);
    if excluded > 0 {
        eprintln!(
            "{label}: {excluded} probe sides left out: a patch or template writes the policy that selects them"
        );
    }
}

/// The objects of `wfk render ENV` in `dir` (its YAML stream). Warnings on stderr are the
/// checks' business; the render must succeed.
fn render(dir: &Path, env: &str) -> Vec<Value> {
    let run = wfk(dir, &["render", env]);
    let shown = dir.display();
    assert_eq!(
        run.status,
        Some(0),
        "{shown}: `wfk render {env}` failed:\n{}",
        run.stderr
    );
    serde_saphyr::from_multiple(&run.stdout).unwrap_or_else(|e| panic!("{shown} {env}: {e}"))
}

/// [`check`] on rendered `objects` of `env` of the project in `dir`; returns how many
/// probe sides were left out because a patch or template writes a policy of that side.
fn check_objects(
    dir: &Path,
    env: &str,
    label: &str,
    objects: &[Value],
    failures: &mut Vec<String>,
) -> usize {
    let spec = merged_spec(dir, env);
    let mut declared = Declared::read(&spec);
    let nodes = nodes(objects, &declared, failures, label);
    exposed_and_routed(&nodes, objects, &mut declared);
    let policies: Vec<&Value> = objects
        .iter()
        .filter(|o| o["kind"] == "NetworkPolicy")
        .collect();
    let touched = touched(dir, env, &spec, &declared, &policies);
    let cluster = Cluster {
        policies,
        namespaces: objects
            .iter()
            .filter(|o| o["kind"] == "Namespace")
            .filter_map(|o| {
                Some((
                    o["metadata"]["name"].as_str()?.to_string(),
                    labels(&o["metadata"]["labels"]),
                ))
            })
            .collect(),
    };
    let in_platform = |n: &Node| {
        n.pod_of()
            .is_some_and(|p| p.namespace == declared.namespace)
    };
    let (mut declared_paths, mut undeclared, mut excluded) = (0, 0, 0);
    for (s, src) in nodes.iter().enumerate().filter(|(_, n)| n.source) {
        for (d, dst) in nodes.iter().enumerate() {
            // A pod to itself never leaves it; a workload's node stands for all its pods,
            // so a workload to itself is one replica to another.
            let replicas = matches!(&src.kind, NodeKind::Pod(_, Role::Workload(_)));
            if (s == d && !replicas) || !(in_platform(src) || in_platform(dst)) {
                continue;
            }
            if matches!(
                (&src.kind, &dst.kind),
                (NodeKind::Address(_), NodeKind::Address(_))
            ) {
                continue;
            }
            for (port, protocol) in probe_ports(dst, &declared) {
                let probe = format!("{label}: {} → {} {port}/{protocol}", src.name, dst.name);
                let sides = [
                    (
                        Direction::Egress,
                        src,
                        cluster.egress_allows(src.peer(), dst.peer(), port, &protocol),
                        declared.egress(src, dst, port, &protocol),
                    ),
                    (
                        Direction::Ingress,
                        dst,
                        cluster.ingress_allows(src.peer(), dst.peer(), port, &protocol),
                        declared.ingress(src, d, dst, port, &protocol),
                    ),
                ];
                if sides.iter().all(|(_, _, _, why)| why.is_some()) {
                    declared_paths += 1;
                } else {
                    undeclared += 1;
                }
                for (direction, selected, allows, why) in sides {
                    if allows == why.is_some() {
                        continue;
                    }
                    let patched = selected
                        .pod_of()
                        .is_some_and(|pod| touched.iter().any(|p| isolates(p, pod, direction)));
                    if patched {
                        excluded += 1;
                        continue;
                    }
                    let side = direction.rules();
                    failures.push(match why {
                        Some(why) => {
                            format!("{probe}: the {side} side blocks a declared path ({why})")
                        }
                        None => format!(
                            "{probe}: the {side} side allows it, but the spec does not declare it"
                        ),
                    });
                }
            }
        }
    }
    if declared_paths == 0 || undeclared == 0 {
        failures.push(format!(
            "{label}: {declared_paths} declared and {undeclared} undeclared probes prove nothing"
        ));
    }
    excluded
}

/// The environments of a project, as `wfk envs` lists them.
fn environments(dir: &Path) -> Vec<String> {
    // A line is the name, then what it extends: `prod (extends dev)`.
    let listed = wfk_ok(dir, &["envs"]);
    let names = listed
        .lines()
        .filter_map(|line| line.split_whitespace().next());
    names.map(String::from).collect()
}

/// The project folders under `folder` (those with a platform.yaml).
fn projects_under(folder: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("platform.yaml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Checks every environment of each project and reports every failure at once.
fn check_all(dirs: &[PathBuf]) {
    assert!(!dirs.is_empty(), "no projects to check");
    let mut failures = Vec::new();
    for dir in dirs {
        let envs = environments(dir);
        assert!(!envs.is_empty(), "{}: no environments", dir.display());
        for env in envs {
            check(dir, &env, &mut failures);
        }
    }
    assert!(
        failures.is_empty(),
        "{} NetworkPolicy mismatches with the spec:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_reference_platform_allows_exactly_its_declared_paths() {
    check_all(&[root()]);
}

#[test]
fn every_example_allows_exactly_its_declared_paths() {
    let dirs = projects_under(&root().join("examples"));
    assert!(dirs.len() >= 3, "the examples are checked: {dirs:?}");
    check_all(&dirs);
}

#[test]
fn every_test_project_allows_exactly_its_declared_paths() {
    let dirs = projects_under(&root().join("tests").join("projects"));
    // The list is read from the folder; these at least must be in it.
    for name in ["full", "pods", "yaml11"] {
        assert!(dirs.contains(&project(name)), "{name} is not checked");
    }
    check_all(&dirs);
}

/// The check reports what it should: a policy taken away blocks declared paths, a rule
/// widened or added lets in what the spec does not declare.
#[test]
fn a_missing_or_widened_policy_is_reported() {
    let objects = render(&root(), "staging");
    let failures = |objects: &[Value]| {
        let mut failures = Vec::new();
        let excluded = check_objects(&root(), "staging", "staging", objects, &mut failures);
        assert_eq!(excluded, 0);
        failures
    };
    assert_eq!(failures(&objects), Vec::<String>::new());
    let named =
        |o: &Value, name: &str| o["kind"] == "NetworkPolicy" && o["metadata"]["name"] == name;

    let without: Vec<Value> = objects
        .iter()
        .filter(|o| !named(o, "gorax-postgres"))
        .cloned()
        .collect();
    let found = failures(&without);
    for line in [
        "staging: api → postgres 5432/TCP: the ingress side blocks a declared path (`api` uses `postgres`)",
        "staging: postgres → postgres 5432/TCP: the egress side blocks a declared path (`postgres` is stateful: its pods reach each other)",
    ] {
        assert!(
            found.iter().any(|f| f == line),
            "missing {line:?} in {found:#?}"
        );
    }

    // The API's egress to Postgres on every port, and Postgres open to every namespace.
    let mut widened = objects.clone();
    for o in &mut widened {
        if named(o, "gorax-api") {
            // The rule to Postgres, on every port.
            for rule in o["spec"]["egress"].as_array_mut().unwrap() {
                if rule["ports"] == json!([{ "port": 5432, "protocol": "TCP" }]) {
                    rule["ports"] = json!([]);
                }
            }
        }
        if named(o, "gorax-postgres") {
            o["spec"]["ingress"][0]["from"]
                .as_array_mut()
                .unwrap()
                .push(json!({ "namespaceSelector": {} }));
        }
    }
    let found = failures(&widened);
    for line in [
        "staging: api → postgres 9999/TCP: the egress side allows it, but the spec does not declare it",
        "staging: api → postgres 5432/UDP: the egress side allows it, but the spec does not declare it",
        "staging: other/api (labelled like `api`) → postgres 5432/TCP: the ingress side allows it, but the spec does not declare it",
        "staging: monitoring/prometheus → postgres 5432/TCP: the ingress side allows it, but the spec does not declare it",
    ] {
        assert!(
            found.iter().any(|f| f == line),
            "missing {line:?} in {found:#?}"
        );
    }
    assert!(
        !found.iter().any(|f| f.contains("api → postgres 5432/TCP")),
        "the declared path stays allowed: {found:#?}"
    );
}

/// A project with every kind of path the spec declares, including those about to land in
/// the other projects: `uses` as a map that narrows ports, endpoints by address and by
/// namespace, the API server, NodeLocal DNS, LoadBalancer and NodePort Services, an Ingress
/// with its own controller namespace and an issuer, scraping from a monitoring namespace of
/// its own, each relaxation, a job running as a component, a CronJob, and an overlay that
/// extends another and removes keys with `null`.
#[test]
fn a_project_with_every_kind_of_path_allows_exactly_those() {
    let dir = crate::support::TempDir::new();
    dir.write(
        "platform.yaml",
        r#"platform: shop
monitoring: { namespace: prometheus, via: podMonitor }
defaults:
  resources: { cpu: 100m/500m, memory: 128Mi/256Mi }
  dns: { nodeLocal: [169.254.20.10/32, "fd00::a/128"] }
  apiServer: { cidrs: [10.0.0.1/32, "fd00::1/128"], port: 6443 }
  suppress:
    image-without-digest: "a test"
    security-relaxed: "a test"
    load-balancer-exposed: "a test"
endpoints:
  managed-db: { cidrs: [10.20.0.0/16, "2001:db8:20::/48"], ports: { postgres: 5432 } }
  otel: { namespace: observability, pods: { app.kubernetes.io/name: collector }, ports: { grpc: 4317, http: 4318 } }
  resolver: { cidrs: [192.0.2.53/32], ports: { dns: { port: 53, protocol: UDP } } }
components:
  api:
    image: shop/api:1.0
    ports: { http: { port: 8080, scrape: true }, admin: { port: 9000, scrape: /admin/metrics } }
    probes: { liveness: /live, readiness: /ready }
    uses: { managed-db: true, otel: [grpc], cache: [redis], resolver: true }
    access: [{ apiGroups: [""], resources: [configmaps], verbs: [get] }]
  web:
    image: shop/web:1.0
    ports: { http: 3000 }
    probes: { liveness: /live, readiness: /ready }
    service: { type: LoadBalancer }
    uses: [api]
  cache:
    kind: stateful
    image: redis:7.4
    ports: { redis: 6379, sentinel: 26379 }
    probes: { liveness: { tcp: redis }, readiness: { tcp: redis } }
    services: { edge: { ports: [sentinel], type: NodePort } }
  hooks:
    image: shop/hooks:1.0
    ports: { http: 8085 }
    probes: { liveness: /live, readiness: /ready }
    security: { relax: { openEgress: "calls partner webhooks", cloudMetadata: "reads its region" } }
  public:
    image: shop/public:1.0
    ports: { http: 8086, syslog: { port: 5514, protocol: UDP } }
    probes: { liveness: /live, readiness: /ready }
    security: { relax: { openIngress: "a public collector" } }
jobs:
  migrate: { component: api, command: [migrate], uses: { cache: [sentinel] } }
  report: { image: shop/report:1.0, schedule: "0 1 * * *", uses: [cache] }
ingress:
  controllerNamespace: edge
  domain: example.com
  tls: { issuer: letsencrypt }
  hosts: { www: { paths: { /: web, /api: api } } }
"#,
    );
    dir.write("overlays/dev.yaml", "namespace: shop-dev\n");
    dir.write(
        "overlays/prod.yaml",
        "extends: dev\nnamespace: shop-prod\ncomponents:\n  hooks: null\n  api: { uses: { otel: null } }\n",
    );
    check_all(&[dir.path().to_path_buf()]);
}

/// A template's NetworkPolicy opens what the spec does not declare: the sides of the
/// probes it selects are left out, and only those.
#[test]
fn a_template_policy_leaves_out_only_the_probe_sides_it_selects() {
    let dir = crate::support::TempDir::new();
    dir.write("platform.yaml", crate::support::SHOP);
    dir.write("overlays/dev.yaml", "");
    let template = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ platform }}-allow-partners
spec:
  podSelector: { matchLabels: { app.kubernetes.io/name: api } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: other } } }]
      ports: [{ port: 8080 }]
";
    dir.write("templates/partners.yaml", template);
    let objects = render(dir.path(), "dev");
    let mut failures = Vec::new();
    let excluded = check_objects(dir.path(), "dev", "dev", &objects, &mut failures);
    assert_eq!(failures, Vec::<String>::new());
    // From `other`: its labelled twins of api and kube-dns, to api's 8080.
    assert_eq!(excluded, 2);
    // Without the template's name, the same paths are failures.
    dir.write(
        "templates/partners.yaml",
        &template.replace(
            "{{ platform }}-allow-partners",
            "{{ platform ~ '-allow-partners' }}",
        ),
    );
    let mut failures = Vec::new();
    let objects = render(dir.path(), "dev");
    let excluded = check_objects(dir.path(), "dev", "dev", &objects, &mut failures);
    assert_eq!(
        (excluded, failures.len()),
        (2, 0),
        "an unreadable name leaves out every policy's sides"
    );
}

// ---------------------------------------------------------------------------------------
// The evaluator and the reader, on small hand-written inputs
// ---------------------------------------------------------------------------------------

fn policy(namespace: &str, spec: Value) -> Value {
    json!({ "kind": "NetworkPolicy", "metadata": { "name": "p", "namespace": namespace }, "spec": spec })
}

fn cluster(policies: &[Value]) -> Cluster<'_> {
    let team = |t: &str| Labels::from([("team".to_string(), t.to_string())]);
    Cluster {
        policies: policies.iter().collect(),
        namespaces: BTreeMap::from([("team-a".into(), team("a")), ("team-b".into(), team("b"))]),
    }
}

#[test]
fn ip_blocks_match_their_prefix_minus_the_exceptions_in_both_families() {
    let policies = [policy(
        "app",
        json!({ "podSelector": {}, "policyTypes": ["Egress"], "egress": [{ "to": [
            { "ipBlock": { "cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"] } },
            { "ipBlock": { "cidr": "2001:db8::/32", "except": ["2001:db8:1::/48"] } },
        ] }] }),
    )];
    let c = cluster(&policies);
    let src = Pod::new("src", "app", &[], &[]);
    let to = |address: &str| c.allows(Peer::Pod(&src), Peer::Address(ip(address)), 443, "TCP");
    let inside = [
        "10.0.0.0",
        "10.2.3.4",
        "10.255.255.255",
        "10.0.255.1",
        "2001:db8::1",
        "2001:db8:2::1",
    ];
    let outside = [
        "9.255.255.255",
        "11.0.0.0",
        "10.1.0.0",
        "10.1.255.255",
        "2001:db9::",
        "2001:db8:1::5",
        "::ffff:10.2.3.4",
    ];
    for address in inside {
        assert!(to(address), "{address} is in a block");
    }
    for address in outside {
        assert!(!to(address), "{address} is outside the blocks or excepted");
    }
    // A pod never matches an ipBlock, even 0.0.0.0/0 (pod addresses are unknown here).
    let everywhere = [policy(
        "app",
        json!({ "podSelector": {}, "policyTypes": ["Egress"], "egress": [{ "to": [
            { "ipBlock": { "cidr": "0.0.0.0/0" } }, { "ipBlock": { "cidr": "::/0" } },
        ] }] }),
    )];
    let c = cluster(&everywhere);
    let dst = Pod::new("dst", "app", &[], &[]);
    assert!(c.egress_allows(
        Peer::Pod(&src),
        Peer::Address(ip("198.51.100.1")),
        443,
        "TCP"
    ));
    assert!(c.egress_allows(
        Peer::Pod(&src),
        Peer::Address(ip("2001:db8::1")),
        443,
        "TCP"
    ));
    assert!(!c.egress_allows(Peer::Pod(&src), Peer::Pod(&dst), 443, "TCP"));
}

#[test]
fn cidrs_parse_and_name_their_first_address_and_the_one_after() {
    let first = |text: &str| cidr(text).first().to_string();
    let after = |text: &str| cidr(text).after().map(|a| a.to_string());
    assert_eq!(first("10.20.3.4/16"), "10.20.0.0");
    assert_eq!(after("10.20.3.4/16").as_deref(), Some("10.21.0.0"));
    assert_eq!(after("10.0.0.1/32").as_deref(), Some("10.0.0.2"));
    assert_eq!(after("255.255.255.255/32"), None);
    assert_eq!(after("255.0.0.0/8"), None);
    assert_eq!(after("0.0.0.0/0"), None);
    assert_eq!(first("0.0.0.0/0"), "0.0.0.0");
    assert_eq!(first("2001:db8:20:1::/48"), "2001:db8:20::");
    assert_eq!(after("2001:db8:20::/48").as_deref(), Some("2001:db8:21::"));
    assert_eq!(first("::/0"), "::");
    assert_eq!(after("::/0"), None);
    for bad in ["10.0.0.0", "10.0.0.0/33", "::/129", "10.0.0/8", "x/8"] {
        assert!(Cidr::parse(bad).is_none(), "{bad} is not a CIDR");
    }
}

#[test]
fn named_ports_resolve_against_the_destination_pods_ports() {
    let policies = [
        policy(
            "app",
            json!({ "podSelector": { "matchLabels": { "app": "db" } }, "policyTypes": ["Ingress"],
                    "ingress": [{ "from": [{ "podSelector": {} }], "ports": [{ "port": "sql" }] }] }),
        ),
        policy(
            "app",
            json!({ "podSelector": { "matchLabels": { "app": "web" } }, "policyTypes": ["Egress"],
                    "egress": [{ "ports": [{ "port": "sql" }] }] }),
        ),
    ];
    let c = cluster(&policies);
    let web = Pod::new("web", "app", &[("app", "web")], &[]);
    let db = Pod::new("db", "app", &[("app", "db")], &[("sql", 5432, "TCP")]);
    let moved = Pod::new("moved", "app", &[("app", "db")], &[("sql", 6432, "TCP")]);
    let udp = Pod::new("udp", "app", &[("app", "db")], &[("sql", 5432, "UDP")]);
    let allows = |dst: &Pod, port: u16, protocol: &str| {
        c.allows(Peer::Pod(&web), Peer::Pod(dst), port, protocol)
    };
    assert!(allows(&db, 5432, "TCP"));
    assert!(!allows(&db, 6432, "TCP"));
    assert!(!allows(&db, 5432, "UDP"));
    assert!(allows(&moved, 6432, "TCP"));
    assert!(!allows(&moved, 5432, "TCP"));
    // The rule's protocol (TCP by default) must be the named port's.
    assert!(!allows(&udp, 5432, "UDP"));
    // An address has no named ports.
    assert!(!c.egress_allows(Peer::Pod(&web), Peer::Address(ip("192.0.2.1")), 5432, "TCP"));
}

#[test]
fn both_selectors_in_one_peer_are_an_and_in_two_peers_an_or() {
    let client = json!({ "matchLabels": { "role": "client" } });
    let team_a = json!({ "matchLabels": { "team": "a" } });
    let isolate = |from: Value| {
        policy(
            "app",
            json!({ "podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{ "from": from }] }),
        )
    };
    let one = [isolate(
        json!([{ "namespaceSelector": team_a, "podSelector": client }]),
    )];
    let two = [isolate(
        json!([{ "namespaceSelector": team_a }, { "podSelector": client }]),
    )];
    let dst = Pod::new("dst", "app", &[], &[("http", 80, "TCP")]);
    let sources = [
        Pod::new("a-client", "team-a", &[("role", "client")], &[]),
        Pod::new("a-other", "team-a", &[("role", "other")], &[]),
        Pod::new("app-client", "app", &[("role", "client")], &[]),
        Pod::new("b-client", "team-b", &[("role", "client")], &[]),
    ];
    let admitted = |policies: &[Value]| -> Vec<String> {
        let c = cluster(policies);
        sources
            .iter()
            .filter(|src| c.allows(Peer::Pod(src), Peer::Pod(&dst), 80, "TCP"))
            .map(|src| src.name.clone())
            .collect()
    };
    assert_eq!(admitted(&one), ["a-client"]);
    // podSelector alone is the policy's own namespace: `app`, not `team-b`.
    assert_eq!(admitted(&two), ["a-client", "a-other", "app-client"]);
}

#[test]
fn match_expressions_in_not_in_exists_and_does_not_exist() {
    let policies = [policy(
        "app",
        json!({ "podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{ "from": [{ "podSelector": {
            "matchLabels": { "zone": "eu" },
            "matchExpressions": [
                { "key": "tier", "operator": "In", "values": ["web", "api"] },
                { "key": "env", "operator": "NotIn", "values": ["dev"] },
                { "key": "team", "operator": "Exists" },
                { "key": "legacy", "operator": "DoesNotExist" },
            ] } }] }] }),
    )];
    let c = cluster(&policies);
    let dst = Pod::new("dst", "app", &[], &[]);
    let admits = |labels: &[(&str, &str)]| {
        let src = Pod::new("src", "app", labels, &[]);
        c.allows(Peer::Pod(&src), Peer::Pod(&dst), 80, "TCP")
    };
    let base = [
        ("zone", "eu"),
        ("tier", "web"),
        ("env", "prod"),
        ("team", "x"),
    ];
    assert!(admits(&base));
    assert!(
        admits(&[("zone", "eu"), ("tier", "api"), ("team", "x")]),
        "NotIn admits a missing label"
    );
    assert!(!admits(&[
        ("zone", "us"),
        ("tier", "web"),
        ("env", "prod"),
        ("team", "x")
    ]));
    assert!(!admits(&[
        ("zone", "eu"),
        ("tier", "db"),
        ("env", "prod"),
        ("team", "x")
    ]));
    assert!(
        !admits(&[("zone", "eu"), ("env", "prod"), ("team", "x")]),
        "In needs the label"
    );
    assert!(!admits(&[
        ("zone", "eu"),
        ("tier", "web"),
        ("env", "dev"),
        ("team", "x")
    ]));
    assert!(!admits(&[("zone", "eu"), ("tier", "web"), ("env", "prod")]));
    assert!(!admits(&[
        ("zone", "eu"),
        ("tier", "web"),
        ("env", "prod"),
        ("team", "x"),
        ("legacy", "")
    ]));
}

#[test]
fn without_policy_types_egress_is_isolated_only_by_egress_rules() {
    let policies = [
        policy(
            "app",
            json!({ "podSelector": { "matchLabels": { "app": "a" } }, "ingress": [] }),
        ),
        policy(
            "app",
            json!({ "podSelector": { "matchLabels": { "app": "b" } },
                    "egress": [{ "to": [{ "podSelector": { "matchLabels": { "app": "a" } } }] }] }),
        ),
        policy(
            "app",
            json!({ "podSelector": { "matchLabels": { "app": "c" } }, "egress": [] }),
        ),
    ];
    let c = cluster(&policies);
    let [a, b, x] = ["a", "b", "c"].map(|n| Pod::new(n, "app", &[("app", n)], &[]));
    let allows = |src: &Pod, dst: &Pod| c.allows(Peer::Pod(src), Peer::Pod(dst), 80, "TCP");
    // Every policy isolates ingress: nothing gets into a, b or c.
    assert!(!allows(&x, &a) && !allows(&a, &b) && !allows(&a, &x));
    // b's egress is isolated by its rules; a's and c's (`egress: []`) are not.
    assert!(c.egress_allows(Peer::Pod(&b), Peer::Pod(&a), 80, "TCP"));
    assert!(!c.egress_allows(Peer::Pod(&b), Peer::Pod(&x), 80, "TCP"));
    assert!(!c.egress_allows(Peer::Pod(&b), Peer::Address(ip("192.0.2.1")), 80, "TCP"));
    assert!(c.egress_allows(Peer::Pod(&a), Peer::Address(ip("192.0.2.1")), 80, "TCP"));
    assert!(c.egress_allows(Peer::Pod(&x), Peer::Address(ip("192.0.2.1")), 80, "TCP"));
    // Pods of another namespace are not selected by these policies.
    let elsewhere = Pod::new("elsewhere", "team-a", &[("app", "b")], &[]);
    assert!(c.ingress_allows(Peer::Pod(&a), Peer::Pod(&elsewhere), 80, "TCP"));
}

#[test]
fn an_empty_rule_matches_every_peer_and_port_and_no_rule_matches_nothing() {
    let isolate = |app: &str, ingress: Value| {
        policy(
            "app",
            json!({ "podSelector": { "matchLabels": { "app": app } }, "policyTypes": ["Ingress"], "ingress": ingress }),
        )
    };
    let policies = [
        isolate("open", json!([{}])),
        isolate("from-nobody-listed", json!([{ "from": [], "ports": [] }])),
        isolate("closed", json!([])),
        isolate(
            "range",
            json!([{ "ports": [{ "port": 8000, "endPort": 8010 }, { "protocol": "UDP" }] }]),
        ),
    ];
    let c = cluster(&policies);
    let pod = |app: &str| Pod::new(app, "app", &[("app", app)], &[]);
    let stranger = Pod::new("stranger", "team-b", &[], &[]);
    let sources = [
        Peer::Pod(&stranger),
        Peer::Address(ip("203.0.113.7")),
        Peer::Address(ip("2001:db8::7")),
    ];
    let (open, listed, closed, range) = (
        pod("open"),
        pod("from-nobody-listed"),
        pod("closed"),
        pod("range"),
    );
    for src in sources {
        for (port, protocol) in [(1, "TCP"), (8080, "UDP"), (65535, "SCTP")] {
            assert!(c.ingress_allows(src, Peer::Pod(&open), port, protocol));
            assert!(c.ingress_allows(src, Peer::Pod(&listed), port, protocol));
            assert!(!c.ingress_allows(src, Peer::Pod(&closed), port, protocol));
        }
        let to_range =
            |port: u16, protocol: &str| c.ingress_allows(src, Peer::Pod(&range), port, protocol);
        assert!(to_range(8000, "TCP") && to_range(8005, "TCP") && to_range(8010, "TCP"));
        assert!(!to_range(7999, "TCP") && !to_range(8011, "TCP") && !to_range(8005, "SCTP"));
        assert!(to_range(53, "UDP") && to_range(9999, "UDP"));
    }
}

#[test]
fn the_reader_merges_overlays_along_extends_and_reads_both_forms_of_uses() {
    let dir = crate::support::TempDir::new();
    dir.write(
        "platform.yaml",
        "platform: p\ncomponents:\n  api: { uses: [db, cache], ports: { http: 8080 } }\n  db: { ports: { sql: { port: 5432, scrape: true } } }\n",
    );
    dir.write("overlays/base.yaml", "# nothing here\n");
    dir.write(
        "overlays/dev.yaml",
        "extends: base\nnamespace: p-dev\ncomponents:\n  api: { uses: { db: [sql], otel: true }, ports: null }\n  db: { ports: { sql: { protocol: UDP } } }\n",
    );
    let spec = merged_spec(dir.path(), "dev");
    assert_eq!(spec["namespace"], "p-dev");
    assert_eq!(
        spec["components"]["db"]["ports"]["sql"],
        json!({ "port": 5432, "scrape": true, "protocol": "UDP" })
    );
    let declared = Declared::read(&spec);
    let api = &declared.workloads["api"];
    assert!(api.ports.is_empty(), "`null` removes the ports");
    assert_eq!(
        api.uses,
        BTreeMap::from([
            ("db".into(), Use::Ports(BTreeSet::from(["sql".into()]))),
            ("otel".into(), Use::All)
        ])
    );
    let base = Declared::read(&merged_spec(dir.path(), "base"));
    assert_eq!(base.namespace, "p");
    assert_eq!(
        base.workloads["api"].uses,
        BTreeMap::from([("cache".into(), Use::All), ("db".into(), Use::All)])
    );
    assert!(base.workloads["db"].ports["sql"].scrape);
}
