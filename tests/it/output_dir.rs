//! `wfk render ENV --output-dir DIR`: the folder is swapped into place and never missing,
//! staging folders of killed runs are removed, a folder that cannot be replaced (the
//! current one, `/`, a read-only one) is refused before anything is written, a template's
//! kind or name never becomes a path unchecked, and the output limit holds for every
//! format and destination. (What the folder holds, and a folder with files added by hand,
//! are tests/it/render.rs's.)

use crate::support::{Output, Test};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crate::support::SMALL as BASE;

/// What a render of [`project`] into `out` says.
const WROTE: &str = "wrote 8 files and kustomization.yaml to `out`\n";

fn project() -> Test {
    Test::new()
        .file("platform.yaml", BASE)
        .file("overlays/dev.yaml", "")
}

/// Every file and folder under `dir` (hidden ones included), with the files' bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if entry.file_type().unwrap().is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(base, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs `test` (which stays, for another run) and checks what it printed.
fn expect(test: &Test, status: i32, stdout: &str, stderr: &str) -> Output {
    let output = test.output();
    assert_eq!(
        (
            output.status,
            output.stdout.as_str(),
            output.stderr.as_str()
        ),
        (Some(status), stdout, stderr),
        "exit code, stdout and stderr"
    );
    output
}

// The kind and name of a template's object, before any path is built from them.

const KIND_RULE: &str = "may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const KIND_HELP: &str = "write the kind as the custom resource definition names it: letters and digits in upper camel case, such as `ServiceMonitor`";

/// `template` as `templates/crd.yaml`, rendered to stdout and into `out`: the same error
/// both ways, and no folder.
fn refused_both_ways(template: &str, stderr: &str) {
    for args in [
        &["render", "dev"][..],
        &["render", "dev", "--output-dir", "out"][..],
    ] {
        let test = project()
            .file("templates/crd.yaml", template)
            .args(args.iter().copied());
        expect(&test, 2, "", stderr);
        assert_eq!(
            names(test.path()),
            ["overlays", "platform.yaml", "templates"],
            "nothing written"
        );
    }
}

#[test]
fn a_custom_kind_with_a_path_in_it_is_refused_at_its_line() {
    refused_both_ways(
        "apiVersion: example.com/v1\nkind: \"a/../../x\"\nmetadata:\n  name: x\n",
        &format!(
            "error[invalid-object-kind]: kind `a/../../x` from a template is invalid: {KIND_RULE}
 --> templates/crd.yaml:2:7
  |
2 | kind: \"a/../../x\"
  |       ^^^^^^^^^^^ output line 2: `kind: \"a/../../x\"`
  |
  = help: {KIND_HELP}

"
        ),
    );
}

#[test]
fn a_custom_kind_with_a_line_break_is_refused_at_its_line() {
    refused_both_ways(
        "apiVersion: example.com/v1\nmetadata: { name: x }\nkind: \"Two\\nLines\"\n",
        &format!(
            "error[invalid-object-kind]: kind `Two\\nLines` from a template is invalid: {KIND_RULE}
 --> templates/crd.yaml:3:7
  |
3 | kind: \"Two\\nLines\"
  |       ^^^^^^^^^^^^ output line 3: `kind: \"Two\\nLines\"`
  |
  = help: {KIND_HELP}

"
        ),
    );
}

#[test]
fn a_bad_kind_in_a_list_item_is_refused_at_the_item() {
    refused_both_ways(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: example.com/v1\n  kind: Good\n  metadata: { name: a }\n- apiVersion: example.com/v1\n  kind: Not/Good\n  metadata: { name: b }\n",
        &format!(
            "error[invalid-object-kind]: kind `Not/Good` from a template is invalid: {KIND_RULE}
 --> templates/crd.yaml:8:9
  |
8 |   kind: Not/Good
  |         ^^^^^^^^ output line 8: `kind: Not/Good`
  |
  = help: {KIND_HELP}

"
        ),
    );
}

