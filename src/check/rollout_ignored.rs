//! ## What it checks
//! `rollout.maxSurge` or `rollout.maxUnavailable` on a Deployment that is replaced with
//! `Recreate` (set in `rollout.strategy`, or chosen because of a ReadWriteOnce claim).
//!
//! ## Why
//! A `Recreate` Deployment has no rolling update; the API server refuses
//! `rollingUpdate` beside it ("may not be specified when strategy `type` is 'Recreate'"),
//! so wfk leaves the settings out and they do nothing.
//!
//! ## Example
//! `rollout: { strategy: Recreate, maxSurge: 1 }`.
//!
//! ## Fix
//! Remove `maxSurge` and `maxUnavailable`, or use `strategy: RollingUpdate` (with a
//! ReadWriteOnce claim only if every pod lands on the node that holds the volume).

use super::{Finding, Input, Origin};
use crate::platform::component::{AccessMode, Kind, Strategy};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, c) in &input.spec.components {
        if c.kind != Kind::Stateless {
            continue;
        }
        let exclusive = c.storage.values().any(|s| {
            matches!(
                s.access,
                None | Some(AccessMode::ReadWriteOnce | AccessMode::ReadWriteOncePod)
            )
        });
        let why = match c.rollout.strategy {
            Some(Strategy::Recreate) => "`strategy: Recreate`",
            None if exclusive => "a ReadWriteOnce claim, which makes it `Recreate`",
            _ => continue,
        };
        for (field, set) in [
            ("maxSurge", c.rollout.max_surge.is_some()),
            ("maxUnavailable", c.rollout.max_unavailable.is_some()),
        ] {
            if set {
                out.push(
                    Finding::new(
                        format!(
                            "`rollout.{field}` of `{name}` is ignored: the Deployment has {why}"
                        ),
                        Origin::value(&["components", name, "rollout", field]),
                        "no rolling update to tune",
                    )
                    .help(format!(
                        "remove `{field}`, or set `rollout.strategy: RollingUpdate`"
                    )),
                );
            }
        }
    }
    out
}
