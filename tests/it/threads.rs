//! A large render does independent work on two threads (`wfk::both`): `platform.yaml`
//! parsed beside the overlays, the displaced values typed beside the merged spec, half the
//! components built beside the other half, the checks beside the making of the output.
//! These tests run
//! projects above [`wfk::TWO_THREADS_FROM`] and hold that path to what the one-thread
//! path does: the same bytes, the same findings, and nothing on stdout when a check fails.

use crate::support::{Output, Test};
use std::fmt::Write as _;

/// Components in the large projects: enough, with their overlay, to pass the threshold.
const COMPONENTS: usize = 1_300;

/// One component as the benchmark writes it; `first` is written before the filler.
fn component(out: &mut String, name: &str) {
    write!(
        out,
        "  {name}:
    image: registry.example.com/big/{name}:v1.0.0
    replicas: 2
    ports: {{ http: {{ port: 8080, scrape: true }} }}
    probes: {{ liveness: /health/live, readiness: /health/ready }}
    resources: {{ cpu: 100m/200m, memory: 128Mi/256Mi }}
    autoscale: {{ max: 6, cpu: 70 }}
    disruption: {{ minAvailable: 1 }}
    env:
      LOG_LEVEL: {{ config: log-level }}
      PEER_URL: http://big-{name}:8080
"
    )
    .unwrap();
}

/// A project whose spec starts with `first` (lines of `components:`, as the small project
/// has them) and goes on with [`COMPONENTS`] more; its `prod` overlay changes each filler
/// component and then adds `overlay_first`.
fn project(first: &str, overlay_first: &str) -> Test {
    let mut spec =
        String::from("platform: big\nconfig:\n  big-config:\n    log-level: info\ncomponents:\n");
    spec.push_str(first);
    let mut overlay = String::from("namespace: big-prod\ncomponents:\n");
    overlay.push_str(overlay_first);
    for i in 0..COMPONENTS {
        let name = format!("svc-{i:04}");
        component(&mut spec, &name);
        writeln!(
            overlay,
            "  {name}: {{ replicas: 3, resources: {{ cpu: 250m/500m, memory: 256Mi/512Mi }}, autoscale: {{ max: 20 }} }}"
        )
        .unwrap();
    }
    // The spec alone passes it: `platform.yaml` is then parsed beside the overlay.
    assert!(
        spec.len() >= wfk::TWO_THREADS_FROM,
        "`platform.yaml` is {} bytes, below the {} bytes from which a run uses two threads",
        spec.len(),
        wfk::TWO_THREADS_FROM
    );
    Test::new()
        .file("platform.yaml", spec)
        .file("overlays/prod.yaml", overlay)
}

/// The same first lines alone: a project below the threshold, on one thread.
fn small(first: &str, overlay_first: &str) -> Test {
    let spec =
        format!("platform: big\nconfig:\n  big-config:\n    log-level: info\ncomponents:\n{first}");
    // An empty `components:` would be a null, which removes every component.
    let overlay = match overlay_first {
        "" => "namespace: big-prod\n".to_string(),
        _ => format!("namespace: big-prod\ncomponents:\n{overlay_first}"),
    };
    Test::new()
        .file("platform.yaml", spec)
        .file("overlays/prod.yaml", overlay)
}

