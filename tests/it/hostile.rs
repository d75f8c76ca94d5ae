//! Hostile inputs, generated at run time: files too large, not UTF-8, not regular files, too
//! deep, or built to expand. Each must be refused with exit 2, an empty stdout, its code and
//! position on stderr, and quickly: every run is killed and fails after `support::TIMEOUT`,
//! and the time is checked again here.

use crate::support::{Output, TIMEOUT, Test};

const MIB: usize = 1024 * 1024;

/// A project whose overlay `dev` is valid, so only the file under test is wrong.
fn project() -> Test {
    Test::new().file("overlays/dev.yaml", "platform: p\n")
}

fn quick(output: Output) {
    assert!(
        output.elapsed < TIMEOUT,
        "took {:?}, more than {TIMEOUT:?}",
        output.elapsed
    );
}

#[test]
fn a_platform_file_over_16_mib_is_refused() {
    let big = "#".repeat(16 * MIB) + "\n";
    quick(
        project()
            .file("platform.yaml", big)
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[file-too-large]: `platform.yaml` is larger than 16 MiB
  |
  = help: a spec file is at most 16 MiB; split large config files out of the spec

",
            )
            .run(),
    );
}

#[test]
fn an_overlay_over_16_mib_is_refused() {
    quick(
        Test::new()
            .file("platform.yaml", "platform: p\n")
            .file("overlays/dev.yaml", vec![b'a'; 16 * MIB + 1])
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[file-too-large]: `overlays/dev.yaml` is larger than 16 MiB
  |
  = help: a spec file is at most 16 MiB; split large config files out of the spec

",
            )
            .run(),
    );
}

#[test]
fn a_platform_file_of_exactly_16_mib_is_read() {
    // The cap is inclusive: a file of exactly 16 MiB is parsed (here, comments and one key).
    let line = format!("#{}\n", "a".repeat(1000));
    let key = "platform: p\n";
    let mut text = line.repeat(16 * MIB / line.len() + 1);
    text.truncate(16 * MIB - key.len() - 1);
    text.push('\n');
    text.push_str(key);
    assert_eq!(text.len(), 16 * MIB);
    let lines = text.lines().count();
    quick(
        project()
            .file("platform.yaml", text)
            .args(["explain", "dev", "platform"])
            .stdout(format!(
                "platform: p\n  set at overlays/dev.yaml:1:11\n  overrides p  platform.yaml:{lines}:11\n"
            ))
            .run(),
    );
}

#[test]
fn invalid_utf8_is_refused_with_its_line_and_column() {
    // The column counts characters: `é` is one column and two bytes.
    quick(
        project()
            .file(
                "platform.yaml",
                b"platform: p\nlabels: { team: \"\xc3\xa9\xff\" }\n",
            )
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[invalid-utf8]: `platform.yaml` is not valid UTF-8 (at platform.yaml:2:19, byte 31)
  |
  = help: save the file as UTF-8

",
            )
            .run(),
    );
}

#[test]
fn invalid_utf8_in_an_overlay_after_a_byte_order_mark() {
    // The byte-order mark is skipped, so it counts neither as a column nor as a byte.
    quick(
        Test::new()
            .file("platform.yaml", "platform: p\n")
            .file("overlays/dev.yaml", b"\xef\xbb\xbfa: \xc0\n")
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[invalid-utf8]: `overlays/dev.yaml` is not valid UTF-8 (at overlays/dev.yaml:1:4, byte 3)
  |
  = help: save the file as UTF-8

",
            )
            .run(),
    );
}

#[test]
#[cfg(unix)]
fn a_fifo_as_platform_file_is_refused_without_blocking() {
    // Opening a FIFO for reading blocks until a writer comes; wfk must not open it at all.
    quick(
        project()
            .fifo("platform.yaml")
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[not-a-file]: `platform.yaml` is not a regular file
  |
  = help: a spec must be a regular YAML file

",
            )
            .run(),
    );
}

#[test]
#[cfg(unix)]
fn a_fifo_as_overlay_is_refused_without_blocking() {
    quick(
        Test::new()
            .file("platform.yaml", "platform: p\n")
            .dir("overlays")
            .fifo("overlays/dev.yaml")
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[not-a-file]: `overlays/dev.yaml` is not a regular file
  |
  = help: a spec must be a regular YAML file

",
            )
            .run(),
    );
}

#[test]
#[cfg(unix)]
fn a_symlink_to_dev_zero_is_refused() {
    // /dev/zero never ends; the size cap alone would read 16 MiB of it first.
    quick(
        project()
            .symlink("platform.yaml", "/dev/zero")
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[not-a-file]: `platform.yaml` is not a regular file
  |
  = help: a spec must be a regular YAML file

",
            )
            .run(),
    );
}

#[test]
#[cfg(unix)]
fn a_symlink_to_a_regular_file_is_followed() {
    let test = project().file("real.yaml", "platform: p\n");
    let target = test.path().join("real.yaml");
    quick(
        test.symlink("platform.yaml", target)
            .args(["explain", "dev", "platform"])
            .stdout(
                "platform: p\n  set at overlays/dev.yaml:1:11\n  overrides p  platform.yaml:1:11\n",
            )
            .run(),
    );
}

