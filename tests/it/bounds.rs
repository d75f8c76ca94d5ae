//! Documented maxima and bounded output: every count a spec can raise has a limit that is an
//! error at its line, every algorithm is linear in what the spec writes, and what wfk
//! prints about a hostile input is bounded too. Each run is also bounded in time and memory
//! by the `Test` harness.

use crate::support::{SHOP as BASE, shop as project};

/// A stateful component whose `peers` value grows with its replicas.
fn stateful(replicas: &str) -> String {
    format!(
        "{BASE}  db:
    image: postgres:16.4@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    kind: stateful
    replicas: {replicas}
    ports: {{ peer: 5432 }}
    env:
      PEERS: {{ peers: peer }}
"
    )
}

#[test]
fn replicas_of_two_billion_with_peers_are_refused_before_anything_is_built() {
    project()
        .file("platform.yaml", stateful("2147483647"))
        .args(["render", "dev"])
        .stderr(
            "error[over-limit]: 2147483647 replicas is more than the limit of 5000
  --> platform.yaml:12:15
   |
12 |     replicas: 2147483647
   |               ^^^^^^^^^^ over the limit
   |
   = help: at most 5000 replicas per component; split the work across components

",
        )
        .status(2)
        .run();
}

#[test]
fn the_largest_u32_is_refused_not_clamped() {
    project()
        .file("platform.yaml", stateful("4294967295"))
        .args(["validate"])
        .stderr(
            "environment `dev`:
error[over-limit]: 4294967295 replicas is more than the limit of 5000
  --> platform.yaml:12:15
   |
12 |     replicas: 4294967295
   |               ^^^^^^^^^^ over the limit
   |
   = help: at most 5000 replicas per component; split the work across components

checked 1 environment (dev): 1 error, 0 warnings
",
        )
        .status(2)
        .run();
}

