//! Base + overlays + `--set` → one tree, each value keeping where it was set.
//!
//! The rules, applied layer by layer (base, then each overlay of the `extends` chain from
//! the root, then each `--set` in order):
//!
//! - **Maps merge deeply**: a key the overlay does not name keeps its base value.
//! - **Scalars and lists are replaced** whole. Lists are never merged element by element:
//!   what users change one at a time is a map keyed by name, so no list-merge rule is needed.
//! - **A plain `null`, `~` or an empty value removes the key**, so `worker: null` removes a
//!   whole component in one environment. A quoted `"null"` is the string `null`. In the base
//!   a null removes nothing, so [`environment`] refuses it (`null-in-base`): it is almost
//!   always a value cut short, such as `{ reason: writes to /var, because nginx }`, where the
//!   comma ends the value and `because nginx` becomes a key without one. ([`Merged::new`]
//!   itself drops base nulls, as leaving the key out would.)
//! - A replaced value is kept, with its position, in the history of its path: `wfk explain`
//!   shows the chain. Only explain reads it, so the other commands merge without it
//!   ([`History::Dropped`]): it is a fifth of the trees of a large platform whose overlays
//!   change every component.
//! - **A `--set` changes, never invents**: it may change anything and add a key to a map of
//!   values (an env var, a config key, a label), but a name of a component, job, config map,
//!   ingress host, storage class or patch that the environment lacks is an error
//!   ([`crate::platform::ENTITY_MAPS`]), so a typo in a pipeline cannot render a new one.
//!
//! Where this surprises: a list in an overlay replaces the base list entirely (add an element
//! by repeating the list); a map replacing a scalar (or the reverse) replaces it whole.

use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::outline::{Outline, Shape};
use crate::source::Span;
use crate::tree::{self, Step};
use foldhash::{HashMap, HashMapExt};
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::{Marker, Node};

/// What of an entry to point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// Its key: a name, or an entity that got a default.
    Key,
    /// Its value.
    Value,
}

/// A path in the spec: the keys from the root, e.g. `["components", "api", "replicas"]`.
pub type Path = Vec<String>;

/// Whether a merge keeps the values later layers replaced, for [`Merged::lookup`] to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum History {
    Kept,
    Dropped,
}

/// The merged tree of one environment and the history of every replaced value.
pub struct Merged {
    /// The tree; an empty mapping once [`Merged::outline`] has traded it for its outline.
    pub tree: Node,
    /// Where each value of the tree is written, once the tree itself is gone.
    outline: Option<Outline>,
    /// The outline of the tree as it is, made ahead of the trade ([`Merged::keep_outline`]).
    ahead: Option<Outline>,
    /// The values later layers replaced, by path; `None` when the merge drops them.
    history: Option<HashMap<Path, Vec<Node>>>,
    removed: HashMap<Path, Removal>,
    /// Overlay nulls whose key was not there: they removed nothing (a misspelled key?).
    void: Vec<(Path, Span)>,
    /// Every value a later layer replaced or removed, with its key and path, as it was
    /// written: the merged tree no longer shows it, so it is typed from here
    /// ([`Merged::take_displaced`]).
    displaced: Vec<(Path, MarkedScalarNode, Node)>,
}

/// Every value a later layer replaced or removed, with its key and path, as it was written
/// ([`Merged::take_displaced`]).
pub struct Displaced(Vec<(Path, MarkedScalarNode, Node)>);

impl Displaced {
    /// As trees to type the way a layer is typed: every value at its path, in as few trees
    /// as the paths allow (a value replaced twice is in two), in the order they were
    /// written; a parent a tree has to make is where `merged` has it. Apart from the merge,
    /// so that a large spec makes them on a second thread while its merged tree is typed.
    pub fn trees(self, merged: &Merged) -> Vec<Node> {
        let Displaced(mut displaced) = self;
        displaced
            .sort_by_key(|(_, key, _)| Span::of(key.span()).map(|s| (s.source, s.line, s.col)));
        let mut trees: Vec<Node> = Vec::new();
        for (path, key, value) in displaced {
            let mut value = Some(value);
            for i in 0..=trees.len() {
                if i == trees.len() {
                    let span = *merged.tree.span();
                    trees.push(Node::Mapping(MarkedMappingNode::new_empty(span)));
                }
                let (before, rest) = trees.split_at_mut(i);
                let like: Vec<&Node> = std::iter::once(&merged.tree).chain(before.iter()).collect();
                place(&mut rest[0], &path, &key, &mut value, &like);
                if value.is_none() {
                    break;
                }
            }
        }
        trees
    }
}

/// A key that a `null` removed.
pub struct Removal {
    /// Where the `null` is.
    pub by: Span,
    /// The value before it was removed, where its key was written, and what that value
    /// had overridden.
    pub was: Node,
    pub key: Option<Span>,
    pub history: Vec<Node>,
}

/// What `explain` finds at a path.
pub enum Lookup<'a> {
    /// The value, and the values it replaced, oldest first.
    Value {
        node: &'a Node,
        overridden: &'a [Node],
    },
    /// The key, or one of its parents (`at`), was removed by a `null`.
    Removed { at: Path, removal: &'a Removal },
    /// Nothing is set there. `valid` is the longest prefix that exists; `keys` the keys there.
    Missing { valid: Path, keys: Vec<String> },
}

impl Merged {
    /// The base tree, with nulls dropped; later layers keep the history of each value.
    pub fn new(base: Node) -> Self {
        Merged::with(base, History::Kept)
    }

    /// The base tree, with nulls dropped.
    pub fn with(mut base: Node, history: History) -> Self {
        drop_spec_nulls(&mut base);
        Merged::of(base, history)
    }

    /// The base tree as it is: one without nulls outside the bodies of patches.
    fn of(base: Node, history: History) -> Self {
        Merged {
            tree: base,
            outline: None,
            ahead: None,
            history: (history == History::Kept).then(HashMap::new),
            removed: HashMap::new(),
            void: Vec::new(),
            displaced: Vec::new(),
        }
    }

    /// Merges one overlay (or one `--set`) on top.
    pub fn layer(&mut self, overlay: Node) {
        self.ahead = None;
        let Node::Mapping(over) = overlay else { return };
        let Some(base) = self.tree.as_mapping_mut() else {
            return;
        };
        let mut path = Vec::new();
        let mut state = State {
            history: self.history.as_mut(),
            removed: &mut self.removed,
            void: &mut self.void,
            displaced: &mut self.displaced,
        };
        merge_map(base, over, &mut path, &mut state);
    }

