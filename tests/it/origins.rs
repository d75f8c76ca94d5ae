//! Origins travel with values: every layer is typed where it is written, each error is
//! reported once however many environments share it, and a rendered field names the spec
//! value, template or patch that produced it (`wfk diff`, `wfk explain Kind/name FIELD`).

use crate::support::Test;

/// A base with an autoscaled `api` (its `autoscale` written as `autoscale`), a `worker`
/// patched by the spec, a template, and two overlays that each set their own `max`.
fn project(autoscale: &str) -> Test {
    Test::new()
        .file(
            "platform.yaml",
            format!(
                "platform: shop
defaults:
  resources: {{ cpu: 100m/200m, memory: 64Mi/128Mi }}
components:
  api:
    image: shop/api:v1
    replicas: 2
    ports: {{ http: 8080 }}
    probes: {{ liveness: /live, readiness: /ready }}
    resources:
      cpu: 250m/500m
    autoscale: {autoscale}
  worker:
    image: shop/worker:v1
    ports: {{ http: 8080 }}
    probes: {{ liveness: /live, readiness: /ready }}
patches:
  Deployment/shop-worker:
    spec:
      revisionHistoryLimit: 3
"
            ),
        )
        .file("overlays/dev.yaml", "components:\n  api:\n    autoscale:\n      max: 4\n")
        .file(
            "overlays/prod.yaml",
            "components:\n  api:\n    replicas: 3\n    autoscale:\n      max: 10\n      cpu: 60\n",
        )
        .file(
            "templates/monitor.yaml",
            "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: {{ platform }}-api\nspec:\n  endpoints: [{ port: http }]\n",
        )
}

const GOOD: &str = "{ max: 3, cpu: 70 }";

/// The error of `project("{ max: three, cpu: 70 }")`.
const THREE: &str = "error[type-mismatch]: invalid value `three` for `max`: expected a whole number
  --> platform.yaml:12:23
   |
12 |     autoscale: { max: three, cpu: 70 }
   |                       ^^^^^ not a whole number
   |
   = help: write a number without quotes or units, such as `3`

";

#[test]
fn a_bad_value_that_every_environment_overrides_is_still_an_error_once() {
    project("{ max: three, cpu: 70 }")
        .args(["validate", "--quiet"])
        .stderr(format!("environments `dev`, `prod`:\n{THREE}"))
        .status(2)
        .run();
}

#[test]
fn a_list_written_in_an_overlay_is_reported_at_the_overlay_line() {
    project(GOOD)
        .file(
            "overlays/dev.yaml",
            "components:\n  api:\n    resources: { cpu: [100m/250m] }\n",
        )
        .args(["render", "dev"])
        .stderr(
            "error[type-mismatch]: invalid type for `cpu`: expected a string or a number, found a list
 --> overlays/dev.yaml:3:23
  |
3 |     resources: { cpu: [100m/250m] }
  |                       ^ expected a string or a number
  |
  = help: write a string or a number here

",
        )
        .status(2)
        .run();
}

#[test]
fn one_misspelled_key_in_the_base_is_one_error_for_every_environment() {
    let out = project(&format!("{GOOD}\n    replcas: 1"))
        .file(
            "overlays/staging.yaml",
            "components:\n  api:\n    autoscale:\n      max: 5\n",
        )
        .args(["validate", "--format", "json"])
        .output();
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    assert_eq!(out.stderr, "");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["version"], 2);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc:#}");
    assert_eq!(findings[0]["code"], "unknown-key");
    assert_eq!(
        (
            &findings[0]["file"],
            &findings[0]["line"],
            &findings[0]["column"]
        ),
        (&"platform.yaml".into(), &13.into(), &5.into())
    );
    assert_eq!(
        findings[0]["environments"],
        serde_json::json!(["dev", "prod", "staging"])
    );
    assert_eq!(doc["summary"]["errors"], 1);
}

#[test]
fn diff_names_the_overlay_line_of_each_autoscaler_field() {
    project(GOOD)
        .args(["diff", "dev", "prod"])
        .stdout(
            "~ HorizontalPodAutoscaler shop-api
    spec.maxReplicas: 4 → 10   (overlays/dev.yaml:4:12 → overlays/prod.yaml:5:12)
    spec.metrics[0].resource.target.averageUtilization: 70 → 60   (platform.yaml:12:31 → overlays/prod.yaml:6:12)
    spec.minReplicas: 2 → 3   (platform.yaml:7:15 → overlays/prod.yaml:3:15)
0 added, 0 removed, 1 changed, 11 the same
",
        )
        .status(1)
        .run();
}

