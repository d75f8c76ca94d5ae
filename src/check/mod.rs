//! Rules over the typed spec and the built objects, each finding pointing at the spec line
//! that produced it (never at generated YAML).
//!
//! Two families: Kubernetes' own rules that schemas miss (errors: an apply would fail or
//! the platform would be silently broken), ported with the API server's wording; and
//! policy checks (warnings, `--deny warnings` makes them errors), which a component can
//! suppress with a reason:
//!
//! ```yaml
//! components:
//!   api:
//!     suppress: { image-latest: "dev builds are tagged latest on purpose" }
//! ```
//!
//! To add a check: write check/<code>.rs (its code with `_` for `-`) with the doc header (What it checks, Why, Example,
//! Fix), add a line to [`CHECKS`], add a fixture that triggers it and one that passes.

mod api_server_unreachable;
mod blocked_host;
mod cluster_access;
mod disruption_blocks_drain;
mod duplicate_object;
mod duplicate_service_port;
mod external_ips;
mod foreign_namespace;
mod headless_service_missing;
mod image_latest;
mod image_without_digest;
mod invalid_annotation;
mod invalid_autoscale;
mod invalid_cidr;
mod invalid_config_key;
mod invalid_disruption_budget;
mod invalid_endpoint;
mod invalid_env_var_name;
mod invalid_extended_resource;
mod invalid_id;
mod invalid_ingress;
mod invalid_label;
mod invalid_name;
mod invalid_placement;
mod invalid_port_name;
mod invalid_quantity;
mod invalid_schedule;
mod isolated_component;
mod isolation_weakened;
mod load_balancer_exposed;
mod low_user_id;
mod metric_not_scraped;
mod patch_shrinks_list;
mod pod_not_restricted;
mod probe_missing;
pub mod quantity;
mod reads_secrets;
mod replicas_ignored;
mod rollout_ignored;
mod secret_data;
mod secret_in_env;
mod secret_in_literal;
pub(crate) use secret_in_literal::looks_secret;
pub mod scanners;
mod view;
use view::View;
mod security_relaxed;
mod selector_mismatch;
mod single_replica;
mod token_without_access;
mod writable_root_filesystem;

use crate::build::object::Object;
use crate::build::origins::{Origins, Source};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::merge::{At, Merged};
use crate::platform::Platform;
use crate::source::Span;

/// What a check sees.
pub struct Input<'a> {
    pub spec: &'a Platform,
    /// The objects at hand: every object of the render, or one batch of them when a large
    /// render is checked batch by batch ([`Run`]).
    pub objects: &'a [Object],
    pub merged: &'a Merged,
    /// Where each field of every object of the render comes from.
    pub origins: &'a Origins,
    /// What the checks work out once and share: the facts over every object, and the
    /// findings of the checks that read pods.
    pub memo: Memo<'a>,
}

/// What the checks work out once and share ([`Input::memo`]).
#[derive(Default)]
pub struct Memo<'a> {
    /// Facts over the objects, given when the objects come in batches (over those built
    /// so far, or over every object of the render once all are in); else made from
    /// [`Input::objects`] when a check first asks.
    given: Option<&'a Facts>,
    facts: std::cell::OnceCell<Facts>,
    /// A batch, not the whole render ([`Input::first`]): its facts may not be over every
    /// object yet, so a finding that depends on them waits for the last batch
    /// ([`Finding::unless`]).
    later: bool,
    /// The findings of the checks that read pods (four do), made in one pass over the
    /// workloads when one of them first runs: each pod template is made JSON once, read
    /// by the four, and dropped, so no more than one is held at a time.
    pods: std::cell::OnceCell<PodFindings>,
}

