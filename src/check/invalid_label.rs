//! ## What it checks
//! Every label key (a qualified name: an optional DNS subdomain prefix and a name of at
//! most 63 characters) and value (at most 63 characters, alphanumerics, `-`, `_`, `.`) on
//! every object and pod template, with the API server's wording.
//!
//! ## Why
//! wfk puts the component's name and the image tag into labels; a long name or an odd tag
//! makes a label the API server refuses.
//!
//! ## Example
//! `labels: { team: "platform engineering" }` (a space), or a 64-character value.
//!
//! ## Fix
//! Shorten the value, or use an annotation for free text.

use super::{Finding, Input, Origin, origin_of};
use crate::validation::{is_qualified_name, is_valid_label_value};
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeMap;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    // One finding per label, not one per object that carries it: the one of the object
    // first in apply order (of this batch here; of the render once the batches are joined,
    // see `Finding::once`).
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    // Most objects carry the same keys and many the same values: each is checked once.
    let mut keys: HashMap<&str, Vec<String>> = HashMap::new();
    let mut values: HashMap<&str, Vec<String>> = HashMap::new();
    for object in input.objects {
        let mut sets: Vec<&BTreeMap<String, String>> = object.metadata().labels.iter().collect();
        if let Some(template) = super::pod_template(object) {
            sets.extend(template.metadata.as_ref().and_then(|m| m.labels.as_ref()));
        }
        for labels in sets {
            for (key, value) in labels {
                let key_errors = keys.entry(key).or_insert_with(|| is_qualified_name(key));
                let value_errors = values
                    .entry(value)
                    .or_insert_with(|| is_valid_label_value(value));
                if key_errors.is_empty() && value_errors.is_empty() {
                    continue;
                }
                let errors: Vec<String> = key_errors
                    .iter()
                    .map(|e| format!("key: {e}"))
                    .chain(value_errors.iter().map(|e| format!("value: {e}")))
                    .collect();
                let order = (object.rank(), object.name().to_string());
                let earlier = seen.get(&(key.as_str(), value.as_str())).copied();
                if earlier.is_some_and(|i| out_order(&out, i) <= &order) {
                    continue;
                }
                let at = label_origin(input, object, key);
                let mut finding = Finding::new(
                        format!("invalid label `{key}: {value}` (on {} `{}` and the objects like it): {}", object.kind(), object.name(), errors.join("; ")),
                        at,
                        "the label comes from here",
                    )
                    .help("a label value is at most 63 characters of letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit");
                finding.once = Some((format!("{}:{key}{value}", key.len()), order));
                match earlier {
                    Some(i) => out[i] = finding,
                    None => {
                        seen.insert((key, value), out.len());
                        out.push(finding);
                    }
                }
            }
        }
    }
    out
}

/// The apply order of the object finding `i` of `out` is about.
fn out_order(out: &[Finding], i: usize) -> &super::Order {
    &out[i]
        .once
        .as_ref()
        .expect("every finding here is made once")
        .1
}

/// Where a label's value was written.
fn label_origin(input: &Input, object: &crate::build::object::Object, key: &str) -> Origin {
    if input.spec.labels.contains_key(key) {
        return Origin::value(&["labels", key]);
    }
    let owner = object
        .metadata()
        .labels
        .as_ref()
        .and_then(|l| l.get("app.kubernetes.io/name"));
    if let Some(name) = owner.filter(|n| input.spec.components.contains_key(n.as_str())) {
        if input.spec.components[name.as_str()]
            .labels
            .contains_key(key)
        {
            return Origin::value(&["components", name, "labels", key]);
        }
        if key == "app.kubernetes.io/version" {
            return Origin::value(&["components", name, "image"]);
        }
    }
    origin_of(input, object)
}
