//! NetworkPolicy from the spec: a default deny for the namespace, DNS for every pod (kube-dns,
//! and a NodeLocal DNSCache's addresses from `defaults.dns.nodeLocal`), and
//! for each component exactly the paths its `uses` declare — ingress from the components
//! and jobs that use it, egress to the components it uses, on their container ports — plus
//! ingress from the ingress controller's namespace when a route points at it, and from
//! anywhere to the ports a LoadBalancer or NodePort Service exposes (its clients are outside
//! the cluster). A stateful component's pods may reach each other (replication, clustering).

use super::Ctx;
use super::object::NetworkPolicy;
use super::pod::sorted_ports;
use crate::platform::component::{Component, Kind, Relaxation, ServiceType};
use crate::platform::endpoint::{Endpoint, Use, Uses};
use crate::platform::values::Protocol;
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::{BTreeMap, BTreeSet};

/// Prometheus's namespace when the spec names none.
pub const DEFAULT_MONITORING_NAMESPACE: &str = "monitoring";

/// The ingress controller's namespace when the spec names none.
pub const DEFAULT_CONTROLLER_NAMESPACE: &str = "ingress-nginx";

pub(crate) fn network_policies<'a>(ctx: &'a Ctx) -> Vec<NetworkPolicy> {
    let mut out = vec![default_deny(ctx), dns(ctx)];
    out.extend(acme_solver(ctx));
    // What each component and job uses (a job also what its component uses), and who uses
    // each component, with which ports.
    let mut uses: BTreeMap<&str, BTreeMap<&str, Use>> = BTreeMap::new();
    let mut add = |user: &'a str, used: &'a Uses| {
        for (name, u) in used.iter() {
            let entry = uses.entry(user).or_default().entry(name.as_str());
            entry
                .and_modify(|had| *had = union(had, u))
                .or_insert_with(|| u.clone());
        }
    };
    for (name, c) in &ctx.spec.components {
        add(name, &c.uses);
    }
    for (name, j) in &ctx.spec.jobs {
        add(name, &j.uses);
        if let Some(c) = j
            .component
            .as_ref()
            .and_then(|c| ctx.spec.components.get(c))
        {
            add(name, &c.uses);
        }
    }
    let mut users: BTreeMap<&str, BTreeMap<&str, &Use>> = BTreeMap::new();
    for (user, used) in &uses {
        for (name, u) in used {
            users.entry(name).or_default().insert(user, u);
        }
    }
    let routed = routed_ports(ctx);
    for (name, c) in &ctx.spec.components {
        out.push(component_policy(
            name,
            c,
            users.get(name.as_str()),
            uses.get(name.as_str()),
            routed.get(name.as_str()),
            ctx,
        ));
    }
    for name in ctx.spec.jobs.keys() {
        // A job's pods mount no API token, so they never reach the API server.
        let egress = egress_rules(uses.get(name.as_str()), ctx);
        out.push(NetworkPolicy {
            metadata: ctx.metadata(ctx.name(name), ctx.workload_labels(name, None)),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(ctx.selector(name)),
                policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
                ingress: Some(Vec::new()),
                egress: Some(egress),
            }),
        });
    }
    out
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

fn default_deny(ctx: &Ctx) -> NetworkPolicy {
    NetworkPolicy {
        metadata: ctx.metadata(ctx.name("default-deny"), ctx.labels()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ..Default::default()
        }),
    }
}

fn dns(ctx: &Ctx) -> NetworkPolicy {
    let port = |protocol: &str| NetworkPolicyPort {
        port: Some(IntOrString::Int(53)),
        protocol: Some(protocol.into()),
        ..Default::default()
    };
    NetworkPolicy {
        metadata: ctx.metadata(ctx.name("allow-dns"), ctx.labels()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Egress".into()]),
            egress: Some(vec![NetworkPolicyEgressRule {
                to: Some(
                    std::iter::once(NetworkPolicyPeer {
                        namespace_selector: Some(match_labels(
                            "kubernetes.io/metadata.name",
                            "kube-system",
                        )),
                        pod_selector: Some(match_labels("k8s-app", "kube-dns")),
                        ..Default::default()
                    })
                    .chain(
                        ctx.spec
                            .defaults
                            .dns
                            .node_local
                            .iter()
                            .map(|cidr| ip_block(cidr, &[])),
                    )
                    .collect(),
                ),
                ports: Some(vec![port("UDP"), port("TCP")]),
            }]),
            ..Default::default()
        }),
    }
}

