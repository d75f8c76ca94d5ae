//! `validate --format sarif`: the findings of a run as one SARIF 2.1.0 log, for GitHub code
//! scanning and other SARIF viewers.
//!
//! One run, tool `wfk`; one rule per code that appears, in the order of `check::CHECKS`, then
//! the codes reported outside the checks (input errors, refused suppressions). A check's rule
//! text is its `//!` header (What it checks, Why, Example, Fix), read from the check's own
//! file, so the documentation has one source. A result is at the spec file relative to the
//! repository (`--dir` before it, as in `github_line`) under `%SRCROOT%`, or at an absolute
//! `file://` URI when `--dir` is absolute; a finding at a `--set` value has no file, so its
//! location is logical: the `--set` path. Columns count characters (`unicodeCodePoints`).

use super::{Entry, Severity, repository_path};
use crate::check::CHECKS;
use serde_json::{Value, json};

/// The OASIS schema of SARIF 2.1.0 (errata 01).
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The SARIF log of `entries`; `dir` is the `--dir` given.
pub fn log(entries: &[Entry], dir: &str) -> Value {
    let mut codes: Vec<&str> = CHECKS
        .iter()
        .map(|c| c.code)
        .filter(|code| entries.iter().any(|e| e.diagnostic.code == *code))
        .collect();
    for e in entries {
        if !codes.contains(&e.diagnostic.code) {
            codes.push(e.diagnostic.code);
        }
    }
    let rules: Vec<Value> = codes.iter().map(|code| rule(code)).collect();
    let results: Vec<Value> = entries
        .iter()
        .map(|e| {
            let index = codes.iter().position(|c| *c == e.diagnostic.code);
            result(e, index.unwrap_or_default(), dir)
        })
        .collect();
    let mut driver = json!({
        "name": "wfk",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    // Cargo.toml's `repository` (or `homepage`), when the package names one; no made-up URL.
    let uri = [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty());
    if let Some(uri) = uri {
        driver["informationUri"] = json!(uri);
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The rule of a code: a check's documentation, or a short text for codes outside the checks.
fn rule(code: &str) -> Value {
    let Some(check) = CHECKS.iter().find(|c| c.code == code) else {
        return json!({
            "id": code,
            "shortDescription": { "text": format!("The spec cannot be checked as written ({code}).") },
            "fullDescription": { "text": "An error outside the checks: the spec cannot be read, merged or typed as written, or it suppresses a check in a way that is not allowed. Each result says what and where." },
            "help": {
                "text": "Follow the help in the result's message.",
                "markdown": "Follow the help in the result's message.",
            },
            "defaultConfiguration": { "level": "error" },
        });
    };
    let part = |title: &str| check.doc(title).unwrap_or_default();
    let one_line = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let (why, example, fix) = (part("Why"), part("Example"), part("Fix"));
    json!({
        "id": code,
        "shortDescription": { "text": one_line(part("What it checks")) },
        "fullDescription": { "text": one_line(why.clone()) },
        "help": {
            "text": format!("{}\n\nFix: {}", one_line(why.clone()), one_line(fix.clone())),
            "markdown": format!("## Why\n{why}\n\n## Example\n{example}\n\n## Fix\n{fix}"),
        },
        "defaultConfiguration": { "level": level(check.severity) },
    })
}

fn result(e: &Entry, rule_index: usize, dir: &str) -> Value {
    let d = e.diagnostic;
    let mut text = e.map.mask(&d.message).into_owned();
    match e.envs {
        [] => {}
        [env] => text.push_str(&format!(" (environment `{env}`)")),
        envs => text.push_str(&format!(" (environments `{}`)", envs.join("`, `"))),
    }
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(&e.map.mask(help));
    }
    let mut result = json!({
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": text },
    });
    if !e.envs.is_empty() {
        result["properties"] = json!({ "environments": e.envs });
    }
    if let Some(label) = &d.primary {
        let region = json!({ "startLine": label.span.line, "startColumn": label.span.col });
        let location = match repository_path(e.map.name(label.span.source), dir) {
            Some(path) => json!({ "physicalLocation": {
                "artifactLocation": artifact(&path),
                "region": region,
            }}),
            None => {
                let path = e.set_path().unwrap_or_default();
                json!({ "logicalLocations": [{
                    "name": path,
                    "fullyQualifiedName": format!("--set {path}"),
                    "kind": "variable",
                }]})
            }
        };
        result["locations"] = json!([location]);
    }
    result
}

/// A relative path under `%SRCROOT%`, or an absolute one as a `file://` URI.
fn artifact(path: &str) -> Value {
    if path.starts_with('/') {
        json!({ "uri": format!("file://{}", encode(path)) })
    } else {
        let path = path.strip_prefix("./").unwrap_or(path);
        json!({ "uri": encode(path), "uriBaseId": "%SRCROOT%" })
    }
}

/// Percent-encodes a path for a URI: everything but unreserved characters and `/` (a `:`
/// in a first segment would otherwise read as a scheme).
fn encode(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{artifact, encode};

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            encode("odd,name:100%/a b.yaml"),
            "odd%2Cname%3A100%25/a%20b.yaml"
        );
        assert_eq!(
            artifact("./proj/platform.yaml"),
            serde_json::json!({ "uri": "proj/platform.yaml", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(
            artifact("/tmp/x y/platform.yaml"),
            serde_json::json!({ "uri": "file:///tmp/x%20y/platform.yaml" })
        );
    }
}
