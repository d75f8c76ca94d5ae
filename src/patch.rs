//! Last-resort patches: a JSON merge patch (RFC 7396) on one rendered object, chosen by
//! `Kind/name` in the spec's `patches`. Maps merge, everything else is replaced, `null`
//! removes. The patched object is read back into its k8s-openapi type, so a field the kind
//! does not have is an error at the patch's line instead of a silent no-op, and then it is
//! checked like any other object.

use crate::build::object::Object;
use crate::build::origins::{Origins, Source};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::merge::{At, Merged};
use crate::platform::Platform;
use crate::source::Span;
use serde_json::Value;

/// Applies every patch; each field a patch writes is recorded in `origins` at the patch's
/// value.
pub fn apply(
    objects: &mut [Object],
    platform: &Platform,
    merged: &Merged,
    origins: &mut Origins,
) -> Result<(), Diagnostics> {
    let mut diagnostics = Vec::new();
    for (target, patch) in &platform.patches {
        let key_span = merged
            .key(&["patches".to_string(), target.clone()])
            .and_then(|k| Span::of(k.span()))
            .unwrap_or(Span {
                source: 0,
                line: 1,
                col: 1,
            });
        let Some((kind, name)) = target.split_once('/') else {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidPatchTarget,
                    format!("patch target `{target}` is not `Kind/name`"),
                )
                .at(key_span, "expected `Kind/name`")
                .help("name the object as `Deployment/gorax-api`"),
            );
            continue;
        };
        let Some(index) = objects
            .iter()
            .position(|o| o.kind() == kind && o.name() == name)
        else {
            let same_kind: Vec<&str> = objects
                .iter()
                .filter(|o| o.kind() == kind)
                .map(|o| o.name())
                .collect();
            let near = crate::suggest::did_you_mean(&format!("{kind}/"), name, same_kind.clone());
            let help = match near {
                Some(near) => near,
                None if same_kind.is_empty() => {
                    format!("no `{kind}` is rendered; check the kind's spelling and case")
                }
                None => format!("the {kind} objects are: {}", same_kind.join(", ")),
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::PatchTargetMissing,
                    format!("patch `{target}` matches no rendered object"),
                )
                .at(key_span, "no such object")
                .help(help),
            );
            continue;
        };
        let mut value = match serde_json::to_value(&objects[index]) {
            Ok(v) => v,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    Code::Internal,
                    format!("internal error: {e}; this is a bug in wfk"),
                ));
                continue;
            }
        };
        merge_patch(&mut value, &patch.0);
        if value["kind"] != kind || value["metadata"]["name"] != name {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidPatch,
                    format!("patch `{target}` changes the object's kind or name"),
                )
                .at(key_span, "patched here")
                .help("a patch changes fields of one object; it cannot rename or retype it"),
            );
            continue;
        }
        let mut unknown = Vec::new();
        match Object::from_value(value, &mut unknown) {
            Ok(patched) if unknown.is_empty() => {
                let mut path = vec!["patches".to_string(), target.clone()];
                record(origins, kind, name, &patch.0, String::new(), &mut path);
                objects[index] = patched;
            }
            Ok(_) => {
                for path in unknown {
                    let (span, field) =
                        field_span(merged, target, &path).unwrap_or((key_span, path.clone()));
                    diagnostics.push(
                        Diagnostic::error(Code::PatchUnknownField, format!("patch `{target}` sets `{field}`, which a {kind} does not have"))
                            .at(span, "not a field of the object")
                            .help("check the spelling against the Kubernetes API reference; k8s-openapi would drop it silently"),
                    );
                }
            }
            Err(problem) => diagnostics.push(
                Diagnostic::error(
                    Code::InvalidPatch,
                    format!("patch `{target}` makes an invalid {kind}: {problem}"),
                )
                .at(key_span, "patched here")
                .help("check the types of the patched fields"),
            ),
        }
    }
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(diagnostics)
    }
}

/// Records each field a patch writes (a leaf, a list, or a `null` that removes) as coming
/// from the patch's value at `path`.
fn record(
    origins: &mut Origins,
    kind: &str,
    name: &str,
    patch: &Value,
    field: String,
    path: &mut Vec<String>,
) {
    match patch {
        Value::Object(map) if !map.is_empty() => {
            for (key, value) in map {
                let below = if field.is_empty() {
                    key.clone()
                } else {
                    format!("{field}.{key}")
                };
                path.push(key.clone());
                record(origins, kind, name, value, below, path);
                path.pop();
            }
        }
        _ => origins.record(kind, name, field, Source::Spec(path.clone())),
    }
}

/// RFC 7396: objects merge, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let Value::Object(map) = target else { return };
    for (key, value) in patch {
        if value.is_null() {
            map.remove(key);
        } else {
            merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// The position of a field of the patch, from serde_ignored's path (`spec.?.replicaz`).
fn field_span(merged: &Merged, target: &str, path: &str) -> Option<(Span, String)> {
    let keys: Vec<&str> = path
        .split('.')
        .filter(|k| *k != "?" && k.parse::<usize>().is_err())
        .collect();
    let mut full = vec!["patches".to_string(), target.to_string()];
    full.extend(keys.iter().map(|k| k.to_string()));
    let span = merged.span(&full, At::Key)?;
    Some((span, keys.join(".")))
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut target = json!({ "a": { "b": 1, "c": 2 }, "l": [1, 2] });
        merge_patch(
            &mut target,
            &json!({ "a": { "b": null, "d": 3 }, "l": [3] }),
        );
        assert_eq!(target, json!({ "a": { "c": 2, "d": 3 }, "l": [3] }));
    }
}
