//! The Namespace, labelled to enforce the restricted Pod Security Standard.

use super::Ctx;
use super::object::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub(crate) fn namespace(ctx: &Ctx) -> Namespace {
    let mut labels = ctx.labels();
    for mode in ["enforce", "audit", "warn"] {
        labels.insert(
            format!("pod-security.kubernetes.io/{mode}"),
            "restricted".into(),
        );
    }
    Namespace {
        metadata: ObjectMeta {
            name: Some(ctx.spec.namespace().to_string()),
            labels: Some(labels),
            ..Default::default()
        },
        ..Default::default()
    }
}
