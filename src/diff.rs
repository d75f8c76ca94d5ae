//! Object-by-object comparison of two renders, and of two merged specs.
//!
//! Objects are paired by kind and name, seeing through what differs by design between
//! environments: the namespace, the Namespace object's own name, and the spec hash at the
//! end of a Job's name. Each pair is compared field by field; a list of objects with a
//! `name` (containers, env vars, ports) is compared entry by entry under that name, so
//! `spec.template.spec.containers[api].resources.limits.cpu` reads as what it is.

pub mod immutable;

use foldhash::{HashSet, HashSetExt};
use serde_json::Value;
use std::collections::BTreeMap;
use std::hash::BuildHasher as _;

/// The annotation whose value is a checksum: shown as "config changed", never as hashes.
const CHECKSUM: &str = "checksum/config";

/// One object of a render, as data.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub kind: String,
    pub name: String,
    /// `metadata.namespace`, empty when the object has none.
    pub namespace: String,
    /// The whole object; `Null` once compared, unless the comparison was asked to keep
    /// whole objects ([`compare`]).
    pub value: Value,
}

impl Rendered {
    pub fn new(value: Value) -> Rendered {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        Rendered {
            kind: text(&value["kind"]),
            name: text(&value["metadata"]["name"]),
            namespace: text(&value["metadata"]["namespace"]),
            value,
        }
    }

    /// The key objects are paired by.
    pub fn key(&self) -> (String, String) {
        key(&self.kind, &self.name)
    }

    /// The object without its data: what a report keeps of an object it does not show.
    fn named(self) -> Rendered {
        Rendered {
            value: Value::Null,
            ..self
        }
    }
}

/// The key objects of `kind` named `name` are paired by.
fn key(kind: &str, name: &str) -> (String, String) {
    let name = match kind {
        "Namespace" => "",
        "Job" => strip_hash(name),
        _ => name,
    };
    (kind.to_string(), name.to_string())
}

/// One object of a side of a comparison: made data only when it is compared, so neither
/// side is held whole as data.
pub trait Compared {
    fn kind(&self) -> &str;
    fn name(&self) -> &str;
    fn rendered(self) -> Result<Rendered, serde_json::Error>;
}

impl Compared for Rendered {
    fn kind(&self) -> &str {
        &self.kind
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn rendered(self) -> Result<Rendered, serde_json::Error> {
        Ok(self)
    }
}

impl Compared for crate::build::object::Object {
    fn kind(&self) -> &str {
        crate::build::object::Object::kind(self)
    }

    fn name(&self) -> &str {
        crate::build::object::Object::name(self)
    }

    fn rendered(self) -> Result<Rendered, serde_json::Error> {
        serde_json::to_value(&self).map(Rendered::new)
    }
}

/// The Kubernetes objects of a render or a manifest file: a JSON object or `List`, or a
/// YAML stream whose documents may be `List`s too. Every object needs `kind` and
/// `metadata.name`. The parsers' own messages quote the input, which may hold a Secret:
/// errors say only where.
pub fn documents(file: &std::path::Path, text: &str) -> anyhow::Result<Vec<Value>> {
    let values: Vec<Value> = if file.extension().is_some_and(|e| e == "json") {
        vec![serde_json::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "`{}` is not JSON (line {}, column {})",
                file.display(),
                e.line(),
                e.column()
            )
        })?]
    } else {
        serde_saphyr::from_multiple_with_options(text, options(text.len())).map_err(|e| {
            let at = e.location().map_or(String::new(), |l| {
                format!(" (line {}, column {})", l.line(), l.column())
            });
            anyhow::anyhow!("`{}` is not a YAML stream{at}", file.display())
        })?
    };
    let mut out = Vec::new();
    let mut stack: Vec<Value> = values.into_iter().rev().collect();
    while let Some(value) = stack.pop() {
        match value {
            Value::Null => {}
            Value::Object(ref o) if o.get("kind").and_then(Value::as_str) == Some("List") => {
                let items = o.get("items").and_then(Value::as_array).cloned();
                stack.extend(items.into_iter().flatten().rev().filter(|i| i.is_object()));
            }
            Value::Object(_) => {
                let named = |v: &Value| v.as_str().is_some_and(|s| !s.is_empty());
                if !named(&value["kind"]) || !named(&value["metadata"]["name"]) {
                    anyhow::bail!(
                        "`{}` holds a document without `kind` or `metadata.name`",
                        file.display()
                    );
                }
                out.push(value);
            }
            _ => anyhow::bail!(
                "`{}` holds something that is not a Kubernetes object",
                file.display()
            ),
        }
    }
    Ok(out)
}