impl<'a> Memo<'a> {
    /// A memo for one batch of a render, with the facts over the objects built so far
    /// (this batch's among them).
    pub fn batch(facts: &'a Facts) -> Memo<'a> {
        Memo {
            given: Some(facts),
            later: true,
            ..Memo::default()
        }
    }

    /// A memo for the spec of a render taken in batches, with the facts over every
    /// object: the checks that read objects then read what the spec says beside them
    /// ([`Input::first`]).
    pub fn every(facts: &'a Facts) -> Memo<'a> {
        Memo {
            given: Some(facts),
            later: false,
            ..Memo::default()
        }
    }
}

/// What the objects of a render may say, on which a finding about one of them depends
/// ([`Finding::unless`], [`Finding::only_if`]). Once it holds over some of the objects it
/// holds over all of them: a finding made on one batch is settled as soon as its fact
/// holds, or else when the last batch is in.
#[derive(Clone, Debug)]
pub enum Fact {
    /// Some workload's pod template carries every one of these labels.
    Selected(std::collections::BTreeMap<String, String>),
    /// An object of this kind and name is rendered.
    Rendered(String, String),
    /// A headless Service of this name is rendered.
    Headless(String),
    /// A ServiceAccount of this name turns its token off.
    Tokenless(String),
    /// The platform's Namespace is rendered without `restricted` enforcement.
    OpenNamespace,
}

/// What a check of one object may need to know about the others: gathered from every
/// object of a render, batch by batch ([`Facts::add`]), before any batch is checked.
#[derive(Default)]
pub struct Facts {
    /// Every object by its kind's rank, kind, namespace and name, in the order they were
    /// added, or in apply order once [`Facts::in_apply_order`] has run.
    names: Vec<(usize, String, Option<String>, String)>,
    /// Every object by kind and name.
    rendered: foldhash::HashSet<(String, String)>,
    /// The pod template labels of every workload, in the order they were added.
    labels: Vec<std::collections::BTreeMap<String, String>>,
    /// Which of `labels` have each `app.kubernetes.io/name`.
    by_name: foldhash::HashMap<String, Vec<usize>>,
    /// The names of the headless Services.
    headless: foldhash::HashSet<String>,
    /// The names of the ServiceAccounts that mount no token.
    tokenless: foldhash::HashSet<String>,
    /// Whether the platform's Namespace is rendered without `restricted` enforcement.
    open_namespace: bool,
    /// Whether a Namespace `default` is rendered.
    default_namespace: bool,
}

impl Facts {
    /// Adds what `objects` (final: patched) say.
    pub fn add(&mut self, spec: &Platform, objects: &[Object]) {
        self.names.reserve(objects.len());
        for object in objects {
            self.names.push((
                object.rank(),
                object.kind().to_string(),
                object.metadata().namespace.clone(),
                object.name().to_string(),
            ));
            self.rendered
                .insert((object.kind().to_string(), object.name().to_string()));
            if let Some(labels) = pod_template(object)
                .and_then(|t| t.metadata.as_ref())
                .and_then(|m| m.labels.as_ref())
            {
                if let Some(name) = labels.get(selector_mismatch::NAME) {
                    self.by_name
                        .entry(name.clone())
                        .or_default()
                        .push(self.labels.len());
                }
                self.labels.push(labels.clone());
            }
            match object {
                Object::Service(svc)
                    if svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None") =>
                {
                    self.headless.insert(object.name().to_string());
                }
                Object::ServiceAccount(sa) if sa.automount_service_account_token == Some(false) => {
                    self.tokenless.insert(object.name().to_string());
                }
                Object::Namespace(_) => {
                    if object.name() == "default" {
                        self.default_namespace = true;
                    }
                    if object.name() == spec.namespace() && !pod_not_restricted::restricts(object) {
                        self.open_namespace = true;
                    }
                }
                _ => {}
            }
        }
    }

    /// Adds what the facts of objects added after these say, as if added here in their
    /// order.
    pub fn append(&mut self, later: Facts) {
        let offset = self.labels.len();
        self.names.extend(later.names);
        self.rendered.extend(later.rendered);
        self.labels.extend(later.labels);
        for (name, places) in later.by_name {
            self.by_name
                .entry(name)
                .or_default()
                .extend(places.into_iter().map(|i| i + offset));
        }
        self.headless.extend(later.headless);
        self.tokenless.extend(later.tokenless);
        self.open_namespace |= later.open_namespace;
        self.default_namespace |= later.default_namespace;
    }

    /// Whether `fact` holds over the objects added.
    pub fn holds(&self, fact: &Fact) -> bool {
        match fact {
            Fact::Selected(selector) => match selector.get(selector_mismatch::NAME) {
                Some(name) => self.by_name.get(name.as_str()).is_some_and(|ls| {
                    ls.iter()
                        .any(|&l| selector_mismatch::matches(selector, &self.labels[l]))
                }),
                None => self
                    .labels
                    .iter()
                    .any(|labels| selector_mismatch::matches(selector, labels)),
            },
            Fact::Rendered(kind, name) => self.is_rendered(kind, name),
            Fact::Headless(name) => self.headless.contains(name),
            Fact::Tokenless(name) => self.tokenless.contains(name),
            Fact::OpenNamespace => self.open_namespace,
        }
    }

    /// Whether an object `kind`/`name` is rendered.
    fn is_rendered(&self, kind: &str, name: &str) -> bool {
        // Keyed by owned strings, so a lookup makes the pair: two small allocations.
        self.rendered
            .contains(&(kind.to_string(), name.to_string()))
    }

    /// Puts the objects added in batches, in the order they were built, in apply order.
    pub fn in_apply_order(&mut self) {
        self.names
            .sort_by(|a, b| (a.0, a.3.as_str()).cmp(&(b.0, b.3.as_str())));
    }

    /// Every object by kind, namespace and name.
    fn names(&self) -> impl Iterator<Item = (&str, Option<&str>, &str)> {
        self.names
            .iter()
            .map(|(_, k, ns, n)| (k.as_str(), ns.as_deref(), n.as_str()))
    }
}

#[derive(Default)]
pub struct PodFindings {
    pod_not_restricted: Vec<Finding>,
    low_user_id: Vec<Finding>,
    secret_in_env: Vec<Finding>,
    token_without_access: Vec<Finding>,
}

/// A workload's pod template (`metadata` and `spec`), as a [`View`] of its JSON.
pub struct Pod {
    /// Where the pod spec sits in the object, as a field path (`spec.template.spec`).
    pub at: &'static str,
    pub template: View<'static>,
}

impl Pod {
    pub fn spec(&self) -> &View<'static> {
        &self.template["spec"]
    }
}

impl Input<'_> {
    /// Whether this is every object of the render or the first batch: a check that reads
    /// objects reads what the spec says beside them only then, so it is reported once.
    pub fn first(&self) -> bool {
        !self.memo.later
    }

