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

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_two_lowercase_digits_per_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(super::hex(&[]), "");
    }
}