/// The reader's limits for an earlier render of `len` bytes. Its defaults (1,024
/// documents, 250,000 nodes, a million events) are below what wfk itself writes for a
/// large platform (1,000 components: 5,005 documents), so those three grow with the text,
/// which is bounded already ([`crate::emit::MAX_OUTPUT_BYTES`]): a document takes at least
/// four bytes (`---` and a line end), a node two and an event one. The limits on aliases,
/// anchors and depth, which let a small text expand, stay as they are.
fn options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_documents = budget.max_documents.max(len / 4);
    budget.max_nodes = budget.max_nodes.max(len / 2);
    budget.max_events = budget.max_events.max(len);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// `gorax-migrate-1a2b3c4d` → `gorax-migrate`.
fn strip_hash(name: &str) -> &str {
    match name.rsplit_once('-') {
        Some((base, hash)) if hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            base
        }
        _ => name,
    }
}

/// How one object differs.
#[derive(Clone, Debug)]
pub enum Change {
    Added(Rendered),
    Removed(Rendered),
    Changed {
        a: Rendered,
        b: Rendered,
        fields: Vec<Field>,
    },
}

impl Change {
    pub fn object(&self) -> &Rendered {
        match self {
            Change::Added(o) | Change::Removed(o) => o,
            Change::Changed { b, .. } => b,
        }
    }
}

/// One differing field: its path and the value on each side (None: absent).
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub path: String,
    pub a: Option<Value>,
    pub b: Option<Value>,
}

impl Field {
    /// A checksum annotation: its values mean nothing to a reader.
    pub fn is_checksum(&self) -> bool {
        self.path.ends_with(&format!("annotations.{CHECKSUM}"))
    }
}

/// The result of comparing two renders.
#[derive(Debug, Default)]
pub struct Report {
    pub changes: Vec<Change>,
    pub same: usize,
}

impl Report {
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |f: fn(&Change) -> bool| self.changes.iter().filter(|c| f(c)).count();
        (
            count(|c| matches!(c, Change::Added(_))),
            count(|c| matches!(c, Change::Removed(_))),
            count(|c| matches!(c, Change::Changed { .. })),
        )
    }
}

/// Compares render `a` with render `b`, object by object, keeping whole objects.
pub fn objects(a: Vec<Rendered>, b: Vec<Rendered>) -> Report {
    match compare(a, b, true) {
        Ok(report) => report,
        Err(e) => unreachable!("data is data: {e}"),
    }
}

/// Compares render `a` with render `b`, object by object. Each pair is made data when it
/// is compared, and dropped after it unless `whole` (a unified diff shows whole objects):
/// a report holds the differing fields, not two renders.
pub fn compare<A: Compared, B: Compared>(
    a: Vec<A>,
    b: Vec<B>,
    whole: bool,
) -> Result<Report, serde_json::Error> {
    let mut left: BTreeMap<(String, String), A> = a
        .into_iter()
        .map(|o| (key(o.kind(), o.name()), o))
        .collect();
    let mut changes = Changes::new(whole);
    for object in b {
        let at = key(object.kind(), object.name());
        match left.remove(&at) {
            None => changes.added(at, object)?,
            Some(old) => changes.pair(at, old, object)?,
        }
    }
    for (at, o) in left {
        changes.removed(at, o)?;
    }
    Ok(changes.report())
}

/// A change, by the key of its objects and then what it is (removed, added, changed).
type Keyed = (((String, String), u8), Change);

/// The changes found so far, by the key of their objects.
struct Changes {
    whole: bool,
    changes: Vec<Keyed>,
    same: usize,
}

