//! Custom resources checked against their CRDs. kubernetes-validate has no schemas for the
//! kinds of the Prometheus Operator, cert-manager or External Secrets: it warns about each
//! and checks nothing. So every custom resource of every render it reads (examples.rs, and
//! render.rs's reference platform and test projects) is validated here against the
//! `openAPIV3Schema` of its CRD for its `apiVersion`, as strictly as the API server's
//! `fieldValidation=Strict` (kubectl's default) treats a structural schema:
//! - an object node that is neither a map (`additionalProperties`) nor
//!   `x-kubernetes-preserve-unknown-fields` takes no field it does not name; branches of
//!   `allOf`, `anyOf`, `oneOf` and `not` only restate value checks, so they stay open;
//! - `x-kubernetes-int-or-string` is an integer or a string; `nullable` allows `null`;
//! - `apiVersion` and `kind` are fixed; `metadata` is kubernetes-validate's strict
//!   `ObjectMeta`, with a DNS-1123 `name` (and `namespace`).
//!
//! Not checked, as the API server does it: CEL rules (`x-kubernetes-validations`), the
//! uniqueness of list-map keys, `format`s.
//!
//! The CRDs: scripts/test.sh copies [`CRDS`] into .venv/crds (or set WFK_CRDS to a folder that
//! has them) from the sources of the crate kopium, which keeps upstream CRDs as test data. A
//! custom kind whose CRD no registry package ships is in [`EXEMPT`], saying so; any other
//! custom kind without a CRD here fails the test by name. To check a new custom kind: add its
//! file to `CRDS` in scripts/test.sh and here.

use crate::render_support::{key, render_json, root, run_program, tool};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A CRD file in .venv/crds, and the served version and kind of it that renders use.
pub struct Crd {
    file: &'static str,
    api_version: &'static str,
    kind: &'static str,
}

/// Every CRD the custom resources are checked against; scripts/test.sh copies each file.
#[rustfmt::skip]
pub const CRDS: [Crd; 4] = [
    Crd { file: "servicemonitors.monitoring.coreos.com.yaml", api_version: "monitoring.coreos.com/v1", kind: "ServiceMonitor" },
    Crd { file: "podmonitors.monitoring.coreos.com.yaml",     api_version: "monitoring.coreos.com/v1", kind: "PodMonitor" },
    Crd { file: "certificates.cert-manager.io.yaml",          api_version: "cert-manager.io/v1",       kind: "Certificate" },
    Crd { file: "externalsecrets.external-secrets.io.yaml",   api_version: "external-secrets.io/v1",   kind: "ExternalSecret" },
];

/// The only custom kinds (`apiVersion`, `kind`) that neither kubernetes-validate nor this
/// file checks, each saying why.
pub const EXEMPT: [(&str, &str); 1] = [
    // No registry package ships cert-manager's ClusterIssuer CRD.
    ("cert-manager.io/v1", "ClusterIssuer"),
];

/// The strict schemas of kubernetes-validate's newest Kubernetes, whose `ObjectMeta` checks
/// `metadata`.
const DEFINITIONS: &str = "kubernetes-json-schema/v1.37.0-local-strict/_definitions.json";
const DEFINITIONS_ID: &str = "https://kubernetes.io/api/_definitions.json";

/// Whether a line kubernetes-validate printed is its warning that it has no schema for a
/// custom kind that this file checks against its CRD or exempts. Any other line, a warning
/// about another kind included, is a failure of the step that reads it.
pub fn is_warning_of_a_custom_kind(line: &str) -> bool {
    let mut custom = CRDS.iter().map(|c| (c.kind, c.api_version)).chain(
        EXEMPT
            .iter()
            .map(|&(api_version, kind)| (kind, api_version)),
    );
    line.starts_with("WARN ")
        && custom.any(|(kind, api_version)| {
            line.contains(&format!(
                "Couldn't find schema for kind {kind} with api version {api_version} "
            ))
        })
}

