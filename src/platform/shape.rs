//! The spec's JSON Schema compiled once into shapes: for each place in a spec, what it
//! takes (which keys, which of them are required, whether a list), so that a walk of a
//! tree of 10,000 components asks a table instead of opening `$ref`s and `anyOf`s at every
//! node.
//!
//! A shape is the set of schemas a value must match one of ([`super::alternatives`]);
//! shapes are interned by that set, so the graph is finite.

use std::collections::HashMap;
use std::sync::OnceLock;

type Schema = &'static serde_json::Value;

/// A shape's index in [`Shapes::all`].
pub(super) type ShapeId = usize;

/// What a list is, where a value of this shape is written.
#[derive(Debug, PartialEq)]
pub(super) enum List {
    /// A list belongs here: its elements have the shape `items` (none: any value).
    Taken,
    /// The schema takes anything here: the list is not looked into.
    Anything,
    /// No list belongs here: what does, as a spec author would say it.
    Refused(String),
}

#[derive(Debug)]
pub(super) struct Shape {
    /// A declared key: the shape of its value (`None`: nothing is known of it).
    fields: HashMap<&'static str, Option<ShapeId>>,
    /// Any other key: the shape of its value (a name in a map); `None` if there is none.
    other: Option<ShapeId>,
    /// An element of a list.
    pub items: Option<ShapeId>,
    pub list: List,
    /// Where the type is certain (one mapping type among the alternatives): each key it
    /// requires, with a value of its type that its checks accept (`None`: an empty list).
    pub required: Vec<(&'static str, Option<String>)>,
}

impl Shape {
    /// The shape of the value at `key` of a mapping of this shape.
    pub fn child(&self, key: &str) -> Option<ShapeId> {
        match self.fields.get(key) {
            Some(declared) => *declared,
            None => self.other,
        }
    }
}

pub(super) struct Shapes {
    pub all: Vec<Shape>,
}

impl Shapes {
    /// The spec's shapes; the root is shape 0.
    pub fn get() -> &'static Shapes {
        static SHAPES: OnceLock<Shapes> = OnceLock::new();
        SHAPES.get_or_init(|| {
            let root = super::cached_schema();
            let mut build = Build {
                root,
                ids: HashMap::new(),
                all: Vec::new(),
            };
            build.shape(super::alternatives(root, root));
            Shapes {
                all: build.all.into_iter().map(Option::unwrap).collect(),
            }
        })
    }

    pub fn root(&self) -> &Shape {
        &self.all[0]
    }

    pub fn at(&self, id: ShapeId) -> &Shape {
        &self.all[id]
    }
}

struct Build {
    root: Schema,
    /// Interned by the schemas' addresses, in order.
    ids: HashMap<Vec<usize>, ShapeId>,
    /// `None` while a shape's children are being built (a schema that refers to itself).
    all: Vec<Option<Shape>>,
}

impl Build {
    fn shape(&mut self, schemas: Vec<Schema>) -> ShapeId {
        let key: Vec<usize> = schemas.iter().map(|s| *s as *const _ as usize).collect();
        if let Some(id) = self.ids.get(&key) {
            return *id;
        }
        let id = self.all.len();
        self.all.push(None);
        self.ids.insert(key, id);
        let mut names: Vec<&'static str> = Vec::new();
        for schema in &schemas {
            if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
                for name in props.keys() {
                    if !names.contains(&name.as_str()) {
                        names.push(name);
                    }
                }
            }
        }
        let mut fields = HashMap::new();
        for name in names {
            let child = self.below(&schemas, "additionalProperties", name);
            fields.insert(name, child);
        }
        let other = self.below(&schemas, "additionalProperties", "");
        let items = self.below(&schemas, "items", "");
        let shape = Shape {
            fields,
            other,
            items,
            list: list(&schemas),
            required: self.required(&schemas),
        };
        self.all[id] = Some(shape);
        id
    }

    /// The shape of `field` under `schemas`: a declared property, else the `key` schema
    /// (`additionalProperties` for a name in a map, `items` for a list's element).
    fn below(&mut self, schemas: &[Schema], key: &str, field: &str) -> Option<ShapeId> {
        let alternatives = below(self.root, schemas, key, field);
        (!alternatives.is_empty()).then(|| self.shape(alternatives))
    }

    fn required(&self, schemas: &[Schema]) -> Vec<(&'static str, Option<String>)> {
        let mut objects = schemas.iter().filter(|s| s.get("properties").is_some());
        let (Some(object), None) = (objects.next(), objects.next()) else {
            return Vec::new();
        };
        let required = object.get("required").and_then(|r| r.as_array());
        required
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_str())
            .map(|key| (key, stand_in(&below(self.root, &[object], "", key))))
            .collect()
    }
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
    use super::{List, Shapes};

    #[test]
    fn the_root_knows_components_and_their_fields() {
        let shapes = Shapes::get();
        let components = shapes.root().child("components").expect("components");
        let api = shapes
            .at(components)
            .child("any-name")
            .expect("a component");
        let component = shapes.at(api);
        assert!(component.required.iter().any(|(k, _)| *k == "image"));
        assert!(component.child("replicas").is_some());
        // A component is a mapping: a list there is refused, saying what belongs.
        assert_eq!(
            component.list,
            List::Refused("a mapping (`key: value`)".to_string())
        );
        // `platform` is declared; a name the root does not declare has no shape.
        assert!(shapes.root().child("platform").is_some());
        assert_eq!(shapes.root().child("no-such-key"), None);
    }
}
