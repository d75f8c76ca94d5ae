//! serde errors → diagnostics at the spec line, every error of a tree in one run.
//!
//! serde stops at the first error. To report them all, the tree is deserialized again after
//! each error with the offending key removed (an unknown key, a value of the wrong type) or
//! a stand-in added (a missing key), up to [`MAX_ERRORS`] times.

use super::Platform;
use super::shape::{List, ROOT, ShapeId, Shapes};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::merge::{Lookup, Merged};
use crate::source::Span;
use crate::suggest;
use crate::tree::{self, Found, Step};
use marked_yaml::Node;
use marked_yaml::spanned_serde::Error as DeError;
use marked_yaml::types::MarkedScalarNode;

/// At most this many errors are reported for one tree.
pub const MAX_ERRORS: usize = 50;

/// Between a custom error's message and its help: serde carries one string.
const HELP: &str = "\nhelp: ";

/// A custom error for a type's `Deserialize` that has a help as well as a message ("port
/// `70000` is out of range", "a port is a number from 1 to 65535"): reported as
/// `invalid-value` at the value, the message as written.
pub(super) fn with_help(message: &str, help: &str) -> String {
    format!("{message}{HELP}{help}")
}

pub(super) fn deserialize(merged: &Merged) -> Result<Platform, Diagnostics> {
    // A spec with no list out of place is read as it is; only one with an error is copied
    // to be repaired error by error.
    if walk(&merged.tree, false).lists.is_empty() {
        if let Ok(platform) = read(&merged.tree) {
            return Ok(platform);
        }
    }
    typed(merged.tree.clone(), Some(merged))
}

/// The spec typed from `node`: first without following the path (all a spec without
/// errors pays; following it costs a String per key), then, to place an error, again with
/// it. Typing is deterministic, so the second reading fails the same way.
#[allow(clippy::result_large_err)]
fn read(node: &Node) -> Result<Platform, marked_yaml::FromNodeError> {
    use serde::Deserialize;
    match Platform::deserialize(marked_yaml::spanned_serde::NodeDeserializer::new(node)) {
        Ok(platform) => Ok(platform),
        Err(_) => marked_yaml::from_node(node),
    }
}

/// The type errors of a tree on its own, typed as a layer is: what a later layer replaced
/// or removed ([`crate::merge::Merged::take_displaced`]), or a whole merged tree whose
/// layers did not merge cleanly. A value that every environment overrides is still checked
/// where it is written. Such a tree need not be complete, so a missing key is not an error
/// here (the merged spec reports it).
pub(super) fn layer(tree: Node) -> Diagnostics {
    match typed(tree, None) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics,
    }
}

