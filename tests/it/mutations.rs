//! Every leaf of the reference platform and of each example, broken in turn the ways people
//! break YAML: a misspelled key, a word for a number, a list for a string, a key written
//! twice, a tab in the indentation, and three of these at once. Each broken spec must be
//! refused with an error at exactly the position of the mistake (file, line and column),
//! with a help that says what to write, and with no error anywhere else.
//!
//! It runs in-process through the library (`wfk::commands::objects`, what `render`,
//! `validate` and `diff` run), one case after the other in one temporary copy of each
//! project: thousands of cases in a few seconds. The binary's exit code and empty stdout
//! for such errors are checked by the tests of each error path.
//!
//! What a field accepts is read from the JSON Schema `wfk schema` prints, so a new field is
//! mutated without touching this file.

use crate::support::TempDir;
use marked_yaml::Node;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A project to mutate: its folder from the repository root.
const PROJECTS: &[&str] = &[
    ".",
    "examples/ai-workflow-engine",
    "examples/apparatus",
    "examples/industriverse",
];

/// One mistake: the line of the file to replace and what to write there, where the error
/// must point, and what the mistake was (for messages).
#[derive(Clone, Debug)]
struct Mistake {
    /// 1-based line to edit, and its new text (which may hold a newline: a line added).
    line: usize,
    text: String,
    /// Where the error must be: 1-based line and column.
    at: (usize, usize),
    what: String,
    /// The spec path of the key or value broken.
    path: Vec<String>,
}

/// A key or a scalar of a file, with the spec path it stands at.
struct Leaf {
    path: Vec<String>,
    key: (usize, usize),
    key_text: String,
    value: Option<Scalar>,
    /// Whether the value is a mapping or list written below the key (block style).
    block: bool,
}

struct Scalar {
    at: (usize, usize),
    text: String,
    plain: bool,
}

fn position(span: &marked_yaml::Span) -> (usize, usize) {
    let m = span.start().expect("a parsed node has a start");
    (m.line(), m.column())
}

/// Every key of every mapping in `node` (not inside lists: list entries have no stable
/// spec path to type), with its value when that is a scalar.
fn leaves(node: &Node, path: &mut Vec<String>, out: &mut Vec<Leaf>) {
    let Node::Mapping(map) = node else { return };
    for (key, value) in map.iter() {
        path.push(key.as_str().to_string());
        let scalar = match value {
            Node::Scalar(s) => Some(Scalar {
                at: position(s.span()),
                text: s.as_str().to_string(),
                plain: s.may_coerce(),
            }),
            _ => None,
        };
        let key_at = position(key.span());
        let block = match value {
            Node::Mapping(_) | Node::Sequence(_) => {
                value.span().start().is_some_and(|m| m.line() > key_at.0)
            }
            Node::Scalar(_) => false,
        };
        out.push(Leaf {
            path: path.clone(),
            key: key_at,
            key_text: key.as_str().to_string(),
            value: scalar,
            block,
        });
        leaves(value, path, out);
        path.pop();
    }
}

// ---------------------------------------------------------------------------------------
// What the schema accepts at a path.

/// The schemas at `path`: every alternative, with `$ref`, `allOf`, `anyOf` and `oneOf`
/// opened.
fn schemas_at<'a>(root: &'a Value, path: &[String]) -> Vec<&'a Value> {
    let mut current = open(root, root);
    for key in path {
        let mut next = Vec::new();
        for schema in &current {
            match schema.get("properties").and_then(|p| p.get(key)) {
                Some(p) => next.extend(open(root, p)),
                None => {
                    if let Some(extra) =
                        schema.get("additionalProperties").filter(|a| a.is_object())
                    {
                        next.extend(open(root, extra));
                    }
                }
            }
        }
        current = next;
    }
    current
}

fn open<'a>(root: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
        let name = name.rsplit('/').next().unwrap();
        return open(root, &root["definitions"][name]);
    }
    for combinator in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = schema.get(combinator).and_then(Value::as_array) {
            return list.iter().flat_map(|s| open(root, s)).collect();
        }
    }
    vec![schema]
}

/// The JSON types a value at these schemas may have; `None` if one of them takes anything.
fn types(schemas: &[&Value]) -> Option<BTreeSet<String>> {
    if schemas.is_empty() {
        // Below a value that takes anything.
        return None;
    }
    let mut out = BTreeSet::new();
    for schema in schemas {
        match schema.get("type") {
            Some(Value::String(t)) => {
                out.insert(t.clone());
            }
            Some(Value::Array(ts)) => {
                out.extend(ts.iter().filter_map(Value::as_str).map(String::from))
            }
            _ if schema.get("enum").is_some() => {
                out.insert("string".to_string());
            }
            _ => return None,
        }
    }
    out.remove("null");
    Some(out)
}

/// Whether `key` is a declared field where it stands (not a name in a map of names).
fn is_field(root: &Value, path: &[String]) -> bool {
    let (key, parent) = path.split_last().unwrap();
    let parents = schemas_at(root, parent);
    !parents.is_empty()
        && parents.iter().all(|s| {
            s.get("additionalProperties")
                .is_none_or(|a| a == &Value::Bool(false))
        })
        && parents
            .iter()
            .any(|s| s.get("properties").and_then(|p| p.get(key)).is_some())
}

