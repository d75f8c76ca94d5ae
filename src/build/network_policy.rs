//! NetworkPolicy from the spec: a default deny for the namespace, DNS for every pod (kube-dns,
//! and a NodeLocal DNSCache's addresses from `defaults.dns.nodeLocal`), and
//! for each component exactly the paths its `uses` declare — ingress from the components
//! and jobs that use it, egress to the components it uses, on their container ports — plus
//! ingress from the ingress controller's namespace when a route points at it, and from
//! anywhere to the ports a LoadBalancer or NodePort Service exposes (its clients are outside
//! the cluster). A stateful component's pods may reach each other (replication, clustering).
//!
//! Which paths there are is decided in [`crate::platform::network`], which `wfk graph`
//! draws too; this module only writes them as policies.

use super::Ctx;
use super::object::NetworkPolicy;
use crate::platform::component::Component;
use crate::platform::endpoint::{ApiServer, Endpoint};
use crate::platform::network::{Network, PathPort, Reach, Target, Workload};
use crate::platform::values::Protocol;
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub(crate) fn network_policies<'c>(ctx: &'c Ctx) -> impl Iterator<Item = NetworkPolicy> + 'c {
    // Made one at a time, as they are taken: a large render takes them in batches.
    let network = std::rc::Rc::new(Network::of(ctx.spec));
    let mut first = vec![default_deny(ctx), dns(&network, ctx)];
    first.extend(acme_solver(&network, ctx));
    let components = {
        let network = network.clone();
        (0..network.components.len()).map(move |i| {
            let component = &ctx.spec.components[i];
            component_policy(component, &network.components[i], &network, ctx)
        })
    };
    let jobs = (0..network.jobs.len()).map(move |i| {
        let w = &network.jobs[i];
        // A job's pods mount no API token, so they never reach the API server.
        let egress = egress_rules(&w.reaches, ctx);
        NetworkPolicy {
            metadata: ctx.metadata(ctx.name(w.name), ctx.workload_labels(w.name, None)),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(ctx.selector(w.name)),
                policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
                ingress: Some(Vec::new()),
                egress: Some(egress),
            }),
        }
    });
    first.into_iter().chain(components).chain(jobs)
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

