//! The checks of the scanners users run on rendered manifests (checkov, kube-linter) that
//! report what a wfk check reports. When the spec states a reason for an exemption (a
//! `suppress` entry, a `security.relax`), the build writes that reason as each scanner's
//! skip annotation on the objects its check reads, so a scanner downstream agrees with
//! `wfk validate` instead of failing the pipeline on a decision already made and reviewed:
//!
//! ```yaml
//! metadata:
//!   annotations:
//!     checkov.io/skip1: CKV_K8S_43=released by immutable version tags
//!     ignore-check.kube-linter.io/latest-tag: dev builds are tagged latest on purpose
//! ```
//!
//! checkov reads `checkov.io/skip<N>: <ID>=<comment>` and splits it at `=` (a second `=`
//! breaks its parser), so a reason written there cannot contain one. kube-linter reads
//! `ignore-check.kube-linter.io/<check>: <reason>`.

use crate::build::object::Object;

/// A scanner whose skip annotation wfk writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scanner {
    Checkov,
    KubeLinter,
}

/// The objects a scanner's check reads, where its skip annotation must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Deployments, StatefulSets, Jobs and CronJobs: the checks of pods and containers.
    Workload,
    /// Services a load balancer or node port exposes.
    Service,
    /// Roles and RoleBindings.
    Access,
}

impl Target {
    /// Whether `object` is one this target names.
    pub fn holds(self, object: &Object) -> bool {
        match object {
            Object::Deployment(_)
            | Object::StatefulSet(_)
            | Object::Job(_)
            | Object::CronJob(_) => self == Target::Workload,
            Object::Service(s) => {
                let kind = s.spec.as_ref().and_then(|s| s.type_.as_deref());
                self == Target::Service && matches!(kind, Some("LoadBalancer" | "NodePort"))
            }
            Object::Role(_) | Object::RoleBinding(_) => self == Target::Access,
            _ => false,
        }
    }
}

/// One scanner check that reports what a wfk check reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Skip {
    pub scanner: Scanner,
    /// The scanner's id: `CKV_K8S_43`, `latest-tag`.
    pub id: &'static str,
    pub target: Target,
}

const fn checkov(id: &'static str, target: Target) -> Skip {
    Skip {
        scanner: Scanner::Checkov,
        id,
        target,
    }
}

const fn kube_linter(id: &'static str, target: Target) -> Skip {
    Skip {
        scanner: Scanner::KubeLinter,
        id,
        target,
    }
}

use Target::{Access, Service, Workload};

/// Each suppressible wfk check and the scanner checks that report the same thing.
pub const SKIPS: &[(&str, &[Skip])] = &[
    (
        "image-latest",
        &[
            checkov("CKV_K8S_14", Workload),
            kube_linter("latest-tag", Workload),
        ],
    ),
    ("image-without-digest", &[checkov("CKV_K8S_43", Workload)]),
    (
        "probe-missing",
        &[
            checkov("CKV_K8S_8", Workload),
            checkov("CKV_K8S_9", Workload),
            kube_linter("no-liveness-probe", Workload),
            kube_linter("no-readiness-probe", Workload),
        ],
    ),
    (
        "secret-in-env",
        &[
            checkov("CKV_K8S_35", Workload),
            kube_linter("read-secret-from-env-var", Workload),
        ],
    ),
    ("low-user-id", &[checkov("CKV_K8S_40", Workload)]),
    (
        "reads-secrets",
        &[
            checkov("CKV2_K8S_5", Access),
            kube_linter("access-to-secrets", Access),
        ],
    ),
    (
        "load-balancer-exposed",
        &[kube_linter("exposed-services", Service)],
    ),
];

/// `security.relax: { writableRootFilesystem: reason }`: the scanner checks it answers.
pub const WRITABLE_ROOT: &[Skip] = &[
    checkov("CKV_K8S_22", Workload),
    kube_linter("no-read-only-root-fs", Workload),
];

/// A component with `access` has its API token mounted (and only it: `token-without-access`
/// holds everywhere else), which checkov's CKV_K8S_38 reports on every pod.
pub const TOKEN_FOR_ACCESS: &[Skip] = &[checkov("CKV_K8S_38", Workload)];

/// The reason written for [`TOKEN_FOR_ACCESS`].
pub const TOKEN_REASON: &str =
    "the API token is mounted for the access rules the spec grants this component";

/// The scanner checks a wfk check answers for.
pub fn skips(code: &str) -> &'static [Skip] {
    SKIPS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(&[], |(_, skips)| skips)
}

/// Whether `reason` can be written as the value of checkov's skip annotation.
pub fn writable(reason: &str) -> bool {
    !reason.contains('=')
}

#[cfg(test)]
mod tests {
    use super::{SKIPS, skips};
    use crate::check::CHECKS;

    #[test]
    fn every_mapped_code_is_a_check_a_spec_can_suppress() {
        for (code, list) in SKIPS {
            let check = CHECKS.iter().find(|c| c.code == *code);
            assert!(
                check.is_some_and(|c| c.suppressible),
                "`{code}` is not a suppressible check"
            );
            assert!(!list.is_empty(), "`{code}` maps to no scanner check");
        }
        assert_eq!(skips("image-without-digest")[0].id, "CKV_K8S_43");
        assert!(skips("pod-not-restricted").is_empty());
    }
}
