//! The spec's JSON Schema compiled once into shapes: for each place in a spec, what it
//! takes (which keys, which of them are required, whether a list), so that a walk of a
//! tree of 10,000 components asks a table instead of opening `$ref`s and `anyOf`s at every
//! node.
//!
//! A shape is the set of schemas a value must match one of ([`super::alternatives`]);
//! shapes are interned by that set, so the graph is finite.
//!
//! The schema is read from `shape.json`, the spec's schema with only the keywords shapes
//! read: generating it with schemars at each run cost a quarter of a small render. A test
//! checks that the file is the schema `wfk schema` prints, stripped (`WFK_BLESS=1`
//! rewrites it).

use foldhash::{HashMap, HashMapExt};
use std::sync::{Mutex, OnceLock};

type Schema = &'static serde_json::Value;

/// A shape's index in [`Shapes`].
pub(super) type ShapeId = usize;

/// The root shape: the spec's.
pub(super) const ROOT: ShapeId = 0;

/// What a list is, where a value of this shape is written.
#[derive(Debug, PartialEq)]
pub(super) enum List {
    /// A list belongs here: its elements have the shape [`Shapes::items`].
    Taken,
    /// The schema takes anything here: the list is not looked into.
    Anything,
    /// No list belongs here: what does, as a spec author would say it.
    Refused(String),
}

/// One shape, each part worked out when it is first asked for: the schema has shapes for
/// every field of every Kubernetes patch and policy, and a spec visits few of them.
struct Shape {
    schemas: Vec<Schema>,
    /// The shape of a declared key's value (`None`: nothing is known of it).
    fields: HashMap<&'static str, Option<ShapeId>>,
    /// The shape of any other key's value (a name in a map).
    other: Option<Option<ShapeId>>,
    /// The shape of a list's element.
    items: Option<Option<ShapeId>>,
    list: Option<List>,
    required: Option<Vec<(&'static str, Option<String>)>>,
}

pub(super) struct Shapes {
    root: Schema,
    /// Interned by the schemas' addresses, in order.
    ids: HashMap<Vec<usize>, ShapeId>,
    all: Vec<Shape>,
}

impl Shapes {
    /// Runs `f` with the spec's shapes, kept from one call to the next.
    pub fn with<R>(f: impl FnOnce(&mut Shapes) -> R) -> R {
        static SHAPES: Mutex<Option<Shapes>> = Mutex::new(None);
        let mut guard = SHAPES.lock().unwrap_or_else(|e| e.into_inner());
        let shapes = guard.get_or_insert_with(|| {
            let root = schema();
            let mut shapes = Shapes {
                root,
                ids: HashMap::new(),
                all: Vec::new(),
            };
            shapes.intern(super::alternatives(root, root));
            shapes
        });
        f(shapes)
    }

    fn intern(&mut self, schemas: Vec<Schema>) -> ShapeId {
        let key: Vec<usize> = schemas.iter().map(|s| *s as *const _ as usize).collect();
        if let Some(id) = self.ids.get(&key) {
            return *id;
        }
        let id = self.all.len();
        self.ids.insert(key, id);
        self.all.push(Shape {
            schemas,
            fields: HashMap::new(),
            other: None,
            items: None,
            list: None,
            required: None,
        });
        id
    }

    /// The shape of `field` under shape `id`: a declared property, else the `key` schema
    /// (`additionalProperties` for a name in a map, `items` for a list's element).
    fn below(&mut self, id: ShapeId, key: &str, field: &str) -> Option<ShapeId> {
        let alternatives = below(self.root, &self.all[id].schemas, key, field);
        (!alternatives.is_empty()).then(|| self.intern(alternatives))
    }

    /// The shape of the value at `key` of a mapping of shape `id`.
    pub fn child(&mut self, id: ShapeId, key: &str) -> Option<ShapeId> {
        if let Some(child) = self.all[id].fields.get(key) {
            return *child;
        }
        let declared = self.all[id].schemas.iter().find_map(|s| {
            let (name, _) = s.get("properties")?.as_object()?.get_key_value(key)?;
            Some(name.as_str())
        });
        match declared {
            Some(name) => {
                let child = self.below(id, "additionalProperties", name);
                self.all[id].fields.insert(name, child);
                child
            }
            None => {
                if let Some(child) = self.all[id].other {
                    return child;
                }
                let child = self.below(id, "additionalProperties", "");
                self.all[id].other = Some(child);
                child
            }
        }
    }

    /// The shape of an element of a list of shape `id`.
    pub fn items(&mut self, id: ShapeId) -> Option<ShapeId> {
        if let Some(items) = self.all[id].items {
            return items;
        }
        let items = self.below(id, "items", "");
        self.all[id].items = Some(items);
        items
    }

    /// Whether a list belongs where a value of shape `id` does.
    pub fn list(&mut self, id: ShapeId) -> &List {
        let shape = &mut self.all[id];
        shape.list.get_or_insert_with(|| list(&shape.schemas))
    }

