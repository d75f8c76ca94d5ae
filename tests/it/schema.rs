//! `wfk schema`: the JSON Schema printed by the binary is a valid draft-07 schema, closed
//! (`additionalProperties: false` wherever it lists properties) and documented (every
//! property has a description), it accepts every environment of the reference platform at
//! the repository root, and it rejects a misspelled key.

use jsonschema::Validator;
use serde_json::Value as Json;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use wfk::load;
use wfk::merge::{self, Merged};
use wfk::platform::Platform;
use wfk::source::SourceMap;
use wfk::tree;

const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

/// The environments the reference platform defines.
const REFERENCE_ENVS: &[&str] = &["dev", "prod", "staging"];

/// The schema as `wfk schema` prints it, run once.
fn schema() -> &'static Json {
    static SCHEMA: OnceLock<Json> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let output = Command::new(env!("CARGO_BIN_EXE_wfk"))
            .arg("schema")
            .env("NO_COLOR", "1")
            .output()
            .expect("run `wfk schema`");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "`wfk schema` failed with {}:\n{stderr}",
            output.status
        );
        assert!(stderr.is_empty(), "`wfk schema` wrote to stderr:\n{stderr}");
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "`wfk schema` did not print JSON ({e}):\n{}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
    })
}

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::draft7::new(schema())
            .unwrap_or_else(|e| panic!("the schema does not compile as draft-07: {e}"))
    })
}