/// `wfk explain prod Kind/name FIELD`, the arguments after `explain prod`.
fn explain(args: &[&str]) -> Test {
    let mut all = vec!["explain", "prod"];
    all.extend(args);
    project(GOOD).args(all)
}

#[test]
fn explain_a_rendered_field_set_by_the_base_and_by_a_default() {
    explain(&["Deployment/shop-api", "spec.template.spec.containers[0].resources"])
        .stdout(
            "Deployment/shop-api spec.template.spec.containers[api].resources:
  spec.template.spec.containers[api].resources.limits.cpu  ← components.api.resources.cpu = 250m/500m  platform.yaml:11:12
  spec.template.spec.containers[api].resources.limits.memory  ← defaults.resources.memory = 64Mi/128Mi  platform.yaml:3:40
  spec.template.spec.containers[api].resources.requests.cpu  ← components.api.resources.cpu = 250m/500m  platform.yaml:11:12
  spec.template.spec.containers[api].resources.requests.memory  ← defaults.resources.memory = 64Mi/128Mi  platform.yaml:3:40
",
        )
        .run();
}

#[test]
fn explain_a_rendered_field_set_by_an_overlay_shows_what_it_overrode() {
    explain(&["HorizontalPodAutoscaler/shop-api", "spec.metrics[0]"])
        .stdout(
            "HorizontalPodAutoscaler/shop-api spec.metrics[0]:
  spec.metrics[0]  ← components.api.autoscale.cpu = 60  overlays/prod.yaml:6:12
      overrides 70  platform.yaml:12:31
",
        )
        .run();
}

#[test]
fn explain_a_rendered_field_set_by_set() {
    explain(&[
        "Deployment/shop-api",
        "spec.template.spec.containers[api].resources.limits.memory",
        "--set",
        "components.api.resources.memory=1Gi/2Gi",
    ])
    .stdout(
        "Deployment/shop-api spec.template.spec.containers[api].resources.limits.memory:
  spec.template.spec.containers[api].resources.limits.memory  ← components.api.resources.memory = 1Gi/2Gi  --set:1:33
",
    )
    .run();
}

#[test]
fn explain_a_rendered_field_set_by_a_patch() {
    explain(&["Deployment/shop-worker", "spec.revisionHistoryLimit"])
        .stdout(
            "Deployment/shop-worker spec.revisionHistoryLimit:
  spec.revisionHistoryLimit  ← patches.Deployment/shop-worker.spec.revisionHistoryLimit = 3  platform.yaml:20:29
",
        )
        .run();
}

#[test]
fn explain_a_rendered_field_written_by_a_template() {
    explain(&["ServiceMonitor/shop-api", "spec.endpoints"])
        .stdout(
            "ServiceMonitor/shop-api spec.endpoints:
  the object  from the template at templates/monitor.yaml:1:1
",
        )
        .run();
}

#[test]
fn explain_a_field_wfk_sets_itself_says_so() {
    explain(&["Deployment/shop-api", "spec.template.spec.securityContext"])
        .stdout(
            "Deployment/shop-api spec.template.spec.securityContext:
  set by wfk, not by the spec (secure defaults and derived fields); the object comes from components.api platform.yaml:5:3
",
        )
        .run();
}

#[test]
fn explain_of_an_object_or_field_that_is_not_rendered_is_an_error() {
    explain(&["Deployment/shop-apii", "spec"])
        .stderr(
            "error[unknown-path]: `Deployment/shop-apii` is not rendered in environment `prod`
  |
  = help: did you mean `Deployment/shop-api`?

",
        )
        .status(2)
        .run();
    explain(&["Deployment/shop-api", "spec.replicas"])
        .stderr(
            "error[unknown-path]: `spec.replicas` is not set in `Deployment/shop-api` in environment `prod`
  |
  = help: fields under `spec`: revisionHistoryLimit, selector, strategy, template

",
        )
        .status(2)
        .run();
}

