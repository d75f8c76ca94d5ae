//! A fast YAML writer for Kubernetes objects, byte for byte what serde-saphyr writes.
//!
//! Objects are block mappings and sequences of short scalars: that layout is written here
//! directly (two spaces per level, a list under a key at the key's column, `{}` and `[]`
//! for empty collections). A string is written plain when it plainly can be (a letter,
//! then letters, digits and `-_./`, not a YAML 1.1 word such as `no` or `on`, at most 80
//! bytes); any other string or key is written by serde-saphyr itself, alone, and its text
//! is reused (a block scalar's body moved to the value's column), so every quoting rule
//! stays serde-saphyr's (the YAML 1.1 guarantee of the product). Whatever this writer
//! does not lay out the same way (a block scalar in a list, a float, a null, a list in a
//! list) makes it give up on the object, which is then written whole by serde-saphyr:
//! [`super::Bounded::yaml`].
//! `tests/it/emitter.rs` compares the two on every render and on arbitrary strings.

use foldhash::HashMap;
use serde::ser::{self, Impossible, Serialize};

/// Why the fast writer gave up: the object is written by serde-saphyr instead.
#[derive(Debug)]
pub struct Unsupported;

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not laid out by the fast writer")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

type Result<T = ()> = std::result::Result<T, Unsupported>;

/// Strings serde-saphyr was asked about, with the text it wrote: values and keys repeat
/// across objects (`250m`, an image, a label key), so each is asked once per render.
pub struct Cache {
    values: HashMap<String, String>,
    keys: HashMap<String, String>,
    /// Struct field names known to be plain, by address and length ([`Writer::field`]).
    fields: Box<[(usize, usize); FIELDS]>,
}

/// Slots of [`Cache::fields`]: more than the field names of the kinds wfk writes.
const FIELDS: usize = 512;

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            values: HashMap::default(),
            keys: HashMap::default(),
            fields: Box::new([(0, 0); FIELDS]),
        }
    }
}

/// Writes `value` (a mapping) into `out` as a YAML document body, or gives up; on
/// [`Unsupported`] `out` holds part of it, which the caller truncates.
pub fn write<T: Serialize + ?Sized>(out: &mut String, value: &T, cache: &mut Cache) -> Result {
    let mut w = Writer {
        out,
        cache,
        at: At::Top,
    };
    value.serialize(&mut w)
}

/// Where the next value goes.
#[derive(Clone, Copy)]
enum At {
    /// The document itself.
    Top,
    /// After `key:` (no space yet); the key is at column `.0`.
    Value(usize),
    /// After `- ` at column `.0`.
    Item(usize),
}

struct Writer<'a> {
    out: &'a mut String,
    cache: &'a mut Cache,
    at: At,
}

/// Whether serde-saphyr writes `s` plain in a value or a key: a conservative subset of
/// its rules, with every other string left to serde-saphyr itself.
fn plainly_plain(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 80
        && b[0].is_ascii_alphabetic()
        && b.iter().all(|&c| PLAIN[usize::from(c)])
        && (b.len() > 5 || !YAML11_WORDS.iter().any(|w| s.eq_ignore_ascii_case(w)))
}

/// The bytes of a plainly plain string: letters, digits and `-_./`.
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/');
        c += 1;
    }
    table
};

/// Words a YAML 1.1 reader types (booleans, null, the float words) when plain.
const YAML11_WORDS: [&str; 11] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
];

/// Spaces to indent with, a slice at a time.
const SPACES: &str = "                                                                ";