/// Deserializes `work`, reporting every error, and repairing it after each. `merged` is the
/// merged spec `work` is a copy of; without it (a layer on its own) missing keys are filled
/// silently.
fn typed(mut work: Node, merged: Option<&Merged>) -> Result<Platform, Diagnostics> {
    if merged.is_none() {
        // In an overlay a null removes a key: there is nothing to type.
        crate::merge::drop_nulls(&mut work);
    }
    let mut diagnostics: Diagnostics = Vec::new();
    // Keys an unknown-key error suggested: a missing-key error for one of them is the same
    // typo seen from the other side, and is not reported twice.
    let mut suggested: Vec<(Vec<Step>, String)> = Vec::new();
    // Keys removed after an error: when one of them is then missing, the error is reported
    // already (one error for `port: 70000`, not also "has no `port`").
    let mut dropped: Vec<Vec<Step>> = Vec::new();
    let layer = merged.is_none();
    let walked = walk(&work, layer);
    let refused = !walked.lists.is_empty();
    for (path, expected) in walked.lists {
        let field = match path.last() {
            Some(Step::Key(key)) => format!("`{key}`"),
            _ => "the value".to_string(),
        };
        let mut d = Diagnostic::error(
            Code::TypeMismatch,
            format!("invalid type for {field}: expected {expected}, found a list"),
        )
        .help(format!("write {expected} here"));
        if let Some(at) = tree::point_at(&work, &path) {
            d = d.at(at, format!("expected {expected}"));
        }
        diagnostics.push(d);
        tree::remove(&mut work, &path);
        dropped.push(path);
    }
    if layer {
        // A refused list is removed, so its key is missing too and a later element of
        // its list has moved: walk again (only a spec with this error pays for it).
        let missing = if refused {
            walk(&work, true).missing
        } else {
            walked.missing
        };
        for (path, key, value) in missing {
            if let Some(Node::Mapping(map)) = get_mut(&mut work, &path) {
                let span = *map.span();
                let value = match value {
                    Some(text) => Node::Scalar(MarkedScalarNode::new(span, text)),
                    None => Node::Sequence(marked_yaml::types::MarkedSequenceNode::new_empty(span)),
                };
                map.insert(MarkedScalarNode::new(span, key), value);
            }
        }
    }
    for round in 0..=MAX_ERRORS {
        let error = match read(&work) {
            Ok(platform) if diagnostics.is_empty() => return Ok(platform),
            Ok(_) => return Err(diagnostics),
            Err(e) => e,
        };
        if round == MAX_ERRORS {
            diagnostics.push(Diagnostic::error(
                Code::TooManyErrors,
                format!(
                    "stopped after {MAX_ERRORS} errors; fix these and run again to see the rest"
                ),
            ));
            break;
        }
        let (mut diagnostic, mut repair) = diagnose(&work, &error);
        let mut report = true;
        let mut drop_parent = None;
        match (&*error, &repair) {
            (DeError::UnknownFieldError(key, expected, _), Repair::Remove(path)) => {
                if let Some(near) = suggest::closest(key, expected.iter().copied()) {
                    suggested.push((
                        path[..path.len().saturating_sub(1)].to_vec(),
                        near.to_string(),
                    ));
                }
            }
            (DeError::Other(..), Repair::Fill(path, missing))
                if dropped.contains(&[&path[..], &[Step::Key(missing.clone())]].concat()) =>
            {
                // No stand-in for the wrong value (it could be wrong too): drop what lacks it.
                report = false;
                drop_parent = Some(path.clone());
            }
            (DeError::Other(..), Repair::Fill(path, missing)) => {
                report = !suggested.contains(&(path.clone(), missing.clone()));
                let mut keys: Vec<String> = path
                    .iter()
                    .filter_map(|s| match s {
                        Step::Key(k) => Some(k.clone()),
                        Step::Index(_) => None,
                    })
                    .collect();
                keys.push(missing.clone());
                match merged.map(|m| m.lookup(&keys)) {
                    Some(Lookup::Removed { removal, .. }) => {
                        diagnostic =
                            diagnostic.also(removal.by, format!("`{missing}` was removed here"));
                    }
                    Some(_) => {}
                    None => report = false,
                }
            }
            _ => {}
        }
        // In the merged spec, a key missing below the key a typo was meant to be follows
        // from the typo (`componenst:` leaves the overlays' components without an image):
        // the typo is the error.
        let at = match &repair {
            Repair::Fill(path, _) => Some(path.as_slice()),
            Repair::Remove(_) | Repair::Stop => None,
        };
        if merged.is_some()
            && at.is_some_and(|at| {
                suggested.iter().any(|(parent, key)| {
                    at.len() > parent.len()
                        && at.starts_with(parent)
                        && at[parent.len()] == Step::Key(key.clone())
                })
            })
        {
            report = false;
        }
        if let Some(path) = drop_parent {
            repair = Repair::Remove(path);
        }
        if let Repair::Remove(path) = &repair {
            dropped.push(path.clone());
        }
        let repeated = diagnostics.last() == Some(&diagnostic);
        if report && !repeated {
            diagnostics.push(diagnostic);
        }
        if repeated || !repair.apply(&mut work) {
            break;
        }
    }
    Err(diagnostics)
}

/// How to get past an error and find the next one.
enum Repair {
    Remove(Vec<Step>),
    Fill(Vec<Step>, String),
    Stop,
}