// ---------------------------------------------------------------------------------------
// Mistakes.

/// The line `at.0` of `text` with `from` (found at column `at.1`) replaced by `to`, or
/// `None` if `from` is not written there as is.
fn replace_at(lines: &[&str], at: (usize, usize), from: &str, to: &str) -> Option<String> {
    let line = lines.get(at.0 - 1)?;
    let chars: Vec<char> = line.chars().collect();
    let start = at.1 - 1;
    let found: String = chars
        .get(start..start + from.chars().count())?
        .iter()
        .collect();
    (found == from).then(|| {
        let before: String = chars[..start].iter().collect();
        let after: String = chars[start + from.chars().count()..].iter().collect();
        format!("{before}{to}{after}")
    })
}

/// A misspelling of `key` one edit away that is not a field of `root` at the same place.
fn misspell(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    match chars.len() {
        0..=2 => format!("{key}x"),
        n => {
            // Swap the last two letters; if they are the same, drop the last one.
            let (a, b) = (chars[n - 2], chars[n - 1]);
            let mut out: String = chars[..n - 2].iter().collect();
            if a == b {
                out.push(a);
            } else {
                out.push(b);
                out.push(a);
            }
            out
        }
    }
}

/// Every single mistake this test makes in `file` of a project.
fn mistakes(text: &str, schema: &Value, overlay: bool) -> (Vec<Mistake>, usize, usize) {
    let tree = wfk::load::parse(0, text).expect("the project's files parse");
    let mut all = Vec::new();
    leaves(&tree, &mut Vec::new(), &mut all);
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut untouched = 0;
    for leaf in &all {
        // `extends` is read before the spec is typed; templates and patches are Kubernetes
        // objects, checked by other tests.
        if leaf.path[0] == "extends" && overlay || leaf.path[0] == "patches" {
            continue;
        }
        let schemas = schemas_at(schema, &leaf.path);
        let mut made = 0;
        // A misspelled field name.
        if is_field(schema, &leaf.path) {
            let wrong = misspell(&leaf.key_text);
            if let Some(line) = replace_at(&lines, leaf.key, &leaf.key_text, &wrong) {
                out.push(Mistake {
                    line: leaf.key.0,
                    text: line,
                    at: leaf.key,
                    what: format!("`{}` misspelled as `{wrong}`", leaf.path.join(".")),
                    path: leaf.path.clone(),
                });
                made += 1;
            }
        }
        // A word for a number, a list where no list is taken.
        if let (Some(value), Some(types)) = (&leaf.value, types(&schemas)) {
            let numeric = types.iter().all(|t| t == "integer" || t == "number");
            let wrong = if !types.is_empty() && numeric {
                Some("three")
            } else if !types.is_empty() && !types.contains("array") {
                Some("[one, two]")
            } else {
                None
            };
            if let Some(wrong) = wrong.filter(|_| value.plain && !value.text.is_empty()) {
                if let Some(line) = replace_at(&lines, value.at, &value.text, wrong) {
                    out.push(Mistake {
                        line: value.at.0,
                        text: line,
                        at: value.at,
                        what: format!("`{}` written as `{wrong}`", leaf.path.join(".")),
                        path: leaf.path.clone(),
                    });
                    made += 1;
                }
            }
        }
        // A key written twice: the whole entry on one line, copied below itself.
        let line = lines[leaf.key.0 - 1];
        let indent = line.len() - line.trim_start().len();
        if !leaf.block && leaf.key.1 == indent + 1 {
            out.push(Mistake {
                line: leaf.key.0,
                text: format!("{line}\n{line}"),
                at: (leaf.key.0 + 1, leaf.key.1),
                what: format!("`{}` written twice", leaf.path.join(".")),
                path: leaf.path.clone(),
            });
            made += 1;
        }
        // A tab in the indentation.
        if indent > 0 && leaf.key.1 == indent + 1 {
            out.push(Mistake {
                line: leaf.key.0,
                text: format!("\t{}", &line[1..]),
                at: (leaf.key.0, 1),
                what: format!("a tab before `{}`", leaf.path.join(".")),
                path: leaf.path.clone(),
            });
            made += 1;
        }
        // A value that takes anything (a config file's content) has nothing to break but
        // its syntax.
        let free = types(&schemas).is_none() && !is_field(schema, &leaf.path);
        if made == 0 && !free {
            if std::env::var_os("WFK_SHOW_UNTOUCHED").is_some() {
                eprintln!("untouched: {} at {:?}", leaf.path.join("."), leaf.key);
            }
            untouched += 1;
        }
    }
    let free = all
        .iter()
        .filter(|l| types(&schemas_at(schema, &l.path)).is_none() && !is_field(schema, &l.path))
        .count();
    (out, untouched, all.len() - free)
}

