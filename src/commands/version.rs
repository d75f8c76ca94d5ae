//! `wfk version`: the version and the commit it was built from (see build.rs).

use crate::Exit;
use crate::cli::VersionArgs;
use std::io::Write;
use std::sync::OnceLock;

/// The commit the binary was built from. The `wfk` binary sets it from build.rs's
/// `WFK_BUILD_COMMIT`: read in the library, a value that changes with every commit would
/// change the code unit it sits in, and with it the names the compiler gives that unit's
/// shared functions, which link/symbol-order.txt lists (bench/symbol-order).
pub static BUILD_COMMIT: OnceLock<&'static str> = OnceLock::new();

/// `wfk 0.1.0 (commit 0123456789ab)`, or without the commit when the build had none.
pub fn text() -> String {
    let version = env!("CARGO_PKG_VERSION");
    match BUILD_COMMIT.get() {
        Some(commit) => format!("wfk {version} (commit {commit})\n"),
        None => format!("wfk {version} (commit unknown)\n"),
    }
}

pub fn run(_args: &VersionArgs) -> anyhow::Result<Exit> {
    std::io::stdout().lock().write_all(text().as_bytes())?;
    Ok(Exit::Success)
}