/// cert-manager proves a domain with a solver pod in the namespace (HTTP-01): the ingress
/// controller must reach it on 8089, or no certificate is ever issued. Only when the
/// ingress takes its certificate from an issuer.
fn acme_solver(ctx: &Ctx) -> Option<NetworkPolicy> {
    let ingress = ctx.spec.ingress.as_ref()?;
    let tls = ingress.tls.as_ref()?;
    if tls.issuer.is_none() && tls.cluster_issuer.is_none() {
        return None;
    }
    let controller = ingress
        .controller_namespace
        .as_deref()
        .unwrap_or(DEFAULT_CONTROLLER_NAMESPACE);
    Some(NetworkPolicy {
        metadata: ctx.metadata(ctx.name("allow-acme-solver"), ctx.labels()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(match_labels("acme.cert-manager.io/http01-solver", "true")),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![NetworkPolicyPeer {
                    namespace_selector: Some(match_labels(
                        "kubernetes.io/metadata.name",
                        controller,
                    )),
                    ..Default::default()
                }]),
                ports: Some(vec![NetworkPolicyPort {
                    port: Some(IntOrString::Int(8089)),
                    protocol: Some("TCP".into()),
                    ..Default::default()
                }]),
            }]),
            ..Default::default()
        }),
    })
}

fn match_labels(key: &str, value: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(BTreeMap::from([(key.to_string(), value.to_string())])),
        ..Default::default()
    }
}

/// The container ports of a component, as NetworkPolicy ports.
fn ports(c: &Component, only: Option<&BTreeSet<String>>) -> Vec<NetworkPolicyPort> {
    used_ports(c, &Use::All)
        .into_iter()
        .filter(|p| only.is_none_or(|o| o.contains(&p.0)))
        .map(|p| p.1)
        .collect()
}

/// The container ports of a component a `uses` entry opens, with their names.
fn used_ports(c: &Component, used: &Use) -> Vec<(String, NetworkPolicyPort)> {
    sorted_ports(&c.ports)
        .into_iter()
        .filter(|(name, _)| used.includes(name))
        .map(|(name, p)| (name.clone(), policy_port(p.port, p.protocol)))
        .collect()
}

fn policy_port(port: u16, protocol: Option<Protocol>) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(i32::from(port))),
        protocol: Some(protocol.map_or("TCP", Protocol::as_str).to_string()),
        ..Default::default()
    }
}

/// The ports of each component that an ingress route points at.
fn routed_ports<'a>(ctx: &'a Ctx) -> BTreeMap<&'a str, BTreeSet<String>> {
    let mut out: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let Some(ingress) = &ctx.spec.ingress else {
        return out;
    };
    for host in ingress.hosts.values() {
        for route in host.paths.values() {
            let Some(c) = ctx.spec.components.get(&route.component) else {
                continue;
            };
            let port = route
                .port
                .clone()
                .or_else(|| sorted_ports(&c.ports).first().map(|(n, _)| (*n).clone()));
            if let Some(port) = port {
                out.entry(route.component.as_str())
                    .or_default()
                    .insert(port);
            }
        }
    }
    out
}

/// The ports of a component that a LoadBalancer or NodePort Service exposes: the main
/// Service's (all but `service: false`) and those of each such entry of `services`.
fn external_ports(c: &Component) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if c.service
        .as_ref()
        .is_some_and(|s| s.kind != ServiceType::ClusterIP)
    {
        out.extend(
            c.ports
                .iter()
                .filter(|(_, p)| p.service != Some(false))
                .map(|(n, _)| n.clone()),
        );
    }
    for s in c.services.values() {
        if s.kind != ServiceType::ClusterIP {
            out.extend(s.ports.iter().cloned());
        }
    }
    out
}