    /// The facts over every object of the render.
    fn facts(&self) -> &Facts {
        self.memo.given.unwrap_or_else(|| {
            self.memo.facts.get_or_init(|| {
                let mut facts = Facts::default();
                facts.add(self.spec, self.objects);
                facts
            })
        })
    }

    /// Whether `fact` holds over the objects seen so far: if it does, it holds over the
    /// render, and a finding it would lift need not be made.
    fn holds(&self, fact: &Fact) -> bool {
        self.facts().holds(fact)
    }

    /// Whether `fact` holds over the render, when that is known: always, unless the
    /// objects come in batches and it does not hold over those seen so far.
    fn settled(&self, fact: &Fact) -> Option<bool> {
        if self.holds(fact) {
            Some(true)
        } else {
            (!self.memo.later).then_some(false)
        }
    }

    fn pod_findings(&self) -> &PodFindings {
        self.memo.pods.get_or_init(|| {
            let mut out = PodFindings::default();
            for object in self.objects {
                let Some(pod) = pod_not_restricted::pod_of(object) else {
                    continue;
                };
                pod_not_restricted::pod(self, object, &pod, &mut out.pod_not_restricted);
                low_user_id::pod(self, object, &pod, &mut out.low_user_id);
                secret_in_env::pod(self, object, &pod, &mut out.secret_in_env);
                token_without_access::pod(self, object, &pod, &mut out.token_without_access);
            }
            out
        })
    }
}

/// One problem, at the spec value that produced it.
#[derive(Clone)]
pub struct Finding {
    pub message: String,
    pub at: Origin,
    pub note: String,
    pub help: Option<String>,
    /// A value never to print (a secret written in the spec).
    pub redact: Option<Origin>,
    /// The object (`Kind/name`) a finding of a check that the spec's `relax` can allow is
    /// about; `None` for checks that cannot be relaxed by object.
    pub object: Option<String>,
    /// The component or job (`["components", name]`) whose `suppress` applies, when it is
    /// not the one `at` names (a value that comes from `defaults`).
    pub owner: Option<Vec<String>>,
    /// One finding per `key` over the render (a label every object carries is reported
    /// once): the one of the object first in apply order, by its rank and name.
    pub once: Option<(String, Order)>,
    /// A fact over every object of the render, and whether the finding stands only while
    /// it holds (`true`) or only while it does not (`false`).
    pub depends: Option<(Fact, bool)>,
}

/// An object's place in apply order: its kind's rank and its name.
pub type Order = (usize, String);

/// Where in the spec a finding comes from. A path that is not set (a default) points at
/// its nearest ancestor that is, usually the component's key.
#[derive(Clone, Debug)]
pub enum Origin {
    /// The key at the end of the path (a name, or a component that got a default).
    Key(Vec<String>),
    /// The value at the path.
    Value(Vec<String>),
    /// A line outside the spec: the template document an object comes from.
    Span(Span),
}

impl Origin {
    pub fn key(path: &[&str]) -> Origin {
        Origin::Key(path.iter().map(|s| s.to_string()).collect())
    }

    pub fn value(path: &[&str]) -> Origin {
        Origin::Value(path.iter().map(|s| s.to_string()).collect())
    }

    fn path(&self) -> &[String] {
        match self {
            Origin::Key(p) | Origin::Value(p) => p,
            Origin::Span(_) => &[],
        }
    }

    fn span(&self, merged: &Merged) -> Span {
        match self {
            Origin::Key(path) => merged.nearest(path, At::Key),
            Origin::Value(path) => merged.nearest(path, At::Value),
            Origin::Span(span) => *span,
        }
    }
}

