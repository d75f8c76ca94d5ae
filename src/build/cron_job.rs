//! A CronJob: a job with a `schedule` (a backup, say).

use super::Ctx;
use super::object::CronJob;
use super::pod::Workload;
use crate::platform::job::{Concurrency, Job as Spec};
use k8s_openapi::api::batch::v1::{CronJobSpec, JobTemplateSpec};

pub(crate) fn cron_job(name: &str, j: &Spec, schedule: &str, w: &Workload, ctx: &Ctx) -> CronJob {
    CronJob {
        metadata: ctx.metadata(ctx.name(name), ctx.workload_labels(name, Some(w.image))),
        spec: Some(CronJobSpec {
            schedule: schedule.to_string(),
            time_zone: j.time_zone.clone(),
            concurrency_policy: Some(
                j.concurrency
                    .map_or("Forbid", Concurrency::as_str)
                    .to_string(),
            ),
            successful_jobs_history_limit: Some(3),
            failed_jobs_history_limit: Some(3),
            job_template: JobTemplateSpec {
                metadata: None,
                spec: Some(super::job::spec(j, w, ctx)),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}
