//! Binds a component's Role to its ServiceAccount.

use super::Ctx;
use super::object::RoleBinding;
use crate::platform::component::Component;
use k8s_openapi::api::rbac::v1::{RoleRef, Subject};

pub(crate) fn role_binding(name: &str, c: &Component, ctx: &Ctx) -> RoleBinding {
    RoleBinding {
        metadata: ctx.metadata(ctx.name(name), ctx.workload_labels(name, None)),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "Role".into(),
            name: ctx.name(name),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: ctx.service_account(name, c),
            namespace: Some(ctx.spec.namespace().to_string()),
            ..Default::default()
        }]),
    }
}
