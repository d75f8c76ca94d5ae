//! `wfk init [NAME]`: a new project in `--dir` (which must be empty or missing): a small,
//! valid platform.yaml whose comments teach the format, overlays for dev, staging and prod,
//! and the JSON Schemas the editor modelines point at (`.wfk/`).

use crate::Exit;
use crate::cli::InitArgs;
use anyhow::{Context, bail};
use std::fs;
use std::path::Path;

/// Where the schemas go, relative to the project; the modelines name them.
pub const SCHEMA_DIR: &str = ".wfk";

pub fn run(dir: &Path, args: &InitArgs, quiet: bool) -> anyhow::Result<Exit> {
    let name = match &args.name {
        Some(name) => name.clone(),
        None => folder_name(dir)?,
    };
    let errors = crate::validation::is_dns1123_label(&name);
    if !errors.is_empty() {
        bail!(
            "`{name}` cannot name a platform: {}; pass a name such as `wfk init shop`",
            errors.join("; ")
        );
    }
    if dir.exists() {
        let mut entries =
            fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "`{}` is not empty; run `wfk init` in an empty folder, or name a new one with `--dir`",
                dir.display()
            );
        }
    }
    let files = files(&name);
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if !quiet {
        anstream::eprintln!(
            "created platform `{name}` in `{}`: platform.yaml, overlays/{{dev,staging,prod}}.yaml\nnext: wfk{} validate, then wfk{} render dev",
            dir.display(),
            dir_flag(dir),
            dir_flag(dir)
        );
    }
    Ok(Exit::Success)
}

/// ` --dir DIR` unless DIR is the current folder.
fn dir_flag(dir: &Path) -> String {
    if dir == Path::new(".") {
        String::new()
    } else {
        format!(" --dir {}", dir.display())
    }
}

/// The name of the project folder, for a platform named after it.
fn folder_name(dir: &Path) -> anyhow::Result<String> {
    let full = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()?.join(dir)
    };
    full.components()
        .next_back()
        .map(|c| c.as_os_str().to_string_lossy().to_lowercase())
        .filter(|n| !n.is_empty() && n != "/")
        .with_context(|| "name the platform: `wfk init NAME`".to_string())
}

/// Every file of a new project, by path relative to it.
pub fn files(name: &str) -> Vec<(String, String)> {
    let platform = PLATFORM.replace("NAME", name);
    let overlay = |text: &str| text.replace("NAME", name);
    let mut schema = serde_json::to_string_pretty(&crate::platform::schema()).unwrap_or_default();
    schema.push('\n');
    let mut overlay_schema =
        serde_json::to_string_pretty(&crate::platform::overlay_schema()).unwrap_or_default();
    overlay_schema.push('\n');
    vec![
        ("platform.yaml".into(), platform),
        ("overlays/dev.yaml".into(), overlay(DEV)),
        ("overlays/staging.yaml".into(), overlay(STAGING)),
        ("overlays/prod.yaml".into(), overlay(PROD)),
        (format!("{SCHEMA_DIR}/platform.schema.json"), schema),
        (format!("{SCHEMA_DIR}/overlay.schema.json"), overlay_schema),
    ]
}

const PLATFORM: &str = r##"# yaml-language-server: $schema=.wfk/platform.schema.json
# The platform NAME: what every environment shares. Each overlays/<env>.yaml holds only
# what differs there. Maps merge deeply, a scalar or a list is replaced whole, and `null`
# in an overlay removes a key. `wfk explain dev components.api.replicas` shows where any
# value was set; `wfk schema` lists every field (the modeline above gives your editor
# completion from it; `wfk schema > .wfk/platform.schema.json` refreshes it).
platform: NAME

# Every container needs requests and limits, as `request/limit`; components may set their own.
defaults:
  resources: { cpu: 100m/500m, memory: 128Mi/256Mi }

# Config maps by name. An env var takes a key with `{ config: key }`; a pod rolls when a
# key it uses changes (it carries a checksum of exactly those keys).
config:
  NAME-config:
    log-level: info

# The workloads, by name. Each is a Deployment (or `kind: stateful`: a StatefulSet) with a
# Service for its ports, under the restricted Pod Security profile and a default-deny
# network policy that opens exactly the `uses` paths.
components:
  api:
    image: nginxinc/nginx-unprivileged:1.27-alpine   # pin a tag or a digest
    replicas: 2
    ports: { http: 8080 }
    probes: { liveness: /, readiness: / }          # HTTP GET paths on the first port
    env:
      LOG_LEVEL: { config: log-level }
      # DATABASE_URL: { secret: NAME-db/url }      # secrets are referenced, never written
    mounts:
      /var/cache/nginx: { scratch: true }          # the root filesystem is read-only
      /var/run: { scratch: true }
    disruption: { minAvailable: 1 }
    uses: [redis]                                  # opens api → redis:6379, both sides

  redis:
    kind: stateful
    image: redis:7.4-alpine
    ports: { redis: 6379 }
    probes: { liveness: { tcp: redis }, readiness: { tcp: redis } }
    storage: { data: { size: 1Gi, mount: /data } } # one claim per replica

# How the platform is reached from outside: hosts and paths to components' ports.
ingress:
  domain: NAME.example.com
  hosts:
    app: { paths: { /: api } }                     # app.NAME.example.com
"##;

const DEV: &str = r##"# yaml-language-server: $schema=../.wfk/overlay.schema.json
# dev: only what differs from platform.yaml.
namespace: NAME-dev
config:
  NAME-config:
    log-level: debug
components:
  api:
    replicas: 1
    disruption: null                               # null removes a key of the base
"##;

const STAGING: &str = r##"# yaml-language-server: $schema=../.wfk/overlay.schema.json
# staging: only what differs from platform.yaml.
namespace: NAME-staging
"##;

const PROD: &str = r##"# yaml-language-server: $schema=../.wfk/overlay.schema.json
# prod: only what differs from platform.yaml.
namespace: NAME-prod
components:
  api:
    resources: { cpu: 250m/1, memory: 256Mi/512Mi }
    replicas: 3
    autoscale: { max: 10, cpu: 70 }                # from `replicas` up; the HPA owns them
    spread: zone
  redis:
    storage: { data: { size: 10Gi, mount: /data } }
"##;
