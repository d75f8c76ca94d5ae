//! ## What it checks
//! A host that a component (its init containers and sidecars too) or a job is configured to
//! connect to, and that its network policy does not let it reach. Hosts are read from env
//! values, literal or `{ config: key }`, and from the config maps a container reads whole
//! (`envFrom`): from a value whose name ends in `_URL`, `_URI`, `_HOST`, `_ADDR`,
//! `_ADDRESS`, `_ENDPOINT` or `_DSN` (a config key also as `redis-url` or `redisUrl`), and
//! from any URL (`scheme://host`). Origin lists (a name with `ORIGIN` or `CORS`) and
//! secrets are not read. Reachable hosts: the loopback; the owner's own Services; the
//! Services of a component it `uses` (`<platform>-<component>`, `-headless`, the `services`
//! entries, a stateful pod under its headless Service; each also with `.<namespace>`,
//! `.svc` and `.svc.cluster.local`); an endpoint it `uses` (a name in its `hosts`, an
//! address in its `cidrs`, a Service of its `namespace`); the API server with `access`;
//! kube-dns; and the platform's ingress hosts. A component with `openEgress` reaches all but
//! the cloud metadata address, which takes `cloudMetadata`; a job reaches what it and its
//! component use.
//!
//! ## Why
//! The default-deny NetworkPolicy drops the connection: the app times out when it starts or
//! on its first request, and nothing in the render says why. A component's name is not its
//! Service's (`redis` for `shop-redis`), so such a host does not even resolve; a Service
//! written with the namespace of another environment (`shop-redis.shop-dev.svc` in prod) is
//! that environment's, or nothing.
//!
//! ## Example
//! `QUEUE_BULL_REDIS_HOST: redis` in a component that does not use `redis`, or
//! `AUTH_URL: https://auth.example.com` with no endpoint for `auth.example.com`.
//!
//! ## Fix
//! Name the component's Service and add the component to `uses`:
//! `QUEUE_BULL_REDIS_HOST: shop-redis`, `uses: { redis: true }`. For a host outside the
//! platform, declare an endpoint with its addresses and its name, and use it:
//! `endpoints: { auth: { cidrs: [203.0.113.0/24], ports: { https: 443 }, hosts: [auth.example.com] } }`,
//! `uses: { auth: true }`. A host the app never connects to (a link it only shows) is
//! suppressed with the reason.

use super::{Finding, Input, Origin};
use crate::outline::Shape;
use crate::platform::Platform;
use crate::platform::component::{Component, Kind, Relaxation};
use crate::platform::endpoint::Endpoint;
use crate::platform::values::{ConfigEntry, EnvValue};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use indexmap::IndexMap;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The endings of a name whose value is a host or a URL, in `UPPER_SNAKE` form.
const HOST_NAMES: [&str; 7] = [
    "_URL",
    "_URI",
    "_HOST",
    "_ADDR",
    "_ADDRESS",
    "_ENDPOINT",
    "_DSN",
];

/// The cloud instance metadata addresses: closed to `openEgress`, opened by
/// `cloudMetadata` (the network policy builder's `METADATA_ADDRESSES`, without prefixes).
const METADATA: [&str; 2] = ["169.254.169.254", "fd00:ec2::254"];

/// Names of the metadata address: GCP's.
const METADATA_NAMES: [&str; 1] = ["metadata.google.internal"];

/// The API server's Service, in each form that resolves.
const API_SERVER: [&str; 4] = [
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
];

/// kube-dns's Service, which every pod may reach.
const KUBE_DNS: [&str; 3] = [
    "kube-dns.kube-system",
    "kube-dns.kube-system.svc",
    "kube-dns.kube-system.svc.cluster.local",
];

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let spec = input.spec;
    let net = Network::new(spec);
    let mut report = Report {
        net: &net,
        seen: HashSet::new(),
        out: Vec::new(),
    };
    // What each component's main container reads: a job that runs as the component reads
    // it too.
    let mut main: HashMap<&str, Vec<Read>> = HashMap::new();
    for (name, c) in &spec.components {
        let base = ["components", name.as_str()];
        let mut reads = env(input, &base, &c.env);
        reads.extend(env_from(spec, &c.env_from.config));
        let mut others = Vec::new();
        for (init, container) in &c.init {
            let at = [base[0], base[1], "init", init.as_str()];
            others.extend(env(input, &at, &container.env));
        }
        for (sidecar, s) in &c.sidecars {
            let at = [base[0], base[1], "sidecars", sidecar.as_str()];
            others.extend(env(input, &at, &s.env));
        }
        let reach = Reach::component(name, c);
        report.reads(&reach, None, overridden(&reads, &c.env).chain(&others));
        main.insert(name, reads);
    }
    for (name, j) in &spec.jobs {
        let component = j
            .component
            .as_ref()
            .and_then(|c| Some((c.as_str(), spec.components.get(c)?)));
        let mut uses: Vec<&str> = j.uses.names().map(String::as_str).collect();
        uses.extend(
            component
                .iter()
                .flat_map(|(_, c)| c.uses.names().map(String::as_str)),
        );
        // A job's policy opens only what it and its component use: no `openEgress`, no API
        // server (its pods mount no token). Its component's Services are the addresses the
        // component gives others, in the environment the job shares.
        let reach = Reach {
            name,
            owner: vec!["jobs".into(), name.clone()],
            uses,
            open: false,
            metadata: false,
            access: false,
            own: component.map(|(c, _)| c),
            job: true,
        };
        let mut reads = env(input, &["jobs", name.as_str()], &j.env);
        reads.extend(env_from(spec, &j.env_from.config));
        report.reads(&reach, None, overridden(&reads, &j.env));
        if let Some((cname, c)) = component {
            // The component's environment, which the job's pods get too: a host the
            // component cannot reach is the component's finding, so the job reports only
            // what the component reaches and it does not (`openEgress`, `access`).
            let inherited = main.get(cname).map_or(&[][..], Vec::as_slice);
            let unless = Reach::component(cname, c);
            report.reads(&reach, Some(&unless), overridden(inherited, &j.env));
        }
    }
    report.out
}

