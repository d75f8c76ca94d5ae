//! Every input through one door: the spec, overlays (and the parents they extend),
//! templates and `wfk diff --against` files are read only as regular files, through a size
//! limit, and a project's files only inside the project folder. A symbolic link that leads
//! out of the project is refused by its own name, and nothing of the file it points to is
//! shown; a FIFO or a device is refused before it is opened, so nothing blocks or reads
//! forever.

#![cfg(unix)]

use crate::support::{Output, TempDir, Test};
use std::time::Duration;

use crate::support::SMALL as BASE;

/// What a file outside the project holds: broken YAML, so that were it read, its line
/// would be quoted in a syntax error's snippet.
const OUTSIDE: &str = "platform: [\nprivate-line: do not show\n";

/// A template that writes one ConfigMap.
const TEMPLATE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  k: v\n";

/// How long a run that must not block may take: far less than the support's timeout, so a
/// run that waited on a FIFO fails here rather than at the kill.
const PROMPT: Duration = Duration::from_secs(5);

/// A folder outside the project holding `name` with [`OUTSIDE`].
fn outside(name: &str) -> TempDir {
    let dir = TempDir::new();
    dir.write(name, OUTSIDE);
    dir
}

/// The run did not show the outside file's lines.
/// The error for `link`, a symbolic link in the project to a file outside it.
fn outside_project(link: &str) -> String {
    format!(
        "error[outside-project]: `{link}` is a symbolic link to a file outside the project
  |
  = help: wfk reads only files inside the project folder; copy what `{link}` points to into the project in place of the link

"
    )
}

fn hides_outside(output: &Output) {
    assert!(
        !output.stderr.contains("private-line") && !output.stderr.contains("platform: ["),
        "the outside file is quoted:\n{}",
        output.stderr
    );
}

fn prompt(output: &Output) {
    assert!(
        output.elapsed < PROMPT,
        "took {:?}, more than {PROMPT:?}",
        output.elapsed
    );
}

#[test]
fn an_overlay_linked_outside_the_project_is_refused_by_its_own_name() {
    let elsewhere = outside("dev.yaml");
    let output = Test::new()
        .file("platform.yaml", BASE)
        .symlink("overlays/dev.yaml", elsewhere.path().join("dev.yaml"))
        .args(["render", "dev"])
        .status(2)
        .stderr(outside_project("overlays/dev.yaml"))
        .run();
    hides_outside(&output);
}

#[test]
fn an_extended_overlay_linked_outside_the_project_is_refused() {
    // `prod` is a file of the project; the parent it extends leads out.
    let elsewhere = outside("base.yaml");
    let output = Test::new()
        .file("platform.yaml", BASE)
        .file("overlays/prod.yaml", "extends: base\n")
        .symlink("overlays/base.yaml", elsewhere.path().join("base.yaml"))
        .args(["render", "prod"])
        .status(2)
        .stderr(outside_project("overlays/base.yaml"))
        .run();
    hides_outside(&output);
}

#[test]
fn a_platform_file_linked_outside_the_project_is_refused() {
    let elsewhere = outside("platform.yaml");
    let output = Test::new()
        .file("overlays/dev.yaml", "")
        .symlink("platform.yaml", elsewhere.path().join("platform.yaml"))
        .args(["explain", "dev", "platform"])
        .status(2)
        .stderr(outside_project("platform.yaml"))
        .run();
    hides_outside(&output);
}

#[test]
fn a_template_linked_outside_the_project_is_refused() {
    let elsewhere = outside("extra.yaml");
    let output = Test::new()
        .file("platform.yaml", BASE)
        .file("overlays/dev.yaml", "")
        .symlink("templates/extra.yaml", elsewhere.path().join("extra.yaml"))
        .args(["render", "dev"])
        .status(2)
        .stderr(outside_project("templates/extra.yaml"))
        .run();
    hides_outside(&output);
}

#[test]
fn a_templates_folder_linked_outside_the_project_is_named_as_the_link() {
    let elsewhere = outside("extra.yaml");
    let output = Test::new()
        .file("platform.yaml", BASE)
        .file("overlays/dev.yaml", "")
        .symlink("templates", elsewhere.path())
        .args(["render", "dev", "--output-dir", "out"])
        .status(2)
        .stderr(
            "error[outside-project]: `templates/extra.yaml` is not read: `templates` is a symbolic link to a folder outside the project
  |
  = help: wfk reads only files inside the project folder; copy what `templates` points to into the project in place of the link

",
        )
        .run();
    hides_outside(&output);
}

#[test]
fn links_that_stay_inside_the_project_are_followed() {
    // The same project twice: with the files themselves, and with relative links to copies
    // kept elsewhere in the project. Both render the same stream.
    let files = Test::new()
        .file("platform.yaml", BASE)
        .file(
            "overlays/dev.yaml",
            "components: { api: { replicas: 3 } }\n",
        )
        .file("templates/extra.yaml", TEMPLATE)
        .args(["render", "dev"]);
    let expected = files.output();
    assert_eq!(
        (expected.status, expected.stderr.as_str()),
        (Some(0), ""),
        "the plain project renders"
    );
    assert!(expected.stdout.contains("replicas: 3") && expected.stdout.contains("name: extra"));
    Test::new()
        .file("shared/platform.yaml", BASE)
        .file("shared/dev.yaml", "components: { api: { replicas: 3 } }\n")
        .file("shared/templates/extra.yaml", TEMPLATE)
        .symlink("platform.yaml", "shared/platform.yaml")
        .symlink("overlays/dev.yaml", "../shared/dev.yaml")
        .symlink("templates", "shared/templates")
        .args(["render", "dev"])
        .stdout(expected.stdout)
        .run();
}

