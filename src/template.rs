//! Templates: `templates/*.yaml`, rendered with minijinja for objects the spec does not
//! model (custom resources such as a ServiceMonitor, or anything else).
//!
//! They are held to the same bar as generated objects:
//! - strict undefined (a misspelled value is an error, never an empty string), no file
//!   access beyond the other templates, bounded recursion and fuel;
//! - the context is `spec` (the merged spec of the environment), `env`, `platform`,
//!   `namespace` and `labels` (the labels every object carries, `Ctx::labels`);
//! - every object gets those labels: the platform's `labels` unless the template sets the
//!   same key itself (the template's own value wins, as a component's pod labels do), and
//!   `app.kubernetes.io/part-of` and `managed-by` always wfk's, overriding the template's,
//!   since pruning (`kubectl apply --prune -l app.kubernetes.io/part-of=<platform>`)
//!   selects on them;
//! - the output may not hold a plain YAML 1.1 word that kubectl would retype (`no`, `on`,
//!   `12:30`, `0755`): write `{{ value | tojson }}` or quote it;
//! - each document of a kind wfk knows is read into its k8s-openapi type, and a field the
//!   type does not have is an error; other kinds (custom resources) need `apiVersion`, a
//!   `kind` the API server accepts and a valid `metadata.name` (both name the object's
//!   `--output-dir` file), each refused at its own line.
//!
//! Errors point at the template's file and line. For problems in the output, the line is
//! the output's line, which is the template's where no tag spans lines.

use crate::build::object::Object;
use crate::build::origins::{Origins, Source};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::merge::Merged;
use crate::platform::Platform;
use crate::source::{SourceMap, Span};
use minijinja::{Environment, UndefinedBehavior};
use std::path::Path;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// The folder of templates in a project.
pub const TEMPLATE_DIR: &str = "templates";

/// Instructions all templates of one run may take together, every environment included
/// (`validate` renders each): a generous bound that still stops runaway loops quickly.
pub const FUEL: u64 = 20_000_000;

/// The most template files a project may have.
pub const MAX_TEMPLATES: usize = 1_000;

/// What is left of a run's [`FUEL`]; every template render draws from it.
#[derive(Debug)]
pub struct Fuel {
    left: u64,
}

impl Fuel {
    /// The whole budget of one run.
    pub fn per_run() -> Fuel {
        Fuel { left: FUEL }
    }
}

/// How deep includes and macros may nest.
pub const RECURSION_LIMIT: usize = 32;