/// The most hosts read from one value: a real one names a few.
const MAX_HOSTS: usize = 100;

/// A value a container reads that names hosts.
struct Read<'a> {
    /// The env var's name (for `envFrom`, the config key), as the message shows it.
    var: &'a str,
    /// Whether it comes from `envFrom`, where a variable of `env` with its name wins.
    whole: bool,
    /// Where the value is written: the env value, or the config entry.
    at: Vec<String>,
    hosts: Vec<String>,
}

/// `reads` without the `envFrom` entries that a variable of `env` replaces.
fn overridden<'r, 'a>(
    reads: &'r [Read<'a>],
    env: &'r IndexMap<String, EnvValue>,
) -> impl Iterator<Item = &'r Read<'a>> {
    reads
        .iter()
        .filter(|r| !(r.whole && env.contains_key(r.var)))
}

/// The env values of one container that name hosts: literals, and the config entries they
/// name.
fn env<'a>(input: &Input<'a>, base: &[&str], env: &'a IndexMap<String, EnvValue>) -> Vec<Read<'a>> {
    let spec = input.spec;
    let mut out = Vec::new();
    for (var, value) in env {
        let source = &value.0;
        if let Some(text) = &source.value {
            let hosts = candidate_hosts(&[var], text);
            if hosts.is_empty() {
                continue;
            }
            let mut at: Vec<String> = base.iter().map(|s| s.to_string()).collect();
            at.extend(["env".to_string(), var.clone()]);
            // The long form, `{ value: … }`: point at the value, not the map.
            if input.merged.shape(&at) == Some(Shape::Mapping) {
                at.push("value".into());
            }
            out.push(Read {
                var,
                whole: false,
                at,
                hosts,
            });
        } else if let Some(reference) = &source.config {
            let Ok((map, key)) = spec.config_ref(reference) else {
                continue;
            };
            if let Some((key, ConfigEntry::Text(text))) =
                spec.config.get(map).and_then(|m| m.get_key_value(key))
            {
                let hosts = candidate_hosts(&[var, key], text);
                if !hosts.is_empty() {
                    out.push(Read {
                        var,
                        whole: false,
                        at: vec!["config".into(), map.into(), key.clone()],
                        hosts,
                    });
                }
            }
        }
        // A secret is never read; a pod field and `peers` are no configured host.
    }
    out
}

/// The entries that name hosts of the config maps a container reads whole.
fn env_from<'a>(spec: &'a Platform, maps: &'a [String]) -> Vec<Read<'a>> {
    let mut out = Vec::new();
    for map in maps {
        for (key, entry) in spec.config.get(map).into_iter().flatten() {
            let hosts = match entry {
                ConfigEntry::Text(text) => candidate_hosts(&[key], text),
                ConfigEntry::File(_) => continue,
            };
            if !hosts.is_empty() {
                out.push(Read {
                    var: key,
                    whole: true,
                    at: vec!["config".into(), map.clone(), key.clone()],
                    hosts,
                });
            }
        }
    }
    out
}

/// What the pods of a component or job may reach.
struct Reach<'a> {
    name: &'a str,
    /// Whose `suppress` applies: `["components", name]` or `["jobs", name]`.
    owner: Vec<String>,
    uses: Vec<&'a str>,
    open: bool,
    metadata: bool,
    access: bool,
    /// The component itself, or a job's component: its Services are the address it gives
    /// others, not one it connects to.
    own: Option<&'a str>,
    job: bool,
}

impl<'a> Reach<'a> {
    fn component(name: &'a str, c: &'a Component) -> Self {
        Reach {
            name,
            owner: vec!["components".into(), name.to_string()],
            uses: c.uses.names().map(String::as_str).collect(),
            open: c.security.relax.contains_key(&Relaxation::OpenEgress),
            metadata: c.security.relax.contains_key(&Relaxation::CloudMetadata),
            access: c.access.is_some(),
            own: Some(name),
            job: false,
        }
    }
}

