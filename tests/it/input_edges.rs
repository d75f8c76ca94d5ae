//! Input wfk used to misread or misreport: a `.yml` spec or overlay, a folder that is not a
//! project, a project without environments, a key without a value in the base, a tab in the
//! indentation; and the examples of `wfk explain --help`, which must work as printed.

use crate::support::Test;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A small valid project: `platform.yaml` and `overlays/dev.yaml`.
fn project() -> Test {
    Test::new()
        .file(
            "platform.yaml",
            "platform: shop\ncomponents:\n  api:\n    image: shop/api:v1.0.0\n    resources: { cpu: 100m/500m, memory: 128Mi/256Mi }\n",
        )
        .file("overlays/dev.yaml", "")
}

// 1. A near miss of `.yaml` is refused, never skipped.

const PROD_YML: &str =
    "error[misnamed-file]: `overlays/prod.yml` is not read: wfk reads `overlays/prod.yaml`
  |
  = help: rename `overlays/prod.yml` to `overlays/prod.yaml`

";

#[test]
fn envs_refuses_an_overlay_named_yml() {
    project()
        .file(
            "overlays/prod.yml",
            "components: { api: { replicas: 3 } }\n",
        )
        .args(["envs"])
        .stderr(PROD_YML)
        .status(2)
        .run();
}

#[test]
fn render_of_an_environment_whose_overlay_is_yml_says_to_rename_it() {
    project()
        .file(
            "overlays/prod.yml",
            "components: { api: { replicas: 3 } }\n",
        )
        .args(["render", "prod"])
        .stderr(PROD_YML)
        .status(2)
        .run();
}

#[test]
fn an_overlay_named_yml_stops_every_environment_not_only_its_own() {
    // `dev` is fine, but the project holds a file the user believes is read.
    for args in [
        &["render", "dev"][..],
        &["validate"],
        &["explain", "dev", "platform"],
    ] {
        project()
            .file(
                "overlays/prod.yml",
                "components: { api: { replicas: 3 } }\n",
            )
            .args(args)
            .stderr(PROD_YML)
            .status(2)
            .run();
    }
}

