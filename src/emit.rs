//! Objects → text: a `---` YAML stream or a JSON `v1` `List`, in the order given (apply
//! order), byte-identical for identical input. serde-saphyr quotes every string a YAML 1.1
//! reader (kubectl) would retype: `no`, `on`, `12:30`, `1_000`.

use crate::build::object::Object;

mod yaml;

/// The most output one render may produce: 256 MiB, far above any platform (the
/// 1,000-component benchmark renders a few MiB), in either format, on stdout or in
/// `--output-dir` files together. A template that loops past it is stopped here rather
/// than filling a disk or a pipe into `kubectl`, and nothing is written.
pub const MAX_OUTPUT_BYTES: usize = 256 * 1024 * 1024;

/// Output formats of `render`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Yaml,
    Json,
}

/// The whole stream as one string, refused past [`MAX_OUTPUT_BYTES`].
pub fn to_string(objects: &[Object], format: Format) -> anyhow::Result<String> {
    Ok(String::from_utf8(to_bytes(objects, format)?)?)
}

/// The whole stream as UTF-8 bytes, refused past [`MAX_OUTPUT_BYTES`]: what `wfk render`
/// prints.
pub fn to_bytes(objects: &[Object], format: Format) -> anyhow::Result<Vec<u8>> {
    Ok(stream(objects, format)?.concat())
}

/// The whole stream, made and within the limit, not yet written: a render too large
/// writes nothing. `render` may make it while the checks run, and writes it only when
/// they find no error.
pub struct Stream(Vec<Vec<u8>>);

impl Stream {
    pub fn of(objects: &[Object], format: Format) -> anyhow::Result<Stream> {
        stream(objects, format).map(Stream)
    }

    pub fn write_to(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        self.0.iter().try_for_each(|block| w.write_all(block))
    }
}

/// The stream in blocks of at least [`BLOCK`] bytes: a buffer that grows by doubling
/// would copy the output over and over and, while it copies, hold it twice.
fn stream(objects: &[Object], format: Format) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut out = Bounded::new(MAX_OUTPUT_BYTES);
    match format {
        Format::Yaml => {
            for object in objects {
                out.write("---\n")?;
                out.yaml(object)?;
            }
        }
        Format::Json => {
            let list = List {
                api_version: "v1",
                items: objects,
                kind: "List",
            };
            out.json(&list)?;
        }
    }
    Ok(out.blocks)
}

/// The YAML stream as serde-saphyr alone writes it: what [`to_bytes`] must equal, byte
/// for byte, whichever writer wrote each object (tests compare the two).
pub fn yaml_by_serde_saphyr(objects: &[Object]) -> anyhow::Result<Vec<u8>> {
    let mut out = Bounded::new(MAX_OUTPUT_BYTES);
    for object in objects {
        out.write("---\n")?;
        out.saphyr(object)?;
    }
    Ok(out.blocks.concat())
}

/// How many of `objects` the fast writer writes whole (the rest go to serde-saphyr).
pub fn fast_written(objects: &[Object]) -> usize {
    let mut cache = yaml::Cache::default();
    let mut text = String::new();
    objects
        .iter()
        .filter(|o| {
            text.clear();
            yaml::write(&mut text, *o, &mut cache).is_ok()
        })
        .count()
}

/// Each object's text for its `--output-dir` file (YAML without the leading `---`), as
/// [`to_bytes`] would write it alone, handed to `write` with the object's index as soon as
/// it is made, so the texts are never held together. All together they are refused past
/// [`MAX_OUTPUT_BYTES`]: the object that would pass it stops the run with an error, and
/// the caller discards what it wrote.
pub fn each_file(
    objects: &[Object],
    format: Format,
    mut write: impl FnMut(usize, &[Vec<u8>]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut out = Bounded::new(MAX_OUTPUT_BYTES);
    for (i, object) in objects.iter().enumerate() {
        match format {
            Format::Yaml => out.yaml(object)?,
            Format::Json => out.json(object)?,
        }
        write(i, &out.blocks)?;
        // The first block is kept for the next object: one buffer for the whole run.
        out.blocks.truncate(1);
        out.blocks.iter_mut().for_each(Vec::clear);
    }
    Ok(())
}

/// Where the texts of a render go: one stream on stdout, or one file per object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum To {
    Stdout,
    Files,
}

