//! The spec as `wfk import` writes it: a YAML tree whose maps keep the order they were
//! built in (platform, namespace, defaults, config, components, …), so the files read
//! well and are byte-identical for identical input.

use indexmap::IndexMap;
use serde::Serialize;

/// A YAML value. Maps keep insertion order; `Null` is how an overlay removes a key.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Tree {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Seq(Vec<Tree>),
    Map(Map),
}

/// A YAML mapping in the order it was built.
pub type Map = IndexMap<String, Tree>;

impl Tree {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Tree {
        Tree::Str(s.into())
    }

    /// A list of strings.
    pub fn strings<S: AsRef<str>>(items: &[S]) -> Tree {
        Tree::Seq(items.iter().map(|s| Tree::str(s.as_ref())).collect())
    }

    /// Whether this is an empty map (which the spec never needs to say).
    pub fn is_empty_map(&self) -> bool {
        matches!(self, Tree::Map(m) if m.is_empty())
    }
}

/// Inserts `value` under `key` unless it is an empty map: `probes: {}` says nothing.
pub fn put(map: &mut Map, key: &str, value: Tree) {
    if !value.is_empty_map() {
        map.insert(key.to_string(), value);
    }
}

/// Inserts a string under `key` when there is one.
pub fn put_str(map: &mut Map, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        map.insert(key.to_string(), Tree::str(v));
    }
}

/// The YAML text of a tree.
pub fn to_yaml(tree: &Tree) -> anyhow::Result<String> {
    serde_saphyr::to_string(tree).map_err(|e| {
        anyhow::anyhow!("internal error: cannot write YAML ({e}); this is a bug in wfk")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_read_as_other_types_are_quoted_and_order_is_kept() {
        let mut m = Map::new();
        m.insert("z".into(), Tree::str("10"));
        m.insert("a".into(), Tree::str("yes"));
        m.insert("e".into(), Tree::str(""));
        m.insert("n".into(), Tree::Null);
        m.insert("t".into(), Tree::str("true"));
        let text = to_yaml(&Tree::Map(m)).unwrap();
        // Even the key `n` is quoted: YAML 1.1 reads a plain `n` as false.
        assert_eq!(
            text,
            "z: \"10\"\na: \"yes\"\ne: \"\"\n\"n\": null\nt: \"true\"\n"
        );
    }
}
