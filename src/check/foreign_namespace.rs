//! ## What it checks
//! The platform owns one namespace, and it is not one of Kubernetes' own: `kube-system`,
//! `kube-public` and `kube-node-lease` are refused as the platform's namespace, every object
//! in the output that names a namespace names the platform's, and no template writes a
//! Namespace other than the platform's. `default` is the platform's namespace only when
//! `relax: { Namespace/default: "<reason>" }` says why.
//!
//! ## Why
//! wfk labels its namespace `enforce: restricted` and puts a default-deny NetworkPolicy in
//! it: in `kube-system` that cuts CoreDNS and the CNI off and evicts nothing gracefully. An
//! object moved to another namespace by a patch or a template escapes the platform's policy
//! and its `kubectl delete -n`, and lands where the platform's owners may not look.
//!
//! ## Example
//! `namespace: kube-system` in an overlay, or `metadata: { namespace: default }` in a patch.
//!
//! ## Fix
//! Give the platform a namespace of its own (the default is the platform's name) and keep
//! `metadata.namespace` out of patches and templates: wfk sets it.

use super::{Finding, Input, Origin, field_origin};
use crate::build::object::Object;

/// Kubernetes' own namespaces.
pub(crate) const SYSTEM: [&str; 3] = ["kube-system", "kube-public", "kube-node-lease"];

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    let ours = input.spec.namespace();
    if SYSTEM.contains(&ours) {
        if !input.first() {
            // Reported with the first batch; no object is read.
            return out;
        }
        let at = match input.spec.namespace {
            Some(_) => Origin::value(&["namespace"]),
            None => Origin::value(&["platform"]),
        };
        out.push(
            Finding::new(
                format!(
                    "`{ours}` is Kubernetes' own namespace; a platform cannot be deployed to it, and no reason relaxes this"
                ),
                at,
                "a system namespace",
            )
            .help("set `namespace` to one of the platform's own, such as its name"),
        );
        return out;
    }
    if ours == "default" && input.first() {
        // Shared by whatever else the cluster runs there: allowed only with a reason.
        let at = match input.spec.namespace {
            Some(_) => Origin::value(&["namespace"]),
            None => Origin::value(&["platform"]),
        };
        let mut finding = Finding::new(
            "`default` is the namespace everything without one lands in; the platform's restricted labels and default deny would apply to all of it",
            at,
            "the `default` namespace",
        )
        .help("set `namespace` to one of the platform's own; if it must be `default`, say why: `relax: { Namespace/default: \"<reason>\" }`");
        if input.facts().default_namespace {
            finding = finding.on_named("Namespace", "default");
        }
        out.push(finding);
    }
    for object in input.objects {
        if let Object::Namespace(_) = object {
            if object.name() != ours {
                out.push(
                    Finding::new(
                        format!("the output creates the namespace `{}`; the platform's is `{ours}`", object.name()),
                        super::origin_of(input, object),
                        "another namespace",
                    )
                    .help("remove the Namespace from the template; wfk writes the platform's namespace itself"),
                );
            }
            continue;
        }
        let Some(namespace) = object.metadata().namespace.as_deref() else {
            continue;
        };
        if namespace != ours {
            let at = field_origin(input, object, "metadata.namespace");
            out.push(
                Finding::new(
                    format!(
                        "{} `{}` is put in the namespace `{namespace}`; the platform's is `{ours}`",
                        object.kind(),
                        object.name()
                    ),
                    at,
                    "another namespace",
                )
                .help("remove `metadata.namespace` from the patch or template: wfk sets the platform's"),
            );
        }
    }
    out
}