/// Why a host cannot be reached.
#[derive(Debug, PartialEq)]
enum Blocked<'a> {
    /// A component that is not in `uses`.
    Component(&'a str),
    /// An endpoint that is not in `uses`.
    Endpoint(&'a str),
    /// A component's name, which is not its Service's.
    Misnamed { component: &'a str, used: bool },
    /// A component's Service in another namespace than the environment's.
    Elsewhere {
        component: &'a str,
        service: String,
        namespace: String,
        used: bool,
    },
    /// The API server, without `access`.
    ApiServer,
    /// The cloud metadata address, without `cloudMetadata`.
    Metadata,
    /// Nothing the spec declares.
    Unknown,
}

/// What the platform declares that a host may name.
struct Network<'a> {
    spec: &'a Platform,
    namespace: &'a str,
    /// Every Service of every component, by name.
    services: HashMap<String, &'a str>,
    /// Each stateful component's headless Service, by name, with its StatefulSet's name.
    headless: HashMap<String, (&'a str, String)>,
    ingress: HashSet<String>,
    /// The endpoints (their places in `spec.endpoints`) by each host they name, normalized.
    endpoint_hosts: HashMap<String, Vec<usize>>,
    /// The endpoints by the namespace they name.
    endpoint_namespaces: HashMap<&'a str, Vec<usize>>,
    /// The endpoints by their CIDRs: by prefix length (IPv6 ones at 129 and above), then
    /// by the network's address under its mask.
    endpoint_cidrs: BTreeMap<u32, HashMap<u128, Vec<usize>>>,
}

impl<'a> Network<'a> {
    fn new(spec: &'a Platform) -> Self {
        let platform = &spec.platform;
        let mut services = HashMap::new();
        let mut headless = HashMap::new();
        for (name, c) in &spec.components {
            services.insert(format!("{platform}-{name}"), name.as_str());
            for extra in c.services.keys() {
                services.insert(format!("{platform}-{name}-{extra}"), name.as_str());
            }
            if c.kind == Kind::Stateful {
                let service = format!("{platform}-{name}-headless");
                services.insert(service.clone(), name.as_str());
                headless.insert(service, (name.as_str(), format!("{platform}-{name}")));
            }
        }
        let ingress = spec
            .ingress
            .iter()
            .flat_map(|i| i.hosts.iter().map(|(key, h)| normal(&i.host_name(key, h))))
            .collect();
        let mut endpoint_hosts: HashMap<String, Vec<usize>> = HashMap::new();
        let mut endpoint_namespaces: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut endpoint_cidrs: BTreeMap<u32, HashMap<u128, Vec<usize>>> = BTreeMap::new();
        for (i, e) in spec.endpoints.values().enumerate() {
            for h in &e.hosts {
                endpoint_hosts.entry(normal(h)).or_default().push(i);
            }
            if let Some(ns) = &e.namespace {
                endpoint_namespaces.entry(ns).or_default().push(i);
            }
            for (net, len) in e.cidrs.iter().filter_map(|c| network(c)) {
                let masked = mask(net, len);
                let cidrs = endpoint_cidrs.entry(len).or_default();
                cidrs.entry(masked).or_default().push(i);
            }
        }
        Network {
            spec,
            namespace: spec.namespace(),
            services,
            headless,
            ingress,
            endpoint_hosts,
            endpoint_namespaces,
            endpoint_cidrs,
        }
    }

    /// Why `reach` cannot reach `host`, or `None` if it can.
    fn blocked(&self, reach: &Reach, host: &str) -> Option<Blocked<'a>> {
        if METADATA_NAMES.contains(&host) {
            return self.blocked_address(reach, IpAddr::from([169, 254, 169, 254]));
        }
        match host.parse::<IpAddr>() {
            Ok(ip) => self.blocked_address(reach, ip),
            Err(_) => self.blocked_name(reach, host),
        }
    }

    fn blocked_address(&self, reach: &Reach, ip: IpAddr) -> Option<Blocked<'a>> {
        if ip.is_loopback() || ip.is_unspecified() {
            return None;
        }
        // A job's policy ignores `security.relax`: the address is like any other to it.
        let metadata = !reach.job && METADATA.iter().any(|m| m.parse::<IpAddr>() == Ok(ip));
        if reach.open || (metadata && reach.metadata) {
            return (metadata && !reach.metadata).then_some(Blocked::Metadata);
        }
        let defaults = &self.spec.defaults;
        if defaults
            .dns
            .node_local
            .iter()
            .any(|cidr| contains(cidr, ip))
        {
            return None;
        }
        if let Some(api) = &defaults.api_server {
            if api.cidrs.iter().any(|cidr| contains(cidr, ip)) {
                return (!reach.access).then_some(Blocked::ApiServer);
            }
        }
        let endpoint = self.endpoint(reach, self.endpoints_holding(ip));
        match endpoint {
            Some(blocked) => blocked,
            None if metadata => Some(Blocked::Metadata),
            None => Some(Blocked::Unknown),
        }
    }

    fn blocked_name(&self, reach: &Reach, host: &str) -> Option<Blocked<'a>> {
        if host == "localhost" || host.ends_with(".localhost") || reach.open {
            return None;
        }
        if let Some(c) = self.component(host) {
            let used = reach.own == Some(c) || reach.uses.contains(&c);
            return (!used).then_some(Blocked::Component(c));
        }
        if let Some((service, namespace)) = self.elsewhere(host) {
            let component = self.services[service];
            return Some(Blocked::Elsewhere {
                component,
                service: service.to_string(),
                namespace: namespace.to_string(),
                used: reach.uses.contains(&component),
            });
        }
        if API_SERVER.contains(&host) {
            // Without `defaults.apiServer`, `api-server-unreachable` says so.
            return (!reach.access).then_some(Blocked::ApiServer);
        }
        if KUBE_DNS.contains(&host) || self.ingress.contains(host) {
            return None;
        }
        let endpoint = self.endpoint(reach, self.endpoints_named(host));
        if let Some(blocked) = endpoint {
            return blocked;
        }
        match self.spec.components.get_key_value(host) {
            Some((c, _)) if reach.own == Some(c.as_str()) => None,
            Some((c, _)) => Some(Blocked::Misnamed {
                component: c,
                used: reach.uses.contains(&c.as_str()),
            }),
            None => Some(Blocked::Unknown),
        }
    }

    /// The endpoints, in the spec's order, that name `host` (lowercase) among their hosts
    /// or hold it in their namespace (`<service>.<namespace>[.svc[.cluster.local]]`).
    fn endpoints_named(&self, host: &str) -> Vec<(&'a String, &'a Endpoint)> {
        let mut found: Vec<usize> = self.endpoint_hosts.get(host).cloned().unwrap_or_default();
        // A namespace is what follows a dot, before the cluster's suffix, if any.
        for tail in [".svc.cluster.local", ".svc", ""] {
            let Some(rest) = host.strip_suffix(tail) else {
                continue;
            };
            for (dot, _) in rest.match_indices('.') {
                let namespace = &rest[dot + 1..];
                found.extend(
                    self.endpoint_namespaces
                        .get(namespace)
                        .into_iter()
                        .flatten(),
                );
            }
        }
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .filter_map(|i| self.spec.endpoints.get_index(i))
            .filter(|(_, e)| {
                e.hosts.iter().any(|h| normal(h) == host)
                    || e.namespace
                        .as_deref()
                        .is_some_and(|ns| in_namespace(host, ns).is_some_and(|s| !s.is_empty()))
            })
            .collect()
    }

    /// The endpoints, in the spec's order, with a CIDR that holds `ip`: looked up under
    /// each prefix length the endpoints use.
    fn endpoints_holding(&self, ip: IpAddr) -> Vec<(&'a String, &'a Endpoint)> {
        let (ip, lengths) = match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), 0..=32),
            IpAddr::V6(v6) => (u128::from(v6), V6..=V6 + 128),
        };
        let mut found: Vec<usize> = self
            .endpoint_cidrs
            .range(lengths)
            .filter_map(|(&len, cidrs)| cidrs.get(&mask(ip, len)))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .filter_map(|i| self.spec.endpoints.get_index(i))
            .collect()
    }

    /// Among the endpoints `found`: `Some(None)` if `reach` uses one, `Some(Some(_))` if
    /// it uses none of them, `None` if there is none.
    fn endpoint(
        &self,
        reach: &Reach,
        found: Vec<(&'a String, &'a Endpoint)>,
    ) -> Option<Option<Blocked<'a>>> {
        let mut found = found.into_iter();
        let first = found.next()?;
        if std::iter::once(first)
            .chain(found)
            .any(|(name, _)| reach.uses.contains(&name.as_str()))
        {
            return Some(None);
        }
        Some(Some(Blocked::Endpoint(first.0)))
    }

    /// A component's Service that `host` names in a namespace other than the environment's
    /// (`shop-redis.shop-dev.svc` in prod), and that namespace.
    fn elsewhere<'h>(&self, host: &'h str) -> Option<(&'h str, &'h str)> {
        let name = host.strip_suffix(".cluster.local").unwrap_or(host);
        let name = name.strip_suffix(".svc").unwrap_or(name);
        let (service, namespace) = name.split_once('.')?;
        let other = !namespace.contains('.') && namespace != self.namespace;
        (other && self.services.contains_key(service)).then_some((service, namespace))
    }

    /// The component whose Service (or stateful pod) `host` names in the namespace.
    fn component(&self, host: &str) -> Option<&'a str> {
        let local = in_namespace(host, self.namespace).unwrap_or(host);
        if let Some(c) = self.services.get(local) {
            return Some(c);
        }
        // `<statefulset>-<ordinal>.<headless service>`
        let (pod, service) = local.split_once('.')?;
        let (c, set) = self.headless.get(service)?;
        let ordinal = pod.strip_prefix(set.as_str())?.strip_prefix('-')?;
        (!ordinal.is_empty() && ordinal.bytes().all(|b| b.is_ascii_digit())).then_some(*c)
    }
}

