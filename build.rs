//! Records the commit wfk is built from, for `wfk version`: `WFK_COMMIT` if the build sets
//! it (a package or container build without `.git`), else `git rev-parse`, else nothing.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=WFK_COMMIT");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    let commit = std::env::var("WFK_COMMIT").ok().or_else(|| {
        let out = Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    });
    if let Some(commit) = commit.filter(|c| !c.is_empty()) {
        println!("cargo:rustc-env=WFK_BUILD_COMMIT={commit}");
    }
}