    /// Where the type is certain (one mapping type among the alternatives): each key shape
    /// `id` requires, with a value of its type that its checks accept (`None`: an empty
    /// list).
    pub fn required(&mut self, id: ShapeId) -> &[(&'static str, Option<String>)] {
        let root = self.root;
        let shape = &mut self.all[id];
        shape
            .required
            .get_or_insert_with(|| required(root, &shape.schemas))
    }
}

#[cfg(test)]
/// The keywords of a schema that shapes read; `properties` and `definitions` hold schemas
/// by name.
const KEYWORDS: [&str; 13] = [
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "properties",
    "definitions",
    "additionalProperties",
    "items",
    "type",
    "enum",
    "const",
    "required",
    "minimum",
];

/// The spec's schema, as shapes read it.
fn schema() -> Schema {
    static SCHEMA: OnceLock<serde_json::Value> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(include_str!("shape.json")).unwrap_or_default())
}

/// `schema` with only [`KEYWORDS`].
#[cfg(test)]
fn stripped(schema: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = serde_json::Map::new();
    for (key, value) in map {
        let value = match (key.as_str(), value) {
            ("properties" | "definitions", Value::Object(named)) => Value::Object(
                named
                    .iter()
                    .map(|(name, s)| (name.clone(), stripped(s)))
                    .collect(),
            ),
            ("allOf" | "anyOf" | "oneOf", Value::Array(list)) => {
                Value::Array(list.iter().map(stripped).collect())
            }
            ("additionalProperties" | "items", _) => stripped(value),
            (key, _) if KEYWORDS.contains(&key) => value.clone(),
            _ => continue,
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

fn required(root: Schema, schemas: &[Schema]) -> Vec<(&'static str, Option<String>)> {
    let mut objects = schemas.iter().filter(|s| s.get("properties").is_some());
    let (Some(object), None) = (objects.next(), objects.next()) else {
        return Vec::new();
    };
    let required = object.get("required").and_then(|r| r.as_array());
    required
        .into_iter()
        .flatten()
        .filter_map(|k| k.as_str())
        .map(|key| (key, stand_in(&below(root, &[object], "", key))))
        .collect()
}

fn below(root: Schema, schemas: &[Schema], key: &str, field: &str) -> Vec<Schema> {
    schemas
        .iter()
        .flat_map(|s| {
            let child = match s.get("properties").and_then(|p| p.get(field)) {
                Some(p) => Some(p),
                None => s.get(key).filter(|a| a.is_object()),
            };
            child
                .map(|c| super::alternatives(root, c))
                .unwrap_or_default()
        })
        .collect()
}

/// Whether a list belongs where a value of one of `schemas` does. serde reads a list as a
/// struct's fields in order (`autoscale: [2, 5]` as `min` and `max`), so a list where none
/// belongs is refused whole, with what does.
fn list(schemas: &[Schema]) -> List {
    let mut types = Vec::new();
    for schema in schemas {
        match schema.get("type") {
            Some(serde_json::Value::String(t)) => types.push(t.as_str()),
            Some(serde_json::Value::Array(ts)) => {
                types.extend(ts.iter().filter_map(|t| t.as_str()))
            }
            // An enum of words, a constant: not a list.
            _ if schema.get("enum").is_some() || schema.get("const").is_some() => {
                types.push("string")
            }
            // A schema that takes anything.
            _ => return List::Anything,
        }
    }
    types.retain(|t| *t != "null");
    if types.is_empty() || types.contains(&"array") {
        return List::Taken;
    }
    let mut words: Vec<&str> = Vec::new();
    for t in types {
        let word = match t {
            "object" => "a mapping (`key: value`)",
            "string" => "a string",
            "integer" => "a whole number",
            "number" => "a number",
            "boolean" => "`true` or `false`",
            other => other,
        };
        if !words.contains(&word) {
            words.push(word);
        }
    }
    List::Refused(words.join(" or "))
}

/// A value of the type `schemas` describe that its checks accept, to stand in for a key a
/// layer leaves to another: an empty list, the least number allowed, the first word of an
/// enum, or `0` (which reads as a string and as every number).
fn stand_in(schemas: &[Schema]) -> Option<String> {
    for schema in schemas {
        if let Some(word) = schema
            .get("enum")
            .and_then(|e| e.get(0))
            .and_then(|w| w.as_str())
        {
            return Some(word.to_string());
        }
        if schema.get("type").and_then(|t| t.as_str()) == Some("array") {
            return None;
        }
        if let Some(least) = schema.get("minimum").and_then(|m| m.as_u64()) {
            return Some(least.to_string());
        }
    }
    Some("0".to_string())
}

#[cfg(test)]
mod tests {
    use super::{List, ROOT, Shapes, stripped};

    #[test]
    fn shape_json_is_the_spec_schema_stripped() {
        let want = serde_json::to_string(&stripped(super::super::cached_schema())).unwrap() + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/platform/shape.json");
        if std::env::var_os("WFK_BLESS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "src/platform/shape.json is not the spec's schema, stripped: rewrite it with \
             `WFK_BLESS=1 cargo test --lib shape_json`"
        );
        assert_eq!(
            *super::schema(),
            serde_json::from_str::<serde_json::Value>(&want).unwrap()
        );
    }

    #[test]
    fn the_root_knows_components_and_their_fields() {
        Shapes::with(|shapes| {
            let components = shapes.child(ROOT, "components").expect("components");
            let api = shapes.child(components, "any-name").expect("a component");
            assert!(shapes.required(api).iter().any(|(k, _)| *k == "image"));
            assert!(shapes.child(api, "replicas").is_some());
            // A component is a mapping: a list there is refused, saying what belongs.
            assert_eq!(
                shapes.list(api),
                &List::Refused("a mapping (`key: value`)".to_string())
            );
            // `platform` is declared; a name the root does not declare has no shape.
            assert!(shapes.child(ROOT, "platform").is_some());
            assert_eq!(shapes.child(ROOT, "no-such-key"), None);
            // Two components have one shape.
            assert_eq!(shapes.child(components, "other-name"), Some(api));
        })
    }
}
