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
    /// Whether the two halves of the components ([`build::Part::halves`]) are taken on two
    /// threads, each in its own batches. The findings and texts are the same either way.
    pub together: bool,
    /// Whether texts are made (`validate` needs only the findings).
    pub texts: bool,
}

/// build → templates → patches → checks → texts, from a typed spec, holding no more than
/// `size` objects at a time per thread (and the templates' objects): the same findings and
/// texts as [`objects_of`], [`check::all`] and [`emit::Texts`] on every object at once.
///
/// The objects are built twice. First to learn what the checks of one object need to know
/// about the others ([`check::Facts`]), their origins, and the errors of the patches (which
/// stop the render); then again, batch by batch, to be patched, checked, turned into text
/// and dropped. When `together`, each pass builds the two halves of the components on two
/// threads and joins what they learned or made, in the order of the spec.
pub fn in_batches(
    dir: &Path,
    env: &str,
    mut merged: Merged,
    platform: Platform,
    map: &mut SourceMap,
    fuel: &mut template::Fuel,
    batches: Batches,
) -> Result<Batched, Diagnostics> {
    let Batches {
        format,
        to,
        size,
        together,
        texts,
    } = batches;
    let templates = dir.join(template::TEMPLATE_DIR).is_dir();
    if !templates {
        merged.outline();
    }
    let halves = together.then(|| build::Part::halves(&platform));
    let learn = |part| Learned::of(&platform, &merged, part, size);
    // What the patches of the first half matched: in the second pass, the second half
    // does not apply them again.
    let (learned, first_matched) = match halves {
        Some([first, second]) => {
            let (later, mut learned) = crate::both(true, || learn(second), || learn(first));
            let matched = learned.patches.matched().to_vec();
            if learned.append(later) {
                (learned, Some(matched))
            } else {
                // A patch found its object in both halves (two objects of one kind and
                // name): only the first may have it, so the objects are taken whole.
                (learn(build::Part::Whole), None)
            }
        }
        None => (learn(build::Part::Whole), None),
    };
    let Learned {
        mut facts,
        mut patches,
        mut names,
        mut origins,
    } = learned;
    names.sort_by(|a, b| (a.0, &a.2).cmp(&(b.0, &b.2)));
    let mut templated =
        template::render_all(dir, env, &platform, &merged, map, &mut origins, fuel)?;
    merged.outline();
    names.extend(Learned::names(&platform, &templated));
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

    let known = Known {
        platform: &platform,
        merged: &merged,
        origins: &origins,
        facts: &facts,
    };
    let make = |part, earlier: Option<&[bool]>| {
        let patches = patch::Patches::new(&platform);
        let patches = match earlier {
            Some(earlier) => patches.after(earlier),
            None => patches,
        };
        let mut made = Made::new(patches, (format, to, texts), part);
        build::batches(&platform, part, size, false, |mut batch, _, _| {
            made.batch(&known, &mut batch);
            Ok::<(), std::convert::Infallible>(())
        })
        .unwrap_or_else(|never| match never {});
        made
    };
    let mut made = match (halves, &first_matched) {
        (Some([first, second]), Some(matched)) => {
            let (later, mut made) =
                crate::both(true, || make(second, Some(matched)), || make(first, None));
            made.append(later);
            made
        }
        _ => make(build::Part::Whole, None),
    };
    made.batch(&known, &mut templated);
    let findings = made.run.finish(&check::Input {
        spec: &platform,
        objects: &[],
        merged: &merged,
        origins: &origins,
        memo: check::Memo::with(&facts, false),
    });
    let texts = made.texts;
    Ok(Batched {
        merged,
        platform,
        origins,
        findings,
        texts,
    })
}

/// What the first pass of [`in_batches`] learns from the objects of one part.
struct Learned<'a> {
    facts: check::Facts,
    patches: patch::Patches<'a>,
    /// Every object by its kind's rank, kind and name, as the patches see them, in the
    /// order they were built; only when the platform has patches (their errors name them).
    names: Vec<(usize, String, String)>,
    origins: Origins,
}

impl<'a> Learned<'a> {
    fn of(platform: &'a Platform, merged: &Merged, part: build::Part, size: usize) -> Self {
        let mut facts = check::Facts::default();
        let mut patches = patch::Patches::new(platform);
        let mut names = Vec::new();
        let origins = build::batches(platform, part, size, true, |mut batch, origins, _| {
            names.extend(Self::names(platform, &batch));
            patches.batch(&mut batch, merged, origins);
            facts.add(platform, &batch);
            Ok::<(), std::convert::Infallible>(())
        })
        .unwrap_or_else(|never| match never {});
        Learned {
            facts,
            patches,
            names,
            origins,
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

    /// Adds what was learned from the objects built after these; false when a patch
    /// found an object in both.
    fn append(&mut self, later: Learned<'a>) -> bool {
        self.facts.append(later.facts);
        self.names.extend(later.names);
        self.origins.append(later.origins);
        self.patches.append(later.patches)
    }
}

/// What the second pass of [`in_batches`] reads: the spec, and what the first learned.
struct Known<'k> {
    platform: &'k Platform,
    merged: &'k Merged,
    origins: &'k Origins,
    facts: &'k check::Facts,
}

/// What the second pass of [`in_batches`] makes of the objects of one part.
struct Made<'a> {
    patches: patch::Patches<'a>,
    run: check::Run,
    texts: anyhow::Result<emit::Texts>,
    /// Whether texts are made.
    emit: bool,
    /// Whether the next batch is the render's first (the spec's checks run on it).
    first: bool,
    /// Whether a batch's texts are made on a second thread while it is checked: not when
    /// the part is one of two already on their own threads.
    beside: bool,
}

impl<'a> Made<'a> {
    fn new(
        patches: patch::Patches<'a>,
        (format, to, texts): (emit::Format, emit::To, bool),
        part: build::Part,
    ) -> Self {
        Made {
            patches,
            run: check::Run::default(),
            texts: Ok(emit::Texts::new(format, to)),
            emit: texts,
            first: !matches!(part, build::Part::From(_)),
            beside: texts && part == build::Part::Whole,
        }
    }

    /// Patches, checks and turns into text the objects of one batch.
    fn batch(&mut self, known: &Known, batch: &mut [Object]) {
        // Their origins were recorded the first time.
        self.patches
            .batch(batch, known.merged, &mut Origins::default());
        let input = check::Input {
            spec: known.platform,
            objects: batch,
            merged: known.merged,
            origins: known.origins,
            memo: check::Memo::with(known.facts, self.first),
        };
        let (texts, run, first) = (&mut self.texts, &mut self.run, self.first);
        let emit = self.emit;
        crate::both(
            self.beside,
            || {
                if let (true, Ok(made)) = (emit, &mut *texts) {
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
        self.first = false;
    }

    /// Adds what was made of the objects built after these.
    fn append(&mut self, later: Made<'a>) {
        self.patches.append(later.patches);
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
    }
}
/// Prints the diagnostics of a failed run to stderr; the exit code for input errors.
pub fn fail(diagnostics: &Diagnostics, map: &SourceMap) -> Exit {
    diagnostic::eprint(diagnostics, map);
    Exit::Usage
}