fn dns(network: &Network, ctx: &Ctx) -> NetworkPolicy {
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
                        network
                            .node_local_dns
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
fn acme_solver(network: &Network, ctx: &Ctx) -> Option<NetworkPolicy> {
    if !network.acme_solver {
        return None;
    }
    Some(NetworkPolicy {
        metadata: ctx.metadata(ctx.name("allow-acme-solver"), ctx.labels()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(match_labels("acme.cert-manager.io/http01-solver", "true")),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![NetworkPolicyPeer {
                    namespace_selector: Some(match_labels(
                        "kubernetes.io/metadata.name",
                        network.controller,
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

fn policy_port(port: u16, protocol: Option<Protocol>) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(i32::from(port))),
        protocol: Some(protocol.map_or("TCP", Protocol::as_str).to_string()),
        ..Default::default()
    }
}

/// Ports of a path, as NetworkPolicy ports.
fn policy_ports(ports: &[PathPort]) -> Vec<NetworkPolicyPort> {
    ports
        .iter()
        .map(|p| policy_port(p.port, Some(p.protocol)))
        .collect()
}

/// Egress to what a component or job uses: components on their (chosen) container
/// ports, endpoints at their addresses or namespace on their (chosen) ports.
fn egress_rules(reaches: &BTreeMap<&str, Reach>, ctx: &Ctx) -> Vec<NetworkPolicyEgressRule> {
    reaches
        .values()
        .filter_map(|r| match r.target {
            // No ports is not "every port" (what an empty list means to Kubernetes).
            Target::Component(_) => (!r.ports.is_empty()).then(|| NetworkPolicyEgressRule {
                to: Some(vec![NetworkPolicyPeer {
                    pod_selector: Some(ctx.selector(r.to)),
                    ..Default::default()
                }]),
                ports: Some(policy_ports(&r.ports)),
            }),
            Target::Endpoint(e) => (!r.ports.is_empty()).then(|| NetworkPolicyEgressRule {
                to: Some(endpoint_peers(e)),
                ports: Some(policy_ports(&r.ports)),
            }),
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
fn api_server(api: &ApiServer) -> NetworkPolicyEgressRule {
    NetworkPolicyEgressRule {
        to: Some(api.cidrs.iter().map(|cidr| ip_block(cidr, &[])).collect()),
        ports: Some(vec![policy_port(api.port, None)]),
    }
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

/// An ingress rule from a namespace, on `ports`.
fn from_namespace(namespace: &str, ports: &[PathPort]) -> NetworkPolicyIngressRule {
    NetworkPolicyIngressRule {
        from: Some(vec![NetworkPolicyPeer {
            namespace_selector: Some(match_labels("kubernetes.io/metadata.name", namespace)),
            ..Default::default()
        }]),
        ports: Some(policy_ports(ports)),
    }
}

fn component_policy<'a>(
    component: &Component,
    w: &'a Workload<'a>,
    network: &Network,
    ctx: &Ctx,
) -> NetworkPolicy {
    let name = w.name;
    let mut ingress = Vec::new();
    let mut egress = egress_rules(&w.reaches, ctx);
    egress.extend(w.api_server.map(api_server));
    // One rule per set of ports: every user of all of them (and, for a stateful
    // component, its own pods) in one, each narrower set in its own.
    let mut by_ports: BTreeMap<Vec<&str>, (&[PathPort], Vec<NetworkPolicyPeer>)> = BTreeMap::new();
    let mut add = |ports: &'a [PathPort<'a>], who: &str| {
        let names = ports.iter().map(|p| p.name).collect();
        let peer = NetworkPolicyPeer {
            pod_selector: Some(ctx.selector(who)),
            ..Default::default()
        };
        by_ports
            .entry(names)
            .or_insert((ports, Vec::new()))
            .1
            .push(peer);
    };
    for (user, ports) in &w.users {
        add(ports, user);
    }
    // A stateful component without ports has nothing for its pods to reach.
    if w.peers && !w.ports.is_empty() {
        add(&w.ports, name);
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                pod_selector: Some(ctx.selector(name)),
                ..Default::default()
            }]),
            ports: Some(policy_ports(&w.ports)),
        });
    }
    // The rule for every port first, as it has always been written.
    let all: Vec<&str> = w.ports.iter().map(|p| p.name).collect();
    let every = by_ports.remove(&all);
    for (ports, peers) in every.into_iter().chain(by_ports.into_values()) {
        if ports.is_empty() {
            continue;
        }
        ingress.push(NetworkPolicyIngressRule {
            from: Some(peers),
            ports: Some(policy_ports(ports)),
        });
    }
    let scraped: Vec<PathPort> = w.scraped.iter().map(|s| s.port).collect();
    if !scraped.is_empty() {
        ingress.push(from_namespace(network.monitoring, &scraped));
    }
    if !w.routed.is_empty() {
        ingress.push(from_namespace(network.controller, &w.routed));
    }
    if !w.external.is_empty() {
        // No `from`: a LoadBalancer's or NodePort's clients come from outside the cluster.
        ingress.push(NetworkPolicyIngressRule {
            from: None,
            ports: Some(policy_ports(&w.external)),
        });
    }
    if w.open_ingress {
        ingress = vec![NetworkPolicyIngressRule::default()];
    }
    if w.open_egress {
        egress = vec![open_egress()];
    }
    if w.cloud_metadata {
        egress.push(cloud_metadata());
    }
    // Kept as long as they are, not as they grew: one per component.
    ingress.shrink_to_fit();
    egress.shrink_to_fit();
    NetworkPolicy {
        metadata: ctx.component_metadata(name, component),
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