impl Repair {
    fn apply(self, tree: &mut Node) -> bool {
        match self {
            Repair::Remove(path) => tree::remove(tree, &path),
            Repair::Fill(path, key) => {
                let Some(Node::Mapping(map)) = get_mut(tree, &path) else {
                    return false;
                };
                let span = *map.span();
                // "0" deserializes as a string and as every number type.
                map.insert(
                    MarkedScalarNode::new(span, key),
                    Node::Scalar(MarkedScalarNode::new(span, "0")),
                );
                true
            }
            Repair::Stop => false,
        }
    }
}

fn get_mut<'a>(node: &'a mut Node, path: &[Step]) -> Option<&'a mut Node> {
    path.iter().try_fold(node, |n, step| match (step, n) {
        (Step::Key(k), Node::Mapping(m)) => m.get_mut(k.as_str()),
        (Step::Index(i), Node::Sequence(s)) => s.get_mut(*i),
        _ => None,
    })
}

fn diagnose(tree: &Node, error: &marked_yaml::FromNodeError) -> (Diagnostic, Repair) {
    let at = error
        .start_mark()
        .and_then(|m| Span::of(&marked_yaml::Span::new_start(m)));
    let found = at.and_then(|at| tree::find(tree, at));
    let path = match &found {
        Some(Found::Key(p) | Found::Value(p)) => p.clone(),
        None => Vec::new(),
    };
    let fallback = match &found {
        Some(Found::Value(p)) => tree::point_at(tree, p).or(at),
        _ => at,
    }
    .unwrap_or(Span {
        source: 0,
        line: 1,
        col: 1,
    });
    let value_text = tree::get(tree, &path)
        .and_then(Node::as_scalar)
        .map(|s| s.as_str().to_string());
    let name = path.iter().rev().find_map(|s| match s {
        Step::Key(k) => Some(k.as_str()),
        Step::Index(_) => None,
    });
    let field = name.map_or("the value".to_string(), |n| format!("`{n}`"));
    let shown = |v: &Option<String>| v.as_ref().map_or(String::new(), |v| format!(" `{v}`"));
    match &**error {
        DeError::UnknownFieldError(key, expected, _) => {
            let parent = &path[..path.len().saturating_sub(1)];
            let mut help = suggest::did_you_mean("", key, expected.iter().copied())
                .map_or(String::new(), |near| near + "\n");
            help.push_str(&format!("valid keys here: {}", expected.join(", ")));
            let d = Diagnostic::error(
                Code::UnknownKey,
                format!("unknown key `{key}` in {}", context(parent)),
            )
            .at(fallback, format!("not a key of {}", context(parent)))
            .help(help);
            (d, Repair::Remove(path))
        }
        DeError::IntegerParseFailure(e, _) => {
            let d = Diagnostic::error(
                Code::TypeMismatch,
                format!(
                    "invalid value{} for {field}: expected a whole number",
                    shown(&value_text)
                ),
            )
            .at(
                fallback,
                if e.to_string().contains("too large") {
                    "too large"
                } else {
                    "not a whole number"
                },
            )
            .help("write a number without quotes or units, such as `3`");
            (d, Repair::Remove(path))
        }
        DeError::FloatParseFailure(_, _) => {
            let d = Diagnostic::error(
                Code::TypeMismatch,
                format!(
                    "invalid value{} for {field}: expected a number",
                    shown(&value_text)
                ),
            )
            .at(fallback, "not a number")
            .help("write a number such as `0.5`");
            (d, Repair::Remove(path))
        }
        DeError::NotBoolean(_) => {
            let d = Diagnostic::error(
                Code::TypeMismatch,
                format!("invalid value{} for {field}: expected `true` or `false`", shown(&value_text)),
            )
            .at(fallback, "not a boolean")
            .help("write `true` or `false`; YAML 1.1 words such as `yes` and `on` are not booleans here");
            (d, Repair::Remove(path))
        }
        DeError::Other(message, _) => {
            let key_at = tree::key_span(tree, &path).unwrap_or(fallback);
            other(
                message,
                path,
                found.is_some(),
                fallback,
                key_at,
                &field,
                &value_text,
            )
        }
    }
}

