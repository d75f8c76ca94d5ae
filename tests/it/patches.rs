//! Patches that remove and patches that touch one list item: a `null` in a patch reaches
//! the patch (it removes a field of the object, RFC 7396) instead of being eaten by the
//! overlay merge, and a patch written as a list is a JSON Patch (RFC 6902).

use crate::support::{SHOP as BASE, shop as project};

/// The rendered Deployment of `api`, from `---` to `---`.
fn deployment(stdout: &str) -> &str {
    let start = stdout.find("kind: Deployment\n").expect("a Deployment");
    let end = stdout[start..]
        .find("\n---\n")
        .map_or(stdout.len(), |e| start + e);
    &stdout[start..end]
}

#[test]
fn a_null_in_a_patch_removes_the_field_from_the_object() {
    let out = project()
        .file(
            "platform.yaml",
            format!("{BASE}patches:\n  Deployment/shop-api:\n    spec:\n      strategy: {{ type: Recreate, rollingUpdate: null }}\n"),
        )
        .args(["render", "dev", "-q"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let deployment = deployment(&out.stdout);
    assert!(
        deployment.contains("  strategy:\n    type: Recreate\n"),
        "{deployment}"
    );
    assert!(!deployment.contains("rollingUpdate"), "{deployment}");
}

#[test]
fn an_overlays_null_inside_a_patch_reaches_the_patch() {
    // The base patch keeps the rolling update; prod's removes it, with its own null.
    let out = project()
        .file(
            "platform.yaml",
            format!("{BASE}patches:\n  Deployment/shop-api:\n    spec:\n      minReadySeconds: 10\n"),
        )
        .file(
            "overlays/prod.yaml",
            "patches:\n  Deployment/shop-api:\n    spec:\n      minReadySeconds: null\n      strategy: { type: Recreate, rollingUpdate: null }\n",
        )
        .args(["render", "prod", "-q"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let deployment = deployment(&out.stdout);
    assert!(!deployment.contains("minReadySeconds"), "{deployment}");
    assert!(!deployment.contains("rollingUpdate"), "{deployment}");
    assert!(deployment.contains("    type: Recreate\n"), "{deployment}");
}

#[test]
fn a_null_for_a_whole_patch_in_an_overlay_still_removes_the_patch() {
    let out = project()
        .file(
            "platform.yaml",
            format!(
                "{BASE}patches:\n  Deployment/shop-api:\n    spec:\n      minReadySeconds: 10\n"
            ),
        )
        .file(
            "overlays/prod.yaml",
            "patches:\n  Deployment/shop-api: null\n",
        )
        .args(["render", "prod", "-q"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(!out.stdout.contains("minReadySeconds"), "{}", out.stdout);
}

const ADD_ENV: &str = "patches:
  Deployment/shop-api:
    - op: add
      path: /spec/template/spec/containers/0/env
      value: [{ name: FEATURE, value: \"on\" }]
";

#[test]
fn a_json_patch_adds_to_a_list_and_explain_names_its_operation() {
    let spec = format!("{BASE}{ADD_ENV}");
    let out = project()
        .file("platform.yaml", &spec)
        .args(["render", "dev", "-q"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(
        deployment(&out.stdout)
            .contains("      - env:\n        - name: FEATURE\n          value: \"on\"\n"),
        "{}",
        out.stdout
    );
    project()
        .file("platform.yaml", &spec)
        .args([
            "explain",
            "dev",
            "Deployment/shop-api",
            "spec.template.spec.containers[api].env",
        ])
        .stdout(
            "Deployment/shop-api spec.template.spec.containers[api].env:
  spec.template.spec.containers[api].env  from the patch operation at platform.yaml:11:9
",
        )
        .run();
}

#[test]
fn a_json_patch_operation_that_fails_is_an_error_at_its_item() {
    project()
        .file(
            "platform.yaml",
            format!("{BASE}patches:\n  Deployment/shop-api:\n    - {{ op: add, path: /spec/minReadySeconds, value: 5 }}\n    - {{ op: remove, path: /spec/template/spec/nodeName }}\n"),
        )
        .args(["render", "dev"])
        .stderr(
            "error[invalid-patch]: patch `Deployment/shop-api` operation 2 (remove `/spec/template/spec/nodeName`) failed: path is invalid
  --> platform.yaml:12:7
   |
12 |     - { op: remove, path: /spec/template/spec/nodeName }
   |       ^ this operation
   |
   = help: a path names a field the rendered object has (`wfk render` shows it), list items by index from 0, `-` after the last; `wfk explain ENV Kind/name` lists the fields

",
        )
        .status(2)
        .run();
}

#[test]
fn an_item_that_is_not_an_operation_is_an_error_at_the_item() {
    project()
        .file(
            "platform.yaml",
            format!("{BASE}patches:\n  Deployment/shop-api:\n    - {{ op: append, path: /spec/x, value: 1 }}\n"),
        )
        .args(["render", "dev"])
        .stderr(
            "error[invalid-patch]: patch `Deployment/shop-api` item 1 is not a JSON Patch operation: unknown variant `append`, expected one of `add`, `remove`, `replace`, `move`, `copy`, `test`
  --> platform.yaml:11:7
   |
11 |     - { op: append, path: /spec/x, value: 1 }
   |       ^ not an operation
   |
   = help: a patch written as a list holds RFC 6902 operations: `{ op: add, path: /spec/template/spec/containers/0/env/-, value: { name: A, value: b } }`; `op` is add, remove, replace, move, copy or test

",
        )
        .status(2)
        .run();
}

#[test]
fn a_json_patch_that_adds_a_privileged_field_is_refused_at_the_operation() {
    let out = project()
        .file(
            "platform.yaml",
            format!("{BASE}patches:\n  Deployment/shop-api:\n    - {{ op: add, path: /spec/template/spec/hostNetwork, value: true }}\n"),
        )
        .args(["render", "dev"])
        .output();
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with("error[pod-not-restricted]: Deployment `shop-api` breaks the restricted pod security profile: `hostNetwork: true` shares the node's namespace\n  --> platform.yaml:11:7\n"),
        "{}",
        out.stderr
    );
}
