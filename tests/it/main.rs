//! Integration tests: the real `wfk` binary run on projects in temporary folders.

mod support;

mod cases;
mod checks;
mod diff;
mod hostile;
mod merge_laws;
mod render;
mod render_support;
mod schema;
