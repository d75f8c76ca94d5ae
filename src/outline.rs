//! Where each key and value of a merged spec is written, and what shape each value has,
//! without the values: all the checks, patches and diagnostics read of the tree once the
//! spec is typed. The tree is most of a large spec's memory (about 100 MB at 10,000
//! components, where its outline takes about a fifth of that), so [`crate::merge::Merged`]
//! trades it for its outline before the objects are built.

use crate::source::Span;
use crate::tree::Step;
use marked_yaml::Node;
use marked_yaml::types::MarkedScalarNode;

/// What a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Mapping,
    Sequence,
    /// A scalar; `written` unless it is a plain empty value, which has no text of its own.
    Scalar {
        written: bool,
    },
}

impl Shape {
    pub fn of(node: &Node) -> Shape {
        match node {
            Node::Mapping(_) => Shape::Mapping,
            Node::Sequence(_) => Shape::Sequence,
            Node::Scalar(s) => Shape::Scalar {
                written: !s.as_str().is_empty() || !s.may_coerce(),
            },
        }
    }
}

/// A [`Span`] in 12 bytes; `line` 0 when there is none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pos {
    source: u32,
    line: u32,
    col: u32,
}

impl Pos {
    const NONE: Pos = Pos {
        source: 0,
        line: 0,
        col: 0,
    };

    fn of(span: &marked_yaml::Span) -> Pos {
        Span::of(span)
            .and_then(|s| {
                Some(Pos {
                    source: s.source.try_into().ok()?,
                    line: s.line.try_into().ok()?,
                    col: s.col.try_into().ok()?,
                })
            })
            .filter(|p| p.line > 0)
            .unwrap_or(Pos::NONE)
    }

    fn span(self) -> Option<Span> {
        (self.line > 0).then_some(Span {
            source: self.source as usize,
            line: self.line as usize,
            col: self.col as usize,
        })
    }
}

/// One value: its key (none for the root and a list's items), where both are written,
/// and its children.
struct Entry {
    /// Its key's text, `keys[key.0..key.1]`.
    key: (u32, u32),
    key_at: Pos,
    at: Pos,
    shape: Shape,
    /// Its children, `entries[children.0..children.0 + children.1]`: a list's in order, a
    /// mapping's as written, or sorted by key from [`SORTED_FROM`] on.
    children: (u32, u32),
}

/// From how many entries a mapping's children are sorted, to be found by binary search
/// (fewer are searched in order, as sorting them costs more than it saves).
const SORTED_FROM: usize = 16;

/// The outline of a tree.
pub struct Outline {
    /// The root first; each value's children one after another.
    entries: Vec<Entry>,
    /// Every key's text, one after another.
    keys: String,
}

impl Outline {
    pub fn of(tree: &Node) -> Outline {
        let mut outline = Outline {
            entries: vec![Entry {
                key: (0, 0),
                key_at: Pos::NONE,
                at: Pos::of(tree.span()),
                shape: Shape::of(tree),
                children: (0, 0),
            }],
            keys: String::new(),
        };
        outline.add_children(0, tree);
        outline.entries.shrink_to_fit();
        outline.keys.shrink_to_fit();
        outline
    }

    /// Adds the children of `node`, the entry at `at`, then theirs.
    fn add_children(&mut self, at: usize, node: &Node) {
        let first = self.entries.len();
        match node {
            Node::Mapping(map) if map.len() < SORTED_FROM => {
                map.iter().for_each(|(key, value)| self.push(key, value));
                self.entries[at].children = (first as u32, map.len() as u32);
                for (i, value) in map.values().enumerate() {
                    self.add_children(first + i, value);
                }
            }
            Node::Mapping(map) => {
                let mut children: Vec<_> = map.iter().collect();
                children.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
                children
                    .iter()
                    .for_each(|(key, value)| self.push(key, value));
                self.entries[at].children = (first as u32, children.len() as u32);
                for (i, (_, value)) in children.into_iter().enumerate() {
                    self.add_children(first + i, value);
                }
            }
            Node::Sequence(items) => {
                for item in items.iter() {
                    self.entries.push(Entry {
                        key: (0, 0),
                        key_at: Pos::NONE,
                        at: Pos::of(item.span()),
                        shape: Shape::of(item),
                        children: (0, 0),
                    });
                }
                self.entries[at].children = (first as u32, items.len() as u32);
                for (i, item) in items.iter().enumerate() {
                    self.add_children(first + i, item);
                }
            }
            Node::Scalar(_) => {}
        }
    }

