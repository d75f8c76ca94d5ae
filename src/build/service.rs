//! A component's Services: one with its ports but those marked `service: false` (ClusterIP
//! unless asked otherwise), one per entry of `services` with the ports it names, and for a
//! stateful component the headless Service that gives its pods stable DNS names, with every
//! port (a peer port such as Raft's is `service: false`: on the headless Service only).

use super::Ctx;
use super::object::Service;
use super::pod::sorted_ports;
use crate::platform::component::{Component, Kind, ServiceType};
use crate::platform::values::Protocol;
use indexmap::IndexMap;
use k8s_openapi::api::core::v1::{ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeSet;

/// The headless Service's name: `<platform>-<component>-headless`.
pub(crate) fn headless_name(name: &str, ctx: &Ctx) -> String {
    ctx.name(&format!("{name}-headless"))
}

pub(crate) fn services(name: &str, c: &Component, ctx: &Ctx) -> Vec<Service> {
    let all: Vec<ServicePort> = sorted_ports(&c.ports)
        .into_iter()
        .map(|(port_name, p)| ServicePort {
            name: Some(port_name.clone()),
            port: i32::from(p.service_port.unwrap_or(p.port)),
            target_port: Some(IntOrString::String(port_name.clone())),
            protocol: Some(p.protocol.map_or("TCP", Protocol::as_str).to_string()),
            ..Default::default()
        })
        .collect();
    let only = |names: &BTreeSet<&String>| -> Vec<ServicePort> {
        all.iter()
            .filter(|p| p.name.as_ref().is_some_and(|n| names.contains(n)))
            .cloned()
            .collect()
    };
    let mut out = Vec::new();
    if c.kind == Kind::Stateful {
        // A StatefulSet needs its governing headless Service even without ports.
        out.push(service(
            name,
            headless_name(name, ctx),
            None,
            &IndexMap::new(),
            all.clone(),
            c,
            ctx,
        ));
    }
    let exposed: BTreeSet<&String> = c
        .ports
        .iter()
        .filter(|(_, p)| p.service != Some(false))
        .map(|(n, _)| n)
        .collect();
    let main = only(&exposed);
    if !main.is_empty() {
        let spec = c.service.clone().unwrap_or_default();
        let mut main = service(
            name,
            ctx.name(name),
            Some(spec.kind),
            &spec.annotations,
            main,
            c,
            ctx,
        );
        if !super::service_monitor::on_main_service(c, ctx).is_empty() {
            main.metadata
                .labels
                .get_or_insert_default()
                .insert(super::service_monitor::SCRAPED.into(), "true".into());
        }
        out.push(main);
    }
    for (extra, spec) in &c.services {
        let ports = only(&spec.ports.iter().collect());
        if !ports.is_empty() {
            let full = ctx.name(&format!("{name}-{extra}"));
            out.push(service(
                name,
                full,
                Some(spec.kind),
                &spec.annotations,
                ports,
                c,
                ctx,
            ));
        }
    }
    out
}

/// One Service selecting the component's pods; `kind` None is headless.
fn service(
    component: &str,
    name: String,
    kind: Option<ServiceType>,
    annotations: &IndexMap<String, String>,
    ports: Vec<ServicePort>,
    c: &Component,
    ctx: &Ctx,
) -> Service {
    let mut metadata = ctx.component_metadata(component, c);
    metadata.name = Some(name);
    if let Some(annotations) = super::string_map(annotations) {
        metadata.annotations = Some(annotations);
    }
    let (type_, cluster_ip, publish) = match kind {
        None => (None, Some("None".to_string()), Some(true)),
        Some(ServiceType::ClusterIP) => (Some("ClusterIP"), None, None),
        Some(ServiceType::LoadBalancer) => (Some("LoadBalancer"), None, None),
        Some(ServiceType::NodePort) => (Some("NodePort"), None, None),
    };
    Service {
        metadata,
        spec: Some(ServiceSpec {
            type_: type_.map(String::from),
            cluster_ip,
            publish_not_ready_addresses: publish,
            selector: Some(ctx.selector_labels(component)),
            ports: (!ports.is_empty()).then_some(ports),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use crate::build::object::Object;
    use crate::merge::Merged;
    use crate::platform::Platform;
    use std::collections::BTreeMap;

    /// Each Service's name, type and port names.
    fn services(yaml: &str) -> BTreeMap<String, (Option<String>, Vec<String>)> {
        let tree = crate::load::parse(0, yaml).unwrap();
        let spec = Platform::from_tree(&Merged::new(tree)).unwrap();
        crate::build::all(&spec)
            .into_iter()
            .filter_map(|o| match o {
                Object::Service(s) => {
                    let spec = s.spec.unwrap();
                    let ports = spec.ports.unwrap_or_default();
                    let names = ports.into_iter().filter_map(|p| p.name).collect();
                    Some((s.metadata.name.unwrap(), (spec.type_, names)))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_port_is_on_every_service_that_names_it_and_peer_ports_only_on_the_headless_one() {
        let yaml = "platform: p\ndefaults: { resources: { cpu: 1, memory: 1Gi } }\ncomponents:\n  raft:\n    kind: stateful\n    image: r:1\n    \
                    ports: { http: { port: 8000, servicePort: 80 }, raft: { port: 4321, service: false } }\n    \
                    service: { type: LoadBalancer }\n    services: { metrics: { ports: [http] } }\n";
        let found = services(yaml);
        let expect = |t: Option<&str>, ports: &[&str]| {
            (
                t.map(String::from),
                ports.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(found["p-raft"], expect(Some("LoadBalancer"), &["http"]));
        assert_eq!(
            found["p-raft-metrics"],
            expect(Some("ClusterIP"), &["http"])
        );
        assert_eq!(found["p-raft-headless"], expect(None, &["http", "raft"]));
    }
}
