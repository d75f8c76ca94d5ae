//! The platform's Ingress: hosts and paths to component Services, TLS from cert-manager or
//! a named secret, controller annotations.

use super::Ctx;
use super::object::Ingress;
use super::pod::first_port;
use crate::platform::ingress::Ingress as Spec;
use crate::platform::values::PathType;
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, IngressBackend, IngressRule, IngressServiceBackend,
    IngressSpec, IngressTLS, ServiceBackendPort,
};
use std::collections::BTreeMap;

pub(crate) fn ingress(spec: &Spec, ctx: &Ctx) -> Ingress {
    let mut annotations: BTreeMap<String, String> = spec
        .annotations
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut hosts: Vec<(String, &crate::platform::ingress::Host)> = spec
        .hosts
        .iter()
        .map(|(key, h)| (spec.host_name(key, h), h))
        .collect();
    hosts.sort_by(|a, b| a.0.cmp(&b.0));
    let rules = hosts
        .iter()
        .map(|(host, h)| {
            let mut paths: Vec<_> = h.paths.iter().collect();
            paths.sort_by(|a, b| a.0.cmp(b.0));
            IngressRule {
                host: Some(host.clone()),
                http: Some(HTTPIngressRuleValue {
                    paths: paths
                        .into_iter()
                        .map(|(path, route)| {
                            let port = route.port.clone().or_else(|| {
                                ctx.spec
                                    .components
                                    .get(&route.component)
                                    .and_then(|c| first_port(&c.ports).map(|(n, _)| n.clone()))
                            });
                            HTTPIngressPath {
                                path: Some(path.clone()),
                                path_type: route
                                    .path_type
                                    .unwrap_or(PathType::Prefix)
                                    .as_str()
                                    .to_string(),
                                backend: IngressBackend {
                                    service: Some(IngressServiceBackend {
                                        name: ctx.name(&route.component),
                                        port: Some(ServiceBackendPort {
                                            name: port,
                                            ..Default::default()
                                        }),
                                    }),
                                    ..Default::default()
                                },
                            }
                        })
                        .collect(),
                }),
            }
        })
        .collect();
    let tls = spec.tls.as_ref().map(|tls| {
        if let Some(issuer) = &tls.cluster_issuer {
            annotations.insert("cert-manager.io/cluster-issuer".into(), issuer.clone());
        }
        if let Some(issuer) = &tls.issuer {
            annotations.insert("cert-manager.io/issuer".into(), issuer.clone());
        }
        vec![IngressTLS {
            hosts: Some(hosts.iter().map(|(h, _)| h.clone()).collect()),
            secret_name: Some(
                tls.secret
                    .clone()
                    .unwrap_or_else(|| format!("{}-tls", ctx.platform())),
            ),
        }]
    });
    let mut metadata = ctx.metadata(ctx.platform().to_string(), ctx.labels());
    metadata.annotations = (!annotations.is_empty()).then_some(annotations);
    Ingress {
        metadata,
        spec: Some(IngressSpec {
            ingress_class_name: spec.class.clone(),
            rules: Some(rules),
            tls,
            ..Default::default()
        }),
        ..Default::default()
    }
}