impl Changes {
    fn new(whole: bool) -> Changes {
        Changes {
            whole,
            changes: Vec::new(),
            same: 0,
        }
    }

    /// Compares the two objects of key `at`.
    fn pair(
        &mut self,
        at: (String, String),
        old: impl Compared,
        new: impl Compared,
    ) -> Result<(), serde_json::Error> {
        let (old, new) = (old.rendered()?, new.rendered()?);
        let fields = fields(&comparable(&old.value), &comparable(&new.value));
        if fields.is_empty() {
            self.same += 1;
            return Ok(());
        }
        let kept = |o: Rendered| if self.whole { o } else { o.named() };
        self.changes.push((
            (at, 2),
            Change::Changed {
                a: kept(old),
                b: kept(new),
                fields,
            },
        ));
        Ok(())
    }

    fn added(&mut self, at: (String, String), new: impl Compared) -> Result<(), serde_json::Error> {
        self.changes
            .push(((at, 1), Change::Added(new.rendered()?.named())));
        Ok(())
    }

    fn removed(
        &mut self,
        at: (String, String),
        old: impl Compared,
    ) -> Result<(), serde_json::Error> {
        self.changes
            .push(((at, 0), Change::Removed(old.rendered()?.named())));
        Ok(())
    }

    /// The report: the changes in the order of their keys.
    fn report(mut self) -> Report {
        self.changes.sort_by(|x, y| x.0.cmp(&y.0));
        Report {
            changes: self.changes.into_iter().map(|(_, c)| c).collect(),
            same: self.same,
        }
    }
}

/// [`compare`] on objects that come a few at a time from either side: each pair is
/// compared as soon as both of its objects are in, and dropped, so what is held is the
/// objects not yet paired. The same report as [`compare`] on the two sides whole, unless
/// a key comes twice on one side ([`Pairs::twice`]): then the sides must be compared whole.
pub struct Pairs<A, B> {
    changes: Changes,
    /// The objects of each side not yet paired, by key.
    a: foldhash::HashMap<(String, String), A>,
    b: foldhash::HashMap<(String, String), B>,
    /// A hash of every key each side has had: two keys with one hash are taken for a key
    /// that came twice, which only costs comparing the sides whole.
    seen: (HashSet<u64>, HashSet<u64>),
    hasher: foldhash::fast::FixedState,
    twice: bool,
}

impl<A: Compared, B: Compared> Pairs<A, B> {
    /// Pairs to compare; `whole` as in [`compare`].
    pub fn new(whole: bool) -> Self {
        Pairs {
            changes: Changes::new(whole),
            a: Default::default(),
            b: Default::default(),
            seen: Default::default(),
            hasher: foldhash::fast::FixedState::default(),
            twice: false,
        }
    }

    /// Whether a key came twice on one side, so that this comparison is not the sides'.
    pub fn twice(&self) -> bool {
        self.twice
    }

    /// Objects of the first side.
    pub fn a(&mut self, objects: impl IntoIterator<Item = A>) -> Result<(), serde_json::Error> {
        for object in objects {
            let at = key(object.kind(), object.name());
            self.twice |= !self.seen.0.insert(self.hasher.hash_one(&at));
            match self.b.remove(&at) {
                Some(new) => self.changes.pair(at, object, new)?,
                None => {
                    self.a.insert(at, object);
                }
            }
        }
        Ok(())
    }

    /// Objects of the second side.
    pub fn b(&mut self, objects: impl IntoIterator<Item = B>) -> Result<(), serde_json::Error> {
        for object in objects {
            let at = key(object.kind(), object.name());
            self.twice |= !self.seen.1.insert(self.hasher.hash_one(&at));
            match self.a.remove(&at) {
                Some(old) => self.changes.pair(at, old, object)?,
                None => {
                    self.b.insert(at, object);
                }
            }
        }
        Ok(())
    }

    /// The report, once every object of both sides is in.
    pub fn report(mut self) -> Result<Report, serde_json::Error> {
        for (at, old) in std::mem::take(&mut self.a) {
            self.changes.removed(at, old)?;
        }
        for (at, new) in std::mem::take(&mut self.b) {
            self.changes.added(at, new)?;
        }
        Ok(self.changes.report())
    }
}

