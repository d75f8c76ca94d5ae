//! Jobs: one-off tasks such as migrations (a Job) and scheduled ones such as backups
//! (a CronJob when `schedule` is set).

use super::Platform;
use super::component::{EnvFrom, Mount, Resources, Security, Storage};
use super::values::EnvValue;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

/// A Job, or a CronJob when `schedule` is set.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Job {
    /// The image, or the image of `component` when left out.
    #[serde(default)]
    pub image: Option<String>,
    /// Run with this component's image, environment and network access.
    #[serde(default)]
    pub component: Option<String>,
    /// The entrypoint, replacing the image's.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Arguments to the entrypoint.
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// A cron schedule (`0 2 * * *`) makes this a CronJob.
    #[serde(default)]
    pub schedule: Option<String>,
    /// The IANA time zone of the schedule, e.g. `Europe/Berlin`.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Environment variables, by name, as for components.
    #[serde(default)]
    pub env: IndexMap<String, EnvValue>,
    /// Whole config maps and secrets as environment variables.
    #[serde(default)]
    pub env_from: EnvFrom,
    /// CPU and memory as `request/limit`.
    #[serde(default)]
    pub resources: Resources,
    /// What this job connects to, as for components: `{ postgres: true }`. A job with
    /// `component` also connects to what that component uses.
    #[serde(default)]
    pub uses: super::endpoint::Uses,
    /// Files and writable folders, by mount path.
    #[serde(default)]
    pub mounts: IndexMap<String, Mount>,
    /// PersistentVolumeClaims created for this job (a backup target, say), by name.
    #[serde(default)]
    pub storage: IndexMap<String, Storage>,
    /// Retries before the Job fails (default 3).
    #[serde(default)]
    pub backoff_limit: Option<i32>,
    /// Seconds after which a running Job is stopped.
    #[serde(default)]
    pub deadline: Option<i64>,
    /// Seconds a finished Job is kept.
    #[serde(default)]
    pub ttl: Option<i32>,
    /// CronJobs: whether runs may overlap: `Forbid` (default), `Allow` or `Replace`.
    #[serde(default)]
    pub concurrency: Option<Concurrency>,
    /// Pod security, as for components.
    #[serde(default)]
    pub security: Security,
    /// Policy checks this job is exempt from, each with the reason, as for components.
    #[serde(default)]
    pub suppress: IndexMap<String, String>,
}

impl Job {
    /// The resources the job's container runs with: each amount from the job's own
    /// `resources`, else from the component it names, else from `defaults.resources`.
    /// This is the one place that order is decided; the Job and CronJob builders and the
    /// `missing-resources` error both ask here.
    pub fn effective_resources(&self, platform: &Platform) -> Resources {
        let component = self
            .component
            .as_ref()
            .and_then(|name| platform.components.get(name));
        let own = match component {
            Some(c) => self.resources.or(&c.resources),
            None => self.resources.clone(),
        };
        own.or(&platform.defaults.resources)
    }
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
pub enum Concurrency {
    Allow,
    Forbid,
    Replace,
}
kubernetes_names!(Concurrency: Allow, Forbid, Replace);
