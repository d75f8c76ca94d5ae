//! The skip annotations of the scanners users run on the output (checkov, kube-linter): each
//! exemption the spec states with its reason — a `suppress` entry of a check that a scanner
//! also reports, `security.relax.writableRootFilesystem`, the API token that `access` needs —
//! written on the objects the scanner's check reads (see [`crate::check::scanners`]).

use super::object::Object;
use super::origins::Owner;
use crate::check::scanners::{self, Scanner, Skip};
use crate::platform::Platform;
use crate::platform::component::Relaxation;

/// Adds the skip annotations that hold for `object`; returns each annotation's key with
/// the spec path of the reason it carries.
pub(super) fn annotate(
    object: &mut Object,
    owner: &Owner,
    spec: &Platform,
) -> Vec<(String, Vec<String>)> {
    let (prefix, security, access) = match owner {
        Owner::Component(name, c) => (["components", name], &c.security, c.access.is_some()),
        Owner::Job(name, j) => (["jobs", name], &j.security, false),
        _ => return Vec::new(),
    };
    let at = |rest: &[&str]| -> Vec<String> {
        prefix.iter().chain(rest).map(|s| s.to_string()).collect()
    };
    let owner_path = at(&[]);
    let mut stated: Vec<(&Skip, &str, Vec<String>)> = Vec::new();
    for s in spec.suppressions(&owner_path) {
        for skip in scanners::skips(s.code) {
            stated.push((skip, s.reason, s.path.clone()));
        }
    }
    if let Some(reason) = security.relax.get(&Relaxation::WritableRootFilesystem) {
        let path = at(&["security", "relax", "writableRootFilesystem"]);
        for skip in scanners::WRITABLE_ROOT {
            stated.push((skip, reason, path.clone()));
        }
    }
    if access {
        for skip in scanners::TOKEN_FOR_ACCESS {
            stated.push((skip, scanners::TOKEN_REASON, at(&["access"])));
        }
    }
    stated.retain(|(skip, reason, _)| skip.target.holds(object) && scanners::writable(reason));
    // One order whatever the spec's: by scanner id.
    stated.sort_by_key(|(skip, _, _)| skip.id);
    if stated.is_empty() {
        return Vec::new();
    }
    let annotations = object
        .metadata_mut()
        .annotations
        .get_or_insert_with(Default::default);
    let mut next = 1 + annotations
        .keys()
        .filter_map(|k| k.strip_prefix("checkov.io/skip")?.parse::<usize>().ok())
        .max()
        .unwrap_or(0);
    let mut written: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (skip, reason, path) in stated {
        if written.contains(&skip.id) {
            continue;
        }
        written.push(skip.id);
        let (key, value) = match skip.scanner {
            Scanner::Checkov => {
                next += 1;
                (
                    format!("checkov.io/skip{}", next - 1),
                    format!("{}={reason}", skip.id),
                )
            }
            Scanner::KubeLinter => (
                format!("ignore-check.kube-linter.io/{}", skip.id),
                reason.to_string(),
            ),
        };
        annotations.insert(key.clone(), value);
        out.push((key, path));
    }
    out
}
