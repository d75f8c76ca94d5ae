//! Problems in what the user wrote: what, where (file:line:col) and how to fix it.
//!
//! Every stage reports [`Diagnostic`]s and keeps going where it can, so one run shows every
//! error. They are rendered as text (rustc-like, with the source line and a caret), JSON,
//! GitHub workflow commands, SARIF ([`sarif`]) or a GitLab Code Quality report
//! ([`gitlab`]); colour only on a terminal and never with `NO_COLOR`.

mod code;
pub mod gitlab;
pub mod sarif;

pub use code::Code;

use crate::source::{SourceMap, Span};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// A position and a short note on what is there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub note: String,
}

impl Label {
    pub fn new(span: Span, note: impl Into<String>) -> Self {
        Label {
            span,
            note: note.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable, kebab-case: `unknown-key`, `type-mismatch`.
    pub code: &'static str,
    pub severity: Severity,
    /// What: a lowercase phrase, names in backticks, no final period.
    pub message: String,
    /// Where: the most specific position, if the problem has one.
    pub primary: Option<Label>,
    /// Other places that explain it: the first of two duplicate keys, a base value.
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// Values never to print (a secret written in the spec): masked in the source snippet.
    pub redact: Vec<Span>,
}

impl Diagnostic {
    /// An error that stops the run (exit 2).
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::finding(code.as_str(), Severity::Error, message)
    }

    /// A finding of a check (its code is in [`crate::check::CHECKS`]).
    pub fn finding(code: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            redact: Vec::new(),
        }
    }

    pub fn at(mut self, span: Span, note: impl Into<String>) -> Self {
        self.primary = Some(Label::new(span, note));
        self
    }

    pub fn also(mut self, span: Span, note: impl Into<String>) -> Self {
        self.secondary.push(Label::new(span, note));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// `(code, line, col)`, for tests that pin the kind and the position.
    #[cfg(test)]
    pub fn code_at(&self) -> (&'static str, usize, usize) {
        let span = self.primary.as_ref().map(|l| l.span);
        (
            self.code,
            span.map_or(0, |s| s.line),
            span.map_or(0, |s| s.col),
        )
    }
}

/// The diagnostics of a run, in the order they were found.
pub type Diagnostics = Vec<Diagnostic>;

/// Writes diagnostics as rustc-like text to `out`; `styled` adds colour.
pub fn render_text(
    diagnostics: &[Diagnostic],
    map: &SourceMap,
    styled: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info => Level::INFO,
        };
        let mut group = Group::with_title(level.primary_title(d.message.as_str()).id(d.code));
        let labels = d.primary.iter().map(|l| (l, AnnotationKind::Primary));
        let labels = labels.chain(d.secondary.iter().map(|l| (l, AnnotationKind::Context)));
        // One snippet per source, so a label in another file gets its own `-->` line.
        let mut by_source: Vec<(usize, Vec<_>)> = Vec::new();
        for (label, kind) in labels {
            match by_source.iter_mut().find(|(s, _)| *s == label.span.source) {
                Some((_, v)) => v.push((label, kind)),
                None => by_source.push((label.span.source, vec![(label, kind)])),
            }
        }
        let mut masked: Vec<(usize, String)> = Vec::new();
        for span in &d.redact {
            let Some(range) = map.token_range(*span) else {
                continue;
            };
            let Some(src) = map.get(span.source) else {
                continue;
            };
            let index = match masked.iter().position(|(s, _)| *s == span.source) {
                Some(i) => i,
                None => {
                    masked.push((span.source, src.text.clone()));
                    masked.len() - 1
                }
            };
            // Same byte length, so every other position in the snippet stays where it is.
            let mut bytes = std::mem::take(&mut masked[index].1).into_bytes();
            bytes[range].iter_mut().for_each(|b| *b = b'*');
            masked[index].1 = String::from_utf8(bytes).unwrap_or_default();
        }
        for (source, labels) in by_source {
            let Some(src) = map.get(source) else { continue };
            let text = masked
                .iter()
                .find(|(s, _)| *s == source)
                .map_or(src.text.as_str(), |(_, t)| t.as_str());
            let mut snippet = Snippet::source(text).path(src.name.as_str());
            for (label, kind) in labels {
                if let Some(range) = map.token_range(label.span) {
                    snippet = snippet.annotation(kind.span(range).label(label.note.as_str()));
                }
            }
            group = group.element(snippet);
        }
        if let Some(help) = &d.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let report: &[Group<'_>] = &[group];
        writeln!(out, "{}\n", renderer.render(report))?;
    }
    Ok(())
}

