//! ## What it checks
//! A pod in the output whose containers run as a user id below 10000 (`runAsUser`, on the
//! container or the pod). A note, not a warning: wfk's default is 10001. A pod that sets no
//! id runs as its image's user, which the render cannot see.
//!
//! ## Why
//! Low ids are the ones hosts hand out to their own users and daemons. A process that breaks
//! out of its container keeps its id, and on the node that id may own files or processes;
//! a high id owns nothing there. checkov reports it as CKV_K8S_40.
//!
//! ## Example
//! `security: { runAsUser: 999 }` for an image whose files belong to user 999.
//!
//! ## Fix
//! Leave `runAsUser` unset (10001), or set one of 10000 or more and give the image's files to
//! it. When the image needs its own user, give the reason:
//! `suppress: { low-user-id: "the postgres image owns its data folder as user 999" }`.

use super::{Finding, Input, Pod, field_origin};
use crate::build::object::Object;

/// checkov's threshold (CKV_K8S_40).
const LOWEST: i64 = 10000;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    input.pod_findings().low_user_id.clone()
}

/// The findings of one workload's pod.
pub(super) fn pod(input: &Input, object: &Object, pod: &Pod, out: &mut Vec<Finding>) {
    let (at, pod) = (pod.at, pod.spec());
    let on_pod = pod["securityContext"]["runAsUser"].as_i64();
    for list in ["initContainers", "containers"] {
        for container in pod[list].as_array().into_iter().flatten() {
            let name = container["name"].as_str().unwrap_or("");
            let own = container["securityContext"]["runAsUser"].as_i64();
            let Some(user) = own.or(on_pod).filter(|&user| user < LOWEST) else {
                continue;
            };
            let field = match own {
                Some(_) => format!("{at}.{list}[{name}].securityContext.runAsUser"),
                None => format!("{at}.securityContext.runAsUser"),
            };
            out.push(
                Finding::new(
                    format!("runs as user {user}, below {LOWEST}"),
                    field_origin(input, object, &field),
                    "`runAsUser` below 10000",
                )
                .help("leave `runAsUser` unset (10001), or suppress `low-user-id` with the reason the image needs this user")
                .owned(input, object),
            );
        }
    }
}
