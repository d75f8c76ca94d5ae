//! One module per command; each reads like the pipeline it runs.

mod completions;
mod diff;
mod envs;
mod explain;
mod import;
mod render;
mod schema;
mod validate;

use crate::Exit;
use crate::build::object::Object;
use crate::cli::{Cli, Command};
use crate::diagnostic::{self, Diagnostics};
use crate::merge::Merged;
use crate::source::SourceMap;
use crate::spec::Platform;
use crate::{build, load, merge, patch, template};
use std::path::Path;

pub fn run(cli: &Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Render(args) => render::run(&cli.dir, args),
        Command::Validate(args) => validate::run(&cli.dir, args),
        Command::Diff(args) => diff::run(&cli.dir, args),
        Command::Envs(args) => envs::run(&cli.dir, args),
        Command::Explain(args) => explain::run(&cli.dir, args),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Import(args) => import::run(&cli.dir, args),
    }
}

/// load → merge → spec for one environment.
pub fn spec(
    dir: &Path,
    env: &str,
    sets: &[String],
    map: &mut SourceMap,
) -> Result<(Merged, Platform), Diagnostics> {
    let layers = load::environment(dir, env, map)?;
    let merged = merge::environment(layers, sets, map)?;
    let platform = Platform::from_tree(&merged)?;
    Ok((merged, platform))
}

/// load → merge → spec → build → templates → patches: every object of one environment,
/// in apply order.
pub fn objects(
    dir: &Path,
    env: &str,
    sets: &[String],
    map: &mut SourceMap,
) -> Result<(Merged, Platform, Vec<Object>), Diagnostics> {
    let (merged, platform) = spec(dir, env, sets, map)?;
    let mut objects = build::all(&platform);
    objects.extend(template::render_all(dir, env, &platform, &merged, map)?);
    patch::apply(&mut objects, &platform, &merged)?;
    objects.sort_by(|a, b| a.order().cmp(&b.order()));
    Ok((merged, platform, objects))
}

/// Prints the diagnostics of a failed run to stderr; the exit code for input errors.
pub fn fail(diagnostics: &Diagnostics, map: &SourceMap) -> Exit {
    diagnostic::eprint(diagnostics, map);
    Exit::Usage
}
