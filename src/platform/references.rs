//! Spec-level meaning that types cannot say: every reference names something that exists.
//!
//! A dependency (`uses`), an ingress route, an env var's `config` key, an `envFrom` or a
//! mount names a component or config map of the same spec; each wrong one is an error at
//! the referencing line with the nearest existing name. Fields that must be set one of
//! several ways (`config` or `secret` or `field`) are checked here too.

use super::Platform;
use super::endpoint::{Use, Uses};
use super::values::{EnvSource, Probe};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::merge::{At, Merged};
use crate::source::Span;
use crate::suggest;
use indexmap::IndexMap;
use marked_yaml::Node;

/// Pod fields a `field` env var may name (the downward API's `fieldRef`).
const POD_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

pub(super) fn check(platform: &Platform, merged: &Merged) -> Result<(), Diagnostics> {
    let mut c = Checker {
        platform,
        merged,
        out: Vec::new(),
    };
    for (path, image) in platform.images() {
        c.image(&path, image);
    }
    for (name, component) in &platform.components {
        let base = ["components", name.as_str()];
        c.resources(&base, &format!("component `{name}`"), &component.resources);
        for (sidecar, s) in &component.sidecars {
            let at = [&base[..], &["sidecars", sidecar.as_str()]].concat();
            c.env(&at, &s.env);
            c.resources(
                &at,
                &format!("sidecar `{sidecar}` of component `{name}`"),
                &s.resources,
            );
            if sidecar == name || component.init.contains_key(sidecar) {
                let span = c.key_span(&at);
                c.out.push(
                    Diagnostic::error(
                        Code::DuplicateContainer,
                        format!("component `{name}` has two containers named `{sidecar}`"),
                    )
                    .at(span, "this sidecar's name is taken")
                    .help("container names of a pod are unique: the main container is named after the component, init containers and sidecars after their keys"),
                );
            }
        }
        for other in component.placement.near.keys() {
            c.component_ref(
                &[&base[..], &["placement", "near", other.as_str()]].concat(),
                other,
                "",
            );
        }
        c.uses(&base, name, &component.uses);
        c.env(&base, &component.env);
        for (init, container) in &component.init {
            c.env(&[&base[..], &["init", init]].concat(), &container.env);
        }
        c.env_from(&base, &component.env_from.config);
        c.mounts(&base, &component.mounts);
        c.services(&base, component);
        let inits = component
            .init
            .iter()
            .map(|(i, init)| (Some(i.as_str()), &init.env));
        for (init, env) in std::iter::once((None, &component.env)).chain(inits) {
            for (var, value) in env {
                if let Some(port) = &value.0.peers {
                    let mut path = base.to_vec();
                    if let Some(i) = init {
                        path.extend(["init", i]);
                    }
                    path.extend(["env", var.as_str(), "peers"]);
                    c.peers(&path, name, component, port);
                }
            }
        }
        let probes = [
            ("liveness", &component.probes.liveness),
            ("readiness", &component.probes.readiness),
            ("startup", &component.probes.startup),
        ];
        for (kind, probe) in probes {
            if let Some(probe) = probe {
                c.probe(
                    &[&base[..], &["probes", kind]].concat(),
                    probe,
                    &component.ports,
                );
            }
        }
    }
    for (name, job) in &platform.jobs {
        let base = ["jobs", name.as_str()];
        let own = job.effective_resources(platform);
        c.resources(&base, &format!("job `{name}`"), &own);
        c.uses(&base, "", &job.uses);
        if let Some(component) = &job.component {
            c.component_ref(&[&base[..], &["component"]].concat(), component, "");
        } else if job.image.is_none() {
            let span = c.span(&base);
            c.out.push(
                Diagnostic::error(Code::MissingKey, format!("job `{name}` has no `image`"))
                    .at(span, "`image` or `component` is required here")
                    .help("add `image:`, or `component:` to run with a component's image"),
            );
        }
        c.env(&base, &job.env);
        for (var, value) in &job.env {
            if value.0.peers.is_some() {
                let span = c.span(&[&base[..], &["env", var.as_str(), "peers"]].concat());
                c.out.push(
                    Diagnostic::error(Code::InvalidPeers, format!("job `{name}` has no peers"))
                        .at(span, "`peers` is for stateful components")
                        .help("name the peers of a stateful component with `value`"),
                );
            }
        }
        c.env_from(&base, &job.env_from.config);
        c.mounts(&base, &job.mounts);
    }
    if let Some(ingress) = &platform.ingress {
        for (host, h) in &ingress.hosts {
            for (path, route) in &h.paths {
                let at = ["ingress", "hosts", host.as_str(), "paths", path.as_str()];
                if let Some(component) = c.component_ref(&at, &route.component, "") {
                    if let Some(port) = &route.port {
                        if !component.ports.contains_key(port) {
                            let span = c.span(&at);
                            let hint = closest_help(port, component.ports.keys());
                            c.out.push(
                                Diagnostic::error(
                                    Code::UnknownPort,
                                    format!("component `{}` has no port `{port}`", route.component),
                                )
                                .at(span, "named here")
                                .with_help(hint),
                            );
                        }
                    } else if component.ports.is_empty() {
                        let span = c.span(&at);
                        c.out.push(
                            Diagnostic::error(
                                Code::UnknownPort,
                                format!("component `{}` has no ports to route to", route.component),
                            )
                            .at(span, "routed here")
                            .help("add `ports:` to the component"),
                        );
                    }
                }
            }
        }
    }
    if c.out.is_empty() { Ok(()) } else { Err(c.out) }
}

