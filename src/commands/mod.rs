//! One module per command; each reads like the pipeline it runs.

mod completions;
mod diff;
mod envs;
mod explain;
mod graph;
mod import;
mod init;
mod render;
mod schema;
mod validate;
pub mod version;

use crate::Exit;
use crate::build::object::Object;
use crate::build::origins::Origins;
use crate::cli::{Cli, Command};
use crate::diagnostic::{self, Diagnostics};
use crate::merge::{History, Merged};
use crate::platform::Platform;
use crate::source::SourceMap;
use crate::{build, check, emit, load, merge, patch, template};
use std::path::Path;

/// Runs the command, freeing what it built before it returns.
pub fn run(cli: &Cli) -> anyhow::Result<Exit> {
    run_keeping(cli, &mut Kept::default())
}

/// What a command built and no longer needs once its output is written: a spec, its
/// objects and their origins. The `wfk` binary forgets it, as the process is about to end
/// and the system frees its memory at once, where freeing each value would take longer
/// than writing them all (a fifth of a 10,000-component render). A library caller lets it
/// drop, so nothing leaks.
#[derive(Default)]
pub struct Kept(Vec<Box<dyn std::any::Any>>);

impl Kept {
    fn keep(&mut self, value: impl std::any::Any) {
        self.0.push(Box::new(value));
    }
}

/// [`run`], handing what the command built to `kept` instead of freeing it.
pub fn run_keeping(cli: &Cli, kept: &mut Kept) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Render(args) => render::run(&cli.dir, args, cli.quiet, kept),
        Command::Validate(args) => validate::run(&cli.dir, args, cli.quiet, cli.verbose),
        Command::Diff(args) => diff::run(&cli.dir, args, kept),
        Command::Envs(args) => envs::run(&cli.dir, args),
        Command::Explain(args) => explain::run(&cli.dir, args),
        Command::Graph(args) => graph::run(&cli.dir, args),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Init(args) => init::run(&cli.dir, args, cli.quiet),
        Command::Version(args) => version::run(args),
        Command::Import(args) => import::run(&cli.dir, args),
    }
}

/// The environment variable that switches `wfk` into completing a command line.
pub const COMPLETE_VAR: &str = "COMPLETE";

/// The environments of the project named by `--dir` on the command line being completed
/// (else the current folder) that start with what was typed so far.
pub fn complete_env(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    let dir = crate::cli::dir_named(std::env::args_os());
    let typed = current.to_string_lossy();
    load::environments(&dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|env| env.starts_with(typed.as_ref()))
        .map(clap_complete::CompletionCandidate::new)
        .collect()
}

/// load → merge → spec for one environment; `history` says whether the merged spec keeps
/// the values later layers replaced (only `explain` shows them).
pub fn spec(
    dir: &Path,
    env: &str,
    sets: &[String],
    map: &mut SourceMap,
    history: History,
) -> Result<(Merged, Platform), Diagnostics> {
    let layers = load::environment(dir, env, map)?;
    let (mut merged, merge_errors) = merge::merge(layers, sets, map, history);
    // What a later layer replaced is typed where it is written, and every other value in
    // the merged tree: an error in a value each environment overrides is still found. For
    // a large input the two are typed at the same time, on two threads.
    let displaced = merged.take_displaced();
    let (mut typed, platform) = crate::both(
        map.bytes() >= crate::TWO_THREADS_FROM,
        move || -> Diagnostics {
            displaced
                .into_iter()
                .flat_map(Platform::check_layer)
                .collect()
        },
        || {
            merge_errors
                .is_empty()
                .then(|| Platform::from_tree(&merged))
        },
    );
    let Some(platform) = platform else {
        typed.extend(Platform::check_layer(merged.tree.clone()));
        return Err(union(&typed, merge_errors));
    };
    match platform {
        Ok(platform) if typed.is_empty() => Ok((merged, platform)),
        Ok(_) => Err(typed),
        Err(ds) => Err(union(&typed, ds)),
    }
}

/// The errors of the layers, then those of the merged spec that are not the same error
/// seen again (one code at one position).
fn union(first: &Diagnostics, then: Diagnostics) -> Diagnostics {
    let key = |d: &diagnostic::Diagnostic| (d.code, d.primary.as_ref().map(|l| l.span));
    let mut out = first.clone();
    for d in then {
        if !out.iter().any(|o| key(o) == key(&d)) {
            out.push(d);
        }
    }
    out
}

/// Everything one environment renders.
pub struct Render {
    pub merged: Merged,
    pub platform: Platform,
    /// Every object, in apply order.
    pub objects: Vec<Object>,
    /// Where each field of each object comes from.
    pub origins: Origins,
}

/// What a command reads of the merged tree once the objects are built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// Its values (`explain`, `diff --spec`): the tree is kept.
    Values,
    /// Only where each value is written (the checks, diagnostics, `diff`'s origins): the
    /// tree is traded for its outline ([`Merged::outline`]) before the objects are built,
    /// so the two are never held together, or after the templates when the project has
    /// some, as they read the tree.
    Positions,
}

/// load → merge → spec → build → templates → patches: every object of one environment,
/// in apply order, with its origins ([`spec`] says what `history` is).
pub fn objects(
    dir: &Path,
    env: &str,
    sets: &[String],
    map: &mut SourceMap,
    fuel: &mut template::Fuel,
    history: History,
    reads: Reads,
) -> Result<Render, Diagnostics> {
    let (merged, platform) = spec(dir, env, sets, map, history)?;
    objects_of(dir, env, merged, platform, map, fuel, reads)
}

