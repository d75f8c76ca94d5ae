//! What the platform reaches outside itself, and the dependencies between its parts.
//!
//! An endpoint is declared once, by name, at platform level: a managed database's addresses,
//! an OAuth issuer's, an in-cluster collector in another namespace. A component or job then
//! names it in `uses`, beside the components it connects to, and the NetworkPolicy opens
//! exactly that path. `uses` is a map keyed by name, so an overlay adds or removes one
//! dependency with one line.

use super::values::{PORT_HELP, Protocol, ShortForm, port_number};
use indexmap::IndexMap;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Something outside the platform its components connect to: addresses (`cidrs`), or the
/// pods of another namespace of the cluster (`namespace`, with `pods` to narrow them).
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Endpoint {
    /// Its addresses, as CIDRs (IPv4 or IPv6): `10.20.0.0/16`, `2001:db8::/64`. A
    /// NetworkPolicy matches the addresses a connection goes to, so a host name must be
    /// written as the addresses it resolves to (a managed database's subnet, a NAT range).
    #[serde(default)]
    pub cidrs: Vec<String>,
    /// Or: a namespace of this cluster (a collector in `observability`, say), whose pods
    /// the components may reach.
    #[serde(default)]
    pub namespace: Option<String>,
    /// With `namespace`: only the pods with these labels (`app.kubernetes.io/name: jaeger`).
    #[serde(default)]
    pub pods: IndexMap<String, String>,
    /// Its ports, by name: `postgres: 5432`, or `dns: { port: 53, protocol: UDP }`. A
    /// `uses` entry may name some of them.
    #[serde(default)]
    pub ports: IndexMap<String, EndpointPortOrShort>,
    /// The host names it stands for (`auth.example.com`), so config that names one is
    /// known to be reachable, and the graph can show them.
    #[serde(default)]
    pub hosts: Vec<String>,
}

/// A port of an endpoint.
pub type EndpointPortOrShort = super::values::Short<EndpointPort>;

/// A port of an endpoint: its number and protocol.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EndpointPort {
    /// The port number.
    #[serde(deserialize_with = "super::values::port_field")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
    /// `TCP` (default), `UDP` or `SCTP`.
    #[serde(default)]
    pub protocol: Option<Protocol>,
}

impl ShortForm for EndpointPort {
    const EXPECTING: &'static str = "a port number such as `443`, or `{ port: 53, protocol: UDP }`";
    fn from_short(s: &str) -> Result<Self, String> {
        let port = port_number(s).map_err(|m| super::errors::with_help(&m, PORT_HELP))?;
        Ok(EndpointPort {
            port,
            protocol: None,
        })
    }
    fn short_schema() -> Schema {
        json_schema!({ "type": "integer", "minimum": 1, "maximum": 65535 })
    }
}

/// The API server, as the pods that call it see it.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApiServer {
    /// The addresses the API server listens on, as CIDRs: the endpoints of the `kubernetes`
    /// Service (`kubectl get endpointslices -l kubernetes.io/service-name=kubernetes`), not
    /// its ClusterIP, which network plugins translate before they apply a policy.
    #[serde(default)]
    pub cidrs: Vec<String>,
    /// The port those endpoints listen on: 443 on most managed clusters, 6443 with kubeadm.
    #[serde(deserialize_with = "super::values::port_field")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
}

/// What a component or job connects to: components of the platform and `endpoints`, by
/// name. Each opens exactly those ports in the NetworkPolicy, on both sides.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Uses(pub IndexMap<String, Use>);

/// Which ports of a used component or endpoint.
#[derive(Clone, Debug, PartialEq)]
pub enum Use {
    /// `true`: every port.
    All,
    /// Only these, by name.
    Ports(Vec<String>),
}

impl Use {
    /// Whether the port named `name` is used.
    pub fn includes(&self, name: &str) -> bool {
        match self {
            Use::All => true,
            Use::Ports(ports) => ports.iter().any(|p| p == name),
        }
    }
}

impl Uses {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names used, in the order written.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }

    pub fn iter(&self) -> indexmap::map::Iter<'_, String, Use> {
        self.0.iter()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

const USES_EXPECTING: &str = "a map of names, each `true` (every port) or a list of port names: `{ postgres: true, otel: [grpc] }`";

impl<'de> Deserialize<'de> for Uses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Uses;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(USES_EXPECTING)
            }
            /// The list form (`[postgres, redis]`): every port of each.
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Uses, A::Error> {
                let mut out = IndexMap::new();
                while let Some(name) = seq.next_element::<String>()? {
                    out.insert(name, Use::All);
                }
                Ok(Uses(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Uses, A::Error> {
                let mut out = IndexMap::new();
                while let Some((name, used)) = map.next_entry::<String, Use>()? {
                    out.insert(name, used);
                }
                Ok(Uses(out))
            }
            /// An empty value (`uses:`) uses nothing.
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Uses, E> {
                if s.is_empty() {
                    Ok(Uses::default())
                } else {
                    Err(E::invalid_type(de::Unexpected::Str(s), &self))
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Use {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Use;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`true` (every port) or a list of port names such as `[grpc]`")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Use, E> {
                if b {
                    Ok(Use::All)
                } else {
                    Err(E::custom(
                        "`false` is not a dependency: remove the entry (an overlay writes `null`)",
                    ))
                }
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Use, E> {
                match s {
                    "true" => self.visit_bool(true),
                    "false" => self.visit_bool(false),
                    _ => Err(E::invalid_value(de::Unexpected::Str(s), &self)),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Use, A::Error> {
                let mut ports = Vec::new();
                while let Some(port) = seq.next_element::<String>()? {
                    ports.push(port);
                }
                Ok(Use::Ports(ports))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Uses {
    fn schema_name() -> Cow<'static, str> {
        "Uses".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": USES_EXPECTING,
            "anyOf": [
                {
                    "type": "object",
                    "additionalProperties": {
                        "anyOf": [
                            { "const": true, "description": "every port" },
                            {
                                "type": "array",
                                "items": { "type": "string" },
                                "description": "only these ports, by name"
                            }
                        ]
                    }
                },
                {
                    "type": "array",
                    "items": { "type": "string" },
                    "description": "names, each with every port"
                }
            ]
        })
    }
}
