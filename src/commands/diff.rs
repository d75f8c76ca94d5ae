//! `wfk diff <a> <b>`, `wfk diff <env> --against FILE|DIR`, `wfk diff <a> <b> --spec`:
//! what differs, object by object (or spec path by spec path), and the spec line that
//! makes each side what it is. Exit 0 when identical, 1 when different, 2 on errors.

use super::fail;
use crate::Exit;
use crate::build::{
    self,
    origins::{Origins, Source, SpecPath},
};
use crate::cli::{DiffArgs, DiffFormat};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::diff::{self, Change, Field, Rendered};
use crate::merge::{At, History, Merged};
use crate::platform::Platform;
use crate::source::{SourceMap, Span};
use crate::{emit, load, tree};
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

/// One side of a comparison: its name, and its merged spec when it was rendered now.
struct Side {
    name: String,
    merged: Option<Merged>,
    map: SourceMap,
    /// The typed spec its objects were built from, which their origins are read with
    /// (none for an earlier render).
    platform: Option<Platform>,
    /// Where each field of each rendered object comes from (none for an earlier render).
    origins: Origins,
    /// The origins of what the spec would build had no `null` removed anything: where an
    /// object that is missing on this side would have come from.
    removed: Origins,
}

impl Side {
    /// The position of the value at `path` on this side (its key's, for a mapping), or of
    /// its nearest ancestor that is set.
    fn span(&self, path: &[String]) -> Option<Span> {
        let merged = self.merged.as_ref()?;
        (1..=path.len())
            .rev()
            .find_map(|len| merged.span(&path[..len], At::Value))
    }

    /// Where the spec sets `path` on this side: `file:line:col`, `default`, or the `null`
    /// that removed it.
    fn origin(&self, path: &[String]) -> Option<String> {
        let merged = self.merged.as_ref()?;
        Some(if merged.shape(path).is_some() {
            merged
                .span(path, At::Value)
                .map_or("?".into(), |s| self.map.locate(s).to_string())
        } else if let Some((_, removal)) = merged.removal(path) {
            format!("removed at {}", self.map.locate(removal.by))
        } else {
            "default".into()
        })
    }
}