fn other(
    message: &str,
    path: Vec<Step>,
    found: bool,
    at: Span,
    key_at: Span,
    field: &str,
    value: &Option<String>,
) -> (Diagnostic, Repair) {
    if let Some(missing) = between(message, "missing field `", "`") {
        // The error points at the mapping that lacks the key; show the mapping's own key.
        let what = context(&path);
        let d = Diagnostic::error(Code::MissingKey, format!("{what} has no `{missing}`"))
            .at(key_at, format!("`{missing}` is required here"))
            .help(format!("add `{missing}:` to {what}"));
        let repair = if found {
            Repair::Fill(path, missing.to_string())
        } else {
            Repair::Stop
        };
        return (d, repair);
    }
    if let Some(variant) = between(message, "unknown variant `", "`") {
        let expected = backticked(message.split_once("expected").map_or("", |(_, e)| e));
        let mut help = suggest::did_you_mean("", variant, expected.iter().map(String::as_str))
            .map_or(String::new(), |near| near + "\n");
        help.push_str(&format!("valid values: {}", expected.join(", ")));
        let d = Diagnostic::error(
            Code::UnknownValue,
            format!("invalid value `{variant}` for {field}"),
        )
        .at(at, "not one of the valid values")
        .help(help);
        return (
            d,
            if found {
                Repair::Remove(path)
            } else {
                Repair::Stop
            },
        );
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found_type, expected) = rest
            .split_once(", expected ")
            .unwrap_or((rest, "another type"));
        let d = Diagnostic::error(
            Code::TypeMismatch,
            format!(
                "invalid type for {field}: expected {}, found {}",
                plain_type(expected),
                plain_type(found_type)
            ),
        )
        .at(at, format!("expected {}", plain_type(expected)))
        .help(format!("write {} here", plain_type(expected)));
        return (
            d,
            if found {
                Repair::Remove(path)
            } else {
                Repair::Stop
            },
        );
    }
    if let Some((message, help)) = message.split_once(HELP) {
        let d = Diagnostic::error(Code::InvalidValue, message)
            .at(at, format!("the value of {field}"))
            .help(help);
        let repair = if found {
            Repair::Remove(path)
        } else {
            Repair::Stop
        };
        return (d, repair);
    }
    let shown = value.as_ref().map_or(String::new(), |v| format!(" `{v}`"));
    let message = if message.starts_with("invalid ") {
        message.to_string()
    } else {
        format!("invalid value{shown} for {field}: {message}")
    };
    let d = Diagnostic::error(Code::InvalidValue, message).at(at, format!("the value of {field}"));
    (
        d,
        if found {
            Repair::Remove(path)
        } else {
            Repair::Stop
        },
    )
}

/// A key a layer's mapping lacks that its type requires: the mapping, the key, and its
/// stand-in (`None`: an empty list).
type Missing = (Vec<Step>, String, Option<String>);

/// What one walk of a tree against the spec's shapes finds before serde reads it.
#[derive(Default)]
struct Walked {
    /// Every list where the spec takes none, with what it takes there. serde reads a list
    /// as a struct's fields in order (`autoscale: [2, 5]` as `min` and `max`), which gives
    /// errors about lengths and elements; the list is refused whole instead, before serde.
    lists: Vec<(Vec<Step>, String)>,
    /// Every key a mapping lacks that its type requires: an overlay need not repeat them, and each stand-in filled up front saves
    /// a round of serde per mapping (an overlay of 10,000 components, each without its
    /// `image`, is typed in one pass instead of 10,000).
    missing: Vec<Missing>,
}

