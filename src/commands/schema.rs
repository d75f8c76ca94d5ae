//! `wfk schema`: the JSON Schema of the spec, generated from the same types that read it.

use crate::Exit;
use crate::cli::SchemaArgs;
use std::io::Write;

pub fn run(_args: &SchemaArgs) -> anyhow::Result<Exit> {
    let mut text = serde_json::to_string_pretty(&crate::spec::schema())?;
    text.push('\n');
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Exit::Success)
}
