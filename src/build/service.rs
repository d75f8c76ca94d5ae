//! A component's Services: one with its ports (ClusterIP unless asked otherwise) and, for
//! a stateful component, the headless Service that gives its pods stable DNS names.

use super::Ctx;
use super::object::Service;
use super::pod::sorted_ports;
use crate::spec::component::{Component, Kind, ServiceType};
use k8s_openapi::api::core::v1::{ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// The headless Service's name: `<platform>-<component>-headless`.
pub(crate) fn headless_name(name: &str, ctx: &Ctx) -> String {
    ctx.name(&format!("{name}-headless"))
}

pub(crate) fn services(name: &str, c: &Component, ctx: &Ctx) -> Vec<Service> {
    let ports: Vec<ServicePort> = sorted_ports(&c.ports)
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
    let mut out = Vec::new();
    if c.kind == Kind::Stateful {
        // A StatefulSet needs its governing headless Service even without ports.
        let mut metadata = ctx.component_metadata(name, c);
        metadata.name = Some(headless_name(name, ctx));
        out.push(Service {
            metadata,
            spec: Some(ServiceSpec {
                cluster_ip: Some("None".into()),
                publish_not_ready_addresses: Some(true),
                selector: Some(ctx.selector_labels(name)),
                ports: (!ports.is_empty()).then(|| ports.clone()),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    if ports.is_empty() {
        return out;
    }
    let service = c.service.clone().unwrap_or_default();
    let mut metadata = ctx.component_metadata(name, c);
    if !service.annotations.is_empty() {
        metadata.annotations = Some(
            service
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
    }
    let kind = match service.kind {
        ServiceType::ClusterIP => "ClusterIP",
        ServiceType::LoadBalancer => "LoadBalancer",
        ServiceType::NodePort => "NodePort",
    };
    out.push(Service {
        metadata,
        spec: Some(ServiceSpec {
            type_: Some(kind.into()),
            selector: Some(ctx.selector_labels(name)),
            ports: Some(ports.clone()),
            ..Default::default()
        }),
        ..Default::default()
    });
    out
}
