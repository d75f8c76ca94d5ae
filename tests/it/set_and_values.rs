//! `--set` changes the spec and never invents an entity; image references follow the
//! container image grammar; port numbers are 1–65535. Each error is checked whole: exit
//! code, message, `file:line:col`, help, and an empty stdout.

use crate::support::Test;

/// A platform with one of each entity: components `api` and `worker`, job `migrate`,
/// config map `app-config`, ingress host `api`, storage class `fast` and a patch of
/// `Deployment/gorax-api`. The `dev` overlay removes `worker`.
const PLATFORM: &str = "\
platform: gorax
defaults:
  resources: { cpu: 100m/500m, memory: 128Mi/256Mi }
labels:
  team: core
config:
  app-config:
    log-level: info
components:
  api:
    image: gorax/api:v1.2.3
    replicas: 2
    ports: { http: 8080 }
    probes: { liveness: /live, readiness: /ready }
    env:
      LOG_LEVEL: { config: log-level }
  worker:
    image: gorax/worker:v1.2.3
    replicas: 2
    probes: { liveness: { exec: [true] }, readiness: { exec: [true] } }
jobs:
  migrate:
    component: api
    command: [migrate]
ingress:
  domain: gorax.io
  hosts:
    api: { paths: { /: api } }
storageClasses:
  fast:
    provisioner: ebs.csi.aws.com
patches:
  Deployment/gorax-api:
    spec: { revisionHistoryLimit: 3 }
";

fn project() -> Test {
    Test::new()
        .file("platform.yaml", PLATFORM)
        .file("overlays/dev.yaml", "components:\n  worker: null\n")
        .file("overlays/prod.yaml", "# prod: as the base\n")
}

/// The error `wfk render prod --set SET` must print for a name of the `--set` path that
/// is not an entity of the environment.
fn refused(set: &str, col: usize, message: &str, note: &str, help: &str) {
    let underline = "^".repeat(
        set[col - 1..]
            .split(['.', '='])
            .next()
            .unwrap()
            .chars()
            .count(),
    );
    let pad = " ".repeat(col - 1);
    project()
        .args(["render", "prod", "--set", set])
        .stderr(format!(
            "error[invalid-set]: {message}\n --> --set:1:{col}\n  |\n1 | {set}\n  | {pad}{underline} {note}\n  |\n  = help: {help}\n\n"
        ))
        .status(2)
        .run();
}

#[test]
fn set_of_a_misspelt_component_is_refused_not_rendered_as_a_new_one() {
    project()
        .args([
            "render",
            "prod",
            "--set",
            "components.apii.image=gorax/api:v9",
        ])
        .stderr(
            "\
error[invalid-set]: component `apii` does not exist
 --> --set:1:12
  |
1 | components.apii.image=gorax/api:v9
  |            ^^^^ not a component of this environment
  |
  = help: did you mean `components.api.image`?

",
        )
        .status(2)
        .run();
}

#[test]
fn set_never_adds_a_job_config_map_ingress_host_or_patch() {
    refused(
        "jobs.migrat.command=[x]",
        6,
        "job `migrat` does not exist",
        "not a job of this environment",
        "did you mean `jobs.migrate.command`?",
    );
    refused(
        "config.app-confg.log-level=debug",
        8,
        "config map `app-confg` does not exist",
        "not a config map of this environment",
        "did you mean `config.app-config.log-level`?",
    );
    refused(
        "ingress.hosts.app.paths./=api",
        15,
        "ingress host `app` does not exist",
        "not an ingress host of this environment",
        "did you mean `ingress.hosts.api.paths./`?",
    );
    refused(
        "patches.Deployment/gorax-apii.spec.replicas=1",
        9,
        "patch `Deployment/gorax-apii` does not exist",
        "not a patch of this environment",
        "did you mean `patches.Deployment/gorax-api.spec.replicas`?",
    );
}

#[test]
fn set_of_an_unrelated_name_lists_the_existing_ones() {
    refused(
        "storageClasses.slow.provisioner=ebs.csi.aws.com",
        16,
        "storage class `slow` does not exist",
        "not a storage class of this environment",
        "a `--set` changes a storage class but never adds one; add `slow` to platform.yaml or an overlay\n          existing: fast",
    );
    // Removing what is not there is a typo too.
    refused(
        "components.payments=null",
        12,
        "component `payments` does not exist",
        "not a component of this environment",
        "a `--set` changes a component but never adds one; add `payments` to platform.yaml or an overlay\n          existing: api, worker",
    );
}

