//! wfk: one typed spec of a workflow platform, an overlay per environment, Kubernetes
//! manifests out. Exit codes: 0 success, 1 findings, 2 usage or input errors.

mod cli;
mod commands;
mod diagnostic;
mod load;
mod merge;
mod source;
mod spec;
mod suggest;
mod tree;
mod validation;

use clap::Parser;
use std::process::ExitCode;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Success,
    /// Validation findings, or differences in `diff`.
    Findings,
    /// Bad input or usage.
    Usage,
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(&cli) {
        Ok(Exit::Success) => ExitCode::SUCCESS,
        Ok(Exit::Findings) => ExitCode::from(1),
        Ok(Exit::Usage) => ExitCode::from(2),
        Err(e) => {
            // A closed pipe (`wfk render prod | head`) is the reader's choice, not an error.
            let broken_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            anstream::eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