    /// Applies `--set path=value` from a source whose whole text is `text`.
    ///
    /// A `--set` changes what the environment has and never adds an entity (a component,
    /// a job, a config map…; [`crate::platform::ENTITY_MAPS`]): a path, or a key of a
    /// mapping value, through an entity name that does not exist is an error at the name.
    /// It may add a key to a map of values (an env var, a config key, a label).
    pub fn set(&mut self, source: usize, text: &str) -> Result<(), Diagnostic> {
        let layer = set_layer(source, text, &self.tree)?;
        let mut path = Vec::new();
        if let Some((key, below)) = self.new_entity(&layer, &mut path) {
            let value_col = text
                .split_once('=')
                .map_or(0, |(p, _)| p.chars().count() + 2);
            return Err(self.invented(&path, key, below, value_col));
        }
        self.layer(layer);
        Ok(())
    }

    /// The first key of `node` (a `--set` layer at `path`) that names an entity the tree
    /// does not have, with its value; `path` is left at that key.
    fn new_entity<'n>(
        &self,
        node: &'n Node,
        path: &mut Path,
    ) -> Option<(&'n MarkedScalarNode, &'n Node)> {
        let map = node.as_mapping()?;
        for (key, value) in map.iter() {
            path.push(key.as_str().to_string());
            if crate::platform::entity(path).is_some() && self.get(path).is_none() {
                return Some((key, value));
            }
            if let Some(found) = self.new_entity(value, path) {
                return Some(found);
            }
            path.pop();
        }
        None
    }

    /// The error for a `--set` that would add the entity at `path`, named by `key`, with
    /// "did you mean" the whole path when the name is in the `--set` path and close to
    /// an existing one.
    fn invented(
        &self,
        path: &[String],
        key: &MarkedScalarNode,
        below: &Node,
        value_col: usize,
    ) -> Diagnostic {
        let word = crate::platform::entity(path).unwrap_or("entry");
        let a = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let (name, parent) = path
            .split_last()
            .map_or(("", &[][..]), |(n, p)| (n.as_str(), p));
        let names: Vec<&str> = self
            .get(parent)
            .and_then(Node::as_mapping)
            .map(|m| m.keys().map(|k| k.as_str()).collect())
            .unwrap_or_default();
        let span = Span::of(key.span()).unwrap_or(Span {
            source: 0,
            line: 1,
            col: 1,
        });
        // The keys the `--set` path goes on with after the name (none for a key inside a
        // mapping value), so "did you mean" can show the whole path to write.
        let in_path = span.col < value_col;
        let mut rest = vec![name.to_string()];
        let mut node = below;
        if in_path {
            while let Some(map) = node.as_mapping().filter(|m| m.len() == 1) {
                let Some((k, v)) = map.iter().next() else {
                    break;
                };
                if Span::of(k.span()).is_none_or(|s| s.col >= value_col) {
                    break;
                }
                rest.push(k.as_str().to_string());
                node = v;
            }
        }
        // A name with dots (`api.v2`) is several keys of the path: try one key, then two, …
        // (the longest run first would take `gorax-confg.a` for `gorax-config`).
        let near = (1..=rest.len()).find_map(|n| {
            let near = crate::suggest::closest(&rest[..n].join("."), names.iter().copied())?;
            if !in_path {
                return Some(near.to_string());
            }
            Some(
                parent
                    .iter()
                    .map(String::as_str)
                    .chain([near])
                    .chain(rest[n..].iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join("."),
            )
        });
        let removal = match self.lookup(path) {
            Lookup::Removed { removal, .. } => Some(removal),
            _ => None,
        };
        let help = match near {
            Some(near) => crate::suggest::ask(&near),
            None if removal.is_some() => format!(
                "a `--set` never brings back {a} {word} that was removed; drop the `null` to keep `{name}`"
            ),
            None => {
                let mut help = format!(
                    "a `--set` changes {a} {word} but never adds one; add `{name}` to platform.yaml or an overlay"
                );
                if !names.is_empty() {
                    help.push_str(&format!("\nexisting: {}", names.join(", ")));
                }
                help
            }
        };
        let mut d = Diagnostic::error(Code::InvalidSet, format!("{word} `{name}` does not exist"))
            .at(span, format!("not {a} {word} of this environment"))
            .help(help);
        if let Some(removal) = removal {
            d = d.also(removal.by, "removed here");
        }
        d
    }

    /// Trades the tree for its outline: what the checks, patches and diagnostics read of a
    /// typed spec ([`Merged::span`], [`Merged::nearest`], [`Merged::shape`],
    /// [`Merged::key_span`], [`Merged::point_at`]) is then read from the outline, and the
    /// values are freed. The other readers want the tree, and must come before.
    pub fn outline(&mut self) {
        drop(self.trade_tree());
    }

    /// [`Merged::outline`], handing back the tree it traded (none when it was traded
    /// before), for the caller to free where that costs least: a large tree takes a while.
    pub fn trade_tree(&mut self) -> Option<Node> {
        if self.outline.is_some() {
            return None;
        }
        let outline = self.ahead.take();
        self.outline = Some(outline.unwrap_or_else(|| self.outline_ahead()));
        let root = MarkedMappingNode::new_empty(*self.tree.span());
        Some(std::mem::replace(&mut self.tree, Node::Mapping(root)))
    }

    /// The outline [`Merged::outline`] makes, made now from a shared tree: a large spec
    /// makes it on a second thread while the first still reads the tree.
    pub fn outline_ahead(&self) -> Outline {
        Outline::of(&self.tree)
    }

    /// Keeps an outline of the tree as it is now ([`Merged::outline_ahead`]) for the trade.
    /// A change to the tree before the trade drops it.
    pub fn keep_outline(&mut self, outline: Outline) {
        self.ahead = Some(outline);
    }

    /// The tree, for a reader of its values, which must come before [`Merged::outline`].
    fn tree(&self) -> &Node {
        debug_assert!(
            self.outline.is_none(),
            "the merged tree is read after it was traded for its outline"
        );
        &self.tree
    }

    /// The node at `path`, if it is set. Only while the tree is there.
    pub fn get(&self, path: &[String]) -> Option<&Node> {
        node_at(self.tree(), path)
    }

    /// The key node at `path` (its span is where the entry was introduced). Only while the
    /// tree is there.
    pub fn key(&self, path: &[String]) -> Option<&MarkedScalarNode> {
        let (last, parent) = path.split_last()?;
        let map = self.get(parent)?.as_mapping()?;
        map.get_key_value(last.as_str()).map(|(k, _)| k)
    }

    /// Where the key at the end of `path` is written.
    pub fn key_span(&self, path: &[String]) -> Option<Span> {
        match &self.outline {
            Some(outline) => outline.key_span(&steps(path)),
            None => self.key(path).and_then(|k| Span::of(k.span())),
        }
    }

    /// What the value at `path` is, if it is set.
    pub fn shape(&self, path: &[String]) -> Option<Shape> {
        match &self.outline {
            Some(outline) => outline.shape(&steps(path)),
            None => node_at(&self.tree, path).map(Shape::of),
        }
    }

    /// Where the value at `steps` (keys and list indices) starts.
    pub fn start(&self, steps: &[Step]) -> Option<Span> {
        match &self.outline {
            Some(outline) => outline.start(steps),
            None => tree::get(&self.tree, steps).and_then(|n| Span::of(n.span())),
        }
    }

    /// [`tree::point_at`] of the tree, or of its outline once it is gone.
    pub fn point_at(&self, steps: &[Step]) -> Option<Span> {
        match &self.outline {
            Some(outline) => outline.point_at(steps),
            None => tree::point_at(&self.tree, steps),
        }
    }

    /// Where the spec writes `path`, if it is set: at its value (a scalar where it stands; a
    /// mapping or a list at its key, since its own position is where its first entry
    /// starts) or at its key. Every position of the spec is found here.
    pub fn span(&self, path: &[String], at: At) -> Option<Span> {
        let steps = steps(path);
        match (at, &self.outline) {
            (At::Value, _) => self.point_at(&steps),
            (At::Key, Some(outline)) => outline
                .key_span(&steps)
                .or_else(|| outline.point_at(&steps)),
            (At::Key, None) => {
                tree::key_span(&self.tree, &steps).or_else(|| tree::point_at(&self.tree, &steps))
            }
        }
    }

    /// [`Merged::span`], else the key of the nearest ancestor that is set (a default points
    /// at the component that got it), else the start of the spec.
    pub fn nearest(&self, path: &[String], at: At) -> Span {
        self.span(path, at)
            .or_else(|| {
                (1..path.len())
                    .rev()
                    .find_map(|len| self.span(&path[..len], At::Key))
            })
            .or_else(|| self.start(&[]))
            .unwrap_or(Span {
                source: 0,
                line: 1,
                col: 1,
            })
    }

    /// The error for an overlay's `null` at `at` that found no key at `path` to remove: none
    /// for a field of the spec that is merely unset (removing it is harmless); an unknown key
    /// where only fields may be; a name that is not there (`components.aip: null`).
    fn removes_nothing(&self, path: &[String], at: Span) -> Option<Diagnostic> {
        let (key, parent) = path.split_last()?;
        let (step, fields) = match crate::platform::valid_path(path, path.len() - 1) {
            Ok(()) => return None,
            Err(found) => found,
        };
        if step + 1 < path.len() {
            // Below a free-form value (a patch): not the spec's keys.
            return None;
        }
        let names: Vec<String> = self
            .get(parent)
            .and_then(Node::as_mapping)
            .map(|m| m.keys().map(|k| k.as_str().to_string()).collect())
            .unwrap_or_default();
        let d = if crate::platform::valid_path(path, path.len()).is_ok() {
            let near = crate::suggest::did_you_mean("", key, names.iter().map(String::as_str));
            let there = if parent.is_empty() {
                "the spec".to_string()
            } else {
                format!("`{}`", parent.join("."))
            };
            Diagnostic::error(
                Code::NothingToRemove,
                format!("`{key}` is not in {there}, so its `null` removes nothing"),
            )
            .at(at, "nothing to remove")
            .help(near.unwrap_or_else(|| match names.as_slice() {
                [] => format!("{there} is empty here; delete the line"),
                names => format!(
                    "{there} has: {}; delete the line or name one of them",
                    names.join(", ")
                ),
            }))
        } else {
            let near = crate::suggest::did_you_mean("", key, fields.iter().map(String::as_str));
            let mut help = near.map_or(String::new(), |near| near + "\n");
            help.push_str(&format!("valid keys here: {}", fields.join(", ")));
            Diagnostic::error(
                Code::UnknownKey,
                format!("unknown key `{key}`: its `null` removes nothing"),
            )
            .at(at, "unknown key")
            .help(help)
        };
        Some(d)
    }

    /// The value at `path` with its history, or why there is none.
    pub fn lookup(&self, path: &[String]) -> Lookup<'_> {
        if let Some(node) = self.get(path) {
            let overridden = self
                .history
                .as_ref()
                .and_then(|h| h.get(path))
                .map_or(&[][..], Vec::as_slice);
            return Lookup::Value { node, overridden };
        }
        if let Some((at, removal)) = self.removal(path) {
            return Lookup::Removed { at, removal };
        }
        let mut valid = Vec::new();
        let mut node = self.tree();
        for key in path {
            match node.as_mapping().and_then(|m| m.get_node(key)) {
                Some(next) => {
                    valid.push(key.clone());
                    node = next;
                }
                None => break,
            }
        }
        let keys = node
            .as_mapping()
            .map(|m| m.keys().map(|k| k.as_str().to_string()).collect())
            .unwrap_or_default();
        Lookup::Missing { valid, keys }
    }

    /// The `null` that removed `path` or the nearest of its parents, and the path it removed.
    pub fn removal(&self, path: &[String]) -> Option<(Path, &Removal)> {
        (1..=path.len()).rev().find_map(|len| {
            self.removed
                .get(&path[..len])
                .map(|removal| (path[..len].to_vec(), removal))
        })
    }

    /// What the merged tree no longer shows ([`Displaced`]). Taken: the merge keeps no
    /// copy.
    pub fn take_displaced(&mut self) -> Displaced {
        Displaced(std::mem::take(&mut self.displaced))
    }

    /// The tree as it would be had no `null` removed anything: each removed value back at
    /// its key (parents before children). `None` when nothing was removed. `diff` builds it
    /// to know which objects a removal took away.
    pub fn restored(&self) -> Option<Merged> {
        if self.removed.is_empty() {
            return None;
        }
        let mut removed: Vec<(&Path, &Removal)> = self.removed.iter().collect();
        removed.sort_by_key(|(path, _)| path.len());
        let mut tree = self.tree().clone();
        for (path, removal) in removed {
            let Some((last, parent)) = path.split_last() else {
                continue;
            };
            let parent = parent.iter().try_fold(&mut tree, |node, key| {
                node.as_mapping_mut().and_then(|m| m.get_mut(key.as_str()))
            });
            if let Some(map) = parent.and_then(Node::as_mapping_mut) {
                if map.get_node(last).is_none() {
                    let key = MarkedScalarNode::new(*removal.was.span(), last.as_str());
                    map.insert(key, removal.was.clone());
                }
            }
        }
        Some(Merged::new(tree))
    }

    /// Splits a dotted path into keys, matching keys that contain dots (`api.gorax.io`,
    /// `config.yaml`) against the tree: at each level the longest existing key wins.
    pub fn resolve(&self, dotted: &str) -> Path {
        resolve(self.tree(), dotted)
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }
}