/// Checks that a run on one thread failed as the test expects (exit code, nothing on
/// stdout, each of `expected` in stderr), and returns its stderr: what the large run must
/// print.
fn failed(run: Output, status: i32, expected: &[&str]) -> String {
    assert_eq!(run.status, Some(status), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    for expected in expected {
        assert!(
            run.stderr.contains(expected),
            "expected {expected}:\n{}",
            run.stderr
        );
    }
    run.stderr
}

#[test]
fn a_large_render_on_two_threads_is_the_stream_the_files_of_output_dir_hold() {
    let mut first = String::new();
    component(&mut first, "api");
    let test = project(&first, "").args(["render", "prod"]);
    let stdout = test.output();
    let files = test.path().join("out");
    assert_eq!(stdout.status, Some(0), "{}", stdout.stderr);
    assert_eq!(stdout.stderr, "");
    // `--output-dir` makes each object's text on this thread, after the checks.
    let test = test.then_args(["render", "prod", "--output-dir", "out"]);
    let written = test.output();
    assert_eq!(written.status, Some(0), "{}", written.stderr);
    assert_eq!(written.stdout, "");
    assert!(written.stderr.starts_with("wrote "), "{}", written.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&files)
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n != "kustomization.yaml" && !n.starts_with('.'))
        .collect();
    names.sort();
    // A Deployment, Service, autoscaler, disruption budget and network policy per
    // component; the namespace, config map and service account; two platform policies.
    assert_eq!(names.len(), 5 * (COMPONENTS + 1) + 5);
    let joined: String = names
        .iter()
        .map(|n| format!("---\n{}", std::fs::read_to_string(files.join(n)).unwrap()))
        .collect();
    assert!(
        joined == stdout.stdout,
        "the two-thread stream differs from the files (lengths {} and {})",
        stdout.stdout.len(),
        joined.len()
    );
}

#[test]
fn a_large_render_with_a_failing_check_prints_its_findings_and_nothing_on_stdout() {
    // An environment variable name the kubelet refuses: an error of a check, found on
    // this thread while the other makes the stream, which must then never reach stdout;
    // and an image by `latest`, a warning.
    let first = "  api:
    image: registry.example.com/big/api:latest
    ports: { http: { port: 8080, scrape: true } }
    probes: { liveness: /health/live, readiness: /health/ready }
    resources: { cpu: 100m/200m, memory: 128Mi/256Mi }
    env: { 'A=B': cat }
";
    let stderr = failed(
        small(first, "").args(["render", "prod"]).output(),
        1,
        &[
            "error[invalid-env-var-name]: invalid environment variable name `A=B`",
            " --> platform.yaml:11:12",
            "warning[image-latest]",
        ],
    );
    project(first, "")
        .args(["render", "prod"])
        .status(1)
        .stderr(stderr)
        .run();
}

#[test]
fn a_large_spec_reports_a_displaced_type_error_and_a_merged_one_as_a_small_spec_does() {
    // `replicas: many` is replaced by the overlay (typed on the second thread); the
    // overlay's own `port: web` stays in the merged spec (typed on this one).
    let first = "  api:
    image: registry.example.com/big/api:v1.0.0
    replicas: many
    ports: { http: 8080 }
";
    let overlay_first = "  api: { replicas: 3, ports: { http: web } }\n";
    let stderr = failed(
        small(first, overlay_first)
            .args(["render", "prod"])
            .output(),
        2,
        &["platform.yaml:8:15", "overlays/prod.yaml:3:38"],
    );
    project(first, overlay_first)
        .args(["render", "prod"])
        .status(2)
        .stderr(stderr)
        .run();
}

#[test]
fn a_large_spec_with_a_syntax_error_and_a_broken_overlay_reports_both_as_a_small_one_does() {
    // `platform.yaml` is parsed on the second thread, the overlay on this one; the errors
    // come in the same order, at the same places, with their source lines.
    let broken = "platform: big\ncomponents:\n  api: ]\n";
    let overlay = "components: { api: { replicas: 3 }\n";
    let run = |spec: String| {
        Test::new()
            .file("platform.yaml", spec)
            .file("overlays/prod.yaml", overlay)
            .args(["render", "prod"])
            .output()
    };
    let stderr = failed(
        run(broken.to_string()),
        2,
        &[" --> platform.yaml:", " --> overlays/prod.yaml:"],
    );
    // The same text, then comments the parser never reaches, past the threshold.
    let mut large = broken.to_string();
    while large.len() < wfk::TWO_THREADS_FROM {
        large.push_str("# a comment line that pads the spec past the threshold\n");
    }
    let large_run = run(large);
    assert_eq!(large_run.status, Some(2));
    assert_eq!(large_run.stdout, "");
    assert_eq!(large_run.stderr, stderr);
}
