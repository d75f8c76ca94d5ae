//! Last-resort patches on one rendered object, chosen by `Kind/name` in the spec's
//! `patches`: a mapping is a JSON merge patch (RFC 7396: maps merge, everything else is
//! replaced, `null` removes), a list is a JSON Patch (RFC 6902: `add`, `remove`, `replace`,
//! `move`, `copy`, `test`), which can touch one list item where a merge patch replaces the
//! whole list. Both come from the `json-patch` crate. The patched object is read back into
//! its k8s-openapi type, so a field the kind does not have is an error at the patch's line
//! instead of a silent no-op, and then it is checked like any other object. A list the
//! patch made shorter is recorded ([`Origins::shrink`]) for the `patch-shrinks-list` check.

use crate::build::object::Object;
use crate::build::origins::{Origins, Shrunk, Source, SpecPath};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::merge::{At, Merged};
use crate::platform::Platform;
use crate::source::Span;
use crate::tree::Step;
use foldhash::HashMap;
use json_patch::PatchOperation;
use serde_json::Value;

/// Applies every patch; each field a patch writes is recorded in `origins` at the patch's
/// value.
pub fn apply(
    objects: &mut [Object],
    platform: &Platform,
    merged: &Merged,
    origins: &mut Origins,
) -> Result<(), Diagnostics> {
    let mut patches = Patches::new(platform);
    patches.batch(objects, merged, origins);
    patches.finish(merged, objects.iter().map(|o| (o.kind(), o.name())))
}

/// The spec's patches over a render whose objects may come in batches: [`Patches::batch`]
/// on each, in apply order, then [`Patches::finish`]. Each patch applies to the first
/// object of its kind and name, wherever it is; the errors are the same, in the same
/// order (the patches'), however the objects are split.
pub struct Patches<'a> {
    platform: &'a Platform,
    /// Which patches found their object.
    matched: Vec<bool>,
    /// The errors so far, by the patch that made them.
    diagnostics: Vec<(usize, Diagnostic)>,
}

impl<'a> Patches<'a> {
    pub fn new(platform: &'a Platform) -> Patches<'a> {
        Patches {
            platform,
            matched: vec![false; platform.patches.len()],
            diagnostics: Vec::new(),
        }
    }

    /// What the patches did so far: which found their object, and their errors by patch.
    pub fn into_parts(self) -> (Vec<bool>, Vec<(usize, Diagnostic)>) {
        (self.matched, self.diagnostics)
    }

    /// Patches that did what [`Patches::into_parts`] gave.
    pub fn from_parts(
        platform: &'a Platform,
        matched: Vec<bool>,
        diagnostics: Vec<(usize, Diagnostic)>,
    ) -> Patches<'a> {
        Patches {
            platform,
            matched,
            diagnostics,
        }
    }

    /// Adds what the patches did to objects built after these, as if done here; false
    /// when a patch found its object in both, where only the first should have had it.
    pub fn append(&mut self, later: Patches<'a>) -> bool {
        let mut apart = true;
        for (matched, later) in self.matched.iter_mut().zip(later.matched) {
            apart &= !(*matched && later);
            *matched |= later;
        }
        self.diagnostics.extend(later.diagnostics);
        apart
    }

    /// The span of the patch's key.
    fn key_span(merged: &Merged, target: &str) -> Span {
        merged
            .key_span(&["patches".to_string(), target.to_string()])
            .unwrap_or(Span {
                source: 0,
                line: 1,
                col: 1,
            })
    }