/// Egress to what a component or job uses: components on their (chosen) container
/// ports, endpoints at their addresses or namespace on their (chosen) ports.
fn egress_rules(uses: Option<&BTreeMap<&str, Use>>, ctx: &Ctx) -> Vec<NetworkPolicyEgressRule> {
    uses.into_iter()
        .flatten()
        .filter_map(|(used, u)| {
            if let Some(c) = ctx.spec.components.get(*used) {
                let ports: Vec<NetworkPolicyPort> =
                    used_ports(c, u).into_iter().map(|p| p.1).collect();
                // No ports is not "every port" (what an empty list means to Kubernetes).
                return (!ports.is_empty()).then(|| NetworkPolicyEgressRule {
                    to: Some(vec![NetworkPolicyPeer {
                        pod_selector: Some(ctx.selector(used)),
                        ..Default::default()
                    }]),
                    ports: Some(ports),
                });
            }
            let e = ctx.spec.endpoints.get(*used)?;
            Some(NetworkPolicyEgressRule {
                to: Some(endpoint_peers(e)),
                ports: Some(
                    e.ports
                        .iter()
                        .filter(|(name, _)| u.includes(name))
                        .map(|(_, p)| policy_port(p.port, p.protocol))
                        .collect(),
                ),
            })
        })
        .collect()
}

/// Where an endpoint is: its addresses, or the (labelled) pods of its namespace.
fn endpoint_peers(e: &Endpoint) -> Vec<NetworkPolicyPeer> {
    match &e.namespace {
        Some(namespace) => vec![NetworkPolicyPeer {
            namespace_selector: Some(match_labels("kubernetes.io/metadata.name", namespace)),
            pod_selector: (!e.pods.is_empty()).then(|| LabelSelector {
                match_labels: Some(e.pods.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                ..Default::default()
            }),
            ..Default::default()
        }],
        None => e.cidrs.iter().map(|cidr| ip_block(cidr, &[])).collect(),
    }
}

/// Egress to the API server (`defaults.apiServer`), for pods that mount a token.
fn api_server(ctx: &Ctx) -> Option<NetworkPolicyEgressRule> {
    let api = ctx.spec.defaults.api_server.as_ref()?;
    Some(NetworkPolicyEgressRule {
        to: Some(api.cidrs.iter().map(|cidr| ip_block(cidr, &[])).collect()),
        ports: Some(vec![policy_port(api.port, None)]),
    })
}

/// The cloud instance metadata addresses (AWS, Azure, GCP, and AWS over IPv6): a pod that
/// reaches them can read the node's credentials.
pub const METADATA_ADDRESSES: [&str; 2] = ["169.254.169.254/32", "fd00:ec2::254/128"];

/// `openEgress`: every pod of every namespace and every address but the metadata ones.
fn open_egress() -> NetworkPolicyEgressRule {
    NetworkPolicyEgressRule {
        to: Some(vec![
            NetworkPolicyPeer {
                namespace_selector: Some(LabelSelector::default()),
                ..Default::default()
            },
            ip_block("0.0.0.0/0", &METADATA_ADDRESSES[..1]),
            ip_block("::/0", &METADATA_ADDRESSES[1..]),
        ]),
        ports: None,
    }
}

/// A peer of the addresses in `cidr`, but those in `except`.
fn ip_block(cidr: &str, except: &[&str]) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: cidr.to_string(),
            except: (!except.is_empty()).then(|| except.iter().map(|e| e.to_string()).collect()),
        }),
        ..Default::default()
    }
}