/// `host` without `.<namespace>`, `.<namespace>.svc` or `.<namespace>.svc.cluster.local`.
fn in_namespace<'h>(host: &'h str, namespace: &str) -> Option<&'h str> {
    ["svc.cluster.local", "svc", ""].iter().find_map(|tail| {
        let rest = match *tail {
            "" => host,
            tail => host.strip_suffix(tail)?.strip_suffix('.')?,
        };
        rest.strip_suffix(namespace)?.strip_suffix('.')
    })
}

/// The findings of every owner, each (owner, host, value) once.
struct Report<'n, 'a> {
    net: &'n Network<'a>,
    seen: HashSet<(Vec<String>, String, Vec<String>)>,
    out: Vec<Finding>,
}

impl Report<'_, '_> {
    /// Reports each host of `reads` that `reach` cannot reach (and `unless` can).
    fn reads<'r, 's: 'r>(
        &mut self,
        reach: &Reach,
        unless: Option<&Reach>,
        reads: impl Iterator<Item = &'r Read<'s>>,
    ) {
        for read in reads {
            for host in &read.hosts {
                if unless.is_some_and(|u| self.net.blocked(u, host).is_some()) {
                    continue;
                }
                let Some(blocked) = self.net.blocked(reach, host) else {
                    continue;
                };
                let key = (reach.owner.clone(), host.clone(), read.at.clone());
                if self.seen.insert(key) {
                    let finding = self.finding(reach, read, host, blocked);
                    self.out.push(finding);
                }
            }
        }
    }

    fn finding(&self, reach: &Reach, read: &Read, host: &str, blocked: Blocked) -> Finding {
        let name = reach.name;
        let (note, help) = match blocked {
            Blocked::Component(c) => (
                format!("component `{c}` is not in `uses`"),
                format!("add the component to `uses` of `{name}`: `uses: {{ {c}: true }}`"),
            ),
            Blocked::Endpoint(e) => (
                format!("endpoint `{e}` is not in `uses`"),
                format!("add the endpoint to `uses` of `{name}`: `uses: {{ {e}: true }}`"),
            ),
            Blocked::Misnamed { component, used } => {
                let service = format!("{}-{component}", self.net.spec.platform);
                let help = if used {
                    format!("write the Service's name: `{service}`")
                } else {
                    format!("write the Service's name, `{service}`, and add the component to `uses`: `uses: {{ {component}: true }}`")
                };
                (format!("component `{component}`'s Service is `{service}`"), help)
            }
            Blocked::Elsewhere {
                component,
                service,
                namespace,
                used,
            } => {
                let here = self.net.namespace;
                let mut help = format!(
                    "write the Service's short name, `{service}`, which resolves in every environment's namespace"
                );
                if !used {
                    help.push_str(&format!(
                        ", and add the component to `uses`: `uses: {{ {component}: true }}`"
                    ));
                }
                (
                    format!("namespace `{namespace}` is not this environment's, `{here}`"),
                    help,
                )
            }
            Blocked::ApiServer if reach.job => (
                "the API server".to_string(),
                "a job's pods mount no token and never reach the API server: call it from a component with `access`".to_string(),
            ),
            Blocked::ApiServer => (
                "the API server".to_string(),
                format!("give `{name}` the `access` it needs, and set `defaults.apiServer`"),
            ),
            Blocked::Metadata => (
                "the cloud metadata address".to_string(),
                "open it with the reason: `security: { relax: { cloudMetadata: \"<reason>\" } }`".to_string(),
            ),
            Blocked::Unknown => {
                let declare = match host.parse::<IpAddr>() {
                    Ok(ip) => format!(
                        "cidrs: [{ip}/{}], ports: {{...}}",
                        if ip.is_ipv4() { 32 } else { 128 }
                    ),
                    Err(_) => format!("cidrs: [...], ports: {{...}}, hosts: [{host}]"),
                };
                (
                    "no component or endpoint it uses".to_string(),
                    format!("declare an endpoint, `endpoints: {{ <name>: {{ {declare} }} }}`, and add it to `uses`"),
                )
            }
        };
        let mut finding = Finding::new(
            format!(
                "`{name}` connects to `{host}` ({}), which the network policy blocks",
                read.var
            ),
            Origin::Value(read.at.clone()),
            note,
        )
        .help(help);
        finding.owner = Some(reach.owner.clone());
        finding
    }
}