/// Walks `tree` once against the spec's shapes; `missing`: also find missing keys.
fn walk(tree: &Node, missing: bool) -> Walked {
    fn steps(path: &[PathStep]) -> Vec<Step> {
        path.iter()
            .map(|s| match s {
                PathStep::Key(k) => Step::Key(k.to_string()),
                PathStep::Index(i) => Step::Index(*i),
            })
            .collect()
    }
    fn walk<'t>(
        node: &'t Node,
        shape: ShapeId,
        shapes: &mut Shapes,
        path: &mut Vec<PathStep<'t>>,
        missing: bool,
        out: &mut Walked,
    ) {
        match node {
            Node::Mapping(map) => {
                for (key, value) in map.iter() {
                    if let Some(child) = shapes.child(shape, key.as_str()) {
                        path.push(PathStep::Key(key.as_str()));
                        walk(value, child, shapes, path, missing, out);
                        path.pop();
                    }
                }
                if missing {
                    for (key, stand_in) in shapes.required(shape) {
                        if map.get(*key).is_none() {
                            out.missing
                                .push((steps(path), key.to_string(), stand_in.clone()));
                        }
                    }
                }
            }
            Node::Sequence(items) => {
                let child = shapes.items(shape);
                match (shapes.list(shape), child) {
                    (List::Refused(expected), _) => out.lists.push((steps(path), expected.clone())),
                    (List::Taken, Some(child)) => {
                        for (i, item) in items.iter().enumerate() {
                            path.push(PathStep::Index(i));
                            walk(item, child, shapes, path, missing, out);
                            path.pop();
                        }
                    }
                    _ => {}
                }
            }
            Node::Scalar(_) => {}
        }
    }
    Shapes::with(|shapes| {
        let mut out = Walked::default();
        walk(tree, ROOT, shapes, &mut Vec::new(), missing, &mut out);
        out
    })
}

/// A step of the path a walk is at, borrowed from the tree.
enum PathStep<'t> {
    Key(&'t str),
    Index(usize),
}