impl Writer<'_> {
    fn indent(&mut self, n: usize) {
        indent(self.out, n);
    }

    /// A scalar's text (a string as written, a number), at the current place, then the
    /// end of its line.
    fn scalar(&mut self, text: &str) -> Result {
        scalar(self.out, self.at, text)
    }

    /// An integer, as [`Writer::scalar`]: its decimal digits, after a `-` if `negative`,
    /// written without the formatting machinery (a render writes tens of thousands).
    fn number(&mut self, negative: bool, magnitude: u64) -> Result {
        before_scalar(self.out, self.at)?;
        if negative {
            self.out.push('-');
        }
        crate::push_decimal(self.out, magnitude);
        self.out.push('\n');
        Ok(())
    }

    /// A string value: plain when plainly so, else as serde-saphyr writes it alone.
    fn string(&mut self, s: &str) -> Result {
        if plainly_plain(s) {
            return self.scalar(s);
        }
        if !self.cache.values.contains_key(s) {
            let text = serde_saphyr::to_string(&s).map_err(|_| Unsupported)?;
            self.cache.values.insert(s.to_string(), text);
        }
        let text = self.cache.values.get(s).ok_or(Unsupported)?;
        let text = text.strip_suffix('\n').ok_or(Unsupported)?;
        if !text.starts_with(['|', '>']) {
            if text.contains('\n') {
                return Err(Unsupported);
            }
            return scalar(self.out, self.at, text);
        }
        block(self.out, self.at, text)
    }

    /// A mapping key, as serde-saphyr writes it in `key: 0`.
    /// A struct's field name, as [`Writer::key`]. serde passes it as `&'static str`, whose
    /// bytes never change and are never freed, so its address and length name it: whether
    /// it is plain is found once per name instead of once per object (a render writes
    /// hundreds of thousands of keys, most of them field names).
    fn field(&mut self, key: &'static str) -> Result {
        let at = key.as_ptr() as usize;
        let slot = &mut self.cache.fields[((at >> 3) ^ (at >> 12)) % FIELDS];
        if *slot == (at, key.len()) {
            self.out.push_str(key);
            return Ok(());
        }
        if plainly_plain(key) {
            *slot = (at, key.len());
            self.out.push_str(key);
            return Ok(());
        }
        self.key(key)
    }

    fn key(&mut self, key: &str) -> Result {
        if plainly_plain(key) {
            self.out.push_str(key);
            return Ok(());
        }
        if let Some(text) = self.cache.keys.get(key) {
            self.out.push_str(text);
            return Ok(());
        }
        let one = std::collections::BTreeMap::from([(key, 0)]);
        let text = serde_saphyr::to_string(&one).map_err(|_| Unsupported)?;
        let text = text.strip_suffix(": 0\n").ok_or(Unsupported)?;
        if text.contains('\n') || text.starts_with('?') {
            return Err(Unsupported);
        }
        self.out.push_str(text);
        self.cache.keys.insert(key.to_string(), text.to_string());
        Ok(())
    }

    /// Opens a mapping of `len` entries here: the column of its keys, and whether its
    /// first key goes on this line (after `- `).
    fn open_map(&mut self, len: Option<usize>) -> Result<MapAt> {
        let len = len.ok_or(Unsupported)?;
        let (column, inline) = match self.at {
            At::Top => (0, false),
            At::Value(key) => (key + 2, false),
            At::Item(dash) => (dash + 2, true),
        };
        if len == 0 {
            match self.at {
                At::Top => return Err(Unsupported),
                At::Value(_) => self.out.push_str(" {}\n"),
                // An empty mapping in a list: no object wfk writes has one; not laid out here.
                At::Item(_) => return Err(Unsupported),
            }
        } else if let At::Value(_) = self.at {
            self.out.push('\n');
        }
        Ok(MapAt {
            column,
            first: inline,
        })
    }

    /// Opens a list of `len` items here: the column of its dashes.
    fn open_seq(&mut self, len: Option<usize>) -> Result<usize> {
        let len = len.ok_or(Unsupported)?;
        let At::Value(key) = self.at else {
            // A list at the top or in a list: not in a Kubernetes object.
            return Err(Unsupported);
        };
        if len == 0 {
            self.out.push_str(" []\n");
        } else {
            self.out.push('\n');
        }
        Ok(key)
    }
}

