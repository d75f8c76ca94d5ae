//! The texts wfk reads: `platform.yaml`, the overlays and each `--set` value.
//!
//! Every position in wfk is a [`Span`]: a source id, a 1-based line and a 1-based column
//! (counted in characters, as marked-yaml counts them). The [`SourceMap`] turns a span back
//! into a display name (`overlays/prod.yaml`, `--set`) and a byte range for snippets.

mod secrets;

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;
use std::ops::Range;

/// A position in one source. Each `--set` value is a source of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub source: usize,
    pub line: usize,
    pub col: usize,
}

impl Span {
    /// The start of a marked-yaml span, if it has one.
    pub fn of(span: &marked_yaml::Span) -> Option<Span> {
        span.start().map(|m| Span {
            source: m.source(),
            line: m.line(),
            col: m.column(),
        })
    }
}

/// One text wfk read, with the name it is shown under.
pub struct Source {
    pub name: String,
    pub text: String,
    /// The byte ranges of values that look like secrets, found when first printed.
    secrets: OnceCell<Vec<Range<usize>>>,
    /// The byte offset of each line's start, found when first asked: a position is looked
    /// up once per mapping of a spec, so a scan from the top each time would be quadratic.
    lines: OnceCell<Vec<usize>>,
}

impl Source {
    /// The byte offset where 1-based `line` starts, if the text has that line.
    fn line_start(&self, line: usize) -> Option<usize> {
        let starts = self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        starts.get(line.max(1) - 1).copied()
    }

    fn secrets(&self) -> &[Range<usize>] {
        self.secrets.get_or_init(|| {
            if self.name == "--set" {
                secrets::set_ranges(&self.text)
            } else {
                secrets::ranges(&self.text)
            }
        })
    }

    /// The text with every value that looks like a secret masked by `*`s of its length,
    /// so every position in it stays where it is.
    pub fn masked_text(&self) -> Cow<'_, str> {
        let ranges = self.secrets();
        if ranges.is_empty() {
            return Cow::Borrowed(&self.text);
        }
        let mut bytes = self.text.clone().into_bytes();
        for range in ranges {
            bytes[range.clone()].iter_mut().for_each(|b| *b = b'*');
        }
        Cow::Owned(String::from_utf8(bytes).unwrap_or_default())
    }
}

/// Every source of a run, indexed by the id stored in each [`Span`].
#[derive(Default)]
pub struct SourceMap {
    sources: Vec<Source>,
}

impl SourceMap {
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> usize {
        self.sources.push(Source {
            name: name.into(),
            text: text.into(),
            secrets: OnceCell::new(),
            lines: OnceCell::new(),
        });
        self.sources.len() - 1
    }

    /// The id the next source added will have.
    pub fn next_id(&self) -> usize {
        self.sources.len()
    }

    /// How many bytes were read, all sources together: the size of a run's input.
    pub fn bytes(&self) -> usize {
        self.sources.iter().map(|s| s.text.len()).sum()
    }

    pub fn get(&self, id: usize) -> Option<&Source> {
        self.sources.get(id)
    }

