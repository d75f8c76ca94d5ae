//! `wfk schema [--overlay]`: the JSON Schema of the spec (or of an overlay), generated from
//! the same types that read it.

use crate::Exit;
use crate::cli::SchemaArgs;
use std::io::Write;

pub fn run(args: &SchemaArgs) -> anyhow::Result<Exit> {
    let schema = if args.overlay {
        crate::platform::overlay_schema()
    } else {
        crate::platform::schema()
    };
    let mut text = serde_json::to_string_pretty(&schema)?;
    text.push('\n');
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Exit::Success)
}
