//! ## What it checks
//! Annotation keys (qualified names) and the total size of an object's annotations
//! (at most 256 KiB), for the ingress, components' pods, Services and ServiceAccounts.
//!
//! ## Why
//! The API server refuses the whole object.
//!
//! ## Example
//! `annotations: { "nginx ingress/limit": "5" }`.
//!
//! ## Fix
//! Use a key such as `nginx.ingress.kubernetes.io/limit-rps`; move large values to a ConfigMap.

use super::{Finding, Input, Origin};
use crate::validation::{is_annotation_key, validate_annotations_size};
use indexmap::IndexMap;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut maps: Vec<(Vec<String>, &IndexMap<String, String>)> = Vec::new();
    if let Some(ingress) = &input.spec.ingress {
        maps.push((
            vec!["ingress".into(), "annotations".into()],
            &ingress.annotations,
        ));
    }
    maps.push((
        vec![
            "defaults".into(),
            "serviceAccount".into(),
            "annotations".into(),
        ],
        &input.spec.defaults.service_account.annotations,
    ));
    for (name, c) in &input.spec.components {
        maps.push((
            vec!["components".into(), name.clone(), "annotations".into()],
            &c.annotations,
        ));
        if let Some(account) = &c.service_account {
            maps.push((
                vec![
                    "components".into(),
                    name.clone(),
                    "serviceAccount".into(),
                    "annotations".into(),
                ],
                &account.annotations,
            ));
        }
        if let Some(service) = &c.service {
            maps.push((
                vec![
                    "components".into(),
                    name.clone(),
                    "service".into(),
                    "annotations".into(),
                ],
                &service.annotations,
            ));
        }
    }
    for (path, map) in maps {
        for key in map.keys() {
            let errors = is_annotation_key(key);
            if !errors.is_empty() {
                let mut at = path.clone();
                at.push(key.clone());
                out.push(
                    Finding::new(format!("invalid annotation key `{key}`: {}", errors.join("; ")), Origin::Key(at), "this key")
                        .help("an annotation key is an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`"),
                );
            }
        }
        let errors = validate_annotations_size(map.iter());
        if !errors.is_empty() {
            out.push(
                Finding::new(
                    format!("annotations are too large: {}", errors.join("; ")),
                    Origin::Key(path),
                    "these annotations",
                )
                .help("keep large values in a ConfigMap"),
            );
        }
    }
    out
}