#[test]
fn five_thousand_replicas_with_peers_render() {
    let out = project()
        .file("platform.yaml", stateful("5000"))
        .args(["render", "dev", "-q"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("shop-db-4999.shop-db-headless:5432"));
}

#[test]
fn an_autoscaler_past_the_limit_is_refused_in_an_overlay() {
    project()
        .file(
            "overlays/dev.yaml",
            "components:\n  api:\n    autoscale: { min: 2, max: 100000, cpu: 70 }\n",
        )
        .args(["render", "dev"])
        .stderr(
            "error[over-limit]: 100000 replicas is more than the limit of 5000
 --> overlays/dev.yaml:3:31
  |
3 |     autoscale: { min: 2, max: 100000, cpu: 70 }
  |                               ^^^^^^ over the limit
  |
  = help: at most 5000 replicas per component; split the work across components

",
        )
        .status(2)
        .run();
}

fn env_block(vars: impl Iterator<Item = (String, String)>) -> String {
    let mut out = String::from("    env:\n");
    for (name, value) in vars {
        out.push_str(&format!("      {name}: \"{value}\"\n"));
    }
    out
}

#[test]
fn more_than_a_thousand_env_vars_are_refused_at_env() {
    let env = env_block((0..1001).map(|i| (format!("V{i}"), "x".to_string())));
    project()
        .file("platform.yaml", format!("{BASE}{env}"))
        .args(["render", "dev"])
        .stderr(
            "error[over-limit]: 1001 environment variables is more than the limit of 1000
 --> platform.yaml:9:5
  |
9 |     env:
  |     ^^^ over the limit
  |
  = help: at most 1000 env vars per container; put the rest in a config file and mount it

",
        )
        .status(2)
        .run();
}

/// A thousand variables, each referencing the next one by name: the kubelet expands
/// `$(NAME)` only for variables defined before, so the last name comes first. Ordering them
/// rescanned every variable per step (20,000 took 54 s); a topological sort is linear.
#[test]
fn a_thousand_chained_env_vars_are_ordered_so_each_reference_is_defined_first() {
    let env = env_block((0..1000).map(|i| {
        let value = if i == 999 {
            "root".to_string()
        } else {
            format!("$(V{:04})", i + 1)
        };
        (format!("V{i:04}"), value)
    }));
    let out = project()
        .file("platform.yaml", format!("{BASE}{env}"))
        .args(["render", "dev", "-q"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let names = numbers_of_vars(&out.stdout);
    let expected: Vec<String> = (0..1000).rev().map(|i| format!("{i:04}")).collect();
    assert_eq!(names, expected);
}

/// The numbers of the `V…` env vars in a render, in order.
fn numbers_of_vars(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- name: V"))
        .collect()
}

#[test]
fn six_hundred_env_vars_that_all_reference_each_other_render_in_name_order() {
    // 360,000 references (42 s before the ordering was a topological sort).
    let all: String = (0..600).map(|i| format!("$(V{i:04})")).collect();
    let env = env_block((0..600).map(|i| (format!("V{i:04}"), all.clone())));
    let out = project()
        .file("platform.yaml", format!("{BASE}{env}"))
        .args(["render", "dev", "-q"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let names = numbers_of_vars(&out.stdout);
    let expected: Vec<String> = (0..600).map(|i| format!("{i:04}")).collect();
    assert_eq!(names, expected);
}

#[test]
fn an_extends_chain_of_seventeen_overlays_is_refused_at_the_extends_too_many() {
    let mut test = project();
    for i in 0..17 {
        test = test.file(
            format!("overlays/e{i}.yaml"),
            format!("extends: e{}\n", i + 1),
        );
    }
    test.file("overlays/e17.yaml", "")
        .args(["render", "e0"])
        .stderr(
            "error[over-limit]: `e0` extends more than 16 overlays
 --> overlays/e15.yaml:1:10
  |
1 | extends: e16
  |          ^^^ one overlay too many
  |
  = help: an `extends` chain holds at most 16 overlays; let more environments extend one shared overlay

",
        )
        .status(2)
        .run();
}

#[test]
fn a_thousand_overlays_that_extend_in_a_circle_give_one_short_error_per_environment() {
    let mut test = project();
    for i in 0..1000 {
        test = test.file(
            format!("overlays/e{i:03}.yaml"),
            format!("extends: e{:03}\n", (i + 1) % 1000),
        );
    }
    let out = test.args(["validate"]).output();
    assert_eq!(out.status, Some(2), "{}", &out.stderr[..2000]);
    assert_eq!(out.stdout, "");
    // A hundred errors of a few hundred bytes, then a count: 95 MB before the bounds.
    assert!(out.stderr.len() < 100_000, "{} bytes", out.stderr.len());
    assert!(
        out.stderr
            .contains("error[over-limit]: `e000` extends more than 16 overlays")
    );
    assert!(
        out.stderr
            .contains("note: 900 more findings not shown (at most 100 per run)")
    );
}

#[test]
fn more_than_a_thousand_templates_are_refused() {
    let mut test = project();
    for i in 0..1001 {
        test = test.file(format!("templates/t{i:04}.yaml"), "");
    }
    test.args(["render", "dev"])
        .stderr(
            "error[over-limit]: `templates/` holds 1001 templates, more than the limit of 1000
  |
  = help: a project has at most 1000 templates; write several objects in one template, separated by `---`

",
        )
        .status(2)
        .run();
}

/// A template that loops until its fuel runs out.
const BURNER: &str =
    "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}\n";

/// Every template of a run draws from one budget: a hundred runaway templates stop at the
/// first, in `validate` across environments too, instead of each burning its own.
#[test]
fn a_hundred_runaway_templates_stop_on_one_fuel_budget() {
    let mut test = project()
        .file("overlays/staging.yaml", "")
        .file("overlays/prod.yaml", "");
    for i in 0..100 {
        test = test.file(format!("templates/t{i:03}.yaml"), BURNER);
    }
    let out = test.args(["validate", "--format", "json"]).output();
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    // Each environment names the first template that ran dry, then every other is refused
    // at once: an empty tank stops them all.
    assert!(!findings.is_empty());
    assert!(
        findings.iter().all(|f| f["code"] == "template-error"
            && f["message"]
                .as_str()
                .unwrap()
                .contains("engine ran out of fuel")),
        "{findings:#?}"
    );
}

#[test]
fn one_huge_template_line_is_cut_in_every_error() {
    // Ten templates, each one line of 1 MB with a word kubectl would retype at its end:
    // each error used to quote the whole line.
    let mut test = project();
    let line = "{{ 'a' * 1000000 }}: no\n";
    for i in 0..10 {
        test = test.file(format!("templates/t{i:02}.yaml"), line);
    }
    let out = test.args(["render", "dev"]).output();
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.len() < 500_000,
        "{} bytes of stderr",
        out.stderr.len()
    );
    assert!(
        out.stderr.contains("more characters)"),
        "{}",
        &out.stderr[..2000]
    );
}

#[test]
fn a_hundred_and_fifty_errors_print_a_hundred_and_count_the_rest() {
    let mut spec = String::from(BASE);
    spec.push_str("    labels:\n");
    for i in 0..150 {
        spec.push_str(&format!("      bad{i}: \"-x\"\n"));
    }
    let out = project()
        .file("platform.yaml", spec)
        .args(["render", "dev"])
        .output();
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr.matches("error[invalid-label]").count(),
        100,
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("note: 50 more findings not shown (at most 100 per run); fix these and run again to see the rest\nerror: aborting due to 150 errors\n"),
        "{}",
        out.stderr
    );
}
