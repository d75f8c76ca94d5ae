//! Integration tests: the real `wfk` binary run on projects in temporary folders.

mod support;

mod canary;
mod cases;
mod checks;
mod ci;
mod corpus;
mod determinism;
mod diff;
mod examples;
mod hostile;
mod import;
mod merge_laws;
mod onramp;
mod pods;
mod render;
mod render_support;
mod schema;
mod set_and_values;
mod spec_core;
