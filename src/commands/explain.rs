//! `wfk explain <env> <path>`: the merged value at a path, where it was set, and the chain
//! of values it overrode, newest first.

use super::fail;
use crate::Exit;
use crate::build::origins::Source;
use crate::cli::{DataFormat, ExplainArgs};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::merge::{History, Lookup};
use crate::source::{SourceMap, Span};
use crate::{suggest, tree};
use marked_yaml::Node;
use std::io::Write;
use std::path::Path;

pub fn run(dir: &Path, args: &ExplainArgs) -> anyhow::Result<Exit> {
    if let Some((kind, name)) = object_path(&args.path) {
        return object(dir, args, kind, name);
    }
    let mut map = SourceMap::default();
    // The whole spec is read, so explain never shows a value that render would refuse.
    let merged = match super::spec(
        dir,
        &args.env,
        &args.set,
        &mut map,
        History::Kept,
        super::Reads::Values,
    ) {
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
            let near = suggest::did_you_mean(&prefix, wrong, keys.iter().map(String::as_str))
                .or_else(|| {
                    suggest::did_you_mean(&prefix, wrong, allowed.iter().map(String::as_str))
                });
            d = match near {
                Some(near) => d.help(near),
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

/// `Kind/name`: a rendered object rather than a spec path (kinds start with a capital).
fn object_path(path: &str) -> Option<(&str, &str)> {
    let (kind, name) = path.split_once('/')?;
    kind.starts_with(|c: char| c.is_ascii_uppercase())
        .then_some((kind, name))
}

/// `wfk explain ENV Kind/name FIELD`: what produced a field of a rendered object — the
/// spec values (with what they overrode), the template or the patch — as recorded while
/// the objects were built.
fn object(dir: &Path, args: &ExplainArgs, kind: &str, name: &str) -> anyhow::Result<Exit> {
    let mut map = SourceMap::default();
    let render = match super::objects(
        dir,
        &args.env,
        &args.set,
        &mut map,
        &mut crate::template::Fuel::per_run(),
        History::Kept,
        super::Reads::Values,
    ) {
        Ok(render) => render,
        Err(ds) => return Ok(fail(&ds, &map)),
    };
    let Some(object) = render
        .objects
        .iter()
        .find(|o| o.kind() == kind && o.name() == name)
    else {
        let same_kind: Vec<String> = render
            .objects
            .iter()
            .filter(|o| o.kind() == kind)
            .map(|o| format!("{kind}/{}", o.name()))
            .collect();
        let near = suggest::did_you_mean("", &args.path, same_kind.iter().map(String::as_str));
        let help = match near {
            Some(near) => near,
            None if same_kind.is_empty() => {
                format!(
                    "no `{kind}` is rendered in `{}`; `wfk render {}` lists every object",
                    args.env, args.env
                )
            }
            None => format!("the {kind} objects are: {}", same_kind.join(", ")),
        };
        let d = Diagnostic::error(
            Code::UnknownPath,
            format!(
                "`{}` is not rendered in environment `{}`",
                args.path, args.env
            ),
        )
        .help(help);
        return Ok(fail(&vec![d], &map));
    };
    let value = serde_json::to_value(object)?;
    let asked = args.field.as_deref().unwrap_or_default();
    let field = match named_path(&value, asked) {
        Ok(field) => field,
        Err((valid, keys)) => {
            let at = if valid.is_empty() {
                "the object".to_string()
            } else {
                format!("`{valid}`")
            };
            let d = Diagnostic::error(
                Code::UnknownPath,
                format!(
                    "`{asked}` is not set in `{}` in environment `{}`",
                    args.path, args.env
                ),
            )
            .help(format!("fields under {at}: {}", keys.join(", ")));
            return Ok(fail(&vec![d], &map));
        }
    };
    let shown = if field.is_empty() {
        args.path.clone()
    } else {
        format!("{} {field}", args.path)
    };
    let mut out = format!("{shown}:\n");
    let records = render.origins.field(&render.platform, kind, name, &field);
    for (at, source) in &records {
        let what = if at.is_empty() { "the object" } else { at };
        match source {
            Source::Template(span) => {
                out.push_str(&format!(
                    "  {what}  from the template at {}\n",
                    map.locate(*span)
                ));
            }
            Source::Operation(span) => {
                out.push_str(&format!(
                    "  {what}  from the patch operation at {}\n",
                    map.locate(*span)
                ));
            }
            Source::Spec(path) if at.is_empty() && !field.is_empty() => {
                // Only the object itself is recorded: the field is wfk's own.
                let from = spec_origin(&render.merged, &path.to_vec(), &map);
                out.push_str(&format!(
                    "  set by wfk, not by the spec (secure defaults and derived fields); the object comes from {} {from}\n",
                    path.join(".")
                ));
            }
            Source::Spec(path) => {
                let dotted = path.join(".");
                match render.merged.lookup(&path.to_vec()) {
                    Lookup::Value { node, overridden } => {
                        out.push_str(&format!(
                            "  {what}  ← {dotted} = {}  {}\n",
                            inline(node),
                            origin(node, &map)
                        ));
                        for old in overridden.iter().rev() {
                            out.push_str(&format!(
                                "      overrides {}  {}\n",
                                inline(old),
                                origin(old, &map)
                            ));
                        }
                    }
                    Lookup::Removed { removal, .. } => out.push_str(&format!(
                        "  {what}  ← {dotted}: removed by null at {}\n",
                        map.locate(removal.by)
                    )),
                    Lookup::Missing { .. } => {
                        out.push_str(&format!("  {what}  ← {dotted}: not set (wfk's default)\n"))
                    }
                }
            }
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(Exit::Success)
}

/// Where a spec value is, for a line of output.
fn spec_origin(merged: &crate::merge::Merged, path: &[String], map: &SourceMap) -> String {
    match merged.lookup(path) {
        // A mapping is pointed at by its key: its own position is its first entry's.
        Lookup::Value { node, .. } if !matches!(node, Node::Mapping(_)) => origin(node, map),
        _ => merged
            .key(path)
            .and_then(|k| Span::of(k.span()))
            .map_or_else(|| "(not set)".to_string(), |s| map.locate(s).to_string()),
    }
}

/// A field path as origins record it: list entries by name where the list's entries have
/// names (`containers[0]` → `containers[api]`). Err: the longest valid prefix and the keys
/// there, for a field the object does not have.
fn named_path(value: &serde_json::Value, asked: &str) -> Result<String, (String, Vec<String>)> {
    use serde_json::Value;
    let mut out = String::new();
    let mut node = value;
    let keys_of = |v: &Value| -> Vec<String> {
        match v {
            Value::Object(m) => m.keys().cloned().collect(),
            Value::Array(items) => (0..items.len()).map(|i| format!("[{i}]")).collect(),
            _ => Vec::new(),
        }
    };
    if asked.is_empty() {
        return Ok(out);
    }
    for part in asked.split('.') {
        let (key, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            match node.get(key) {
                Some(next) => node = next,
                None => return Err((out, keys_of(node))),
            }
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(key);
        }
        for index in indexes.split_inclusive(']') {
            let inner = index.trim_start_matches('[').trim_end_matches(']');
            let Value::Array(items) = node else {
                return Err((out, keys_of(node)));
            };
            let name = |i: &Value| {
                i["name"]
                    .as_str()
                    .or(i["metadata"]["name"].as_str())
                    .map(String::from)
            };
            let named = !items.is_empty() && items.iter().all(|i| name(i).is_some());
            let found = match inner.parse::<usize>() {
                Ok(i) => items.get(i).map(|item| {
                    (
                        item,
                        if named {
                            name(item).unwrap_or_default()
                        } else {
                            i.to_string()
                        },
                    )
                }),
                Err(_) => items
                    .iter()
                    .find(|item| name(item).as_deref() == Some(inner))
                    .map(|item| (item, inner.to_string())),
            };
            match found {
                Some((item, label)) => {
                    node = item;
                    out.push_str(&format!("[{label}]"));
                }
                None => return Err((out, keys_of(node))),
            }
        }
    }
    Ok(out)
}