#[test]
fn set_of_a_new_entity_inside_a_mapping_value_is_refused_at_its_key() {
    project()
        .args(["render", "prod", "--set", "jobs={seed: {component: api}}"])
        .stderr(
            "\
error[invalid-set]: job `seed` does not exist
 --> --set:1:7
  |
1 | jobs={seed: {component: api}}
  |       ^^^^^^^^^^^^^^^^^^^^^^^ not a job of this environment
  |
  = help: a `--set` changes a job but never adds one; add `seed` to platform.yaml or an overlay
          existing: migrate

",
        )
        .status(2)
        .run();
}

#[test]
fn set_of_a_component_the_overlay_removed_points_at_the_removal() {
    project()
        .args(["render", "dev", "--set", "components.worker.replicas=3"])
        .stderr(
            "\
error[invalid-set]: component `worker` does not exist
 --> --set:1:12
  |
1 | components.worker.replicas=3
  |            ^^^^^^ not a component of this environment
  |
 ::: overlays/dev.yaml:2:11
  |
2 |   worker: null
  |           ---- removed here
  |
  = help: a `--set` never brings back a component that was removed; drop the `null` to keep `worker`

",
        )
        .status(2)
        .run();
}

#[test]
fn set_adds_env_vars_config_keys_and_labels_to_existing_entities() {
    project()
        .args([
            "explain",
            "prod",
            "components.api.env.NEW_VAR",
            "--set",
            "components.api.env.NEW_VAR=1",
            "--set",
            "config.app-config.new-key=x",
            "--set",
            "labels.owner=platform",
            "--set",
            "components.api.annotations.note=ok",
        ])
        .stdout("components.api.env.NEW_VAR: 1\n  set at --set:1:28\n")
        .run();
    project()
        .args([
            "explain",
            "prod",
            "config.app-config.new-key",
            "--set",
            "config.app-config.new-key=x",
        ])
        .stdout("config.app-config.new-key: x\n  set at --set:1:27\n")
        .run();
}

#[test]
fn set_of_a_whole_existing_component_is_allowed() {
    project()
        .args([
            "explain",
            "prod",
            "components.api.image",
            "--set",
            "components.api={image: gorax/api:v9}",
        ])
        .stdout("components.api.image: gorax/api:v9\n  set at --set:1:24\n  overrides gorax/api:v1.2.3  platform.yaml:11:12\n")
        .run();
}

/// The help of every `invalid-image` error.
const IMAGE_HELP: &str = "write an image as `[registry[:port]/]path[:tag][@digest]` with a lowercase path, such as `gorax/api:v1.2.3` or `ghcr.io/gorax/api@sha256:<64 hex digits>`";

#[test]
fn set_of_an_image_with_an_empty_tag_is_refused_even_by_validate() {
    let error = format!(
        "\
error[invalid-image]: image `gorax/api:` has an empty tag
 --> --set:1:22
  |
1 | components.api.image=gorax/api:
  |                      ^^^^^^^^^^ not an image reference
  |
  = help: {IMAGE_HELP}

"
    );
    project()
        .args(["render", "prod", "--set", "components.api.image=gorax/api:"])
        .stderr(&error)
        .status(2)
        .run();
    project()
        .args([
            "validate",
            "prod",
            "--deny",
            "warnings",
            "--set",
            "components.api.image=gorax/api:",
        ])
        .stderr(format!(
            "environment `prod`:\n{error}checked 1 environment (prod): 1 error, 0 warnings\n"
        ))
        .status(2)
        .run();
}

#[test]
fn set_of_an_image_with_a_space_or_a_bare_at_is_refused() {
    for (image, problem) in [
        ("gorax/ api:v1", "contains a space"),
        ("gorax/api@", "has `@` but no digest"),
        (
            "gorax/api@sha256:abc",
            "has a sha256 digest of 3 hex digits, not 64",
        ),
    ] {
        let set = format!("components.worker.image={image}");
        project()
            .args(["render", "prod", "--set", &set])
            .stderr(format!(
                "\
error[invalid-image]: image `{image}` {problem}
 --> --set:1:25
  |
1 | {set}
  |                         {} not an image reference
  |
  = help: {IMAGE_HELP}

",
                "^".repeat(image.len())
            ))
            .status(2)
            .run();
    }
}

#[test]
fn uppercase_image_in_the_platform_file_is_refused_at_its_line() {
    project()
        .file(
            "platform.yaml",
            PLATFORM.replace("image: gorax/api:v1.2.3", "image: Gorax/api:v1"),
        )
        .args(["render", "prod"])
        .stderr(format!(
            "\
error[invalid-image]: image `Gorax/api:v1` has uppercase letters in its path `Gorax/api`
  --> platform.yaml:11:12
   |
11 |     image: Gorax/api:v1
   |            ^^^^^^^^^^^^ not an image reference
   |
   = help: {IMAGE_HELP}

"
        ))
        .status(2)
        .run();
}

