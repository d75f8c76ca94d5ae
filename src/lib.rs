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
