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

pub(crate) fn network_policies(ctx: &Ctx) -> Vec<NetworkPolicy> {
    let mut out = vec![default_deny(ctx), dns(ctx)];
    out.extend(acme_solver(ctx));
    // Who uses whom: components and jobs (a job also uses what its component uses).
    let mut users: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut uses: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, c) in &ctx.spec.components {
        for used in &c.uses {
            users
                .entry(used.as_str())
                .or_default()
                .insert(name.as_str());
            uses.entry(name.as_str()).or_default().insert(used.as_str());
        }
    }
    for (name, j) in &ctx.spec.jobs {
        let inherited = j
            .component
            .as_ref()
            .and_then(|c| ctx.spec.components.get(c))
            .map(|c| &c.uses);
        for used in j.uses.iter().chain(inherited.into_iter().flatten()) {
            users
                .entry(used.as_str())
                .or_default()
                .insert(name.as_str());
            uses.entry(name.as_str()).or_default().insert(used.as_str());
        }
    }
    let routed = routed_ports(ctx);
    for (name, c) in &ctx.spec.components {
        out.push(component_policy(
            name,
            c,
            &users,
            &uses,
            routed.get(name.as_str()),
            ctx,
        ));
    }
    for name in ctx.spec.jobs.keys() {
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
    sorted_ports(&c.ports)
        .into_iter()
        .filter(|(name, _)| only.is_none_or(|o| o.contains(*name)))
        .map(|(_, p)| NetworkPolicyPort {
            port: Some(IntOrString::Int(i32::from(p.port))),
            protocol: Some(p.protocol.map_or("TCP", Protocol::as_str).to_string()),
            ..Default::default()
        })
        .collect()
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

fn egress_rules(uses: Option<&BTreeSet<&str>>, ctx: &Ctx) -> Vec<NetworkPolicyEgressRule> {
    uses.into_iter()
        .flatten()
        .filter_map(|used| {
            let c = ctx.spec.components.get(*used)?;
            Some(NetworkPolicyEgressRule {
                to: Some(vec![NetworkPolicyPeer {
                    pod_selector: Some(ctx.selector(used)),
                    ..Default::default()
                }]),
                ports: Some(ports(c, None)),
            })
        })
        .collect()
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
    users: &BTreeMap<&str, BTreeSet<&str>>,
    uses: &BTreeMap<&str, BTreeSet<&str>>,
    routed: Option<&BTreeSet<String>>,
    ctx: &Ctx,
) -> NetworkPolicy {
    let mut ingress = Vec::new();
    let mut egress = egress_rules(uses.get(name), ctx);
    let own_ports = ports(c, None);
    let mut peers: Vec<NetworkPolicyPeer> = users
        .get(name)
        .into_iter()
        .flatten()
        .map(|user| NetworkPolicyPeer {
            pod_selector: Some(ctx.selector(user)),
            ..Default::default()
        })
        .collect();
    if c.kind == Kind::Stateful {
        peers.push(NetworkPolicyPeer {
            pod_selector: Some(ctx.selector(name)),
            ..Default::default()
        });
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                pod_selector: Some(ctx.selector(name)),
                ..Default::default()
            }]),
            ports: Some(own_ports.clone()),
        });
    }
    if !peers.is_empty() && !own_ports.is_empty() {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(peers),
            ports: Some(own_ports),
        });
    }
    let scraped: Vec<NetworkPolicyPort> = sorted_ports(&c.ports)
        .into_iter()
        .filter(|(_, p)| p.scrape == Some(true))
        .map(|(_, p)| NetworkPolicyPort {
            port: Some(IntOrString::Int(i32::from(p.port))),
            protocol: Some(p.protocol.map_or("TCP", Protocol::as_str).to_string()),
            ..Default::default()
        })
        .collect();
    if !scraped.is_empty() {
        let namespace = ctx
            .spec
            .defaults
            .monitoring_namespace
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
