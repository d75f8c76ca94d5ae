//! `wfk validate [<env>...]`: every environment through load → merge → spec → build →
//! check, every finding of every environment in one run. Exit 0 without errors, 1 with
//! errors (or warnings under `--deny warnings`), 2 when an environment cannot be read.
//! Findings go to stderr as text, or to stdout as json, github workflow commands, SARIF
//! (`diagnostic::sarif`) or a GitLab Code Quality report (`diagnostic::gitlab`).

use crate::Exit;
use crate::check;
use crate::cli::{Deny, FindingsFormat, ValidateArgs};
use crate::diagnostic::{self, Diagnostic, Entry, Severity};
use crate::load;
use crate::source::SourceMap;
use std::io::Write;
use std::path::Path;

/// The findings of one environment, and whether it could be read at all.
struct Report {
    env: String,
    map: SourceMap,
    diagnostics: Vec<Diagnostic>,
    unreadable: bool,
}

pub fn run(dir: &Path, args: &ValidateArgs, quiet: bool, verbose: bool) -> anyhow::Result<Exit> {
    // Listed even when environments are named, so a folder that is not a project (or
    // whose overlays cannot be listed) fails once, not once per environment.
    let envs = match load::environments(dir) {
        Ok(envs) if args.envs.is_empty() => envs,
        Ok(_) => args.envs.clone(),
        Err(ds) => {
            let map = SourceMap::default();
            // A CI format still writes its document, so the upload shows why.
            let entries: Vec<Entry> = ds
                .iter()
                .map(|d| Entry {
                    env: None,
                    diagnostic: d,
                    map: &map,
                })
                .collect();
            return match args.format {
                FindingsFormat::Sarif | FindingsFormat::Gitlab => {
                    ci_document(args.format, &entries, dir)?;
                    Ok(Exit::Usage)
                }
                FindingsFormat::Text | FindingsFormat::Json | FindingsFormat::Github => {
                    Ok(super::fail(&ds, &map))
                }
            };
        }
    };
    let reports: Vec<Report> = envs
        .iter()
        .map(|env| check_env(dir, env, &args.set))
        .collect();
    let deny = args.deny == Some(Deny::Warnings);
    let count = |s: Severity| {
        reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| d.severity == s)
            .count()
    };
    let (errors, warnings, notes) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let unreadable = reports.iter().any(|r| r.unreadable);
    match args.format {
        FindingsFormat::Text => {
            let shown = |d: &&Diagnostic| match d.severity {
                Severity::Error => true,
                Severity::Warning => !quiet,
                Severity::Info => verbose,
            };
            text(&reports, &envs, (errors, warnings, notes), shown, quiet)
        }
        FindingsFormat::Json => {
            let findings: Vec<_> = reports
                .iter()
                .flat_map(|r| r.diagnostics.iter().map(|d| d.record(Some(&r.env), &r.map)))
                .collect();
            let doc = serde_json::json!({
                "version": 1,
                "environments": envs,
                "findings": findings,
                "summary": { "errors": errors, "warnings": warnings, "notes": notes },
            });
            let mut out = serde_json::to_string_pretty(&doc)?;
            out.push('\n');
            std::io::stdout().lock().write_all(out.as_bytes())?;
        }
        FindingsFormat::Github => {
            let dir_text = dir.to_string_lossy();
            let mut out = String::new();
            for r in &reports {
                for d in r
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity != Severity::Info)
                {
                    out.push_str(&diagnostic::github_line(d, Some(&r.env), &r.map, &dir_text));
                    out.push('\n');
                }
            }
            std::io::stdout().lock().write_all(out.as_bytes())?;
        }
        FindingsFormat::Sarif | FindingsFormat::Gitlab => {
            // Errors and warnings, as text and github show them; notes stay in json.
            let entries: Vec<Entry> = reports
                .iter()
                .flat_map(|r| {
                    r.diagnostics
                        .iter()
                        .filter(|d| d.severity != Severity::Info)
                        .map(|d| Entry {
                            env: Some(&r.env),
                            diagnostic: d,
                            map: &r.map,
                        })
                })
                .collect();
            ci_document(args.format, &entries, dir)?;
        }
    }
    Ok(if unreadable {
        Exit::Usage
    } else if errors > 0 || (deny && warnings > 0) {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// Writes the SARIF log or GitLab report of `entries` to stdout.
fn ci_document(format: FindingsFormat, entries: &[Entry], dir: &Path) -> anyhow::Result<()> {
    let dir_text = dir.to_string_lossy();
    let doc = match format {
        FindingsFormat::Sarif => diagnostic::sarif::log(entries, &dir_text),
        FindingsFormat::Gitlab => diagnostic::gitlab::report(entries, &dir_text),
        FindingsFormat::Text | FindingsFormat::Json | FindingsFormat::Github => {
            anyhow::bail!("internal error: {format:?} is not a CI document; this is a bug in wfk")
        }
    };
    let mut out = serde_json::to_string_pretty(&doc)?;
    out.push('\n');
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

fn check_env(dir: &Path, env: &str, sets: &[String]) -> Report {
    let mut map = SourceMap::default();
    let (merged, platform, objects) = match super::objects(dir, env, sets, &mut map) {
        Ok(all) => all,
        Err(diagnostics) => {
            return Report {
                env: env.to_string(),
                map,
                diagnostics,
                unreadable: true,
            };
        }
    };
    let input = check::Input {
        spec: &platform,
        objects: &objects,
        merged: &merged,
    };
    Report {
        env: env.to_string(),
        diagnostics: check::all(&input),
        map,
        unreadable: false,
    }
}

/// Diagnostics grouped by environment on stderr (those `shown`), then a summary line
/// unless `quiet`.
fn text(
    reports: &[Report],
    envs: &[String],
    (errors, warnings, notes): (usize, usize, usize),
    shown: impl Fn(&&Diagnostic) -> bool,
    quiet: bool,
) {
    let stderr = std::io::stderr();
    let styled = anstream::AutoStream::choice(&stderr) != anstream::ColorChoice::Never;
    let mut out = anstream::AutoStream::auto(stderr.lock());
    for r in reports {
        let shown: Vec<Diagnostic> = r.diagnostics.iter().filter(&shown).cloned().collect();
        if shown.is_empty() {
            continue;
        }
        let _ = writeln!(out, "environment `{}`:", r.env);
        let _ = diagnostic::render_text(&shown, &r.map, styled, &mut out);
    }
    if quiet {
        return;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let notes = if notes > 0 {
        format!(", {} (-v shows them)", plural(notes, "note"))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "checked {} ({}): {}, {}{notes}",
        plural(envs.len(), "environment"),
        envs.join(", "),
        plural(errors, "error"),
        plural(warnings, "warning"),
    );
}
