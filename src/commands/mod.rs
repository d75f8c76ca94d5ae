//! One module per command; each reads like the pipeline it runs.

mod completions;
mod envs;
mod explain;
mod render;
mod schema;

use crate::Exit;
use crate::cli::{Cli, Command};
use crate::diagnostic::{self, Diagnostics};
use crate::source::SourceMap;

pub fn run(cli: &Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Render(args) => render::run(&cli.dir, args),
        Command::Envs(args) => envs::run(&cli.dir, args),
        Command::Explain(args) => explain::run(&cli.dir, args),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => completions::run(args),
    }
}

/// Prints the diagnostics of a failed run to stderr; the exit code for input errors.
pub fn fail(diagnostics: &Diagnostics, map: &SourceMap) -> Exit {
    diagnostic::eprint(diagnostics, map);
    Exit::Usage
}
