//! `wfk validate`: every check against its fixtures, and the three output formats.
//!
//! `tests/checks/<code>/fail/` is a minimal project (`platform.yaml`, `overlays/dev.yaml`)
//! on which `wfk validate dev --format json` reports findings of `<code>` and of no other
//! code; its `expected` file holds the exit code and each finding as `code file:line:col`:
//!
//! ```text
//! exit 1
//! invalid-port-name platform.yaml:10:14
//! ```
//!
//! `tests/checks/<code>/pass/` is its twin with the problem fixed, on which `wfk validate`
//! reports nothing at all. Every code in [`CHECKS`] and every suppression error has both
//! (a check no spec can trigger has a `pass/` and a library test that tampers with the built
//! objects instead; see [`LIBRARY_ONLY`]).
//!
//! `WFK_BLESS=1 cargo test --test it checks` rewrites the `expected` files from the actual
//! output; that the findings have the folder's code and severity is still checked. Review
//! blessed files like code.

use crate::support::{TempDir, Test};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use wfk::build::object::Object;
use wfk::check::CHECKS;
use wfk::diagnostic::Severity;

/// Errors about suppressions and `relax` entries themselves, reported by `check::all`
/// beside the checks.
const SUPPRESSION_CODES: &[&str] = &[
    "unknown-check",
    "suppression-not-allowed",
    "suppression-without-reason",
    "relax-target-missing",
    "invalid-reason",
];

/// Checks that no spec can trigger, and why; each has a library test in this file.
const LIBRARY_ONLY: &[(&str, &str)] = &[(
    "headless-service-missing",
    "wfk always renders `<platform>-<component>-headless` (clusterIP: None) beside a \
     StatefulSet, and a spec cannot remove or rename it; see \
     `headless_service_missing_fires_when_the_built_headless_service_is_gone`",
)];

/// The header of an `expected` file.
const EXPECTED_HEADER: &str =
    "# `wfk validate dev --format json`: the exit code, then each finding as `code file:line:col`";

fn checks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/checks")
}