#[test]
fn a_directory_named_platform_yaml_is_refused() {
    quick(
        project()
            .dir("platform.yaml")
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[not-a-file]: `platform.yaml` is a directory
  |
  = help: a spec must be a regular YAML file

",
            )
            .run(),
    );
}

#[test]
fn flow_nesting_100_000_deep_is_refused() {
    // The parser gives up at its own limit (the 256th `[`, column 259, level 257) before the
    // pre-pass counts to 65, so the position is not where level 65 starts; no tree is built.
    let deep = format!("x: {}\n", "[".repeat(100_000));
    quick(
        Test::new()
            .file("platform.yaml", "platform: p\n")
            .file("overlays/dev.yaml", deep)
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[nesting-too-deep]: the YAML is nested more than 64 levels deep
 --> overlays/dev.yaml:1:259
  |
1 | [..]
  | [..]^ too deep here
  |
  = help: a spec needs far fewer levels; wfk reads at most 64

",
            )
            .run(),
    );
}

#[test]
fn flow_nesting_just_past_the_limit_points_at_level_65() {
    // `x: ` then 70 brackets: the root mapping is level 1, so the 64th `[` (column 67)
    // opens level 65.
    let deep = format!("x: {}{}\n", "[".repeat(70), "]".repeat(70));
    quick(
        Test::new()
            .file("platform.yaml", "platform: p\n")
            .file("overlays/dev.yaml", deep)
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(format!(
                "error[nesting-too-deep]: the YAML is nested more than 64 levels deep
 --> overlays/dev.yaml:1:67
  |
1 | x: {}{}...
  | {}^ level 65 starts here
  |
  = help: a spec needs far fewer levels; wfk reads at most 64

",
                "[".repeat(70),
                "]".repeat(60),
                " ".repeat(66)
            ))
            .run(),
    );
}

#[test]
fn block_nesting_200_deep_in_an_overlay_is_refused() {
    let mut deep = String::from("components:\n");
    for i in 0..200 {
        deep.push_str(&format!("{}k{i}:\n", "  ".repeat(i + 1)));
    }
    quick(
        Test::new()
            .file("platform.yaml", "platform: p\n")
            .file("overlays/dev.yaml", deep)
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[nesting-too-deep]: the YAML is nested more than 64 levels deep
  --> overlays/dev.yaml:65:132
   |
65 | ...                   k63:
   |                          ^ level 65 starts here
   |
   = help: a spec needs far fewer levels; wfk reads at most 64

",
            )
            .run(),
    );
}

#[test]
fn flow_nesting_100_000_deep_in_a_set_value_is_refused() {
    let arg = format!("x={}", "[".repeat(100_000));
    quick(
        project()
            .file("platform.yaml", "platform: p\n")
            .args(["explain", "dev", "platform", "--set"])
            .arg(arg)
            .status(2)
            .stderr(
                "error[nesting-too-deep]: the YAML is nested more than 64 levels deep
 --> --set:1:258
  |
1 | [..]
  | [..] too deep here
  |
  = help: a spec needs far fewer levels; wfk reads at most 64

",
            )
            .run(),
    );
}

/// Billion laughs: nine levels of nine aliases, 9^9 strings if expanded.
fn alias_bomb() -> String {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let (prev, name) = (pair[0], pair[1]);
        let refs = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    text
}

#[test]
fn an_alias_bomb_is_refused_at_its_first_anchor() {
    quick(
        Test::new()
            .file("platform.yaml", "platform: p\n")
            .file("overlays/dev.yaml", alias_bomb())
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[anchor-not-supported]: YAML anchors are not supported in a wfk spec
 --> overlays/dev.yaml:1:4
  |
1 | a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]
  |    ^^ anchor here
  |
  = help: write the value out, or move what repeats into `platform.yaml` and let overlays change only what differs; anchors hide where a value comes from and can expand without bound

",
            )
            .run(),
    );
}

#[test]
fn an_alias_bomb_in_the_platform_file_is_refused_too() {
    quick(
        project()
            .file("platform.yaml", format!("platform: p\n{}", alias_bomb()))
            .args(["explain", "dev", "platform"])
            .status(2)
            .stderr(
                "error[anchor-not-supported]: YAML anchors are not supported in a wfk spec
 --> platform.yaml:2:4
  |
2 | a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]
  |    ^^ anchor here
  |
  = help: write the value out, or move what repeats into `platform.yaml` and let overlays change only what differs; anchors hide where a value comes from and can expand without bound

",
            )
            .run(),
    );
}

#[test]
fn ten_thousand_unknown_keys_stop_at_fifty_errors() {
    let mut text = String::from("platform: p\ncomponents:\n  api:\n    image: a\n");
    for i in 0..10_000 {
        text.push_str(&format!("    zz{i}: 1\n"));
    }
    let output = project()
        .file("platform.yaml", text)
        .args(["explain", "dev", "platform"])
        .output();
    assert_eq!(output.status, Some(2));
    assert_eq!(output.stdout, "");
    assert_eq!(output.stderr.matches("error[unknown-key]").count(), 50);
    assert!(
        output.stderr.contains(" --> platform.yaml:5:5\n"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("error[too-many-errors]: stopped after 50 errors"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .ends_with("error: aborting due to 51 errors\n"),
        "{}",
        output.stderr
    );
    quick(output);
}