#[test]
fn an_object_name_with_a_path_in_it_is_refused_at_its_line() {
    refused_both_ways(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  labels: { a: b }\n  name: \"../x\"\n",
        "error[invalid-object-name]: Widget name `../x` from a template is invalid: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')
 --> templates/crd.yaml:5:9
  |
5 |   name: \"../x\"
  |         ^^^^^^ output line 5: `name: \"../x\"`
  |
  = help: set `metadata.name` to lowercase letters, digits, `-` and `.`

",
    );
}

#[test]
fn a_custom_kind_in_mixed_case_is_written_to_its_file() {
    // The API server's rule, not a stricter one: `serviceMonitor` is a kind it accepts.
    let test = project()
        .file(
            "templates/crd.yaml",
            "apiVersion: example.com/v1\nkind: serviceMonitor\nmetadata: { name: m }\n",
        )
        .args(["render", "dev", "--output-dir", "out"]);
    expect(
        &test,
        0,
        "",
        "wrote 9 files and kustomization.yaml to `out`\n",
    );
    assert!(test.path().join("out/09-servicemonitor-m.yaml").is_file());
}

// The output limit (256 MiB), for every format and destination.

/// A project whose render is `configmaps` ConfigMaps from one template loop, besides the
/// 8 objects of [`BASE`], each carrying the platform's 1,000 labels of 380 bytes: about
/// 390 KB per object in pretty JSON, so 700 make more than 256 MiB from 400 KB of input.
fn large(configmaps: usize) -> Test {
    let prefix: Vec<String> = ["a", "b", "c", "d"].iter().map(|c| c.repeat(61)).collect();
    let prefix = prefix.join(".");
    let mut spec = format!("{BASE}labels:\n");
    for i in 0..1000 {
        spec.push_str(&format!(
            "  {prefix}/k{i:04}{}: {}\n",
            "x".repeat(57),
            "v".repeat(63)
        ));
    }
    project().file("platform.yaml", spec).file(
        "templates/many.yaml",
        format!(
            "apiVersion: v1\nkind: List\nitems:\n{{% for i in range({configmaps}) %}}- {{ apiVersion: v1, kind: ConfigMap, metadata: {{ name: c{{{{ i }}}} }} }}\n{{% endfor %}}"
        ),
    )
}

/// Time enough to serialize 256 MiB in a debug build on a busy machine; a release build
/// takes a few seconds.
const LARGE_TIMEOUT: Duration = Duration::from_secs(240);

const TOO_LARGE: &str = "error: the render is larger than 256 MiB; nothing was written\n";

#[test]
fn json_under_the_output_limit_is_written() {
    // The same project with 10 ConfigMaps: the labels are valid, only the size is at stake.
    let test = large(10).args(["render", "dev", "-o", "json"]);
    let output = test.output();
    assert_eq!((output.status, output.stderr.as_str()), (Some(0), ""));
    let list: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(18));
    assert!(
        output.stdout.len() > 5 << 20,
        "each object carries the labels"
    );
}

#[test]
fn json_over_the_output_limit_prints_nothing_and_writes_nothing() {
    // One test, not two: each run serializes 256 MiB, and two at once would crowd out the
    // timed tests of tests/it/hostile.rs on a two-core machine.
    let test = large(700)
        .timeout(LARGE_TIMEOUT)
        .args(["render", "dev", "-o", "json"]);
    expect(&test, 2, "", TOO_LARGE);
    // Into a folder: an earlier render is left as it was, and the staging folder the texts
    // went into until the limit is removed.
    let test = test
        .file(
            "out/.wfk-render",
            "# written by `wfk render --output-dir`\nold.json\n",
        )
        .file("out/old.json", "{}\n")
        .then_args(["render", "dev", "-o", "json", "--output-dir", "out"]);
    let before = snapshot(test.path());
    expect(&test, 2, "", TOO_LARGE);
    assert!(snapshot(test.path()) == before, "nothing was written");
}

// The swap, and what runs before it leave behind.