/// The hosts a value names, given the names it is read under (an env var's, a config
/// key's): those of its URLs, and for a host-like name, a bare `host[:port]` too.
fn candidate_hosts(names: &[&str], text: &str) -> Vec<String> {
    let names: Vec<String> = names.iter().map(|n| snake(n)).collect();
    if names
        .iter()
        .any(|n| n.contains("ORIGIN") || n.contains("CORS"))
    {
        return Vec::new();
    }
    let bare = names.iter().any(|n| {
        HOST_NAMES
            .iter()
            .any(|s| n.len() > s.len() && n.ends_with(s))
    });
    hosts(text, bare)
}

/// A name in `UPPER_SNAKE` form: `redis-url`, `redis.url` and `redisUrl` are `REDIS_URL`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && lower {
            out.push('_');
        }
        lower = c.is_ascii_lowercase();
        out.push(match c {
            '-' | '.' => '_',
            c => c.to_ascii_uppercase(),
        });
    }
    out
}

/// The hosts of a value: the host of each URL (`redis://:pw@redis:6379/0`, one per item of
/// a list, several in one URL as `mongodb://a:27017,b:27017/db`), and with `bare`, each
/// `host[:port]` item and the `host=` of a key-value DSN. Lowercase, each once, at most
/// [`MAX_HOSTS`].
fn hosts(text: &str, bare: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for token in text.split(|c: char| c.is_whitespace() || c == ';') {
        // After a URL whose authority runs to the end of an item, the next item is
        // another host of the same URL.
        let mut more = false;
        for item in token.split(',') {
            let host = if let Some(at) = item.find("://") {
                more = false;
                if !scheme(&item[..at]) {
                    continue;
                }
                let (authority, ended) = authority(&item[at + 3..]);
                more = !ended;
                host_port(authority.rsplit_once('@').map_or(authority, |(_, h)| h))
            } else if more {
                let (authority, ended) = authority(item);
                more = !ended;
                host_port(authority)
            } else if !bare {
                None
            } else if let Some((key, value)) = item.split_once('=') {
                let key = key.to_ascii_lowercase();
                matches!(key.as_str(), "host" | "hostaddr" | "server")
                    .then(|| host_port(value))
                    .flatten()
            } else if item.contains('@') {
                // An email address, not a host.
                None
            } else {
                host_port(authority(item).0)
            };
            if let Some(host) = host.filter(|h| !out.contains(h)) {
                out.push(host);
                if out.len() == MAX_HOSTS {
                    return out;
                }
            }
        }
    }
    out
}

