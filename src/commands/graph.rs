//! `wfk graph <env>`: load → merge → spec → the declared network as a Mermaid or DOT graph.
//! A spec that does not validate draws nothing: the errors go to stderr, exit 2.

use super::{fail, spec};
use crate::Exit;
use crate::cli::GraphArgs;
use crate::graph::Graph;
use crate::merge::History;
use crate::source::SourceMap;
use std::io::Write;
use std::path::Path;

pub fn run(dir: &Path, args: &GraphArgs) -> anyhow::Result<Exit> {
    let mut map = SourceMap::default();
    let platform = match spec(
        dir,
        &args.env,
        &args.set,
        &mut map,
        History::Dropped,
        super::Reads::Values,
    ) {
        Ok((_, platform)) => platform,
        Err(ds) => return Ok(fail(&ds, &map)),
    };
    let text = Graph::of(&platform).write(args.format);
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Exit::Success)
}