impl Finding {
    pub fn new(message: impl Into<String>, at: Origin, note: impl Into<String>) -> Self {
        Finding {
            message: message.into(),
            at,
            note: note.into(),
            help: None,
            redact: None,
            object: None,
            owner: None,
            once: None,
            depends: None,
        }
    }

    /// The finding stands unless `fact` holds over the render (a Service's selector is
    /// reported unless some pod carries its labels, in whichever batch).
    pub fn unless(mut self, fact: Fact) -> Self {
        self.depends = Some((fact, false));
        self
    }

    /// The finding stands only if `fact` holds over the render.
    pub fn only_if(mut self, fact: Fact) -> Self {
        self.depends = Some((fact, true));
        self
    }

    /// Marks the finding as about the component or job `object` was built for, whose
    /// `suppress` then applies wherever the value it reports comes from.
    pub fn owned(mut self, input: &Input, object: &Object) -> Self {
        if let Some(Source::Spec(path)) =
            input
                .origins
                .object(input.spec, object.kind(), object.name())
        {
            self.owner = Some(path.to_vec());
        }
        self
    }

    /// Marks the finding as about `object`, so `relax: { Kind/name: reason }` allows it.
    pub fn on(self, object: &Object) -> Self {
        self.on_named(object.kind(), object.name())
    }

