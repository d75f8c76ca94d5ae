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
/// the values later layers replaced (only `explain` shows them). When the caller `reads`
/// only positions, a large spec's second thread outlines the merged tree once it has typed
/// the displaced values, for [`Merged::outline`] to take.
pub fn spec(
    dir: &Path,
    env: &str,
    sets: &[String],
    map: &mut SourceMap,
    history: History,
    reads: Reads,
) -> Result<(Merged, Platform), Diagnostics> {
    let layers = load::environment(dir, env, map)?;
    let (mut merged, merge_errors) = merge::merge(layers, sets, map, history);
    // What a later layer replaced is typed where it is written, and every other value in
    // the merged tree: an error in a value each environment overrides is still found. For
    // a large input the two are typed at the same time, on two threads.
    let displaced = merged.take_displaced();
    let reading = &merged;
    let together = map.bytes() >= crate::TWO_THREADS_FROM;
    let outline = together && reads == Reads::Positions && merge_errors.is_empty();
    let ((mut typed, ahead), platform) = crate::both(
        together,
        move || {
            let typed: Diagnostics = displaced
                .trees(reading)
                .into_iter()
                .flat_map(Platform::check_layer)
                .collect();
            let ahead = outline.then(|| reading.outline_ahead());
            (typed, ahead)
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
    if let Some(outline) = ahead {
        merged.keep_outline(outline);
    }
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
    let (merged, platform) = spec(dir, env, sets, map, history, reads)?;
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
    /// Whether the two halves of the components ([`build::Part::halves`]) are taken on two
    /// threads, each in its own batches. The findings and texts are the same either way.
    pub together: bool,
    /// Whether texts are made (`validate` needs only the findings).
    pub texts: bool,
}

/// build → patches → checks → texts, batch by batch, then templates, from a typed spec,
/// holding no more than `size` objects at a time per thread (and the templates' objects):
/// the same findings and texts as [`objects_of`], [`check::all`] and [`emit::Texts`] on
/// every object at once.
///
/// Each object is built once: patched, checked, turned into text and dropped with its
/// batch. What the checks of one object need to know about the others ([`check::Facts`])
/// is gathered as the batches come; a finding that depends on what a later batch holds
/// waits for it ([`check::Finding::unless`]); the checks that read the spec alone run
/// beside the first batch, those that read every object once all are in, and so do the
/// errors of the patches, which stop the render. When
/// `together`, the two halves of the components ([`build::Part::halves`]) are taken on two
/// threads, and what each made is joined in the order of the spec; if a patch found its
/// object in both halves (two objects of one kind and name), only the first may have it,
/// and the objects are taken again, whole.
pub fn in_batches(
    dir: &Path,
    env: &str,
    mut merged: Merged,
    platform: Platform,
    map: &mut SourceMap,
    fuel: &mut template::Fuel,
    batches: Batches,
) -> Result<Batched, Diagnostics> {
    let templates = dir.join(template::TEMPLATE_DIR).is_dir();
    // Without templates the tree is traded for its outline before the objects are built;
    // the first half frees it while the second starts.
    let traded = (!templates).then(|| merged.trade_tree()).flatten();
    let take = |part| Pass::of(&platform, &merged, part, batches);
    let pass = match batches.together.then(|| build::Part::halves(&platform)) {
        Some([first, second]) => {
            let first = || {
                drop(traded);
                take(first)
            };
            let (later, mut pass) = crate::both(true, || take(second), first);
            if pass.append(later) {
                pass
            } else {
                drop(pass);
                take(build::Part::Whole)
            }
        }
        None => {
            drop(traded);
            take(build::Part::Whole)
        }
    };
    let Pass {
        mut facts,
        mut patches,
        mut names,
        mut origins,
        mut run,
        mut texts,
    } = pass;
    names.sort_by(|a, b| (a.0, &a.2).cmp(&(b.0, &b.2)));
    let mut templated =
        template::render_all(dir, env, &platform, &merged, map, &mut origins, fuel)?;
    merged.outline();
    names.extend(Pass::names(&platform, &templated));
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
    run.batch(&check::Input {
        spec: &platform,
        objects: &templated,
        merged: &merged,
        origins: &origins,
        memo: check::Memo::batch(&facts),
    });
    if batches.texts {
        Pass::text(&mut texts, &templated);
    }
    // With the facts over every object: the checks that read them, and what the checks
    // that read objects say of the spec beside them.
    let every = check::Input {
        spec: &platform,
        objects: &[],
        merged: &merged,
        origins: &origins,
        memo: check::Memo::every(&facts),
    };
    run.every(&every);
    run.batch(&every);
    let findings = run.finish(&every);
    Ok(Batched {
        merged,
        platform,
        origins,
        findings,
        texts,
    })
}

/// What [`in_batches`] makes of the objects of one part, batch by batch.
struct Pass<'a> {
    /// What the objects say, for the checks of the others.
    facts: check::Facts,
    patches: patch::Patches<'a>,
    /// Every object by its kind's rank, kind and name, as the patches see them, in the
    /// order they were built; only when the platform has patches (their errors name them).
    names: Vec<(usize, String, String)>,
    origins: Origins,
    run: check::Run,
    /// The objects' texts (when made), or why they could not all be made.
    texts: anyhow::Result<emit::Texts>,
}

impl<'a> Pass<'a> {
    fn of(platform: &'a Platform, merged: &Merged, part: build::Part, batches: Batches) -> Self {
        let mut facts = check::Facts::default();
        let mut patches = patch::Patches::new(platform);
        let mut names = Vec::new();
        let mut run = check::Run::default();
        let mut texts = Ok(emit::Texts::new(batches.format, batches.to));
        // A batch's texts are made on a second thread while it is checked, unless the
        // part is one of two already on their own threads.
        let beside = batches.texts && part == build::Part::Whole;
        // The checks that read the spec alone run beside the first part's first batch.
        let mut first = !matches!(part, build::Part::From(_));
        let origins = build::batches(platform, part, batches.size, |mut batch, origins, _| {
            names.extend(Self::names(platform, &batch));
            patches.batch(&mut batch, merged, origins);
            facts.add(platform, &batch);
            let input = check::Input {
                spec: platform,
                objects: &batch,
                merged,
                origins,
                memo: check::Memo::batch(&facts),
            };
            let made = &mut texts;
            crate::both(
                beside,
                || {
                    if batches.texts {
                        Self::text(made, &batch);
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
            Ok::<(), std::convert::Infallible>(())
        })
        .unwrap_or_else(|never| match never {});
        // In apply order already on this part's thread: the whole's are then put in order
        // by merging runs.
        facts.in_apply_order();
        if let Ok(texts) = &mut texts {
            texts.in_apply_order();
        }
        Pass {
            facts,
            patches,
            names,
            origins,
            run,
            texts,
        }
    }

    /// Adds the texts of `objects`, unless the output is already over its limit.
    fn text(texts: &mut anyhow::Result<emit::Texts>, objects: &[Object]) {
        if let Ok(made) = texts {
            if let Err(e) = objects.iter().try_for_each(|o| made.add(o)) {
                *texts = Err(e);
            }
        }
    }

    /// The objects by rank, kind and name, when the platform has patches.
    fn names(
        platform: &Platform,
        objects: &[Object],
    ) -> impl Iterator<Item = (usize, String, String)> {
        let patched = !platform.patches.is_empty();
        objects
            .iter()
            .filter(move |_| patched)
            .map(|o| (o.rank(), o.kind().to_string(), o.name().to_string()))
    }

    /// Adds what was made of the objects built after these, as if made here; false when
    /// a patch found an object in both, and what was made must be made again, whole.
    fn append(&mut self, later: Pass<'a>) -> bool {
        if !self.patches.append(later.patches) {
            return false;
        }
        self.facts.append(later.facts);
        self.names.extend(later.names);
        self.origins.append(later.origins);
        self.run.append(later.run);
        self.texts = match (
            std::mem::replace(
                &mut self.texts,
                Ok(emit::Texts::new(emit::Format::Yaml, emit::To::Stdout)),
            ),
            later.texts,
        ) {
            (Ok(mut texts), Ok(later)) => texts.append(later).map(|()| texts),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        true
    }
}

/// Prints the diagnostics of a failed run to stderr; the exit code for input errors.
pub fn fail(diagnostics: &Diagnostics, map: &SourceMap) -> Exit {
    diagnostic::eprint(diagnostics, map);
    Exit::Usage
}
