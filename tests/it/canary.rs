//! A canary secret value in the project's secret store never appears in the output of
//! `render`, `diff`, `explain`, `validate` or `envs`, nor in any error message, and no
//! output holds a `Secret` with data.

use crate::support::Test;

const CANARY: &str = "CANARY-7f3a9c-do-not-print";

const PLATFORM: &str = "platform: vault
defaults: { resources: { cpu: 100m/200m, memory: 64Mi/128Mi } }
ingress: { hosts: { api.example.com: { paths: { /: api } } } }
components:
  api:
    image: vault/api:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: { http: 8080 }
    probes: { liveness: /h, readiness: /h }
    env:
      DB_PASSWORD: { secret: postgres/password }
    envFrom: { secrets: [api-keys] }
";

/// The project, with its secret store (files wfk never reads) beside the spec.
fn project() -> Test {
    Test::new()
        .file("platform.yaml", PLATFORM)
        .file("overlays/dev.yaml", "components: { api: { replicas: 1 } }\n")
        .file("overlays/prod.yaml", "components: { api: { replicas: 3 } }\n")
        .file("secrets/postgres.env", format!("password={CANARY}\n"))
        .file(
            "secrets/secret.yaml",
            format!("apiVersion: v1\nkind: Secret\nmetadata: {{ name: postgres }}\nstringData: {{ password: {CANARY} }}\n"),
        )
}

/// Runs `args` and asserts the canary is in no output; returns the exit code.
fn never_printed(test: Test, args: &[&str]) -> Option<i32> {
    let out = test.args(args.iter().copied()).output();
    for (what, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !text.contains(CANARY),
            "wfk {} prints the canary on {what}:\n{text}",
            args.join(" ")
        );
        assert!(
            !text.contains("kind: Secret"),
            "wfk {} prints a Secret on {what}:\n{text}",
            args.join(" ")
        );
        assert!(
            !text.contains("\"kind\": \"Secret\""),
            "wfk {} prints a Secret on {what}",
            args.join(" ")
        );
    }
    out.status
}

#[test]
fn the_five_commands_never_print_the_canary() {
    let runs: &[(&[&str], i32)] = &[
        (&["render", "prod"], 0),
        (&["render", "prod", "-o", "json"], 0),
        (&["validate"], 0),
        (&["validate", "--format", "json"], 0),
        (&["validate", "--format", "github"], 0),
        (&["diff", "dev", "prod"], 1),
        (&["diff", "dev", "prod", "--unified"], 1),
        (&["diff", "dev", "prod", "--format", "json"], 1),
        (&["diff", "dev", "prod", "--spec"], 1),
        (&["diff", "prod", "--against", "secrets/secret.yaml"], 1),
        (&["explain", "prod", "components.api.env"], 0),
        (&["explain", "prod", "components"], 0),
        (&["envs"], 0),
    ];
    for (args, status) in runs {
        assert_eq!(
            never_printed(project(), args),
            Some(*status),
            "wfk {}",
            args.join(" ")
        );
    }
}

#[test]
fn rendered_files_never_hold_the_canary() {
    let test = project().args(["render", "prod", "--output-dir", "out"]);
    let out = test.output();
    assert_eq!((out.status, out.stdout.as_str()), (Some(0), ""));
    assert!(
        out.stderr.starts_with("wrote ") && !out.stderr.contains(CANARY),
        "{}",
        out.stderr
    );
    for entry in std::fs::read_dir(test.path().join("out"))
        .unwrap()
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        assert!(
            !text.contains(CANARY) && !text.contains("kind: Secret"),
            "{}",
            entry.path().display()
        );
    }
}

#[test]
fn errors_never_print_the_canary() {
    // A template that tries to read the store: no file access outside templates/.
    let include = project().file(
        "templates/leak.yaml",
        "{% include \"../secrets/postgres.env\" %}\n",
    );
    assert_eq!(never_printed(include, &["render", "prod"]), Some(2));
    // A template that writes a Secret with the value: refused, and the value not quoted.
    let secret = project().file(
        "templates/secret.yaml",
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: postgres\nstringData:\n  password: {CANARY}\n"),
    );
    assert_eq!(never_printed(secret, &["render", "prod"]), Some(2));
    assert_eq!(
        never_printed(
            project().file(
                "templates/secret.yaml",
                format!("kind: Secret\nstringData: {{ p: {CANARY} }}\n---\n[\n")
            ),
            &["validate"]
        ),
        Some(2)
    );
    // A broken earlier render holding a Secret.
    let broken = project().file(
        "before.yaml",
        format!("apiVersion: v1\nkind: Secret\ndata: {{ p: {CANARY} }}\nx: [\n"),
    );
    assert_eq!(
        never_printed(broken, &["diff", "prod", "--against", "before.yaml"]),
        Some(2)
    );
}
