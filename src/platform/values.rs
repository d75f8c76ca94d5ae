//! Values with a short form and a long form: `http: 8080` or `http: { port: 8080 }`,
//! `LOG_LEVEL: debug` or `LOG_LEVEL: { config: log-level }`.
//!
//! Each is deserialized by hand (a scalar visitor and a map visitor) rather than with
//! `#[serde(untagged)]`, which would lose the position of an error inside the long form.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, de::value::MapAccessDeserializer};
use std::borrow::Cow;
use std::fmt;

/// A value with a scalar short form: `http: 8080` for `http: { port: 8080 }`.
pub trait ShortForm: Sized + for<'de> Deserialize<'de> + JsonSchema {
    /// What the two forms look like, for error messages and the schema.
    const EXPECTING: &'static str;
    /// The long form of a short one, or what is wrong with it.
    fn from_short(s: &str) -> Result<Self, String>;
    /// JSON Schema of the short form.
    fn short_schema() -> Schema {
        json_schema!({ "type": "string" })
    }
}

/// A [`ShortForm`] value, written either way in the spec.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Short<T>(pub T);

impl<T> std::ops::Deref for Short<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, T: ShortForm> Deserialize<'de> for Short<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: ShortForm> Visitor<'de> for V<T> {
            type Value = Short<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(T::EXPECTING)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Short<T>, E> {
                T::from_short(s).map(Short).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Short<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Short)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl<T: ShortForm> JsonSchema for Short<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("{}OrShort", T::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": T::EXPECTING,
            "anyOf": [T::short_schema(), generator.subschema_for::<T>()]
        })
    }
}

/// An environment variable's value: a literal, or where it comes from.
pub type EnvValue = Short<EnvSource>;

/// Where an environment variable's value comes from. Set exactly one of `value`, `config`,
/// `secret` and `field`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvSource {
    /// A literal value (the long form of `NAME: value`).
    #[serde(default)]
    pub value: Option<String>,
    /// A key of this spec's `config`: `log-level`, or `config-map/key` when several config
    /// maps have the key.
    #[serde(default)]
    pub config: Option<String>,
    /// A key of a secret that exists in the cluster: `secret-name/key`.
    #[serde(default)]
    pub secret: Option<String>,
    /// A field of the pod: `metadata.name`, `metadata.namespace`, `status.podIP`, …
    #[serde(default)]
    pub field: Option<String>,
    /// The addresses of every pod of this stateful component on the named port, for
    /// clustered software (Raft, say): `<pod>.<headless service>:<port>`, comma-separated,
    /// one per replica, so scaling in an overlay updates the list.
    #[serde(default)]
    pub peers: Option<String>,
    /// The referenced config or secret key may be missing.
    #[serde(default)]
    pub optional: Option<bool>,
}

impl ShortForm for EnvSource {
    const EXPECTING: &'static str = "a literal value, or `{ config: key }`, `{ secret: name/key }` or `{ field: metadata.name }`";
    fn from_short(s: &str) -> Result<Self, String> {
        Ok(EnvSource {
            value: Some(s.to_string()),
            ..EnvSource::default()
        })
    }
    fn short_schema() -> Schema {
        json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

/// A container port.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Port {
    /// The port the container listens on.
    #[serde(deserialize_with = "port_field")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
    /// The Service's port, when it differs from the container's.
    #[serde(default, deserialize_with = "optional_port_field")]
    #[schemars(range(min = 1, max = 65535))]
    pub service_port: Option<u16>,
    /// `TCP` (default), `UDP` or `SCTP`.
    #[serde(default)]
    pub protocol: Option<Protocol>,
    /// Whether the component's Service exposes this port (default true). With `false` it is
    /// only on the Services of `services` that name it and, for a stateful component, on the
    /// headless Service: a Raft or gossip port that peers reach but clients never should.
    #[serde(default)]
    pub service: Option<bool>,
    /// Prometheus scrapes this port: `true` (at `/metrics`) or the path (`/q/metrics`). The
    /// network policy lets the monitoring namespace in, and `monitoring.via` says how
    /// Prometheus finds the target.
    #[serde(default)]
    pub scrape: Option<Scrape>,
}

impl Port {
    /// The path Prometheus scrapes, when it scrapes this port.
    pub fn scrape_path(&self) -> Option<&str> {
        match &self.scrape {
            Some(Scrape::Path(path)) => Some(path),
            Some(Scrape::Yes) => Some("/metrics"),
            Some(Scrape::No) | None => None,
        }
    }