fn bless() -> bool {
    std::env::var_os("WFK_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Every code `validate` can report from `check::all`, with its severity.
fn codes() -> Vec<(&'static str, Severity)> {
    let mut out: Vec<_> = CHECKS.iter().map(|c| (c.code, c.severity)).collect();
    out.extend(SUPPRESSION_CODES.iter().map(|&c| (c, Severity::Error)));
    out
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

// ---------------------------------------------------------------------------------------
// The JSON report, read strictly.

/// One record of `findings`: the documented shape, `diagnostic::Record`.
#[derive(Clone, Debug, PartialEq)]
struct Finding {
    environments: Vec<String>,
    code: String,
    severity: String,
    message: String,
    file: Option<String>,
    line: Option<u64>,
    column: Option<u64>,
    help: Option<String>,
}

impl Finding {
    /// `code file:line:col`, as in an `expected` file.
    fn at(&self) -> String {
        format!(
            "{} {}:{}:{}",
            self.code,
            self.file.as_deref().unwrap_or("-"),
            self.line.unwrap_or(0),
            self.column.unwrap_or(0)
        )
    }

    fn position(&self) -> (&str, u64, u64) {
        (
            self.file.as_deref().unwrap_or(""),
            self.line.unwrap_or(0),
            self.column.unwrap_or(0),
        )
    }
}

/// A whole `--format json` document.
#[derive(Debug)]
struct Report {
    environments: Vec<String>,
    findings: Vec<Finding>,
}

impl Report {
    fn count(&self, severity: &str) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

fn keys(map: &Map<String, Value>) -> BTreeSet<&str> {
    map.keys().map(String::as_str).collect()
}

fn string_or_null(record: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match &record[key] {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        other => Err(format!("`{key}` is {other}, not a string or null")),
    }
}

fn position_or_null(record: &Map<String, Value>, key: &str) -> Result<Option<u64>, String> {
    match &record[key] {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_u64() {
            Some(n) if n >= 1 => Ok(Some(n)),
            _ => Err(format!("`{key}` is {n}, not a 1-based position")),
        },
        other => Err(format!("`{key}` is {other}, not a number or null")),
    }
}

/// A list of environment names: non-empty strings, each once, in the order given.
fn strings(record: &Map<String, Value>, key: &str) -> Result<Vec<String>, String> {
    let list = record[key]
        .as_array()
        .ok_or_else(|| format!("`{key}` is {}, not an array", record[key]))?;
    let mut names: Vec<String> = Vec::new();
    for item in list {
        match item {
            Value::String(s) if !s.is_empty() && !names.contains(s) => names.push(s.clone()),
            other => return Err(format!("`{key}` holds {other}, not a new non-empty string")),
        }
    }
    Ok(names)
}

fn string(record: &Map<String, Value>, key: &str) -> Result<String, String> {
    match &record[key] {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        other => Err(format!("`{key}` is {other}, not a non-empty string")),
    }
}

/// Parses `--format json` output and checks its shape: exactly the documented keys with
/// the documented types at every level, and a summary that counts the findings.
fn parse_report(stdout: &str) -> Result<Report, String> {
    let doc: Value =
        serde_json::from_str(stdout).map_err(|e| format!("not JSON ({e}):\n{stdout}"))?;
    let top = doc.as_object().ok_or("the document is not an object")?;
    let expected = BTreeSet::from(["version", "environments", "findings", "summary"]);
    if keys(top) != expected {
        return Err(format!(
            "top-level keys are {:?}, expected {expected:?}",
            keys(top)
        ));
    }
    if top["version"] != 2 {
        return Err(format!("`version` is {}, expected 2", top["version"]));
    }
    let environments = top["environments"]
        .as_array()
        .ok_or("`environments` is not an array")?
        .iter()
        .map(|e| e.as_str().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .ok_or("`environments` holds something other than strings")?;
    let record_keys = BTreeSet::from([
        "environments",
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "help",
    ]);
    let mut findings = Vec::new();
    for (i, record) in top["findings"]
        .as_array()
        .ok_or("`findings` is not an array")?
        .iter()
        .enumerate()
    {
        let shape = |e: String| format!("finding {i}: {e}: {record}");
        let record = record
            .as_object()
            .ok_or_else(|| shape("not an object".into()))?;
        if keys(record) != record_keys {
            return Err(shape(format!(
                "keys are {:?}, expected {record_keys:?}",
                keys(record)
            )));
        }
        let finding = Finding {
            environments: strings(record, "environments").map_err(shape)?,
            code: string(record, "code").map_err(shape)?,
            severity: string(record, "severity").map_err(shape)?,
            message: string(record, "message").map_err(shape)?,
            file: string_or_null(record, "file").map_err(shape)?,
            line: position_or_null(record, "line").map_err(shape)?,
            column: position_or_null(record, "column").map_err(shape)?,
            help: string_or_null(record, "help").map_err(shape)?,
        };
        if !["error", "warning", "info"].contains(&finding.severity.as_str()) {
            return Err(shape(format!("severity `{}`", finding.severity)));
        }
        if !finding
            .code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-')
        {
            return Err(shape(format!("code `{}` is not kebab-case", finding.code)));
        }
        if finding.file.is_some() != finding.line.is_some()
            || finding.line.is_some() != finding.column.is_some()
        {
            return Err(shape(
                "file, line and column are not all set or all null".into(),
            ));
        }
        findings.push(finding);
    }
    let summary = top["summary"]
        .as_object()
        .ok_or("`summary` is not an object")?;
    let expected = BTreeSet::from(["errors", "warnings", "notes"]);
    if keys(summary) != expected {
        return Err(format!(
            "summary keys are {:?}, expected {expected:?}",
            keys(summary)
        ));
    }
    let report = Report {
        environments,
        findings,
    };
    for (key, severity) in [
        ("errors", "error"),
        ("warnings", "warning"),
        ("notes", "info"),
    ] {
        let counted = report.count(severity) as u64;
        if summary[key].as_u64() != Some(counted) {
            return Err(format!(
                "summary.{key} is {}, but {counted} findings have severity `{severity}`",
                summary[key]
            ));
        }
    }
    Ok(report)
}

// ---------------------------------------------------------------------------------------
// GitHub workflow commands, read without regexes.

/// `::<level> <key>=<value>,…::<message>`, unescaped.
#[derive(Debug)]
struct WorkflowCommand {
    level: String,
    properties: Vec<(String, String)>,
    message: String,
}

impl WorkflowCommand {
    fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Undoes GitHub's escaping: `%25`, `%0D` and `%0A` everywhere, `%3A` and `%2C` in
/// property values. Anything else after `%`, or a raw `:` or `,` in a property, is an error.
fn unescape(s: &str, property: bool) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => {
                let code: String = chars.by_ref().take(2).collect();
                out.push(match code.as_str() {
                    "25" => '%',
                    "0D" => '\r',
                    "0A" => '\n',
                    "3A" if property => ':',
                    "2C" if property => ',',
                    _ => return Err(format!("unescaped `%` before `{code}` in `{s}`")),
                });
            }
            ':' | ',' if property => return Err(format!("unescaped `{c}` in property `{s}`")),
            '\r' | '\n' => return Err(format!("raw line break in `{s}`")),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn parse_workflow_command(line: &str) -> Result<WorkflowCommand, String> {
    let rest = line.strip_prefix("::").ok_or("does not start with `::`")?;
    let end = rest.find("::").ok_or("no `::` before the message")?;
    let (head, data) = (&rest[..end], &rest[end + 2..]);
    let (level, properties) = head.split_once(' ').unwrap_or((head, ""));
    if !["error", "warning", "notice"].contains(&level) {
        return Err(format!("unknown command `{level}`"));
    }
    let mut parsed: Vec<(String, String)> = Vec::new();
    let properties = if properties.is_empty() {
        Vec::new()
    } else {
        properties.split(',').collect()
    };
    for property in properties {
        let (key, value) = property
            .split_once('=')
            .ok_or_else(|| format!("property `{property}` has no `=`"))?;
        if !["title", "file", "col", "endColumn", "line", "endLine"].contains(&key) {
            return Err(format!("unknown property `{key}`"));
        }
        if parsed.iter().any(|(k, _)| k == key) {
            return Err(format!("property `{key}` is given twice"));
        }
        if ["col", "endColumn", "line", "endLine"].contains(&key)
            && value.parse::<u64>().map_or(true, |n| n == 0)
        {
            return Err(format!("`{key}={value}` is not a positive number"));
        }
        parsed.push((key.to_string(), unescape(value, true)?));
    }
    Ok(WorkflowCommand {
        level: level.to_string(),
        properties: parsed,
        message: unescape(data, false)?,
    })
}

// ---------------------------------------------------------------------------------------
// Running wfk.

/// A Test loaded with every file of a project folder.
fn project(folder: &Path) -> Test {
    let mut test = Test::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(folder).unwrap().to_path_buf();
            if path.is_dir() {
                stack.push(path);
            } else if rel != Path::new("expected") {
                test = test.file(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    test
}

/// What one run printed, for a run outside the `Test` builder's temporary folder.
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `wfk --dir <dir> ARGS…`, for projects whose folder the test chooses.
fn wfk_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_wfk"))
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run wfk: {e}"));
    Run {
        status: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Writes `files` into a fresh folder named `name` inside a temporary folder.
fn write_project(tmp: &TempDir, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = tmp.path().join(name);
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

// ---------------------------------------------------------------------------------------
// The fixtures.

/// `expected`: the exit code and the findings.
fn read_expected(path: &Path) -> Result<(i32, Vec<String>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `expected`: {e}"))?;
    let mut status = None;
    let mut findings = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.strip_prefix("exit ") {
            Some(n) => {
                status = Some(n.parse().map_err(|_| format!("bad exit line `{line}`"))?);
            }
            None => findings.push(line.to_string()),
        }
    }
    Ok((status.ok_or("`expected` has no `exit N` line")?, findings))
}

fn write_expected(path: &Path, status: Option<i32>, findings: &[String]) {
    let mut text = format!("{EXPECTED_HEADER}\nexit {}\n", status.unwrap_or(-1));
    for f in findings {
        text.push_str(f);
        text.push('\n');
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Runs one fail fixture; every mismatch, or none.
fn check_fail(code: &str, severity: Severity, folder: &Path, bless: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let json = project(folder)
        .args(["validate", "dev", "--format", "json"])
        .output();
    if !json.stderr.is_empty() {
        problems.push(format!("--format json wrote to stderr:\n{}", json.stderr));
    }
    let report = match parse_report(&json.stdout) {
        Ok(report) => report,
        Err(e) => {
            problems.push(format!("--format json: {e} (exit {:?})", json.status));
            return problems;
        }
    };
    if report.findings.is_empty() {
        problems.push("no finding at all".into());
    }
    for f in &report.findings {
        if f.code != code || f.severity != severity_name(severity) || f.environments != ["dev"] {
            problems.push(format!(
                "unexpected finding (only `{code}` at severity `{}` in `dev` may fire): {} {} {:?}: {}",
                severity_name(severity),
                f.severity,
                f.at(),
                f.environments,
                f.message
            ));
        }
    }
    let actual: Vec<String> = report.findings.iter().map(Finding::at).collect();
    let expected_path = folder.join("expected");
    match read_expected(&expected_path) {
        Ok((status, findings)) if json.status == Some(status) && findings == actual => {}
        _ if bless => write_expected(&expected_path, json.status, &actual),
        Ok((status, findings)) => {
            if json.status != Some(status) {
                problems.push(format!(
                    "exit code: expected {status}, got {:?}",
                    json.status
                ));
            }
            if findings != actual {
                problems.push(format!(
                    "findings: expected\n    {}\n  got\n    {}",
                    findings.join("\n    "),
                    actual.join("\n    ")
                ));
            }
        }
        Err(e) => problems.push(format!(
            "{e}; the actual run: exit {:?}, {actual:?} (WFK_BLESS=1 writes it)",
            json.status
        )),
    }

    // Errors fail the run; warnings only under `--deny warnings`; notes never.
    let has = |s: &str| report.findings.iter().any(|f| f.severity == s);
    let status = i32::from(has("error"));
    if json.status != Some(status) {
        problems.push(format!(
            "exit code {:?} does not follow from the severities (expected {status})",
            json.status
        ));
    }
    let denied = project(folder)
        .args(["validate", "dev", "--format", "json", "--deny", "warnings"])
        .output();
    let deny_status = i32::from(has("error") || has("warning"));
    if denied.status != Some(deny_status) {
        problems.push(format!(
            "--deny warnings: expected exit {deny_status}, got {:?}",
            denied.status
        ));
    }
    if severity == Severity::Warning && (json.status, denied.status) != (Some(0), Some(1)) {
        problems.push(format!(
            "a policy warning must exit 0, and 1 under --deny warnings; got {:?} and {:?}",
            json.status, denied.status
        ));
    }

    // The text on stderr shows the same findings at the same positions.
    let text = project(folder).args(["validate", "dev"]).output();
    if text.status != json.status || !text.stdout.is_empty() {
        problems.push(format!(
            "text format: exit {:?} (json: {:?}), stdout {:?}",
            text.status, json.status, text.stdout
        ));
    }
    for f in report.findings.iter().filter(|f| f.severity != "info") {
        let title = format!("{}[{}]: {}", f.severity, f.code, f.message);
        let (file, line, col) = f.position();
        let arrow = format!("--> {file}:{line}:{col}\n");
        if !text.stderr.contains(&title) || !text.stderr.contains(&arrow) {
            problems.push(format!(
                "text format does not show `{title}` at `{arrow}`:\n{}",
                text.stderr
            ));
        }
    }

    // `render` runs the same checks: errors refuse to render, warnings go to stderr.
    let render = project(folder).args(["render", "dev"]).output();
    let (status, shown) = match severity_name(severity) {
        "error" => (1, format!("error[{code}]")),
        "warning" => (0, format!("warning[{code}]")),
        _ => (0, String::new()),
    };
    if render.status != Some(status)
        || render.stdout.is_empty() != (status == 1)
        || !render.stderr.contains(&shown)
    {
        problems.push(format!(
            "render dev: exit {:?} (expected {status}), {} bytes of stdout, stderr without `{shown}`:\n{}",
            render.status,
            render.stdout.len(),
            render.stderr
        ));
    }
    problems
}

/// Runs one pass fixture; every mismatch, or none.
fn check_pass(folder: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let run = project(folder)
        .args(["validate", "dev", "--format", "json", "--deny", "warnings"])
        .output();
    match parse_report(&run.stdout) {
        Ok(report) if !report.findings.is_empty() => problems.push(format!(
            "expected no finding at all, got:\n    {}",
            report
                .findings
                .iter()
                .map(|f| format!("{} {}: {}", f.severity, f.at(), f.message))
                .collect::<Vec<_>>()
                .join("\n    ")
        )),
        Ok(_) => {}
        Err(e) => problems.push(format!("--format json: {e}")),
    }
    if run.status != Some(0) || !run.stderr.is_empty() {
        problems.push(format!(
            "expected exit 0 and an empty stderr under --deny warnings, got {:?}:\n{}",
            run.status, run.stderr
        ));
    }
    problems
}

#[test]
fn every_check_fires_on_its_fail_fixture_and_never_on_its_pass_fixture() {
    let bless = bless();
    let mut failures = Vec::new();
    let mut ran = 0;
    for (code, severity) in codes() {
        let dir = checks_dir().join(code);
        let library_only = LIBRARY_ONLY.iter().any(|(c, _)| *c == code);
        let (fail, pass) = (dir.join("fail"), dir.join("pass"));
        if !library_only {
            ran += 1;
            let problems = match fail.is_dir() {
                true => check_fail(code, severity, &fail, bless),
                false => vec!["no such folder".to_string()],
            };
            for problem in problems {
                failures.push(format!("{code}/fail: {problem}"));
            }
        }
        let problems = match pass.is_dir() {
            true => check_pass(&pass),
            false => vec!["no such folder".to_string()],
        };
        for problem in problems {
            failures.push(format!("{code}/pass: {problem}"));
        }
    }
    assert!(ran >= 25, "only {ran} fail fixtures ran");
    assert!(
        failures.is_empty(),
        "{} problems (run a fixture with `cargo run -- --dir tests/checks/<code>/fail validate dev --format json`{}):\n\n{}",
        failures.len(),
        if bless {
            ""
        } else {
            "; WFK_BLESS=1 rewrites `expected`"
        },
        failures.join("\n\n")
    );
}

/// The codes `src/check/mod.rs` names: `code: "…"` in `CHECKS` and `Diagnostic::error(Code::…`
/// in the suppression rules, so a new check or suppression error without fixtures fails.
fn codes_in_source() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/check/mod.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("code: \"") {
        rest = &rest[at + "code: \"".len()..];
        out.insert(rest[..rest.find('"').unwrap()].to_string());
    }
    let mut rest = text.as_str();
    while let Some(at) = rest.find("Diagnostic::error(Code::") {
        rest = &rest[at + "Diagnostic::error(Code::".len()..];
        let variant = &rest[..rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap()];
        // `SuppressionNotAllowed` → `suppression-not-allowed`.
        let mut code = String::new();
        for c in variant.chars() {
            if c.is_ascii_uppercase() && !code.is_empty() {
                code.push('-');
            }
            code.push(c.to_ascii_lowercase());
        }
        out.insert(code);
    }
    out
}

#[test]
fn every_check_has_a_fail_and_a_pass_fixture() {
    let known: BTreeSet<String> = codes().iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(
        codes_in_source(),
        known,
        "src/check/mod.rs names other codes than `CHECKS` and SUPPRESSION_CODES"
    );
    let mut missing = Vec::new();
    for (code, why) in LIBRARY_ONLY {
        if !CHECKS.iter().any(|c| c.code == *code) || why.is_empty() {
            missing.push(format!(
                "LIBRARY_ONLY: `{code}` is not a check, or says no why"
            ));
        }
    }
    for (code, _) in codes() {
        let dir = checks_dir().join(code);
        let mut needed = vec!["pass/platform.yaml", "pass/overlays/dev.yaml"];
        if !LIBRARY_ONLY.iter().any(|(c, _)| *c == code) {
            needed.extend([
                "fail/platform.yaml",
                "fail/overlays/dev.yaml",
                "fail/expected",
            ]);
        } else if dir.join("fail").exists() {
            missing.push(format!(
                "{code}: has a fail/ folder but is listed in LIBRARY_ONLY"
            ));
        }
        for file in needed {
            if !dir.join(file).is_file() {
                missing.push(format!("tests/checks/{code}/{file}"));
            }
        }
    }
    for entry in std::fs::read_dir(checks_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !known.contains(&name) {
            missing.push(format!("tests/checks/{name}/ is not a check code"));
        }
    }
    assert!(
        missing.is_empty(),
        "missing or stale fixtures:\n{}",
        missing.join("\n")
    );
}

/// Loads a fixture as `check::all` sees it, lets `tamper` change the built objects, and
/// returns the diagnostics.
fn check_objects(
    folder: &Path,
    tamper: impl FnOnce(&mut Vec<Object>),
) -> Vec<wfk::diagnostic::Diagnostic> {
    let mut map = wfk::source::SourceMap::default();
    let layers =
        wfk::load::environment(folder, "dev", &mut map).unwrap_or_else(|d| panic!("load: {d:#?}"));
    let merged =
        wfk::merge::environment(layers, &[], &mut map).unwrap_or_else(|d| panic!("merge: {d:#?}"));
    let spec =
        wfk::platform::Platform::from_tree(&merged).unwrap_or_else(|d| panic!("spec: {d:#?}"));
    let (mut objects, origins) = wfk::build::build(&spec);
    tamper(&mut objects);
    wfk::check::all(&wfk::check::Input {
        spec: &spec,
        objects: &objects,
        merged: &merged,
        origins: &origins,
        memo: Default::default(),
    })
}

/// `(code, severity, line, col)` of each diagnostic.
fn summarize(diagnostics: &[wfk::diagnostic::Diagnostic]) -> Vec<(&str, Severity, usize, usize)> {
    diagnostics
        .iter()
        .map(|d| {
            let span = d.primary.as_ref().map(|l| l.span);
            (
                d.code,
                d.severity,
                span.map_or(0, |s| s.line),
                span.map_or(0, |s| s.col),
            )
        })
        .collect()
}

#[test]
fn headless_service_missing_fires_when_the_built_headless_service_is_gone() {
    let folder = checks_dir().join("headless-service-missing/pass");
    let untouched = check_objects(&folder, |_| {});
    assert!(untouched.is_empty(), "{untouched:#?}");

    fn headless(objects: &mut [Object]) -> &mut wfk::build::object::Service {
        objects
            .iter_mut()
            .find_map(|o| match o {
                Object::Service(s) if s.metadata.name.as_deref() == Some("shop-db-headless") => {
                    Some(&mut **s)
                }
                _ => None,
            })
            .expect("the stateful component renders `shop-db-headless`")
    }
    // `db:` is on line 10 of the fixture; the finding points at the component's key.
    let expected = [("headless-service-missing", Severity::Error, 10, 3)];
    let renamed = check_objects(&folder, |objects| {
        headless(objects).metadata.name = Some("shop-db-peers".into());
    });
    assert_eq!(summarize(&renamed), expected, "{renamed:#?}");
    let with_cluster_ip = check_objects(&folder, |objects| {
        headless(objects).spec.as_mut().unwrap().cluster_ip = Some("10.0.0.7".into());
    });
    assert_eq!(
        summarize(&with_cluster_ip),
        expected,
        "{with_cluster_ip:#?}"
    );
    assert!(
        with_cluster_ip[0]
            .message
            .contains("StatefulSet `shop-db` names the Service `shop-db-headless`"),
        "{}",
        with_cluster_ip[0].message
    );
}

#[test]
fn selector_mismatch_fires_when_a_built_pod_template_loses_its_labels() {
    // The spec can trigger it too (tests/checks/selector-mismatch/fail); this shows the
    // check looks at the built objects, whatever changed them.
    let folder = checks_dir().join("selector-mismatch/pass");
    let diagnostics = check_objects(&folder, |objects| {
        for o in objects.iter_mut() {
            if let Object::Deployment(d) = o {
                let template = &mut d.spec.as_mut().unwrap().template;
                let labels = template.metadata.as_mut().unwrap().labels.as_mut().unwrap();
                labels.insert("app.kubernetes.io/instance".into(), "other".into());
            }
        }
    });
    let codes: BTreeSet<_> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        BTreeSet::from(["selector-mismatch"]),
        "{diagnostics:#?}"
    );
    assert!(
        diagnostics.iter().any(|d| d.message
            == "the selector of Deployment `shop-api` does not match its template labels"),
        "{diagnostics:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// One project, five Kubernetes errors, one run.

#[test]
fn one_run_reports_every_kubernetes_error_at_its_own_spec_position() {
    let name = "a".repeat(70);
    let label = "v".repeat(64);
    let platform = format!(
        "platform: shop

labels:
  team: {label}

defaults:
  resources: {{ cpu: 100m/500m, memory: 128Mi/256Mi }}

components:
  {name}:
    image: shop/api:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: {{ metrics-exporter: {{ port: 9100, scrape: true }} }}
    probes: {{ liveness: /health/live, readiness: /health/ready }}
    resources: {{ memory: 128mb }}
    autoscale: {{ min: 5, max: 3, cpu: 70 }}
"
    );
    let test = || {
        Test::new()
            .file("platform.yaml", &platform)
            .file("overlays/dev.yaml", "")
    };
    let run = test()
        .args(["validate", "dev", "--format", "json"])
        .output();
    assert_eq!(run.status, Some(1), "{}", run.stdout);
    assert_eq!(run.stderr, "");
    let report = parse_report(&run.stdout).unwrap();
    let at: BTreeSet<(&str, u64, u64)> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.line.unwrap(), f.column.unwrap()))
        .collect();
    assert_eq!(
        at,
        BTreeSet::from([
            ("invalid-label", 4, 9),       // the 64-character value of `team`
            ("invalid-name", 10, 3),       // Service and container named after the component
            ("invalid-label", 10, 3),      // `app.kubernetes.io/name` is the component's name
            ("invalid-port-name", 12, 14), // `metrics-exporter`
            ("invalid-quantity", 14, 26),  // `128mb`
            ("invalid-autoscale", 15, 31), // `max: 3` below `min: 5`
        ]),
        "{:#?}",
        report.findings
    );
    for f in &report.findings {
        assert_eq!(
            (f.severity.as_str(), f.file.as_deref(), &f.environments[..]),
            ("error", Some("platform.yaml"), &["dev".to_string()][..]),
            "{f:?}"
        );
    }

    let render = test().args(["render", "dev"]).output();
    assert_eq!(render.status, Some(1), "{}", render.stderr);
    assert_eq!(render.stdout, "");
    for code in [
        "invalid-name",
        "invalid-label",
        "invalid-port-name",
        "invalid-quantity",
        "invalid-autoscale",
    ] {
        assert!(
            render.stderr.contains(&format!("error[{code}]")),
            "render does not report {code}:\n{}",
            render.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------
// The output formats.

/// Two environments, errors, warnings and notes, a `%` in a message, a finding in an
/// overlay and one from `--set`, a finding without help; in a folder whose name needs
/// escaping in a workflow command.
const MIXED: &[(&str, &str)] = &[
    (
        "platform.yaml",
        "platform: shop

defaults:
  resources: { cpu: 100m/500m, memory: 128Mi/256Mi }

components:
  api:
    image: shop/api:v1.0.0
    ports: { http: 8080 }
    probes: { liveness: /health/live }
    replicas: 2
    disruption: { minAvailable: 100% }
    uses: [db]
  db:
    image: shop/db:latest
    ports: { metrics-exporter: 9100 }
    probes: { liveness: { tcp: 9100 }, readiness: { tcp: 9100 } }
    resources: { memory: 128mb }
    labels: { app.kubernetes.io/name: database }
",
    ),
    (
        "overlays/dev.yaml",
        "components:\n  api: { service: { type: NodePort } }\n",
    ),
    (
        "overlays/prod.yaml",
        "components:\n  api: { replicas: 3 }\n",
    ),
];

const MIXED_SET: &str = "components.db.env.API_KEY=set-value";

/// The folder name: `,` and `:` must be escaped in the `file` property, `%` everywhere.
const ODD_FOLDER: &str = "odd,name:100%";

#[test]
fn github_format_is_one_workflow_command_per_json_finding() {
    let tmp = TempDir::new();
    let dir = write_project(&tmp, ODD_FOLDER, MIXED);
    let dir_text = dir.to_str().unwrap();
    let json = wfk_in(&dir, &["validate", "--format", "json", "--set", MIXED_SET]);
    let github = wfk_in(
        &dir,
        &["validate", "--format", "github", "--set", MIXED_SET],
    );
    assert_eq!((json.status, github.status), (Some(1), Some(1)));
    assert_eq!((json.stderr.as_str(), github.stderr.as_str()), ("", ""));
    let report = parse_report(&json.stdout).unwrap();
    assert_compatible(&report, &github.stdout, dir_text);

    // The escaping was exercised: a `%` in a message, `,` `:` `%` in the file property.
    assert!(
        github.stdout.contains("(minAvailable 100%25)"),
        "{}",
        github.stdout
    );
    assert!(
        github.stdout.contains("odd%2Cname%3A100%25/platform.yaml"),
        "{}",
        github.stdout
    );
    assert!(github.stdout.contains("%0Ahelp: "), "{}", github.stdout);

    // The repository's own project: notes only, so no annotations at all.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let json = wfk_in(root, &["validate", "--format", "json"]);
    let github = wfk_in(root, &["validate", "--format", "github"]);
    assert_eq!(
        (json.status, github.status),
        (Some(0), Some(0)),
        "{}",
        json.stdout
    );
    assert_compatible(
        &parse_report(&json.stdout).unwrap(),
        &github.stdout,
        root.to_str().unwrap(),
    );
}

/// Every line of `github` parses, and the lines are the JSON findings without the notes,
/// in the same order, at the same file, line and column.
fn assert_compatible(report: &Report, github: &str, dir: &str) {
    let shown: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.severity != "info")
        .collect();
    let lines: Vec<&str> = github.lines().collect();
    assert!(github.is_empty() || github.ends_with('\n'), "{github:?}");
    assert_eq!(
        lines.len(),
        shown.len(),
        "one line per error and warning:\n{github}"
    );
    for (line, f) in lines.iter().zip(shown) {
        let command = parse_workflow_command(line)
            .unwrap_or_else(|e| panic!("{e}: not a workflow command: {line}"));
        let level = match f.severity.as_str() {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        let file = match f.file.as_deref() {
            Some("--set") | None => None,
            Some(file) => Some(format!("{dir}/{file}")),
        };
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message = format!("{message}\nhelp: {help}");
        }
        let env = f.environments.join(", ");
        assert_eq!(
            (
                command.level.as_str(),
                command.property("file").map(str::to_string),
                command.property("line").map(|l| l.parse::<u64>().unwrap()),
                command.property("col").map(|c| c.parse::<u64>().unwrap()),
                command.property("title"),
                command.message.as_str(),
            ),
            (
                level,
                file,
                f.line,
                f.column,
                Some(format!("wfk {} ({env})", f.code).as_str()),
                message.as_str(),
            ),
            "{line}"
        );
    }
}

#[test]
fn workflow_command_parser_refuses_what_github_would_misread() {
    let ok =
        parse_workflow_command("::error file=a%2Cb%3Ac%25d,line=3,col=9,title=t::x%0Ay: 100%25")
            .unwrap();
    assert_eq!(ok.level, "error");
    assert_eq!(ok.property("file"), Some("a,b:c%d"));
    assert_eq!(ok.message, "x\ny: 100%");
    for bad in [
        "error file=a::m",
        "::fatal file=a::m",
        "::error file=a:b,line=1::m",
        "::error line=0::m",
        "::error line=1,line=2::m",
        "::error colour=red::m",
        "::error title=x::100%",
        "::error title=x::a%3Ab",
        "::error file=a",
    ] {
        assert!(parse_workflow_command(bad).is_err(), "{bad}");
    }
}

#[test]
fn json_format_has_exactly_the_documented_shape() {
    let tmp = TempDir::new();
    let dir = write_project(&tmp, "mixed", MIXED);
    let run = wfk_in(&dir, &["validate", "--format", "json", "--set", MIXED_SET]);
    assert_eq!(run.status, Some(1));
    assert_eq!(run.stderr, "");
    assert!(run.stdout.ends_with("}\n"));
    let report = parse_report(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.environments, ["dev", "prod"]);
    for severity in ["error", "warning", "info"] {
        assert!(
            report.count(severity) > 0,
            "no `{severity}` finding to check"
        );
    }
    assert!(
        report.findings.iter().any(|f| f.help.is_none()),
        "no finding without help, so `help: null` went unchecked"
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.file.as_deref() == Some("--set") && f.line == Some(1)),
        "the `--set` finding: {:#?}",
        report.findings
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.file.as_deref() == Some("overlays/dev.yaml")),
        "the overlay finding: {:#?}",
        report.findings
    );
    for env in ["dev", "prod"] {
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.environments.iter().any(|e| e == env))
        );
    }

    // A shape error in any part is caught.
    let good: Value = serde_json::from_str(&run.stdout).unwrap();
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut doc = good.clone();
        edit(&mut doc);
        parse_report(&doc.to_string())
    };
    assert!(broken(&|d| d["extra"] = Value::Null).is_err());
    assert!(broken(&|d| d["version"] = Value::from(1)).is_err());
    assert!(broken(&|d| d["findings"][0]["environments"] = Value::from("dev")).is_err());
    assert!(
        broken(&|d| d["findings"][0]["environments"] = serde_json::json!(["dev", "dev"])).is_err()
    );
    assert!(broken(&|d| d["findings"][0]["line"] = Value::from("3")).is_err());
    assert!(broken(&|d| d["findings"][0]["severity"] = Value::from("fatal")).is_err());
    assert!(
        broken(&|d| {
            d["findings"][0].as_object_mut().unwrap().remove("help");
        })
        .is_err()
    );
    assert!(broken(&|d| d["summary"]["errors"] = Value::from(0)).is_err());
    assert!(broken(&|_| {}).is_ok());
}

#[test]
fn the_repository_project_validates_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = wfk_in(root, &["validate"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let last = run.stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with("checked 3 environments (dev, prod, staging): 0 errors,"),
        "the summary line: {last:?}\n{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------
// Suppressions.

fn component(extra: &str) -> String {
    format!(
        "platform: shop

defaults:
  resources: {{ cpu: 100m/500m, memory: 128Mi/256Mi }}

components:
  api:
    image: shop/api:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: {{ http: {{ port: 8080, scrape: true }} }}
{extra}"
    )
}

#[test]
fn a_suppressed_warning_disappears_only_where_it_is_suppressed() {
    let test = || {
        Test::new()
            .file("platform.yaml", component("    probes: { liveness: /health/live }\n"))
            .file(
                "overlays/dev.yaml",
                "components:\n  api: { suppress: { probe-missing: \"dev restarts it by hand\" } }\n",
            )
            .file("overlays/prod.yaml", "")
    };
    let run = test().args(["validate", "--format", "json"]).output();
    assert_eq!(run.status, Some(0));
    let report = parse_report(&run.stdout).unwrap();
    let found: Vec<(&[String], &str)> = report
        .findings
        .iter()
        .map(|f| (&f.environments[..], f.code.as_str()))
        .collect();
    assert_eq!(found, [(&["prod".to_string()][..], "probe-missing")]);
    test()
        .args(["validate", "dev", "--deny", "warnings"])
        .stderr("checked 1 environment (dev): 0 errors, 0 warnings\n")
        .run();
    test()
        .args(["validate", "prod", "--deny", "warnings"])
        .stderr(
            "environment `prod`:
warning[probe-missing]: component `api` has no readiness probe
 --> platform.yaml:7:3
  |
7 |   api:
  |   ^^^ probes not set
  |
  = help: add `probes: { liveness: /health/live, readiness: /health/ready }`

checked 1 environment (prod): 0 errors, 1 warning
",
        )
        .status(1)
        .run();
}

#[test]
fn every_suppressible_check_is_suppressed_and_no_other_is() {
    let clean = checks_dir().join("probe-missing/pass");
    let mut failures = Vec::new();
    for check in CHECKS {
        let set = format!(
            "components.api.suppress.{}=reviewed by the platform team",
            check.code
        );
        let run = project(&clean)
            .args(["validate", "dev", "--format", "json", "--set", &set])
            .output();
        let report = parse_report(&run.stdout).unwrap();
        let found: Vec<String> = report.findings.iter().map(Finding::at).collect();
        let expected: Vec<String> = if check.suppressible {
            Vec::new()
        } else {
            vec![format!("suppression-not-allowed --set:1:25")]
        };
        if found != expected {
            failures.push(format!("{}: {found:?}, expected {expected:?}", check.code));
        }
        // On the fixture where it fires, the suppression removes it (the component is `api`).
        let fail = checks_dir().join(check.code).join("fail");
        if check.suppressible && fail.join("platform.yaml").exists() {
            let run = project(&fail)
                .args(["validate", "dev", "--format", "json", "--set", &set])
                .output();
            let report = parse_report(&run.stdout).unwrap();
            if run.status != Some(0) || !report.findings.is_empty() {
                failures.push(format!(
                    "{}/fail with `--set {set}`: exit {:?}, {:?}",
                    check.code,
                    run.status,
                    report.findings.iter().map(Finding::at).collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A component with a password in the spec and a suppression that tries to hide it.
fn leaked_secret() -> Test {
    Test::new()
        .file(
            "platform.yaml",
            component(
                "    probes: { liveness: /health/live, readiness: /health/ready }
    env: { DB_PASSWORD: hunter2-in-the-file }
    suppress: { secret-in-literal: \"it is only the dev database\" }
",
            ),
        )
        .file("overlays/dev.yaml", "")
}

#[test]
fn secret_in_literal_cannot_be_suppressed() {
    let run = leaked_secret()
        .args(["validate", "dev", "--format", "json"])
        .output();
    assert_eq!(run.status, Some(1));
    let report = parse_report(&run.stdout).unwrap();
    let found: Vec<(String, &str)> = report
        .findings
        .iter()
        .map(|f| (f.at(), f.severity.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "secret-in-literal platform.yaml:11:12".to_string(),
                "warning"
            ),
            (
                "suppression-not-allowed platform.yaml:12:17".to_string(),
                "error"
            ),
        ]
    );
    let render = leaked_secret().args(["render", "dev"]).output();
    assert_eq!((render.status, render.stdout.as_str()), (Some(1), ""));
}

/// Each format of `validate` on a project with a password in the spec and one from `--set`.
fn secret_outputs(formats: &[&[&str]]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for format in formats {
        for deny in [&[][..], &["--deny", "warnings"]] {
            let mut args = vec![
                "validate",
                "dev",
                "--set",
                "components.api.env.API_TOKEN=from-set-s3cr3t",
            ];
            args.extend(*format);
            args.extend(deny);
            let run = leaked_secret().args(&args).output();
            assert_eq!(run.status, Some(1), "{args:?}: {}", run.stderr);
            assert!(
                run.stdout.contains("secret-in-literal")
                    || run.stderr.contains("secret-in-literal"),
                "{args:?} does not report the secret at all"
            );
            out.push((args.join(" "), format!("{}{}", run.stdout, run.stderr)));
        }
    }
    out
}

#[test]
fn a_secret_value_never_appears_in_json_or_github_output() {
    for (args, output) in secret_outputs(&[&["--format", "json"], &["--format", "github"]]) {
        for secret in ["hunter2-in-the-file", "from-set-s3cr3t"] {
            assert!(
                !output.contains(secret),
                "`wfk {args}` prints `{secret}`:\n{output}"
            );
        }
    }
}

#[test]
fn a_secret_value_never_appears_in_text_output() {
    for (args, output) in secret_outputs(&[&[], &["--format", "text"]]) {
        for secret in ["hunter2-in-the-file", "from-set-s3cr3t"] {
            assert!(
                !output.contains(secret),
                "`wfk {args}` prints `{secret}`:\n{output}"
            );
        }
    }
}
