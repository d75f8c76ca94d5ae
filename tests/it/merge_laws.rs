//! Laws of the merge, checked on generated documents.
//!
//! Each case generates a base and one or more overlays as nested mappings (at most four
//! levels, keys from a small alphabet so that the files name the same keys often, leaves
//! that YAML readers disagree about), renders them to YAML text, parses them with
//! [`wfk::load::parse`] and merges them with [`wfk::merge::Merged`]. The laws:
//!
//! - an empty overlay changes nothing;
//! - every value an overlay sets is the value after the merge, from the overlay's position;
//! - a plain `null`, `~` or empty value removes a key, a quoted one is a string;
//! - a key only the base names keeps its base value and position;
//! - every leaf points at a line of its file that holds its key;
//! - the merge is deterministic, and agrees with a small reference model (key order too).

use marked_yaml::Node;
use proptest::prelude::*;
use proptest::test_runner::TestCaseResult;
use serde_json::Value as Json;
use wfk::load;
use wfk::merge::{self, Lookup, Merged};
use wfk::source::{SourceMap, Span};
use wfk::tree;

type Path = Vec<String>;

/// Keys of every level. Few, so that base and overlays overlap; `null`, `on` and `x.y` are
/// keys that a careless reader would turn into something else.
const KEYS: &[&str] = &["a", "b", "c", "on", "null", "x.y"];

/// How a generated scalar is meant to be read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// A plain scalar that is not null: read with the YAML 1.2 core schema.
    Plain,
    /// A plain `null`, `~` or empty value.
    Null,
    /// A quoted scalar: always the string it quotes.
    Quoted(&'static str),
}

/// Scalars as written in the file, with how each must be read.
const LEAVES: &[(&str, Kind)] = &[
    ("no", Kind::Plain),
    ("yes", Kind::Plain),
    ("off", Kind::Plain),
    ("0755", Kind::Plain),
    ("0", Kind::Plain),
    ("-3", Kind::Plain),
    ("1.5", Kind::Plain),
    ("1e3", Kind::Plain),
    ("true", Kind::Plain),
    ("False", Kind::Plain),
    ("0x1F", Kind::Plain),
    (".inf", Kind::Plain),
    ("1_000", Kind::Plain),
    ("2024-01-01", Kind::Plain),
    ("gorax", Kind::Plain),
    ("two words", Kind::Plain),
    ("100m/250m", Kind::Plain),
    ("http://x:80/y", Kind::Plain),
    ("ünïcode", Kind::Plain),
    ("null", Kind::Null),
    ("~", Kind::Null),
    ("", Kind::Null),
    ("Null", Kind::Null),
    ("NULL", Kind::Null),
    ("\"null\"", Kind::Quoted("null")),
    ("'~'", Kind::Quoted("~")),
    ("\"NULL\"", Kind::Quoted("NULL")),
    ("\"\"", Kind::Quoted("")),
    ("''", Kind::Quoted("")),
    ("\"0755\"", Kind::Quoted("0755")),
    ("'no'", Kind::Quoted("no")),
    ("\"true\"", Kind::Quoted("true")),
    ("\"a: b\"", Kind::Quoted("a: b")),
    ("\"# not a comment\"", Kind::Quoted("# not a comment")),
    ("\"tab\\there\"", Kind::Quoted("tab\there")),
    ("'it''s'", Kind::Quoted("it's")),
];

#[derive(Clone, Copy, Debug)]
struct Leaf {
    text: &'static str,
    kind: Kind,
}

impl Leaf {
    /// The JSON the leaf must read as.
    fn json(self) -> Json {
        match self.kind {
            Kind::Plain => tree::plain_scalar(self.text),
            Kind::Null => Json::Null,
            Kind::Quoted(s) => Json::String(s.to_string()),
        }
    }

    /// Whether the leaf can be an element of a flow sequence as it is written.
    fn fits_in_flow(self) -> bool {
        !self.text.is_empty()
            && (matches!(self.kind, Kind::Quoted(_)) || !self.text.contains([':', ',', '#']))
    }
}