/// The start and the end of the JSON `List` on stdout, around its items.
const LIST_START: &str = "{\n  \"apiVersion\": \"v1\",\n  \"items\": [";
const LIST_END: &str = "\n  ],\n  \"kind\": \"List\"\n}\n";

/// A render's texts, made one object at a time (a large render's objects come in batches,
/// each dropped once its texts are made), then written in apply order: the same bytes as
/// [`Stream::of`] or [`each_file`] on the objects in that order, within the same limit.
pub struct Texts {
    out: Bounded,
    /// What `out` could take at the start.
    budget: usize,
    format: Format,
    to: To,
    texts: Vec<Text>,
}

/// The text of one object.
struct Text {
    /// Its place in apply order: its kind's rank, its name, then the order it was made in.
    order: (usize, String, usize),
    kind: String,
    text: Box<[u8]>,
}

impl Texts {
    pub fn new(format: Format, to: To) -> Texts {
        let mut out = Bounded::new(MAX_OUTPUT_BYTES);
        if (format, to) == (Format::Json, To::Stdout) {
            // The `List` around the items, and the `\n` before the first (`,\n` before each
            // of the others is counted with them).
            out.left = out
                .left
                .saturating_sub(LIST_START.len() + LIST_END.len() - 1);
        }
        Texts {
            budget: out.left,
            out,
            format,
            to,
            texts: Vec::new(),
        }
    }

    /// Adds the texts another `Texts` (of the same format and destination) made of objects
    /// that come after these, as if made here; an error when together they pass the
    /// output limit. (Each of the two was made within the limit, so no more than twice
    /// the limit is held before a render that passes it is refused.)
    pub fn append(&mut self, later: Texts) -> anyhow::Result<()> {
        let used = later.budget - later.out.left;
        if used > self.out.left {
            self.out.over = true;
            return Err(too_large());
        }
        self.out.left -= used;
        let offset = self.texts.len();
        self.texts.extend(later.texts.into_iter().map(|mut text| {
            text.order.2 += offset;
            text
        }));
        Ok(())
    }

    /// Adds the text of `object`; an error once the texts pass the output limit.
    pub fn add(&mut self, object: &Object) -> anyhow::Result<()> {
        match (self.format, self.to) {
            (Format::Yaml, To::Stdout) => {
                self.out.write("---\n")?;
                self.out.yaml(object)?;
            }
            (Format::Yaml, To::Files) => self.out.yaml(object)?,
            (Format::Json, To::Files) => self.out.json(object)?,
            (Format::Json, To::Stdout) => {
                // An item of the list: indented by four more spaces (a JSON text has a
                // line break only between its tokens), without its last line break.
                if self.out.left < 2 {
                    self.out.over = true;
                    return Err(too_large());
                }
                self.out.left -= 2;
                self.out.write("    ")?;
                let result = serde_json::to_writer_pretty(Indented(&mut self.out), object);
                if self.out.over {
                    return Err(too_large());
                }
                result?;
            }
        }
        let text: Box<[u8]> = self.out.blocks.concat().into();
        // The first block is kept for the next object: one buffer for the whole run.
        self.out.blocks.truncate(1);
        self.out.blocks.iter_mut().for_each(Vec::clear);
        let order = (object.rank(), object.name().to_string(), self.texts.len());
        self.texts.push(Text {
            order,
            kind: object.kind().to_string(),
            text,
        });
        Ok(())
    }

    /// Puts the texts in apply order: by kind and name, then in the order they were made.
    pub fn in_apply_order(&mut self) {
        self.texts.sort_by(|a, b| a.order.cmp(&b.order));
    }

    /// Writes the stream: what [`Stream::write_to`] writes for the objects in apply order.
    pub fn write_to(mut self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        self.in_apply_order();
        let json = self.format == Format::Json;
        if json && self.texts.is_empty() {
            return w.write_all(
                b"{\n  \"apiVersion\": \"v1\",\n  \"items\": [],\n  \"kind\": \"List\"\n}\n",
            );
        }
        if json {
            w.write_all(LIST_START.as_bytes())?;
        }
        for (i, Text { text, .. }) in self.texts.iter().enumerate() {
            if json {
                w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            }
            w.write_all(text)?;
        }
        if json {
            w.write_all(LIST_END.as_bytes())?;
        }
        Ok(())
    }