#[test]
fn images_of_init_containers_sidecars_and_jobs_are_checked_in_overlays() {
    project()
        .file(
            "overlays/prod.yaml",
            "\
components:
  api:
    init:
      wait:
        image: \"busybox:\"
        command: [true]
    sidecars:
      proxy: { image: /envoy:v1 }
jobs:
  migrate:
    image: gorax/migrate:v1!
",
        )
        .args(["render", "prod"])
        .stderr(format!(
            "\
error[invalid-image]: image `busybox:` has an empty tag
 --> overlays/prod.yaml:5:16
  |
5 |         image: \"busybox:\"
  |                ^^^^^^^^^^ not an image reference
  |
  = help: {IMAGE_HELP}

error[invalid-image]: image `/envoy:v1` starts with `/`
 --> overlays/prod.yaml:8:23
  |
8 |       proxy: {{ image: /envoy:v1 }}
  |                       ^^^^^^^^^ not an image reference
  |
  = help: {IMAGE_HELP}

error[invalid-image]: image `gorax/migrate:v1!` has a tag `v1!` with characters other than letters, digits, `_`, `.` and `-`
  --> overlays/prod.yaml:11:12
   |
11 |     image: gorax/migrate:v1!
   |            ^^^^^^^^^^^^^^^^^ not an image reference
   |
   = help: {IMAGE_HELP}

error: aborting due to 3 errors
"
        ))
        .status(2)
        .run();
}

/// The project with the `ports:` line of `api` (line 13) written as `ports`.
fn with_ports(ports: &str) -> Test {
    project().file(
        "platform.yaml",
        PLATFORM.replace("ports: { http: 8080 }", &format!("ports: {ports}")),
    )
}

#[test]
fn port_out_of_range_is_one_error_naming_the_range() {
    with_ports("{ http: { port: 70000 } }")
        .args(["render", "prod"])
        .stderr(
            "\
error[invalid-value]: port `70000` is out of range
  --> platform.yaml:13:28
   |
13 |     ports: { http: { port: 70000 } }
   |                            ^^^^^ the value of `port`
   |
   = help: a port is a number from 1 to 65535

",
        )
        .status(2)
        .run();
}

#[test]
fn port_0_and_minus_1_are_the_same_one_error_in_either_form() {
    for (ports, port, col, field) in [
        ("{ http: { port: 0 } }", "0", 28, "port"),
        ("{ http: { port: -1 } }", "-1", 28, "port"),
        ("{ http: 0 }", "0", 20, "http"),
        ("{ http: -1 }", "-1", 20, "http"),
        (
            "{ http: { port: 8080, servicePort: 0 } }",
            "0",
            47,
            "servicePort",
        ),
    ] {
        // `validate`, so a check would show: the spec refuses the value before any runs.
        with_ports(ports)
            .args(["validate", "prod"])
            .stderr(format!(
                "\
environment `prod`:
error[invalid-value]: port `{port}` is out of range
  --> platform.yaml:13:{col}
   |
13 |     ports: {ports}
   |{pad}{underline} the value of `{field}`
   |
   = help: a port is a number from 1 to 65535

checked 1 environment (prod): 1 error, 0 warnings
",
                pad = " ".repeat(col),
                underline = "^".repeat(port.len()),
            ))
            .status(2)
            .run();
    }
}

#[test]
fn set_of_a_port_out_of_range_is_refused_at_its_value() {
    project()
        .args(["render", "prod", "--set", "components.api.ports.http=70000"])
        .stderr(
            "\
error[invalid-value]: port `70000` is out of range
 --> --set:1:27
  |
1 | components.api.ports.http=70000
  |                           ^^^^^ the value of `http`
  |
  = help: a port is a number from 1 to 65535

",
        )
        .status(2)
        .run();
}

#[test]
fn probe_port_out_of_range_names_the_range_not_a_missing_name() {
    project()
        .file(
            "overlays/prod.yaml",
            "components:\n  worker:\n    probes: { liveness: { exec: null, tcp: 70000 } }\n",
        )
        .args(["render", "prod"])
        .stderr(
            "\
error[invalid-value]: port `70000` is out of range
 --> overlays/prod.yaml:3:44
  |
3 |     probes: { liveness: { exec: null, tcp: 70000 } }
  |                                            ^^^^^ the value of `tcp`
  |
  = help: a port is a number from 1 to 65535

",
        )
        .status(2)
        .run();
}