#[test]
fn a_null_for_a_misspelled_key_or_a_missing_name_is_an_error_at_its_key() {
    project("{ max: 3 }")
        .file(
            "overlays/dev.yaml",
            "components:\n  api: { autoscael: null }\n  wroker: null\n",
        )
        .args(["render", "dev"])
        .stderr(
            "error[unknown-key]: unknown key `autoscael`: its `null` removes nothing
 --> overlays/dev.yaml:2:10
  |
2 |   api: { autoscael: null }
  |          ^^^^^^^^^ unknown key
  |
  = help: did you mean `autoscale`?
          valid keys here: [..]

error[nothing-to-remove]: `wroker` is not in `components`, so its `null` removes nothing
 --> overlays/dev.yaml:3:3
  |
3 |   wroker: null
  |   ^^^^^^ nothing to remove
  |
  = help: did you mean `worker`?

error: aborting due to 2 errors
",
        )
        .status(2)
        .run();
    // Removing a field that is merely unset is harmless: `worker` has no autoscale.
    project("{ max: 3 }")
        .file(
            "overlays/dev.yaml",
            "components:\n  worker: { autoscale: null }\n",
        )
        .args(["validate", "dev"])
        .stderr("...\nchecked 1 environment (dev): 0 errors, [..]\n")
        .run();
}

#[test]
fn a_list_where_a_mapping_belongs_is_one_type_error_at_the_list() {
    project("[2, 5]")
        .args(["render", "dev"])
        .stderr(
            "error[type-mismatch]: invalid type for `autoscale`: expected a mapping (`key: value`), found a list
  --> platform.yaml:12:16
   |
12 |     autoscale: [2, 5]
   |                ^ expected a mapping (`key: value`)
   |
   = help: write a mapping (`key: value`) here

",
        )
        .status(2)
        .run();
}

/// An overlay names only what it changes: a component without its required `image`, a
/// port without its `port` and an autoscaler without its `max` are complete in the merged
/// spec. However many components an overlay touches, it is typed in one pass, and a real
/// error after them all is still reported (before, each missing key cost one of the 50
/// rounds and a large overlay stopped with `too-many-errors` and no error shown).
#[test]
fn an_overlay_of_many_partial_components_is_typed_whole() {
    let mut base = String::from(
        "platform: shop\ndefaults:\n  resources: { cpu: 100m/200m, memory: 64Mi/128Mi }\ncomponents:\n",
    );
    let mut overlay = String::from("components:\n");
    for i in 0..120 {
        base.push_str(&format!(
            "  c{i:03}:\n    image: shop/c:v1\n    ports: {{ http: {{ port: 8080 }} }}\n    probes: {{ liveness: /live, readiness: /ready }}\n    autoscale: {{ max: 3 }}\n"
        ));
        let replicas = if i == 119 { "two" } else { "2" };
        overlay.push_str(&format!(
            "  c{i:03}: {{ replicas: {replicas}, ports: {{ http: {{ scrape: true }} }}, autoscale: {{ cpu: 60 }} }}\n"
        ));
    }
    Test::new()
        .file("platform.yaml", &base)
        .file("overlays/prod.yaml", &overlay)
        .args(["validate", "--quiet"])
        .stderr(
            "environment `prod`:
error[type-mismatch]: invalid value `two` for `replicas`: expected a whole number
   --> overlays/prod.yaml:121:21
    |
121 |   c119: { replicas: two, ports: { http: { scrape: true } }, autoscale: { cpu: 60 } }
    |                     ^^^ not a whole number
    |
    = help: write a number without quotes or units, such as `3`

",
        )
        .status(2)
        .run();
    // Without the bad value, the overlay is whole.
    let overlay = overlay.replace("replicas: two", "replicas: 2");
    Test::new()
        .file("platform.yaml", &base)
        .file("overlays/prod.yaml", &overlay)
        .args(["validate", "--quiet"])
        .stderr("")
        .status(0)
        .run();
}

#[test]
fn a_bad_value_an_overlay_removes_is_still_an_error_where_it_is_written() {
    project("{ max: three, cpu: 70 }")
        .file(
            "overlays/dev.yaml",
            "components:\n  api:\n    autoscale: null\n",
        )
        .args(["render", "dev"])
        .stderr(THREE)
        .status(2)
        .run();
}

#[test]
fn bad_values_replaced_twice_along_an_extends_chain_are_each_an_error() {
    project("{ max: three, cpu: 70 }")
        .file(
            "overlays/shared.yaml",
            "components:\n  api:\n    autoscale:\n      max: four\n",
        )
        .file(
            "overlays/dev.yaml",
            "extends: shared\ncomponents:\n  api:\n    autoscale:\n      max: 4\n",
        )
        .args(["render", "dev"])
        .stderr(format!(
            "{THREE}error[type-mismatch]: invalid value `four` for `max`: expected a whole number
 --> overlays/shared.yaml:4:12
  |
4 |       max: four
  |            ^^^^ not a whole number
  |
  = help: write a number without quotes or units, such as `3`

error: aborting due to 2 errors
"
        ))
        .status(2)
        .run();
}
