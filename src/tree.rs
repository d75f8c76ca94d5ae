//! Helpers over the span-carrying YAML tree: typed plain values, and finding the key or
//! value at a position (so an error from serde can be traced back to a path).

use crate::source::Span;
use marked_yaml::Node;

/// One step of a path: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// What sits at a position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A mapping key; the path ends with it.
    Key(Vec<Step>),
    /// A value (scalar, mapping or sequence); the path leads to it.
    Value(Vec<Step>),
}

/// Finds the key or value that starts at `at`. A key wins over a value that starts at the
/// same place; a value wins over the collection that contains it.
pub fn find(node: &Node, at: Span) -> Option<Found> {
    let mut path = Vec::new();
    find_in(node, at, &mut path)
}

fn find_in(node: &Node, at: Span, path: &mut Vec<Step>) -> Option<Found> {
    match node {
        Node::Mapping(map) => {
            for (k, v) in map.iter() {
                path.push(Step::Key(k.as_str().to_string()));
                if Span::of(k.span()) == Some(at) {
                    return Some(Found::Key(path.clone()));
                }
                if let Some(found) = find_in(v, at, path) {
                    return Some(found);
                }
                path.pop();
            }
        }
        Node::Sequence(seq) => {
            for (i, v) in seq.iter().enumerate() {
                path.push(Step::Index(i));
                if let Some(found) = find_in(v, at, path) {
                    return Some(found);
                }
                path.pop();
            }
        }
        Node::Scalar(_) => {}
    }
    (Span::of(node.span()) == Some(at)).then(|| Found::Value(path.clone()))
}

/// The node at `path`.
pub fn get<'a>(node: &'a Node, path: &[Step]) -> Option<&'a Node> {
    path.iter().try_fold(node, |n, step| match step {
        Step::Key(k) => n.as_mapping()?.get_node(k),
        Step::Index(i) => n.as_sequence()?.get(*i),
    })
}

/// Where to point at the value at `path`: a scalar itself; a flow list (`[a, b]`) itself;
/// a mapping or a block list by its key (its own position is where its first entry
/// starts, which reads as the wrong line).
pub fn point_at(node: &Node, path: &[Step]) -> Option<Span> {
    let key = || key_span(node, path);
    match get(node, path)? {
        // A quoted `""` is written where it is; a plain empty value has no text of its own.
        Node::Scalar(s) if !s.as_str().is_empty() || !s.may_coerce() => Span::of(s.span()),
        Node::Sequence(s) => match (Span::of(s.span()), key()) {
            (Some(list), Some(key)) if list.source == key.source && list.line == key.line => {
                Some(list)
            }
            (list, key) => key.or(list),
        },
        other => key().or_else(|| Span::of(other.span())),
    }
}

/// Where the key that ends `path` is written.
pub fn key_span(node: &Node, path: &[Step]) -> Option<Span> {
    let (Step::Key(last), parent) = path.split_last()? else {
        return None;
    };
    let map = get(node, parent)?.as_mapping()?;
    map.keys()
        .find(|k| k.as_str() == last)
        .and_then(|k| Span::of(k.span()))
}

/// Removes the entry or element at `path`; false if there is none.
pub fn remove(node: &mut Node, path: &[Step]) -> bool {
    let Some((last, parent)) = path.split_last() else {
        return false;
    };
    let mut n = node;
    for step in parent {
        let next = match (step, n) {
            (Step::Key(k), Node::Mapping(m)) => m.get_mut(k.as_str()),
            (Step::Index(i), Node::Sequence(s)) => s.get_mut(*i),
            _ => None,
        };
        match next {
            Some(next) => n = next,
            None => return false,
        }
    }
    match (last, n) {
        (Step::Key(k), Node::Mapping(m)) => m.remove(k.as_str()).is_some(),
        (Step::Index(i), Node::Sequence(s)) if *i < s.len() => {
            s.remove(*i);
            true
        }
        _ => false,
    }
}

/// The keys of a path, for messages: `components.api.ports.http`.
pub fn dotted(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A YAML value as JSON, reading plain scalars with the YAML 1.2 core schema (`3` is a
/// number, `true` a boolean, `null` null) and quoted ones as strings.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match node {
        Node::Mapping(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().to_string(), to_json(v)))
                .collect(),
        ),
        Node::Sequence(seq) => Value::Array(seq.iter().map(to_json).collect()),
        Node::Scalar(s) if !s.may_coerce() => Value::String(s.as_str().to_string()),
        Node::Scalar(s) => plain_scalar(s.as_str()),
    }
}

/// A plain scalar under the YAML 1.2 core schema.
pub fn plain_scalar(s: &str) -> serde_json::Value {
    use serde_json::Value;
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = s.parse::<i64>() {
            return Value::from(n);
        }
    }
    let looks_numeric = digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if looks_numeric {
        if let Some(n) = s.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse;

    #[test]
    fn plain_scalars_are_typed_and_quoted_ones_are_strings() {
        let node = parse(
            0,
            "a: 3\nb: \"3\"\nc: true\nd: no\ne: 1.5\nf: 1_000\ng: ~\n",
        )
        .unwrap();
        let json = to_json(&node);
        assert_eq!(
            json,
            serde_json::json!({"a": 3, "b": "3", "c": true, "d": "no", "e": 1.5, "f": "1_000", "g": null})
        );
    }

    #[test]
    fn find_tells_keys_from_values() {
        let node = parse(0, "a:\n  b: [x, y]\n").unwrap();
        let key = |p: &str| Step::Key(p.to_string());
        assert_eq!(
            find(
                &node,
                Span {
                    source: 0,
                    line: 2,
                    col: 3
                }
            ),
            Some(Found::Key(vec![key("a"), key("b")]))
        );
        assert_eq!(
            find(
                &node,
                Span {
                    source: 0,
                    line: 2,
                    col: 10
                }
            ),
            Some(Found::Value(vec![key("a"), key("b"), Step::Index(1)]))
        );
        let mut node = node;
        assert!(remove(&mut node, &[key("a"), key("b"), Step::Index(0)]));
        assert_eq!(dotted(&[key("a"), Step::Index(0)]), "a[0]");
        assert_eq!(
            get(&node, &[key("a"), key("b")])
                .unwrap()
                .as_sequence()
                .unwrap()
                .len(),
            1
        );
    }
}