#[test]
fn an_overlay_named_yml_beside_its_yaml_says_to_merge_them() {
    project()
        .file("overlays/prod.yaml", "")
        .file("overlays/prod.yml", "components: { api: { replicas: 3 } }\n")
        .args(["envs"])
        .stderr("error[misnamed-file]: `overlays/prod.yml` is not read: wfk reads `overlays/prod.yaml`
  |
  = help: `overlays/prod.yaml` exists too: move what `overlays/prod.yml` holds into `overlays/prod.yaml`, then delete `overlays/prod.yml`

")
        .status(2)
        .run();
}

#[test]
fn an_overlay_with_an_upper_case_extension_is_refused() {
    project()
        .file("overlays/prod.YAML", "")
        .file("overlays/qa.YML", "")
        .args(["envs"])
        .stderr(
            "error[misnamed-file]: `overlays/prod.YAML` is not read: wfk reads `overlays/prod.yaml`
  |
  = help: rename `overlays/prod.YAML` to `overlays/prod.yaml`

error[misnamed-file]: `overlays/qa.YML` is not read: wfk reads `overlays/qa.yaml`
  |
  = help: rename `overlays/qa.YML` to `overlays/qa.yaml`

error: aborting due to 2 errors
",
        )
        .status(2)
        .run();
}

#[test]
fn a_backup_or_another_file_in_overlays_is_not_an_overlay() {
    // Editors and merges leave these behind; renaming one would replace the real overlay.
    project()
        .file("overlays/dev.yaml.bak", "namespace: old\n")
        .file("overlays/dev.yaml~", "namespace: old\n")
        .file("overlays/README.md", "# overlays\n")
        .args(["envs"])
        .stdout("dev\n")
        .run();
}

#[test]
fn platform_yml_is_refused_with_a_rename() {
    Test::new()
        .file("platform.yml", "platform: shop\n")
        .file("overlays/dev.yaml", "")
        .args(["render", "dev"])
        .stderr(
            "error[misnamed-file]: `platform.yml` is not read: wfk reads `platform.yaml`
  |
  = help: rename `platform.yml` to `platform.yaml`

",
        )
        .status(2)
        .run();
}

#[test]
fn platform_yml_beside_platform_yaml_is_refused() {
    project()
        .file("platform.yml", "platform: shop\n")
        .args(["envs"])
        .stderr(
            "error[misnamed-file]: `platform.yml` is not read: wfk reads `platform.yaml`
  |
  = help: `platform.yaml` exists too: move what `platform.yml` holds into `platform.yaml`, then delete `platform.yml`

",
        )
        .status(2)
        .run();
}

#[test]
fn a_yml_spec_and_a_yml_overlay_are_reported_together() {
    Test::new()
        .file("platform.yml", "platform: shop\n")
        .file("overlays/dev.yml", "")
        .args(["validate"])
        .stderr(
            "error[misnamed-file]: `platform.yml` is not read: wfk reads `platform.yaml`
  |
  = help: rename `platform.yml` to `platform.yaml`

error[misnamed-file]: `overlays/dev.yml` is not read: wfk reads `overlays/dev.yaml`
  |
  = help: rename `overlays/dev.yml` to `overlays/dev.yaml`

error: aborting due to 2 errors
",
        )
        .status(2)
        .run();
}

// 2. A folder that is not a project, and a project without environments.

const NO_PROJECT: &str = "error[no-project]: no wfk project in `[TMP]`: there is no `platform.yaml`
  |
  = help: run wfk in the folder that holds platform.yaml, pass `--dir`, or start one with `wfk init`

";

#[test]
fn validate_outside_a_project_exits_2() {
    Test::new()
        .args(["validate"])
        .stderr(NO_PROJECT)
        .status(2)
        .run();
}

#[test]
fn validate_of_a_named_environment_outside_a_project_says_so_once() {
    Test::new()
        .args(["validate", "dev", "prod"])
        .stderr(NO_PROJECT)
        .status(2)
        .run();
}

#[test]
fn envs_outside_a_project_exits_2() {
    Test::new()
        .args(["envs"])
        .stderr(NO_PROJECT)
        .status(2)
        .run();
    Test::new()
        .args(["envs", "--format", "json"])
        .stderr(NO_PROJECT)
        .status(2)
        .run();
}

#[test]
fn render_explain_and_diff_outside_a_project_say_the_same() {
    for args in [
        &["render", "dev"][..],
        &["explain", "dev", "platform"],
        &["diff", "dev", "prod"],
    ] {
        Test::new().args(args).stderr(NO_PROJECT).status(2).run();
    }
}

#[test]
fn overlays_without_a_platform_file_are_not_a_project() {
    Test::new()
        .file("overlays/dev.yaml", "")
        .args(["explain", "dev", "platform"])
        .stderr(NO_PROJECT)
        .status(2)
        .run();
}

#[test]
fn a_dir_that_does_not_exist_is_not_a_project() {
    Test::new()
        .args(["envs", "--dir", "missing"])
        .stderr("error[no-project]: no wfk project in `[TMP]/missing`: it does not exist
  |
  = help: pass `--dir` the folder that holds platform.yaml, or start a project there with `wfk init --dir missing`

")
        .status(2)
        .run();
}

const NO_ENVIRONMENTS: &str = "error[no-environments]: the project defines no environments: there is no `overlays/<env>.yaml`
  |
  = help: add one: create `overlays/dev.yaml` with what `dev` changes in `platform.yaml` (an empty file changes nothing)

";

#[test]
fn validate_and_envs_without_overlays_say_how_to_add_an_environment() {
    for args in [&["validate"][..], &["envs"]] {
        Test::new()
            .file("platform.yaml", "platform: shop\n")
            .args(args)
            .stderr(NO_ENVIRONMENTS)
            .status(2)
            .run();
    }
    // An empty `overlays/` folder is the same.
    Test::new()
        .file("platform.yaml", "platform: shop\n")
        .dir("overlays")
        .args(["validate"])
        .stderr(NO_ENVIRONMENTS)
        .status(2)
        .run();
}

#[test]
fn render_explain_and_diff_without_overlays_name_the_overlay_to_create() {
    for args in [
        &["render", "prod"][..],
        &["explain", "prod", "platform"],
        &["diff", "prod", "dev"],
    ] {
        Test::new()
            .file("platform.yaml", "platform: shop\n")
            .args(args)
            .stderr(NO_ENVIRONMENTS.replace("dev", "prod"))
            .status(2)
            .run();
    }
}

// 3. A key without a value in the base.

#[test]
fn a_comma_in_a_flow_mapping_of_the_base_cuts_a_value_short() {
    project()
        .file(
            "platform.yaml",
            "platform: shop\ncomponents:\n  web:\n    image: nginx:1.27\n    resources: { cpu: 100m/500m, memory: 128Mi/256Mi }\n    security:\n      relax: { writableRootFilesystem: writes to /var, because nginx }\n",
        )
        .args(["render", "dev"])
        .stderr(
            r#"error[null-in-base]: `because nginx` has no value
 --> platform.yaml:7:56
  |
7 |       relax: { writableRootFilesystem: writes to /var, because nginx }
  |                                        --------------  ^^^^^^^^^^^^^ a key without a value
  |                                        |
  |                                        the value before the comma
  |
  = help: null removes a key in an overlay; in the base it removes nothing: give it a value or delete the line; a comma inside `{ … }` ends the value: quote the whole value, `"writes to /var, because nginx"`

"#,
        )
        .status(2)
        .run();
}

#[test]
fn the_quoted_value_the_help_shows_is_read_whole() {
    project()
        .file(
            "platform.yaml",
            "platform: shop\ncomponents:\n  web:\n    image: nginx:1.27\n    resources: { cpu: 100m/500m, memory: 128Mi/256Mi }\n    security:\n      relax: { writableRootFilesystem: \"writes to /var, because nginx\" }\n",
        )
        .args(["explain", "dev", "components.web.security.relax.writableRootFilesystem"])
        .stdout("components.web.security.relax.writableRootFilesystem: \"writes to /var, because nginx\"\n  set at platform.yaml:7:40\n")
        .run();
}

#[test]
fn keys_without_values_in_the_base_are_each_an_error() {
    project()
        .file(
            "platform.yaml",
            "platform: shop\nnamespace:\ncomponents:\n  api:\n    image: shop/api:v1.0.0\n    replicas: ~\n    resources: { cpu: 100m/500m, memory: 128Mi/256Mi }\n    labels: { tier: web, null }\n",
        )
        .args(["validate"])
        .stderr(
            "environment `dev`:
error[null-in-base]: `namespace` has no value
 --> platform.yaml:2:1
  |
2 | namespace:
  | ^^^^^^^^^ a key without a value
  |
  = help: null removes a key in an overlay; in the base it removes nothing: give it a value or delete the line

error[null-in-base]: `replicas` has no value
 --> platform.yaml:6:5
  |
6 |     replicas: ~
  |     ^^^^^^^^ a key without a value
  |
  = help: null removes a key in an overlay; in the base it removes nothing: give it a value or delete the line

error[null-in-base]: `null` has no value
 --> platform.yaml:8:26
  |
8 |     labels: { tier: web, null }
  |                     ---  ^^^^ a key without a value
  |                     |
  |                     the value before the comma
  |
  = help: null removes a key in an overlay; in the base it removes nothing: give it a value or delete the line; a comma inside `{ … }` ends the value: quote the whole value, `\"web, null\"`

checked 1 environment (dev): 3 errors, 0 warnings
",
        )
        .status(2)
        .run();
}

#[test]
fn a_quoted_null_in_the_base_is_a_string() {
    project()
        .file(
            "platform.yaml",
            "platform: shop\nconfig:\n  shop-config:\n    mode: \"null\"\n",
        )
        .args(["explain", "dev", "config.shop-config.mode"])
        .stdout("config.shop-config.mode: \"null\"\n  set at platform.yaml:4:11\n")
        .run();
}

#[test]
fn a_null_in_an_overlay_still_removes_a_key() {
    project()
        .file(
            "platform.yaml",
            "platform: shop\nconfig:\n  shop-config:\n    mode: fast\n",
        )
        .file("overlays/dev.yaml", "config:\n  shop-config:\n    mode:\n")
        .args(["explain", "dev", "config.shop-config.mode"])
        .stdout("config.shop-config.mode: removed\n  config.shop-config.mode removed by null at  overlays/dev.yaml:3:5\n  it was fast  platform.yaml:4:11\n")
        .run();
}

// 4. A tab in the indentation is reported at the tab.

#[test]
fn a_tab_indenting_a_key_points_at_the_tab() {
    project()
        .file("platform.yaml", "components:\n  api:\n\timage: x\n")
        .args(["render", "dev"])
        .stderr(
            "error[yaml-syntax]: invalid YAML: tabs cannot indent YAML
 --> platform.yaml:3:1
  |
3 |     image: x
  | ^^^^ tab here
  |
  = help: indent with spaces instead (set your editor to insert spaces in YAML files)

",
        )
        .status(2)
        .run();
}

#[test]
fn a_tab_after_a_plain_value_points_at_the_tab_not_the_line_before() {
    // The parser reports this at `x`, the value the tab's line would have continued.
    project()
        .file(
            "overlays/dev.yaml",
            "components:\n  api:\n    image: x\n  \treplicas: 2\n",
        )
        .args(["validate"])
        .stderr(
            "environment `dev`:
error[yaml-syntax]: invalid YAML: tabs cannot indent YAML
 --> overlays/dev.yaml:4:3
  |
4 |       replicas: 2
  |   ^^^^ tab here
  |
  = help: indent with spaces instead (set your editor to insert spaces in YAML files)

checked 1 environment (dev): 1 error, 0 warnings
",
        )
        .status(2)
        .run();
}

#[test]
fn a_tab_that_starts_a_block_scalar_line_points_at_the_tab() {
    project()
        .file("overlays/dev.yaml", "namespace: |\n  shop\n\tdev\n")
        .args(["render", "dev"])
        .stderr(
            "error[yaml-syntax]: invalid YAML: tabs cannot indent YAML
 --> overlays/dev.yaml:3:1
  |
3 |     dev
  | ^^^^ tab here
  |
  = help: indent with spaces instead (set your editor to insert spaces in YAML files)

",
        )
        .status(2)
        .run();
}

#[test]
fn a_tab_inside_a_flow_collection_is_not_blamed_for_another_error() {
    // Tabs may separate the entries of `[ … ]`; the error is the stray `}`.
    project()
        .file("overlays/dev.yaml", "labels: [a,\n\tb, }\n")
        .args(["render", "dev"])
        .stderr(
            "error[yaml-syntax]: invalid YAML: while parsing a node, did not find expected node content
 --> overlays/dev.yaml:2:5
  |
2 |     b, }
  |        ^ here
  |
  = help: fix the YAML syntax at this position

",
        )
        .status(2)
        .run();
}

// 5. Every example in `wfk explain --help` works on the reference platform.

#[test]
fn every_example_of_explain_help_runs_on_the_reference_platform() {
    let help = Test::new().args(["explain", "--help"]).output();
    assert_eq!((help.status, help.stderr.as_str()), (Some(0), ""));
    let examples: Vec<Vec<&str>> = help
        .stdout
        .split_once("Examples:\n")
        .expect("explain --help has examples")
        .1
        .lines()
        .map_while(|l| l.strip_prefix("  wfk "))
        .map(|l| l.split('#').next().unwrap().split_whitespace().collect())
        .collect();
    assert!(examples.len() >= 3, "{}", help.stdout);
    for args in examples {
        assert_eq!(args[0], "explain", "{args:?}");
        // Run as a user would: in the repository, without `--dir`.
        let out = Command::new(env!("CARGO_BIN_EXE_wfk"))
            .args(&args)
            .current_dir(Path::new(ROOT))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).as_ref()
            ),
            (Some(0), ""),
            "wfk {}",
            args.join(" ")
        );
        assert!(
            stdout.starts_with(args[2]) && (stdout.contains("  set at ") || stdout.contains(" ← ")),
            "wfk {}: {stdout}",
            args.join(" ")
        );
    }
}
