//! `wfk version`: the version and the commit it was built from (see build.rs).

use crate::Exit;
use crate::cli::VersionArgs;
use std::io::Write;

/// `wfk 0.1.0 (commit 0123456789ab)`, or without the commit when the build had none.
pub fn text() -> String {
    let version = env!("CARGO_PKG_VERSION");
    match option_env!("WFK_BUILD_COMMIT") {
        Some(commit) => format!("wfk {version} (commit {commit})\n"),
        None => format!("wfk {version} (commit unknown)\n"),
    }
}

pub fn run(_args: &VersionArgs) -> anyhow::Result<Exit> {
    std::io::stdout().lock().write_all(text().as_bytes())?;
    Ok(Exit::Success)
}
