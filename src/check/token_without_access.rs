//! ## What it checks
//! A pod in the output mounts a Kubernetes API token only if the spec grants its component
//! `access`: whether a template or a patch wrote the pod, the token is mounted when
//! `automountServiceAccountToken` is true or unset on the pod and not false on its
//! ServiceAccount (Kubernetes' default is to mount it), or a projected volume asks for a
//! `serviceAccountToken`.
//!
//! ## Why
//! A mounted token is a credential for the API server: anyone who runs code in the pod can
//! use whatever the account may do, the namespace's `default` account included. wfk mounts
//! one only where the spec says what it is for (`access`), beside the Role that limits it.
//!
//! ## Example
//! A template DaemonSet without `automountServiceAccountToken: false`, or
//! `patches: { Deployment/shop-api: { spec: { template: { spec: { automountServiceAccountToken: true } } } } }`.
//!
//! ## Fix
//! Set `automountServiceAccountToken: false`, or give the component `access` with the rules
//! it needs. For a template's pod that needs the API, say why:
//! `relax: { DaemonSet/shop-agent: "<reason>" }`.

use super::view::View;
use super::{Fact, Finding, Input, Pod, field_origin};
use crate::build::object::Object;
use crate::build::origins::Source;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    input.pod_findings().token_without_access.clone()
}

/// The findings of one workload's pod.
pub(super) fn pod(input: &Input, object: &Object, pod: &Pod, out: &mut Vec<Finding>) {
    let at = pod.at;
    // Whether a token is mounted first: the grant is read from the object's origins.
    if let Some((field, why, unless)) = token(input, pod.spec()).filter(|_| !granted(input, object))
    {
        let field = format!("{at}.{field}");
        let finding = Finding::new(
                format!(
                    "{} `{}` mounts a Kubernetes API token ({why}) but no `access` grants one",
                    object.kind(),
                    object.name()
                ),
                field_origin(input, object, &field),
                format!("from `{field}`"),
            )
            .help(format!(
                "set `automountServiceAccountToken: false`, or give the component `access`; if the pod needs the API, say why: `relax: {{ {}/{}: \"<reason>\" }}`",
                object.kind(),
                object.name()
            ))
            .on(object);
        out.push(match unless {
            Some(fact) => finding.unless(fact),
            None => finding,
        });
    }
}

/// Whether the object is a component's workload and the spec grants it `access`.
fn granted(input: &Input, object: &Object) -> bool {
    match input
        .origins
        .object(input.spec, object.kind(), object.name())
    {
        Some(Source::Spec(path)) => match path.to_vec().as_slice() {
            [first, name] if first == "components" => input
                .spec
                .components
                .get(name)
                .is_some_and(|c| c.access.is_some()),
            _ => false,
        },
        _ => false,
    }
}

/// Where a pod spec mounts an API token, as (field below the pod spec, why, unless what
/// holds over the render), if it does.
fn token(input: &Input, pod: &View) -> Option<(String, String, Option<Fact>)> {
    for (i, volume) in pod["volumes"].as_array().into_iter().flatten().enumerate() {
        let sources = volume["projected"]["sources"].as_array();
        if sources.is_some_and(|s| s.iter().any(|s| s["serviceAccountToken"].is_object())) {
            let name = volume["name"].as_str().map_or(i.to_string(), String::from);
            return Some((
                format!("volumes[{name}]"),
                "a projected `serviceAccountToken` volume".into(),
                None,
            ));
        }
    }
    match pod["automountServiceAccountToken"].as_bool() {
        Some(true) => Some((
            "automountServiceAccountToken".into(),
            "`automountServiceAccountToken: true`".into(),
            None,
        )),
        Some(false) => None,
        None => {
            let account = pod["serviceAccountName"].as_str().unwrap_or("default");
            // Unless the account turns it off, in whichever batch it is.
            let tokenless = Fact::Tokenless(account.to_string());
            (!input.holds(&tokenless)).then(|| {
                (
                    "automountServiceAccountToken".into(),
                    format!("unset, and ServiceAccount `{account}` does not turn it off"),
                    Some(tokenless),
                )
            })
        }
    }
}
