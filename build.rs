//! Records the commit wfk is built from, for `wfk version`: `WFK_COMMIT` if the build sets
//! it (a package or container build without `.git`), else `git rev-parse`, else nothing.
//! And hands the linker the order of the binary's hot code, where it can use it
//! ([`symbol_order`]).

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
    let order = symbol_order();
    // What the test `symbol_order` (tests/it) checks the binary against.
    println!(
        "cargo:rustc-env=WFK_SYMBOL_ORDER={}",
        order.as_deref().unwrap_or("applied")
    );
}

/// The file that lists the functions a small run executes (bench/symbol-order writes it).
const SYMBOL_ORDER: &str = "link/symbol-order.txt";

/// Asks the linker to lay out the functions of [`SYMBOL_ORDER`] side by side, at the start
/// of the binary's code: the kernel maps code 64 KiB around each page a run touches, so a
/// render of the reference platform holds 3 MiB of code in memory instead of 8. Only where
/// the linker is known to be LLD, which reads `--symbol-ordering-file`: a release build
/// for x86_64 Linux by Rust 1.90 or later, which links with LLD unless the build names
/// its own linker or link options. Elsewhere the binary is linked as before. Returns why
/// not, or `None` when applied.
fn symbol_order() -> Option<String> {
    println!("cargo:rerun-if-changed={SYMBOL_ORDER}");
    for var in ["RUSTC_LINKER", "CARGO_ENCODED_RUSTFLAGS"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("PROFILE") != "release" {
        return Some("not in a debug build".into());
    }
    if var("TARGET") != "x86_64-unknown-linux-gnu" {
        return Some(format!("not for {}", var("TARGET")));
    }
    let rustc = Command::new(var("RUSTC")).arg("-V").output().ok();
    let version = rustc
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    let minor = version
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok());
    if minor.is_none_or(|m| m < 90) {
        return Some(format!("not with {}", version.trim()));
    }
    if !var("RUSTC_LINKER").is_empty() || var("CARGO_ENCODED_RUSTFLAGS").contains("link") {
        return Some("not with a linker the build chose".into());
    }
    let file = PathBuf::from(var("CARGO_MANIFEST_DIR")).join(SYMBOL_ORDER);
    if !file.exists() {
        return Some(format!("not without {SYMBOL_ORDER}"));
    }
    println!(
        "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        file.display()
    );
    // Names the file has and this build does not (a function inlined away) are skipped.
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    None
}