/// Whether `text` ends in a URL scheme (`http`, `postgresql`, `jdbc:postgresql`).
fn scheme(text: &str) -> bool {
    let start = text
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .map_or(0, |i| i + 1);
    text[start..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
}

/// The authority at the start of what follows `://`, and whether a path, query or
/// fragment ends it.
fn authority(rest: &str) -> (&str, bool) {
    match rest.find(['/', '?', '#']) {
        Some(end) => (&rest[..end], true),
        None => (rest, false),
    }
}

/// The host of `host`, `host:port`, `[v6]:port` or a bare IPv6 address, if it is an IP
/// address or a DNS name; without a trailing dot, lowercase.
fn host_port(text: &str) -> Option<String> {
    let host = if let Some(v6) = text.strip_prefix('[') {
        v6.split_once(']')?.0
    } else if text.parse::<IpAddr>().is_ok() {
        text
    } else {
        match text.split_once(':') {
            Some((_, port)) if port.contains(':') => return None,
            Some((host, _)) => host,
            None => text,
        }
    };
    let host = normal(host);
    (host.parse::<IpAddr>().is_ok() || dns_name(&host)).then_some(host)
}

/// A host as it is compared: lowercase, without a trailing dot.
fn normal(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `host` (lowercase) is a DNS name: labels of letters, digits, `-` and `_`; not a
/// number (a port, a partial address) or a hexadecimal value (`0x1f`).
fn dns_name(host: &str) -> bool {
    let label = |l: &str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    };
    let number = host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let hex = host
        .strip_prefix("0x")
        .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    host.len() <= 253 && host.split('.').all(label) && !number && !hex
}

/// Whether the CIDR `cidr` holds `ip`.
fn contains(cidr: &str, ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 0),
        IpAddr::V6(v6) => (u128::from(v6), V6),
    };
    network(cidr)
        .is_some_and(|(net, len)| (len >= V6) == (ip.1 == V6) && mask(net, len) == mask(ip.0, len))
}

/// Where IPv6 prefix lengths start in [`network`]'s numbering: `/n` of IPv6 is `V6 + n`.
const V6: u32 = 129;

/// A CIDR as its address (an IPv4 one in the low 32 bits) and its prefix length, IPv6
/// lengths counted from [`V6`]; `None` if it is not a CIDR.
fn network(cidr: &str) -> Option<(u128, u32)> {
    let (net, len) = cidr.split_once('/')?;
    let (Ok(net), Ok(len)) = (net.parse::<IpAddr>(), len.parse::<u32>()) else {
        return None;
    };
    match net {
        IpAddr::V4(net) if len <= 32 => Some((u128::from(u32::from(net)), len)),
        IpAddr::V6(net) if len <= 128 => Some((u128::from(net), V6 + len)),
        _ => None,
    }
}

/// `address` under the mask of a [`network`] prefix length.
fn mask(address: u128, len: u32) -> u128 {
    let (bits, width) = if len >= V6 {
        (len - V6, 128)
    } else {
        (len, 32)
    };
    let ones = u128::MAX.checked_shl(width - bits).unwrap_or(0);
    let ones = if width == 32 {
        ones & u128::from(u32::MAX)
    } else {
        ones
    };
    address & ones
}

#[cfg(test)]
mod tests {
    use super::{Blocked, MAX_HOSTS, Network, Reach, candidate_hosts, contains, hosts};
    use super::{in_namespace, snake};
    use crate::merge::Merged;
    use crate::platform::Platform;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn urls_give_their_hosts_without_user_port_or_path() {
        for (text, expected) in [
            ("https://auth.example.com", &["auth.example.com"][..]),
            (
                "https://Auth.Example.COM./realms/x?y=1#z",
                &["auth.example.com"],
            ),
            ("redis://:secret@shop-redis:6379/0", &["shop-redis"]),
            ("postgresql://app:pw@db.internal:5432/app", &["db.internal"]),
            ("jdbc:postgresql://pg:5432/app", &["pg"]),
            ("http://[fd00::1]:8080/x", &["fd00::1"]),
            ("http://10.1.2.3:8080", &["10.1.2.3"]),
            (
                "mongodb://u:p@a:27017,b:27017,c/db?replicaSet=rs0",
                &["a", "b", "c"],
            ),
            ("http://a:1,https://b:2/x, http://c", &["a", "b", "c"]),
            ("nats://n1:4222 nats://n2:4222", &["n1", "n2"]),
            ("http://a/x,b", &["a"]),
        ] {
            assert_eq!(hosts(text, false), names(expected), "{text}");
        }
    }