#[test]
fn a_render_over_an_earlier_one_replaces_it_and_leaves_no_staging_folder() {
    let test = project().args(["render", "dev", "--output-dir", "out"]);
    expect(&test, 0, "", WROTE);
    let first = snapshot(&test.path().join("out"));
    let test = test.file(
        "overlays/dev.yaml",
        "components: { api: { replicas: 3 } }\n",
    );
    expect(&test, 0, "", WROTE);
    let second = snapshot(&test.path().join("out"));
    assert!(first.keys().eq(second.keys()), "the same files: {second:?}");
    let deployment = String::from_utf8_lossy(&second["04-deployment-p-api.yaml"]).into_owned();
    assert!(deployment.contains("replicas: 3"), "{deployment}");
    assert_eq!(names(test.path()), ["out", "overlays", "platform.yaml"]);
}

#[test]
#[cfg(target_os = "linux")]
fn the_output_folder_is_never_missing_or_half_written_while_it_is_replaced() {
    // On Linux the new folder is exchanged with the old one in one step: a reader polling
    // the marker (the last file written) never finds it missing.
    use std::sync::atomic::{AtomicBool, Ordering};
    let test = project().args(["render", "dev", "--output-dir", "out"]);
    expect(&test, 0, "", WROTE);
    let marker = test.path().join("out/.wfk-render");
    let done = AtomicBool::new(false);
    let (checks, missing) = std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            let (mut checks, mut missing) = (0u64, 0u64);
            while !done.load(Ordering::Relaxed) {
                checks += 1;
                if !marker.is_file() {
                    missing += 1;
                }
            }
            (checks, missing)
        });
        for _ in 0..10 {
            expect(&test, 0, "", WROTE);
        }
        done.store(true, Ordering::Relaxed);
        watcher.join().unwrap()
    });
    assert!(checks > 1000, "the watcher ran: {checks} checks");
    assert_eq!(
        missing, 0,
        "`out` was missing in {missing} of {checks} checks"
    );
}

#[test]
fn staging_folders_left_by_killed_renders_are_removed() {
    // A process that has ended: its staging folders are stale. The test itself is running,
    // so one named after it may belong to a render still at work and stays, as do folders
    // of another output folder and names that are not a staging folder's.
    let dead = {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    };
    let alive = std::process::id();
    let test = project()
        .file(format!(".out.wfk-new-{dead}/01-namespace-p.yaml"), "half\n")
        .file(format!(".out.wfk-old-{dead}/01-namespace-p.yaml"), "old\n")
        .dir(format!(".out.wfk-new-{alive}"))
        .dir(format!(".other.wfk-new-{dead}"))
        .dir(".out.wfk-new-later")
        .args(["render", "dev", "--output-dir", "out"]);
    expect(&test, 0, "", WROTE);
    assert_eq!(
        names(test.path()),
        [
            format!(".other.wfk-new-{dead}"),
            format!(".out.wfk-new-{alive}"),
            ".out.wfk-new-later".to_string(),
            "out".to_string(),
            "overlays".to_string(),
            "platform.yaml".to_string(),
        ]
    );
}

#[test]
fn missing_folders_on_the_way_are_made() {
    let test = project().args(["render", "dev", "--output-dir", "new/deeper/out"]);
    expect(
        &test,
        0,
        "",
        "wrote 8 files and kustomization.yaml to `new/deeper/out`\n",
    );
    assert_eq!(names(&test.path().join("new/deeper")), ["out"]);
}

// Folders that cannot be replaced: refused before anything is written.

#[test]
fn the_current_folder_one_that_holds_it_and_the_root_are_refused() {
    let how = "wfk replaces the output folder as a whole, swapping a new folder into its place; name a folder below it, such as `--output-dir manifests`";
    for (dir, what) in [
        (".", "is the current folder"),
        ("overlays/..", "is the current folder"),
        ("..", "holds the current folder"),
    ] {
        let test = project().args(["render", "dev", "--output-dir", dir]);
        let before = snapshot(test.path());
        expect(
            &test,
            2,
            "",
            &format!("error: `{dir}` {what}, which cannot be the output folder: {how}\n"),
        );
        assert!(
            snapshot(test.path()) == before,
            "nothing written for `{dir}`"
        );
    }
    let test = project().args(["render", "dev", "--output-dir", "/"]);
    let before = snapshot(test.path());
    expect(
        &test,
        2,
        "",
        "error: `/` is the root folder, which cannot be the output folder: wfk replaces the output folder as a whole; name a folder of its own, such as `--output-dir manifests`\n",
    );
    assert!(snapshot(test.path()) == before);
}

