//! A JSON-like view of an object's part (a pod template) for the checks that read pods:
//! made by serializing it, and read as `serde_json::Value` is (`view["spec"]["containers"]`,
//! `as_str`, `== true`).
//!
//! It holds what serde writes, field for field, so a check reads every field the API server
//! would get. It is cheaper to make than a `serde_json::Value`: a mapping is one list of
//! entries, and a struct's field names are borrowed, not copied (the pod checks made each
//! pod template a `Value`, a tenth of a render's instructions).

use serde::ser::{self, Serialize};
use std::borrow::Cow;

/// A value: a scalar, a list, or a mapping (its entries in key order, as in a
/// `serde_json::Map`).
#[derive(Clone, Debug, PartialEq)]
pub enum View<'a> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(Cow<'a, str>),
    List(Vec<View<'a>>),
    Map(Vec<(Cow<'a, str>, View<'a>)>),
}

static NULL: View<'static> = View::Null;

impl<'a> View<'a> {
    /// `value` serialized: `None` if serde cannot write it (it is no JSON value then).
    pub fn of(value: &impl Serialize) -> Option<View<'static>> {
        value.serialize(Make).ok()
    }

    /// The value at `key` of a mapping, if it has one.
    pub fn get(&self, key: &str) -> Option<&View<'a>> {
        match self {
            View::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A mapping's entries.
    pub fn entries(&self) -> Option<impl Iterator<Item = (&str, &View<'a>)>> {
        match self {
            View::Map(entries) => Some(entries.iter().map(|(k, v)| (k.as_ref(), v))),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[View<'a>]> {
        match self {
            View::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            View::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            View::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            View::Int(i) => Some(*i),
            View::UInt(u) => i64::try_from(*u).ok(),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, View::Null)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, View::Map(_))
    }
}

impl<'a> std::ops::Index<&str> for View<'a> {
    type Output = View<'a>;

    /// The value at `key`, or null (as `serde_json::Value` indexes).
    fn index(&self, key: &str) -> &View<'a> {
        self.get(key).unwrap_or(&NULL)
    }
}

impl PartialEq<bool> for View<'_> {
    fn eq(&self, other: &bool) -> bool {
        matches!(self, View::Bool(b) if b == other)
    }
}

impl PartialEq<str> for View<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for View<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl std::fmt::Display for View<'_> {
    /// As JSON writes a scalar (a number, in a message).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            View::Null => f.write_str("null"),
            View::Bool(b) => write!(f, "{b}"),
            View::Int(i) => write!(f, "{i}"),
            View::UInt(u) => write!(f, "{u}"),
            View::Float(x) => write!(f, "{x}"),
            View::Str(s) => write!(f, "{:?}", s.as_ref()),
            View::List(_) | View::Map(_) => f.write_str("…"),
        }
    }
}

/// A map key that is neither a string nor an integer (JSON has none), or what a value's
/// `Serialize` reported.
type Unsupported = serde_json::Error;

/// The error for a value that is no JSON value.
fn unsupported() -> Unsupported {
    ser::Error::custom("not a JSON value")
}

type Made = Result<View<'static>, Unsupported>;

/// The serializer that makes a view.
struct Make;