    /// Adds the entry of `key: value`, without its children.
    fn push(&mut self, key: &MarkedScalarNode, value: &Node) {
        let start = self.keys.len() as u32;
        self.keys.push_str(key.as_str());
        self.entries.push(Entry {
            key: (start, self.keys.len() as u32),
            key_at: Pos::of(key.span()),
            at: Pos::of(value.span()),
            shape: Shape::of(value),
            children: (0, 0),
        });
    }

    fn children(&self, entry: &Entry) -> &[Entry] {
        let (first, len) = (entry.children.0 as usize, entry.children.1 as usize);
        &self.entries[first..first + len]
    }

    fn key(&self, entry: &Entry) -> &str {
        &self.keys[entry.key.0 as usize..entry.key.1 as usize]
    }

    /// The entry at `path`: a key steps into a mapping, an index into a list, as
    /// [`crate::tree::get`] steps.
    fn get(&self, path: &[Step]) -> Option<&Entry> {
        path.iter().try_fold(&self.entries[0], |entry, step| {
            let children = self.children(entry);
            match (step, entry.shape) {
                (Step::Key(k), Shape::Mapping) if children.len() < SORTED_FROM => {
                    children.iter().find(|c| self.key(c) == k)
                }
                (Step::Key(k), Shape::Mapping) => children
                    .binary_search_by(|c| self.key(c).cmp(k))
                    .ok()
                    .map(|i| &children[i]),
                (Step::Index(i), Shape::Sequence) => children.get(*i),
                _ => None,
            }
        })
    }

    /// The shape of the value at `path`, if it is set.
    pub fn shape(&self, path: &[Step]) -> Option<Shape> {
        self.get(path).map(|e| e.shape)
    }

    /// Where the value at `path` starts, as its node's span.
    pub fn start(&self, path: &[Step]) -> Option<Span> {
        self.get(path).and_then(|e| e.at.span())
    }

    /// Where the key that ends `path` is written ([`crate::tree::key_span`]).
    pub fn key_span(&self, path: &[Step]) -> Option<Span> {
        match path.last()? {
            Step::Key(_) => self.get(path).and_then(|e| e.key_at.span()),
            Step::Index(_) => None,
        }
    }

