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
use crate::diagnostic::Diagnostic;
use crate::diagnostic::{Code, Diagnostics};
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
    let a = match spec(dir, &args.env, &args.set) {
        Ok(spec) => spec,
        Err((ds, map)) => return Ok(fail(&ds, &map)),
    };
    let batched = match &args.other {
        Some(other) if !args.spec && a.platform.components.len() >= super::render::BATCHES_FROM => {
            in_batches(dir, a, (other, &args.set), &mut fuel, (BATCH, args.unified))?
        }
        _ => Err(a),
    };
    let (a, a_objects, b, report) = match batched {
        Ok(Ok((a, b, report))) => (a, Vec::new(), Some(b), report),
        Ok(Err(exit)) => return Ok(exit),
        Err(a) => {
            let (a, a_objects) = match objects(dir, &args.env, a, &mut fuel, reads)? {
                Ok(side) => side,
                Err(exit) => return Ok(exit),
            };
            (a, a_objects, None, diff::Report::default())
        }
    };
    let (b, report) = match (&args.other, &args.against, b) {
        (_, _, Some(b)) => (b, report),
        (Some(other), _, None) => {
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
        (None, Some(file), None) => {
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
        (None, None, None) => unreachable!("checked above"),
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

/// The objects of one batch of a large diff ([`in_batches`]): about this many on each side.
/// Smaller than a render's batches, as about four are held at a time (one being built on
/// each side, one waiting to be taken, and the objects not yet paired).
const BATCH: usize = 500;

/// One environment's typed spec, before its objects are built.
struct Spec {
    env: String,
    map: SourceMap,
    merged: Merged,
    platform: Platform,
    /// What [`Side::removed`] holds.
    removed: Origins,
}

/// Loads, merges and types one environment; its diagnostics when it cannot.
fn spec(dir: &Path, env: &str, sets: &[String]) -> Result<Spec, (Diagnostics, SourceMap)> {
    let mut map = SourceMap::default();
    let (merged, platform) = match super::spec(
        dir,
        env,
        sets,
        &mut map,
        History::Dropped,
        super::Reads::Values,
    ) {
        Ok(spec) => spec,
        Err(ds) => return Err((ds, map)),
    };
    // Of what a `null` removed, only where each object comes from is read; it is read off
    // the tree, before the build may trade the tree for its outline. The objects are built
    // in batches and dropped: only their origins are kept.
    let removed = merged
        .restored()
        .and_then(|whole| Platform::from_tree(&whole).ok())
        .map(|whole| {
            build::batches(
                &whole,
                build::Part::Whole,
                super::render::BATCH,
                |_, _, _| Ok::<(), std::convert::Infallible>(()),
            )
            .unwrap_or_else(|never| match never {})
            .objects_only(&whole)
        })
        .unwrap_or_default();
    Ok(Spec {
        env: env.to_string(),
        map,
        merged,
        platform,
        removed,
    })
}

/// Renders one environment; its diagnostics go to stderr on failure.
fn render(
    dir: &Path,
    env: &str,
    sets: &[String],
    fuel: &mut crate::template::Fuel,
    reads: super::Reads,
) -> anyhow::Result<Result<(Side, Vec<build::object::Object>), Exit>> {
    match spec(dir, env, sets) {
        Ok(spec) => objects(dir, env, spec, fuel, reads),
        Err((ds, map)) => Ok(Err(fail(&ds, &map))),
    }
}

/// Builds the objects of one environment from its spec; the diagnostics go to stderr on
/// failure.
fn objects(
    dir: &Path,
    env: &str,
    spec: Spec,
    fuel: &mut crate::template::Fuel,
    reads: super::Reads,
) -> anyhow::Result<Result<(Side, Vec<build::object::Object>), Exit>> {
    let Spec {
        mut map,
        merged,
        platform,
        removed,
        ..
    } = spec;
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

/// `diff a b` of large environments: both built at once, batch by batch (the first side's
/// on a second thread), and compared pair by pair as the objects come ([`diff::Pairs`]),
/// so that neither render is held whole. The same report and the same errors as
/// [`objects`] of each side and [`diff::compare`]: when the second side's spec has errors,
/// the first side's objects are built whole first, as their errors come first. `Err` gives
/// back the first side's spec (read again) when a key comes twice on one side, so the
/// sides must be taken whole.
#[allow(clippy::type_complexity)]
fn in_batches(
    dir: &Path,
    a: Spec,
    (b_env, sets): (&str, &[String]),
    fuel: &mut crate::template::Fuel,
    (size, unified): (usize, bool),
) -> anyhow::Result<Result<Result<(Side, Side, diff::Report), Exit>, Spec>> {
    // The first side's tree is traded for its outline before the second's is read, so the
    // two are never held together.
    let outlined = !dir.join(crate::template::TEMPLATE_DIR).is_dir();
    let a = Built::of(a, outlined);
    let b = match spec(dir, b_env, sets) {
        Ok(b) => b,
        Err((ds, map)) => {
            let a_env = a.spec.env.clone();
            return Ok(Ok(
                match objects(dir, &a_env, a.spec, fuel, super::Reads::Positions)? {
                    Err(exit) => Err(exit),
                    Ok(_) => Err(fail(&ds, &map)),
                },
            ));
        }
    };
    let (mut a, mut b) = (a, Built::of(b, outlined));
    a.size = size;
    b.size = size;
    let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<build::object::Object>, usize)>(1);
    let mut pairs = diff::Pairs::new(unified);
    let a_side = &mut a;
    let (a_done, b_done) = crate::both(
        true,
        move || {
            let tx = tx;
            a_side.build(|batch, done| tx.send((batch, done)).map_err(drop))
        },
        || {
            let mut failed = None;
            // The two sides build the same components in the same order, but not as many
            // objects of each (an environment may add an autoscaler, say): after each batch
            // of the second side, the first side's batches up to the same component, so
            // most objects find their pair in the batch beside theirs and neither side runs
            // ahead. (Holding an object that waits for its pair costs nothing here.)
            let mut a_done = 0;
            let built = b.build(|batch, b_done| {
                let step = || {
                    pairs.b(batch)?;
                    while a_done < b_done {
                        let Ok((a, done)) = rx.recv() else { break };
                        a_done = done;
                        pairs.a(a)?;
                    }
                    Ok(())
                };
                step().map_err(|e| failed = Some(e))
            });
            // The first side's last batches, until it is built. After an error here
            // nothing takes them, and it stops.
            if built.is_ok() {
                if let Err(e) = rx.iter().try_for_each(|(a, _)| pairs.a(a)) {
                    failed = Some(e);
                }
            }
            drop(rx);
            failed
        },
    );
    if let Some(e) = b_done {
        return Err(e.into());
    }
    if a_done.is_err() {
        bail!(
            "internal error: the objects of `{}` were not all compared; this is a bug in wfk",
            a.spec.env
        );
    }
    let a_templated = match a.finish(dir, fuel) {
        Ok(objects) => objects,
        Err(ds) => return Ok(Ok(Err(fail(&ds, &a.spec.map)))),
    };
    let b_templated = match b.finish(dir, fuel) {
        Ok(objects) => objects,
        Err(ds) => return Ok(Ok(Err(fail(&ds, &b.spec.map)))),
    };
    pairs.a(a_templated)?;
    pairs.b(b_templated)?;
    if pairs.twice() {
        *fuel = crate::template::Fuel::per_run();
        return Ok(Err(spec(dir, &a.spec.env, sets).map_err(|_| {
            anyhow::anyhow!("internal error: a spec that was read could not be read again")
        })?));
    }
    let report = pairs.report()?;
    Ok(Ok(Ok((a.side(), b.side(), report))))
}

/// One side of [`in_batches`]: its spec, and what building its objects recorded.
struct Built {
    spec: Spec,
    origins: Origins,
    /// Which patches found their object, and their errors.
    matched: Vec<bool>,
    patched: Vec<(usize, Diagnostic)>,
    /// Every object by its kind's rank, kind and name, when the spec has patches.
    names: Vec<(usize, String, String)>,
    /// The objects of a batch: about this many.
    size: usize,
}

impl Built {
    fn of(mut spec: Spec, outlined: bool) -> Built {
        if outlined {
            spec.merged.outline();
        }
        Built {
            spec,
            origins: Origins::default(),
            matched: Vec::new(),
            patched: Vec::new(),
            names: Vec::new(),
            size: super::render::BATCH,
        }
    }

    /// Builds and patches the objects in batches, handing each to `each` with how far the
    /// build is ([`build::batches`]).
    fn build(
        &mut self,
        mut each: impl FnMut(Vec<build::object::Object>, usize) -> Result<(), ()>,
    ) -> Result<(), ()> {
        let Spec {
            merged, platform, ..
        } = &self.spec;
        let mut patches = crate::patch::Patches::new(platform);
        let mut names = Vec::new();
        let patched = !platform.patches.is_empty();
        self.origins = build::batches(
            platform,
            build::Part::Whole,
            self.size,
            |mut batch, origins, done| {
                if patched {
                    names.extend(
                        batch
                            .iter()
                            .map(|o| (o.rank(), o.kind().to_string(), o.name().to_string())),
                    );
                }
                patches.batch(&mut batch, merged, origins);
                each(batch, done)
            },
        )?;
        self.names = names;
        (self.matched, self.patched) = patches.into_parts();
        Ok(())
    }

    /// The templates' objects, patched, once the built objects are; the errors of the
    /// templates and of the patches.
    fn finish(
        &mut self,
        dir: &Path,
        fuel: &mut crate::template::Fuel,
    ) -> Result<Vec<build::object::Object>, Diagnostics> {
        let Spec {
            env,
            map,
            merged,
            platform,
            ..
        } = &mut self.spec;
        let mut templated =
            crate::template::render_all(dir, env, platform, merged, map, &mut self.origins, fuel)?;
        merged.outline();
        let mut names = std::mem::take(&mut self.names);
        names.sort_by(|a, b| (a.0, &a.2).cmp(&(b.0, &b.2)));
        if !platform.patches.is_empty() {
            names.extend(
                templated
                    .iter()
                    .map(|o| (o.rank(), o.kind().to_string(), o.name().to_string())),
            );
        }
        let mut patches = crate::patch::Patches::from_parts(
            platform,
            std::mem::take(&mut self.matched),
            std::mem::take(&mut self.patched),
        );
        patches.batch(&mut templated, merged, &mut self.origins);
        patches.finish(
            merged,
            names
                .iter()
                .map(|(_, kind, name)| (kind.as_str(), name.as_str())),
        )?;
        Ok(templated)
    }

    fn side(self) -> Side {
        Side {
            name: self.spec.env,
            merged: Some(self.spec.merged),
            map: self.spec.map,
            platform: Some(self.spec.platform),
            origins: self.origins,
            removed: self.spec.removed,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every folder under `dir` (and `dir` itself) that holds a `platform.yaml`.
    fn projects_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        if dir.join("platform.yaml").is_file() {
            out.push(dir.to_path_buf());
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut dirs: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir() && !p.ends_with("target") && !p.ends_with(".git"))
            .collect();
        dirs.sort();
        for dir in dirs {
            projects_under(&dir, out);
        }
    }

    /// What `diff a b` prints, in text and in JSON, or how it failed.
    fn shown(
        made: Result<(Side, Side, diff::Report), Exit>,
        unified: bool,
    ) -> Result<(String, String), Exit> {
        let (a, b, report) = made?;
        Ok((
            text(&report, &a, &b, unified).unwrap(),
            json_report(&report, &a, &b, &[]).unwrap(),
        ))
    }

    /// Both sides whole, as a small diff takes them.
    fn whole(dir: &Path, a: &str, b: &str, unified: bool) -> Result<(String, String), Exit> {
        let fuel = &mut crate::template::Fuel::per_run();
        let positions = super::super::Reads::Positions;
        let made = (|| {
            let (a, a_objects) = render(dir, a, &[], fuel, positions).unwrap()?;
            let (b, b_objects) = render(dir, b, &[], fuel, positions).unwrap()?;
            let report = diff::compare(a_objects, b_objects, unified).unwrap();
            Ok((a, b, report))
        })();
        shown(made, unified)
    }

    /// Both sides in batches of `size`, compared as they come; `None` when they were
    /// taken whole.
    fn batched(
        dir: &Path,
        a: &str,
        b: &str,
        (size, unified): (usize, bool),
    ) -> Option<Result<(String, String), Exit>> {
        let fuel = &mut crate::template::Fuel::per_run();
        let Ok(spec) = spec(dir, a, &[]) else {
            return Some(Err(Exit::Usage));
        };
        match in_batches(dir, spec, (b, &[]), fuel, (size, unified)).unwrap() {
            Ok(made) => Some(shown(made, unified)),
            Err(_) => None,
        }
    }

    #[test]
    fn two_environments_in_batches_diff_as_they_do_whole() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut projects = Vec::new();
        projects_under(&root.join("tests"), &mut projects);
        projects_under(&root.join("examples"), &mut projects);
        projects.insert(0, root.to_path_buf());
        let (mut compared, mut whole_again, mut refused) = (0, 0, 0);
        for dir in &projects {
            let Ok(envs) = crate::load::environments(dir) else {
                continue;
            };
            let pairs = envs.iter().flat_map(|a| envs.iter().map(move |b| (a, b)));
            for (a, b) in pairs.filter(|(a, b)| a != b).take(4) {
                for (size, unified) in [(1, false), (3, true), (1000, false)] {
                    let expected = whole(dir, a, b, unified);
                    match batched(dir, a, b, (size, unified)) {
                        None => whole_again += 1,
                        Some(made) => {
                            assert_eq!(
                                made,
                                expected,
                                "{} {a} {b}, batches of {size}",
                                dir.display()
                            );
                            match made {
                                Ok(_) => compared += 1,
                                Err(_) => refused += 1,
                            }
                        }
                    }
                }
            }
        }
        // Enough of each that a difference could not hide.
        let counts =
            format!("{compared} compared, {refused} refused, {whole_again} taken whole again");
        assert!(
            compared > 60 && refused >= 3 && whole_again >= 3,
            "{counts}"
        );
        eprintln!("{counts}");
    }
}
