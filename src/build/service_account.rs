//! ServiceAccounts: one shared by the platform's pods, with no token mounted, and one per
//! component that asks for API access.

use super::Ctx;
use super::object::ServiceAccount;

/// The platform's shared account; pods do not mount its token.
pub(crate) fn shared(ctx: &Ctx) -> ServiceAccount {
    ServiceAccount {
        metadata: ctx.metadata(ctx.platform().to_string(), ctx.labels()),
        automount_service_account_token: Some(false),
        ..Default::default()
    }
}

/// The account of a component with `access`, bound to its Role.
pub(crate) fn service_account(name: &str, ctx: &Ctx) -> ServiceAccount {
    ServiceAccount {
        metadata: ctx.metadata(ctx.name(name), ctx.workload_labels(name, None)),
        automount_service_account_token: Some(true),
        ..Default::default()
    }
}