    /// Applies the patches of the objects of one batch (those no earlier batch held).
    pub fn batch(&mut self, objects: &mut [Object], merged: &Merged, origins: &mut Origins) {
        if self.platform.patches.is_empty() {
            return;
        }
        // Each object's place by `(kind, name)`, the first of two that share them: a patch
        // keeps both, so the places hold while the loop replaces objects.
        let mut places: HashMap<(&str, &str), usize> = HashMap::default();
        let keys: Vec<(String, String)> = objects
            .iter()
            .map(|o| (o.kind().to_string(), o.name().to_string()))
            .collect();
        for (i, (kind, name)) in keys.iter().enumerate() {
            places.entry((kind.as_str(), name.as_str())).or_insert(i);
        }
        for (i, (target, patch)) in self.platform.patches.iter().enumerate() {
            let Some((kind, name)) = target.split_once('/') else {
                continue;
            };
            if self.matched[i] {
                continue;
            }
            let Some(&index) = places.get(&(kind, name)) else {
                continue;
            };
            self.matched[i] = true;
            let key_span = Self::key_span(merged, target);
            let made = one(
                &mut objects[index],
                (kind, name),
                target,
                patch,
                merged,
                key_span,
                origins,
            );
            self.diagnostics.extend(made.into_iter().map(|d| (i, d)));
        }
    }

    /// The errors of every patch, in the patches' order: those of the batches, a target
    /// that is not `Kind/name`, and one that matches none of `objects` (every object of the
    /// render, by kind and name, in apply order before the patches).
    pub fn finish<'o>(
        mut self,
        merged: &Merged,
        objects: impl Iterator<Item = (&'o str, &'o str)> + Clone,
    ) -> Result<(), Diagnostics> {
        for (i, (target, _)) in self.platform.patches.iter().enumerate() {
            if self.matched[i] {
                continue;
            }
            let key_span = Self::key_span(merged, target);
            let Some((kind, name)) = target.split_once('/') else {
                self.diagnostics.push((
                    i,
                    Diagnostic::error(
                        Code::InvalidPatchTarget,
                        format!("patch target `{target}` is not `Kind/name`"),
                    )
                    .at(key_span, "expected `Kind/name`")
                    .help("name the object as `Deployment/gorax-api`"),
                ));
                continue;
            };
            let same_kind: Vec<&str> = objects
                .clone()
                .filter(|(k, _)| *k == kind)
                .map(|(_, n)| n)
                .collect();
            let near = crate::suggest::did_you_mean(&format!("{kind}/"), name, same_kind.clone());
            let help = match near {
                Some(near) => near,
                None if same_kind.is_empty() => {
                    format!("no `{kind}` is rendered; check the kind's spelling and case")
                }
                None => format!("the {kind} objects are: {}", same_kind.join(", ")),
            };
            self.diagnostics.push((
                i,
                Diagnostic::error(
                    Code::PatchTargetMissing,
                    format!("patch `{target}` matches no rendered object"),
                )
                .at(key_span, "no such object")
                .help(help),
            ));
        }
        if self.diagnostics.is_empty() {
            return Ok(());
        }
        self.diagnostics.sort_by_key(|(i, _)| *i);
        Err(self.diagnostics.into_iter().map(|(_, d)| d).collect())
    }
}

/// Applies one patch to its object; the errors it makes (the object is then left as it
/// was).
fn one(
    object: &mut Object,
    (kind, name): (&str, &str),
    target: &String,
    patch: &crate::platform::values::Free,
    merged: &Merged,
    key_span: Span,
    origins: &mut Origins,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut value = match serde_json::to_value(&*object) {
        Ok(v) => v,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                Code::Internal,
                format!("internal error: {e}; this is a bug in wfk"),
            ));
            return diagnostics;
        }
    };
    let before = value.clone();
    let operations = match &patch.0 {
        Value::Array(items) => match operations(merged, target, items, &mut value, key_span) {
            Ok(ops) => Some(ops),
            Err(d) => {
                diagnostics.push(d);
                return diagnostics;
            }
        },
        other => {
            json_patch::merge(&mut value, other);
            None
        }
    };
    if value["kind"] != kind || value["metadata"]["name"] != name {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidPatch,
                format!("patch `{target}` changes the object's kind or name"),
            )
            .at(key_span, "patched here")
            .help("a patch changes fields of one object; it cannot rename or retype it"),
        );
        return diagnostics;
    }
    let mut unknown = Vec::new();
    match Object::from_value(value, &mut unknown) {
        Ok(patched) if unknown.is_empty() => {
            let mut path = vec!["patches".to_string(), target.clone()];
            match &operations {
                Some(ops) => {
                    for (op, span) in ops {
                        let field = field_of(&before, &after_value(&patched), op.path());
                        origins.record(kind, name, field, Source::Operation(*span));
                    }
                }
                None => record(origins, kind, name, &patch.0, String::new(), &mut path),
            }
            let by = |list: &str| match &operations {
                // The first operation on the list or inside it.
                Some(ops) => ops
                    .iter()
                    .find(|(op, _)| pointer_field(op.path()).starts_with(list))
                    .map_or(Source::Spec(path.as_slice().into()), |(_, span)| {
                        Source::Operation(*span)
                    }),
                None => Source::Spec(SpecPath::new(
                    path.iter().map(String::as_str).chain(list.split('.')),
                )),
            };
            for (field, was, now) in shortened(&before, &after_value(&patched)) {
                origins.shrink(Shrunk {
                    kind: kind.to_string(),
                    name: name.to_string(),
                    by: by(&field),
                    field,
                    before: was,
                    after: now,
                });
            }
            *object = patched;
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
    diagnostics
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
        _ => origins.record(kind, name, field, Source::Spec(path.as_slice().into())),
    }
}