/// Merges the layers of one environment, then each `--set` (each a source of its own,
/// shown as `--set:1:COL`).
pub fn environment(
    layers: crate::load::Layers,
    sets: &[String],
    map: &mut crate::source::SourceMap,
) -> Result<Merged, crate::diagnostic::Diagnostics> {
    let (merged, diagnostics) = merge(layers, sets, map, History::Kept);
    if diagnostics.is_empty() {
        Ok(merged)
    } else {
        Err(diagnostics)
    }
}

/// [`environment`], with the merged tree even where the layers do not merge cleanly (a
/// null in the base, a null that removes nothing, a `--set` that invents a name): its
/// values are still worth typing.
pub fn merge(
    layers: crate::load::Layers,
    sets: &[String],
    map: &mut crate::source::SourceMap,
    history: History,
) -> (Merged, crate::diagnostic::Diagnostics) {
    let mut diagnostics = Vec::new();
    // A base without nulls (every base that merges cleanly) is not walked for them, and
    // has none to drop.
    let nulls = layers.base_nulls && base_nulls(&layers.base, map, &mut diagnostics);
    let mut merged = if nulls {
        Merged::with(layers.base, history)
    } else {
        Merged::of(layers.base, history)
    };
    for overlay in layers.overlays {
        merged.layer(overlay);
    }
    for (path, at) in std::mem::take(&mut merged.void) {
        diagnostics.extend(merged.removes_nothing(&path, at));
    }
    for set in sets {
        let id = map.add("--set", set.as_str());
        if let Err(d) = merged.set(id, set) {
            diagnostics.push(d);
        }
    }
    (merged, diagnostics)
}