/// The annotation `kubectl apply` keeps the last applied object in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// An object without what differs by design: its namespace, a Namespace's name, a Secret's
/// data (never shown).
pub fn comparable(value: &Value) -> Value {
    let mut v = value.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("namespace");
        if value["kind"] == "Namespace" {
            meta.remove("name");
        }
    }
    if value["kind"] == "Secret" {
        // `kubectl apply` keeps the whole object, data included, in an annotation.
        if let Some(last) = v
            .pointer_mut("/metadata/annotations")
            .and_then(Value::as_object_mut)
            .and_then(|a| a.get_mut(LAST_APPLIED))
        {
            *last = Value::String("(secret)".into());
        }
        for key in ["data", "stringData"] {
            if let Some(data) = v.get_mut(key).and_then(Value::as_object_mut) {
                for (_, value) in data.iter_mut() {
                    *value = Value::String("(secret)".into());
                }
            }
        }
    }
    v
}

/// The differing fields of two values, by path. A list entry on one side only (a new
/// container, a new topology constraint) is one field with the whole entry.
pub fn fields(a: &Value, b: &Value) -> Vec<Field> {
    let (mut fa, mut fb) = (BTreeMap::new(), BTreeMap::new());
    let (mut ea, mut eb) = (BTreeMap::new(), BTreeMap::new());
    let mut sides = Sides {
        a: (&mut fa, &mut ea),
        b: (&mut fb, &mut eb),
    };
    flatten_pair(Some(a), Some(b), String::new(), &mut sides);
    let mut out = Vec::new();
    // The entries on one side only, shown whole: every path under one is left out. An
    // entry's path ends in `]`, so a path lies under one when it is one up to a `]`.
    let mut whole: HashSet<String> = HashSet::new();
    let inside = |whole: &HashSet<String>, p: &str| {
        p.match_indices(']').any(|(i, _)| whole.contains(&p[..=i]))
    };
    for (path, va) in &ea {
        if !eb.contains_key(path) && !inside(&whole, path) {
            out.push(Field {
                path: path.clone(),
                a: Some((*va).clone()),
                b: None,
            });
            whole.insert(path.clone());
        }
    }
    for (path, vb) in &eb {
        if !ea.contains_key(path) && !inside(&whole, path) {
            out.push(Field {
                path: path.clone(),
                a: None,
                b: Some((*vb).clone()),
            });
            whole.insert(path.clone());
        }
    }
    fa.retain(|p, _| !inside(&whole, p));
    fb.retain(|p, _| !inside(&whole, p));
    for (path, va) in &fa {
        match fb.get(path) {
            Some(vb) if vb == va => {}
            vb => out.push(Field {
                path: path.clone(),
                a: Some((*va).clone()),
                b: vb.map(|v| (*v).clone()),
            }),
        }
    }
    for (path, vb) in &fb {
        if !fa.contains_key(path) {
            out.push(Field {
                path: path.clone(),
                a: None,
                b: Some((*vb).clone()),
            });
        }
    }
    out.sort_by(|x, y| x.path.cmp(&y.path));
    out
}

/// The leaves and entries of each side ([`flatten`]).
struct Sides<'s, 'a> {
    a: Flat<'s, 'a>,
    b: Flat<'s, 'a>,
}

type Flat<'s, 'a> = (
    &'s mut BTreeMap<String, &'a Value>,
    &'s mut BTreeMap<String, &'a Value>,
);