/// serde's type names, as a spec author would say them.
fn plain_type(t: &str) -> String {
    let t = t.trim();
    match t {
        "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "usize" => {
            "a whole number".to_string()
        }
        "f32" | "f64" => "a number".to_string(),
        "map" | "a map" => "a mapping (`key: value`)".to_string(),
        "sequence" | "a sequence" => "a list".to_string(),
        "string" | "a string" => "a string".to_string(),
        _ if t.starts_with("string ") => format!("the string {}", &t[7..]),
        _ if t.starts_with("struct ") => "a mapping (`key: value`)".to_string(),
        _ => t.to_string(),
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &s[s.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

fn backticked(s: &str) -> Vec<String> {
    s.split('`').skip(1).step_by(2).map(String::from).collect()
}

/// What a path names, for messages: "component `api`", "`autoscale` of component `api`".
pub fn context(path: &[Step]) -> String {
    let keys: Vec<&str> = path
        .iter()
        .filter_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            Step::Index(_) => None,
        })
        .collect();
    match keys.as_slice() {
        [] => "the platform spec".to_string(),
        ["components", name] => format!("component `{name}`"),
        ["jobs", name] => format!("job `{name}`"),
        ["components", name, rest @ ..] => format!("`{}` of component `{name}`", rest.join(".")),
        ["jobs", name, rest @ ..] => format!("`{}` of job `{name}`", rest.join(".")),
        _ => format!("`{}`", tree::dotted(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse;
    use crate::merge::Merged;

    fn merged(text: &str) -> Merged {
        Merged::new(parse(0, text).unwrap())
    }

    fn errors(text: &str) -> Vec<(&'static str, usize, usize)> {
        deserialize(&merged(text))
            .unwrap_err()
            .iter()
            .map(Diagnostic::code_at)
            .collect()
    }

    #[test]
    fn every_unknown_key_is_reported_at_its_key() {
        let text = "platform: p\ncomponents:\n  api:\n    image: a\n    replcas: 2\n    prots: {}\n  web:\n    imgae: b\n";
        assert_eq!(
            errors(text),
            vec![
                ("unknown-key", 5, 5),
                ("unknown-key", 6, 5),
                ("unknown-key", 8, 5),
            ]
        );
    }

    #[test]
    fn unknown_key_suggests_the_nearest() {
        let d = &deserialize(&merged(
            "platform: p\ncomponents:\n  api:\n    image: a\n    replcas: 2\n",
        ))
        .unwrap_err()[0];
        assert_eq!(d.message, "unknown key `replcas` in component `api`");
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `replicas`?")
        );
    }

    #[test]
    fn a_bad_number_points_at_the_value() {
        let d = &deserialize(&merged(
            "platform: p\ncomponents:\n  api:\n    image: a\n    replicas: three\n",
        ))
        .unwrap_err()[0];
        assert_eq!(d.code_at(), ("type-mismatch", 5, 15));
        assert_eq!(
            d.message,
            "invalid value `three` for `replicas`: expected a whole number"
        );
    }

    #[test]
    fn a_bad_enum_value_suggests_a_valid_one() {
        let d = &deserialize(&merged(
            "platform: p\ncomponents:\n  db:\n    image: a\n    kind: statefull\n",
        ))
        .unwrap_err()[0];
        assert_eq!(d.code_at(), ("unknown-value", 5, 11));
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `stateful`?"),
            "{:?}",
            d.help
        );
    }

    #[test]
    fn a_missing_key_names_its_component() {
        let d = &deserialize(&merged(
            "platform: p\ncomponents:\n  api:\n    replicas: 2\n",
        ))
        .unwrap_err()[0];
        assert_eq!(d.message, "component `api` has no `image`");
    }

    #[test]
    fn a_short_form_error_points_at_the_value() {
        let d = &deserialize(&merged(
            "platform: p\ncomponents:\n  api:\n    image: a\n    ports: { http: 80800 }\n",
        ))
        .unwrap_err()[0];
        assert_eq!(d.code_at().0, "invalid-value");
        assert!(d.message.contains("80800"), "{}", d.message);
    }

    #[test]
    fn a_port_out_of_range_is_one_error_in_either_form() {
        for (ports, col) in [
            ("{ http: { port: 70000 } }", 28),
            ("{ http: { port: -1 } }", 28),
            ("{ http: { port: 0, servicePort: 80 } }", 28),
            ("{ http: { port: 80, servicePort: 65536 } }", 45),
            ("{ http: 70000 }", 20),
        ] {
            let text =
                format!("platform: p\ncomponents:\n  api:\n    image: a\n    ports: {ports}\n");
            let ds = deserialize(&merged(&text)).unwrap_err();
            assert_eq!(
                ds.iter().map(Diagnostic::code_at).collect::<Vec<_>>(),
                vec![("invalid-value", 5, col)],
                "{ports}"
            );
            assert!(
                ds[0].message.ends_with("is out of range"),
                "{}",
                ds[0].message
            );
            assert_eq!(
                ds[0].help.as_deref(),
                Some("a port is a number from 1 to 65535")
            );
        }
    }

    #[test]
    fn a_wrong_required_value_is_not_also_reported_missing() {
        let ds = deserialize(&merged(
            "platform: p\ncomponents:\n  api:\n    image: [a]\n  web:\n    imgae: b\n",
        ))
        .unwrap_err();
        // `api` lost its `image` to the type error: that is not a second error, and `web`
        // is still checked after it.
        assert_eq!(
            ds.iter().map(|d| d.code).collect::<Vec<_>>(),
            vec!["type-mismatch", "unknown-key"]
        );
        assert_eq!(ds[1].code_at(), ("unknown-key", 6, 5));
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;
    use crate::load::parse;

    #[test]
    fn a_typo_of_a_required_key_is_one_error() {
        let merged =
            Merged::new(parse(0, "platform: p\ncomponents:\n  api:\n    imgae: a\n").unwrap());
        let ds = deserialize(&merged).unwrap_err();
        assert_eq!(
            ds.iter().map(Diagnostic::code_at).collect::<Vec<_>>(),
            vec![("unknown-key", 4, 5)]
        );
    }

    #[test]
    fn a_key_removed_by_an_overlay_shows_where() {
        let mut merged =
            Merged::new(parse(0, "platform: p\ncomponents:\n  api:\n    image: a\n").unwrap());
        merged.layer(parse(1, "components:\n  api:\n    image: null\n").unwrap());
        let d = &deserialize(&merged).unwrap_err()[0];
        assert_eq!(d.code, "missing-key");
        assert_eq!(
            d.secondary[0].span,
            Span {
                source: 1,
                line: 3,
                col: 12
            }
        );
    }

    #[test]
    fn errors_stop_at_the_cap_and_say_so() {
        let mut text = String::from("platform: p\n");
        for i in 0..80 {
            text.push_str(&format!("bad{i}: 1\n"));
        }
        let ds = deserialize(&Merged::new(parse(0, &text).unwrap())).unwrap_err();
        assert_eq!(ds.len(), MAX_ERRORS + 1);
        assert_eq!(ds.last().unwrap().code, "too-many-errors");
    }
}
