//! A one-off Job (a migration, say).

use super::Ctx;
use super::object::Job;
use super::pod::{self, Workload};
use crate::spec::job::Job as Spec;
use k8s_openapi::api::batch::v1::JobSpec;

pub(crate) fn job(name: &str, j: &Spec, w: &Workload, ctx: &Ctx) -> Job {
    Job {
        metadata: ctx.metadata(ctx.name(name), ctx.workload_labels(name, Some(w.image))),
        spec: Some(spec(j, w, ctx)),
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