/// Whether a node is a plain `null`, `~` or empty scalar (not a quoted one).
pub fn is_null(node: &Node) -> bool {
    matches!(node, Node::Scalar(s) if s.may_coerce() && matches!(s.as_str(), "" | "~" | "null" | "Null" | "NULL"))
}

/// Reports every key of the base whose value is a plain null: in an overlay a null removes
/// a key, in the base it removes nothing. Inside a flow mapping `{ … }` the likely cause is
/// a comma that ended the value before, and the help shows the value quoted whole. Whether
/// there was one: the keys [`drop_spec_nulls`] removes are the ones this walk visits.
fn base_nulls(node: &Node, map: &crate::source::SourceMap, out: &mut Vec<Diagnostic>) -> bool {
    let mut found = false;
    base_nulls_below(node, map, out, 0, false, &mut found);
    found
}

/// [`base_nulls`] at `depth` keys below the root, `in_patches` below its `patches`. A
/// patch's nulls are its own (they remove fields of the object): inside a patch's body
/// nothing is reported.
fn base_nulls_below(
    node: &Node,
    map: &crate::source::SourceMap,
    out: &mut Vec<Diagnostic>,
    depth: usize,
    in_patches: bool,
    found: &mut bool,
) {
    if depth >= 2 && in_patches {
        return;
    }
    match node {
        Node::Mapping(mapping) => {
            // Whether the mapping is written `{ … }`: read from the text, only once a
            // null is found in it.
            let mut flow: Option<bool> = None;
            let mut is_flow = || {
                *flow.get_or_insert_with(|| {
                    Span::of(mapping.span())
                        .and_then(|at| Some((map.get(at.source)?, map.offset(at)?)))
                        .is_some_and(|(source, offset)| source.text[offset..].starts_with('{'))
                })
            };
            // The last value before a run of nulls, and the text a value cut short at
            // commas would have had: that value if a plain scalar, then each key without
            // a value after it.
            let mut last: Option<&Node> = None;
            let mut cut: Option<(String, Option<Span>)> = None;
            for (key, value) in mapping.iter() {
                if !is_null(value) {
                    last = Some(value);
                    cut = None;
                    // Patches are a mapping; anything else there is walked as a value is.
                    let in_patches = in_patches
                        || (depth == 0
                            && key.as_str() == "patches"
                            && matches!(value, Node::Mapping(_)));
                    base_nulls_below(value, map, out, depth + 1, in_patches, found);
                    continue;
                }
                *found = true;
                let Some(at) = Span::of(key.span()) else {
                    continue;
                };
                let flow = is_flow();
                if let Some(Node::Scalar(s)) = last.take() {
                    if flow && s.may_coerce() {
                        cut = Some((s.as_str().to_string(), Span::of(s.span())));
                    }
                }
                let mut help = "null removes a key in an overlay; in the base it removes nothing: give it a value or delete the line".to_string();
                let mut d =
                    Diagnostic::error(Code::NullInBase, format!("`{}` has no value", key.as_str()))
                        .at(at, "a key without a value");
                if flow {
                    match cut.as_mut() {
                        Some((text, before)) if key.may_coerce() => {
                            text.push_str(", ");
                            text.push_str(key.as_str());
                            let quoted = format!("{text:?}");
                            help.push_str(&format!(
                                "; a comma inside `{{ … }}` ends the value: quote the whole value, `{quoted}`"
                            ));
                            if let Some(before) = before {
                                d = d.also(*before, "the value before the comma");
                            }
                        }
                        _ => help.push_str(
                            "; a comma inside `{ … }` ends the value: quote a value that holds a comma",
                        ),
                    }
                }
                out.push(d.help(help));
            }
        }
        Node::Sequence(seq) => {
            for n in seq.iter() {
                base_nulls_below(n, map, out, depth, in_patches, found);
            }
        }
        Node::Scalar(_) => {}
    }
}