/// build → templates → patches, from a typed spec: [`objects`] after [`spec`].
pub fn objects_of(
    dir: &Path,
    env: &str,
    mut merged: Merged,
    platform: Platform,
    map: &mut SourceMap,
    fuel: &mut template::Fuel,
    reads: Reads,
) -> Result<Render, Diagnostics> {
    let templates = dir.join(template::TEMPLATE_DIR).is_dir();
    if reads == Reads::Positions && !templates {
        merged.outline();
    }
    let (mut objects, mut origins) =
        build::build_on(&platform, map.bytes() >= crate::TWO_THREADS_FROM);
    objects.extend(template::render_all(
        dir,
        env,
        &platform,
        &merged,
        map,
        &mut origins,
        fuel,
    )?);
    if reads == Reads::Positions {
        merged.outline();
    }
    patch::apply(&mut objects, &platform, &merged, &mut origins)?;
    objects.sort_by(|a, b| a.order().cmp(&b.order()));
    Ok(Render {
        merged,
        platform,
        objects,
        origins,
    })
}

/// A render whose objects were taken in batches ([`in_batches`]).
pub struct Batched {
    pub merged: Merged,
    pub platform: Platform,
    pub origins: Origins,
    /// What the checks found ([`check::all`] on every object).
    pub findings: Vec<diagnostic::Diagnostic>,
    /// The objects' texts, or why they could not all be made (the output limit).
    pub texts: anyhow::Result<emit::Texts>,
}

/// How [`in_batches`] takes the objects and what it makes of them.
#[derive(Clone, Copy, Debug)]
pub struct Batches {
    pub format: emit::Format,
    pub to: emit::To,
    /// The objects of one batch: about this many.
    pub size: usize,
}

/// build → templates → patches → checks → texts, from a typed spec, holding no more than
/// `size` objects at a time (and the templates' objects): the same findings and texts as
/// [`objects_of`], [`check::all`] and [`emit::Texts`] on every object at once.
///
/// The objects are built twice. First to learn what the checks of one object need to know
/// about the others ([`check::Facts`]), their origins, and the errors of the patches (which
/// stop the render); then again, batch by batch, to be patched, checked, turned into text
/// and dropped.
pub fn in_batches(
    dir: &Path,
    env: &str,
    mut merged: Merged,
    platform: Platform,
    map: &mut SourceMap,
    fuel: &mut template::Fuel,
    batches: Batches,
) -> Result<Batched, Diagnostics> {
    let Batches { format, to, size } = batches;
    let templates = dir.join(template::TEMPLATE_DIR).is_dir();
    if !templates {
        merged.outline();
    }
    let mut facts = check::Facts::default();
    let mut patches = patch::Patches::new(&platform);
    // Every object by kind and name, as the patches see them: built, in apply order, then
    // the templates', in theirs.
    let mut names: Vec<(usize, String, String)> = Vec::new();
    let mut origins = build::batches(&platform, size, true, |mut batch, origins| {
        names.extend(
            batch
                .iter()
                .map(|o| (o.rank(), o.kind().to_string(), o.name().to_string())),
        );
        patches.batch(&mut batch, &merged, origins);
        facts.add(&platform, &batch);
        Ok::<(), std::convert::Infallible>(())
    })
    .unwrap_or_else(|never| match never {});
    names.sort_by(|a, b| (a.0, &a.2).cmp(&(b.0, &b.2)));
    let mut templated =
        template::render_all(dir, env, &platform, &merged, map, &mut origins, fuel)?;
    merged.outline();
    names.extend(
        templated
            .iter()
            .map(|o| (o.rank(), o.kind().to_string(), o.name().to_string())),
    );
    patches.batch(&mut templated, &merged, &mut origins);
    patches.finish(
        &merged,
        names
            .iter()
            .map(|(_, kind, name)| (kind.as_str(), name.as_str())),
    )?;
    drop(names);
    facts.add(&platform, &templated);
    facts.in_apply_order();

    let mut run = check::Run::default();
    let mut texts = Ok(emit::Texts::new(format, to));
    let mut patches = patch::Patches::new(&platform);
    let mut first = true;
    let mut each = |batch: &mut Vec<Object>| {
        // Their origins were recorded the first time.
        patches.batch(batch, &merged, &mut Origins::default());
        let input = check::Input {
            spec: &platform,
            objects: batch,
            merged: &merged,
            origins: &origins,
            memo: check::Memo::with(&facts, first),
        };
        // The batch's texts are made on a second thread while it is checked.
        let texts = &mut texts;
        crate::both(
            true,
            || {
                if let Ok(made) = texts {
                    if let Err(e) = batch.iter().try_for_each(|o| made.add(o)) {
                        *texts = Err(e);
                    }
                }
            },
            || {
                if first {
                    run.spec(&input);
                }
                run.batch(&input);
            },
        );
        first = false;
    };
    build::batches(&platform, size, false, |mut batch, _| {
        each(&mut batch);
        Ok::<(), std::convert::Infallible>(())
    })
    .unwrap_or_else(|never| match never {});
    each(&mut templated);
    let findings = run.finish(&check::Input {
        spec: &platform,
        objects: &[],
        merged: &merged,
        origins: &origins,
        memo: check::Memo::with(&facts, false),
    });
    Ok(Batched {
        merged,
        platform,
        origins,
        findings,
        texts,
    })
}

/// Prints the diagnostics of a failed run to stderr; the exit code for input errors.
pub fn fail(diagnostics: &Diagnostics, map: &SourceMap) -> Exit {
    diagnostic::eprint(diagnostics, map);
    Exit::Usage
}