    /// Where to point at the value at `path` ([`crate::tree::point_at`]).
    pub fn point_at(&self, path: &[Step]) -> Option<Span> {
        let entry = self.get(path)?;
        let own = entry.at.span();
        let key = || self.key_span(path);
        match entry.shape {
            Shape::Scalar { written: true } => own,
            Shape::Sequence => match (own, key()) {
                (Some(list), Some(key)) if list.source == key.source && list.line == key.line => {
                    Some(list)
                }
                (list, key) => key.or(list),
            },
            _ => key().or(own),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse;
    use crate::tree;

    /// Every path of `node`, keys and indices, the root first.
    fn paths(node: &Node, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        out.push(path.clone());
        match node {
            Node::Mapping(map) => {
                for (k, v) in map.iter() {
                    path.push(Step::Key(k.as_str().to_string()));
                    paths(v, path, out);
                    path.pop();
                }
            }
            Node::Sequence(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    paths(v, path, out);
                    path.pop();
                }
            }
            Node::Scalar(_) => {}
        }
    }

    const SPEC: &str = "\
b: 1
a:
  list: [x, y]
  block:
    - k: v
    - ''
    -
  empty:
  quoted: \"\"
  map: { z: 1, y: [] }
zz: ~
";

    /// A mapping large enough to be sorted, its keys written out of order, each value a
    /// small mapping, a list or a scalar.
    fn large() -> String {
        let mut text = String::from("m:\n");
        for i in (0..SORTED_FROM * 2).rev() {
            match i % 3 {
                0 => text.push_str(&format!("  k{i}: {{ a: {i}, b: [x] }}\n")),
                1 => text.push_str(&format!("  k{i}:\n    - {i}\n    -\n")),
                _ => text.push_str(&format!("  k{i}: v{i}\n")),
            }
        }
        text
    }

    #[test]
    fn every_path_has_the_positions_and_shape_of_the_tree() {
        for text in [SPEC.to_string(), large()] {
            let node = parse(0, &text).unwrap();
            same_as_tree(&node);
        }
    }

    #[test]
    fn a_key_of_a_sorted_mapping_is_found_and_a_missing_one_is_not() {
        let node = parse(0, &large()).unwrap();
        let outline = Outline::of(&node);
        let key = |k: &str| Step::Key(k.to_string());
        assert_eq!(
            outline.shape(&[key("m"), key("k0"), key("a")]),
            Some(Shape::Scalar { written: true })
        );
        assert_eq!(
            outline.shape(&[key("m"), key("k31")]),
            Some(Shape::Sequence)
        );
        assert_eq!(outline.shape(&[key("m"), key("k32")]), None);
        assert_eq!(outline.shape(&[key("m"), key("k")]), None);
    }

    fn same_as_tree(node: &Node) {
        let outline = Outline::of(node);
        let mut all = Vec::new();
        paths(node, &mut Vec::new(), &mut all);
        assert_eq!(all.len(), outline.entries.len());
        for path in &all {
            let at = tree::dotted(path);
            let n = tree::get(node, path).unwrap();
            assert_eq!(outline.shape(path), Some(Shape::of(n)), "{at}");
            assert_eq!(outline.start(path), Span::of(n.span()), "{at}");
            assert_eq!(outline.key_span(path), tree::key_span(node, path), "{at}");
            assert_eq!(outline.point_at(path), tree::point_at(node, path), "{at}");
        }
    }

    #[test]
    fn a_path_that_is_not_set_finds_nothing() {
        let node = parse(0, SPEC).unwrap();
        let outline = Outline::of(&node);
        let key = |k: &str| Step::Key(k.to_string());
        for path in [
            vec![key("c")],
            vec![key("a"), key("lis")],
            vec![key("a"), key("list"), Step::Index(2)],
            // A key does not step into a list, nor an index into a mapping.
            vec![key("a"), key("list"), key("0")],
            vec![key("a"), Step::Index(0)],
            vec![key("b"), key("x")],
        ] {
            assert_eq!(tree::get(&node, &path).map(Shape::of), None);
            assert_eq!(outline.shape(&path), None, "{}", tree::dotted(&path));
            assert_eq!(outline.point_at(&path), None);
            assert_eq!(outline.key_span(&path), None);
        }
    }

    #[test]
    fn the_root_and_a_list_item_have_no_key() {
        let node = parse(0, SPEC).unwrap();
        let outline = Outline::of(&node);
        assert_eq!(outline.key_span(&[]), None);
        let item = [
            Step::Key("a".into()),
            Step::Key("block".into()),
            Step::Index(0),
        ];
        assert_eq!(outline.key_span(&item), None);
        // A list item is found where it starts, on the line of its dash.
        let start = outline.start(&item).unwrap();
        assert_eq!(start.line, 5);
        assert_eq!(
            Some(start),
            Span::of(tree::get(&node, &item).unwrap().span())
        );
    }
}
