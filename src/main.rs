//! The `wfk` binary. Exit codes: 0 success, 1 findings, 2 usage or input errors.

use clap::{CommandFactory, Parser};
use std::process::ExitCode;
use wfk::{Exit, cli, commands};

/// The binary's allocator. A render allocates hundreds of thousands of small values and
/// frees few of them before it exits; mimalloc serves them from large aligned blocks that
/// the kernel backs with huge pages, so a large render takes a page fault per 2 MiB instead
/// of per 4 KiB (glibc's malloc), and fewer instructions per allocation. A small one does
/// without huge pages ([`huge_pages`]). The library and the fuzz targets keep the system
/// allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns the kernel's transparent huge pages off for this process, or back on. They are
/// off before `main` ([`HUGE_PAGES_OFF`]) and back on once the command line names a
/// project large enough to gain from them ([`wfk::huge_pages_pay_off`]). The flag is the
/// process's; wfk starts no other process that would inherit it. Where the system has no
/// such flag, nothing changes.
fn huge_pages(on: bool) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let _ = rustix::thread::disable_transparent_huge_pages(!on);
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = on;
}

/// Huge pages off from the start. The standard library allocates before `main` (the main
/// thread's record), and that first allocation is where mimalloc takes its first block
/// from the system: with huge pages on it would be backed by a whole 2 MiB page, more
/// than a small render uses in all. So they are turned off by a constructor, which the
/// C runtime calls before the standard library's start-up.
// SAFETY: the function is a constructor the C runtime calls once, before `main`, on the
// main thread; it makes one `prctl` call, allocates nothing, and cannot unwind.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[used]
#[unsafe(link_section = ".init_array")]
static HUGE_PAGES_OFF: extern "C" fn() = {
    extern "C" fn off() {
        huge_pages(false);
    }
    off
};

fn main() -> ExitCode {
    // Before the command line is parsed: each allocation until then takes memory the
    // kernel backs with 4 KiB pages, for good.
    if wfk::huge_pages_pay_off(&cli::dir_named(std::env::args_os())) {
        huge_pages(true);
    }
    // `COMPLETE=bash wfk -- …` (what `wfk completions bash` registers) prints candidates
    // and exits here.
    clap_complete::CompleteEnv::with_factory(cli::Cli::command)
        .var(commands::COMPLETE_VAR)
        .complete();
    let cli = cli::Cli::parse();
    if let Some(commit) = option_env!("WFK_BUILD_COMMIT") {
        let _ = commands::version::BUILD_COMMIT.set(commit);
    }
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