/// The object as JSON, for comparing it with what it was before its patch.
fn after_value(object: &Object) -> Value {
    serde_json::to_value(object).unwrap_or(Value::Null)
}

/// Reads a patch written as a list into JSON Patch operations and applies them to `value`.
/// Returns each operation with its item's position; an item that is not an operation, or
/// an operation that fails (a path that is not there, a `test` that does not match), is an
/// error at that item.
fn operations(
    merged: &Merged,
    target: &str,
    items: &[Value],
    value: &mut Value,
    key_span: Span,
) -> Result<Vec<(PatchOperation, Span)>, Diagnostic> {
    let span = |i: usize| {
        let steps = [
            Step::Key("patches".into()),
            Step::Key(target.into()),
            Step::Index(i),
        ];
        merged.point_at(&steps).unwrap_or(key_span)
    };
    let mut ops = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match serde_json::from_value::<PatchOperation>(item.clone()) {
            Ok(op) => ops.push((op, span(i))),
            Err(e) => {
                return Err(Diagnostic::error(
                    Code::InvalidPatch,
                    format!("patch `{target}` item {} is not a JSON Patch operation: {e}", i + 1),
                )
                .at(span(i), "not an operation")
                .help("a patch written as a list holds RFC 6902 operations: `{ op: add, path: /spec/template/spec/containers/0/env/-, value: { name: A, value: b } }`; `op` is add, remove, replace, move, copy or test"));
            }
        }
    }
    let plain: Vec<PatchOperation> = ops.iter().map(|(op, _)| op.clone()).collect();
    // The object is dropped on failure, so the undo of `json_patch::patch` is not needed.
    if let Err(e) = json_patch::patch_unsafe(value, &plain) {
        let (op, at) = &ops[e.operation];
        return Err(Diagnostic::error(
            Code::InvalidPatch,
            format!(
                "patch `{target}` operation {} ({} `{}`) failed: {}",
                e.operation + 1,
                op_name(op),
                op.path(),
                e.kind
            ),
        )
        .at(*at, "this operation")
        .help("a path names a field the rendered object has (`wfk render` shows it), list items by index from 0, `-` after the last; `wfk explain ENV Kind/name` lists the fields"));
    }
    Ok(ops)
}

fn op_name(op: &PatchOperation) -> &'static str {
    match op {
        PatchOperation::Add(_) => "add",
        PatchOperation::Remove(_) => "remove",
        PatchOperation::Replace(_) => "replace",
        PatchOperation::Move(_) => "move",
        PatchOperation::Copy(_) => "copy",
        PatchOperation::Test(_) => "test",
    }
}