struct Checker<'a> {
    platform: &'a Platform,
    merged: &'a Merged,
    out: Diagnostics,
}

impl<'a> Checker<'a> {
    /// The position of the value at `path`, or of its nearest ancestor that has one.
    fn span(&self, path: &[&str]) -> Span {
        self.merged.nearest(&owned(path), At::Value)
    }

    /// The position of the key at the end of `path`, else of the value or an ancestor.
    fn key_span(&self, path: &[&str]) -> Span {
        self.merged.nearest(&owned(path), At::Key)
    }

    fn node(&self, path: &[&str]) -> Option<&'a Node> {
        self.merged.get(&owned(path))
    }

    fn component_ref(
        &mut self,
        path: &[&str],
        name: &str,
        from: &str,
    ) -> Option<&'a super::component::Component> {
        if let Some(c) = self.platform.components.get(name) {
            return Some(c);
        }
        let span = self.span(path);
        let help = self.component_help(name, from);
        self.out.push(
            Diagnostic::error(
                Code::UnknownComponent,
                format!("unknown component `{name}`"),
            )
            .at(span, "named here")
            .with_help(help),
        );
        None
    }

    /// Every container needs CPU and memory requests and limits, its own or the defaults'.
    fn resources(&mut self, base: &[&str], what: &str, own: &super::component::Resources) {
        let defaults = &self.platform.defaults.resources;
        let missing: Vec<&str> = [
            ("cpu", own.cpu.is_some() || defaults.cpu.is_some()),
            ("memory", own.memory.is_some() || defaults.memory.is_some()),
        ]
        .iter()
        .filter(|(_, set)| !set)
        .map(|(name, _)| *name)
        .collect();
        if missing.is_empty() {
            return;
        }
        let p: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        let span = self
            .merged
            .key(&p)
            .and_then(|k| Span::of(k.span()))
            .unwrap_or_else(|| self.span(base));
        let list = missing.join(" and ");
        self.out.push(
            Diagnostic::error(
                Code::MissingResources,
                format!("{what} has no {list} requests and limits"),
            )
            .at(
                span,
                format!("{list} not set here, nor in `defaults.resources`"),
            )
            .help(format!(
                "add `resources: {{ {} }}` as `request/limit`, or set them in `defaults.resources`",
                missing
                    .iter()
                    .map(|m| if *m == "cpu" {
                        "cpu: 100m/500m"
                    } else {
                        "memory: 128Mi/256Mi"
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }

    /// An image is a reference in the grammar container runtimes parse
    /// ([`crate::validation::image_reference`]); the error is at the image's value.
    fn image(&mut self, path: &[String], image: &str) {
        if let Err(problem) = crate::validation::image_reference(image) {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let span = self.span(&path);
            self.out.push(
                Diagnostic::error(
                    Code::InvalidImage,
                    format!("image `{}` {problem}", image.escape_debug()),
                )
                .at(span, "not an image reference")
                .help(format!(
                    "write an image as `{}` with a lowercase path, such as `gorax/api:v1.2.3` or `ghcr.io/gorax/api@sha256:<64 hex digits>`",
                    crate::validation::IMAGE_FORM
                )),
            );
        }
    }

    /// `peers` needs a stateful component and one of its ports.
    fn peers(&mut self, path: &[&str], name: &str, c: &super::component::Component, port: &str) {
        let span = self.span(path);
        if c.kind != super::component::Kind::Stateful {
            self.out.push(
                Diagnostic::error(
                    Code::InvalidPeers,
                    format!(
                        "component `{name}` is not stateful, so its pods have no stable addresses"
                    ),
                )
                .at(span, "`peers` needs `kind: stateful`")
                .help("add `kind: stateful` to the component"),
            );
        } else if !c.ports.contains_key(port) {
            self.out.push(
                Diagnostic::error(
                    Code::UnknownPort,
                    format!("component `{name}` has no port `{port}`"),
                )
                .at(span, "named here")
                .with_help(closest_help(port, c.ports.keys())),
            );
        }
    }

    /// Each extra Service names ports of the component.
    fn services(&mut self, base: &[&str], c: &super::component::Component) {
        for (extra, s) in &c.services {
            let path = [base, &["services", extra.as_str(), "ports"]].concat();
            let seq = self.node(&path).and_then(Node::as_sequence);
            for (i, port) in s.ports.iter().enumerate() {
                if !c.ports.contains_key(port) {
                    let span = seq
                        .and_then(|q| q.get(i))
                        .and_then(|n| Span::of(n.span()))
                        .unwrap_or_else(|| self.span(&path));
                    self.out.push(
                        Diagnostic::error(Code::UnknownPort, format!("no port named `{port}`"))
                            .at(span, "named here")
                            .with_help(closest_help(port, c.ports.keys())),
                    );
                }
            }
        }
    }

    /// "did you mean `x`?", or the list of components when none is close.
    fn component_help(&self, name: &str, except: &str) -> Option<String> {
        let names: Vec<&str> = self
            .platform
            .components
            .keys()
            .map(String::as_str)
            .filter(|k| *k != except)
            .collect();
        match crate::suggest::did_you_mean("", name, names.iter().copied()) {
            Some(near) => Some(near),
            None if names.is_empty() => Some("the spec defines no components".to_string()),
            None => Some(format!("the components are: {}", names.join(", "))),
        }
    }

    /// Each `uses` entry names a component or an endpoint (never its own component), and
    /// each port it narrows to is one of that one's.
    fn uses(&mut self, base: &[&str], me: &str, uses: &Uses) {
        let path = [base, &["uses"]].concat();
        let list = self.node(&path).and_then(Node::as_sequence);
        for (i, (used, u)) in uses.iter().enumerate() {
            let at = [&path[..], &[used.as_str()]].concat();
            // The list form's item, or the map form's key.
            let span = match list {
                Some(seq) => seq
                    .iter()
                    .find(|n| n.as_scalar().is_some_and(|s| s.as_str() == used))
                    .or_else(|| seq.get(i))
                    .and_then(|n| Span::of(n.span()))
                    .unwrap_or_else(|| self.span(&path)),
                None => self.key_span(&at),
            };
            let ports: Vec<&String> = if used == me {
                self.out.push(
                    Diagnostic::error(
                        Code::SelfDependency,
                        format!("component `{me}` uses itself"),
                    )
                    .at(span, "named here")
                    .help("remove it: a component can always reach itself"),
                );
                continue;
            } else if let Some(c) = self.platform.components.get(used) {
                c.ports.keys().collect()
            } else if let Some(e) = self.platform.endpoints.get(used) {
                e.ports.keys().collect()
            } else {
                let help = self.uses_help(used, me);
                self.out.push(
                    Diagnostic::error(
                        Code::UnknownComponent,
                        format!("unknown component or endpoint `{used}` in `uses`"),
                    )
                    .at(span, "named here")
                    .with_help(help),
                );
                continue;
            };
            let Use::Ports(only) = u else { continue };
            let items = self.node(&at).and_then(Node::as_sequence);
            for (j, port) in only.iter().enumerate() {
                if ports.contains(&port) {
                    continue;
                }
                let span = items
                    .and_then(|s| s.get(j))
                    .and_then(|n| Span::of(n.span()))
                    .unwrap_or_else(|| self.span(&at));
                let help = match closest_help(port, ports.iter().copied()) {
                    Some(near) => Some(near),
                    None if ports.is_empty() => Some(format!("`{used}` declares no ports")),
                    None => Some(format!(
                        "the ports of `{used}` are: {}",
                        ports
                            .iter()
                            .map(|p| p.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                self.out.push(
                    Diagnostic::error(Code::UnknownPort, format!("`{used}` has no port `{port}`"))
                        .at(span, "named here")
                        .with_help(help),
                );
            }
        }
    }

    /// "did you mean `x`?" among components and endpoints, or the list of both.
    fn uses_help(&self, name: &str, except: &str) -> Option<String> {
        let names: Vec<&str> = self
            .platform
            .components
            .keys()
            .chain(self.platform.endpoints.keys())
            .map(String::as_str)
            .filter(|k| *k != except)
            .collect();
        match suggest::did_you_mean("", name, names.iter().copied()) {
            Some(near) => Some(near),
            None if names.is_empty() => Some(
                "declare it under `components` or `endpoints`: the spec has no other".to_string(),
            ),
            None => Some(format!(
                "the components and endpoints are: {}",
                names.join(", ")
            )),
        }
    }

    fn env(&mut self, base: &[&str], env: &IndexMap<String, super::values::EnvValue>) {
        for (name, value) in env {
            let path = [base, &["env", name.as_str()]].concat();
            self.env_source(&path, name, value);
        }
    }

    fn env_source(&mut self, path: &[&str], name: &str, source: &EnvSource) {
        let set = [
            source.value.is_some(),
            source.config.is_some(),
            source.secret.is_some(),
            source.field.is_some(),
            source.peers.is_some(),
        ]
        .iter()
        .filter(|&&b| b)
        .count();
        if set != 1 {
            let span = self.span(path);
            let mut d = Diagnostic::error(
                Code::EnvSourceCount,
                format!("env var `{name}` must set exactly one of `value`, `config`, `secret`, `field` and `peers`"),
            )
            .at(span, format!("{set} set here"));
            // Maps merge: an overlay's `{ value: x }` keeps the base's `config:`. Show each.
            for field in ["value", "config", "secret", "field", "peers"] {
                let p: Vec<String> = path
                    .iter()
                    .map(|s| s.to_string())
                    .chain([field.to_string()])
                    .collect();
                if let Some(key) = self.merged.key(&p).and_then(|k| Span::of(k.span())) {
                    d = d.also(key, format!("`{field}` set here"));
                }
            }
            let help = if set > 1 {
                "keep one source; an overlay that switches the source must remove the other with `null`, e.g. `{ value: debug, config: null }`"
            } else {
                "set one of `value`, `config`, `secret`, `field` and `peers`"
            };
            self.out.push(d.help(help));
            return;
        }
        if let Some(reference) = &source.config {
            let at = [path, &["config"]].concat();
            if let Err(d) = self.platform.config_ref(reference) {
                let span = self.span(&at);
                self.out.push(d.at(span, "referenced here"));
            }
        }
        if let Some(secret) = &source.secret {
            let ok = secret
                .split_once('/')
                .is_some_and(|(s, k)| !s.is_empty() && !k.is_empty());
            if !ok {
                let span = self.span(&[path, &["secret"]].concat());
                self.out.push(
                    Diagnostic::error(
                        Code::InvalidSecretRef,
                        format!("`{secret}` does not name a secret key"),
                    )
                    .at(span, "expected `secret-name/key`")
                    .help(format!("write the secret's name and key: `{secret}/<key>`")),
                );
            }
        }
        if let Some(field) = &source.field {
            let valid = POD_FIELDS.contains(&field.as_str())
                || field.starts_with("metadata.labels['")
                || field.starts_with("metadata.annotations['");
            if !valid {
                let span = self.span(&[path, &["field"]].concat());
                let help = closest_help(field, POD_FIELDS.iter().copied());
                self.out.push(
                    Diagnostic::error(
                        Code::InvalidFieldRef,
                        format!("`{field}` is not a pod field"),
                    )
                    .at(span, "not available through the downward API")
                    .with_help(help),
                );
            }
        }
    }

    fn env_from(&mut self, base: &[&str], configs: &[String]) {
        let path = [base, &["envFrom", "config"]].concat();
        let seq = self.node(&path).and_then(Node::as_sequence);
        for (i, name) in configs.iter().enumerate() {
            if !self.platform.config.contains_key(name) {
                let span = seq
                    .and_then(|s| s.get(i))
                    .and_then(|n| Span::of(n.span()))
                    .unwrap_or_else(|| self.span(&path));
                self.out
                    .push(self.unknown_config(name).at(span, "named here"));
            }
        }
    }

    fn unknown_config(&self, name: &str) -> Diagnostic {
        Diagnostic::error(Code::UnknownConfig, format!("unknown config map `{name}`"))
            .with_help(closest_help(name, self.platform.config.keys()))
    }

    fn mounts(&mut self, base: &[&str], mounts: &IndexMap<String, super::component::Mount>) {
        for (at, mount) in mounts {
            let path = [base, &["mounts", at.as_str()]].concat();
            let set = [
                mount.config.is_some(),
                mount.secret.is_some(),
                mount.scratch.is_some(),
                mount.claim.is_some(),
            ]
            .iter()
            .filter(|&&b| b)
            .count();
            if set != 1 {
                let span = self.span(&path);
                self.out.push(
                    Diagnostic::error(
                        Code::MountSourceCount,
                        format!("mount `{at}` must set exactly one of `config`, `secret`, `scratch` and `claim`"),
                    )
                    .at(span, format!("{set} set here"))
                    .help("mount each source at a path of its own"),
                );
                continue;
            }
            if let Some(config) = &mount.config {
                match self.platform.config.get(config) {
                    None => {
                        let span = self.span(&[&path[..], &["config"]].concat());
                        self.out
                            .push(self.unknown_config(config).at(span, "named here"));
                    }
                    Some(entries) => {
                        if let Some(key) = &mount.key {
                            if !entries.contains_key(key) {
                                let span = self.span(&[&path[..], &["key"]].concat());
                                self.out.push(
                                    Diagnostic::error(
                                        Code::UnknownConfigKey,
                                        format!("config map `{config}` has no key `{key}`"),
                                    )
                                    .at(span, "named here")
                                    .with_help(closest_help(key, entries.keys())),
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    fn probe(
        &mut self,
        path: &[&str],
        probe: &Probe,
        ports: &IndexMap<String, super::values::Short<super::values::Port>>,
    ) {
        let set = [
            probe.http.is_some(),
            probe.tcp.is_some(),
            probe.exec.is_some(),
        ]
        .iter()
        .filter(|&&b| b)
        .count();
        if set != 1 {
            let span = self.span(path);
            self.out.push(
                Diagnostic::error(
                    Code::ProbeActionCount,
                    "a probe must set exactly one of `http`, `tcp` and `exec`",
                )
                .at(span, format!("{set} set here"))
                .help(
                    "write a path for an HTTP check, or `{ tcp: <port> }` or `{ exec: [command] }`",
                ),
            );
            return;
        }
        let port = probe.tcp.as_ref().or(probe.port.as_ref());
        let field = if probe.tcp.is_some() { "tcp" } else { "port" };
        match port {
            Some(port) if !ports.contains_key(port) && super::values::is_number(port) => {
                if let Err(message) = super::values::port_number(port) {
                    let span = self.span(&[path, &[field]].concat());
                    self.out.push(
                        Diagnostic::error(Code::InvalidValue, message)
                            .at(span, format!("the value of `{field}`"))
                            .help(super::values::PORT_HELP),
                    );
                }
            }
            Some(port) if port.parse::<u16>().is_err() && !ports.contains_key(port) => {
                let span = self.span(&[path, &[field]].concat());
                self.out.push(
                    Diagnostic::error(Code::UnknownPort, format!("no port named `{port}`"))
                        .at(span, "named here")
                        .with_help(closest_help(port, ports.keys())),
                );
            }
            None if probe.exec.is_none() && ports.is_empty() => {
                let span = self.span(path);
                self.out.push(
                    Diagnostic::error(
                        Code::UnknownPort,
                        "an HTTP probe needs a port, and the component has none",
                    )
                    .at(span, "probe here")
                    .help("add `ports:` to the component, or `port:` to the probe"),
                );
            }
            _ => {}
        }
    }
}

impl Platform {
    /// Resolves a `config` env reference, `key` or `config-map/key`, to its config map and key.
    pub fn config_ref<'a>(&'a self, reference: &'a str) -> Result<(&'a str, &'a str), Diagnostic> {
        if let Some((map, key)) = reference.split_once('/') {
            if let Some(entries) = self.config.get(map) {
                if entries.contains_key(key) {
                    return Ok((map, key));
                }
                return Err(Diagnostic::error(
                    Code::UnknownConfigKey,
                    format!("config map `{map}` has no key `{key}`"),
                )
                .with_help(closest_help(key, entries.keys())));
            }
        }
        let holders: Vec<&str> = self
            .config
            .iter()
            .filter(|(_, entries)| entries.contains_key(reference))
            .map(|(name, _)| name.as_str())
            .collect();
        match holders.as_slice() {
            [one] => Ok((one, reference)),
            [] => {
                let keys = self.config.values().flat_map(|e| e.keys());
                Err(Diagnostic::error(
                    Code::UnknownConfigKey,
                    format!("no config map has the key `{reference}`"),
                )
                .with_help(
                    closest_help(reference, keys)
                        .or_else(|| Some("add the key under `config:`".into())),
                ))
            }
            several => Err(Diagnostic::error(
                Code::AmbiguousConfigKey,
                format!(
                    "several config maps have the key `{reference}`: {}",
                    several.join(", ")
                ),
            )
            .help(format!("name the config map: `{}/{reference}`", several[0]))),
        }
    }
}

fn owned(path: &[&str]) -> Vec<String> {
    path.iter().map(|s| s.to_string()).collect()
}

/// "did you mean `x`?", if a candidate is close.
fn closest_help<'a, I, S>(input: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + ?Sized + 'a,
{
    suggest::did_you_mean("", input, candidates.into_iter().map(AsRef::as_ref))
}
