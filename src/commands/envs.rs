//! `wfk envs`: the environments of a project, sorted, with the parent of an `extends`.

use super::fail;
use crate::Exit;
use crate::cli::{DataFormat, EnvsArgs};
use crate::load;
use crate::source::SourceMap;
use std::io::Write;
use std::path::Path;

pub fn run(dir: &Path, args: &EnvsArgs) -> anyhow::Result<Exit> {
    let mut map = SourceMap::default();
    let envs = match load::environments(dir) {
        Ok(envs) => envs,
        Err(ds) => return Ok(fail(&ds, &map)),
    };
    let parents = match load::parents(dir, &envs, &mut map) {
        Ok(parents) => parents,
        Err(ds) => return Ok(fail(&ds, &map)),
    };
    if args.format == DataFormat::Json {
        let list: Vec<serde_json::Value> = envs
            .iter()
            .zip(&parents)
            .map(|(env, parent)| serde_json::json!({ "name": env, "extends": parent }))
            .collect();
        let mut out = serde_json::to_string_pretty(
            &serde_json::json!({ "version": 1, "environments": list }),
        )?;
        out.push('\n');
        std::io::stdout().lock().write_all(out.as_bytes())?;
        return Ok(Exit::Success);
    }
    let mut out = String::new();
    for (env, parent) in envs.iter().zip(parents) {
        match parent {
            Some(parent) => out.push_str(&format!("{env} (extends {parent})\n")),
            None => out.push_str(&format!("{env}\n")),
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(Exit::Success)
}
