//! The plain subset of YAML that specs are written in, read without the general parser.
//!
//! yaml-rust2 is the parser of record: it words every syntax error, and the bounds of
//! [`super::parse`] read its events. But its scanner allocates four strings for each plain
//! scalar and looks at every token more than once, and on a large platform it was a quarter of
//! a render. A spec is almost always block mappings and sequences of one-line scalars and
//! one-line flow collections, with comments, so this reader takes exactly that and gives the
//! events, with the positions, that yaml-rust2 gives for it.
//!
//! It gives up the moment a text leaves that subset: a tab or a carriage return, a character
//! outside ASCII except in a comment, a block scalar, a scalar or flow collection over more
//! than one line, an anchor, an alias, a tag, a directive, a document marker, an empty value
//! in a flow mapping, an escape other than `\\ \" \/ \n \t`, a scalar that starts with an
//! indicator, or anything else it does not know. [`super::parse`] then reads the whole text
//! again with yaml-rust2. So this reader never decides what a text means: it is used only
//! where it agrees with yaml-rust2, event for event and position for position, which the
//! tests below check over every YAML file of the repository and over generated texts.

use yaml_rust2::parser::Event;
use yaml_rust2::scanner::TScalarStyle;

/// A position as yaml-rust2 gives it: the index in characters, the line from 1 and the
/// column from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Mark {
    pub index: usize,
    pub line: usize,
    pub col: usize,
}

impl From<yaml_rust2::scanner::Marker> for Mark {
    fn from(m: yaml_rust2::scanner::Marker) -> Self {
        Mark {
            index: m.index(),
            line: m.line(),
            col: m.col(),
        }
    }
}

/// The text has left the subset, or the receiver of the events stopped the reading.
pub(super) struct Leave;

type Read = Result<(), Leave>;

/// Reads `text` and gives each event to `event`, in yaml-rust2's order and with its
/// positions. Stops with [`Leave`] when the text leaves the subset or when `event` returns
/// [`Leave`]; the events given so far are then to be thrown away.
pub(super) fn read(text: &str, event: impl FnMut(Event, Mark) -> Read) -> Read {
    let mut reader = Reader {
        text: text.as_bytes(),
        source: text,
        pos: 0,
        line: 1,
        line_start: 0,
        wide: 0,
        depth: 0,
        started: false,
        event,
    };
    reader.document()
}

struct Reader<'t, F> {
    text: &'t [u8],
    /// The same text as a string, to take scalars from without checking their bytes again.
    source: &'t str,
    /// The byte read next.
    pos: usize,
    /// The line of `pos`, from 1, and the byte its line starts at.
    line: usize,
    line_start: usize,
    /// How many more bytes than characters the comments read so far hold: positions count
    /// characters, and only comments may hold characters outside ASCII.
    wide: usize,
    /// The mappings and sequences open.
    depth: usize,
    /// Whether the document's start was given.
    started: bool,
    event: F,
}

/// The characters a plain scalar must not start with (YAML 1.2, 7.3.3, with `?` and `:`
/// always, though YAML allows them before a non-space; `-` is [`Reader::scalar`]'s).
fn indicator(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b' '
    )
}

fn flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

/// A byte a scalar may hold: printable ASCII. A tab, a carriage return, another control
/// character or anything outside ASCII leaves the subset.
fn printable(b: u8) -> bool {
    (b' '..=b'~').contains(&b)
}

/// A scalar found at a position, not yet given.
struct Scalar {
    value: String,
    style: TScalarStyle,
    /// The byte after it: after the closing quote, or after the last non-space character.
    end: usize,
}

