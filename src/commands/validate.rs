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
use crate::merge::History;
use crate::source::SourceMap;
use foldhash::{HashMap, HashMapExt};
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
                    envs: &[],
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
    // One fuel budget for the run: a runaway template is not paid for once per environment.
    let mut fuel = crate::template::Fuel::per_run();
    let reports: Vec<Report> = envs
        .iter()
        .map(|env| check_env(dir, env, &args.set, &mut fuel))
        .collect();
    let findings = unique(&reports);
    let deny = args.deny == Some(Deny::Warnings);
    let count = |s: Severity| {
        findings
            .iter()
            .filter(|f| f.diagnostic.severity == s)
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
            let shown = |d: &Diagnostic| match d.severity {
                Severity::Error => true,
                Severity::Warning => !quiet,
                Severity::Info => verbose,
            };
            text(&findings, &envs, (errors, warnings, notes), shown, quiet)
        }
        FindingsFormat::Json => {
            let records: Vec<_> = findings
                .iter()
                .map(|f| f.diagnostic.record(&f.envs, f.map))
                .collect();
            let doc = serde_json::json!({
                "version": 2,
                "environments": envs,
                "findings": records,
                "summary": { "errors": errors, "warnings": warnings, "notes": notes },
            });
            let mut out = serde_json::to_string_pretty(&doc)?;
            out.push('\n');
            std::io::stdout().lock().write_all(out.as_bytes())?;
        }
        FindingsFormat::Github => {
            let dir_text = dir.to_string_lossy();
            let mut out = String::new();
            for f in findings
                .iter()
                .filter(|f| f.diagnostic.severity != Severity::Info)
            {
                out.push_str(&diagnostic::github_line(
                    f.diagnostic,
                    &f.envs,
                    f.map,
                    &dir_text,
                ));
                out.push('\n');
            }
            std::io::stdout().lock().write_all(out.as_bytes())?;
        }
        FindingsFormat::Sarif | FindingsFormat::Gitlab => {
            // Errors and warnings, as text and github show them; notes stay in json.
            let entries: Vec<Entry> = findings
                .iter()
                .filter(|f| f.diagnostic.severity != Severity::Info)
                .map(|f| Entry {
                    envs: &f.envs,
                    diagnostic: f.diagnostic,
                    map: f.map,
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

/// One finding of the run, reported once, with every environment it applies to.
struct Unique<'a> {
    diagnostic: &'a Diagnostic,
    map: &'a SourceMap,
    envs: Vec<&'a str>,
}

/// The findings of every environment, each (code, message, file:line:col) once: an error
/// in `platform.yaml` is one error, not one per environment. In order of first appearance.
fn unique(reports: &[Report]) -> Vec<Unique<'_>> {
    let mut out: Vec<Unique> = Vec::new();
    let mut index: HashMap<(&str, Severity, &str, Option<String>), usize> = HashMap::new();
    for r in reports {
        for d in &r.diagnostics {
            let at = d.primary.as_ref().map(|l| r.map.locate(l.span).to_string());
            match index.entry((d.code, d.severity, d.message.as_str(), at)) {
                std::collections::hash_map::Entry::Occupied(i) => {
                    out[*i.get()].envs.push(&r.env);
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(out.len());
                    out.push(Unique {
                        diagnostic: d,
                        map: &r.map,
                        envs: vec![&r.env],
                    });
                }
            }
        }
    }
    out
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

fn check_env(dir: &Path, env: &str, sets: &[String], fuel: &mut crate::template::Fuel) -> Report {
    let mut map = SourceMap::default();
    let unreadable = |map, diagnostics| Report {
        env: env.to_string(),
        map,
        diagnostics,
        unreadable: true,
    };
    let (merged, platform) = match super::spec(
        dir,
        env,
        sets,
        &mut map,
        History::Dropped,
        super::Reads::Positions,
    ) {
        Ok(spec) => spec,
        Err(diagnostics) => return unreadable(map, diagnostics),
    };
    // A large platform is checked in batches, as `render` takes it, without its texts.
    if platform.components.len() >= super::render::BATCHES_FROM {
        let together = map.bytes() >= crate::TWO_THREADS_FROM;
        let batches = super::Batches {
            format: crate::emit::Format::Yaml,
            to: crate::emit::To::Stdout,
            size: super::render::BATCH,
            together,
            texts: false,
        };
        return match super::in_batches(dir, env, merged, platform, &mut map, fuel, batches) {
            Ok(made) => Report {
                env: env.to_string(),
                diagnostics: made.findings,
                map,
                unreadable: false,
            },
            Err(diagnostics) => unreadable(map, diagnostics),
        };
    }
    let super::Render {
        merged,
        platform,
        objects,
        origins,
    } = match super::objects_of(
        dir,
        env,
        merged,
        platform,
        &mut map,
        fuel,
        super::Reads::Positions,
    ) {
        Ok(all) => all,
        Err(diagnostics) => return unreadable(map, diagnostics),
    };
    let input = check::Input {
        spec: &platform,
        objects: &objects,
        merged: &merged,
        origins: &origins,
        memo: Default::default(),
    };
    Report {
        env: env.to_string(),
        diagnostics: check::all(&input),
        map,
        unreadable: false,
    }
}

/// Findings on stderr (those `shown`), grouped under the environments they apply to, then
/// a summary line unless `quiet`.
fn text(
    findings: &[Unique],
    envs: &[String],
    (errors, warnings, notes): (usize, usize, usize),
    shown: impl Fn(&Diagnostic) -> bool,
    quiet: bool,
) {
    let stderr = std::io::stderr();
    let styled = anstream::AutoStream::choice(&stderr) != anstream::ColorChoice::Never;
    let mut out = anstream::AutoStream::auto(stderr.lock());
    let mut groups: Vec<&[&str]> = Vec::new();
    let total = findings.iter().filter(|f| shown(f.diagnostic)).count();
    let mut budget = diagnostic::MAX_SHOWN;
    for f in findings.iter().filter(|f| shown(f.diagnostic)) {
        if !groups.contains(&f.envs.as_slice()) {
            groups.push(&f.envs);
        }
    }
    for group in groups {
        let _ = match group {
            [env] => writeln!(out, "environment `{env}`:"),
            _ => writeln!(out, "environments `{}`:", group.join("`, `")),
        };
        if budget == 0 {
            break;
        }
        for f in findings
            .iter()
            .filter(|f| f.envs.as_slice() == group && shown(f.diagnostic))
            .take(budget)
        {
            budget -= 1;
            let _ = diagnostic::render_text(
                std::slice::from_ref(f.diagnostic),
                f.map,
                styled,
                &mut out,
            );
        }
    }
    if let Some(more) = diagnostic::left_out(total) {
        let _ = writeln!(out, "{more}");
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