fn indent(out: &mut String, mut n: usize) {
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

/// [`Writer::scalar`] into `out`, at `at`.
fn scalar(out: &mut String, at: At, text: &str) -> Result {
    before_scalar(out, at)?;
    out.push_str(text);
    out.push('\n');
    Ok(())
}

/// What goes before a scalar at `at`: a space after `key:`, nothing after `- `.
fn before_scalar(out: &mut String, at: At) -> Result {
    match at {
        At::Top => Err(Unsupported),
        At::Value(_) => {
            out.push(' ');
            Ok(())
        }
        At::Item(_) => Ok(()),
    }
}

/// A block scalar (`|` or `>`, from serde-saphyr at the top of a document, its body two
/// spaces in) as a mapping's value at `at`: the body moves to two spaces past the key. Its
/// lines are the same at any column (folding counts from the start of the body).
fn block(out: &mut String, at: At, text: &str) -> Result {
    let At::Value(key) = at else {
        return Err(Unsupported);
    };
    let mut lines = text.split('\n');
    let header = lines.next().ok_or(Unsupported)?;
    out.push(' ');
    out.push_str(header);
    out.push('\n');
    for line in lines {
        if !line.is_empty() {
            let body = line.strip_prefix("  ").ok_or(Unsupported)?;
            indent(out, key + 2);
            out.push_str(body);
        }
        out.push('\n');
    }
    Ok(())
}

/// A mapping being written: its keys' column, and whether the next key follows a dash.
struct MapAt {
    column: usize,
    first: bool,
}

struct Map<'w, 'a> {
    w: &'w mut Writer<'a>,
    at: MapAt,
}

impl Map<'_, '_> {
    /// Writes an entry's key and `:`; its value is written next.
    fn key(&mut self, key: Key) -> Result {
        if self.at.first {
            self.at.first = false;
        } else {
            self.w.indent(self.at.column);
        }
        match key {
            Key::Field(key) => self.w.field(key)?,
            Key::Text(key) => self.w.key(key)?,
        }
        self.w.out.push(':');
        self.w.at = At::Value(self.at.column);
        Ok(())
    }
}

/// A mapping's key: a struct's field name, or a map's key.
enum Key<'k> {
    Field(&'static str),
    Text(&'k str),
}

struct Seq<'w, 'a> {
    w: &'w mut Writer<'a>,
    dash: usize,
}

macro_rules! unsupported {
    ($($name:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(fn $name(self, $(_: $arg),*) -> Result<$ret> {
            Err(Unsupported)
        })*
    };
}

/// What neither the writer nor a map key takes: floats (their spelling), chars, bytes,
/// nulls, units, enums and tuples.
macro_rules! unsupported_shapes {
    () => {
        unsupported! {
            serialize_f32(f32) -> ();
            serialize_f64(f64) -> ();
            serialize_char(char) -> ();
            serialize_bytes(&[u8]) -> ();
            serialize_none() -> ();
            serialize_unit() -> ();
            serialize_unit_struct(&'static str) -> ();
            serialize_unit_variant(&'static str, u32, &'static str) -> ();
            serialize_tuple(usize) -> Impossible<(), Unsupported>;
            serialize_tuple_struct(&'static str, usize) -> Impossible<(), Unsupported>;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Impossible<(), Unsupported>;
        }
    };
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Seq<'w, 'a>;
    type SerializeTuple = Impossible<(), Unsupported>;
    type SerializeTupleStruct = Impossible<(), Unsupported>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = Map<'w, 'a>;
    type SerializeStruct = Map<'w, 'a>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    fn serialize_bool(self, v: bool) -> Result {
        self.scalar(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result {
        self.number(v < 0, v.unsigned_abs())
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result {
        self.number(false, v)
    }
    fn serialize_str(self, v: &str) -> Result {
        self.string(v)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'w, 'a>> {
        let dash = self.open_seq(len)?;
        Ok(Seq { w: self, dash })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map<'w, 'a>> {
        let at = self.open_map(len)?;
        Ok(Map { w: self, at })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Map<'w, 'a>> {
        let at = self.open_map(Some(len))?;
        Ok(Map { w: self, at })
    }

    // Floats (their spelling), nulls, bytes, enums and tuples: not in the objects wfk
    // writes, or not laid out here; serde-saphyr writes the object.
    unsupported_shapes!();
    unsupported! {
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Impossible<(), Unsupported>;
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(Unsupported)
    }
}

impl ser::SerializeSeq for Seq<'_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.w.indent(self.dash);
        self.w.out.push_str("- ");
        self.w.at = At::Item(self.dash);
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result {
        Ok(())
    }
}

impl ser::SerializeStruct for Map<'_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.key(Key::Field(key))?;
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result {
        Ok(())
    }
}

impl ser::SerializeMap for Map<'_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        key.serialize(KeyText(self))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result {
        Ok(())
    }
}

/// A mapping's key, written where it is serialized: keys of Kubernetes objects are
/// strings.
struct KeyText<'m, 'w, 'a>(&'m mut Map<'w, 'a>);

impl ser::Serializer for KeyText<'_, '_, '_> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Impossible<(), Unsupported>;
    type SerializeTuple = Impossible<(), Unsupported>;
    type SerializeTupleStruct = Impossible<(), Unsupported>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = Impossible<(), Unsupported>;
    type SerializeStruct = Impossible<(), Unsupported>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    fn serialize_str(self, v: &str) -> Result {
        self.0.key(Key::Text(v))
    }

    unsupported! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_seq(Option<usize>) -> Impossible<(), Unsupported>;
        serialize_map(Option<usize>) -> Impossible<(), Unsupported>;
        serialize_struct(&'static str, usize) -> Impossible<(), Unsupported>;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Impossible<(), Unsupported>;
    }
    unsupported_shapes!();

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result {
        Err(Unsupported)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(Unsupported)
    }
}
