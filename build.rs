//! Records the commit wfk is built from, for `wfk version`: `WFK_COMMIT` if the build sets
//! it (a package or container build without `.git`), else `git rev-parse`, else nothing.

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-env-changed=WFK_COMMIT");
    // The files that move when HEAD does, wherever git keeps them: `.git` is a folder in a
    // clone and a file naming the real one in a worktree. A path that does not exist would
    // make cargo rerun this on every build, so only existing ones are named.
    let mut watched: Vec<PathBuf> = Vec::new();
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        watched.push(PathBuf::from(&dir).join("HEAD"));
    }
    if let Some(common) = git(&["rev-parse", "--git-common-dir"]) {
        let common = PathBuf::from(common);
        watched.push(common.join("refs/heads"));
        watched.push(common.join("packed-refs"));
    }
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    if watched.is_empty() {
        println!("cargo:rerun-if-changed=build.rs");
    }
    let commit = std::env::var("WFK_COMMIT")
        .ok()
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]));
    if let Some(commit) = commit.filter(|c| !c.is_empty()) {
        println!("cargo:rustc-env=WFK_BUILD_COMMIT={commit}");
    }
}