    /// [`Finding::on`] the object `kind`/`name`.
    pub fn on_named(mut self, kind: &str, name: &str) -> Self {
        self.object = Some(format!("{kind}/{name}"));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A rule: its stable code, default severity, whether a component may suppress it.
pub struct Check {
    pub code: &'static str,
    pub severity: Severity,
    pub suppressible: bool,
    /// What it reads, and so how often it runs over a render checked in batches.
    pub reads: Reads,
    pub run: fn(&Input) -> Vec<Finding>,
    /// The text of check/<name>.rs: its `//!` header (What it checks, Why, Example, Fix) is
    /// the rule's documentation, read at run time by `--format sarif`, so it has one source.
    pub source: &'static str,
    /// The file the check lives in, `check/<module>.rs`: its code with `_` for `-`.
    pub module: &'static str,
}

impl Check {
    /// One part of the check's `//!` header (`What it checks`, `Why`, `Example`, `Fix`):
    /// its Markdown lines, trimmed; `None` if the header has no such part or it is empty.
    pub fn doc(&self, part: &str) -> Option<String> {
        let header = self
            .source
            .lines()
            .map_while(|line| line.strip_prefix("//!"))
            .map(|line| line.strip_prefix(' ').unwrap_or(line));
        let mut lines = Vec::new();
        let mut inside = false;
        for line in header {
            if let Some(title) = line.strip_prefix("## ") {
                inside = title.trim() == part;
            } else if inside {
                lines.push(line);
            }
        }
        let text = lines.join("\n").trim().to_string();
        (!text.is_empty()).then_some(text)
    }
}

/// What a check reads, and so how often it runs when a render is checked in batches
/// ([`Run`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// The spec alone: once per render, beside the first batch.
    Spec,
    /// The spec and what every object says ([`Facts`]): once per render, when every
    /// object is in.
    Every,
    /// The objects one by one: on each batch, with [`Facts`] for what the other batches
    /// hold.
    Objects,
}

/// One line of [`CHECKS`]: `module` names check/<module>.rs, which gives both the `check`
/// function and the documentation, so the two cannot come from different files.
macro_rules! check {
    (code: $code:literal, severity: $severity:ident, suppressible: $suppressible:literal, reads: $reads:ident, module: $module:ident) => {
        Check {
            code: $code,
            severity: $severity,
            suppressible: $suppressible,
            reads: Reads::$reads,
            run: $module::check,
            source: include_str!(concat!(stringify!($module), ".rs")),
            module: stringify!($module),
        }
    };
}

use Severity::{Error, Info, Warning};

/// Every check. To add one: write check/<name>.rs, add a line here, add its fixtures.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    // Kubernetes' own rules: an apply would fail, or the platform would not work.
    check! { code: "invalid-name",              severity: Error,   suppressible: false, reads: Objects, module: invalid_name },
    check! { code: "invalid-label",             severity: Error,   suppressible: false, reads: Objects, module: invalid_label },
    check! { code: "invalid-annotation",        severity: Error,   suppressible: false, reads: Spec,    module: invalid_annotation },
    check! { code: "invalid-port-name",         severity: Error,   suppressible: false, reads: Spec,    module: invalid_port_name },
    check! { code: "duplicate-service-port",    severity: Error,   suppressible: false, reads: Spec,    module: duplicate_service_port },
    check! { code: "selector-mismatch",         severity: Error,   suppressible: false, reads: Objects, module: selector_mismatch },
    check! { code: "headless-service-missing",  severity: Error,   suppressible: false, reads: Objects, module: headless_service_missing },
    check! { code: "invalid-autoscale",         severity: Error,   suppressible: false, reads: Spec,    module: invalid_autoscale },
    check! { code: "invalid-disruption-budget", severity: Error,   suppressible: false, reads: Spec,    module: invalid_disruption_budget },
    check! { code: "invalid-ingress",           severity: Error,   suppressible: false, reads: Spec,    module: invalid_ingress },
    check! { code: "invalid-schedule",          severity: Error,   suppressible: false, reads: Spec,    module: invalid_schedule },
    check! { code: "invalid-env-var-name",      severity: Error,   suppressible: false, reads: Spec,    module: invalid_env_var_name },
    check! { code: "invalid-config-key",        severity: Error,   suppressible: false, reads: Spec,    module: invalid_config_key },
    check! { code: "invalid-quantity",          severity: Error,   suppressible: false, reads: Spec,    module: invalid_quantity },
    check! { code: "invalid-id",                severity: Error,   suppressible: false, reads: Spec,    module: invalid_id },
    check! { code: "duplicate-object",          severity: Error,   suppressible: false, reads: Every,   module: duplicate_object },
    check! { code: "invalid-placement",         severity: Error,   suppressible: false, reads: Spec,    module: invalid_placement },
    check! { code: "invalid-extended-resource", severity: Error,   suppressible: false, reads: Spec,    module: invalid_extended_resource },
    check! { code: "invalid-cidr",              severity: Error,   suppressible: false, reads: Spec,    module: invalid_cidr },
    check! { code: "invalid-endpoint",          severity: Error,   suppressible: false, reads: Spec,    module: invalid_endpoint },
    // Policy: what a reviewer would flag. Warnings; `--deny warnings` makes them errors.
    check! { code: "image-latest",              severity: Warning, suppressible: true,  reads: Spec,    module: image_latest },
    check! { code: "image-without-digest",      severity: Info,    suppressible: true,  reads: Spec,    module: image_without_digest },
    check! { code: "external-ips",              severity: Error,   suppressible: false, reads: Objects, module: external_ips },
    check! { code: "foreign-namespace",         severity: Error,   suppressible: false, reads: Objects, module: foreign_namespace },
    check! { code: "pod-not-restricted",        severity: Error,   suppressible: false, reads: Objects, module: pod_not_restricted },
    check! { code: "isolation-weakened",        severity: Error,   suppressible: false, reads: Objects, module: isolation_weakened },
    check! { code: "cluster-access",            severity: Error,   suppressible: false, reads: Objects, module: cluster_access },
    check! { code: "token-without-access",      severity: Error,   suppressible: false, reads: Objects, module: token_without_access },
    check! { code: "secret-data",               severity: Error,   suppressible: false, reads: Objects, module: secret_data },
    check! { code: "probe-missing",             severity: Warning, suppressible: true,  reads: Spec,    module: probe_missing },
    check! { code: "security-relaxed",          severity: Warning, suppressible: true,  reads: Spec,    module: security_relaxed },
    check! { code: "writable-root-filesystem",  severity: Warning, suppressible: true,  reads: Spec,    module: writable_root_filesystem },
    check! { code: "disruption-blocks-drain",   severity: Warning, suppressible: true,  reads: Spec,    module: disruption_blocks_drain },
    check! { code: "single-replica",            severity: Warning, suppressible: true,  reads: Spec,    module: single_replica },
    check! { code: "replicas-ignored",          severity: Warning, suppressible: true,  reads: Spec,    module: replicas_ignored },
    check! { code: "rollout-ignored",           severity: Warning, suppressible: true,  reads: Spec,    module: rollout_ignored },
    check! { code: "load-balancer-exposed",     severity: Warning, suppressible: true,  reads: Spec,    module: load_balancer_exposed },
    check! { code: "secret-in-env",             severity: Info,    suppressible: true,  reads: Objects, module: secret_in_env },
    check! { code: "low-user-id",               severity: Info,    suppressible: true,  reads: Objects, module: low_user_id },
    check! { code: "reads-secrets",             severity: Warning, suppressible: true,  reads: Objects, module: reads_secrets },
    check! { code: "secret-in-literal",         severity: Warning, suppressible: false, reads: Spec,    module: secret_in_literal },
    check! { code: "isolated-component",        severity: Warning, suppressible: true,  reads: Spec,    module: isolated_component },
    check! { code: "blocked-host",              severity: Warning, suppressible: true,  reads: Spec,    module: blocked_host },
    check! { code: "api-server-unreachable",    severity: Warning, suppressible: true,  reads: Spec,    module: api_server_unreachable },
    check! { code: "metric-not-scraped",        severity: Warning, suppressible: true,  reads: Spec,    module: metric_not_scraped },
    check! { code: "patch-shrinks-list",        severity: Warning, suppressible: false, reads: Every,   module: patch_shrinks_list },
];

