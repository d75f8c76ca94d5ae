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
            stdout.starts_with(&format!("{}:", args[2])) && stdout.contains("  set at "),
            "wfk {}: {stdout}",
            args.join(" ")
        );
    }
}