/// `text` with each mistake's line replaced (the mistakes are on different lines).
fn apply(text: &str, mistakes: &[&Mistake]) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for m in mistakes {
        lines[m.line - 1] = m.text.clone();
    }
    lines.join("\n") + "\n"
}

/// Runs the pipeline on `dir` for `env`; the errors as (file, line, col, code, has help).
fn errors(dir: &Path, env: &str) -> Vec<(String, usize, usize, String, bool)> {
    let mut map = wfk::source::SourceMap::default();
    match wfk::commands::objects(
        dir,
        env,
        &[],
        &mut map,
        &mut wfk::template::Fuel::per_run(),
        wfk::merge::History::Dropped,
        wfk::commands::Reads::Positions,
    ) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics
            .iter()
            .map(|d| {
                let span = d.primary.as_ref().map(|l| l.span);
                (
                    span.map_or("-".into(), |s| map.name(s.source).to_string()),
                    span.map_or(0, |s| s.line),
                    span.map_or(0, |s| s.col),
                    d.code.to_string(),
                    d.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
                )
            })
            .collect(),
    }
}

/// Copies the spec files of a project (platform, overlays, templates) into `to`.
fn copy_project(from: &Path, to: &Path) -> Vec<String> {
    let mut files = vec!["platform.yaml".to_string()];
    std::fs::copy(from.join("platform.yaml"), to.join("platform.yaml")).unwrap();
    for folder in ["overlays", "templates"] {
        let Ok(entries) = std::fs::read_dir(from.join(folder)) else {
            continue;
        };
        std::fs::create_dir_all(to.join(folder)).unwrap();
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().to_string();
            std::fs::copy(from.join(folder).join(&name), to.join(folder).join(&name)).unwrap();
            if folder == "overlays" {
                files.push(format!("overlays/{name}"));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_leaf_broken_in_turn_is_refused_at_exactly_its_position_with_a_fix() {
    let schema: Value = wfk::platform::schema();
    let overlay_schema: Value = wfk::platform::overlay_schema();
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut untouched_total = 0;
    let mut leaves_total = 0;
    for project in PROJECTS {
        let from = Path::new(ROOT).join(project);
        let tmp = TempDir::new();
        let files = copy_project(&from, tmp.path());
        for file in &files {
            let overlay = file.starts_with("overlays/");
            let env = if overlay {
                file.trim_start_matches("overlays/")
                    .trim_end_matches(".yaml")
            } else {
                "dev"
            };
            let text = std::fs::read_to_string(from.join(file)).unwrap();
            let clean = errors(tmp.path(), env);
            assert_eq!(clean, [], "{project}/{file} has errors before any mistake");
            let (found, untouched, keys) = mistakes(
                &text,
                if overlay { &overlay_schema } else { &schema },
                overlay,
            );
            untouched_total += untouched;
            leaves_total += keys;
            let mut check = |mistakes: &[&Mistake]| {
                cases += 1;
                std::fs::write(tmp.path().join(file), apply(&text, mistakes)).unwrap();
                let errors = errors(tmp.path(), env);
                let what: Vec<&str> = mistakes.iter().map(|m| m.what.as_str()).collect();
                for m in mistakes {
                    let hit = errors.iter().find(|e| e.0 == *file && (e.1, e.2) == m.at);
                    match hit {
                        None => failures.push(format!(
                            "{project}/{file}: {what:?}: nothing at {}:{}:{}; errors: {errors:?}",
                            file, m.at.0, m.at.1
                        )),
                        Some(e) if !e.4 => failures.push(format!(
                            "{project}/{file}: {}: error[{}] at {}:{} has no help",
                            m.what, e.3, e.1, e.2
                        )),
                        Some(_) => {}
                    }
                }
                for e in &errors {
                    let expected = mistakes.iter().any(|m| e.0 == *file && e.1 == m.at.0);
                    if !expected {
                        failures.push(format!(
                            "{project}/{file}: {what:?}: an error away from the mistakes: {e:?}"
                        ));
                    }
                }
            };
            for m in &found {
                check(&[m]);
            }
            // Three mistakes at once, on three different lines, none inside another (a
            // misspelled key hides what is below it): each is reported.
            let mut group: Vec<&Mistake> = Vec::new();
            for m in found
                .iter()
                .filter(|m| !m.text.contains('\n') && !m.text.starts_with('\t'))
            {
                let apart = group.iter().all(|g| {
                    g.line != m.line && !g.path.starts_with(&m.path) && !m.path.starts_with(&g.path)
                });
                if apart {
                    group.push(m);
                }
                if group.len() == 3 {
                    check(&group);
                    group.clear();
                }
            }
            std::fs::write(tmp.path().join(file), &text).unwrap();
        }
    }
    eprintln!("{cases} cases; {untouched_total} of {leaves_total} keys got no mistake");
    assert!(cases >= 1000, "only {cases} cases");
    // Nearly every key or value gets at least one mistake (a key whose value is a block
    // list, for instance, only a misspelling or a tab).
    assert!(
        untouched_total * 10 <= leaves_total,
        "{untouched_total} of {leaves_total} keys got no mistake"
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures[..failures.len().min(80)].join("\n")
    );
}