/// `cloudMetadata`: the metadata addresses, on port 80.
fn cloud_metadata() -> NetworkPolicyEgressRule {
    NetworkPolicyEgressRule {
        to: Some(
            METADATA_ADDRESSES
                .iter()
                .map(|cidr| ip_block(cidr, &[]))
                .collect(),
        ),
        ports: Some(vec![NetworkPolicyPort {
            port: Some(IntOrString::Int(80)),
            protocol: Some("TCP".into()),
            ..Default::default()
        }]),
    }
}

fn component_policy(
    name: &str,
    c: &Component,
    users: Option<&BTreeMap<&str, &Use>>,
    uses: Option<&BTreeMap<&str, Use>>,
    routed: Option<&BTreeSet<String>>,
    ctx: &Ctx,
) -> NetworkPolicy {
    let mut ingress = Vec::new();
    let mut egress = egress_rules(uses, ctx);
    if c.access.is_some() {
        egress.extend(api_server(ctx));
    }
    let own_ports = ports(c, None);
    // One rule per set of ports: every user of all of them (and, for a stateful
    // component, its own pods) in one, each narrower set in its own.
    let mut by_ports: BTreeMap<Vec<String>, Vec<NetworkPolicyPeer>> = BTreeMap::new();
    let all: Vec<String> = used_ports(c, &Use::All).into_iter().map(|p| p.0).collect();
    let peer = |who: &str| NetworkPolicyPeer {
        pod_selector: Some(ctx.selector(who)),
        ..Default::default()
    };
    for (user, u) in users.into_iter().flatten() {
        let names: Vec<String> = used_ports(c, u).into_iter().map(|p| p.0).collect();
        by_ports.entry(names).or_default().push(peer(user));
    }
    if c.kind == Kind::Stateful {
        by_ports.entry(all.clone()).or_default().push(peer(name));
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![peer(name)]),
            ports: Some(own_ports.clone()),
        });
    }
    // The rule for every port first, as it has always been written.
    let every = by_ports.remove(&all);
    for (names, peers) in every.map(|p| (all.clone(), p)).into_iter().chain(by_ports) {
        if names.is_empty() {
            continue;
        }
        let only: BTreeSet<String> = names.into_iter().collect();
        ingress.push(NetworkPolicyIngressRule {
            from: Some(peers),
            ports: Some(ports(c, Some(&only))),
        });
    }
    let scraped: Vec<NetworkPolicyPort> = sorted_ports(&c.ports)
        .into_iter()
        .filter(|(_, p)| p.scraped())
        .map(|(_, p)| NetworkPolicyPort {
            port: Some(IntOrString::Int(i32::from(p.port))),
            protocol: Some(p.protocol.map_or("TCP", Protocol::as_str).to_string()),
            ..Default::default()
        })
        .collect();
    if !scraped.is_empty() {
        let namespace = ctx
            .spec
            .monitoring
            .namespace
            .as_deref()
            .unwrap_or(DEFAULT_MONITORING_NAMESPACE);
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(match_labels("kubernetes.io/metadata.name", namespace)),
                ..Default::default()
            }]),
            ports: Some(scraped),
        });
    }
    if let Some(routed) = routed {
        let namespace = ctx
            .spec
            .ingress
            .as_ref()
            .and_then(|i| i.controller_namespace.as_deref())
            .unwrap_or(DEFAULT_CONTROLLER_NAMESPACE);
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(match_labels("kubernetes.io/metadata.name", namespace)),
                ..Default::default()
            }]),
            ports: Some(ports(c, Some(routed))),
        });
    }
    let external = external_ports(c);
    if !external.is_empty() {
        // No `from`: a LoadBalancer's or NodePort's clients come from outside the cluster.
        ingress.push(NetworkPolicyIngressRule {
            from: None,
            ports: Some(ports(c, Some(&external))),
        });
    }
    if c.security.relax.contains_key(&Relaxation::OpenIngress) {
        ingress = vec![NetworkPolicyIngressRule::default()];
    }
    if c.security.relax.contains_key(&Relaxation::OpenEgress) {
        egress = vec![open_egress()];
    }
    if c.security.relax.contains_key(&Relaxation::CloudMetadata) {
        egress.push(cloud_metadata());
    }
    NetworkPolicy {
        metadata: ctx.component_metadata(name, c),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(ctx.selector(name)),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ingress: Some(ingress),
            egress: Some(egress),
        }),
    }
}