/// Whether `path` is inside the body of a patch (`patches.<Kind/name>.…`), where a `null`
/// is the patch's own: it removes a field of the rendered object (RFC 7396), so the merge
/// keeps it as a value instead of removing a key of the spec.
fn in_patch_body(path: &[String]) -> bool {
    path.len() >= 3 && path[0] == "patches"
}

/// [`drop_nulls`] on a whole spec, leaving the bodies of patches as written.
pub(crate) fn drop_spec_nulls(root: &mut Node) {
    let Node::Mapping(map) = root else {
        drop_nulls(root);
        return;
    };
    remove_null_keys(map);
    for (k, v) in map.iter_mut() {
        match v {
            Node::Mapping(patches) if k.as_str() == "patches" => remove_null_keys(patches),
            v => drop_nulls(v),
        }
    }
}

/// Removes the keys of `map` whose value is a plain null (not below them).
fn remove_null_keys(map: &mut MarkedMappingNode) {
    let nulls: Vec<MarkedScalarNode> = map
        .iter()
        .filter(|(_, v)| is_null(v))
        .map(|(k, _)| k.clone())
        .collect();
    for k in nulls {
        map.remove(&k);
    }
}

pub(crate) fn drop_nulls(node: &mut Node) {
    match node {
        Node::Mapping(map) => {
            remove_null_keys(map);
            for (_, v) in map.iter_mut() {
                drop_nulls(v);
            }
        }
        Node::Sequence(seq) => seq.iter_mut().for_each(drop_nulls),
        Node::Scalar(_) => {}
    }
}

/// What a merge records besides the tree.
struct State<'a> {
    history: Option<&'a mut HashMap<Path, Vec<Node>>>,
    removed: &'a mut HashMap<Path, Removal>,
    void: &'a mut Vec<(Path, Span)>,
    displaced: &'a mut Vec<(Path, MarkedScalarNode, Node)>,
}

fn merge_map(
    base: &mut MarkedMappingNode,
    over: MarkedMappingNode,
    path: &mut Path,
    state: &mut State,
) {
    for (key, mut value) in over_entries(over) {
        path.push(key.as_str().to_string());
        let keep_nulls = path.len() >= 2 && path[0] == "patches";
        if is_null(&value) && !in_patch_body(path) {
            if let Some((was_key, was)) = base.remove_entry(key.as_str()) {
                let old_key = Span::of(was_key.span());
                state.displaced.push((path.clone(), was_key, was.clone()));
                // An empty value has no text of its own: point at its key.
                let empty = matches!(&value, Node::Scalar(s) if s.as_str().is_empty());
                let span = if empty { None } else { Span::of(value.span()) }
                    .or_else(|| Span::of(key.span()));
                let previous = state
                    .history
                    .as_deref_mut()
                    .and_then(|h| h.remove(path.as_slice()))
                    .unwrap_or_default();
                if let Some(by) = span {
                    state.removed.insert(
                        path.clone(),
                        Removal {
                            by,
                            was,
                            key: old_key,
                            history: previous,
                        },
                    );
                }
            } else if let Some(at) = Span::of(key.span()) {
                state.void.push((path.clone(), at));
            }
        } else {
            if !state.removed.is_empty() {
                state.removed.remove(path.as_slice());
            }
            match (base.get_mut(key.as_str()), value) {
                (Some(Node::Mapping(b)), Node::Mapping(o)) => merge_map(b, o, path, state),
                (Some(_), v) => {
                    value = v;
                    if !keep_nulls {
                        drop_nulls(&mut value);
                    }
                    // The key is replaced too, in place: a replaced list or mapping is
                    // pointed at by the key of the layer that wrote it.
                    if let hashlink::linked_hash_map::Entry::Occupied(entry) = base.entry(key) {
                        let (old_key, old) = entry.replace_entry(value);
                        match state.history.as_deref_mut() {
                            Some(history) => {
                                state.displaced.push((path.clone(), old_key, old.clone()));
                                history.entry(path.clone()).or_default().push(old);
                            }
                            None => state.displaced.push((path.clone(), old_key, old)),
                        }
                    }
                }
                (None, v) => {
                    value = v;
                    if !keep_nulls {
                        drop_nulls(&mut value);
                    }
                    base.insert(key, value);
                }
            }
        }
        path.pop();
    }
}

/// The node at `path` of `tree`, if it is set.
/// A path of keys as steps.
fn steps(path: &[String]) -> Vec<Step> {
    path.iter().map(|k| Step::Key(k.clone())).collect()
}

fn node_at<'t>(tree: &'t Node, path: &[String]) -> Option<&'t Node> {
    let mut node = tree;
    for key in path {
        node = node.as_mapping()?.get_node(key)?;
    }
    Some(node)
}

/// Puts `value` at `path` in `tree` (its last key written as `key`), unless something is
/// there already or a parent is not a mapping: then `value` is left as it was. A parent
/// mapping `tree` lacks is made with the key and position it has in the first of `like`
/// that has it, so that every node of `tree` is at its own place in the spec's text.
fn place(
    tree: &mut Node,
    path: &[String],
    key: &MarkedScalarNode,
    value: &mut Option<Node>,
    like: &[&Node],
) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = tree;
    for (depth, parent) in parents.iter().enumerate() {
        let Node::Mapping(map) = node else { return };
        if map.get(parent.as_str()).is_none() {
            let (parent_key, span) = like
                .iter()
                .find_map(|t| {
                    let map = node_at(t, &path[..depth])?.as_mapping()?;
                    let (k, v) = map.get_key_value(parent.as_str())?;
                    v.as_mapping().map(|m| (k.clone(), *m.span()))
                })
                .unwrap_or_else(|| {
                    (
                        MarkedScalarNode::new(*key.span(), parent.as_str()),
                        *key.span(),
                    )
                });
            map.insert(
                parent_key,
                Node::Mapping(MarkedMappingNode::new_empty(span)),
            );
        }
        let Some(next) = map.get_mut(parent.as_str()) else {
            return;
        };
        node = next;
    }
    let Node::Mapping(map) = node else { return };
    if map.get(last.as_str()).is_none() {
        if let Some(value) = value.take() {
            map.insert(key.clone(), value);
        }
    }
}