pub fn run(dir: &Path, args: &DiffArgs, kept: &mut super::Kept) -> anyhow::Result<Exit> {
    if args.other.is_none() && args.against.is_none() {
        bail!(
            "name a second environment (`wfk diff dev prod`) or an earlier render (`--against FILE`)"
        );
    }
    let mut fuel = crate::template::Fuel::per_run();
    // `--spec` compares the merged trees' values; the objects' diff reads positions only.
    let reads = if args.spec {
        super::Reads::Values
    } else {
        super::Reads::Positions
    };
    let (a, a_objects) = match render(dir, &args.env, &args.set, &mut fuel, reads)? {
        Ok(side) => side,
        Err(exit) => return Ok(exit),
    };
    let (b, report) = match (&args.other, &args.against) {
        (Some(other), _) => {
            let (b, b_objects) = match render(dir, other, &args.set, &mut fuel, reads)? {
                Ok(side) => side,
                Err(exit) => return Ok(exit),
            };
            if args.spec {
                return spec_diff(&a, &b, args.format);
            }
            let report = diff::compare(a_objects, b_objects, args.unified)?;
            (b, report)
        }
        (None, Some(file)) => {
            let side = Side {
                name: file.display().to_string(),
                merged: None,
                map: SourceMap::default(),
                platform: None,
                origins: Origins::default(),
                removed: Origins::default(),
            };
            // The earlier render is the "before" side (`--spec` cannot be asked here:
            // the command line refuses it with `--against`).
            let report = diff::compare(read_render(file)?, a_objects, args.unified)?;
            (side, report)
        }
        (None, None) => unreachable!("checked above"),
    };
    let (before, after) = if args.against.is_some() {
        (&b, &a)
    } else {
        (&a, &b)
    };
    // Against an earlier render, the diff is an update of live objects: say which parts of
    // it the API server would refuse.
    let refused = match args.against {
        Some(_) => refusals(&report, before, after),
        None => Vec::new(),
    };
    let out = match args.format {
        // A value's control characters never reach a terminal or a CI log raw.
        DiffFormat::Text => {
            crate::diagnostic::escape_controls(&text(&report, before, after, args.unified)?)
                .into_owned()
        }
        DiffFormat::Json => json_report(&report, before, after, &refused)?,
    };
    if args.format == DiffFormat::Text && !refused.is_empty() {
        crate::diagnostic::eprint(&refused, &after.map);
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    let changed = !report.changes.is_empty();
    kept.keep((a, b, report, out));
    Ok(if !changed {
        Exit::Success
    } else {
        Exit::Findings
    })
}

/// The changes the API server would refuse to make in place, each at the spec line that
/// makes the new value what it is (else at the object's component), with the way out.
fn refusals(report: &diff::Report, before: &Side, after: &Side) -> Vec<Diagnostic> {
    diff::immutable::refusals(&report.changes)
        .into_iter()
        .map(|r| {
            let object = report
                .changes
                .iter()
                .find_map(|c| match c {
                    Change::Changed { b, .. } if b.kind == r.kind && b.name == r.name => Some(b),
                    _ => None,
                })
                .expect("a refusal comes from a changed object");
            let span = field_path(r.field, object, after)
                .or_else(|| object_path(object, after))
                .and_then(|p| after.span(&p))
                .or_else(|| template_span(object, after));
            let message = format!(
                "{} `{}` cannot change `{}` in place: {} → {}",
                r.kind,
                r.name,
                r.field.path,
                show(&r.field.a),
                show(&r.field.b)
            );
            let mut d = Diagnostic::error(Code::ImmutableField, message).help(format!(
                "the API server refuses this update (\"{}\"); {} (the render is compared with `{}`)",
                r.rule.refusal,
                r.way_out(),
                before.name
            ));
            if let Some(span) = span {
                d = d.at(span, "the new value comes from here");
            }
            d
        })
        .collect()
}

/// The spec value a field of a rendered object comes from on `side`, from the origins the
/// builders, templates and patches recorded: the field's own record, or the nearest one
/// above it (never the whole object).
fn field_path(field: &Field, object: &Rendered, side: &Side) -> Option<Vec<String>> {
    let spec = side.platform.as_ref()?;
    let found = side
        .origins
        .field(spec, &object.kind, &object.name, &field.path);
    match found.first() {
        Some((f, Source::Spec(path))) if !f.is_empty() => Some(path.to_vec()),
        _ => None,
    }
}

/// The spec value an object comes from on `side`: its component's, job's or config map's
/// key, `autoscale` for an autoscaler…
fn object_path(object: &Rendered, side: &Side) -> Option<Vec<String>> {
    side.origins
        .object(side.platform.as_ref()?, &object.kind, &object.name)
        .and_then(Source::path)
        .map(SpecPath::to_vec)
}

/// The spec path of an object `side` lacks because a `null` removed what built it.
fn removed_path(object: &Rendered, side: &Side) -> Option<Vec<String>> {
    side.removed
        .object(side.platform.as_ref()?, &object.kind, &object.name)
        .and_then(Source::path)
        .map(SpecPath::to_vec)
}

/// The template document an object comes from on `side`.
fn template_span(object: &Rendered, side: &Side) -> Option<Span> {
    match side
        .origins
        .object(side.platform.as_ref()?, &object.kind, &object.name)?
    {
        Source::Template(span) | Source::Operation(span) => Some(*span),
        Source::Spec(_) => None,
    }
}

/// Renders one environment; its diagnostics go to stderr on failure.
fn render(
    dir: &Path,
    env: &str,
    sets: &[String],
    fuel: &mut crate::template::Fuel,
    reads: super::Reads,
) -> anyhow::Result<Result<(Side, Vec<build::object::Object>), Exit>> {
    let mut map = SourceMap::default();
    let (merged, platform) = match super::spec(dir, env, sets, &mut map, History::Dropped) {
        Ok(spec) => spec,
        Err(ds) => return Ok(Err(fail(&ds, &map))),
    };
    // Of what a `null` removed, only where each object comes from is read; it is read off
    // the tree, before the build may trade the tree for its outline.
    let removed = merged
        .restored()
        .and_then(|whole| Platform::from_tree(&whole).ok())
        .map(|whole| build::build(&whole).1.objects_only(&whole))
        .unwrap_or_default();
    let super::Render {
        merged,
        platform,
        objects,
        origins,
    } = match super::objects_of(dir, env, merged, platform, &mut map, fuel, reads) {
        Ok(all) => all,
        Err(ds) => return Ok(Err(fail(&ds, &map))),
    };
    Ok(Ok((
        Side {
            name: env.to_string(),
            merged: Some(merged),
            map,
            platform: Some(platform),
            origins,
            removed,
        },
        objects,
    )))
}

/// Reads an earlier render: a YAML stream, a JSON `List`, or a folder of either.
///
/// Every file goes through the same door as a spec ([`load::read_bounded`]): a regular
/// file only, so a link to `/dev/zero` or a FIFO (here, or among a folder's `.yaml` and
/// `.json` entries) is refused before it is opened, and read through a limit. An earlier
/// render lives outside the project by nature, so it may be anywhere; its files together
/// may be as large as one render can be ([`emit::MAX_OUTPUT_BYTES`]).
fn read_render(path: &Path) -> anyhow::Result<Vec<Rendered>> {
    let mut files = Vec::new();
    if path.is_dir() {
        for entry in
            std::fs::read_dir(path).with_context(|| format!("cannot read `{}`", path.display()))?
        {
            let file = entry?.path();
            let ext = file
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            // A render folder's kustomization lists the objects; it is not one of them.
            let is_kustomization = file
                .file_name()
                .is_some_and(|n| n == super::render::KUSTOMIZATION);
            if matches!(ext, "yaml" | "yml" | "json") && !is_kustomization {
                files.push(file);
            }
        }
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    let mut out = Vec::new();
    let mut left = emit::MAX_OUTPUT_BYTES as u64;
    for file in files {
        let bytes = load::read_bounded(&file, load::Within::Anywhere, left).map_err(|refusal| {
            let shown = file.display();
            match refusal {
                load::Refusal::TooLarge { .. } => anyhow::anyhow!(
                    "cannot read `{shown}`: the earlier render is larger than {} MiB, more than wfk ever writes; pass the output of `wfk render`",
                    emit::MAX_OUTPUT_BYTES >> 20
                ),
                load::Refusal::NotAFile { .. } => anyhow::anyhow!(
                    "cannot read `{shown}`: {refusal}; pass a file that `wfk render` wrote, or a folder of them"
                ),
                _ => anyhow::anyhow!("cannot read `{shown}`: {refusal}"),
            }
        })?;
        left -= bytes.len() as u64;
        let text = String::from_utf8(bytes).map_err(|e| {
            anyhow::anyhow!(
                "`{}` is not UTF-8 text (byte {})",
                file.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        out.extend(
            diff::documents(&file, &text)?
                .into_iter()
                .map(Rendered::new),
        );
    }
    Ok(out)
}

/// A value on one line; absent is `(none)`.
fn show(v: &Option<Value>) -> String {
    match v {
        None => "(none)".into(),
        // One line, whatever the value holds: `\n` and other control characters escaped.
        Some(Value::String(s)) => {
            crate::diagnostic::escape_controls(&s.replace('\n', "\\n")).into_owned()
        }
        Some(other) => other.to_string(),
    }
}

/// Origins of a field on both sides, when the field comes from one spec value: each side
/// reads its own render's origins (`a` and `b` are the object on each side).
fn field_origins(
    field: &Field,
    (a, b): (&Rendered, &Rendered),
    before: &Side,
    after: &Side,
) -> (Option<String>, Option<String>) {
    let origin = |side: &Side, object: &Rendered| {
        field_path(field, object, side).and_then(|path| side.origin(&path))
    };
    (origin(before, a), origin(after, b))
}

/// Why an object is on one side only: where its spec value is set on the side that has
/// it, and where it was removed (or that it is not set) on the other.
fn presence(object: &Rendered, has: &Side, lacks: &Side) -> String {
    if let Some(span) = template_span(object, has) {
        return format!("   ({})", has.map.locate(span));
    }
    let Some(path) = object_path(object, has) else {
        return String::new();
    };
    let set = has.origin(&path).unwrap_or_default();
    match lacks.origin(&path) {
        Some(why) if why.starts_with("removed") => {
            format!("   ({}: {why}; {}: {set})", lacks.name, has.name)
        }
        _ => format!("   ({set})"),
    }
}

fn text(
    report: &diff::Report,
    before: &Side,
    after: &Side,
    unified: bool,
) -> anyhow::Result<String> {
    let mut out = String::new();
    for change in &report.changes {
        match change {
            Change::Added(o) => {
                let origin = presence(o, after, before);
                writeln!(
                    out,
                    "+ {} {}   only in {}{origin}",
                    o.kind, o.name, after.name
                )?;
            }
            Change::Removed(o) => {
                let why = object_path(o, before)
                    .or_else(|| removed_path(o, after))
                    .and_then(|path| after.origin(&path))
                    .filter(|s| s.starts_with("removed"))
                    .map(|s| format!("   ({s})"))
                    .unwrap_or_else(|| presence(o, before, after));
                writeln!(
                    out,
                    "- {} {}   only in {}{why}",
                    o.kind, o.name, before.name
                )?;
            }
            Change::Changed { a, b, fields } => {
                writeln!(out, "~ {} {}", b.kind, b.name)?;
                for field in fields {
                    if field.is_checksum() {
                        writeln!(out, "    {}: config changed", field.path)?;
                        continue;
                    }
                    let origins = match field_origins(field, (a, b), before, after) {
                        (Some(x), Some(y)) if x != y => format!("   ({x} → {y})"),
                        (Some(x), Some(_)) => format!("   ({x})"),
                        (None, Some(y)) => format!("   ({y})"),
                        _ => String::new(),
                    };
                    let shown = |v: &Option<Value>| match v {
                        // Under an autoscaler wfk leaves replicas to it.
                        None if field.path == "spec.replicas" => "(autoscaler)".to_string(),
                        v => show(v),
                    };
                    // A whole file in a ConfigMap: its changed lines, not two copies.
                    if let (Some(Value::String(x)), Some(Value::String(y))) = (&field.a, &field.b) {
                        if x.contains('\n') || y.contains('\n') {
                            writeln!(out, "    {}: file changed{origins}", field.path)?;
                            out.push_str(&diff::changed_lines(x, y, "      "));
                            continue;
                        }
                    }
                    writeln!(
                        out,
                        "    {}: {} → {}{origins}",
                        field.path,
                        shown(&field.a),
                        shown(&field.b)
                    )?;
                }
                if unified {
                    let ya = yaml(&diff::comparable(&a.value))?;
                    let yb = yaml(&diff::comparable(&b.value))?;
                    let title = |side: &Side| format!("{} {}/{}", side.name, b.kind, b.name);
                    out.push_str(&diff::unified(&ya, &yb, &title(before), &title(after)));
                }
            }
        }
    }
    let (added, removed, changed) = report.counts();
    if report.changes.is_empty() {
        writeln!(out, "no differences ({} objects the same)", report.same)?;
    } else {
        writeln!(
            out,
            "{added} added, {removed} removed, {changed} changed, {} the same",
            report.same
        )?;
    }
    Ok(out)
}

fn yaml(value: &Value) -> anyhow::Result<String> {
    Ok(serde_saphyr::to_string(value)?)
}

fn json_report(
    report: &diff::Report,
    before: &Side,
    after: &Side,
    refused: &[Diagnostic],
) -> anyhow::Result<String> {
    let changes: Vec<Value> = report
        .changes
        .iter()
        .map(|change| {
            let o = change.object();
            match change {
                Change::Added(_) => json!({ "change": "added", "kind": o.kind, "name": o.name, "fields": [],
                    "why": presence(o, after, before).trim().trim_start_matches('(').trim_end_matches(')') }),
                Change::Removed(o) => json!({ "change": "removed", "kind": o.kind, "name": o.name, "fields": [],
                    "why": presence(o, before, after).trim().trim_start_matches('(').trim_end_matches(')') }),
                Change::Changed { a, b, fields } => {
                    let fields: Vec<Value> = fields
                        .iter()
                        .map(|f| {
                            let (origin_a, origin_b) = field_origins(f, (a, b), before, after);
                            if f.is_checksum() {
                                json!({ "path": f.path, "a": null, "b": null, "origin_a": null, "origin_b": null, "note": "config changed" })
                            } else {
                                json!({ "path": f.path, "a": f.a, "b": f.b, "origin_a": origin_a, "origin_b": origin_b, "note": null })
                            }
                        })
                        .collect();
                    json!({ "change": "changed", "kind": b.kind, "name": b.name, "fields": fields, "why": null })
                }
            }
        })
        .collect();
    let (added, removed, changed) = report.counts();
    let doc = json!({
        "version": 1,
        "a": before.name,
        "b": after.name,
        "changes": changes,
        "findings": refused.iter().map(|d| d.record(&[], &after.map)).collect::<Vec<_>>(),
        "summary": { "added": added, "removed": removed, "changed": changed, "same": report.same },
    });
    let mut out = serde_json::to_string_pretty(&doc)?;
    out.push('\n');
    Ok(out)
}

/// `--spec`: the merged specs, path by path, with both origins.
fn spec_diff(before: &Side, after: &Side, format: DiffFormat) -> anyhow::Result<Exit> {
    let (Some(ma), Some(mb)) = (&before.merged, &after.merged) else {
        bail!("`--spec` compares two environments");
    };
    let fields = diff::fields(&tree::to_json(&ma.tree), &tree::to_json(&mb.tree));
    let origin = |side: &Side, m: &Merged, path: &str| side.origin(&m.resolve(path));
    let out = match format {
        DiffFormat::Text => {
            let mut out = String::new();
            for f in &fields {
                let (oa, ob) = (origin(before, ma, &f.path), origin(after, mb, &f.path));
                writeln!(
                    out,
                    "~ {}: {} → {}   ({} → {})",
                    f.path,
                    show(&f.a),
                    show(&f.b),
                    oa.unwrap_or_default(),
                    ob.unwrap_or_default()
                )?;
            }
            if fields.is_empty() {
                writeln!(out, "no differences")?;
            } else {
                writeln!(out, "{} spec values differ", fields.len())?;
            }
            crate::diagnostic::escape_controls(&out).into_owned()
        }
        DiffFormat::Json => {
            let items: Vec<Value> = fields
                .iter()
                .map(|f| {
                    json!({ "path": f.path, "a": f.a, "b": f.b,
                        "origin_a": origin(before, ma, &f.path), "origin_b": origin(after, mb, &f.path) })
                })
                .collect();
            let mut out = serde_json::to_string_pretty(
                &json!({ "version": 1, "a": before.name, "b": after.name, "spec": items }),
            )?;
            out.push('\n');
            out
        }
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(if fields.is_empty() {
        Exit::Success
    } else {
        Exit::Findings
    })
}