    #[test]
    fn values_without_a_host_give_none() {
        for text in [
            "file:///etc/app.conf",
            "sqlite:///data/db.sqlite",
            "://nohost",
            "http://$(DB_HOST):5432",
            "http://${HOST}/x",
            "just some text",
            "debug",
        ] {
            assert_eq!(hosts(text, false), names(&[]), "{text}");
        }
    }

    #[test]
    fn a_bare_host_counts_only_under_a_host_like_name() {
        assert_eq!(hosts("redis", false), names(&[]));
        for (text, expected) in [
            ("redis", &["redis"][..]),
            ("redis:6379", &["redis"]),
            ("es-1:9200,es-2:9200", &["es-1", "es-2"]),
            ("10.0.0.5", &["10.0.0.5"]),
            ("::1", &["::1"]),
            ("[::1]:6379", &["::1"]),
            ("host=pg port=5432 dbname=app", &["pg"]),
            ("Server=sql.example.com;Database=app", &["sql.example.com"]),
            ("api.example.com/v1", &["api.example.com"]),
        ] {
            assert_eq!(hosts(text, true), names(expected), "{text}");
        }
        for text in [
            "",
            ":8080",
            "/api/v1",
            "8080",
            "1.2.3",
            "noreply@example.com",
            "aa:bb:cc:dd:ee:ff",
            "0x5aeda56215b167893e80b4fe645ba6d5bab767de",
            "*",
            "true=1",
        ] {
            assert_eq!(hosts(text, true), names(&[]), "{text:?}");
        }
    }

    #[test]
    fn a_value_gives_at_most_max_hosts() {
        let list: Vec<String> = (0..MAX_HOSTS + 50).map(|i| format!("h{i}:80")).collect();
        let found = hosts(&list.join(","), true);
        assert_eq!(found.len(), MAX_HOSTS);
        assert_eq!(found.last().map(String::as_str), Some("h99"));
    }

    #[test]
    fn names_ending_like_a_host_read_bare_hosts_and_origin_lists_are_not_read() {
        let read = |list: &[&str], text: &str| candidate_hosts(list, text);
        for name in [
            "DB_POSTGRESDB_HOST",
            "QUEUE_BULL_REDIS_HOST",
            "redis-host",
            "redisHost",
            "API_URL",
            "db.uri",
            "LISTEN_ADDR",
            "SMTP_ADDRESS",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "SENTRY_DSN",
        ] {
            assert_eq!(read(&[name], "db"), names(&["db"]), "{name}");
        }
        for name in ["HOST", "URL", "HOSTNAME", "LOG_LEVEL", "URL_PREFIX"] {
            assert_eq!(read(&[name], "db"), names(&[]), "{name}");
        }
        // A config key can make a value host-like for any env var that reads it.
        assert_eq!(read(&["DB", "db-host"], "pg"), names(&["pg"]));
        for list in [
            &["CORS_ALLOWED_ORIGINS"][..],
            &["ALLOWED_ORIGIN_URL"],
            &["X", "cors-allowed-origins"],
            &["corsUrl"],
        ] {
            assert_eq!(read(list, "https://app.example.io"), names(&[]), "{list:?}");
        }
        assert_eq!(
            read(&["WEBHOOK"], "see https://hooks.example.com"),
            names(&["hooks.example.com"])
        );
    }

    #[test]
    fn names_are_compared_in_upper_snake_form() {
        assert_eq!(snake("redis-url"), "REDIS_URL");
        assert_eq!(snake("redisUrl"), "REDIS_URL");
        assert_eq!(snake("db.host"), "DB_HOST");
        assert_eq!(snake("N8N_HOST"), "N8N_HOST");
        assert_eq!(snake("OAuthURL"), "OAUTH_URL");
    }

    #[test]
    fn cidrs_hold_the_addresses_under_their_prefix() {
        let ip = |s: &str| s.parse().unwrap();
        assert!(contains("10.20.0.0/16", ip("10.20.3.4")));
        assert!(!contains("10.20.0.0/16", ip("10.21.0.1")));
        assert!(contains("0.0.0.0/0", ip("203.0.113.9")));
        assert!(contains("203.0.113.9/32", ip("203.0.113.9")));
        assert!(contains("2001:db8::/64", ip("2001:db8::1")));
        assert!(!contains("2001:db8::/64", ip("2001:db9::1")));
        assert!(!contains("10.0.0.0/8", ip("::ffff:10.0.0.1")));
        assert!(!contains("10.0.0.0/33", ip("10.0.0.1")));
        assert!(!contains("10.0.0.0", ip("10.0.0.0")));
    }