/// One finding as data: the documented, stable shape of `--format json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Record<'a> {
    /// The environments the finding applies to (each finding is reported once), empty for
    /// problems outside one.
    pub environments: &'a [&'a str],
    pub code: &'static str,
    pub severity: Severity,
    pub message: &'a str,
    /// The spec file (relative to the project folder), `--set`, or null.
    pub file: Option<&'a str>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub help: Option<&'a str>,
}

impl Diagnostic {
    pub fn record<'a>(&'a self, environments: &'a [&'a str], map: &'a SourceMap) -> Record<'a> {
        let span = self.primary.as_ref().map(|l| l.span);
        Record {
            environments,
            code: self.code,
            severity: self.severity,
            message: &self.message,
            file: span.map(|s| map.name(s.source)),
            line: span.map(|s| s.line),
            column: span.map(|s| s.col),
            help: self.help.as_deref(),
        }
    }
}

/// A GitHub Actions workflow command (`::error file=…,line=…,col=…,title=…::message`).
/// `dir` is prefixed to file names so the annotation lands on the repository's file.
pub fn github_line(d: &Diagnostic, envs: &[&str], map: &SourceMap, dir: &str) -> String {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = Vec::new();
    if let Some(label) = &d.primary {
        if let Some(file) = repository_path(map.name(label.span.source), dir) {
            props.push(format!("file={}", escape_property(&file)));
        }
        props.push(format!("line={}", label.span.line));
        props.push(format!("col={}", label.span.col));
    }
    let title = match envs {
        [] => format!("wfk {}", d.code),
        envs => format!("wfk {} ({})", d.code, envs.join(", ")),
    };
    props.push(format!("title={}", escape_property(&title)));
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{level} {}::{}", props.join(","), escape_data(&message))
}

/// The path of a spec file as the repository sees it: `dir` (the `--dir` given) before the
/// name, unless it is `.`; `None` for a `--set` value, which has no file.
pub fn repository_path(name: &str, dir: &str) -> Option<String> {
    if name == "--set" {
        None
    } else if dir.is_empty() || dir == "." {
        Some(name.to_string())
    } else {
        Some(format!("{}/{name}", dir.trim_end_matches('/')))
    }
}

/// One diagnostic of a `validate` run with what it needs to be located: the environments
/// it applies to (none for a problem outside one) and the sources its spans point into.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    pub envs: &'a [&'a str],
    pub diagnostic: &'a Diagnostic,
    pub map: &'a SourceMap,
}

impl Entry<'_> {
    /// The `--set` argument (`PATH`, without the value, which may be a secret) a finding
    /// points into, if it points into one.
    pub fn set_path(&self) -> Option<&str> {
        let span = self.diagnostic.primary.as_ref()?.span;
        if self.map.name(span.source) != "--set" {
            return None;
        }
        let text = &self.map.get(span.source)?.text;
        Some(text.split_once('=').map_or(text.as_str(), |(path, _)| path))
    }
}

/// Escapes a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Prints diagnostics to stderr, with colour only where anstream allows it.
pub fn eprint(diagnostics: &[Diagnostic], map: &SourceMap) {
    let stderr = std::io::stderr();
    let styled = anstream::AutoStream::choice(&stderr) != anstream::ColorChoice::Never;
    let mut out = anstream::AutoStream::auto(stderr.lock());
    // stderr going away is no reason to fail differently: the exit code still says it.
    let _ = render_text(diagnostics, map, styled, &mut out);
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 1 {
        let _ = writeln!(out, "error: aborting due to {errors} errors");
    }
}
