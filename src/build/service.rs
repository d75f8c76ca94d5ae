//! A component's Services: one with its ports (ClusterIP unless asked otherwise), one per
//! entry of `services` with the ports it names, and for a stateful component the headless
//! Service that gives its pods stable DNS names (with every port).

use super::Ctx;
use super::object::Service;
use super::pod::sorted_ports;
use crate::spec::component::{Component, Kind, ServiceType};
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
        .filter(|(_, p)| p.service != Some(false))
        .map(|(port_name, p)| ServicePort {
            name: Some(port_name.clone()),
            port: i32::from(p.service_port.unwrap_or(p.port)),
            target_port: Some(IntOrString::String(port_name.clone())),
            protocol: Some(p.protocol.map_or("TCP".to_string(), |p| format!("{p:?}"))),
            ..Default::default()
        })
        .collect();
    let only = |names: &BTreeSet<&String>, keep: bool| -> Vec<ServicePort> {
        all.iter()
            .filter(|p| p.name.as_ref().is_some_and(|n| names.contains(n)) == keep)
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
    let elsewhere: BTreeSet<&String> = c.services.values().flat_map(|s| &s.ports).collect();
    let main = only(&elsewhere, false);
    if !main.is_empty() {
        let spec = c.service.clone().unwrap_or_default();
        out.push(service(
            name,
            ctx.name(name),
            Some(spec.kind),
            &spec.annotations,
            main,
            c,
            ctx,
        ));
    }
    for (extra, spec) in &c.services {
        let ports = only(&spec.ports.iter().collect(), true);
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
    if !annotations.is_empty() {
        metadata.annotations = Some(
            annotations
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
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