/// Whether an `apiVersion` is of a custom resource. Built-in groups are the core one (`v1`),
/// the dotless ones (`apps`, `batch`, …) and `*.k8s.io`. A CRD in a `*.k8s.io` group (the
/// Gateway API's) is taken for built-in here, but kubernetes-validate has no schema for it,
/// and its warning fails the step that runs it.
fn is_custom(api_version: &str) -> bool {
    api_version
        .rsplit_once('/')
        .is_some_and(|(group, _)| group.contains('.') && !group.ends_with(".k8s.io"))
}

/// The folder of the CRD files: WFK_CRDS, or scripts/test.sh's .venv/crds.
fn crd_dir() -> PathBuf {
    std::env::var_os("WFK_CRDS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv").join("crds"))
}

/// kubernetes-validate's strict definitions, found through the virtualenv's Python.
fn definitions() -> Value {
    let python = tool("python", "WFK_PYTHON");
    let script = "import importlib.util\n\
                  print(importlib.util.find_spec('kubernetes_validate').submodule_search_locations[0])";
    let run = run_program(&python, &["-c", script], &root());
    assert_eq!(
        (run.status, run.stderr.as_str()),
        (Some(0), ""),
        "{} cannot find kubernetes_validate: run `scripts/test.sh`, which installs it",
        python.display()
    );
    let file = Path::new(run.stdout.trim_end()).join(DEFINITIONS);
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// A CRD schema node as JSON Schema 2020-12, closed wherever Strict field validation is.
fn strict(node: &Value, in_junctor: bool) -> Value {
    let Some(object) = node.as_object() else {
        return node.clone();
    };
    let flag = |name: &str| object.get(name) == Some(&Value::Bool(true));
    let int_or_string = flag("x-kubernetes-int-or-string");
    let mut out: Map<String, Value> = object
        .iter()
        .filter(|(k, _)| {
            !k.starts_with("x-kubernetes-")
                && !matches!(k.as_str(), "description" | "example" | "nullable")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if int_or_string {
        out.remove("type");
        out.insert(
            "anyOf".into(),
            json!([{ "type": "integer" }, { "type": "string" }]),
        );
    }
    if flag("nullable") {
        if let Some(t) = out.get("type").cloned() {
            out.insert("type".into(), json!([t, "null"]));
        }
        if let Some(Value::Array(values)) = out.get_mut("enum") {
            values.push(Value::Null);
        }
    }
    if let Some(Value::Object(properties)) = out.get_mut("properties") {
        for p in properties.values_mut() {
            *p = strict(p, in_junctor);
        }
    }
    if let Some(map @ Value::Object(_)) = out.get_mut("additionalProperties") {
        *map = strict(map, in_junctor);
    }
    if let Some(items) = out.get_mut("items") {
        *items = strict(items, in_junctor);
    }
    for junctor in ["allOf", "anyOf", "oneOf"] {
        if let (Some(Value::Array(branches)), false) = (object.get(junctor), int_or_string) {
            let branches = branches.iter().map(|b| strict(b, true)).collect();
            out.insert(junctor.into(), Value::Array(branches));
        }
    }
    if let Some(not) = object.get("not") {
        out.insert("not".into(), strict(not, true));
    }
    let closed = object.get("type") == Some(&json!("object"))
        && !flag("x-kubernetes-preserve-unknown-fields")
        && !in_junctor
        && !out.contains_key("additionalProperties");
    if closed {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}

/// The whole object's schema for one served version of a CRD.
fn object_schema(version: &Value, api_version: &str, kind: &str) -> Value {
    const DNS1123_LABEL: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    let mut schema = strict(&version["schema"]["openAPIV3Schema"], false);
    schema["properties"]["apiVersion"] = json!({ "const": api_version });
    schema["properties"]["kind"] = json!({ "const": kind });
    schema["properties"]["metadata"] = json!({
        "allOf": [
            { "$ref": format!("{DEFINITIONS_ID}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta") },
            {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {
                        "type": "string",
                        "maxLength": 253,
                        "pattern": format!("^{DNS1123_LABEL}(\\.{DNS1123_LABEL})*$"),
                    },
                    "namespace": {
                        "type": "string",
                        "maxLength": 63,
                        "pattern": format!("^{DNS1123_LABEL}$"),
                    },
                },
            },
        ],
    });
    let mut required: Vec<Value> = schema["required"].as_array().cloned().unwrap_or_default();
    for field in ["apiVersion", "kind", "metadata"] {
        if !required.contains(&json!(field)) {
            required.push(json!(field));
        }
    }
    schema["required"] = Value::Array(required);
    schema
}

/// A validator for every served version of every CRD in [`CRDS`].
struct Checker {
    validators: BTreeMap<(String, String), jsonschema::Validator>,
}

impl Checker {
    fn load() -> Checker {
        let dir = crd_dir();
        let definitions = definitions();
        let mut validators = BTreeMap::new();
        for crd in &CRDS {
            let file = dir.join(crd.file);
            let text = std::fs::read_to_string(&file).unwrap_or_else(|e| {
                panic!(
                    "`{}` is missing ({e}): run `scripts/test.sh` (it copies the CRDs the \
                     custom resources are checked against into .venv/crds), or point WFK_CRDS \
                     at a folder that has them",
                    file.display()
                )
            });
            let doc: Value =
                serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert_eq!(
                (&doc["kind"], &doc["spec"]["names"]["kind"]),
                (&json!("CustomResourceDefinition"), &json!(crd.kind)),
                "{} is the CRD of {}",
                file.display(),
                crd.kind
            );
            let group = doc["spec"]["group"].as_str().expect("a CRD has a group");
            let versions = doc["spec"]["versions"].as_array().expect("versions");
            for version in versions.iter().filter(|v| v["served"] == true) {
                let api_version = format!("{group}/{}", version["name"].as_str().unwrap());
                let schema = object_schema(version, &api_version, crd.kind);
                let resource = jsonschema::Resource::from_contents(definitions.clone())
                    .expect("kubernetes-validate's definitions are a schema");
                let validator = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .with_resource(DEFINITIONS_ID, resource)
                    .build(&schema)
                    .unwrap_or_else(|e| panic!("{}, {api_version}: {e}", file.display()));
                validators.insert((api_version, crd.kind.to_string()), validator);
            }
            assert!(
                validators.contains_key(&(crd.api_version.into(), crd.kind.into())),
                "{} does not serve {} {}",
                file.display(),
                crd.api_version,
                crd.kind
            );
        }
        Checker { validators }
    }

    /// What the CRD of `object`'s `apiVersion` and `kind` rejects in it, each as `path:
    /// message`; `None` when there is no CRD for them here.
    fn errors(&self, object: &Value) -> Option<Vec<String>> {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let validator = self
            .validators
            .get(&(text(&object["apiVersion"]), text(&object["kind"])))?;
        let errors = validator.iter_errors(object).map(|e| {
            let path = e.instance_path.to_string();
            format!("{}: {e}", if path.is_empty() { "/" } else { &path })
        });
        Some(errors.collect())
    }
}

/// Every render that a kubernetes-validate step reads: examples.rs's and render.rs's.
fn renders() -> Vec<(String, PathBuf, &'static str)> {
    let examples = crate::examples::renders().map(|(name, env)| {
        (
            format!("examples/{name}"),
            crate::examples::example(name),
            env,
        )
    });
    let others = crate::render::all_renders().into_iter().map(|(dir, env)| {
        let what = match dir.strip_prefix(root()) {
            Ok(p) if p.as_os_str().is_empty() => "the reference platform".to_string(),
            Ok(p) => p.display().to_string(),
            Err(_) => dir.display().to_string(),
        };
        (what, dir, env)
    });
    examples.chain(others).collect()
}

#[test]
fn every_custom_resource_of_every_render_matches_its_crd() {
    let checker = Checker::load();
    let mut checked: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (what, dir, env) in renders() {
        for object in render_json(&dir, env, &[]) {
            let api_version = object["apiVersion"].as_str().unwrap_or_default();
            if !is_custom(api_version) {
                continue;
            }
            let kind = object["kind"].as_str().unwrap_or_default();
            match checker.errors(&object) {
                Some(errors) => {
                    *checked.entry(format!("{api_version} {kind}")).or_default() += 1;
                    failures.extend(
                        errors
                            .into_iter()
                            .map(|e| format!("{what} ({env}): {}: {e}", key(&object))),
                    );
                }
                None if EXEMPT.contains(&(api_version, kind)) => {}
                None => failures.push(format!(
                    "{what} ({env}): {}: no CRD for {api_version} {kind}; add one to CRDS (in \
                     tests/it/crd.rs and scripts/test.sh) from a registry package, or to \
                     EXEMPT saying why none ships it",
                    key(&object)
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "custom resources their CRDs reject:\n{}",
        failures.join("\n")
    );
    // The renders have ServiceMonitors; were they gone, this test would check nothing.
    assert!(
        checked.contains_key("monitoring.coreos.com/v1 ServiceMonitor"),
        "no render has a ServiceMonitor to check; checked: {checked:?}"
    );
}

/// A ServiceMonitor that the Prometheus Operator's CRD accepts, `targetPort` being an
/// integer in one endpoint and a string in the other.
fn service_monitor() -> Value {
    json!({
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": { "name": "api", "namespace": "shop", "labels": { "release": "prometheus" } },
        "spec": {
            "selector": { "matchLabels": { "app.kubernetes.io/name": "api" } },
            "endpoints": [
                { "port": "http", "path": "/metrics", "interval": "30s", "targetPort": 8080 },
                { "targetPort": "metrics", "scheme": "http" },
            ],
        },
    })
}

#[test]
fn the_crd_check_rejects_unknown_fields_wrong_types_and_bad_names() {
    let checker = Checker::load();
    assert_eq!(checker.errors(&service_monitor()), Some(vec![]));
    let mut wrong = service_monitor();
    wrong["spec"]["endpoints"][0]["intervall"] = json!("30s");
    wrong["spec"]["endpoints"][1]["interval"] = json!(30);
    wrong["metadata"]["label"] = json!({ "release": "prometheus" });
    wrong["metadata"]["name"] = json!("API");
    let errors = checker.errors(&wrong).expect("a CRD for ServiceMonitor");
    let expected = [
        ("/metadata: ", "'label' was unexpected"),
        ("/metadata/name: ", "\"API\" does not match"),
        ("/spec/endpoints/0: ", "'intervall' was unexpected"),
        (
            "/spec/endpoints/1/interval: ",
            "30 is not of type \"string\"",
        ),
    ];
    assert!(
        errors.len() == expected.len()
            && errors
                .iter()
                .zip(expected)
                .all(|(e, (path, what))| e.starts_with(path) && e.contains(what)),
        "expected {expected:?}, got {errors:#?}"
    );
    let mut unknown_version = service_monitor();
    unknown_version["apiVersion"] = json!("monitoring.coreos.com/v2");
    assert_eq!(checker.errors(&unknown_version), None);
}

#[test]
fn only_custom_kinds_are_left_to_the_crd_check() {
    for api_version in [
        "v1",
        "apps/v1",
        "networking.k8s.io/v1",
        "gateway.networking.k8s.io/v1",
    ] {
        assert!(!is_custom(api_version), "{api_version}");
    }
    for api_version in [
        "monitoring.coreos.com/v1",
        "cert-manager.io/v1",
        "external-secrets.io/v1",
    ] {
        assert!(is_custom(api_version), "{api_version}");
    }
    for (kind, api_version, tolerated) in [
        ("ServiceMonitor", "monitoring.coreos.com/v1", true),
        ("ClusterIssuer", "cert-manager.io/v1", true),
        ("Issuer", "cert-manager.io/v1", false),
        ("ServiceMonitor", "monitoring.coreos.com/v2", false),
    ] {
        let line = format!(
            "WARN prod.yaml Couldn't find schema for kind {kind} with api version {api_version} \
             for kubernetes version 1.37"
        );
        assert_eq!(is_warning_of_a_custom_kind(&line), tolerated, "{line}");
    }
}
