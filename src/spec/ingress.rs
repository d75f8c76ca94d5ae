//! The platform's Ingress: hosts, paths to components, TLS and annotations.

use super::values::{Route, Short};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

/// One Ingress for the platform.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ingress {
    /// The ingress class, e.g. `nginx`.
    #[serde(default)]
    pub class: Option<String>,
    /// The domain that host keys are under: with `domain: gorax.io`, the host `api` is
    /// `api.gorax.io`. Overlays change the domain once for every host.
    #[serde(default)]
    pub domain: Option<String>,
    /// Hosts by name; each maps paths to the components that serve them.
    #[serde(default)]
    pub hosts: IndexMap<String, Host>,
    /// TLS for every host.
    #[serde(default)]
    pub tls: Option<Tls>,
    /// Annotations for the ingress controller (rate limits, rewrites, CORS).
    #[serde(default)]
    pub annotations: IndexMap<String, String>,
    /// The namespace of the ingress controller, allowed in by the network policy
    /// (default `ingress-nginx`).
    #[serde(default)]
    pub controller_namespace: Option<String>,
}

/// One host.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Host {
    /// The full host name, when it is not `<key>.<domain>`.
    #[serde(default)]
    pub host: Option<String>,
    /// Paths and the component that serves each: `/: api`, `/webhooks: api:http`.
    #[serde(default)]
    pub paths: IndexMap<String, Short<Route>>,
}

/// Where the certificate comes from: set `issuer`, `clusterIssuer` or `secret`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Tls {
    /// A cert-manager ClusterIssuer, e.g. `letsencrypt-prod`.
    #[serde(default)]
    pub cluster_issuer: Option<String>,
    /// A cert-manager Issuer in the namespace.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The Secret holding the certificate (default `<platform>-tls`).
    #[serde(default)]
    pub secret: Option<String>,
}

impl Ingress {
    /// The full host name of the host with key `key`.
    pub fn host_name(&self, key: &str, host: &Host) -> String {
        match (&host.host, &self.domain) {
            (Some(h), _) => h.clone(),
            (None, Some(domain)) => format!("{key}.{domain}"),
            (None, None) => key.to_string(),
        }
    }
}