/// A JSON pointer's keys joined with `.`, indexes as `[i]`: `/spec/egress/0` is
/// `spec.egress[0]`.
fn pointer_field(pointer: &json_patch::jsonptr::Pointer) -> String {
    let mut out = String::new();
    for token in pointer.tokens() {
        let token = token.decoded();
        if token == "-" || token.parse::<usize>().is_ok() {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

/// The field path (as [`Origins`] writes it: list entries with a `name` by name) of what a
/// JSON Patch operation at `pointer` wrote, read in the object after the patch, or, for a
/// `remove`, before it.
fn field_of(before: &Value, after: &Value, pointer: &json_patch::jsonptr::Pointer) -> String {
    let mut out = String::new();
    let (mut a, mut b) = (Some(after), Some(before));
    for token in pointer.tokens() {
        let token = token.decoded();
        let list = a.and_then(Value::as_array).or(b.and_then(Value::as_array));
        if let Some(items) = list {
            let index = match token.as_ref() {
                "-" => items.len().saturating_sub(1),
                t => t.parse::<usize>().unwrap_or(0),
            };
            let item = a
                .and_then(|v| v.get(index))
                .or(b.and_then(|v| v.get(index)));
            match item.and_then(|i| i.get("name")).and_then(Value::as_str) {
                Some(name) => out.push_str(&format!("[{name}]")),
                None => out.push_str(&format!("[{index}]")),
            }
            a = a.and_then(|v| v.get(index));
            b = b.and_then(|v| v.get(index));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
            a = a.and_then(|v| v.get(token.as_ref()));
            b = b.and_then(|v| v.get(token.as_ref()));
        }
    }
    out
}

/// Every list of `before` that is shorter in `after`, as (field, length before, length
/// after): the rules of a network policy, containers, volumes. Lists of the same length are
/// looked into; a shortened one is reported once, not its items.
fn shortened(before: &Value, after: &Value) -> Vec<(String, usize, usize)> {
    fn walk(a: &Value, b: &Value, field: String, out: &mut Vec<(String, usize, usize)>) {
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                for (key, va) in a {
                    let below = if field.is_empty() {
                        key.clone()
                    } else {
                        format!("{field}.{key}")
                    };
                    match b.get(key) {
                        Some(vb) => walk(va, vb, below, out),
                        None => {
                            if let Value::Array(items) = va {
                                if !items.is_empty() {
                                    out.push((below, items.len(), 0));
                                }
                            }
                        }
                    }
                }
            }
            (Value::Array(a), Value::Array(b)) if b.len() < a.len() => {
                out.push((field, a.len(), b.len()));
            }
            (Value::Array(a), Value::Array(b)) => {
                for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                    walk(va, vb, format!("{field}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(before, after, String::new(), &mut out);
    out
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
    use super::{pointer_field, shortened};
    use serde_json::json;

    #[test]
    fn a_shortened_list_is_found_once_and_a_longer_one_not_at_all() {
        let before =
            json!({ "spec": { "egress": [1, 2, 3], "ports": [{ "p": [1, 2] }], "keep": [1] } });
        let after = json!({ "spec": { "egress": [1], "ports": [{ "p": [1] }], "keep": [1, 2] } });
        assert_eq!(
            shortened(&before, &after),
            [
                ("spec.egress".to_string(), 3, 1),
                ("spec.ports[0].p".to_string(), 2, 1)
            ]
        );
        let removed = json!({ "spec": {} });
        assert_eq!(
            shortened(&before, &removed),
            [
                ("spec.egress".to_string(), 3, 0),
                ("spec.keep".to_string(), 1, 0),
                ("spec.ports".to_string(), 1, 0)
            ]
        );
    }

    #[test]
    fn pointers_read_as_field_paths() {
        let p = json_patch::jsonptr::PointerBuf::parse("/spec/template/spec/containers/0/env/-")
            .unwrap();
        assert_eq!(pointer_field(&p), "spec.template.spec.containers[0].env[-]");
        let p = json_patch::jsonptr::PointerBuf::parse("/metadata/annotations/a~1b").unwrap();
        assert_eq!(pointer_field(&p), "metadata.annotations.a/b");
    }
}