/// [`flatten`] of both sides at `path`, where the two are equal left out: it has the same
/// leaves and entries at the same paths on both sides, so it differs nowhere. Mappings
/// are walked key by key (a key has one path on both sides); anything else is flattened
/// on each side as it is.
fn flatten_pair<'a>(
    a: Option<&'a Value>,
    b: Option<&'a Value>,
    path: String,
    sides: &mut Sides<'_, 'a>,
) {
    if let (Some(a), Some(b)) = (a, b) {
        if a == b {
            return;
        }
        if let (Value::Object(ma), Value::Object(mb)) = (a, b) {
            if !ma.is_empty() && !mb.is_empty() {
                for (k, va) in ma {
                    flatten_pair(Some(va), mb.get(k), join(&path, k), sides);
                }
                for (k, vb) in mb {
                    if !ma.contains_key(k) {
                        flatten_pair(None, Some(vb), join(&path, k), sides);
                    }
                }
                return;
            }
        }
    }
    if let Some(a) = a {
        flatten(a, path.clone(), sides.a.0, sides.a.1);
    }
    if let Some(b) = b {
        flatten(b, path, sides.b.0, sides.b.1);
    }
}

/// `path.key`, or `key` at the root.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        let mut out = String::with_capacity(path.len() + 1 + key.len());
        out.push_str(path);
        out.push('.');
        out.push_str(key);
        out
    }
}

/// Leaves of a value by path, and the entries of lists of objects. Lists whose entries
/// all have a `name` (or `metadata.name`) are keyed by it; other lists of objects by index;
/// lists of scalars are one leaf.
fn flatten<'a>(
    value: &'a Value,
    path: String,
    out: &mut BTreeMap<String, &'a Value>,
    entries: &mut BTreeMap<String, &'a Value>,
) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                flatten(v, join(&path, k), out, entries);
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            let name = |i: &Value| {
                i["name"]
                    .as_str()
                    .or(i["metadata"]["name"].as_str())
                    .map(String::from)
            };
            let named = items.iter().all(|i| name(i).is_some());
            for (i, item) in items.iter().enumerate() {
                let index = if named {
                    name(item).unwrap_or_default()
                } else {
                    i.to_string()
                };
                let at = format!("{path}[{index}]");
                entries.insert(at.clone(), item);
                flatten(item, at, out, entries);
            }
        }
        _ => {
            out.insert(path, value);
        }
    }
}

/// The lines that differ between two texts, `-` and `+`, each indented by `indent`.
pub fn changed_lines(a: &str, b: &str, indent: &str) -> String {
    let mut out = String::new();
    for change in similar::TextDiff::from_lines(a, b).iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => continue,
        };
        out.push_str(&format!(
            "{indent}{sign} {}\n",
            change.value().trim_end_matches('\n')
        ));
    }
    out
}

