//! The Role of a component that asks for access to the Kubernetes API.

use super::Ctx;
use super::object::Role;
use crate::platform::component::AccessRule;
use k8s_openapi::api::rbac::v1::PolicyRule;

pub(crate) fn role(name: &str, rules: &[AccessRule], ctx: &Ctx) -> Role {
    let nonempty = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    Role {
        metadata: ctx.metadata(ctx.name(name), ctx.workload_labels(name, None)),
        rules: Some(
            rules
                .iter()
                .map(|r| PolicyRule {
                    api_groups: Some(r.api_groups.clone()),
                    resources: Some(r.resources.clone()),
                    verbs: r.verbs.clone(),
                    resource_names: nonempty(&r.resource_names),
                    ..Default::default()
                })
                .collect(),
        ),
    }
}
