//! One folder per error a user can reach. `tests/cases/<name>/` holds the project files
//! (`platform.yaml`, `overlays/<env>.yaml`, …), `cmd` with the wfk arguments on one line
//! (after any `#` comment lines; words split on spaces, `'…'` and `"…"` quote) and
//! `expected.stderr`. Each case runs in a fresh copy of its folder and must exit 2 with an
//! empty stdout and exactly the expected stderr.
//!
//! `WFK_BLESS=1 cargo test --test it cases` rewrites `expected.stderr` from the actual
//! output; the exit code and stdout are still checked. Review blessed files like code.

use crate::support::{self, Test};
use std::path::{Path, PathBuf};

/// Fewer case folders than this means folders went missing.
const MIN_CASES: usize = 25;

/// Files of a case folder that are not part of the project.
const CASE_FILES: &[&str] = &["cmd", "expected.stderr"];

#[test]
fn every_case_prints_its_expected_stderr_and_exits_2() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= MIN_CASES,
        "expected at least {MIN_CASES} case folders in {}, found {}",
        root.display(),
        cases.len()
    );
    let bless = std::env::var_os("WFK_BLESS").is_some_and(|v| !v.is_empty() && v != "0");
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(report) = check(case, bless) {
            let name = case.file_name().unwrap().to_string_lossy();
            failures.push(format!("case `{name}`: {report}"));
        }
    }
    if !failures.is_empty() {
        panic!(
            "{} of {} cases failed{}:\n\n{}",
            failures.len(),
            cases.len(),
            if bless {
                ""
            } else {
                " (WFK_BLESS=1 rewrites expected.stderr)"
            },
            failures.join("\n")
        );
    }
}

/// Runs one case; the report of every mismatch, or `Ok`.
fn check(case: &Path, bless: bool) -> Result<(), String> {
    let cmd = std::fs::read_to_string(case.join("cmd")).map_err(|e| format!("no `cmd`: {e}"))?;
    let args = parse_cmd(&cmd)?;
    let mut test = Test::new();
    for (rel, contents) in project_files(case) {
        test = test.file(rel, contents);
    }
    let output = test.args(&args).try_output()?;
    let shown = format!("wfk {}", args.join(" "));
    let mut report = String::new();
    if output.status != Some(2) {
        report.push_str(&format!("exit code: expected 2, got {:?}\n", output.status));
    }
    if !output.stdout.is_empty() {
        report.push_str(&support::diff("stdout", "", &output.stdout));
    }
    let expected_path = case.join("expected.stderr");
    let expected = std::fs::read_to_string(&expected_path);
    let stderr_ok = expected
        .as_ref()
        .is_ok_and(|e| support::matches(e, &output.stderr));
    if bless {
        if !stderr_ok {
            std::fs::write(&expected_path, &output.stderr)
                .map_err(|e| format!("cannot write {}: {e}", expected_path.display()))?;
        }
    } else {
        match &expected {
            Err(e) => report.push_str(&format!(
                "cannot read expected.stderr ({e}); the actual stderr:\n{}\n",
                output.stderr
            )),
            Ok(expected) if !stderr_ok => {
                report.push_str(&support::diff("stderr", expected, &output.stderr))
            }
            Ok(_) => {}
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(format!("{shown}\n{report}"))
    }
}

/// The arguments on the first line of `cmd` that is neither empty nor a `#` comment.
fn parse_cmd(cmd: &str) -> Result<Vec<String>, String> {
    let mut lines = cmd
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let line = lines.next().ok_or("`cmd` has no command line")?;
    if lines.next().is_some() {
        return Err("`cmd` has more than one command line".into());
    }
    let mut args = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, ' ' | '\t') => args.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    if quote.is_some() {
        return Err(format!("`cmd` has an unclosed quote: {line}"));
    }
    args.extend(word);
    Ok(args)
}

/// Every file of the case folder except `cmd` and `expected.stderr`, with its path relative
/// to the folder.
fn project_files(case: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![case.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(case).unwrap().to_path_buf();
            if path.is_dir() {
                stack.push(path);
            } else if !CASE_FILES.iter().any(|f| rel == Path::new(f)) {
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn cmd_lines_split_like_a_shell() {
    assert_eq!(
        parse_cmd("# a comment\nexplain dev 'a b' --set \"x=[1, 2]\"\n").unwrap(),
        ["explain", "dev", "a b", "--set", "x=[1, 2]"]
    );
    assert_eq!(parse_cmd("explain '' x").unwrap(), ["explain", "", "x"]);
    assert!(parse_cmd("explain 'x").is_err());
    assert!(parse_cmd("envs\nenvs\n").is_err());
}
