//! `wfk explain <env> <path>`: the merged value at a path, where it was set, and the chain
//! of values it overrode, newest first.

use super::fail;
use crate::Exit;
use crate::cli::{DataFormat, ExplainArgs};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::merge::Lookup;
use crate::source::{SourceMap, Span};
use crate::{suggest, tree};
use marked_yaml::Node;
use std::io::Write;
use std::path::Path;

pub fn run(dir: &Path, args: &ExplainArgs) -> anyhow::Result<Exit> {
    let mut map = SourceMap::default();
    // The whole spec is read, so explain never shows a value that render would refuse.
    let merged = match super::spec(dir, &args.env, &args.set, &mut map) {
        Ok((merged, _)) => merged,
        Err(ds) => return Ok(fail(&ds, &map)),
    };
    let path = merged.resolve(&args.path);
    if args.format == DataFormat::Json {
        if let Some(doc) = json(args, &merged.lookup(&path), &map) {
            let mut out = serde_json::to_string_pretty(&doc)?;
            out.push('\n');
            std::io::stdout().lock().write_all(out.as_bytes())?;
            return Ok(Exit::Success);
        }
    }
    let out = match merged.lookup(&path) {
        Lookup::Value { node, overridden } => {
            let mut out = value_line(&args.path, node, &map);
            for old in overridden.iter().rev() {
                out.push_str(&format!(
                    "  overrides {}  {}\n",
                    inline(old),
                    origin(old, &map)
                ));
            }
            out
        }
        Lookup::Removed { at, removal } => {
            let removed = at.join(".");
            let mut out = format!("{}: removed\n", args.path);
            out.push_str(&format!(
                "  {removed} removed by null at  {}\n",
                map.locate(removal.by)
            ));
            let was_at = match (&removal.was, removal.key) {
                (Node::Scalar(_), _) | (_, None) => origin(&removal.was, &map),
                (_, Some(key)) => map.locate(key).to_string(),
            };
            out.push_str(&format!("  it was {}  {was_at}\n", inline(&removal.was)));
            for old in removal.history.iter().rev() {
                out.push_str(&format!(
                    "  overriding {}  {}\n",
                    inline(old),
                    origin(old, &map)
                ));
            }
            out
        }
        Lookup::Missing { valid, keys } => {
            // A place the spec has but this environment leaves unset: the default applies.
            let schema_check = crate::platform::valid_path(&path, valid.len());
            if schema_check.is_ok() {
                let out = format!(
                    "{}: not set in `{}` (the default applies)\n",
                    args.path, args.env
                );
                std::io::stdout().lock().write_all(out.as_bytes())?;
                return Ok(Exit::Success);
            }
            let wrong = &path[valid.len()];
            let mut d = Diagnostic::error(
                Code::UnknownPath,
                format!("`{}` is not set in environment `{}`", args.path, args.env),
            );
            // Suggest from what is set here, then from what the spec allows here.
            let allowed = match schema_check {
                Err((at, allowed)) if at == valid.len() => allowed,
                _ => Vec::new(),
            };
            let prefix = if valid.is_empty() {
                String::new()
            } else {
                format!("{}.", valid.join("."))
            };
            let near = suggest::closest(wrong, keys.iter().map(String::as_str))
                .or_else(|| suggest::closest(wrong, allowed.iter().map(String::as_str)));
            d = match near {
                Some(near) => d.help(format!("did you mean `{prefix}{near}`?")),
                None if keys.is_empty() && allowed.is_empty() => {
                    d.help(format!("`{}` has no keys below it", valid.join(".")))
                }
                None => {
                    let listed = if keys.is_empty() { &allowed } else { &keys };
                    let at = if valid.is_empty() {
                        "the root"
                    } else {
                        prefix.trim_end_matches('.')
                    };
                    d.help(format!("keys under `{at}`: {}", listed.join(", ")))
                }
            };
            return Ok(fail(&vec![d], &map));
        }
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(Exit::Success)
}

/// `--format json`: `{ version, env, path, state: set|removed|default, value, at,
/// overrides: [{ value, at }], removed_by }`, each `at` `{ file, line, column }`. None for
/// a path that is not there (the text path reports it as an error).
fn json(args: &ExplainArgs, lookup: &Lookup, map: &SourceMap) -> Option<serde_json::Value> {
    use serde_json::json;
    let at = |node: &Node| {
        Span::of(node.span()).map(|s| {
            let l = map.locate(s);
            json!({ "file": l.name, "line": l.line, "column": l.col })
        })
    };
    let chain = |nodes: &[Node]| -> Vec<serde_json::Value> {
        nodes
            .iter()
            .rev()
            .map(|n| json!({ "value": tree::to_json(n), "at": at(n) }))
            .collect()
    };
    let (state, value, set_at, overrides, removed_by) = match lookup {
        Lookup::Value { node, overridden } => (
            "set",
            tree::to_json(node),
            at(node),
            chain(overridden),
            None,
        ),
        Lookup::Removed { removal, .. } => {
            let by = map.locate(removal.by);
            let mut was = chain(&removal.history);
            was.insert(
                0,
                json!({ "value": tree::to_json(&removal.was), "at": at(&removal.was) }),
            );
            (
                "removed",
                serde_json::Value::Null,
                None,
                was,
                Some(json!({ "file": by.name, "line": by.line, "column": by.col })),
            )
        }
        Lookup::Missing { valid, .. } => {
            let path: Vec<String> = args.path.split('.').map(String::from).collect();
            crate::platform::valid_path(&path, valid.len()).ok()?;
            ("default", serde_json::Value::Null, None, Vec::new(), None)
        }
    };
    Some(json!({
        "version": 1,
        "env": args.env,
        "path": args.path,
        "state": state,
        "value": value,
        "at": set_at,
        "overrides": overrides,
        "removed_by": removed_by,
    }))
}

/// The first line: the value and where it was set. A mapping or list follows as YAML.
fn value_line(path: &str, node: &Node, map: &SourceMap) -> String {
    match node {
        Node::Scalar(_) => format!("{path}: {}\n  set at {}\n", inline(node), origin(node, map)),
        _ => {
            let yaml = serde_saphyr::to_string(&tree::to_json(node)).unwrap_or_default();
            let body: String = yaml.lines().map(|l| format!("    {l}\n")).collect();
            format!("{path}:\n{body}  set at {}\n", origin(node, map))
        }
    }
}

/// A value on one line: a scalar as written (quoted if it was), a collection in short.
fn inline(node: &Node) -> String {
    match node {
        Node::Scalar(s) if s.may_coerce() => s.as_str().to_string(),
        Node::Scalar(s) => format!("{:?}", s.as_str()),
        _ => {
            // A collection on one line, cut short: `explain` on its own path shows it whole.
            let text = serde_json::to_string(&tree::to_json(node)).unwrap_or_default();
            if text.chars().count() <= 60 {
                text
            } else {
                let open = if matches!(node, Node::Sequence(_)) {
                    "[…]"
                } else {
                    "{…}"
                };
                open.to_string()
            }
        }
    }
}

fn origin(node: &Node, map: &SourceMap) -> String {
    Span::of(node.span()).map_or("(unknown position)".to_string(), |s| {
        map.locate(s).to_string()
    })
}
