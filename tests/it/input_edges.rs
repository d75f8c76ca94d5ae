//! Input wfk used to misread or misreport: a `.yml` spec or overlay, a folder that is not a
//! project, a project without environments, a key without a value in the base, a tab in the
//! indentation; and the examples of `wfk explain --help`, which must work as printed.

use crate::support::Test;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

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