/// A unified diff of two objects' YAML.
pub fn unified(a: &str, b: &str, a_name: &str, b_name: &str) -> String {
    similar::TextDiff::from_lines(a, b)
        .unified_diff()
        .context_radius(3)
        .header(a_name, b_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(ns: &str, replicas: u32, cpu: &str) -> Rendered {
        Rendered::new(json!({
            "kind": "Deployment",
            "metadata": { "name": "p-api", "namespace": ns, "labels": { "app.kubernetes.io/name": "api" } },
            "spec": { "replicas": replicas, "template": { "spec": { "containers": [
                { "name": "api", "resources": { "limits": { "cpu": cpu } } }
            ] } } }
        }))
    }

    #[test]
    fn pairs_across_namespaces_and_names_fields_by_container() {
        let report = objects(
            vec![deployment("p-dev", 1, "1")],
            vec![deployment("p-prod", 3, "2")],
        );
        let Change::Changed { fields, .. } = &report.changes[0] else {
            panic!()
        };
        let paths: Vec<&str> = fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.replicas",
                "spec.template.spec.containers[api].resources.limits.cpu"
            ]
        );
    }

    /// An object of `kind` named `name` whose one field is `v`.
    fn object(kind: &str, name: &str, v: u32) -> Rendered {
        Rendered::new(json!({ "kind": kind, "metadata": { "name": name }, "spec": { "v": v } }))
    }

    #[test]
    fn pairs_that_come_in_any_chunks_make_the_report_of_the_whole_sides() {
        // Each side: some objects only there, some on both (equal or not), in an order
        // of its own; the chunks of each side come in turn.
        let a: Vec<Rendered> = (0..40)
            .map(|i| {
                object(
                    ["Service", "Deployment"][i % 2],
                    &format!("o{i}"),
                    (i % 3) as u32,
                )
            })
            .collect();
        let b: Vec<Rendered> = (10..50)
            .rev()
            .map(|i| {
                object(
                    ["Service", "Deployment"][i % 2],
                    &format!("o{i}"),
                    (i % 4) as u32,
                )
            })
            .collect();
        for unified in [false, true] {
            let expected = format!("{:?}", compare(a.clone(), b.clone(), unified).unwrap());
            for (size_a, size_b) in [(1, 1), (3, 7), (40, 1), (1, 40), (40, 40)] {
                let mut pairs = Pairs::new(unified);
                let (mut ca, mut cb) = (a.chunks(size_a), b.chunks(size_b));
                loop {
                    let (x, y) = (ca.next(), cb.next());
                    if x.is_none() && y.is_none() {
                        break;
                    }
                    pairs.a(x.unwrap_or_default().to_vec()).unwrap();
                    pairs.b(y.unwrap_or_default().to_vec()).unwrap();
                }
                assert!(!pairs.twice());
                let report = format!("{:?}", pairs.report().unwrap());
                assert_eq!(report, expected, "chunks of {size_a} and {size_b}");
            }
        }
    }

    #[test]
    fn pairs_say_when_a_key_comes_twice_on_one_side() {
        // Namespaces pair whatever their name, as Jobs do whatever their hash.
        let mut pairs = Pairs::new(false);
        pairs.a([object("Namespace", "p-dev", 1)]).unwrap();
        pairs.b([object("Namespace", "p-prod", 1)]).unwrap();
        assert!(!pairs.twice());
        pairs.b([object("Namespace", "other", 1)]).unwrap();
        assert!(pairs.twice());
        let mut pairs = Pairs::<Rendered, Rendered>::new(false);
        pairs.a([object("Job", "p-migrate-0a1b2c3d", 1)]).unwrap();
        pairs.a([object("Job", "p-migrate-4e5f6a7b", 2)]).unwrap();
        assert!(pairs.twice());
    }

    #[test]
    fn identical_objects_are_the_same_and_extra_ones_added_or_removed() {
        let report = objects(vec![deployment("a", 1, "1")], vec![deployment("b", 1, "1")]);
        assert_eq!((report.counts(), report.same), ((0, 0, 0), 1));
        let report = objects(vec![deployment("a", 1, "1")], vec![]);
        assert_eq!(report.counts(), (0, 1, 0));
    }

    #[test]
    fn equal_parts_are_skipped_and_every_difference_is_one_field() {
        let a = json!({ "spec": {
            "same": { "x": 1, "list": [{ "name": "a", "v": 1 }] },
            "diff": { "k": 1 },
            "onlyA": { "z": [1, 2] },
            "list": [{ "name": "p", "v": 1 }, { "name": "q", "v": 2 }],
        } });
        let b = json!({ "spec": {
            "same": { "x": 1, "list": [{ "name": "a", "v": 1 }] },
            "diff": { "k": 2 },
            "onlyB": {},
            "list": [{ "name": "p", "v": 3 }, { "name": "r", "v": 2 }],
        } });
        let got: Vec<(String, Option<Value>, Option<Value>)> = fields(&a, &b)
            .into_iter()
            .map(|f| (f.path, f.a, f.b))
            .collect();
        let field = |p: &str, a: Option<Value>, b: Option<Value>| (p.to_string(), a, b);
        assert_eq!(
            got,
            [
                field("spec.diff.k", Some(json!(1)), Some(json!(2))),
                field("spec.list[p].v", Some(json!(1)), Some(json!(3))),
                field("spec.list[q]", Some(json!({ "name": "q", "v": 2 })), None),
                field("spec.list[r]", None, Some(json!({ "name": "r", "v": 2 }))),
                field("spec.onlyA.z", Some(json!([1, 2])), None),
                field("spec.onlyB", None, Some(json!({}))),
            ]
        );
        assert!(fields(&a, &a).is_empty());
    }

    #[test]
    fn a_jobs_hash_does_not_break_the_pair() {
        assert_eq!(strip_hash("p-migrate-0a1b2c3d"), "p-migrate");
        assert_eq!(strip_hash("p-migrate"), "p-migrate");
    }
}