    /// Each object's kind, name and file text, in apply order: what [`each_file`] hands
    /// over for the objects in that order.
    pub fn files(mut self) -> Vec<(String, String, Box<[u8]>)> {
        self.in_apply_order();
        self.texts
            .into_iter()
            .map(|Text { order, kind, text }| (kind, order.1, text))
            .collect()
    }
}

/// Output that indents every line after the first by four spaces.
struct Indented<'a>(&'a mut Bounded);

impl std::io::Write for Indented<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            std::io::Write::write_all(self.0, &rest[..=at])?;
            std::io::Write::write_all(self.0, b"    ")?;
            rest = &rest[at + 1..];
        }
        std::io::Write::write_all(self.0, rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A `v1` `List` of objects, as `kubectl get -o json` prints it (keys in sorted order).
#[derive(serde::Serialize)]
struct List<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    items: &'a [Object],
    kind: &'static str,
}

/// Output that refuses to grow past a limit. The serializers write into it piece by piece
/// (serde-saphyr as text, serde_json as bytes, both UTF-8), so an object too large is
/// stopped at the limit instead of being built whole first.
/// The least size of a block of output.
const BLOCK: usize = 1 << 20;

struct Bounded {
    blocks: Vec<Vec<u8>>,
    left: usize,
    over: bool,
    /// The fast writer's text of the object at hand, and what it asked serde-saphyr.
    scratch: String,
    cache: yaml::Cache,
}

impl Bounded {
    fn new(limit: usize) -> Bounded {
        Bounded {
            blocks: Vec::new(),
            left: limit,
            over: false,
            scratch: String::new(),
            cache: yaml::Cache::default(),
        }
    }

    fn push(&mut self, piece: &[u8]) -> bool {
        if piece.len() > self.left {
            self.over = true;
            return false;
        }
        self.left -= piece.len();
        match self.blocks.last_mut() {
            Some(block) if block.capacity() - block.len() >= piece.len() => {
                block.extend_from_slice(piece)
            }
            _ => {
                let mut block = Vec::with_capacity(piece.len().max(BLOCK));
                block.extend_from_slice(piece);
                self.blocks.push(block);
            }
        }
        true
    }

    fn write(&mut self, s: &str) -> anyhow::Result<()> {
        if self.push(s.as_bytes()) {
            Ok(())
        } else {
            Err(too_large())
        }
    }

    /// One object as YAML (no leading `---`), ending in a newline: by the fast writer, or
    /// by serde-saphyr where the fast writer gives up (the same text either way).
    fn yaml(&mut self, object: &Object) -> anyhow::Result<()> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let fast = yaml::write(&mut scratch, object, &mut self.cache);
        let done = fast.is_ok() && self.push(scratch.as_bytes());
        self.scratch = scratch;
        if done {
            return Ok(());
        }
        if self.over {
            return Err(too_large());
        }
        self.saphyr(object)
    }

    /// One object as serde-saphyr writes it.
    fn saphyr(&mut self, object: &Object) -> anyhow::Result<()> {
        let result = serde_saphyr::to_fmt_writer(self, object);
        if self.over {
            return Err(too_large());
        }
        result?;
        if !self.blocks.last().is_some_and(|b| b.ends_with(b"\n")) {
            self.write("\n")?;
        }
        Ok(())
    }

    /// A value as pretty JSON, ending in a newline.
    fn json(&mut self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        let result = serde_json::to_writer_pretty(&mut *self, value);
        if self.over {
            return Err(too_large());
        }
        result?;
        self.write("\n")
    }
}

impl std::fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.push(s.as_bytes()) {
            Ok(())
        } else {
            Err(std::fmt::Error)
        }
    }
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.push(buf) {
            Ok(buf.len())
        } else {
            Err(std::io::Error::other("the output limit is reached"))
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn too_large() -> anyhow::Error {
    anyhow::anyhow!(
        "the render is larger than {} MiB; nothing was written",
        MAX_OUTPUT_BYTES >> 20
    )
}
