//! The typed spec: what a platform is, deserialized from the merged tree of one environment.
//!
//! Every struct denies unknown fields, so a misspelled key is an error at its position with
//! the nearest valid key. Field doc comments are the user documentation: `wfk schema` turns
//! them into JSON Schema descriptions. Things users change one at a time (components, env
//! vars, config keys, ports, hosts) are maps keyed by name, so overlays never merge lists.
//!
//! [`Platform::from_tree`] reports every error of the tree, not only the first: after each
//! serde error it removes the offending key (or fills a missing one) and tries again.

pub mod component;
mod errors;
pub mod ingress;
pub mod job;
mod references;
pub mod values;

use crate::diagnostic::Diagnostics;
use crate::merge::Merged;
use component::{Component, Resources};
use indexmap::IndexMap;
use ingress::Ingress;
use job::Job;
use schemars::JsonSchema;
use serde::Deserialize;
use values::{ConfigEntry, Free};

/// A workflow platform: its components, their configuration and how they are reached.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "wfk platform spec")]
pub struct Platform {
    /// The platform's name (a DNS-1123 label). Object names start with it and every object
    /// carries it in `app.kubernetes.io/part-of`.
    pub platform: String,
    /// The namespace everything is deployed to. Default: the platform's name.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Defaults for every component and job.
    #[serde(default)]
    pub defaults: Defaults,
    /// Labels added to every object.
    #[serde(default)]
    pub labels: IndexMap<String, String>,
    /// Config maps by name. Each key is a value, or a whole file (a key ending in `.yaml`,
    /// `.yml` or `.json`) written from structured YAML, so an overlay can change one key of it.
    #[serde(default)]
    pub config: IndexMap<String, IndexMap<String, ConfigEntry>>,
    /// The workloads, by name.
    #[serde(default)]
    pub components: IndexMap<String, Component>,
    /// Migrations (Jobs) and scheduled tasks (CronJobs), by name.
    #[serde(default)]
    pub jobs: IndexMap<String, Job>,
    /// How the platform is reached from outside the cluster.
    #[serde(default)]
    pub ingress: Option<Ingress>,
    /// StorageClass objects the platform creates, by name.
    #[serde(default)]
    pub storage_classes: IndexMap<String, StorageClass>,
    /// Last-resort merge patches on rendered objects, keyed `Kind/name`
    /// (`Deployment/gorax-api`). A patch that matches no object, or names a field the kind
    /// does not have, is an error. Prefer a spec field; use a patch for what the spec lacks.
    #[serde(default)]
    pub patches: IndexMap<String, Free>,
}

/// Defaults applied to every component and job unless it sets its own.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Defaults {
    /// Numeric user id of every container (default 10001).
    #[serde(default)]
    pub run_as_user: Option<i64>,
    /// Numeric group id (default 10001).
    #[serde(default)]
    pub run_as_group: Option<i64>,
    /// Group owning mounted volumes (default 10001).
    #[serde(default)]
    pub fs_group: Option<i64>,
    /// Requests and limits for components that set none.
    #[serde(default)]
    pub resources: Resources,
    /// The namespace Prometheus runs in, let in to ports with `scrape: true`
    /// (default `monitoring`).
    #[serde(default)]
    pub monitoring_namespace: Option<String>,
}

/// A StorageClass.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StorageClass {
    /// The provisioner, e.g. `ebs.csi.aws.com`.
    pub provisioner: String,
    /// Provisioner parameters.
    #[serde(default)]
    pub parameters: IndexMap<String, String>,
    /// `Delete` (default) or `Retain`.
    #[serde(default)]
    pub reclaim_policy: Option<String>,
    /// `Immediate` or `WaitForFirstConsumer`.
    #[serde(default)]
    pub volume_binding_mode: Option<String>,
    /// Whether claims may grow.
    #[serde(default)]
    pub allow_volume_expansion: Option<bool>,
}

impl Platform {
    /// The typed spec of a merged environment, or every error in it.
    pub fn from_tree(merged: &Merged) -> Result<Platform, Diagnostics> {
        let mut platform = errors::deserialize(merged)?;
        platform.read_files(merged);
        references::check(&platform, merged)?;
        Ok(platform)
    }

    /// The namespace objects are deployed to.
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or(&self.platform)
    }

    /// Structured config files take their content from the tree, which knows a quoted
    /// `"8080"` from a plain `8080`.
    fn read_files(&mut self, merged: &Merged) {
        for (name, entries) in &mut self.config {
            for (key, entry) in entries.iter_mut() {
                if let ConfigEntry::File(content) = entry {
                    let path = ["config".to_string(), name.clone(), key.clone()];
                    if let Some(node) = merged.get(&path) {
                        *content = crate::tree::to_json(node);
                    }
                }
            }
        }
        for (target, patch) in &mut self.patches {
            if let Some(node) = merged.get(&["patches".to_string(), target.clone()]) {
                patch.0 = crate::tree::to_json(node);
            }
        }
    }
}

/// The JSON Schema of the spec, for editors.
pub fn schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<Platform>();
    serde_json::to_value(schema).unwrap_or_default()
}