    #[test]
    fn a_service_name_may_carry_the_namespace_and_the_cluster_domain() {
        for host in [
            "shop-redis.shop",
            "shop-redis.shop.svc",
            "shop-redis.shop.svc.cluster.local",
        ] {
            assert_eq!(in_namespace(host, "shop"), Some("shop-redis"), "{host}");
        }
        assert_eq!(in_namespace("shop-redis", "shop"), None);
        assert_eq!(in_namespace("shop-redis.other", "shop"), None);
        assert_eq!(in_namespace("shop-redis.shop.cluster.local", "shop"), None);
    }

    fn platform(yaml: &str) -> Platform {
        let tree = crate::load::parse(0, yaml).unwrap();
        Platform::from_tree(&Merged::new(tree)).unwrap()
    }

    const SPEC: &str = "platform: p
namespace: ns
defaults:
  resources: { cpu: 1, memory: 1Gi }
  dns: { nodeLocal: [169.254.20.10/32] }
  apiServer: { cidrs: [10.0.0.0/24], port: 443 }
endpoints:
  otel: { namespace: observability, ports: { grpc: 4317 } }
  llm: { hosts: [Api.Example.com.], ports: { https: 443 } }
  partner: { cidrs: [203.0.113.9/24, 2001:db8::/32], ports: { https: 443 } }
  office: { cidrs: [203.0.113.128/25], ports: { https: 443 } }
components:
  db: { kind: stateful, image: d:1, ports: { sql: 5432 } }
  api: { image: a:1, ports: { http: 80 }, uses: { db: true, otel: true }, access: [{ resources: [pods], verbs: [get] }] }
  open:
    image: o:1
    security: { relax: { openEgress: reason } }
  reader:
    image: r:1
    security: { relax: { openEgress: reason, cloudMetadata: reason } }
";

    #[test]
    fn what_each_component_reaches() {
        let spec = platform(SPEC);
        let net = Network::new(&spec);
        let misnamed = |component, used| Blocked::Misnamed { component, used };
        let elsewhere = |service: &'static str, namespace: &str, used| Blocked::Elsewhere {
            component: &service[2..],
            service: service.to_string(),
            namespace: namespace.to_string(),
            used,
        };
        let blocked = |name: &str, host: &str| {
            net.blocked(&Reach::component(name, &spec.components[name]), host)
        };
        for host in [
            "p-db",
            "p-db-headless.ns.svc",
            "p-db-0.p-db-headless",
            "p-db-12.p-db-headless.ns.svc.cluster.local",
            "p-api.ns",
            "169.254.20.10",
            "10.0.0.1",
            "kubernetes.default.svc",
            "kube-dns.kube-system.svc.cluster.local",
            "collector.observability.svc.cluster.local",
            "localhost",
            "0.0.0.0",
            "::",
        ] {
            assert_eq!(blocked("api", host), None, "{host}");
        }
        for (host, why) in [
            ("p-db-x.p-db-headless", Blocked::Unknown),
            ("p-db-0.p-db", Blocked::Unknown),
            ("p-db.other", elsewhere("p-db", "other", true)),
            ("p-open-x.other.svc", Blocked::Unknown),
            (
                "p-open.other.svc.cluster.local",
                elsewhere("p-open", "other", false),
            ),
            ("p-open", Blocked::Component("open")),
            ("db", misnamed("db", true)),
            ("open", misnamed("open", false)),
            ("169.254.169.254", Blocked::Metadata),
            ("metadata.google.internal", Blocked::Metadata),
            ("observability", Blocked::Unknown),
        ] {
            assert_eq!(blocked("api", host), Some(why), "{host}");
        }
        assert_eq!(blocked("db", "10.0.0.1"), Some(Blocked::ApiServer));
        assert_eq!(blocked("db", "kubernetes"), Some(Blocked::ApiServer));
        assert_eq!(
            blocked("db", "x.observability"),
            Some(Blocked::Endpoint("otel"))
        );
        // An endpoint's host as written, in any case and with a final dot.
        assert_eq!(
            blocked("db", "api.example.com"),
            Some(Blocked::Endpoint("llm"))
        );
        // An address under an endpoint's CIDR (a network written with host bits is still
        // its network); under two, the first endpoint the spec names.
        for (ip, endpoint) in [
            ("203.0.113.7", "partner"),
            ("203.0.113.200", "partner"),
            ("2001:db8:1::5", "partner"),
        ] {
            assert_eq!(blocked("db", ip), Some(Blocked::Endpoint(endpoint)), "{ip}");
        }
        for ip in ["203.0.114.1", "2001:db9::1", "::ffff:203.0.113.7"] {
            assert_eq!(blocked("db", ip), Some(Blocked::Unknown), "{ip}");
        }
        for host in ["partner.example.com", "203.0.113.7", "p-db", "kubernetes"] {
            assert_eq!(blocked("open", host), None, "{host}");
        }
        for host in [
            "169.254.169.254",
            "fd00:ec2::254",
            "metadata.google.internal",
        ] {
            assert_eq!(blocked("open", host), Some(Blocked::Metadata), "{host}");
            assert_eq!(blocked("reader", host), None, "{host}");
        }
    }
}