struct List(Vec<View<'static>>);

struct Map {
    entries: Vec<(Cow<'static, str>, View<'static>)>,
    key: Option<Cow<'static, str>>,
}

/// The serializer's methods for integers that fit an `i64`.
macro_rules! integers {
    ($($name:ident($ty:ty)),* $(,)?) => {
        $(fn $name(self, v: $ty) -> Made {
            Ok(View::Int(v.into()))
        })*
    };
}

impl ser::Serializer for Make {
    type Ok = View<'static>;
    type Error = Unsupported;
    type SerializeSeq = List;
    type SerializeTuple = List;
    type SerializeTupleStruct = List;
    type SerializeTupleVariant = Variant<List>;
    type SerializeMap = Map;
    type SerializeStruct = Map;
    type SerializeStructVariant = Variant<Map>;

    fn serialize_bool(self, v: bool) -> Made {
        Ok(View::Bool(v))
    }
    integers! {
        serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64),
        serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
    }
    fn serialize_u64(self, v: u64) -> Made {
        Ok(i64::try_from(v).map_or(View::UInt(v), View::Int))
    }
    fn serialize_f32(self, v: f32) -> Made {
        Ok(View::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Made {
        Ok(View::Float(v))
    }
    fn serialize_char(self, v: char) -> Made {
        Ok(View::Str(Cow::Owned(v.to_string())))
    }
    fn serialize_str(self, v: &str) -> Made {
        Ok(View::Str(Cow::Owned(v.to_string())))
    }
    fn serialize_bytes(self, v: &[u8]) -> Made {
        Ok(View::List(v.iter().map(|&b| View::Int(b.into())).collect()))
    }
    fn serialize_none(self) -> Made {
        Ok(View::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Made {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Made {
        Ok(View::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Made {
        Ok(View::Null)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Made {
        Ok(View::Str(Cow::Borrowed(variant)))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Made {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Made {
        Ok(View::Map(vec![(
            Cow::Borrowed(variant),
            value.serialize(Make)?,
        )]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<List, Unsupported> {
        Ok(List(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<List, Unsupported> {
        Ok(List(Vec::with_capacity(len)))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<List, Unsupported> {
        Ok(List(Vec::with_capacity(len)))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<List>, Unsupported> {
        Ok(Variant {
            name: variant,
            inner: List(Vec::with_capacity(len)),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map, Unsupported> {
        Ok(Map {
            entries: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Map, Unsupported> {
        Ok(Map {
            entries: Vec::with_capacity(len),
            key: None,
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Map>, Unsupported> {
        Ok(Variant {
            name: variant,
            inner: Map {
                entries: Vec::with_capacity(len),
                key: None,
            },
        })
    }
}

/// An enum variant with fields, written as serde_json writes it: `{variant: [...]}` or
/// `{variant: {...}}`.
struct Variant<T> {
    name: &'static str,
    inner: T,
}

impl Variant<List> {
    fn end(self) -> Made {
        Ok(View::Map(vec![(
            Cow::Borrowed(self.name),
            View::List(self.inner.0),
        )]))
    }
}

impl ser::SerializeTuple for List {
    type Ok = View<'static>;
    type Error = Unsupported;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Made {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for List {
    type Ok = View<'static>;
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Made {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for Variant<List> {
    type Ok = View<'static>;
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        ser::SerializeSeq::serialize_element(&mut self.inner, value)
    }
    fn end(self) -> Made {
        Variant::end(self)
    }
}

impl ser::SerializeStructVariant for Variant<Map> {
    type Ok = View<'static>;
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }
    fn end(self) -> Made {
        Ok(View::Map(vec![(
            Cow::Borrowed(self.name),
            View::Map(self.inner.entries),
        )]))
    }
}

impl ser::SerializeSeq for List {
    type Ok = View<'static>;
    type Error = Unsupported;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.0.push(value.serialize(Make)?);
        Ok(())
    }
    fn end(self) -> Made {
        Ok(View::List(self.0))
    }
}

impl Map {
    /// Adds an entry in key order, as a `serde_json::Map` holds them; a key written twice
    /// keeps its last value.
    fn insert(&mut self, key: Cow<'static, str>, value: View<'static>) {
        // Fields mostly come in order: the end is the place to look first.
        if self.entries.last().is_none_or(|(last, _)| *last < key) {
            self.entries.push((key, value));
            return;
        }
        match self.entries.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => self.entries[i].1 = value,
            Err(i) => self.entries.insert(i, (key, value)),
        }
    }
}

impl ser::SerializeMap for Map {
    type Ok = View<'static>;
    type Error = Unsupported;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        match key.serialize(Make)? {
            View::Str(key) => {
                self.key = Some(key);
                Ok(())
            }
            // JSON object keys are strings; a number key is written as one.
            View::Int(i) => {
                self.key = Some(Cow::Owned(i.to_string()));
                Ok(())
            }
            _ => Err(unsupported()),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        let key = self.key.take().ok_or_else(unsupported)?;
        let value = value.serialize(Make)?;
        self.insert(key, value);
        Ok(())
    }
    fn end(self) -> Made {
        Ok(View::Map(self.entries))
    }
}

impl ser::SerializeStruct for Map {
    type Ok = View<'static>;
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        let value = value.serialize(Make)?;
        self.insert(Cow::Borrowed(key), value);
        Ok(())
    }
    fn end(self) -> Made {
        Ok(View::Map(self.entries))
    }
}

#[cfg(test)]
mod tests {
    use super::View;
    use serde_json::json;

    /// The view of a typed value is the view of its JSON.
    #[test]
    fn a_typed_values_view_is_its_jsons_view() {
        let pod: k8s_openapi::api::core::v1::PodTemplateSpec = serde_json::from_value(json!({
            "metadata": { "labels": { "a": "b" }, "annotations": { "x/y": "z" } },
            "spec": {
                "hostNetwork": true,
                "securityContext": { "runAsUser": -1, "sysctls": [{ "name": "n", "value": "v" }] },
                "containers": [{
                    "name": "c",
                    "ports": [{ "containerPort": 80, "hostPort": 8080 }],
                    "resources": { "limits": { "cpu": "1" } },
                    "env": [{ "name": "E", "valueFrom": { "secretKeyRef": { "name": "s", "key": "k" } } }],
                    "securityContext": { "capabilities": { "drop": ["ALL"] } },
                }],
                "volumes": [{ "name": "v", "hostPath": { "path": "/" } }],
            },
        }))
        .unwrap();
        let json = serde_json::to_value(&pod).unwrap();
        let made = View::of(&pod).unwrap();
        assert_eq!(made, View::of(&json).unwrap());
        assert!(made["spec"]["hostNetwork"] == true);
        assert_eq!(
            made["spec"]["securityContext"]["runAsUser"].as_i64(),
            Some(-1)
        );
        assert!(made["spec"]["containers"].as_array().unwrap()[0]["name"] == "c");
        assert!(made["spec"]["missing"]["deeper"].is_null());
        let keys: Vec<&str> = made["spec"]["volumes"].as_array().unwrap()[0]
            .entries()
            .unwrap()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["hostPath", "name"]);
        assert_eq!(
            made["spec"]["containers"].as_array().unwrap()[0]["ports"]
                .as_array()
                .unwrap()[0]["hostPort"]
                .to_string(),
            "8080"
        );
    }

    #[test]
    fn tuples_and_enum_variants_are_viewed_as_their_json() {
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            New(u8),
            Tuple(u8, String),
            Struct { b: bool, a: i32 },
        }
        #[derive(serde::Serialize)]
        struct Pair(i8, &'static str);
        let value = (
            [E::Unit, E::New(1), E::Tuple(2, "x".into())],
            E::Struct { b: true, a: -3 },
            Pair(-1, "y"),
            std::collections::BTreeMap::from([(7, "seven")]),
        );
        let json = serde_json::to_value(&value).unwrap();
        assert_eq!(View::of(&value).unwrap(), View::of(&json).unwrap());
        assert!(View::of(&json).unwrap().as_array().unwrap()[3]["7"] == "seven");
    }

    #[test]
    fn numbers_keep_their_value_and_a_key_written_twice_its_last() {
        let big = View::of(&json!({ "n": u64::MAX, "m": i64::MIN, "f": 0.5 })).unwrap();
        assert_eq!(big["n"], View::UInt(u64::MAX));
        assert_eq!(big["m"].as_i64(), Some(i64::MIN));
        assert_eq!(big["f"], View::Float(0.5));
        assert_eq!(big["n"].as_i64(), None);
        let mut map = super::Map {
            entries: Vec::new(),
            key: None,
        };
        for (k, v) in [("b", 1), ("a", 2), ("c", 3), ("a", 4)] {
            map.insert(k.into(), View::Int(v));
        }
        let view = View::Map(map.entries);
        let entries: Vec<(&str, i64)> = view
            .entries()
            .unwrap()
            .map(|(k, v)| (k, v.as_i64().unwrap()))
            .collect();
        assert_eq!(entries, [("a", 4), ("b", 1), ("c", 3)]);
    }
}