    pub fn scraped(&self) -> bool {
        self.scrape_path().is_some()
    }
}

/// Whether and where Prometheus scrapes a port.
#[derive(Clone, Debug, PartialEq)]
pub enum Scrape {
    No,
    /// At `/metrics`.
    Yes,
    /// At this path.
    Path(String),
}

impl<'de> Deserialize<'de> for Scrape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scrape;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`true`, `false`, or the metrics path such as `/metrics`")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Scrape, E> {
                Ok(if b { Scrape::Yes } else { Scrape::No })
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Scrape, E> {
                match s {
                    "true" => Ok(Scrape::Yes),
                    "false" => Ok(Scrape::No),
                    _ if s.starts_with('/') => Ok(Scrape::Path(s.to_string())),
                    _ => Err(E::custom(format!(
                        "`{s}` is not `true`, `false` or a path starting with `/`"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Scrape {
    fn schema_name() -> Cow<'static, str> {
        "Scrape".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`true` (at `/metrics`), `false`, or the metrics path",
            "anyOf": [{ "type": "boolean" }, { "type": "string", "pattern": "^/" }]
        })
    }
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
pub enum Protocol {
    TCP,
    UDP,
    SCTP,
}
kubernetes_names!(Protocol: TCP, UDP, SCTP);

impl ShortForm for Port {
    const EXPECTING: &'static str =
        "a port number such as `8080`, or `{ port: 8080, servicePort: 80 }`";
    fn from_short(s: &str) -> Result<Self, String> {
        let port = port_number(s).map_err(|m| super::errors::with_help(&m, PORT_HELP))?;
        Ok(Port {
            port,
            service_port: None,
            protocol: None,
            service: None,
            scrape: None,
        })
    }
    fn short_schema() -> Schema {
        json_schema!({ "type": "integer", "minimum": 1, "maximum": 65535 })
    }
}

/// How to write a port, for the help of every port error.
pub const PORT_HELP: &str = "a port is a number from 1 to 65535";

/// Whether `text` is written as a whole number (`8080`, `-1`, `70000`), as opposed to a
/// port name.
pub fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A port number as written, or what is wrong with it: "port `70000` is out of range".
/// The same for the short form (`http: 8080`), the long form (`port`, `servicePort`) and
/// a probe's numeric port, so `0`, `-1` and `70000` are each one error naming the range.
pub fn port_number(text: &str) -> Result<u16, String> {
    if !is_number(text) {
        return Err(format!("port `{text}` is not a number"));
    }
    text.parse::<i64>()
        .ok()
        .filter(|&n| crate::validation::is_valid_port_num(n).is_empty())
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| format!("port `{text}` is out of range"))
}

/// `port` of a [`Port`], from any scalar. serde's own `u16` would say "expected a whole
/// number" at `65536`, and the key it leaves out would then be reported missing too.
pub(super) fn port_field<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = u16;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a port number from 1 to 65535")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<u16, E> {
            port_number(s).map_err(|m| E::custom(super::errors::with_help(&m, PORT_HELP)))
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<u16, E> {
            self.visit_str(&n.to_string())
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<u16, E> {
            self.visit_str(&n.to_string())
        }
    }
    d.deserialize_str(V)
}

/// `servicePort` of a [`Port`]: as [`port_field`], when it is set.
fn optional_port_field<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    port_field(d).map(Some)
}

/// A health check. Set one of `http`, `tcp` and `exec`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Probe {
    /// HTTP GET this path.
    #[serde(default)]
    pub http: Option<String>,
    /// Open a TCP connection to this port (a name of `ports`, or a number).
    #[serde(default)]
    pub tcp: Option<String>,
    /// Run this command in the container.
    #[serde(default)]
    pub exec: Option<Vec<String>>,
    /// The port for `http`: a name of `ports` or a number. Default: the first port by name.
    #[serde(default)]
    pub port: Option<String>,
    /// Seconds before the first check.
    #[serde(default)]
    pub initial_delay: Option<i32>,
    /// Seconds between checks.
    #[serde(default)]
    pub period: Option<i32>,
    /// Seconds before a check times out.
    #[serde(default)]
    pub timeout: Option<i32>,
    /// Failures in a row before the probe fails.
    #[serde(default)]
    pub failure_threshold: Option<i32>,
}

impl ShortForm for Probe {
    const EXPECTING: &'static str =
        "an HTTP path such as `/health`, or `{ tcp: http }` or `{ exec: [cmd] }`";
    fn from_short(s: &str) -> Result<Self, String> {
        Ok(Probe {
            http: Some(s.to_string()),
            ..Probe::default()
        })
    }
}

