//! A one-off Job (a migration, say).

use super::Ctx;
use super::object::Job;
use super::pod::{self, Workload};
use crate::platform::job::Job as Spec;
use k8s_openapi::api::batch::v1::JobSpec;
use sha2::{Digest, Sha256};

/// A Job's pod template cannot change once it exists, so its name ends with a hash of its
/// spec: a new image or config makes a new Job (run once, like a migration should), and an
/// unchanged spec keeps its name, so applying again does nothing.
pub(crate) fn job(name: &str, j: &Spec, w: &Workload, ctx: &Ctx) -> Job {
    let spec = spec(j, w, ctx);
    let json = serde_json::to_vec(&spec).unwrap_or_default();
    let digest = Sha256::digest(&json);
    let hash = crate::hex(&digest[..4]);
    Job {
        metadata: ctx.metadata(
            format!("{}-{hash}", ctx.name(name)),
            ctx.workload_labels(name, Some(w.image)),
        ),
        spec: Some(spec),
        ..Default::default()
    }
}

/// The job spec shared by Jobs and CronJobs' job templates.
pub(crate) fn spec(j: &Spec, w: &Workload, ctx: &Ctx) -> JobSpec {
    JobSpec {
        backoff_limit: Some(j.backoff_limit.unwrap_or(3)),
        active_deadline_seconds: j.deadline,
        ttl_seconds_after_finished: j.ttl,
        template: pod::template(w, ctx, Some("Never")),
        ..Default::default()
    }
}
