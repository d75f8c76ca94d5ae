//! The `wfk` binary. Exit codes: 0 success, 1 findings, 2 usage or input errors.

use clap::{CommandFactory, Parser};
use std::process::ExitCode;
use wfk::{Exit, cli, commands};

/// The binary's allocator. A render allocates hundreds of thousands of small values and
/// frees few of them before it exits; mimalloc serves them from large aligned blocks that
/// the kernel backs with huge pages, so a render takes a page fault per 2 MiB instead of
/// per 4 KiB (glibc's malloc), and fewer instructions per allocation. The library and the
/// fuzz targets keep the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `COMPLETE=bash wfk -- …` (what `wfk completions bash` registers) prints candidates
    // and exits here.
    clap_complete::CompleteEnv::with_factory(cli::Cli::command)
        .var(commands::COMPLETE_VAR)
        .complete();
    let cli = cli::Cli::parse();
    match cli.color {
        cli::Color::Auto => {}
        cli::Color::Always => anstream::ColorChoice::Always.write_global(),
        cli::Color::Never => anstream::ColorChoice::Never.write_global(),
    }
    let mut kept = commands::Kept::default();
    let result = commands::run_keeping(&cli, &mut kept);
    // The process ends here: the system takes its memory back whole.
    std::mem::forget(kept);
    match result {
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
