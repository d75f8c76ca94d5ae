//! ServiceAccounts: one shared by the platform's pods, with no token mounted, and one per
//! component that asks for API access.

use super::Ctx;
use super::object::ServiceAccount;
use crate::platform::component::Component;

/// The platform's shared account; pods do not mount its token.
pub(crate) fn shared(ctx: &Ctx) -> ServiceAccount {
    let mut metadata = ctx.metadata(ctx.platform().to_string(), ctx.labels());
    metadata.annotations = super::string_map(&ctx.spec.defaults.service_account.annotations);
    ServiceAccount {
        metadata,
        automount_service_account_token: Some(false),
        ..Default::default()
    }
}

/// The account of a component with `access` (bound to its Role) or `serviceAccount`
/// (annotated for workload identity). Its token is mounted only with `access`.
pub(crate) fn service_account(name: &str, c: &Component, ctx: &Ctx) -> ServiceAccount {
    let mut metadata = ctx.metadata(
        ctx.service_account(name, c),
        ctx.workload_labels(name, None),
    );
    metadata.annotations = c
        .service_account
        .as_ref()
        .and_then(|s| super::string_map(&s.annotations));
    ServiceAccount {
        metadata,
        automount_service_account_token: Some(c.access.is_some()),
        ..Default::default()
    }
}