/// Every validation error of `instance`, as `/instance/path: message`.
fn errors(instance: &Json) -> Vec<String> {
    validator()
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Reads and merges one environment of the reference platform through the library, with
/// `--set` values.
fn merged(env: &str, sets: &[&str]) -> Merged {
    let mut map = SourceMap::default();
    let layers = load::environment(root(), env, &mut map)
        .unwrap_or_else(|ds| panic!("cannot load environment `{env}`: {ds:#?}"));
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    merge::environment(layers, &sets, &mut map)
        .unwrap_or_else(|ds| panic!("cannot merge environment `{env}`: {ds:#?}"))
}

#[test]
fn the_binary_prints_the_library_schema() {
    assert_eq!(schema(), &wfk::platform::schema());
}

#[test]
fn the_schema_is_a_valid_draft_07_schema() {
    let schema = schema();
    assert_eq!(schema["$schema"], DRAFT_07);
    if let Err(e) = jsonschema::draft7::meta::validate(schema) {
        panic!(
            "not a valid draft-07 schema: {e} (at {}, rule {})",
            e.instance_path, e.schema_path
        );
    }
    // Compiling it resolves every `$ref`.
    validator();
    assert_eq!(schema["type"], "object");
    assert!(
        schema["required"]
            .as_array()
            .is_some_and(|r| r.contains(&Json::from("platform"))),
        "`platform` is not required: {}",
        schema["required"]
    );
}

/// Walks every subschema (properties, items, combinators, definitions) and reports objects
/// with `properties` that are not closed and properties with no description.
fn check_schema(schema: &Json, at: &str, problems: &mut Vec<String>) {
    let Json::Object(obj) = schema else { return };
    if let Some(Json::Object(properties)) = obj.get("properties") {
        if obj.get("additionalProperties") != Some(&Json::Bool(false)) {
            problems.push(format!(
                "{at}: lists properties but does not set `additionalProperties: false`"
            ));
        }
        for (name, property) in properties {
            let here = format!("{at}/properties/{name}");
            let described = property
                .get("description")
                .and_then(Json::as_str)
                .is_some_and(|d| !d.trim().is_empty());
            if !described {
                problems.push(format!("{here}: no description"));
            }
            check_schema(property, &here, problems);
        }
    }
    for keyword in [
        "items",
        "additionalItems",
        "additionalProperties",
        "contains",
        "propertyNames",
        "not",
        "if",
        "then",
        "else",
    ] {
        match obj.get(keyword) {
            Some(Json::Array(list)) => {
                for (i, s) in list.iter().enumerate() {
                    check_schema(s, &format!("{at}/{keyword}/{i}"), problems);
                }
            }
            Some(s) => check_schema(s, &format!("{at}/{keyword}"), problems),
            None => {}
        }
    }
    for keyword in ["allOf", "anyOf", "oneOf"] {
        if let Some(Json::Array(list)) = obj.get(keyword) {
            for (i, s) in list.iter().enumerate() {
                check_schema(s, &format!("{at}/{keyword}/{i}"), problems);
            }
        }
    }
    for keyword in ["definitions", "$defs", "patternProperties", "dependencies"] {
        if let Some(Json::Object(map)) = obj.get(keyword) {
            for (name, s) in map {
                check_schema(s, &format!("{at}/{keyword}/{name}"), problems);
            }
        }
    }
}

#[test]
fn objects_are_closed_and_every_property_is_described() {
    let mut problems = Vec::new();
    check_schema(schema(), "#", &mut problems);
    assert!(
        problems.is_empty(),
        "{} problems in the schema:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_walk_finds_what_it_looks_for() {
    let schema = serde_json::json!({
        "properties": { "a": { "description": "A." } },
        "additionalProperties": false,
        "definitions": {
            "Open": { "properties": { "b": { "description": "B." } } },
            "Undocumented": {
                "additionalProperties": false,
                "properties": { "c": { "type": "array", "items": {
                    "additionalProperties": false,
                    "properties": { "d": {} }
                } } }
            }
        }
    });
    let mut problems = Vec::new();
    check_schema(&schema, "#", &mut problems);
    assert_eq!(
        problems,
        [
            "#/definitions/Open: lists properties but does not set `additionalProperties: false`",
            "#/definitions/Undocumented/properties/c: no description",
            "#/definitions/Undocumented/properties/c/items/properties/d: no description",
        ]
    );
}

#[test]
fn every_environment_of_the_reference_platform_is_valid() {
    let mut map = SourceMap::default();
    let envs = load::environments(root()).expect("list the environments");
    assert_eq!(envs, REFERENCE_ENVS);
    let mut failures = Vec::new();
    // The base alone, then each environment.
    let base = load::file(root(), Path::new(load::PLATFORM_FILE), &mut map)
        .unwrap_or_else(|ds| panic!("cannot load platform.yaml: {ds:#?}"));
    let base = Merged::new(base);
    let mut checked = vec![("platform.yaml alone".to_string(), base)];
    for env in &envs {
        checked.push((format!("environment `{env}`"), merged(env, &[])));
    }
    for (name, merged) in &checked {
        let instance = tree::to_json(&merged.tree);
        let errors = errors(&instance);
        if !errors.is_empty() {
            failures.push(format!("{name}:\n  {}", errors.join("\n  ")));
        }
        // The typed reader agrees with the schema.
        if let Err(ds) = Platform::from_tree(merged) {
            failures.push(format!(
                "{name} passes the schema but not the reader: {ds:#?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "the reference platform does not match the schema:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_overlays_change_what_they_say() {
    // Guards the test above against validating the same tree four times.
    let namespace = |env| tree::to_json(&merged(env, &[]).tree)["namespace"].clone();
    for env in REFERENCE_ENVS {
        assert_eq!(namespace(env), format!("gorax-{env}"));
    }
    let dev = tree::to_json(&merged("dev", &[]).tree);
    assert!(dev["components"]["api"].get("autoscale").is_none());
    assert_eq!(dev["components"]["api"]["replicas"], 1);
}

#[test]
fn a_misspelled_key_fails_validation() {
    for (set, parent, key) in [
        ("components.api.replcas=3", "/components/api", "replcas"),
        ("namepsace=gorax", "", "namepsace"),
        ("ingress.tls.clusterIsuer=x", "/ingress/tls", "clusterIsuer"),
        (
            "components.api.autoscale.mxa=3",
            "/components/api/autoscale",
            "mxa",
        ),
        (
            "components.postgres.storage.data.sise=1Gi",
            "/components/postgres/storage/data",
            "sise",
        ),
        ("defaults.resources.cpuu=1", "/defaults/resources", "cpuu"),
    ] {
        let merged = merged("dev", &[set]);
        let instance = tree::to_json(&merged.tree);
        let errors: Vec<String> = validator()
            .iter_errors(&instance)
            // Under an optional object (`anyOf: [{$ref}, {type: null}]`) the error is
            // reported at the optional object, naming the whole value.
            .filter(|e| {
                let at = e.instance_path.as_str();
                (at == parent || parent.starts_with(&format!("{at}/")))
                    && e.to_string().contains(key)
            })
            .map(|e| e.to_string())
            .collect();
        assert!(
            !errors.is_empty(),
            "--set {set}: no error at `{parent}` names `{key}`; all errors: {:#?}",
            self::errors(&instance)
        );
        assert!(
            Platform::from_tree(&merged).is_err(),
            "--set {set}: the schema rejects it but the reader accepts it"
        );
    }
}

#[test]
fn a_wrong_type_fails_validation() {
    let merged = merged("prod", &["components.api.replicas=three"]);
    let errors = errors(&tree::to_json(&merged.tree));
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("/components/api/replicas:")),
        "{errors:#?}"
    );
}