/// Renders every template of the project into objects.
pub fn render_all(
    dir: &Path,
    env_name: &str,
    platform: &Platform,
    merged: &Merged,
    map: &mut SourceMap,
    origins: &mut Origins,
    fuel: &mut Fuel,
) -> Result<Vec<Object>, Diagnostics> {
    let folder = dir.join(TEMPLATE_DIR);
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Ok(Vec::new());
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|n| (n.ends_with(".yaml") || n.ends_with(".yml")) && !n.starts_with('.'))
        .collect();
    names.sort();
    if names.len() > MAX_TEMPLATES {
        return Err(vec![
            Diagnostic::error(
                Code::OverLimit,
                format!(
                    "`{TEMPLATE_DIR}/` holds {} templates, more than the limit of {MAX_TEMPLATES}",
                    names.len()
                ),
            )
            .help(format!("a project has at most {MAX_TEMPLATES} templates; write several objects in one template, separated by `---`")),
        ]);
    }
    let mut diagnostics = Vec::new();
    let mut sources = Vec::new();
    for name in &names {
        match crate::load::text(dir, &Path::new(TEMPLATE_DIR).join(name), map) {
            Ok(id) => sources.push((name.clone(), id)),
            Err(ds) => diagnostics.extend(ds),
        }
    }
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_debug(true);
    env.set_recursion_limit(RECURSION_LIMIT);
    // minijinja would JSON-escape every value in a .yaml template; YAML authors expect the
    // text as written, and the YAML 1.1 check below catches what must be quoted.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    for (name, id) in &sources {
        let text = map.get(*id).map(|s| s.text.clone()).unwrap_or_default();
        if let Err(e) = env.add_template_owned(name.clone(), text) {
            diagnostics.push(template_error(&e, *id, map));
        }
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let ctx = crate::build::Ctx::new(platform);
    let labels = ctx.labels();
    let context = minijinja::context! {
        spec => minijinja::Value::from(minijinja::value::Serde(crate::tree::to_json(&merged.tree))),
        env => env_name,
        platform => &platform.platform,
        namespace => platform.namespace(),
        labels => minijinja::Value::from(minijinja::value::Serde(&labels)),
    };
    let mut objects = Vec::new();
    for (name, id) in &sources {
        // A fuel of 0 would mean none is tracked: an empty tank is one unit that runs out.
        env.set_fuel(Some(fuel.left.max(1)));
        let rendered = env.get_template(name).and_then(|t| {
            let captured = t.render_captured(&context)?;
            let used = captured.state().fuel_levels().map_or(0, |(used, _)| used);
            fuel.left = fuel.left.saturating_sub(used);
            Ok(captured.into_output())
        });
        if rendered
            .as_ref()
            .is_err_and(|e| e.kind() == minijinja::ErrorKind::OutOfFuel)
        {
            fuel.left = 0;
        }
        match rendered {
            Ok(text) => match objects_of(&text, *id, map) {
                Ok(found) => {
                    for (object, at) in found {
                        origins.record(object.kind(), object.name(), "", Source::Template(at));
                        objects.push(object);
                    }
                }
                Err(ds) => diagnostics.extend(ds),
            },
            Err(e) => diagnostics.push(template_error(&e, *id, map)),
        }
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    // A template's own label wins over the platform's, as a component's own pod labels do;
    // the pruning labels are wfk's alone (see `Ctx::pruning_labels`).
    for object in &mut objects {
        let meta = object.metadata_mut();
        let object_labels = meta.labels.get_or_insert_with(Default::default);
        for (k, v) in &labels {
            object_labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
        object_labels.extend(ctx.pruning_labels());
    }
    for object in &mut objects {
        // A namespaced object without a namespace would land in whatever namespace kubectl
        // is pointed at: every one gets the platform's, custom resources included.
        if !crate::build::object::cluster_scoped(object.kind())
            && object.metadata().namespace.is_none()
        {
            object.metadata_mut().namespace = Some(platform.namespace().to_string());
        }
    }
    Ok(objects)
}

/// A minijinja error at its template line.
fn template_error(e: &minijinja::Error, id: usize, map: &SourceMap) -> Diagnostic {
    let text = map.get(id).map(|s| s.text.as_str()).unwrap_or_default();
    let (line, col) = match e.range() {
        Some(range) => {
            let before = &text[..range.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            (line, col)
        }
        None => (e.line().unwrap_or(1), 1),
    };
    let what = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    let help = match e.kind() {
        minijinja::ErrorKind::UndefinedError => {
            "the context is `spec` (the merged spec), `env`, `platform`, `namespace` and `labels`; use `spec.components.api.replicas`, or `| default(…)` for an optional value"
        }
        minijinja::ErrorKind::OutOfFuel => {
            "the templates of one run share 20,000,000 instructions (every environment `validate` checks included); look for a loop that runs away"
        }
        _ => "fix the template at this line",
    };
    Diagnostic::error(Code::TemplateError, format!("template error: {what}"))
        .at(
            Span {
                source: id,
                line,
                col,
            },
            "here",
        )
        .help(help)
}

/// The objects of a template's output, each checked, with the template line of its document.
fn objects_of(text: &str, id: usize, map: &SourceMap) -> Result<Vec<(Object, Span)>, Diagnostics> {
    let template_lines = map.get(id).map_or(1, |s| s.text.lines().count().max(1));
    let at = |line: usize, col: usize| Span {
        source: id,
        line: line.clamp(1, template_lines),
        col,
    };
    let mut diagnostics = Vec::new();
    let shown = |line: usize| {
        text.lines()
            .nth(line.saturating_sub(1))
            .unwrap_or("")
            .trim()
            .to_string()
    };
    if let Err((line, col, word)) = yaml11_words(text) {
        diagnostics.push(
            Diagnostic::error(
                Code::TemplateAmbiguousScalar,
                format!(
                    "template output has an unquoted `{word}`, which kubectl reads as a non-string"
                ),
            )
            .at(
                at(line, col),
                format!("output line {line}: `{}`", shown(line)),
            )
            .help(format!(
                "quote it, or write `{{{{ value | tojson }}}}`: `\"{word}\"`"
            )),
        );
        return Err(diagnostics);
    }
    let values: Vec<serde_json::Value> = match serde_saphyr::from_multiple(text) {
        Ok(values) => values,
        Err(e) => {
            let line = e.location().map_or(1, |l| l.line() as usize);
            let col = e.location().map_or(1, |l| l.column() as usize);
            return Err(vec![
                Diagnostic::error(Code::TemplateInvalidYaml, format!("template output is not valid YAML: {}", first_line(&e.to_string())))
                    .at(at(line, col), format!("output line {line}: `{}`", shown(line)))
                    .help("check the indentation the template produces; `{{ value | tojson }}` writes a value on one line"),
            ]);
        }
    };
    let starts = document_starts(text);
    // A `kind: List` document stands for its items (as kubectl reads it): each is checked
    // and written as an object of its own, at the List's line.
    let mut documents = Vec::new();
    for (i, value) in values.into_iter().enumerate() {
        let line = starts.get(i).copied().unwrap_or(1);
        match value {
            serde_json::Value::Object(mut list)
                if list.get("kind").is_some_and(|k| k == "List")
                    && list.get("items").is_some_and(|i| i.is_array()) =>
            {
                if let Some(serde_json::Value::Array(items)) = list.remove("items") {
                    documents.extend(items.into_iter().enumerate().map(|(j, item)| {
                        (
                            item,
                            line,
                            vec![i.to_string(), "items".into(), j.to_string()],
                        )
                    }));
                }
            }
            value => documents.push((value, line, vec![i.to_string()])),
        }
    }
    // Where a field of a document is in the output (a template's line where no tag spans
    // lines), else the document's first line.
    let field_at = |document: &[String], line: usize, field: &[&str]| {
        let mut path = document.to_vec();
        path.extend(field.iter().map(|f| f.to_string()));
        match position_of(text, &path) {
            Some((line, col)) => (
                at(line, col),
                format!("output line {line}: `{}`", shown(line)),
            ),
            None => (at(line, 1), "this document".to_string()),
        }
    };
    let mut objects = Vec::new();
    for (value, line, document) in documents {
        if value.is_null() {
            continue;
        }
        let has_data = ["data", "stringData"]
            .iter()
            .any(|k| value[k].as_object().is_some_and(|m| !m.is_empty()));
        if value["kind"] == "Secret" && has_data {
            // The value is never quoted back: only where it is.
            diagnostics.push(
                Diagnostic::error(Code::SecretWithData, "a template writes a Secret with data; wfk never writes secret values, since its output is printed, diffed and committed; no reason relaxes this")
                    .at(at(line, 1), "this document")
                    .help("create the Secret outside the repository (sealed-secrets, External Secrets, `kubectl create secret`) and reference it with `{ secret: name/key }`"),
            );
            continue;
        }
        let mut unknown = Vec::new();
        match Object::from_value(value, &mut unknown) {
            Ok(object) if unknown.is_empty() => {
                let kind = object.kind().to_string();
                let name = object.name().to_string();
                let kind_problems = match &object {
                    Object::Custom(_) => kind_problems(&kind),
                    _ => Vec::new(),
                };
                let name_problems = crate::validation::is_dns1123_subdomain(&name);
                if !kind_problems.is_empty() {
                    let (span, note) = field_at(&document, line, &["kind"]);
                    diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidObjectKind,
                            format!(
                                "kind `{}` from a template is invalid: {}",
                                kind.escape_debug(),
                                kind_problems.join("; ")
                            ),
                        )
                        .at(span, note)
                        .help("write the kind as the custom resource definition names it: letters and digits in upper camel case, such as `ServiceMonitor`"),
                    );
                } else if !name_problems.is_empty() {
                    let (span, note) = field_at(&document, line, &["metadata", "name"]);
                    diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidObjectName,
                            format!(
                                "{kind} name `{}` from a template is invalid: {}",
                                name.escape_debug(),
                                name_problems.join("; ")
                            ),
                        )
                        .at(span, note)
                        .help("set `metadata.name` to lowercase letters, digits, `-` and `.`"),
                    );
                } else {
                    objects.push((object, at(line, 1)));
                }
            }
            Ok(object) => diagnostics.push(
                Diagnostic::error(
                    Code::UnknownField,
                    format!(
                        "{} `{}` from a template has fields its kind does not have: {}",
                        object.kind(),
                        object.name(),
                        unknown.join(", ")
                    ),
                )
                .at(at(line, 1), "this document")
                .help("check the spelling against the Kubernetes API reference for the kind"),
            ),
            Err(problem) => diagnostics.push(
                Diagnostic::error(
                    Code::InvalidObject,
                    format!("a template document is not a valid object: {problem}"),
                )
                .at(at(line, 1), "this document")
                .help("every document needs `apiVersion`, `kind` and `metadata.name`"),
            ),
        }
    }
    if diagnostics.is_empty() {
        Ok(objects)
    } else {
        Err(diagnostics)
    }
}

