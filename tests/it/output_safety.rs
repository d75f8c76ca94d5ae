//! What wfk prints about the user's input is safe to print: a value that looks like a
//! secret is masked in every snippet and every format, and control characters are escaped,
//! so no value starts a line a CI runner reads as a command or moves a terminal's cursor.

use crate::support::{SHOP as BASE, shop as project};

#[test]
fn a_duplicate_secret_key_shows_neither_value() {
    project()
        .file(
            "overlays/dev.yaml",
            "components:\n  api:\n    env:\n      DB_PASSWORD: hunter2\n      DB_PASSWORD: \"s3cr3t!\"\n",
        )
        .args(["render", "dev"])
        .stderr(
            "error[duplicate-key]: duplicate key `DB_PASSWORD`
 --> overlays/dev.yaml:5:7
  |
4 |       DB_PASSWORD: *******
  |       ----------- first set here
5 |       DB_PASSWORD: *********
  |       ^^^^^^^^^^^ set again here
  |
  = help: remove one of the two; in an overlay, a key set once replaces the base value

",
        )
        .status(2)
        .run();
}

#[test]
fn an_unknown_key_beside_a_secret_in_a_flow_mapping_masks_it() {
    project()
        .file(
            "overlays/dev.yaml",
            "components:\n  api: { replica: 2, env: { API_TOKEN: 'tok-123', LOG: debug } }\n",
        )
        .args(["render", "dev"])
        .stderr(
            "error[unknown-key]: unknown key `replica` in component `api`
 --> overlays/dev.yaml:2:10
  |
2 |   api: { replica: 2, env: { API_TOKEN: *********, LOG: debug } }
  |          ^^^^^^^ not a key of component `api`
  |
  = help: did you mean `replicas`?
          valid keys here: [..]

",
        )
        .status(2)
        .run();
}

#[test]
fn a_secret_written_where_a_list_is_not_allowed_is_masked_in_text_and_json() {
    let overlay = "components:\n  api:\n    env:\n      DB_PASSWORD: [hunter2]\n";
    let text = project()
        .file("overlays/dev.yaml", overlay)
        .args(["validate"])
        .output();
    assert_eq!(text.status, Some(2), "{}", text.stderr);
    assert!(!text.stderr.contains("hunter2"), "{}", text.stderr);
    assert!(
        text.stderr.contains("DB_PASSWORD: *********"),
        "{}",
        text.stderr
    );
    for format in ["json", "github", "sarif", "gitlab"] {
        let out = project()
            .file("overlays/dev.yaml", overlay)
            .args(["validate", "--format", format])
            .output();
        assert_eq!(out.status, Some(2), "{format}: {}", out.stderr);
        assert!(
            out.stdout.contains("type-mismatch"),
            "{format}: {}",
            out.stdout
        );
        assert!(!out.stdout.contains("hunter2"), "{format}: {}", out.stdout);
        assert!(!out.stderr.contains("hunter2"), "{format}: {}", out.stderr);
    }
}

#[test]
fn a_secret_label_value_quoted_by_a_check_is_masked_in_the_message() {
    let out = project()
        .file(
            "overlays/dev.yaml",
            "components:\n  api:\n    labels:\n      api-key: \"-abcd1234\"\n",
        )
        .args(["validate", "--format", "json"])
        .output();
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let message = doc["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("invalid label `api-key: ****`"),
        "{message}"
    );
    assert!(!out.stdout.contains("abcd1234"), "{}", out.stdout);
}

#[test]
fn a_secret_set_on_the_command_line_is_masked_in_its_snippet() {
    project()
        .args([
            "render",
            "dev",
            "--set",
            "components.web.env.DB_PASSWORD=hunter2",
        ])
        .stderr(
            "error[invalid-set]: component `web` does not exist
 --> --set:1:12
  |
1 | components.web.env.DB_PASSWORD=*******
  |            ^^^ not a component of this environment
  |
  = help: a `--set` changes a component but never adds one; add `web` to platform.yaml or an overlay
          existing: api

",
        )
        .status(2)
        .run();
}

#[test]
fn a_component_name_with_a_line_break_cannot_start_a_workflow_command() {
    let overlay = "components:\n  \"x\\n::error file=README.md::pwned\": { image: a/b:1 }\n";
    let text = project()
        .file("overlays/dev.yaml", overlay)
        .args(["validate"])
        .output();
    assert_ne!(text.status, Some(0), "{}", text.stderr);
    assert!(
        text.stderr.contains("x\\n::error file=README.md::pwned"),
        "{}",
        text.stderr
    );
    assert!(
        !text
            .stderr
            .lines()
            .any(|l| l.trim_start().starts_with("::")),
        "{}",
        text.stderr
    );
    let github = project()
        .file("overlays/dev.yaml", overlay)
        .args(["validate", "--format", "github"])
        .output();
    assert_ne!(github.status, Some(0), "{}", github.stderr);
    assert!(!github.stdout.is_empty());
    // Each finding is one workflow command of wfk's own; no line is the user's.
    for line in github.stdout.lines() {
        assert!(
            (line.starts_with("::error file=") || line.starts_with("::warning file="))
                && line.contains("/overlays/dev.yaml,line=2,col=3,title=wfk "),
            "{line}"
        );
    }
}

#[test]
fn diff_escapes_control_characters_in_values() {
    let out = project()
        .file(
            "platform.yaml",
            format!("{BASE}config:\n  settings:\n    banner: plain\n"),
        )
        .file(
            "overlays/prod.yaml",
            "config:\n  settings:\n    banner: \"\\e[31mred\\e[0m\\n::warning::x\"\n",
        )
        .args(["diff", "dev", "prod"])
        .output();
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert!(!out.stdout.contains('\u{1b}'), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("      + \\u{1b}[31mred\\u{1b}[0m\n      + ::warning::x\n"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.lines().any(|l| l.starts_with("::")),
        "{}",
        out.stdout
    );
}

/// `kubectl apply` keeps the whole applied object in an annotation, a Secret's data
/// included; `diff --against` a live export must not print it.
#[test]
fn diff_against_masks_a_secrets_last_applied_annotation_in_every_format() {
    let live = r#"apiVersion: v1
kind: Secret
metadata:
  name: shop-db
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"v1","data":{"password":"aHVudGVyMg=="},"kind":"Secret"}'
data:
  password: aHVudGVyMg==
"#;
    for extra in [&[][..], &["--unified"][..], &["--format", "json"][..]] {
        let test = project().file("live.yaml", live);
        let against = test.path().join("live.yaml");
        let mut args = vec!["diff".to_string(), "dev".into(), "--against".into()];
        args.push(against.display().to_string());
        args.extend(extra.iter().map(|s| s.to_string()));
        let out = test.args(args).output();
        assert_eq!(out.status, Some(1), "{extra:?}: {}", out.stderr);
        assert!(out.stdout.contains("shop-db"), "{extra:?}: {}", out.stdout);
        assert!(
            !out.stdout.contains("aHVudGVyMg"),
            "{extra:?}: {}",
            out.stdout
        );
        assert!(
            !out.stderr.contains("aHVudGVyMg"),
            "{extra:?}: {}",
            out.stderr
        );
    }
}
