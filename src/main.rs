//! The `wfk` binary. Exit codes: 0 success, 1 findings, 2 usage or input errors.

use clap::{CommandFactory, Parser};
use std::process::ExitCode;
use wfk::{Exit, cli, commands};

/// The binary's allocator. A render allocates hundreds of thousands of small values and
/// frees few of them before it exits; mimalloc serves them from large aligned blocks that
/// the kernel backs with huge pages, so a large render takes a page fault per 2 MiB instead
/// of per 4 KiB (glibc's malloc), and fewer instructions per allocation. A small one does
/// without huge pages ([`HUGE_PAGES`]). The library and the fuzz targets keep the system
/// allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Huge pages for a large project only, decided before the first allocation. The
/// standard library allocates before `main` (the main thread's record), and that first
/// allocation is where mimalloc takes its first block from the system: with huge pages
/// on, a whole 2 MiB page, more than a small render uses in all; with them off, the first
/// 2 MiB of a large render's heap in 4 KiB pages, a fault for each. So a constructor, which
/// the C runtime calls before the standard library's start-up, reads the command line
/// from `/proc/self/cmdline` and sizes the `platform.yaml` of its `--dir`
/// ([`wfk::huge_pages_pay_off`]), in buffers on its stack, and sets the process's flag
/// (`prctl(PR_SET_THP_DISABLE)`). wfk starts no other process that would inherit it.
/// Elsewhere than Linux nothing changes.
// SAFETY: the function is a constructor the C runtime calls once, before `main`, on the
// main thread; it reads one file and the size of another, and makes one `prctl` call; it
// allocates nothing (for paths shorter than the standard library's stack buffer for
// them), and cannot unwind (panics abort).
#[cfg(any(target_os = "linux", target_os = "android"))]
#[used]
#[unsafe(link_section = ".init_array")]
static HUGE_PAGES: extern "C" fn() = {
    extern "C" fn decide() {
        let _ = rustix::thread::disable_transparent_huge_pages(!large_project());
    }
    decide
};

/// Whether the command line names a project whose `platform.yaml` gains from huge pages.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn large_project() -> bool {
    use std::io::Read as _;
    use std::os::unix::ffi::OsStrExt as _;
    let mut args = [0u8; 16 * 1024];
    let Ok(mut cmdline) = std::fs::File::open("/proc/self/cmdline") else {
        return false;
    };
    let mut len = 0;
    while len < args.len() {
        match cmdline.read(&mut args[len..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n,
        }
    }
    let dir = cli::dir_value(args[..len].split(|&b| b == 0)).unwrap_or(b".");
    const SPEC: &[u8] = b"/platform.yaml";
    let mut path = [0u8; 4096];
    let Some(spec) = path.get_mut(..dir.len() + SPEC.len()) else {
        return false;
    };
    spec[..dir.len()].copy_from_slice(dir);
    spec[dir.len()..].copy_from_slice(SPEC);
    wfk::huge_pages_pay_off(std::path::Path::new(std::ffi::OsStr::from_bytes(spec)))
}

/// mimalloc's `mi_option_purge_delay`: how long memory freed stays with the process before
/// it is handed back to the system, in milliseconds. The `libmimalloc-sys` crate names the
/// options before and after it in mimalloc.h's `mi_option_e` (`eager_commit_delay`,
/// `use_numa_nodes`), not this one.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = libmimalloc_sys::mi_option_eager_commit_delay + 1;

/// A large render frees each batch of objects once written and builds the next in the same
/// memory. Handed back to the system after mimalloc's default 10 ms, that memory is faulted
/// in again page by page: at 10,000 components, 21,000 page faults and a tenth of the run
/// in the kernel. Kept for 100 ms it is reused as it is (about 500 faults), for 10 MiB more
/// at the peak; a longer delay also keeps what one environment of `validate` or one side
/// of `diff` freed while the next is built (at 1 s: 415 MiB instead of 321 for `validate`
/// at 10,000 components, 582 instead of 501 for `diff`; at 100 ms: 337 and 531).
const KEEP_FREED_MS: std::ffi::c_long = 100;

fn main() -> ExitCode {
    // SAFETY: sets one of mimalloc's options, which it reads atomically.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, KEEP_FREED_MS) };
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

#[cfg(test)]
mod tests {
    /// [`super::PURGE_DELAY`] is the purge delay: mimalloc.h gives it the default 10 (ms),
    /// and its neighbours the ones the crate names for them.
    #[test]
    fn the_purge_delay_option_is_mimallocs() {
        use libmimalloc_sys::{
            mi_option_eager_commit_delay, mi_option_get, mi_option_use_numa_nodes,
        };
        assert_eq!(super::PURGE_DELAY, 15);
        assert_eq!(mi_option_use_numa_nodes, super::PURGE_DELAY + 1);
        // SAFETY: reads options.
        let (before, delay) = unsafe {
            (
                mi_option_get(mi_option_eager_commit_delay),
                mi_option_get(super::PURGE_DELAY),
            )
        };
        assert_eq!(before, 1);
        assert!(
            delay == 10 || delay == super::KEEP_FREED_MS,
            "purge delay {delay}"
        );
    }
}