/// A generated value.
#[derive(Clone, Debug)]
enum Gen {
    Scalar(Leaf),
    /// A flow sequence of scalars, `[no, "null", ~]`.
    List(Vec<Leaf>),
    /// A block mapping, or `{}` when empty.
    Map(Vec<Entry>),
}

/// What surrounds an entry in the text: nothing, a comment line above, a blank line above
/// or a comment after it.
#[derive(Clone, Copy, Debug)]
enum Deco {
    Bare,
    CommentAbove,
    BlankAbove,
    CommentAfter,
}

#[derive(Clone, Debug)]
struct Entry {
    key: &'static str,
    value: Gen,
    deco: Deco,
}

fn leaf() -> impl Strategy<Value = Leaf> {
    prop::sample::select(LEAVES).prop_map(|(text, kind)| Leaf { text, kind })
}

fn deco() -> impl Strategy<Value = Deco> {
    prop_oneof![
        6 => Just(Deco::Bare),
        1 => Just(Deco::CommentAbove),
        1 => Just(Deco::BlankAbove),
        1 => Just(Deco::CommentAfter),
    ]
}

fn value() -> impl Strategy<Value = Gen> {
    let flat = prop_oneof![
        8 => leaf().prop_map(Gen::Scalar),
        1 => prop::collection::vec(leaf().prop_filter("fits in a flow sequence", |l| l.fits_in_flow()), 0..4)
            .prop_map(Gen::List),
        1 => Just(Gen::Map(Vec::new())),
    ];
    // Three levels under the root: at most four levels of mappings.
    flat.prop_recursive(3, 48, 4, |inner| entries(inner, 0..=4).prop_map(Gen::Map))
}

fn entries(
    value: impl Strategy<Value = Gen>,
    size: impl Into<prop::collection::SizeRange>,
) -> impl Strategy<Value = Vec<Entry>> {
    prop::collection::btree_map(prop::sample::select(KEYS), (value, deco()), size)
        .prop_map(|map| {
            map.into_iter()
                .map(|(key, (value, deco))| Entry { key, value, deco })
                .collect::<Vec<_>>()
        })
        .prop_shuffle()
}

/// A document: a root mapping, possibly empty.
fn document() -> impl Strategy<Value = Vec<Entry>> {
    entries(value(), 0..=4)
}

/// A document with at least one key.
fn non_empty_document() -> impl Strategy<Value = Vec<Entry>> {
    entries(value(), 1..=4)
}

/// Renders a document as block YAML, two spaces per level.
fn render(doc: &[Entry]) -> String {
    let mut out = String::new();
    render_into(doc, 0, &mut out);
    out
}

fn render_into(doc: &[Entry], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for entry in doc {
        match entry.deco {
            Deco::CommentAbove => out.push_str(&format!("{pad}# about {}\n", entry.key)),
            Deco::BlankAbove => out.push('\n'),
            Deco::Bare | Deco::CommentAfter => {}
        }
        let value = match &entry.value {
            Gen::Scalar(leaf) => leaf.text.to_string(),
            Gen::List(items) => {
                let items: Vec<&str> = items.iter().map(|l| l.text).collect();
                format!("[{}]", items.join(", "))
            }
            Gen::Map(children) if children.is_empty() => "{}".to_string(),
            Gen::Map(_) => String::new(),
        };
        let mut line = format!("{pad}{}:", entry.key);
        if !value.is_empty() {
            line.push(' ');
            line.push_str(&value);
        }
        if let Deco::CommentAfter = entry.deco {
            line.push_str(" # trailing");
        }
        out.push_str(&line);
        out.push('\n');
        if let Gen::Map(children) = &entry.value {
            render_into(children, indent + 2, out);
        }
    }
}