#[test]
fn a_template_that_is_a_fifo_is_refused_without_blocking() {
    prompt(
        &Test::new()
            .file("platform.yaml", BASE)
            .file("overlays/dev.yaml", "")
            .dir("templates")
            .fifo("templates/extra.yaml")
            .timeout(PROMPT * 2)
            .args(["render", "dev"])
            .status(2)
            .stderr(
                "error[not-a-file]: `templates/extra.yaml` is not a regular file
  |
  = help: a spec must be a regular YAML file

",
            )
            .run(),
    );
}

#[test]
fn an_extended_overlay_that_is_a_fifo_is_refused_without_blocking() {
    // (`overlays/dev.yaml` as a FIFO itself is tests/it/hostile.rs's.)
    prompt(
        &Test::new()
            .file("platform.yaml", BASE)
            .file("overlays/prod.yaml", "extends: base\n")
            .fifo("overlays/base.yaml")
            .timeout(PROMPT * 2)
            .args(["render", "prod"])
            .status(2)
            .stderr(
                "error[not-a-file]: `overlays/base.yaml` is not a regular file
  |
  = help: a spec must be a regular YAML file

",
            )
            .run(),
    );
}

/// A project that renders, for `wfk diff dev --against …`.
fn diffable() -> Test {
    Test::new()
        .file("platform.yaml", BASE)
        .file("overlays/dev.yaml", "")
}

#[test]
fn against_a_link_to_dev_zero_is_refused_before_it_is_read() {
    // /dev/zero never ends: read to its end, it fills memory; the door refuses it from its
    // metadata.
    prompt(
        &diffable()
            .symlink("before.yaml", "/dev/zero")
            .timeout(PROMPT * 2)
            .args(["diff", "dev", "--against", "before.yaml"])
            .status(2)
            .stderr(
                "error: cannot read `before.yaml`: it is not a regular file; pass a file that `wfk render` wrote, or a folder of them\n",
            )
            .run(),
    );
}

#[test]
fn against_a_fifo_is_refused_without_blocking() {
    prompt(
        &diffable()
            .fifo("before.yaml")
            .timeout(PROMPT * 2)
            .args(["diff", "dev", "--against", "before.yaml"])
            .status(2)
            .stderr(
                "error: cannot read `before.yaml`: it is not a regular file; pass a file that `wfk render` wrote, or a folder of them\n",
            )
            .run(),
    );
}

#[test]
fn against_a_folder_with_a_link_to_a_device_or_a_fifo_is_refused() {
    // An earlier `--output-dir` render, then a link to /dev/zero among its files: the
    // folder is refused at that entry. A FIFO among them is refused the same way, and one
    // whose name is not `.yaml`, `.yml` or `.json` is not an object file and is never opened.
    let test = diffable().args(["render", "dev", "--output-dir", "before"]);
    let run = test.output();
    assert_eq!((run.status, run.stdout.as_str()), (Some(0), ""));
    let test = test.symlink("before/99-zero.yaml", "/dev/zero");
    prompt(
        &test
            .timeout(PROMPT * 2)
            .then_args(["diff", "dev", "--against", "before"])
            .status(2)
            .stderr(
                "error: cannot read `before/99-zero.yaml`: it is not a regular file; pass a file that `wfk render` wrote, or a folder of them\n",
            )
            .run(),
    );

    let test = diffable().args(["render", "dev", "--output-dir", "before"]);
    let run = test.output();
    assert_eq!((run.status, run.stdout.as_str()), (Some(0), ""));
    prompt(
        &test
            .fifo("before/00-pipe.json")
            .fifo("before/notes.txt")
            .timeout(PROMPT * 2)
            .then_args(["diff", "dev", "--against", "before"])
            .status(2)
            .stderr(
                "error: cannot read `before/00-pipe.json`: it is not a regular file; pass a file that `wfk render` wrote, or a folder of them\n",
            )
            .run(),
    );
}

#[test]
fn against_a_folder_without_such_entries_is_read() {
    // The same folder without the link: the render is the same, so nothing differs, and a
    // FIFO with another extension is left alone.
    let test = diffable().args(["render", "dev", "--output-dir", "before"]);
    let run = test.output();
    assert_eq!((run.status, run.stdout.as_str()), (Some(0), ""));
    prompt(
        &test
            .fifo("before/notes.txt")
            .timeout(PROMPT * 2)
            .then_args(["diff", "dev", "--against", "before"])
            .stdout("no differences (8 objects the same)\n")
            .run(),
    );
}

#[test]
fn against_a_file_over_the_output_limit_is_refused_at_the_limit() {
    // A sparse file of 300 MiB: cheap to make, and read only up to the limit (256 MiB, the
    // most one render can write) before it is refused.
    let test = diffable();
    let file = std::fs::File::create(test.path().join("before.yaml")).unwrap();
    file.set_len(300 << 20).unwrap();
    test.timeout(Duration::from_secs(60))
        .args(["diff", "dev", "--against", "before.yaml"])
        .status(2)
        .stderr(
            "error: cannot read `before.yaml`: the earlier render is larger than 256 MiB, more than wfk ever writes; pass the output of `wfk render`\n",
        )
        .run();
}
