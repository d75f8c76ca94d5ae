//! The platform's Ingress: hosts, paths to components, TLS and annotations.

use super::values::{Route, Short};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

/// The host key that stands for the domain itself, as in DNS zone files.
pub const APEX: &str = "@";

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
    /// Hosts by name; each maps paths to the components that serve them. The host is
    /// `<key>.<domain>`, or the domain itself for the key `"@"` (a web UI on the apex, say).
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
            (None, Some(domain)) if key == APEX => domain.clone(),
            (None, Some(domain)) => format!("{key}.{domain}"),
            (None, None) => key.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Host, Ingress};

    #[test]
    fn host_names_are_under_the_domain_and_at_is_the_domain_itself() {
        let ingress = Ingress {
            domain: Some("dev.aiwfe.com".into()),
            ..Ingress::default()
        };
        let plain = Host::default();
        assert_eq!(ingress.host_name("api", &plain), "api.dev.aiwfe.com");
        assert_eq!(ingress.host_name("@", &plain), "dev.aiwfe.com");
        let full = Host {
            host: Some("aiwfe.io".into()),
            ..Host::default()
        };
        assert_eq!(ingress.host_name("@", &full), "aiwfe.io");
        assert_eq!(Ingress::default().host_name("@", &plain), "@");
    }
}