#[cfg(test)]
mod tests {
    use crate::build::object::Object;
    use crate::merge::Merged;
    use crate::platform::Platform;

    fn ingress_of(yaml: &str, component: &str) -> serde_json::Value {
        let tree = crate::load::parse(0, yaml).unwrap();
        let spec = Platform::from_tree(&Merged::new(tree)).unwrap();
        let objects = crate::build::all(&spec);
        let policy = objects
            .iter()
            .find(|o| matches!(o, Object::NetworkPolicy(_)) && o.name() == component)
            .expect("the component's policy");
        serde_json::to_value(policy).unwrap()["spec"]["ingress"].clone()
    }

    #[test]
    fn load_balancer_ports_are_open_to_any_source_and_peer_ports_are_not() {
        let yaml = "platform: p\ndefaults: { resources: { cpu: 1, memory: 1Gi } }\ncomponents:\n  raft:\n    kind: stateful\n    image: r:1\n    \
                    ports: { http: { port: 8000, servicePort: 80 }, raft: { port: 4321, service: false } }\n    \
                    service: { type: LoadBalancer }\n";
        let ingress = ingress_of(yaml, "p-raft");
        let open: Vec<&serde_json::Value> = ingress
            .as_array()
            .unwrap()
            .iter()
            .filter(|rule| rule.get("from").is_none())
            .collect();
        assert_eq!(open.len(), 1, "{ingress:#}");
        assert_eq!(
            open[0]["ports"],
            serde_json::json!([{ "port": 8000, "protocol": "TCP" }])
        );
    }

    fn egress_of(yaml: &str, component: &str) -> serde_json::Value {
        let tree = crate::load::parse(0, yaml).unwrap();
        let spec = Platform::from_tree(&Merged::new(tree)).unwrap();
        let objects = crate::build::all(&spec);
        let policy = objects
            .iter()
            .find(|o| matches!(o, Object::NetworkPolicy(_)) && o.name() == component)
            .expect("the component's policy");
        serde_json::to_value(policy).unwrap()["spec"]["egress"].clone()
    }

    #[test]
    fn open_egress_leaves_out_the_cloud_metadata_address_unless_stated() {
        let base = "platform: p\ndefaults: { resources: { cpu: 1, memory: 1Gi } }\ncomponents:\n  api:\n    image: a:1\n    ports: { http: 8080 }\n";
        let open =
            format!("{base}    security: {{ relax: {{ openEgress: \"calls partners\" }} }}\n");
        assert_eq!(
            egress_of(&open, "p-api"),
            serde_json::json!([{ "to": [
                { "namespaceSelector": {} },
                { "ipBlock": { "cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"] } },
                { "ipBlock": { "cidr": "::/0", "except": ["fd00:ec2::254/128"] } },
            ] }])
        );
        let metadata =
            format!("{base}    security: {{ relax: {{ cloudMetadata: \"reads its region\" }} }}\n");
        assert_eq!(
            egress_of(&metadata, "p-api"),
            serde_json::json!([{
                "to": [
                    { "ipBlock": { "cidr": "169.254.169.254/32" } },
                    { "ipBlock": { "cidr": "fd00:ec2::254/128" } },
                ],
                "ports": [{ "port": 80, "protocol": "TCP" }],
            }])
        );
    }

    #[test]
    fn a_cluster_ip_service_opens_nothing_to_any_source() {
        let yaml = "platform: p\ndefaults: { resources: { cpu: 1, memory: 1Gi } }\ncomponents:\n  api:\n    image: a:1\n    ports: { http: 8080 }\n";
        let ingress = ingress_of(yaml, "p-api");
        assert_eq!(ingress, serde_json::json!([]));
    }
}