#[test]
fn a_file_as_the_output_folder_is_refused() {
    let test = project()
        .file("out", "notes\n")
        .args(["render", "dev", "--output-dir", "out"]);
    expect(
        &test,
        2,
        "",
        "error: `out` is a file, not a folder; name a new folder, an empty one, or one an earlier render wrote\n",
    );
    assert_eq!(
        std::fs::read_to_string(test.path().join("out")).unwrap(),
        "notes\n"
    );
}

#[test]
#[cfg(unix)]
fn a_fifo_as_the_marker_is_refused_without_blocking() {
    let test = project()
        .file("out/01-namespace-p.yaml", "old\n")
        .fifo("out/.wfk-render")
        .timeout(Duration::from_secs(5))
        .args(["render", "dev", "--output-dir", "out"]);
    let output = expect(
        &test,
        2,
        "",
        "error: cannot read `out/.wfk-render`: it is not a regular file; it marks a folder an earlier render wrote, so wfk does not replace `out` without it\n",
    );
    assert!(output.elapsed < Duration::from_secs(5));
    assert_eq!(
        names(&test.path().join("out")),
        [".wfk-render", "01-namespace-p.yaml"]
    );
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

const READ_ONLY_OUT: &str = "error: cannot replace the files in `out`: Permission denied (os error 13); make it writable (`chmod u+w out`), or name another folder\n";

#[test]
#[cfg(unix)]
fn a_read_only_output_folder_is_replaced_only_by_a_user_who_may_write_it() {
    // Whoever runs the tests: the superuser may write a read-only folder, so for it the
    // render goes through; anyone else is refused, and the folder stays as it was.
    let test = project().args(["render", "dev", "--output-dir", "out"]);
    expect(&test, 0, "", WROTE);
    let out = test.path().join("out");
    chmod(&out, 0o555);
    let may_write = std::fs::File::create(out.join(".probe")).is_ok();
    let _ = std::fs::remove_file(out.join(".probe"));
    let before = snapshot(test.path());
    if may_write {
        expect(&test, 0, "", WROTE);
    } else {
        expect(&test, 2, "", READ_ONLY_OUT);
        assert!(snapshot(test.path()) == before, "nothing written");
    }
    chmod(&out, 0o755);
}

#[test]
#[cfg(target_os = "linux")]
fn a_read_only_output_folder_or_parent_is_refused_before_anything_is_written() {
    // Run as a user the permissions hold for: this one, or, when the tests run as the
    // superuser, `nobody` through util-linux's setpriv with the project made its own.
    let test = project();
    let test = if rustix::process::geteuid().is_root() {
        fn chown_all(path: &Path) {
            std::os::unix::fs::lchown(path, Some(65534), Some(65534)).unwrap();
            if path.is_dir() && !path.is_symlink() {
                for entry in std::fs::read_dir(path).unwrap() {
                    chown_all(&entry.unwrap().path());
                }
            }
        }
        chown_all(test.path());
        test.prefix([
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ])
    } else {
        test
    };
    let test = test.args(["render", "dev", "--output-dir", "out"]);
    expect(&test, 0, "", WROTE);
    let out = test.path().join("out");
    chmod(&out, 0o555);
    let before = snapshot(test.path());
    expect(&test, 2, "", READ_ONLY_OUT);
    assert!(snapshot(test.path()) == before, "the folder is as it was");

    chmod(&out, 0o755);
    chmod(test.path(), 0o555);
    let before = snapshot(test.path());
    expect(
        &test,
        2,
        "",
        "error: cannot write `out` in `.`: Permission denied (os error 13); make `.` writable, or name a folder in a writable place\n",
    );
    let test = test.then_args(["render", "dev", "--output-dir", "new/deeper"]);
    expect(
        &test,
        2,
        "",
        "error: cannot write `new/deeper` in `.`: Permission denied (os error 13); make `.` writable, or name a folder in a writable place\n",
    );
    assert!(snapshot(test.path()) == before, "nothing written");
    chmod(test.path(), 0o755);
}