/// The entries of a mapping, moved out in order: no key is copied or looked up again.
fn over_entries(
    mut over: MarkedMappingNode,
) -> hashlink::linked_hash_map::IntoIter<MarkedScalarNode, Node> {
    std::mem::take(&mut *over).into_iter()
}

/// Splits `dotted` into keys with their 0-based character offsets, preferring at each level
/// the longest run of segments that names an existing key.
fn resolve(tree: &Node, dotted: &str) -> Vec<(String, usize)> {
    let mut segments: Vec<(&str, usize)> = Vec::new();
    let mut offset = 0;
    for part in dotted.split('.') {
        segments.push((part, offset));
        offset += part.chars().count() + 1;
    }
    let mut keys = Vec::new();
    let mut node = Some(tree);
    let mut i = 0;
    while i < segments.len() {
        let map = node.and_then(Node::as_mapping);
        let mut take = 1;
        if let Some(map) = map {
            for n in (2..=segments.len() - i).rev() {
                let joined: Vec<&str> = segments[i..i + n].iter().map(|s| s.0).collect();
                if map.get_node(&joined.join(".")).is_some() {
                    take = n;
                    break;
                }
            }
        }
        let joined: Vec<&str> = segments[i..i + take].iter().map(|s| s.0).collect();
        let key = joined.join(".");
        node = map.and_then(|m| m.get_node(&key));
        keys.push((key, segments[i].1));
        i += take;
    }
    keys
}

/// Builds the layer for one `--set path=value`: nested mappings whose keys point at their
/// place in the `--set` text, and a value parsed as YAML (`[a, b]`, `{k: v}`, `"quoted"`).
fn set_layer(source: usize, text: &str, tree: &Node) -> Result<Node, Diagnostic> {
    let at = |col: usize| Marker::new(source, col.saturating_sub(1), 1, col);
    let Some((path, value)) = text.split_once('=') else {
        return Err(
            Diagnostic::error(Code::InvalidSet, format!("`--set {text}` has no `=`"))
                .at(
                    Span {
                        source,
                        line: 1,
                        col: 1,
                    },
                    "expected `path=value`",
                )
                .help("write `--set components.api.replicas=3`"),
        );
    };
    let keys = resolve(tree, path);
    if let Some((_, col)) = keys.iter().find(|(k, _)| k.is_empty()) {
        return Err(Diagnostic::error(
            Code::InvalidSet,
            format!("`--set {text}` has an empty key"),
        )
        .at(
            Span {
                source,
                line: 1,
                col: col + 1,
            },
            "empty key here",
        )
        .help("separate keys with single dots: `components.api.replicas=3`"));
    }
    let value_col = path.chars().count() + 2;
    let mut node = set_value(source, value, value_col)?;
    for (key, col) in keys.into_iter().rev() {
        let key_node = MarkedScalarNode::new(marked_yaml::Span::new_start(at(col + 1)), key);
        let mut map = MarkedMappingNode::new_empty(marked_yaml::Span::new_start(at(col + 1)));
        map.insert(key_node, node);
        node = Node::Mapping(map);
    }
    Ok(node)
}

fn set_value(source: usize, value: &str, col: usize) -> Result<Node, Diagnostic> {
    let span = marked_yaml::Span::new_start(Marker::new(source, col - 1, 1, col));
    let quoted = |q: char| value.len() >= 2 && value.starts_with(q) && value.ends_with(q);
    if quoted('"') || quoted('\'') || value.starts_with(['[', '{']) {
        // Parse as the value of a one-key document, then move the positions onto the --set text.
        let doc = format!("v: {value}");
        let mut node = crate::load::parse(source, &doc).map_err(|mut d| {
            if let Some(p) = d.primary.as_mut() {
                p.span.col = (p.span.col + col).saturating_sub(4).max(1);
            }
            d
        })?;
        let mut value = node
            .as_mapping_mut()
            .and_then(|m| m.remove("v"))
            .unwrap_or_else(|| Node::Scalar(MarkedScalarNode::new(span, "")));
        shift(&mut value, col as isize - 4);
        return Ok(value);
    }
    Ok(Node::Scalar(MarkedScalarNode::new(span, value)))
}