impl<'t, F: FnMut(Event, Mark) -> Read> Reader<'t, F> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.text.get(at).copied()
    }

    /// The position of byte `at`, on the current line.
    fn mark(&self, at: usize) -> Mark {
        Mark {
            index: at - self.wide,
            line: self.line,
            col: at - self.line_start,
        }
    }

    /// The position yaml-rust2 gives the token at `pos`, which is content or the end of the
    /// text. At the end it ends a block collection whose column is `indent` where the text
    /// ends if that is left of the collection's column, and otherwise, as it ends the stream,
    /// on the line after the last at column 0 (where the text ends, if with a line break).
    fn next_mark(&self, indent: usize) -> Mark {
        if self.pos < self.text.len() {
            return self.mark(self.pos);
        }
        let last = &self.text[self.line_start..];
        let col = last.iter().filter(|&&b| (b as i8) >= -0x40).count();
        let index = self.text.len() - self.wide;
        if col == 0 || indent > col {
            Mark {
                index,
                line: self.line,
                col,
            }
        } else {
            Mark {
                index,
                line: self.line + 1,
                col: 0,
            }
        }
    }

    fn give(&mut self, event: Event, at: usize) -> Read {
        let mark = self.mark(at);
        (self.event)(event, mark)
    }

    /// Gives an event at the token at `pos`, in a block collection whose column is `indent`.
    fn give_next(&mut self, event: Event, indent: usize) -> Read {
        let mark = self.next_mark(indent);
        (self.event)(event, mark)
    }

    fn open(&mut self) -> Read {
        self.depth += 1;
        if self.depth > super::MAX_DEPTH {
            return Err(Leave);
        }
        Ok(())
    }

    fn document(&mut self) -> Read {
        self.give(Event::StreamStart, 0)?;
        // An empty text, an indented root or a root that is not a mapping: yaml-rust2 says.
        if self.skip_to_content()? != Some(0) {
            return Err(Leave);
        }
        let key = self.key(self.pos).ok_or(Leave)?;
        self.block_mapping(0, key)?;
        self.give_next(Event::DocumentEnd, 0)?;
        self.give_next(Event::StreamEnd, 0)
    }

    /// Moves past spaces, a comment and the line break that end the current line.
    fn end_of_line(&mut self) -> Read {
        while self.byte(self.pos) == Some(b' ') {
            self.pos += 1;
        }
        match self.byte(self.pos) {
            None => Ok(()),
            Some(b'\n') => {
                self.next_line();
                Ok(())
            }
            // A comment starts after a space, or at the start of a line.
            Some(b'#') if self.pos == self.line_start || self.text[self.pos - 1] == b' ' => {
                self.comment()
            }
            Some(_) => Err(Leave),
        }
    }

    fn next_line(&mut self) {
        self.pos += 1;
        self.line += 1;
        self.line_start = self.pos;
    }

    /// Moves past a comment and the line break after it.
    fn comment(&mut self) -> Read {
        let start = self.pos;
        let end = self.text[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.text.len(), |i| start + i);
        let body = &self.text[start..end];
        if !body.is_ascii() {
            // Valid UTF-8 (the text is a `str`): count what is not a continuation byte.
            let chars = body.iter().filter(|&&b| (b as i8) >= -0x40).count();
            self.wide += body.len() - chars;
        }
        if body.iter().any(|&b| b < b' ' && b != b'\t' || b == 0x7f) {
            return Err(Leave);
        }
        self.pos = end;
        if end < self.text.len() {
            self.next_line();
        }
        Ok(())
    }

    /// Moves to the first character of the next line that holds more than spaces and a
    /// comment, from the start of a line; gives its column, or `None` at the end.
    fn skip_to_content(&mut self) -> Result<Option<usize>, Leave> {
        loop {
            while self.byte(self.pos) == Some(b' ') {
                self.pos += 1;
            }
            match self.byte(self.pos) {
                None => return Ok(None),
                Some(b'\n') => self.next_line(),
                Some(b'#') => self.comment()?,
                Some(b) if printable(b) => {
                    let col = self.pos - self.line_start;
                    // `---` and `...` at the start of a line mark documents.
                    if col == 0
                        && (self.text[self.pos..].starts_with(b"---")
                            || self.text[self.pos..].starts_with(b"..."))
                    {
                        return Err(Leave);
                    }
                    return Ok(Some(col));
                }
                Some(_) => return Err(Leave),
            }
        }
    }

    /// Whether a block sequence's entry starts at `at`: `-` and a space.
    fn entry(&self, at: usize) -> bool {
        self.byte(at) == Some(b'-') && self.byte(at + 1) == Some(b' ')
    }

    /// The scalar at `at`, quoted or plain, in a flow collection or not.
    fn scalar(&self, at: usize, flow: bool) -> Result<Scalar, Leave> {
        match self.byte(at) {
            Some(b'"' | b'\'') => self.quoted(at),
            Some(b) if !indicator(b) && printable(b) => self.plain(at, flow),
            // `-1`, `-U`: a `-` before a character that goes on a plain scalar.
            Some(b'-')
                if self
                    .byte(at + 1)
                    .is_some_and(|b| b != b' ' && printable(b) && !(flow && flow_indicator(b))) =>
            {
                self.plain(at, flow)
            }
            _ => Err(Leave),
        }
    }

    /// A plain scalar on one line. It ends at a line break, at a space before `#`, at `:`
    /// before a space or a line break (or, in a flow collection, before `,[]{}`), and in a
    /// flow collection at `,[]{}`.
    fn plain(&self, at: usize, flow: bool) -> Result<Scalar, Leave> {
        let text = self.text;
        let mut i = at;
        let mut end = at;
        while let Some(&b) = text.get(i) {
            match b {
                b'\n' => break,
                b' ' => {
                    if text.get(i + 1) == Some(&b'#') {
                        break;
                    }
                }
                b':' => {
                    let next = text.get(i + 1).copied();
                    if matches!(next, None | Some(b' ' | b'\n'))
                        || flow && next.is_some_and(flow_indicator)
                    {
                        break;
                    }
                    end = i + 1;
                }
                _ if flow && flow_indicator(b) => break,
                // yaml-rust2 refuses a word `-` before `,[]{}` in a flow collection.
                b'-' if flow
                    && i > at
                    && text[i - 1] == b' '
                    && text.get(i + 1).copied().is_some_and(flow_indicator) =>
                {
                    return Err(Leave);
                }
                _ if printable(b) => end = i + 1,
                _ => return Err(Leave),
            }
            i += 1;
        }
        // Printable ASCII, every byte, so both ends are character boundaries.
        let value = self.source.get(at..end).ok_or(Leave)?;
        Ok(Scalar {
            value: value.to_string(),
            style: TScalarStyle::Plain,
            end,
        })
    }

    /// A quoted scalar on one line. In single quotes `''` is a quote; in double quotes the
    /// escapes are `\\ \" \/ \n \t`.
    fn quoted(&self, at: usize) -> Result<Scalar, Leave> {
        let quote = self.text[at];
        let mut value = String::new();
        let mut i = at + 1;
        loop {
            let b = self.byte(i).filter(|&b| printable(b)).ok_or(Leave)?;
            let next = self.byte(i + 1);
            let (c, width) = match b {
                b'\'' if quote == b'\'' && next == Some(b'\'') => ('\'', 2),
                b'\\' if quote == b'"' => {
                    let c = match next {
                        Some(b'\\') => '\\',
                        Some(b'"') => '"',
                        Some(b'/') => '/',
                        Some(b'n') => '\n',
                        Some(b't') => '\t',
                        _ => return Err(Leave),
                    };
                    (c, 2)
                }
                _ if b == quote => break,
                _ => (b as char, 1),
            };
            value.push(c);
            i += width;
        }
        Ok(Scalar {
            value,
            style: if quote == b'"' {
                TScalarStyle::DoubleQuoted
            } else {
                TScalarStyle::SingleQuoted
            },
            end: i + 1,
        })
    }

    /// The key at `at` in a block mapping: a scalar, then at once `:` and a space or the
    /// end of the line. Gives the scalar, whose `end` is the `:`.
    fn key(&self, at: usize) -> Option<Scalar> {
        let key = self.scalar(at, false).ok()?;
        // yaml-rust2 refuses a key over 1,024 characters.
        (key.end - at <= 1000
            && self.byte(key.end) == Some(b':')
            && matches!(self.byte(key.end + 1), None | Some(b' ' | b'\n')))
        .then_some(key)
    }

    /// A block mapping whose first key, `key`, is at `pos`, in column `indent`. Ends at the
    /// first line with content in a smaller column, or at the end of the text.
    fn block_mapping(&mut self, indent: usize, mut key: Scalar) -> Read {
        self.open()?;
        let mut first = true;
        loop {
            let at = self.pos;
            if first {
                // yaml-rust2 puts a block mapping, and an implicit document, at its first `:`.
                if !self.started {
                    self.started = true;
                    self.give(Event::DocumentStart, key.end)?;
                }
                self.give(Event::MappingStart(0, None), key.end)?;
                first = false;
            }
            self.pos = key.end + 1;
            self.give(Event::Scalar(key.value, key.style, 0, None), at)?;
            self.block_value(indent)?;
            match self.column() {
                Some(col) if col == indent => key = self.key(self.pos).ok_or(Leave)?,
                Some(col) if col > indent => return Err(Leave),
                _ => break,
            }
        }
        self.depth -= 1;
        self.give_next(Event::MappingEnd, indent)
    }

    /// The column of `pos`, which is at content or at the end.
    fn column(&self) -> Option<usize> {
        (self.pos < self.text.len()).then(|| self.pos - self.line_start)
    }

    /// The value after a block mapping's `:` in column `indent`: on the same line, or a
    /// block collection on the lines after, or nothing. Leaves `pos` at the next content.
    fn block_value(&mut self, indent: usize) -> Read {
        while self.byte(self.pos) == Some(b' ') {
            self.pos += 1;
        }
        let here = self.byte(self.pos);
        let rest_is_comment = here == Some(b'#') && self.text[self.pos - 1] == b' ';
        if !(here.is_none() || here == Some(b'\n') || rest_is_comment) {
            return self.inline();
        }
        self.end_of_line()?;
        match self.skip_to_content()? {
            Some(col) if col > indent => {
                if self.entry(self.pos) {
                    self.block_sequence(col, false)
                } else {
                    let key = self.key(self.pos).ok_or(Leave)?;
                    self.block_mapping(col, key)
                }
            }
            Some(col) if col == indent && self.entry(self.pos) => self.block_sequence(col, true),
            // Nothing: an empty plain scalar where the next token is.
            _ => self.give_next(
                Event::Scalar(String::new(), TScalarStyle::Plain, 0, None),
                indent,
            ),
        }
    }

    /// A value that starts and ends on the current line: a scalar or a flow collection.
    /// Leaves `pos` at the next content.
    fn inline(&mut self) -> Read {
        match self.byte(self.pos) {
            Some(b'[' | b'{') => self.flow()?,
            _ => {
                let at = self.pos;
                let scalar = self.scalar(at, false)?;
                // `a: b: c` is an error; a quoted scalar before `:` is a key.
                if self.byte(scalar.end) == Some(b':') {
                    return Err(Leave);
                }
                self.pos = scalar.end;
                self.give(Event::Scalar(scalar.value, scalar.style, 0, None), at)?;
            }
        }
        self.end_of_line()?;
        self.skip_to_content().map(|_| ())
    }

    /// A block sequence whose first `-` is at `pos`, in column `indent`. An indentless
    /// sequence (a mapping's value, its `-` in the mapping's column) ends at the mapping's
    /// next key.
    fn block_sequence(&mut self, indent: usize, indentless: bool) -> Read {
        self.open()?;
        let mut first = true;
        loop {
            let dash = self.pos;
            self.pos += 1;
            while self.byte(self.pos) == Some(b' ') {
                self.pos += 1;
            }
            let at = self.pos;
            if first {
                // yaml-rust2 puts an indented sequence at its `-`, an indentless one at what
                // follows its first `-`.
                self.give(
                    Event::SequenceStart(0, None),
                    if indentless { at } else { dash },
                )?;
                first = false;
            }
            let col = at - self.line_start;
            if self.entry(at) {
                self.block_sequence(col, false)?;
            } else if let Some(key) = self.key(at) {
                self.block_mapping(col, key)?;
            } else if matches!(self.byte(at), None | Some(b'\n' | b'#')) {
                // The entry's value on the lines after.
                return Err(Leave);
            } else {
                self.inline()?;
            }
            match self.column() {
                Some(col) if col == indent && self.entry(self.pos) => {}
                Some(col) if col > indent => return Err(Leave),
                _ => break,
            }
        }
        self.depth -= 1;
        self.give_next(Event::SequenceEnd, indent)
    }

    /// A flow collection that opens at `pos` and closes on the same line.
    fn flow(&mut self) -> Read {
        self.open()?;
        let mapping = self.byte(self.pos) == Some(b'{');
        let close = if mapping { b'}' } else { b']' };
        self.give(
            if mapping {
                Event::MappingStart(0, None)
            } else {
                Event::SequenceStart(0, None)
            },
            self.pos,
        )?;
        self.pos += 1;
        loop {
            self.flow_spaces();
            if self.byte(self.pos) == Some(close) {
                break;
            }
            if mapping {
                let at = self.pos;
                let key = self.scalar(at, true)?;
                if self.byte(key.end) != Some(b':') || self.byte(key.end + 1) != Some(b' ') {
                    return Err(Leave);
                }
                self.give(Event::Scalar(key.value, key.style, 0, None), at)?;
                self.pos = key.end + 1;
                self.flow_spaces();
                if matches!(self.byte(self.pos), Some(b',' | b'}')) {
                    return Err(Leave);
                }
            }
            self.flow_node()?;
            self.flow_spaces();
            match self.byte(self.pos) {
                Some(b',') => {
                    self.pos += 1;
                    // yaml-rust2 ends a mapping with a `,` before its `}` at the `,`.
                    self.flow_spaces();
                    if mapping && self.byte(self.pos) == Some(close) {
                        return Err(Leave);
                    }
                }
                Some(b) if b == close => {}
                _ => return Err(Leave),
            }
        }
        self.depth -= 1;
        let end = if mapping {
            Event::MappingEnd
        } else {
            Event::SequenceEnd
        };
        self.give(end, self.pos)?;
        self.pos += 1;
        Ok(())
    }

    fn flow_spaces(&mut self) {
        while self.byte(self.pos) == Some(b' ') {
            self.pos += 1;
        }
    }

    /// A value in a flow collection: a nested one or a scalar, not a key.
    fn flow_node(&mut self) -> Read {
        if matches!(self.byte(self.pos), Some(b'[' | b'{')) {
            return self.flow();
        }
        let at = self.pos;
        let scalar = self.scalar(at, true)?;
        if self.byte(scalar.end) == Some(b':') {
            return Err(Leave);
        }
        self.pos = scalar.end;
        self.give(Event::Scalar(scalar.value, scalar.style, 0, None), at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use yaml_rust2::parser::Parser;

    type Events = Vec<(Event, Mark)>;

    /// yaml-rust2's events to the end of the stream, or its error.
    fn theirs(text: &str) -> Result<Events, String> {
        let mut parser = Parser::new_from_str(text);
        let mut events = Vec::new();
        loop {
            let (event, mark) = parser.next_token().map_err(|e| e.to_string())?;
            let end = event == Event::StreamEnd;
            events.push((event, mark.into()));
            if end {
                return Ok(events);
            }
        }
    }

    fn ours(text: &str) -> Option<Events> {
        let mut events = Vec::new();
        read(text, |event, mark| {
            events.push((event, mark));
            Ok(())
        })
        .ok()?;
        Some(events)
    }

    /// The property: where the subset reads a text, yaml-rust2 reads it too, to the same
    /// events at the same positions.
    fn agrees(text: &str) -> Result<bool, TestCaseError> {
        let Some(ours) = ours(text) else {
            return Ok(false);
        };
        match theirs(text) {
            Ok(theirs) => prop_assert_eq!(ours, theirs, "{:?}", text),
            Err(e) => prop_assert!(false, "the subset read {text:?}, yaml-rust2 says {e}"),
        }
        Ok(true)
    }

    #[test]
    fn every_yaml_file_of_the_repository_reads_as_yaml_rust2_reads_it() {
        let mut read = Vec::new();
        for path in super::super::tests::yaml_files() {
            let text = std::fs::read_to_string(&path).unwrap();
            if agrees(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())) {
                read.push(path);
            }
        }
        // The subset is what specs are written in: the reference platform and its
        // overlays, and most files, are read by it.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for file in ["platform.yaml", "overlays/dev.yaml", "overlays/prod.yaml"] {
            assert!(read.contains(&root.join(file)), "{file} left the subset");
        }
        assert!(read.len() > 200, "only {} files read", read.len());
    }

    #[test]
    fn the_benchmark_platform_is_in_the_subset() {
        // The shape `bench/generate` writes, component and overlay.
        let text = "# generated\nplatform: bench\n\nconfig:\n  bench-config:\n    log-level: info\n    request-timeout: \"30\"\n\ncomponents:\n  svc-0000:\n    image: registry.example.com/bench/svc-0000:v1.0.0\n    replicas: 2\n    ports: { http: { port: 8080, scrape: true } }\n    probes: { liveness: /health/live, readiness: /health/ready }\n    resources: { cpu: 100m/200m, memory: 128Mi/256Mi }\n    env:\n      LOG_LEVEL: { config: log-level }\n      PEER_URL: http://bench-svc-0001:8080\n    uses: [svc-0001]\n";
        assert!(agrees(text).unwrap());
        let overlay = "namespace: bench-prod\nconfig: { bench-config: { log-level: warn } }\ncomponents:\n  svc-0000: { replicas: 3, resources: { cpu: 250m/500m }, spread: zone }\n";
        assert!(agrees(overlay).unwrap());
    }

    #[test]
    fn positions_count_characters_of_comments_outside_ascii() {
        let events = ours("# é — ü\na: 1 # ß\nb: 2\n").unwrap();
        assert_eq!(events, theirs("# é — ü\na: 1 # ß\nb: 2\n").unwrap());
        // `b` is character 17 from 0, though byte 22.
        assert!(events.contains(&(
            Event::Scalar("b".into(), TScalarStyle::Plain, 0, None),
            Mark {
                index: 17,
                line: 3,
                col: 0
            }
        )));
    }

    #[test]
    fn what_is_outside_the_subset_is_left_to_yaml_rust2() {
        for text in [
            "",
            "# only a comment\n",
            "a: |\n  text\n",
            "a: x\n  y\n",
            "a: [x,\n  y]\n",
            "a: &x 1\n",
            "a: *x\n",
            "a: !t 1\n",
            "---\na: 1\n",
            "a: 1\n...\n",
            "a:\tb\n",
            "a: 1\r\n",
            "a: é\n",
            "\u{feff}a: 1\n",
            "a: \"\\u0041\"\n",
            "a: {x: }\n",
            "a: {x}\n",
            "a: b: c\n",
            "- a\n",
            "  a: 1\n",
            "a: - 1\n",
            "a: [-, x]\n",
            "a: {b: c, }\n",
            "? a\n: 1\n",
            "a:\n  -\n    b\n",
        ] {
            assert!(ours(text).is_none(), "{text:?}");
        }
    }

    /// Choices read from generated bytes, so proptest shrinks a text by its choices.
    struct Dice<'a>(std::slice::Iter<'a, u8>);

    impl Dice<'_> {
        fn roll(&mut self, n: usize) -> usize {
            self.0.next().map_or(0, |&b| b as usize % n)
        }

        fn pick<'p>(&mut self, from: &[&'p str]) -> &'p str {
            from[self.roll(from.len())]
        }
    }

    /// Scalars in the subset, and, unless `safe`, scalars just outside it.
    fn scalar(d: &mut Dice, safe: bool) -> String {
        const IN: &[&str] = &[
            "a",
            "b-c",
            "x y",
            "svc-0001",
            "8080",
            "true",
            "~",
            "null",
            "100m/200m",
            "http://h:80/p",
            "a#b",
            "x:y",
            "x]",
            "a,b",
            "\"q\"",
            "\"a\\\"b\\\\\"",
            "\"a\\nb\\t\\/\"",
            "'s'",
            "'it''s'",
            "\"\"",
            "''",
            "\"# x\"",
            "\"a: b\"",
            "'a: b'",
            "x  ",
            "a'b",
            "a\"b",
            "a{b}",
            "-1",
            "-U",
            "--x",
            "-a:b",
        ];
        const OUT: &[&str] = &[
            "-",
            "- 1",
            "-,",
            "?x",
            ":x",
            "é",
            "\"\\u0041\"",
            "\"\\x41\"",
            "a\tb",
            "!x",
            "&a b",
            "*a",
            "|",
            ">",
            "%x",
            "@x",
            "`x",
            "\"a\nb\"",
            "'a\n b'",
            "x\n  y",
            "- x",
            "a: b",
            "[x",
            "...",
            "a #b",
            "x #",
            "'a''",
            "\"a\\\"",
            "\"a\\ b\"",
            "a:",
            "a :b",
            "x\n- y",
            "{a: b",
        ];
        if safe || d.roll(4) > 0 {
            d.pick(IN).to_string()
        } else {
            d.pick(OUT).to_string()
        }
    }

    /// A flow collection on one line.
    fn flow(d: &mut Dice, depth: usize, safe: bool, out: &mut String) {
        let mapping = d.roll(2) == 0;
        out.push(if mapping { '{' } else { '[' });
        let n = d.roll(4);
        for i in 0..n {
            out.push_str(d.pick(&["", " ", "  "]));
            if mapping {
                // Flow scalars stop at `,[]{}`: keep those out of keys and values.
                let key = flow_scalar(d, safe);
                push_key(d, out, safe, &key, &[": ", ": ", ":", " : ", ""]);
            }
            if depth < 3 && d.roll(4) == 0 {
                flow(d, depth + 1, safe, out);
            } else {
                out.push_str(&flow_scalar(d, safe));
            }
            if i + 1 < n || (!mapping || !safe) && d.roll(3) == 0 {
                out.push_str(d.pick(&[",", ", ", " ,"]));
            }
        }
        out.push_str(d.pick(&["", " "]));
        out.push(if mapping { '}' } else { ']' });
    }

    fn flow_scalar(d: &mut Dice, safe: bool) -> String {
        let s = scalar(d, safe);
        if safe && s.starts_with(['"', '\'']) || !s.contains([',', '[', ']', '{', '}', '#', ':']) {
            s
        } else if safe {
            "f".to_string()
        } else {
            s
        }
    }

    /// A key and what follows it: in the subset, the key with no space before its `:` and
    /// the first of `after`; near it, any of `after`.
    fn push_key(d: &mut Dice, out: &mut String, safe: bool, key: &str, after: &[&str]) {
        out.push_str(if safe { key.trim_end() } else { key });
        out.push_str(if safe { after[0] } else { d.pick(after) });
    }

    fn comment(d: &mut Dice, safe: bool) -> &'static str {
        match d.roll(if safe { 4 } else { 6 }) {
            0 => " # note",
            1 => " # é — ü",
            2 => "  #",
            4 => "#x",
            5 => " #\tx",
            _ => "",
        }
    }

    /// A block mapping or sequence at `indent`, as a spec is written. A compact one starts
    /// on the line of a sequence's `-`, already written.
    fn block(
        d: &mut Dice,
        indent: usize,
        depth: usize,
        safe: bool,
        out: &mut String,
        compact: bool,
    ) {
        let pad = " ".repeat(indent);
        let sequence = depth > 0 && d.roll(3) == 0;
        let n = 1 + d.roll(3);
        for i in 0..n {
            if !(compact && i == 0) {
                if d.roll(5) == 0 {
                    out.push_str(d.pick(&["\n", "# c\n", "  # c\n", "   \n"]));
                }
                out.push_str(&pad);
            }
            if sequence {
                out.push_str(if safe {
                    "- "
                } else {
                    d.pick(&["- ", "- ", "-  ", "-"])
                });
                match d.roll(4) {
                    // A mapping or sequence that starts on the entry's line.
                    0 if depth < 6 => {
                        block(d, indent + 2, depth + 1, safe, out, true);
                        continue;
                    }
                    1 => flow(d, 0, safe, out),
                    _ => out.push_str(&scalar(d, safe)),
                }
                out.push_str(comment(d, safe));
                out.push('\n');
                continue;
            }
            let key = scalar(d, safe);
            push_key(d, out, safe, &key, &[":", ":", ":", " :", ""]);
            match d.roll(6) {
                0 | 1 if depth < 6 => {
                    out.push_str(comment(d, safe));
                    out.push('\n');
                    // Nested: deeper, or an indentless sequence in the same column.
                    let deeper = indent + 1 + d.roll(3);
                    if d.roll(4) == 0 {
                        indentless(d, indent, safe, out);
                    } else {
                        block(d, deeper, depth + 1, safe, out, false);
                    }
                    continue;
                }
                2 => {
                    out.push(' ');
                    flow(d, 0, safe, out);
                }
                3 => {}
                _ => {
                    out.push_str(d.pick(&[" ", " ", "  "]));
                    out.push_str(&scalar(d, safe));
                }
            }
            out.push_str(comment(d, safe));
            out.push('\n');
        }
    }

    /// A sequence as a mapping's value, its `-` in the mapping's column.
    fn indentless(d: &mut Dice, indent: usize, safe: bool, out: &mut String) {
        let pad = " ".repeat(indent);
        for _ in 0..1 + d.roll(3) {
            out.push_str(&pad);
            out.push_str("- ");
            out.push_str(&scalar(d, safe));
            out.push('\n');
        }
    }

    fn document(choices: &[u8], safe: bool) -> String {
        let mut d = Dice(choices.iter());
        let mut out = String::new();
        if d.roll(3) == 0 {
            out.push_str("# head\n\n");
        }
        block(&mut d, 0, 0, safe, &mut out, false);
        if !safe {
            // A character more or less, anywhere, once or twice.
            for _ in 0..1 + d.roll(2) {
                let at = d.roll(out.len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|&i| out.is_char_boundary(i))
                    .unwrap_or(0);
                if d.roll(3) == 0 {
                    if at < out.len() {
                        out.remove(at);
                    }
                } else {
                    let extra = d.pick(&[
                        " ", "\t", ":", "#", "-", "\n", "'", "\"", "[", "]", "{", "}", ",", "é",
                        "\r", "\\", "?", "&", "!", "|", ">", "*", "%", "---\n", "...\n",
                        "\u{feff}",
                    ]);
                    out.insert_str(at, extra);
                }
            }
        }
        if d.roll(4) == 0 {
            out.pop();
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Texts written in the subset are read by it, as yaml-rust2 reads them.
        #[test]
        fn texts_in_the_subset_read_as_yaml_rust2_reads_them(choices in prop::collection::vec(any::<u8>(), 0..300)) {
            let text = document(&choices, true);
            // Keys may repeat; the events are compared, not the tree.
            prop_assert!(agrees(&text)?, "left the subset: {:?}", text);
        }

        /// Texts near the subset, and broken ones: what it reads, yaml-rust2 reads the same.
        #[test]
        fn texts_near_the_subset_read_as_yaml_rust2_reads_them_or_are_left_to_it(choices in prop::collection::vec(any::<u8>(), 0..300)) {
            agrees(&document(&choices, false))?;
        }
    }
}