/// What the API server says of a custom kind: lowercased, it must be a DNS-1035 label
/// (letters, digits and `-`, starting with a letter, at most 63 characters). A kind names
/// each `--output-dir` file, so this also keeps `/`, `..` and line breaks out of paths.
fn kind_problems(kind: &str) -> Vec<String> {
    let problems = crate::validation::is_dns1035_label(&kind.to_lowercase());
    if problems.is_empty() {
        return problems;
    }
    vec![format!(
        "may have mixed case, but should otherwise match: {}",
        problems.join(",")
    )]
}

/// The output line and column of the scalar at `path` in a YAML stream: the document's
/// index, then keys and sequence indexes (as decimal text).
fn position_of(text: &str, path: &[String]) -> Option<(usize, usize)> {
    struct Frame {
        map: bool,
        key: Option<String>,
        index: usize,
        want_key: bool,
    }
    let (document, path) = path.split_first()?;
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0usize;
    let mut frames: Vec<Frame> = Vec::new();
    let step = |frames: &mut Vec<Frame>| {
        if let Some(top) = frames.last_mut() {
            if top.map {
                top.want_key = true;
                top.key = None;
            } else {
                top.index += 1;
            }
        }
    };
    loop {
        let (event, mark) = parser.next_token().ok()?;
        let start = match &event {
            Event::StreamEnd => return None,
            Event::DocumentStart => {
                documents += 1;
                frames.clear();
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                frames.pop();
                step(&mut frames);
                continue;
            }
            Event::Scalar(..) | Event::Alias(_) => None,
            Event::MappingStart(..) => Some(true),
            Event::SequenceStart(..) => Some(false),
            _ => continue,
        };
        let is_key = frames.last().is_some_and(|top| top.map && top.want_key);
        if let (true, Event::Scalar(key, ..)) = (is_key, &event) {
            if let Some(top) = frames.last_mut() {
                top.key = Some(key.clone());
                top.want_key = false;
            }
            continue;
        }
        match start {
            Some(map) => frames.push(Frame {
                map,
                key: None,
                index: 0,
                want_key: map,
            }),
            None => {
                let here = frames.iter().map(|f| {
                    if f.map {
                        f.key.clone().unwrap_or_default()
                    } else {
                        f.index.to_string()
                    }
                });
                if documents.checked_sub(1).map(|d| d.to_string()).as_ref() == Some(document)
                    && here.eq(path.iter().cloned())
                {
                    return Some((mark.line(), mark.col() + 1));
                }
                step(&mut frames);
            }
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The 1-based line where each document of a stream starts.
fn document_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut current: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim_end() == "---" || line.starts_with("--- ") {
            if let Some(start) = current.take() {
                starts.push(start);
            }
            current = Some(i + 2);
        } else if current.is_none()
            && !line.trim().is_empty()
            && !line.trim_start().starts_with('#')
        {
            current = Some(i + 1);
        }
    }
    starts.extend(current);
    starts
}

/// The first plain scalar that a YAML 1.1 reader (kubectl) would read as something other
/// than what a YAML 1.2 reader reads: `yes`/`no`/`on`/`off`/`y`/`n` in any case, base-60
/// numbers (`12:30`), `1_000`, octal `0755`, dates.
fn yaml11_words(text: &str) -> Result<(), (usize, usize, String)> {
    let mut parser = Parser::new_from_str(text);
    loop {
        let Ok((event, mark)) = parser.next_token() else {
            // Syntax errors are reported by the YAML reader, with its message.
            return Ok(());
        };
        match event {
            Event::StreamEnd => return Ok(()),
            Event::Scalar(value, TScalarStyle::Plain, ..) if ambiguous(&value) => {
                return Err((mark.line(), mark.col() + 1, value));
            }
            _ => {}
        }
    }
}

fn ambiguous(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
        "OFF",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let numeric = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    // 12:30 (base 60), 1_000, 0755 (octal in 1.1), 2024-01-01 (a date in 1.1).
    (digits.contains(':') && digits.split(':').all(numeric))
        || (digits.contains('_') && digits.split('_').all(numeric) && !digits.starts_with('_'))
        || (digits.len() > 1 && digits.starts_with('0') && numeric(digits))
        || (s.len() == 10
            && s.as_bytes()[4] == b'-'
            && s.as_bytes()[7] == b'-'
            && s.split('-').all(numeric))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_words_are_found_where_they_are() {
        assert_eq!(
            yaml11_words("a: 1\nenabled: no\n"),
            Err((2, 10, "no".to_string()))
        );
        assert_eq!(yaml11_words("on: x\n"), Err((1, 1, "on".to_string())));
        assert_eq!(yaml11_words("t: 12:30\n").unwrap_err().2, "12:30");
        assert_eq!(
            yaml11_words("a: \"no\"\nb: 'on'\nc: true\nd: 3\ne: 0\n"),
            Ok(())
        );
        for word in ["1_000", "0755", "2024-01-01", "Off"] {
            assert!(ambiguous(word), "{word}");
        }
        for word in ["10", "0", "1.5", "nope", "v1.2"] {
            assert!(!ambiguous(word), "{word}");
        }
    }

    #[test]
    fn a_field_is_found_by_document_and_path() {
        let text = "a: 1\n---\nkind: X\nmetadata:\n  labels: { k: v }\n  name: n\n---\nkind: List\nitems:\n- kind: Y\n- { kind: Z }\n";
        let at = |path: &[&str]| {
            position_of(
                text,
                &path.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(at(&["1", "kind"]), Some((3, 7)));
        assert_eq!(at(&["1", "metadata", "name"]), Some((6, 9)));
        assert_eq!(at(&["2", "items", "0", "kind"]), Some((10, 9)));
        assert_eq!(at(&["2", "items", "1", "kind"]), Some((11, 11)));
        assert_eq!(at(&["0", "kind"]), None);
        assert_eq!(at(&["1", "metadata"]), None, "only scalars are found");
    }

    #[test]
    fn custom_kinds_follow_the_api_server() {
        for kind in ["ServiceMonitor", "Kind2", "my-kind", "X"] {
            assert_eq!(kind_problems(kind), Vec::<String>::new(), "{kind}");
        }
        for kind in [
            "a/../../x",
            "Two\nLines",
            "2Fast",
            "Service Monitor",
            "Kind-",
            &"K".repeat(64),
        ] {
            assert_eq!(kind_problems(kind).len(), 1, "{kind}");
        }
    }

    #[test]
    fn documents_start_after_their_separator() {
        assert_eq!(document_starts("a: 1\n---\nb: 2\n"), vec![1, 3]);
        assert_eq!(document_starts("---\na: 1\n"), vec![2]);
    }
}