fn shift(node: &mut Node, by: isize) {
    let span = node.span_mut();
    if let Some(m) = span.start_mut() {
        m.set_column((m.column() as isize + by).max(1) as usize);
    }
    match node {
        Node::Mapping(map) => {
            let entries = over_entries(std::mem::replace(
                map,
                MarkedMappingNode::new_empty(*map.span()),
            ));
            for (mut k, mut v) in entries {
                if let Some(m) = k.span_mut().start_mut() {
                    m.set_column((m.column() as isize + by).max(1) as usize);
                }
                shift(&mut v, by);
                map.insert(k, v);
            }
        }
        Node::Sequence(seq) => seq.iter_mut().for_each(|n| shift(n, by)),
        Node::Scalar(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse;

    fn merged(base: &str, overlays: &[&str]) -> Merged {
        let mut m = Merged::new(parse(0, base).unwrap());
        for (i, o) in overlays.iter().enumerate() {
            m.layer(parse(i + 1, o).unwrap());
        }
        m
    }

    #[test]
    fn an_outline_made_ahead_is_the_one_the_trade_makes_until_the_tree_changes() {
        let base = "a:\n  b: 1\n  c: [x, y]\n";
        let over = "a:\n  b: 2\n  d: { e: 3 }\n";
        let paths = ["a", "a.b", "a.c", "a.d", "a.d.e"];
        let place = |m: &Merged| -> Vec<_> {
            let at = |p| m.key_span(&path(p)).map(|s| (s.source, s.line, s.col));
            paths.iter().map(|p| (at(p), m.shape(&path(p)))).collect()
        };
        let mut plain = merged(base, &[over]);
        plain.outline();
        assert!(
            place(&plain)
                .iter()
                .all(|(at, shape)| at.is_some() && shape.is_some())
        );
        let mut ahead = merged(base, &[over]);
        let outline = ahead.outline_ahead();
        ahead.keep_outline(outline);
        ahead.outline();
        assert_eq!(place(&ahead), place(&plain));
        // Made before a layer changed the tree, it is not the one traded.
        let mut stale = merged(base, &[]);
        let outline = stale.outline_ahead();
        stale.keep_outline(outline);
        stale.layer(parse(1, over).unwrap());
        stale.outline();
        assert_eq!(place(&stale), place(&plain));
    }

    #[test]
    fn the_parse_notes_and_base_nulls_finds_a_null_exactly_when_there_is_one() {
        let bases = [
            "a: 1\nb: { c: 2, d: [x, { e: 3 }] }\n",
            "a: ~\nb: 1\n",
            "b: { c: null, d: 2 }\n",
            "b: [ { c: 1, d: } ]\n",
            "s: [~, null, '']\n",
            "q: { c: 'null', d: \"~\" }\n",
            "patches: { Deployment/x: { spec: { replicas: null } } }\n",
            "patches: { Deployment/x: ~ }\n",
            "patches: [ { spec: { replicas: null } } ]\n",
            "components: { api: { patches: { x: ~ } } }\n",
        ];
        // Whether any key of the tree, at any depth, has a plain null value.
        fn any_null(node: &Node) -> bool {
            match node {
                Node::Mapping(map) => map.iter().any(|(_, v)| is_null(v) || any_null(v)),
                Node::Sequence(items) => items.iter().any(any_null),
                Node::Scalar(_) => false,
            }
        }
        for base in bases {
            let (tree, noted) = crate::load::parse_noting_nulls(0, base).unwrap();
            let mut dropped = tree.clone();
            drop_spec_nulls(&mut dropped);
            let map = crate::source::SourceMap::default();
            let found = base_nulls(&tree, &map, &mut Vec::new());
            assert_eq!(found, dropped != tree, "{base}");
            // The parse notes every null, so the merge looks for them whenever one is there.
            assert_eq!(noted, any_null(&tree), "{base}");
        }
    }

    fn path(p: &str) -> Path {
        p.split('.').map(String::from).collect()
    }

    fn scalar(m: &Merged, p: &str) -> Option<String> {
        m.get(&path(p))
            .and_then(Node::as_scalar)
            .map(|s| s.as_str().to_string())
    }

    /// Each scalar of `tree` as `path=value@line:col`, in order.
    fn leaves(tree: &Node) -> Vec<String> {
        fn walk(node: &Node, path: &mut Vec<String>, out: &mut Vec<String>) {
            match node {
                Node::Mapping(map) => {
                    for (k, v) in map.iter() {
                        path.push(k.as_str().to_string());
                        walk(v, path, out);
                        path.pop();
                    }
                }
                Node::Scalar(s) => {
                    let at = s.span().start().expect("a position");
                    out.push(format!(
                        "{}={}@{}:{}:{}",
                        path.join("."),
                        s.as_str(),
                        at.source(),
                        at.line(),
                        at.column()
                    ));
                }
                Node::Sequence(_) => out.push(format!("{}=[list]", path.join("."))),
            }
        }
        let mut out = Vec::new();
        walk(tree, &mut Vec::new(), &mut out);
        out
    }

    #[test]
    fn displaced_values_are_kept_at_their_paths_once_each_in_as_few_trees_as_fit() {
        // `a.b` is replaced twice and `a.c` removed; `d` is never replaced.
        let mut m = merged(
            "a:\n  b: 1\n  c: 2\nd: 4\n",
            &["a:\n  b: 5\n  c: null\n", "a:\n  b: 6\n"],
        );
        let trees = m.take_displaced().trees(&m);
        let found: Vec<Vec<String>> = trees.iter().map(leaves).collect();
        assert_eq!(
            found,
            vec![
                vec!["a.b=1@0:2:6".to_string(), "a.c=2@0:3:6".to_string()],
                vec!["a.b=5@1:2:6".to_string()],
            ]
        );
        // A parent a tree had to make is where the merged tree has it: the base's `a`.
        let a = trees[1].as_mapping().unwrap().keys().next().unwrap();
        let at = a.span().start().unwrap();
        assert_eq!((a.as_str(), at.source(), at.line()), ("a", 0, 1));
        // Taken: the merge keeps no copy.
        assert!(m.take_displaced().trees(&m).is_empty());
    }

    #[test]
    fn a_merge_without_history_displaces_the_same_values_and_keeps_no_chain() {
        let (base, overlays) = (
            "a:\n  b: 1\n  c: 2\nd: 4\n",
            ["a:\n  b: 5\n  c: null\n", "a:\n  b: 6\n"],
        );
        let mut kept = merged(base, &overlays);
        let mut dropped = Merged::with(parse(0, base).unwrap(), History::Dropped);
        for (i, o) in overlays.iter().enumerate() {
            dropped.layer(parse(i + 1, o).unwrap());
        }
        assert_eq!(leaves(&dropped.tree), leaves(&kept.tree));
        let displaced = |m: &mut Merged| -> Vec<Vec<String>> {
            m.take_displaced().trees(m).iter().map(leaves).collect()
        };
        assert_eq!(displaced(&mut dropped), displaced(&mut kept));
        let chain = |m: &Merged| match m.lookup(&path("a.b")) {
            Lookup::Value { overridden, .. } => overridden.len(),
            _ => panic!("a.b is set"),
        };
        assert_eq!((chain(&kept), chain(&dropped)), (2, 0));
        // What a `null` removed is kept either way: diff and the messages about a
        // `--set` read it.
        assert!(matches!(
            dropped.lookup(&path("a.c")),
            Lookup::Removed { .. }
        ));
    }

    #[test]
    fn overlay_scalars_win_and_keep_the_base_in_history() {
        let m = merged("a:\n  b: 1\n  c: 2\n", &["a:\n  b: 3\n"]);
        assert_eq!(scalar(&m, "a.b").as_deref(), Some("3"));
        assert_eq!(scalar(&m, "a.c").as_deref(), Some("2"));
        let Lookup::Value { node, overridden } = m.lookup(&path("a.b")) else {
            panic!()
        };
        assert_eq!(
            Span::of(node.span()),
            Some(Span {
                source: 1,
                line: 2,
                col: 6
            })
        );
        assert_eq!(
            Span::of(overridden[0].span()),
            Some(Span {
                source: 0,
                line: 2,
                col: 6
            })
        );
    }

    #[test]
    fn plain_null_removes_and_quoted_null_is_a_string() {
        let m = merged("a:\n  b: 1\n  c: 2\n", &["a:\n  b: ~\n  c: \"null\"\n"]);
        assert_eq!(scalar(&m, "a.b"), None);
        assert_eq!(scalar(&m, "a.c").as_deref(), Some("null"));
        let Lookup::Removed { at, removal } = m.lookup(&path("a.b")) else {
            panic!()
        };
        assert_eq!(at, path("a.b"));
        assert_eq!(
            (removal.by.source, removal.by.line, removal.by.col),
            (1, 2, 6)
        );
    }

    #[test]
    fn removing_a_parent_is_reported_for_its_children() {
        let m = merged(
            "c:\n  worker:\n    replicas: 2\n",
            &["c:\n  worker: null\n"],
        );
        let Lookup::Removed { at, .. } = m.lookup(&path("c.worker.replicas")) else {
            panic!()
        };
        assert_eq!(at, path("c.worker"));
    }

    #[test]
    fn restored_puts_back_every_removed_value_and_keeps_the_rest() {
        let m = merged(
            "c:\n  worker:\n    replicas: 2\n    cpu: 1\n  api:\n    replicas: 1\n",
            &[
                "c:\n  worker:\n    cpu: null\n",
                "c:\n  worker: null\n  api:\n    replicas: 3\n",
            ],
        );
        assert_eq!(scalar(&m, "c.worker.replicas"), None);
        assert!(merged("a: 1\n", &["b: 2\n"]).restored().is_none());
        let whole = m.restored().expect("something was removed");
        assert_eq!(scalar(&whole, "c.worker.replicas").as_deref(), Some("2"));
        assert_eq!(scalar(&whole, "c.api.replicas").as_deref(), Some("3"));
        // `cpu` was removed first, then its parent: both come back.
        assert_eq!(scalar(&whole, "c.worker.cpu").as_deref(), Some("1"));
    }

    #[test]
    fn lists_are_replaced_whole() {
        let m = merged("a: [1, 2]\n", &["a: [3]\n"]);
        assert_eq!(
            m.get(&path("a"))
                .and_then(Node::as_sequence)
                .map(|s| s.len()),
            Some(1)
        );
    }

    #[test]
    fn set_resolves_dotted_keys_and_points_into_its_text() {
        let mut m = merged("hosts:\n  api.gorax.io: /\n", &[]);
        m.set(7, "hosts.api.gorax.io=/v2").unwrap();
        assert_eq!(
            m.get(&path("hosts"))
                .unwrap()
                .as_mapping()
                .unwrap()
                .get_scalar("api.gorax.io")
                .unwrap()
                .as_str(),
            "/v2"
        );
        let node = m.get(&["hosts".into(), "api.gorax.io".into()]).unwrap();
        assert_eq!(
            Span::of(node.span()),
            Some(Span {
                source: 7,
                line: 1,
                col: 20
            })
        );
        m.set(8, "a.b=[x, \"y\"]").unwrap();
        let seq = m.get(&path("a.b")).unwrap().as_sequence().unwrap();
        assert_eq!(Span::of(seq[1].span()).map(|s| s.col), Some(9));
        let key = m.key(&path("a.b")).unwrap();
        assert_eq!(Span::of(key.span()).map(|s| s.col), Some(3));
    }

    #[test]
    fn set_without_equals_is_an_error() {
        let mut m = merged("a: 1\n", &[]);
        assert_eq!(m.set(1, "a").unwrap_err().code_at(), ("invalid-set", 1, 1));
        assert_eq!(
            m.set(1, "a..b=1").unwrap_err().code_at(),
            ("invalid-set", 1, 3)
        );
    }

    #[test]
    fn set_never_adds_an_entity() {
        let base = "components:\n  api:\n    image: a\nconfig:\n  app:\n    level: info\n";
        let mut m = merged(base, &[]);
        let d = m.set(1, "components.apii.image=b").unwrap_err();
        assert_eq!(d.code_at(), ("invalid-set", 1, 12));
        assert_eq!(d.message, "component `apii` does not exist");
        assert_eq!(
            d.help.as_deref(),
            Some("did you mean `components.api.image`?")
        );
        assert_eq!(scalar(&m, "components.api.image").as_deref(), Some("a"));
        assert!(m.get(&path("components.apii")).is_none());
        // Also as a key of a mapping value, and as a removal.
        let d = m.set(2, "components={apii: {image: b}}").unwrap_err();
        assert_eq!(
            (d.code_at(), d.help.as_deref()),
            (("invalid-set", 1, 13), Some("did you mean `api`?"))
        );
        let d = m.set(3, "config.ap.level=debug").unwrap_err();
        assert_eq!(
            (d.code_at(), d.help.as_deref()),
            (
                ("invalid-set", 1, 8),
                Some("did you mean `config.app.level`?")
            )
        );
        assert_eq!(
            m.set(4, "jobs.migrate=null").unwrap_err().code_at(),
            ("invalid-set", 1, 6)
        );
    }

    #[test]
    fn set_adds_values_to_an_entity_and_replaces_a_whole_one() {
        let base =
            "labels: {}\ncomponents:\n  api:\n    image: a\nconfig:\n  app:\n    level: info\n";
        let mut m = merged(base, &[]);
        m.set(1, "components.api.env.NEW=1").unwrap();
        m.set(2, "config.app.new-key=x").unwrap();
        m.set(3, "labels.team=core").unwrap();
        m.set(4, "components.api={image: b}").unwrap();
        assert_eq!(scalar(&m, "components.api.env.NEW").as_deref(), Some("1"));
        assert_eq!(scalar(&m, "config.app.new-key").as_deref(), Some("x"));
        assert_eq!(scalar(&m, "labels.team").as_deref(), Some("core"));
        assert_eq!(scalar(&m, "components.api.image").as_deref(), Some("b"));
        m.set(5, "components.api=null").unwrap();
        assert!(m.get(&path("components.api")).is_none());
    }

    #[test]
    fn set_of_an_entity_an_overlay_removed_shows_the_removal() {
        let mut m = merged(
            "components:\n  api:\n    image: a\n  worker:\n    image: w\n",
            &["components:\n  worker: null\n"],
        );
        let d = m.set(2, "components.worker.replicas=3").unwrap_err();
        assert_eq!(d.code_at(), ("invalid-set", 1, 12));
        assert_eq!(
            (
                d.secondary[0].span.source,
                d.secondary[0].span.line,
                d.secondary[0].span.col
            ),
            (1, 2, 11)
        );
    }
}