    /// `text` (a message, a note or a help) with every value that looks like a secret in
    /// any source masked: `` `hunter2` `` becomes `` `****` ``.
    pub fn mask<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for source in &self.sources {
            for range in source.secrets() {
                let value = &source.text[range.clone()];
                let unquoted = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                    .unwrap_or(value);
                for shown in [value, unquoted] {
                    // A value of four characters or more is masked wherever it appears; a
                    // shorter one (`x`, `on`) only where it is quoted whole.
                    let (find, with) = if shown.chars().count() >= 4 {
                        (shown.to_string(), "****")
                    } else {
                        (format!("`{shown}`"), "`****`")
                    };
                    if !shown.is_empty() && out.contains(&find) {
                        out = Cow::Owned(out.replace(&find, with));
                    }
                }
            }
        }
        out
    }

    pub fn name(&self, id: usize) -> &str {
        self.get(id).map_or("<unknown>", |s| s.name.as_str())
    }

    /// `file:line:col`, as printed in diagnostics and by `explain`.
    pub fn locate(&self, span: Span) -> Location<'_> {
        Location {
            name: self.name(span.source),
            line: span.line,
            col: span.col,
        }
    }

    /// The byte offset of a span's start in its source text; a position past the end (a
    /// syntax error at the end of a file) is the end.
    pub fn offset(&self, span: Span) -> Option<usize> {
        let source = self.get(span.source)?;
        let text = &source.text;
        let Some(line_start) = source.line_start(span.line) else {
            return Some(text.len());
        };
        let rest = &text[line_start..];
        let mut offset = line_start;
        for (i, c) in rest.chars().enumerate() {
            if i + 1 == span.col || c == '\n' {
                return Some(offset);
            }
            offset += c.len_utf8();
        }
        Some(offset)
    }

    /// The byte range of the token starting at `span`: a key, a scalar or the first line of
    /// a block. Used to underline what a diagnostic points at.
    pub fn token_range(&self, span: Span) -> Option<std::ops::Range<usize>> {
        let text = &self.get(span.source)?.text;
        let start = self.offset(span)?;
        let rest = &text[start..];
        let line = rest.split(['\n', '\r']).next().unwrap_or("");
        let len = if self.name(span.source) == "--set" {
            // `--set a.b=value`: a key ends at `.` or `=`, a value at the end.
            match line.find('=') {
                Some(eq) => line[..eq].find('.').unwrap_or(eq),
                None => line.len(),
            }
        } else {
            token_len(line)
        };
        let len = len.max(1).min(line.len().max(1));
        if start >= text.len() {
            // Past the end: underline the last character, so the snippet still shows a line.
            let trimmed = text.trim_end();
            let last = trimmed.char_indices().next_back().map_or(0, |(i, _)| i);
            return Some(last..trimmed.len().max(last + 1).min(text.len()));
        }
        Some(start..(start + len).min(text.len()))
    }
}

/// The byte offset where 1-based `line` starts.
/// Length of the YAML token at the start of `line`: a quoted string through its closing
/// quote, else up to the end of a plain scalar (`: `, ` #`, or a flow indicator).
fn token_len(line: &str) -> usize {
    let bytes = line.as_bytes();
    match bytes.first() {
        Some(&q @ (b'"' | b'\'')) => {
            let mut i = 1;
            while i < bytes.len() {
                if bytes[i] == b'\\' && q == b'"' {
                    i += 2;
                    continue;
                }
                if bytes[i] == q {
                    return i + 1;
                }
                i += 1;
            }
            bytes.len()
        }
        // A flow collection's opening bracket; a tab (a span starts at one only to point
        // at a tab in the indentation).
        Some(b'{' | b'[' | b'\t') => 1,
        // An anchor, alias or tag: up to the next space.
        Some(b'&' | b'*' | b'!') => line.find([' ', '\t']).unwrap_or(line.len()),
        _ => {
            let mut end = 0;
            for (i, c) in line.char_indices() {
                let next = line[i + c.len_utf8()..].chars().next();
                if (c == ':' && matches!(next, None | Some(' ' | '\t')))
                    || (c == '#' && i > 0 && line[..i].ends_with([' ', '\t']))
                    || matches!(c, ',' | '}' | ']')
                {
                    break;
                }
                end = i + c.len_utf8();
            }
            line[..end].trim_end().len()
        }
    }
}

/// A printable `file:line:col`.
pub struct Location<'a> {
    pub name: &'a str,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.name, self.line, self.col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_len_stops_at_the_end_of_a_key_or_scalar() {
        assert_eq!(token_len("replicas: 3"), 8);
        assert_eq!(token_len("3"), 1);
        assert_eq!(token_len("\"a: b\" # x"), 6);
        assert_eq!(token_len("api, worker]"), 3);
        assert_eq!(token_len("gorax/api:v1 # tag"), 12);
    }

    #[test]
    fn offset_counts_characters_on_the_line() {
        let mut map = SourceMap::default();
        let id = map.add("f.yaml", "a: 1\nbé: 2\n");
        let span = Span {
            source: id,
            line: 2,
            col: 5,
        };
        assert_eq!(map.offset(span), Some(5 + 5));
        assert_eq!(map.token_range(span), Some(10..11));
        assert_eq!(map.locate(span).to_string(), "f.yaml:2:5");
    }
}
