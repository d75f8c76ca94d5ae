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
            note: printable(note.into()),
        }
    }
}

/// The longest message, note or help printed, in characters: a value quoted from a
/// one-line template output of megabytes is cut, not copied into every error.
pub const MAX_TEXT_CHARS: usize = 1_000;

/// The most findings one run prints as text; the rest are counted in one last line.
pub const MAX_SHOWN: usize = 100;

/// `text` safe to print in any format: control characters and bidirectional overrides
/// escaped as `\n`, `\u{1b}` (so a value never starts a line a CI runner reads as a
/// command, nor moves the cursor), and cut after [`MAX_TEXT_CHARS`] characters.
pub fn printable(text: String) -> String {
    clean(text, false)
}

/// Every control character of `text` but line breaks escaped (`\u{1b}`), at any length:
/// for reports such as `diff`'s, whose lines are wfk's and whose values are the user's.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if bad(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// [`printable`], keeping line breaks: a help's lines are indented under `= help:`.
fn printable_help(text: String) -> String {
    clean(text, true)
}

fn clean(text: String, keep_newlines: bool) -> String {
    let unsafe_char = |c: char| {
        (c.is_control() && !(keep_newlines && c == '\n'))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    // A kept line break never starts a line that reads as a workflow command (`::error`):
    // wfk's own lines never do, so such a line is a value's.
    let command_after = |i: usize| {
        text[i + 1..]
            .trim_start_matches([' ', '\t'])
            .starts_with("::")
    };
    let breaks_badly = keep_newlines && text.match_indices('\n').any(|(i, _)| command_after(i));
    if text.len() <= MAX_TEXT_CHARS && !breaks_badly && !text.chars().any(unsafe_char) {
        return text;
    }
    let mut out = String::new();
    for (i, (at, c)) in text.char_indices().enumerate() {
        if i == MAX_TEXT_CHARS {
            let rest = text.chars().count() - i;
            out.push_str(&format!("… ({rest} more characters)"));
            break;
        }
        match c {
            '\n' if !keep_newlines || command_after(at) => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
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
            message: printable(message.into()),
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
        self.help = Some(printable_help(help.into()));
        self
    }

    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help.map(printable_help);
        self
    }

    /// A copy with every value that looks like a secret masked where the message, a
    /// note or the help quotes it ([`SourceMap::mask`]); `None` when nothing is quoted.
    pub fn masked(&self, map: &SourceMap) -> Option<Diagnostic> {
        let mut copy = self.clone();
        let mut changed = false;
        let mut mask = |text: &mut String| {
            if let std::borrow::Cow::Owned(m) = map.mask(text) {
                *text = m;
                changed = true;
            }
        };
        mask(&mut copy.message);
        if let Some(help) = &mut copy.help {
            mask(help);
        }
        for label in copy.primary.iter_mut().chain(copy.secondary.iter_mut()) {
            mask(&mut label.note);
        }
        changed.then_some(copy)
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
        let owned;
        let d = match d.masked(map) {
            Some(m) => {
                owned = m;
                &owned
            }
            None => d,
        };
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
        // Values that look like secrets are masked in every snippet; a check's own
        // redactions (a literal secret it reports) on top.
        let mut masked: Vec<(usize, String)> = Vec::new();
        for (source, _) in &by_source {
            if let Some(src) = map.get(*source) {
                if let std::borrow::Cow::Owned(text) = src.masked_text() {
                    masked.push((*source, text));
                }
            }
        }
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
                    masked.push((span.source, src.masked_text().into_owned()));
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
    pub message: std::borrow::Cow<'a, str>,
    /// The spec file (relative to the project folder), `--set`, or null.
    pub file: Option<&'a str>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub help: Option<std::borrow::Cow<'a, str>>,
}

impl Diagnostic {
    pub fn record<'a>(&'a self, environments: &'a [&'a str], map: &'a SourceMap) -> Record<'a> {
        let span = self.primary.as_ref().map(|l| l.span);
        Record {
            environments,
            code: self.code,
            severity: self.severity,
            message: map.mask(&self.message),
            file: span.map(|s| map.name(s.source)),
            line: span.map(|s| s.line),
            column: span.map(|s| s.col),
            help: self.help.as_deref().map(|h| map.mask(h)),
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
    let mut message = map.mask(&d.message).into_owned();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(&map.mask(help));
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

/// The line that ends a text report cut at [`MAX_SHOWN`] findings, if it was cut.
pub fn left_out(total: usize) -> Option<String> {
    (total > MAX_SHOWN).then(|| {
        format!(
            "note: {} more findings not shown (at most {MAX_SHOWN} per run); fix these and run again to see the rest",
            total - MAX_SHOWN
        )
    })
}

/// Prints diagnostics to stderr, with colour only where anstream allows it.
pub fn eprint(diagnostics: &[Diagnostic], map: &SourceMap) {
    let stderr = std::io::stderr();
    let styled = anstream::AutoStream::choice(&stderr) != anstream::ColorChoice::Never;
    let mut out = anstream::AutoStream::auto(stderr.lock());
    // stderr going away is no reason to fail differently: the exit code still says it.
    let shown = diagnostics.len().min(MAX_SHOWN);
    let _ = render_text(&diagnostics[..shown], map, styled, &mut out);
    if let Some(more) = left_out(diagnostics.len()) {
        let _ = writeln!(out, "{more}");
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 1 {
        let _ = writeln!(out, "error: aborting due to {errors} errors");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_and_bidi_overrides_and_cuts_long_text() {
        assert_eq!(printable("a\n::error x".into()), "a\\n::error x");
        assert_eq!(
            printable("\u{1b}[31mred\t\r".into()),
            "\\u{1b}[31mred\\t\\r"
        );
        assert_eq!(printable("a\u{202e}b".into()), "a\\u{202e}b");
        let long = "é".repeat(MAX_TEXT_CHARS + 5);
        let cut = printable(long);
        assert!(cut.ends_with("… (5 more characters)"), "{cut}");
        assert_eq!(cut.chars().filter(|&c| c == 'é').count(), MAX_TEXT_CHARS);
        assert_eq!(printable("plain `text`".into()), "plain `text`");
    }

    #[test]
    fn a_help_keeps_its_line_breaks_but_never_one_before_a_workflow_command() {
        assert_eq!(printable_help("one\ntwo".into()), "one\ntwo");
        assert_eq!(
            printable_help("add `x\n  ::error a` here".into()),
            "add `x\\n  ::error a` here"
        );
    }

    #[test]
    fn escape_controls_keeps_line_breaks_at_any_length() {
        let long = format!("{}\n\u{7}", "x".repeat(5000));
        assert_eq!(
            escape_controls(&long),
            format!("{}\n\\u{{7}}", "x".repeat(5000))
        );
    }
}
