//! ## What it checks
//! A container in the output that reads a Secret through its environment: an env var from
//! a `secretKeyRef` (`env: { X: { secret: name/key } }`) or a whole Secret through `envFrom`
//! (`envFrom: { secrets: [name] }`). A note, not a warning.
//!
//! ## Why
//! The environment is copied where a file is not: to every child process, into crash
//! reports and debug dumps, and to anyone who can read `/proc/<pid>/environ` as the same
//! user. A Secret mounted as files is read only where the app opens it, and a rotated value
//! reaches a running pod. CIS Kubernetes Benchmark 5.4.1 prefers files; checkov reports it as
//! CKV_K8S_35, kube-linter as `read-secret-from-env-var`.
//!
//! ## Example
//! `DATABASE_URL: { secret: gorax-secrets/database-url }`.
//!
//! ## Fix
//! Mount the Secret (`mounts: { /run/secrets/db: { secret: gorax-secrets } }`) where the app
//! can read a file (many images take `<NAME>_FILE`), or give the reason:
//! `suppress: { secret-in-env: "the app reads its credentials only from the environment" }`.

use super::{Finding, Input, Pod, field_origin};
use crate::build::object::Object;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    input.pod_findings().secret_in_env.clone()
}

/// The findings of one workload's pod.
pub(super) fn pod(input: &Input, object: &Object, pod: &Pod, out: &mut Vec<Finding>) {
    let (at, pod) = (pod.at, pod.spec());
    for list in ["initContainers", "containers"] {
        for container in pod[list].as_array().into_iter().flatten() {
            let name = container["name"].as_str().unwrap_or("");
            let here = || format!("{at}.{list}[{name}]");
            let env = container["env"].as_array().into_iter().flatten();
            let from_env = env
                .filter(|e| e["valueFrom"]["secretKeyRef"].is_object())
                .map(|e| {
                    let var = e["name"].as_str().unwrap_or("");
                    (format!("{}.env[{var}]", here()), format!("`{var}`"))
                });
            let env_from = container["envFrom"].as_array().into_iter().flatten();
            let from_secret = env_from
                .filter_map(|e| e["secretRef"]["name"].as_str())
                .map(|secret| {
                    (
                        format!("{}.envFrom", here()),
                        format!("every key of Secret `{secret}`"),
                    )
                });
            for (field, what) in from_env.chain(from_secret) {
                out.push(
                    Finding::new(
                        format!(
                            "{} `{}`: container `{name}` reads {what} from a Secret through its environment",
                            object.kind(),
                            object.name()
                        ),
                        field_origin(input, object, &field),
                        "a Secret in the environment",
                    )
                    .help("mount the Secret as files where the app can read one, or suppress `secret-in-env` with the reason")
                    .owned(input, object),
                );
            }
        }
    }
}