/// Runs every check; returns the findings as diagnostics, sorted by position, without the
/// suppressed ones, plus errors for suppressions that are not allowed.
pub fn all(input: &Input) -> Vec<Diagnostic> {
    let mut run = Run::default();
    run.spec(input);
    run.batch(input);
    run.every(input);
    run.finish(input)
}

/// The checks of one render, whose objects may come in batches: [`Run::spec`] once,
/// [`Run::batch`] on each batch (each with the [`Facts`] of the batches so far), then
/// [`Run::every`] and [`Run::finish`] with the facts of every batch. The diagnostics are
/// the same however the objects are split.
#[derive(Default)]
pub struct Run {
    out: Vec<Diagnostic>,
    /// The `relax` entries that allowed a finding.
    relaxed: foldhash::HashSet<String>,
    /// The findings made once per render ([`Finding::once`]), by check and key: the one
    /// of the object first in apply order.
    once: foldhash::HashMap<(&'static str, String), (Order, Finding)>,
    /// The findings of a batch whose fact ([`Finding::depends`]) is settled only once
    /// every object is in.
    pending: Vec<(&'static Check, Finding)>,
}

impl Run {
    /// The checks that read the spec alone, and the suppressions' own errors.
    pub fn spec(&mut self, input: &Input) {
        self.out.extend(suppression_errors(input));
        self.run(input, Reads::Spec);
    }

    /// The checks that read what every object says ([`Facts`]): `input` has the facts
    /// over every object.
    pub fn every(&mut self, input: &Input) {
        self.run(input, Reads::Every);
    }

    /// The checks that read objects, on the objects of `input`.
    pub fn batch(&mut self, input: &Input) {
        self.run(input, Reads::Objects);
    }

    fn run(&mut self, input: &Input, reads: Reads) {
        for check in CHECKS.iter().filter(|c| c.reads == reads) {
            for mut finding in (check.run)(input) {
                if let Some((fact, holds)) = &finding.depends {
                    match input.settled(fact) {
                        Some(now) if now != *holds => continue,
                        Some(_) => {}
                        None => {
                            self.pending.push((check, finding));
                            continue;
                        }
                    }
                }
                match finding.once.take() {
                    Some((key, order)) => self.once((check.code, key), order, finding),
                    None => self.report(input, check, finding),
                }
            }
        }
    }

    /// Adds what a run over objects checked after these found, as if found here.
    pub fn append(&mut self, later: Run) {
        self.out.extend(later.out);
        self.relaxed.extend(later.relaxed);
        self.pending.extend(later.pending);
        for (key, (order, finding)) in later.once {
            self.once(key, order, finding);
        }
    }

    /// Keeps a finding made once per render, unless one of an object earlier in apply
    /// order is kept.
    fn once(&mut self, key: (&'static str, String), order: Order, finding: Finding) {
        match self.once.entry(key) {
            std::collections::hash_map::Entry::Occupied(mut first) => {
                if order < first.get().0 {
                    first.insert((order, finding));
                }
            }
            std::collections::hash_map::Entry::Vacant(first) => {
                first.insert((order, finding));
            }
        }
    }

    /// Turns a finding into a diagnostic, unless `relax` allows it (a note) or the
    /// component suppresses it (nothing).
    fn report(&mut self, input: &Input, check: &Check, finding: Finding) {
        let reason = finding
            .object
            .as_deref()
            .and_then(|o| input.spec.relax.get_key_value(o))
            .filter(|(_, reason)| !reason.trim().is_empty());
        if let Some((key, reason)) = reason {
            // A relaxation stated in the spec: a note at the relax entry, never silent.
            self.relaxed.insert(key.clone());
            let at = Origin::key(&["relax", key]).span(input.merged);
            self.out.push(
                Diagnostic::finding(
                    check.code,
                    Severity::Info,
                    format!("relaxed: {} ({reason})", finding.message),
                )
                .at(at, "allowed here"),
            );
            return;
        }
        if check.suppressible && !matches!(finding.at, Origin::Span(_)) {
            let owner = finding.owner.as_deref().unwrap_or(finding.at.path());
            let suppressions = input.spec.suppressions(owner);
            if suppressions.iter().any(|s| s.code == check.code) {
                return;
            }
        }
        let span = finding.at.span(input.merged);
        let redact: Vec<Span> = finding
            .redact
            .iter()
            .map(|o| o.span(input.merged))
            .collect();
        let mut d = Diagnostic::finding(check.code, check.severity, finding.message)
            .at(span, finding.note)
            .with_help(finding.help);
        d.redact = redact;
        self.out.push(d);
    }

    /// The diagnostics of every batch, sorted by position (then by everything else, so
    /// the order does not depend on the batches), once each; `input` gives the spec, and
    /// the facts over every object.
    pub fn finish(mut self, input: &Input) -> Vec<Diagnostic> {
        for (check, finding) in std::mem::take(&mut self.pending) {
            let (fact, holds) = finding.depends.as_ref().expect("a pending finding's fact");
            if input.facts().holds(fact) == *holds {
                self.report(input, check, finding);
            }
        }
        let mut once: Vec<_> = std::mem::take(&mut self.once).into_iter().collect();
        once.sort_by(|a, b| a.0.cmp(&b.0));
        for ((code, _), (_, finding)) in once {
            let check = CHECKS
                .iter()
                .find(|c| c.code == code)
                .expect("a check's own code");
            self.report(input, check, finding);
        }
        let mut out = self.out;
        out.extend(relax_errors(input, &self.relaxed));
        fn key(d: &Diagnostic) -> (Option<Span>, &str, &str) {
            (d.primary.as_ref().map(|l| l.span), d.code, &d.message)
        }
        fn rest(d: &Diagnostic) -> (Severity, Option<&str>, Option<&str>, String) {
            (
                d.severity,
                d.primary.as_ref().map(|l| l.note.as_str()),
                d.help.as_deref(),
                format!("{:?}{:?}", d.secondary, d.redact),
            )
        }
        out.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| rest(a).cmp(&rest(b))));
        out.dedup();
        out
    }
}

/// Each `relax` entry must give a reason and allow something a check refuses: one that
/// names no rendered object, or an object nothing refuses, is an error at its key.
fn relax_errors(input: &Input, used: &foldhash::HashSet<String>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (key, reason) in &input.spec.relax {
        let at = Origin::key(&["relax", key.as_str()]).span(input.merged);
        if reason.trim().is_empty() {
            out.push(
                Diagnostic::error(
                    Code::SuppressionWithoutReason,
                    format!("`relax` of `{key}` gives no reason"),
                )
                .at(at, "no reason given")
                .help(format!("write why: `{key}: \"<reason>\"`")),
            );
            continue;
        }
        if used.contains(key) {
            continue;
        }
        let facts = input.facts();
        let exists = key
            .split_once('/')
            .is_some_and(|(kind, name)| facts.is_rendered(kind, name));
        let (message, help) = if exists {
            (
                format!("`relax` of `{key}` allows nothing: no check that a reason can relax refuses that object"),
                "remove the entry; a system namespace and Secret data are hard limits, which no reason relaxes, and a pod the namespace's `restricted` enforcement refuses is refused by the API server whatever the spec says".to_string(),
            )
        } else {
            let names: Vec<String> = facts
                .names()
                .map(|(kind, _, name)| format!("{kind}/{name}"))
                .collect();
            let near = crate::suggest::did_you_mean("", key, names.iter().map(String::as_str));
            (
                format!("`relax` of `{key}` matches no rendered object"),
                near.unwrap_or_else(|| {
                    "remove the entry, or name the object as `wfk render` writes it: `Kind/name`"
                        .to_string()
                }),
            )
        };
        out.push(
            Diagnostic::error(Code::RelaxTargetMissing, message)
                .at(at, "relaxed here")
                .help(help),
        );
    }
    out
}

/// The help of `invalid-reason`.
const NO_EQUALS: &str = "write it without `=`: the reason becomes checkov's skip annotation `ID=reason`, which checkov splits at `=`";

/// A suppression must name a suppressible check and give a reason that its scanners' skip
/// annotations can carry.
fn suppression_errors(input: &Input) -> Vec<Diagnostic> {
    let spec = input.spec;
    let entries = std::iter::once((vec!["defaults"], &spec.defaults.suppress))
        .chain(
            spec.components
                .iter()
                .map(|(n, c)| (vec!["components", n.as_str()], &c.suppress)),
        )
        .chain(
            spec.jobs
                .iter()
                .map(|(n, j)| (vec!["jobs", n.as_str()], &j.suppress)),
        );
    let mut out = Vec::new();
    for (owner, map) in entries {
        for (code, reason) in map {
            let mut path = owner.clone();
            path.extend(["suppress", code.as_str()]);
            let at = Origin::key(&path).span(input.merged);
            match CHECKS.iter().find(|check| check.code == code) {
                None => {
                    let near = crate::suggest::did_you_mean("", code, CHECKS.iter().map(|c| c.code));
                    out.push(
                        Diagnostic::error(Code::UnknownCheck, format!("there is no check `{code}` to suppress"))
                            .at(at, "not a check code")
                            .with_help(near),
                    );
                }
                Some(check) if !check.suppressible => out.push(
                    Diagnostic::error(Code::SuppressionNotAllowed, format!("`{code}` cannot be suppressed"))
                        .at(at, "suppressed here")
                        .help("fix what it reports; this check guards against a leaked secret or a broken apply"),
                ),
                Some(_) if reason.trim().is_empty() => out.push(
                    Diagnostic::error(Code::SuppressionWithoutReason, format!("suppressing `{code}` needs a reason"))
                        .at(at, "no reason given")
                        .help(format!("write why: `{code}: \"<reason>\"`")),
                ),
                Some(_) if !scanners::skips(code).is_empty() && !scanners::writable(reason) => {
                    let at = Origin::value(&path).span(input.merged);
                    out.push(
                        Diagnostic::error(Code::InvalidReason, format!("the reason for suppressing `{code}` contains `=`"))
                            .at(at, "`=` here")
                            .help(NO_EQUALS),
                    );
                }
                Some(_) => {}
            }
        }
    }
    let relaxations = spec
        .components
        .iter()
        .map(|(n, c)| (["components", n.as_str()], &c.security))
        .chain(
            spec.jobs
                .iter()
                .map(|(n, j)| (["jobs", n.as_str()], &j.security)),
        );
    for (owner, security) in relaxations {
        let relaxation = crate::platform::component::Relaxation::WritableRootFilesystem;
        if let Some(reason) = security.relax.get(&relaxation) {
            if !scanners::writable(reason) {
                let path = [
                    owner[0],
                    owner[1],
                    "security",
                    "relax",
                    "writableRootFilesystem",
                ];
                out.push(
                    Diagnostic::error(
                        Code::InvalidReason,
                        "the reason for `writableRootFilesystem` contains `=`",
                    )
                    .at(Origin::value(&path).span(input.merged), "`=` here")
                    .help(NO_EQUALS),
                );
            }
        }
    }
    out
}

/// Where an object comes from, as its builder, template or patch recorded it: the key of
/// its component, job, config map…, the namespace, or the template document.
pub(crate) fn origin_of(input: &Input, object: &Object) -> Origin {
    origin_named(input, object.kind(), object.name())
}

/// [`origin_of`] the object `kind`/`name`.
pub(crate) fn origin_named(input: &Input, kind: &str, name: &str) -> Origin {
    match input.origins.object(input.spec, kind, name) {
        Some(Source::Spec(path)) if path.is(&["namespace"]) => Origin::Value(path.to_vec()),
        Some(Source::Spec(path)) => Origin::Key(path.to_vec()),
        Some(Source::Template(span) | Source::Operation(span)) => Origin::Span(*span),
        None => Origin::value(&["platform"]),
    }
}

/// Where `field` of `object` comes from: the spec value, template or patch line the origins
/// map holds for it (or for its nearest parent that has a record).
pub(crate) fn field_origin(input: &Input, object: &Object, field: &str) -> Origin {
    let sources = input
        .origins
        .field(input.spec, object.kind(), object.name(), field);
    match sources.first().map(|(_, s)| *s) {
        Some(Source::Spec(path)) => Origin::Value(path.to_vec()),
        Some(Source::Template(span) | Source::Operation(span)) => Origin::Span(*span),
        None => origin_of(input, object),
    }
}

/// The pod template of a workload.
pub(crate) fn pod_template(
    object: &Object,
) -> Option<&k8s_openapi::api::core::v1::PodTemplateSpec> {
    match object {
        Object::Deployment(d) => d.spec.as_ref().map(|s| &s.template),
        Object::StatefulSet(s) => s.spec.as_ref().map(|s| &s.template),
        Object::Job(j) => j.spec.as_ref().map(|s| &s.template),
        Object::CronJob(c) => c
            .spec
            .as_ref()
            .and_then(|s| s.job_template.spec.as_ref())
            .map(|s| &s.template),
        _ => None,
    }
}

/// Every image the spec names, with its path.
pub(crate) fn images(input: &Input) -> Vec<(Vec<String>, String)> {
    input
        .spec
        .images()
        .into_iter()
        .map(|(path, image)| (path, image.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::CHECKS;

    #[test]
    fn every_check_lives_in_a_file_named_after_its_code() {
        for check in CHECKS {
            assert_eq!(
                check.module,
                check.code.replace('-', "_"),
                "check/{}.rs",
                check.module
            );
        }
    }

    #[test]
    fn every_check_documents_what_why_example_and_fix() {
        for check in CHECKS {
            for part in ["What it checks", "Why", "Example", "Fix"] {
                let text = check.doc(part);
                assert!(
                    text.as_deref().is_some_and(|t| !t.contains("## ")),
                    "`{}`: part `{part}`: {text:?}",
                    check.code
                );
            }
        }
        let latest = CHECKS.iter().find(|c| c.code == "image-latest").unwrap();
        assert_eq!(
            latest.doc("What it checks").as_deref(),
            Some("An image with no tag, or the tag `latest`.")
        );
        assert_eq!(latest.doc("Nonexistent"), None);
    }
}
