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
