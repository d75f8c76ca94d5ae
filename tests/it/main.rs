//! Integration tests: the real `wfk` binary run on projects in temporary folders.

mod support;

mod bounds;
mod canary;
mod cases;
mod checks;
mod ci;
mod corpus;
mod determinism;
mod diff;
mod emitted;
mod examples;
mod graph;
mod guarantees;
mod hostile;
mod import;
mod input_edges;
mod inputs;
mod merge_laws;
mod monitoring;
mod mutations;
mod netpol;
mod network;
mod onramp;
mod origins;
mod output_dir;
mod output_safety;
mod patches;
mod pods;
mod render;
mod render_support;
mod review_bugs;
mod scanners;
mod schema;
mod set_and_values;
mod spec_core;
