//! wfk: one typed spec of a workflow platform, an overlay per environment, Kubernetes
//! manifests out.
//!
//! The pipeline, one module per stage: [`load`] (YAML text → trees with positions) →
//! [`merge`] (base + overlays + `--set`, keeping provenance) → [`platform`] (the typed
//! platform spec) →
//! build → check → emit. [`diagnostic`] reports problems at the spec line.

// Diagnostics travel in `Result::Err` on cold paths only; boxing them buys nothing.
#![allow(clippy::result_large_err)]

pub mod build;
pub mod check;
pub mod cli;
pub mod commands;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod graph;
pub mod import;
pub mod load;
pub mod merge;
pub mod outline;
pub mod patch;
pub mod platform;
pub mod source;
pub mod suggest;
pub mod template;
pub mod tree;
pub mod validation;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Success,
    /// Validation findings, or differences in `diff`.
    Findings,
    /// Bad input or usage.
    Usage,
}

/// From how many bytes of input a run does independent work on two threads ([`both`]):
/// `platform.yaml` parsed beside the overlays, the displaced values typed beside the
/// merged spec, one half of the components built beside the other, the checks beside the
/// making of the output. Below it a second thread costs more than it saves (about half a
/// millisecond, and 4 MiB: the allocator gives each thread pages of its own). Measured on
/// the benchmark platforms (BENCHMARKS.md): no gain at 500 components (400 KB of input),
/// 13% less wall time at 1,000 (790 KB), 38% at 10,000.
pub const TWO_THREADS_FROM: usize = 512 * 1024;

/// From how many bytes of `platform.yaml` the `wfk` binary lets the kernel back its heap
/// with huge pages (2 MiB each, where the allocator asks for them). Below it the heap stays
/// within a few MiB, and a huge page is mostly empty: on the reference platform (5 KB) it
/// costs 2.8 MiB of the render's 10.4 MiB and saves 0.3 ms. Above it the page faults saved
/// pay: 32% of the wall time at 100 components (48 KB), 35% at 1,000.
pub const HUGE_PAGES_FROM: u64 = 16 * 1024;

/// Whether a run on the project whose `platform.yaml` is `spec` should have huge pages:
/// the file is at least [`HUGE_PAGES_FROM`] bytes. A file that cannot be read has none:
/// the run is small, or fails.
pub fn huge_pages_pay_off(spec: &std::path::Path) -> bool {
    std::fs::metadata(spec).is_ok_and(|m| m.len() >= HUGE_PAGES_FROM)
}

/// Runs `a` and `b` and returns both results: when `together`, `a` on a second thread
/// while `b` runs on this one, so work that does not depend on each other takes the time
/// of the longer, not of both. The second thread gets the stack a main thread has
/// (8 MiB), so a value as deep as the input limits allow is as safe there; if no thread
/// can be made, `a` runs here after `b`.
pub fn both<A: Send, B>(
    together: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B,
) -> (A, B) {
    if !together {
        return (a(), b());
    }
    let a = std::sync::Mutex::new(Some(a));
    let take = || a.lock().ok().and_then(|mut a| a.take());
    std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn_scoped(scope, || take().map(|a| a()));
        let b = b();
        let done = other.ok().and_then(|h| match h.join() {
            Ok(done) => done,
            Err(panic) => std::panic::resume_unwind(panic),
        });
        // `take` hands `a` out once: to the thread, or else to this fallback.
        let a = done.or_else(|| take().map(|a| a()));
        (a.expect("`a` ran on one of the two threads"), b)
    })
}

/// Bytes (a digest) as lowercase hex, written without the formatting machinery: a render
/// writes one per workload.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// `n` in decimal at the end of `out`, written without the formatting machinery (a render
/// writes tens of thousands of numbers and spec path lengths).
pub fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use std::thread::{ThreadId, current};

    #[test]
    fn huge_pages_from_a_platform_yaml_of_16_kib() {
        let dir = std::env::temp_dir().join(format!("wfk-huge-pages-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let at = |bytes: u64| {
            let spec = std::fs::File::create(dir.join("platform.yaml")).unwrap();
            spec.set_len(bytes).unwrap();
            super::huge_pages_pay_off(&dir.join("platform.yaml"))
        };
        let below = at(super::HUGE_PAGES_FROM - 1);
        let from = at(super::HUGE_PAGES_FROM);
        std::fs::remove_file(dir.join("platform.yaml")).unwrap();
        let missing = super::huge_pages_pay_off(&dir.join("platform.yaml"));
        std::fs::remove_dir(&dir).unwrap();
        assert_eq!((below, from, missing), (false, true, false));
    }

    #[test]
    fn both_runs_the_first_on_a_second_thread_only_when_together() {
        let here = current().id();
        let ids = |together| -> (ThreadId, ThreadId) {
            super::both(together, || current().id(), || current().id())
        };
        let (a, b) = ids(true);
        assert_ne!(a, here);
        assert_eq!(b, here);
        assert_eq!(ids(false), (here, here));
    }

    #[test]
    fn both_returns_each_result_in_its_place() {
        let words = ["a", "b", "c"];
        for together in [true, false] {
            let (joined, count) = super::both(together, || words.concat(), || words.len());
            assert_eq!((joined.as_str(), count), ("abc", 3));
        }
    }

    #[test]
    fn the_second_thread_has_a_main_threads_stack() {
        // 6 MiB on the stack: past the 2 MiB a thread gets by default.
        fn deep(n: usize) -> usize {
            let frame = [n as u8; 1024];
            std::hint::black_box(&frame);
            if n == 0 { 0 } else { 1 + deep(n - 1) }
        }
        let (depth, _) = super::both(true, || deep(6 * 1024), || ());
        assert_eq!(depth, 6 * 1024);
    }

    #[test]
    #[should_panic(expected = "from the second thread")]
    fn a_panic_on_the_second_thread_reaches_the_caller() {
        super::both(true, || panic!("from the second thread"), || ());
    }

    #[test]
    fn decimals_are_as_display_writes_them() {
        for n in [0, 7, 10, 99, 100, 1_000_000_007, u64::MAX] {
            let mut out = String::from("x");
            super::push_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn hex_is_two_lowercase_digits_per_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(super::hex(&[]), "");
    }
}