/// Registers each text (the first is the base) and parses it.
fn load_all(texts: &[String]) -> (SourceMap, Vec<Node>) {
    let mut map = SourceMap::default();
    let mut nodes = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let name = match i {
            0 => "platform.yaml".to_string(),
            i => format!("overlays/o{i}.yaml"),
        };
        let id = map.add(name, text.as_str());
        match load::parse(id, text) {
            Ok(node) => nodes.push(node),
            Err(d) => panic!("generated YAML does not parse: {d:?}\n---\n{text}---"),
        }
    }
    (map, nodes)
}

fn merge_all(nodes: Vec<Node>) -> Merged {
    let mut nodes = nodes.into_iter();
    let mut merged = Merged::new(nodes.next().expect("a base"));
    for overlay in nodes {
        merged.layer(overlay);
    }
    merged
}

/// Every mapping entry of a tree, depth first, with its path.
fn entries_of(node: &Node) -> Vec<(Path, &Node)> {
    fn walk<'a>(node: &'a Node, path: &mut Path, out: &mut Vec<(Path, &'a Node)>) {
        if let Some(map) = node.as_mapping() {
            for (k, v) in map.iter() {
                path.push(k.as_str().to_string());
                out.push((path.clone(), v));
                walk(v, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    walk(node, &mut Vec::new(), &mut out);
    out
}

/// The entries whose value is a scalar or a sequence.
fn leaves_of(node: &Node) -> Vec<(Path, &Node)> {
    entries_of(node)
        .into_iter()
        .filter(|(_, n)| n.as_mapping().is_none())
        .collect()
}

/// The generated leaves (scalars, lists, empty maps) with their paths.
fn gen_leaves(doc: &[Entry]) -> Vec<(Path, &Gen)> {
    fn walk<'a>(doc: &'a [Entry], path: &mut Path, out: &mut Vec<(Path, &'a Gen)>) {
        for entry in doc {
            path.push(entry.key.to_string());
            match &entry.value {
                Gen::Map(children) if !children.is_empty() => walk(children, path, out),
                value => out.push((path.clone(), value)),
            }
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut Vec::new(), &mut out);
    out
}

/// Whether `overlay` decides what is at `path`: it names the path itself, or replaces one of
/// its parents with something that is not a mapping.
fn shadows(overlay: &Node, path: &[String]) -> bool {
    let mut node = overlay;
    for key in path {
        let Some(map) = node.as_mapping() else {
            return true;
        };
        match map.get_node(key) {
            Some(next) => node = next,
            None => return false,
        }
    }
    true
}

/// JSON with the nulls of mappings dropped, as the merge reads a base: a null in a sequence
/// stays.
fn without_nulls(json: &Json) -> Json {
    match json {
        Json::Object(map) => Json::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

fn span(node: &Node) -> Option<Span> {
    Span::of(node.span())
}

/// Line `line` (1-based) of source `id`, from column `col` (1-based, in characters) on.
fn text_at(map: &SourceMap, at: Span) -> Option<String> {
    let text = &map.get(at.source)?.text;
    let line = text.split('\n').nth(at.line.checked_sub(1)?)?;
    Some(line.chars().skip(at.col.checked_sub(1)?).collect())
}

/// Whole line `line` of source `id`.
fn line_at(map: &SourceMap, at: Span) -> Option<String> {
    text_at(map, Span { col: 1, ..at })
}

/// An ordered picture of a merged tree: for each leaf its JSON and its position, for each
/// mapping its entries in order. The reference model works on this.
#[derive(Clone, Debug, PartialEq)]
enum Shape {
    Leaf(Json, Option<Span>),
    Map(Vec<(String, Shape)>),
}

fn shape(node: &Node) -> Shape {
    match node.as_mapping() {
        Some(map) => Shape::Map(
            map.iter()
                .map(|(k, v)| (k.as_str().to_string(), shape(v)))
                .collect(),
        ),
        None => Shape::Leaf(tree::to_json(node), span(node)),
    }
}

fn is_null_shape(shape: &Shape) -> bool {
    matches!(shape, Shape::Leaf(Json::Null, _))
}

fn model_drop_nulls(shape: Shape) -> Shape {
    match shape {
        Shape::Map(entries) => Shape::Map(
            entries
                .into_iter()
                .filter(|(_, v)| !is_null_shape(v))
                .map(|(k, v)| (k, model_drop_nulls(v)))
                .collect(),
        ),
        leaf => leaf,
    }
}

/// The merge as the module documentation states it: maps merge deeply, anything else is
/// replaced whole in place, a null removes, a new key goes last.
fn model_layer(base: &mut Vec<(String, Shape)>, overlay: Vec<(String, Shape)>) {
    for (key, value) in overlay {
        if is_null_shape(&value) {
            base.retain(|(k, _)| *k != key);
            continue;
        }
        match base.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => match (slot, value) {
                (Shape::Map(b), Shape::Map(o)) => model_layer(b, o),
                (slot, value) => *slot = model_drop_nulls(value),
            },
            None => base.push((key, model_drop_nulls(value))),
        }
    }
}

/// Everything observable about a merged tree, in order: each entry's path, value position,
/// key position, JSON and the positions of the values it replaced.
fn fingerprint(merged: &Merged) -> Vec<String> {
    entries_of(&merged.tree)
        .into_iter()
        .map(|(path, node)| {
            let overridden: Vec<Option<Span>> = match merged.lookup(&path) {
                Lookup::Value { overridden, .. } => overridden.iter().map(span).collect(),
                _ => panic!("{path:?} is in the tree but lookup does not find it"),
            };
            let key = merged.key(&path).and_then(|k| Span::of(k.span()));
            let json = match node.as_mapping() {
                Some(_) => "{..}".to_string(),
                None => tree::to_json(node).to_string(),
            };
            format!(
                "{path:?} at {:?} key {key:?} = {json} over {overridden:?}",
                span(node)
            )
        })
        .collect()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // Shrunk failures are printed; do not write regression files into the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Texts that hold no change.
const EMPTY_OVERLAYS: &[&str] = &["", "\n", "# nothing changes here\n", "{}\n", "--- {}\n"];

/// Checks that every leaf of `merged` comes from a line of its file that holds its key, and
/// that the key's own position points at the key.
fn check_provenance(merged: &Merged, map: &SourceMap) -> TestCaseResult {
    for (path, node) in leaves_of(&merged.tree) {
        let key = path.last().expect("a leaf has a key");
        let at =
            span(node).ok_or_else(|| TestCaseError::fail(format!("{path:?} has no position")))?;
        let line = line_at(map, at).unwrap_or_default();
        prop_assert!(
            line.trim_start().starts_with(&format!("{key}:")),
            "{path:?}: the value's position {}:{} is on `{line}`, which does not hold `{key}:`",
            map.name(at.source),
            at.line
        );
        let from = text_at(map, at).unwrap_or_default();
        let starts = match node {
            Node::Scalar(s) if s.may_coerce() => from.starts_with(s.as_str()),
            Node::Scalar(_) => from.starts_with(['"', '\'']),
            Node::Sequence(_) => from.starts_with('['),
            Node::Mapping(_) => unreachable!(),
        };
        prop_assert!(
            starts,
            "{path:?}: the value's position {}:{}:{} points at `{from}`, not at the value",
            map.name(at.source),
            at.line,
            at.col
        );
        let key_at = merged
            .key(&path)
            .and_then(|k| Span::of(k.span()))
            .ok_or_else(|| TestCaseError::fail(format!("{path:?}: the key has no position")))?;
        let from = text_at(map, key_at).unwrap_or_default();
        prop_assert!(
            from.starts_with(&format!("{key}:")),
            "{path:?}: the key's position {}:{}:{} points at `{from}`",
            map.name(key_at.source),
            key_at.line,
            key_at.col
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Merging an overlay that holds nothing gives the base, nulls dropped, with the same
    /// positions and history.
    #[test]
    fn an_empty_overlay_is_the_identity(
        base in document(),
        empty in prop::sample::select(EMPTY_OVERLAYS),
    ) {
        let base_text = render(&base);
        let (_, nodes) = load_all(std::slice::from_ref(&base_text));
        let parsed_base = tree::to_json(&nodes[0]);
        let alone = merge_all(nodes);
        let (_, nodes) = load_all(&[base_text, empty.to_string()]);
        let merged = merge_all(nodes);
        prop_assert_eq!(tree::to_json(&merged.tree), tree::to_json(&alone.tree));
        prop_assert_eq!(tree::to_json(&merged.tree), without_nulls(&parsed_base));
        prop_assert_eq!(fingerprint(&merged), fingerprint(&alone));
    }

    /// Every value the overlay sets (other than a plain null) is the value after the merge,
    /// read as the overlay wrote it and positioned in the overlay; a value it replaced is
    /// the history of its path.
    #[test]
    fn overlay_values_win(base in document(), overlay in document()) {
        let texts = [render(&base), render(&overlay)];
        let (_, nodes) = load_all(&texts);
        let before = Merged::new(nodes[0].clone());
        let overlay_node = nodes[1].clone();
        let merged = merge_all(nodes);
        for (path, node) in leaves_of(&overlay_node) {
            if merge::is_null(node) {
                continue;
            }
            let got = merged.get(&path);
            prop_assert!(got.is_some(), "{:?} set by the overlay is missing after the merge", path);
            let got = got.unwrap();
            prop_assert_eq!(tree::to_json(got), tree::to_json(node), "at {:?}", path);
            prop_assert_eq!(span(got), span(node), "position of {:?}", path);
            prop_assert_eq!(span(got).map(|s| s.source), Some(1));
            if let Lookup::Value { overridden, .. } = merged.lookup(&path) {
                let expected: Vec<Option<Span>> = before.get(&path).map(span).into_iter().collect();
                let actual: Vec<Option<Span>> = overridden.iter().map(span).collect();
                prop_assert_eq!(actual, expected, "history of {:?}", path);
            } else {
                prop_assert!(false, "lookup of {:?} finds no value", path);
            }
        }
        // Read through the generator: each leaf reads as intended, and every mapping the
        // overlay writes (even `{}`) is a mapping after the merge.
        for (path, value) in gen_leaves(&overlay) {
            let got = merged.get(&path);
            match value {
                Gen::Scalar(leaf) if leaf.kind == Kind::Null => {}
                Gen::Scalar(leaf) => {
                    prop_assert_eq!(got.map(tree::to_json), Some(leaf.json()), "at {:?}", path);
                }
                Gen::List(items) => {
                    let expected = Json::Array(items.iter().map(|l| l.json()).collect());
                    prop_assert_eq!(got.map(tree::to_json), Some(expected), "at {:?}", path);
                }
                Gen::Map(_) => {
                    prop_assert!(got.and_then(Node::as_mapping).is_some(), "{:?} is not a mapping", path);
                }
            }
        }
    }

    /// Plain nulls in an overlay remove keys; quoted ones are the strings they quote.
    #[test]
    fn a_plain_null_removes_and_a_quoted_null_is_a_string(
        base in document(),
        overlay in document(),
    ) {
        let texts = [render(&base), render(&overlay)];
        let (_, nodes) = load_all(&texts);
        let before = Merged::new(nodes[0].clone());
        let merged = merge_all(nodes);
        for (path, value) in gen_leaves(&overlay) {
            let Gen::Scalar(leaf) = value else { continue };
            match leaf.kind {
                Kind::Null => {
                    prop_assert!(merged.get(&path).is_none(), "{:?} = {:?} did not remove the key", path, leaf.text);
                    match merged.lookup(&path) {
                        Lookup::Removed { at, removal } => {
                            prop_assert!(before.get(&path).is_some(), "{:?} reported removed, but the base did not set it", path);
                            prop_assert_eq!(&at, &path);
                            prop_assert_eq!(removal.by.source, 1);
                            prop_assert_eq!(span(&removal.was), before.get(&path).and_then(span));
                        }
                        Lookup::Missing { .. } => {
                            prop_assert!(before.get(&path).is_none(), "{:?}: the base value is gone but not reported removed", path);
                        }
                        Lookup::Value { .. } => prop_assert!(false, "{:?} still has a value", path),
                    }
                }
                Kind::Quoted(s) => {
                    let got = merged.get(&path).and_then(Node::as_scalar);
                    prop_assert_eq!(got.map(|n| n.as_str()), Some(s), "at {:?}", path);
                    prop_assert_eq!(got.map(|n| n.may_coerce()), Some(false), "{:?} lost its quotes", path);
                    prop_assert_eq!(
                        merged.get(&path).map(tree::to_json),
                        Some(Json::String(s.to_string()))
                    );
                }
                Kind::Plain => {}
            }
        }
    }

    /// The same, aimed: an overlay that only sets one existing path of the base to a null,
    /// plain or quoted.
    #[test]
    fn nulling_one_path(
        base in non_empty_document(),
        pick in any::<prop::sample::Index>(),
        null in prop::sample::select(&["null", "~", "", "Null", "NULL", "\"null\"", "'~'", "\"\"", "'NULL'"][..]),
    ) {
        let base_text = render(&base);
        let (_, nodes) = load_all(std::slice::from_ref(&base_text));
        let before = Merged::new(nodes[0].clone());
        let paths: Vec<Path> = entries_of(&before.tree).into_iter().map(|(p, _)| p).collect();
        prop_assume!(!paths.is_empty());
        let path = pick.get(&paths).clone();
        let mut overlay = String::new();
        for (depth, key) in path.iter().enumerate() {
            overlay.push_str(&"  ".repeat(depth));
            overlay.push_str(key);
            overlay.push(':');
            if depth + 1 == path.len() && !null.is_empty() {
                overlay.push(' ');
                overlay.push_str(null);
            }
            overlay.push('\n');
        }
        let (map, nodes) = load_all(&[base_text, overlay.clone()]);
        let merged = merge_all(nodes);
        let plain = !null.starts_with(['"', '\'']);
        if plain {
            prop_assert!(merged.get(&path).is_none(), "`{}` did not remove {:?}", null, path);
            let Lookup::Removed { at, removal } = merged.lookup(&path) else {
                return Err(TestCaseError::fail(format!("{path:?} is not reported removed")));
            };
            prop_assert_eq!(&at, &path);
            prop_assert_eq!(removal.by.source, 1);
            // An empty value's position is checked by `a_removal_by_an_empty_value_...`.
            if !null.is_empty() {
                let line = line_at(&map, removal.by).unwrap_or_default();
                let key = path.last().unwrap();
                prop_assert!(
                    line.trim_start().starts_with(&format!("{key}:")),
                    "the removal of {:?} by `{}` points at line {} `{}` of\n{}",
                    path, null, removal.by.line, line, overlay
                );
            }
            // What was under the removed key is reported removed at the key.
            for (below, _) in entries_of(&removal.was) {
                let full: Path = path.iter().chain(&below).cloned().collect();
                let Lookup::Removed { at, .. } = merged.lookup(&full) else {
                    return Err(TestCaseError::fail(format!("{full:?} is not reported removed")));
                };
                prop_assert_eq!(&at, &path);
            }
        } else {
            let content = &null[1..null.len() - 1];
            let got = merged.get(&path).and_then(Node::as_scalar);
            prop_assert_eq!(got.map(|n| n.as_str()), Some(content));
            prop_assert_eq!(merged.get(&path).map(tree::to_json), Some(Json::String(content.to_string())));
        }
        // Nothing else changed.
        for (other, node) in leaves_of(&before.tree) {
            if other.starts_with(&path) {
                continue;
            }
            prop_assert_eq!(merged.get(&other).and_then(span), span(node), "{:?} moved", other);
        }
    }

    /// A key the overlay does not decide keeps its base value and position.
    #[test]
    fn keys_only_in_the_base_keep_their_base_value(
        base in document(),
        overlay in document(),
    ) {
        let texts = [render(&base), render(&overlay)];
        let (_, nodes) = load_all(&texts);
        let before = Merged::new(nodes[0].clone());
        let overlay_node = nodes[1].clone();
        let merged = merge_all(nodes);
        for (path, node) in leaves_of(&before.tree) {
            if shadows(&overlay_node, &path) {
                continue;
            }
            let got = merged.get(&path);
            prop_assert!(got.is_some(), "{:?}, only in the base, is gone", path);
            let got = got.unwrap();
            prop_assert_eq!(tree::to_json(got), tree::to_json(node), "at {:?}", path);
            prop_assert_eq!(span(got), span(node), "position of {:?}", path);
            prop_assert_eq!(span(got).map(|s| s.source), Some(0));
            if let Lookup::Value { overridden, .. } = merged.lookup(&path) {
                prop_assert!(overridden.is_empty(), "{:?} has a history", path);
            }
        }
    }

    /// Every leaf of the merged tree (base and up to three overlays) points at a line of its
    /// file that holds its key, at the value itself; its key points at the key.
    #[test]
    fn every_leaf_points_at_a_line_that_holds_its_key(
        docs in prop::collection::vec(document(), 2..=4),
    ) {
        let texts: Vec<String> = docs.iter().map(|d| render(d)).collect();
        let (map, nodes) = load_all(&texts);
        let merged = merge_all(nodes);
        check_provenance(&merged, &map)?;
    }

    /// The same texts merge to the same tree, positions and history.
    #[test]
    fn merging_is_deterministic(docs in prop::collection::vec(document(), 1..=4)) {
        let texts: Vec<String> = docs.iter().map(|d| render(d)).collect();
        let first = merge_all(load_all(&texts).1);
        let second = merge_all(load_all(&texts).1);
        prop_assert_eq!(tree::to_json(&first.tree), tree::to_json(&second.tree));
        prop_assert_eq!(fingerprint(&first), fingerprint(&second));
    }

    /// A base and up to three overlays merge as the reference model says, key order and
    /// positions included.
    #[test]
    fn merging_agrees_with_the_model(docs in prop::collection::vec(document(), 1..=4)) {
        let texts: Vec<String> = docs.iter().map(|d| render(d)).collect();
        let (_, nodes) = load_all(&texts);
        let mut layers = nodes.iter().map(shape);
        let Some(Shape::Map(base)) = layers.next().map(model_drop_nulls) else {
            unreachable!("the root is a mapping");
        };
        let mut expected = base;
        for layer in layers {
            let Shape::Map(layer) = layer else { unreachable!() };
            model_layer(&mut expected, layer);
        }
        let merged = merge_all(nodes);
        prop_assert_eq!(shape(&merged.tree), Shape::Map(expected));
    }
}

/// An empty value (`key:` and nothing after it) removes the key as `null` does, and the
/// removal points at the key's line, not at whatever line comes next.
#[test]
fn a_removal_by_an_empty_value_points_at_its_line() {
    let mut wrong = Vec::new();
    for overlay in [
        "a:\n",
        "a:",
        "a:\nb: 2\n",
        "a: # gone\n\n# a comment\nb: 2\n",
        "c:\n  d:\n\n\nb: 2\n",
    ] {
        let (map, nodes) = load_all(&["a: 1\nb: 1\nc:\n  d: 1\n".to_string(), overlay.to_string()]);
        let merged = merge_all(nodes);
        let path: Path = if overlay.starts_with('c') {
            vec!["c".into(), "d".into()]
        } else {
            vec!["a".into()]
        };
        assert!(
            merged.get(&path).is_none(),
            "{overlay:?} did not remove {path:?}"
        );
        let Lookup::Removed { removal, .. } = merged.lookup(&path) else {
            panic!("{overlay:?}: {path:?} is not reported removed");
        };
        let expected = if path.len() == 2 { 2 } else { 1 };
        if (removal.by.source, removal.by.line) != (1, expected) {
            wrong.push(format!(
                "{overlay:?} removes {path:?} at line {}:{} (`{}`), not at line {expected}",
                removal.by.line,
                removal.by.col,
                line_at(&map, removal.by).unwrap_or_else(|| "past the end".into())
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
