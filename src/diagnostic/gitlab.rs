//! `validate --format gitlab`: the findings of a run as a GitLab Code Quality report, a JSON
//! array of `{ description, check_name, fingerprint, severity, location: { path, lines: {
//! begin } } }`, for a job's `artifacts: reports: codequality:`.
//!
//! GitLab tells new findings from fixed ones by `fingerprint`, so it must not change between
//! runs while the finding stays: it is a SHA-256 of the code, the message (which never names
//! the environment), the file, line and column. The same finding in several environments
//! (a value in platform.yaml) is one entry naming them all, so fingerprints are unique and
//! adding an environment does not make an old finding look new. A finding at a `--set`
//! value has no file; GitLab needs one, so it is placed on the project's platform.yaml,
//! line 1, and its description names the `--set` path.
//!
//! Severities: an error (an apply would fail, or the spec cannot be read) is `critical`, a
//! warning `minor`, a note `info`.

use super::{Entry, Severity, repository_path};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The Code Quality report of `entries`; `dir` is the `--dir` given.
pub fn report(entries: &[Entry], dir: &str) -> Value {
    // (code, severity, message, path, line, col, --set path) and its environments.
    type Key<'a> = (
        &'a str,
        Severity,
        std::borrow::Cow<'a, str>,
        String,
        usize,
        usize,
        Option<&'a str>,
    );
    let mut groups: Vec<(Key, Vec<&str>)> = Vec::new();
    for e in entries {
        let d = e.diagnostic;
        let (path, line, col) = match &d.primary {
            Some(label) => match repository_path(e.map.name(label.span.source), dir) {
                Some(path) => (path, label.span.line, label.span.col),
                None => (platform_yaml(dir), 1, 1),
            },
            None => (platform_yaml(dir), 1, 1),
        };
        let key = (
            d.code,
            d.severity,
            e.map.mask(&d.message),
            path,
            line,
            col,
            e.set_path(),
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, envs)) => envs.extend(e.envs),
            None => groups.push((key, e.envs.to_vec())),
        }
    }
    let issues: Vec<Value> = groups
        .into_iter()
        .map(|((code, severity, message, path, line, col, set), envs)| {
            let mut description = message.to_string();
            if let Some(set) = set {
                description.push_str(&format!(" (set by `--set {set}`)"));
            }
            if !envs.is_empty() {
                let word = if envs.len() == 1 { "environment" } else { "environments" };
                description.push_str(&format!(" ({word}: {})", envs.join(", ")));
            }
            json!({
                "description": description,
                "check_name": code,
                "fingerprint": fingerprint(&[code, &message, &path, &line.to_string(), &col.to_string(), set.unwrap_or("")]),
                "severity": match severity {
                    Severity::Error => "critical",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .collect();
    Value::Array(issues)
}

fn platform_yaml(dir: &str) -> String {
    repository_path("platform.yaml", dir).unwrap_or_default()
}

/// Hex SHA-256 of the parts, each ended by a NUL so that no two lists hash alike.
fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    crate::hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn fingerprints_separate_their_parts() {
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(fingerprint(&["a"]).len(), 64);
    }
}