/// The backend of an ingress path.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Route {
    /// The component that serves the path.
    pub component: String,
    /// A port name of the component; its first port by name when left out.
    #[serde(default)]
    pub port: Option<String>,
    /// `Prefix` (default), `Exact` or `ImplementationSpecific`.
    #[serde(default)]
    pub path_type: Option<PathType>,
}

impl ShortForm for Route {
    const EXPECTING: &'static str =
        "a component name (`api`), a component and port (`api:http`), or `{ component: api }`";
    fn from_short(s: &str) -> Result<Self, String> {
        let (component, port) = match s.split_once(':') {
            Some((c, p)) => (c, Some(p.to_string())),
            None => (s, None),
        };
        Ok(Route {
            component: component.to_string(),
            port,
            path_type: None,
        })
    }
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
pub enum PathType {
    Prefix,
    Exact,
    ImplementationSpecific,
}
kubernetes_names!(PathType: Prefix, Exact, ImplementationSpecific);

/// A count or a percentage: `2` or `50%`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(i32),
    Percent(String),
}

impl<'de> Deserialize<'de> for IntOrPercent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if let Some(n) = s.strip_suffix('%') {
            if n.parse::<u32>().is_ok_and(|n| n <= 100) {
                return Ok(IntOrPercent::Percent(s));
            }
        } else if let Ok(n) = s.parse::<i32>() {
            return Ok(IntOrPercent::Int(n));
        }
        Err(de::Error::custom(format!(
            "invalid value `{s}`: expected a number such as `2` or a percentage such as `50%`"
        )))
    }
}

impl JsonSchema for IntOrPercent {
    fn schema_name() -> Cow<'static, str> {
        "IntOrPercent".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A number, or a percentage such as `50%`.",
            "anyOf": [{ "type": "integer" }, { "type": "string", "pattern": "^[0-9]+%$" }]
        })
    }
}

/// A resource amount as `request/limit` (`200m/400m`), or one value for both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantity {
    pub request: String,
    pub limit: String,
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let (request, limit) = s.split_once('/').unwrap_or((&s, &s));
        let (request, limit) = (request.trim(), limit.trim());
        if request.is_empty() || limit.is_empty() {
            return Err(de::Error::custom(format!(
                "invalid amount `{s}`: expected `request/limit` such as `200m/400m`"
            )));
        }
        Ok(Quantity {
            request: request.to_string(),
            limit: limit.to_string(),
        })
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> Cow<'static, str> {
        "Quantity".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`request/limit`, such as `200m/400m` or `192Mi/384Mi`; one value sets both.",
            "type": ["string", "number"]
        })
    }
}

/// One key of a config map: a string, or a whole file written from structured YAML.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigEntry {
    /// A string value.
    Text(String),
    /// A structured value, written as YAML or JSON according to the key's extension. The
    /// content is read from the merged tree (which knows quoted from plain scalars).
    File(serde_json::Value),
}

impl<'de> Deserialize<'de> for ConfigEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ConfigEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a structured file")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ConfigEntry, E> {
                Ok(ConfigEntry::Text(s.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ConfigEntry, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(ConfigEntry::File(serde_json::Value::Null))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<ConfigEntry, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(ConfigEntry::File(serde_json::Value::Null))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for ConfigEntry {
    fn schema_name() -> Cow<'static, str> {
        "ConfigEntry".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A value, or a whole file (a key ending in .yaml, .yml or .json) written from structured YAML.",
            "type": ["string", "number", "boolean", "object", "array"]
        })
    }
}

/// Free-form YAML (a patch), read from the merged tree with the YAML 1.2 core schema after
/// the typed spec is read: plain `3` is a number, quoted `"3"` a string.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Free(pub serde_json::Value);

impl<'de> Deserialize<'de> for Free {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::IgnoredAny::deserialize(d)?;
        Ok(Free(serde_json::Value::Null))
    }
}

impl JsonSchema for Free {
    fn schema_name() -> Cow<'static, str> {
        "Free".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "description": "A JSON merge patch on the object (a mapping), or a list of JSON Patch operations." })
    }
}

#[cfg(test)]
mod port_tests {
    use super::port_number;

    #[test]
    fn port_numbers_are_1_to_65535() {
        for (text, port) in [("1", 1), ("8080", 8080), ("65535", 65535), ("+80", 80)] {
            assert_eq!(port_number(text), Ok(port), "{text}");
        }
        for text in ["0", "-1", "65536", "70000", "99999999999999999999999"] {
            assert_eq!(
                port_number(text),
                Err(format!("port `{text}` is out of range")),
                "{text}"
            );
        }
        for text in ["http", "80.5", "", "-", "0x50"] {
            assert_eq!(
                port_number(text),
                Err(format!("port `{text}` is not a number")),
                "{text}"
            );
        }
    }
}
