//! The fast YAML writer writes what serde-saphyr writes, byte for byte: on every
//! environment of every project, and on arbitrary strings as keys and values, each of
//! which a YAML 1.1 reader (PyYAML, as kubectl's reader types scalars) reads back as the
//! same string.

use crate::corpus::python_reads;
use crate::determinism::{environments, projects};
use crate::render_support::{first_difference, library};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use wfk::build::object::Object;
use wfk::emit::{self, Format};

fn both(objects: &[Object]) -> (String, String) {
    let fast = emit::to_bytes(objects, Format::Yaml).expect("the fast writer");
    let reference = emit::yaml_by_serde_saphyr(objects).expect("serde-saphyr");
    (
        String::from_utf8(fast).unwrap(),
        String::from_utf8(reference).unwrap(),
    )
}

#[test]
fn every_render_of_every_project_is_what_serde_saphyr_writes() {
    let (mut objects, mut fast) = (0, 0);
    for dir in projects() {
        for env in environments(&dir) {
            let (_, rendered) = library(&dir, &env, &[]);
            let (ours, reference) = both(&rendered);
            assert!(
                ours == reference,
                "{} {env}: {}",
                dir.display(),
                first_difference(&ours, &reference)
            );
            objects += rendered.len();
            fast += emit::fast_written(&rendered);
        }
    }
    // The comparison means something only if the fast writer writes most objects itself;
    // serde-saphyr takes the rest (config files on several lines, say).
    assert!(objects > 300, "{objects} objects");
    assert!(
        fast * 10 >= objects * 9,
        "the fast writer wrote {fast} of {objects} objects"
    );
}

/// Strings a YAML reader may take for something else, and the characters that change how
/// a scalar must be written, mixed with anything at all.
fn tricky() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "",
        "~",
        "null",
        "Null",
        "y",
        "Y",
        "n",
        "no",
        "NO",
        "yes",
        "on",
        "Off",
        "true",
        "False",
        "nan",
        ".inf",
        "-.Inf",
        "0",
        "007",
        "0x1F",
        "0o17",
        "0b101",
        "1_000",
        "1e3",
        "-1.5",
        "+1",
        "12:30",
        "1:20:30.5",
        "2001-12-14",
        "2001-12-14t21:59:43.10-05:00",
        "<<",
        "=",
        "---",
        "...",
        "- a",
        "-",
        "?",
        "? x",
        "a: b",
        "a:",
        ":a",
        "#c",
        "a #c",
        "a#c",
        "&a",
        "*a",
        "!t",
        "|",
        ">",
        "'q'",
        "\"q\"",
        "%",
        "@",
        "`",
        "{a}",
        "[a]",
        "a,b",
        " lead",
        "trail ",
        "\t",
        "a\nb",
        "a\n",
        "\n",
        "line\n  indented\n",
        "\u{85}",
        "\u{2028}",
        "\u{feff}",
        "é",
        "日本",
        "\u{7f}",
        "\u{0}",
        "\r\n",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        3 => words.clone(),
        3 => any::<String>(),
        2 => "[a-zA-Z0-9._/:# -]{0,12}",
        1 => "[a-z]{70,100}",
        1 => "[a-z :]{75,120}",
        2 => (words.clone(), words, any::<String>()).prop_map(|(a, b, c)| format!("{a}{b}{c}")),
    ]
}

/// A ConfigMap whose data keys and values, label value and annotation are `strings`, and
/// a custom resource holding them nested in maps and lists.
fn objects_of(strings: &[String]) -> Vec<Object> {
    let data: BTreeMap<String, String> = strings
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("{s}{i}"), s.clone()))
        .collect();
    let config = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "c",
            "labels": { "l": strings[0] },
            "annotations": { strings[1].clone(): strings[2] },
        },
        "data": data,
    });
    let custom = json!({
        "apiVersion": "example.com/v1",
        "kind": "Thing",
        "metadata": { "name": "t" },
        "spec": {
            "items": strings.iter().map(|s| json!({ "name": s, "values": [s, s] })).collect::<Vec<_>>(),
            "keyed": { strings[0].clone(): { strings[1].clone(): strings[2] } },
            "empty": {}, "none": [],
        },
    });
    [config, custom]
        .into_iter()
        .map(|v| Object::from_value(v, &mut Vec::new()).expect("an object"))
        .collect()
}

/// What a YAML reader must read back from `objects_of(strings)`.
fn expected(strings: &[String]) -> Vec<Value> {
    objects_of(strings)
        .iter()
        .map(|o| serde_json::to_value(o).unwrap())
        .collect()
}

#[test]
fn arbitrary_strings_are_written_as_serde_saphyr_writes_them_and_read_back_as_themselves() {
    let mut streams = Vec::new();
    let mut wanted = Vec::new();
    let config = ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let seen = std::cell::RefCell::new((&mut streams, &mut wanted));
    runner
        .run(&prop::collection::vec(tricky(), 3..8), |strings| {
            let objects = objects_of(&strings);
            let (ours, reference) = both(&objects);
            prop_assert_eq!(&ours, &reference);
            let mut seen = seen.borrow_mut();
            seen.0.push(ours);
            seen.1.extend(expected(&strings));
            Ok(())
        })
        .unwrap();
    // One reader for every stream: PyYAML types scalars by YAML 1.1, as kubectl does.
    let read = python_reads(&streams.concat());
    let read = read.as_array().expect("documents");
    assert_eq!(read.len(), wanted.len());
    for (got, want) in read.iter().zip(&wanted) {
        assert_eq!(got, want);
    }
}

/// A string on several lines is a block scalar: as a mapping's value the fast writer
/// moves serde-saphyr's body to its column; in a list it leaves the object to serde-saphyr.
#[test]
fn a_block_scalar_in_a_list_goes_to_serde_saphyr_and_both_read_back() {
    let strings = ["a\n  b\n".to_string(), "x".into(), " y\nz".into()];
    let objects = objects_of(&strings);
    assert_eq!(emit::fast_written(&objects[..1]), 1, "the ConfigMap");
    assert_eq!(emit::fast_written(&objects[1..]), 0, "the list of blocks");
    let (ours, reference) = both(&objects);
    assert_eq!(ours, reference);
    assert_eq!(
        python_reads(&ours).as_array().unwrap().as_slice(),
        expected(&strings).as_slice()
    );
    // Plain strings only: the fast writer writes both objects itself.
    let plain = ["a".to_string(), "b.c/d".into(), "e-f_g".into()];
    assert_eq!(emit::fast_written(&objects_of(&plain)), 2);
}

#[test]
fn integers_at_their_limits_are_written_as_serde_saphyr_writes_them() {
    let pod = |user: i64, replicas: i32, port: i32| {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": { "name": "d" },
            "spec": {
                "replicas": replicas,
                "selector": {},
                "template": { "spec": {
                    "securityContext": { "runAsUser": user },
                    "containers": [{ "name": "c", "ports": [{ "containerPort": port }] }],
                } },
            },
        })
    };
    let thing = |n: Value| json!({ "apiVersion": "example.com/v1", "kind": "Thing", "metadata": { "name": "t" }, "spec": { "count": n, "list": [n, 0, -1] } });
    let values = [
        pod(i64::MIN, i32::MIN, 0),
        pod(i64::MAX, i32::MAX, -1),
        pod(0, 1, 9),
        pod(-10, 10, 100),
        thing(json!(u64::MAX)),
        thing(json!(i64::MIN)),
        thing(json!(1_000_000_007_u64)),
    ];
    let objects: Vec<Object> = values
        .into_iter()
        .map(|v| Object::from_value(v, &mut Vec::new()).expect("an object"))
        .collect();
    assert_eq!(
        emit::fast_written(&objects),
        objects.len(),
        "the fast writer writes them"
    );
    let (ours, reference) = both(&objects);
    assert!(ours == reference, "{}", first_difference(&ours, &reference));
    assert!(ours.contains("runAsUser: -9223372036854775808\n"), "{ours}");
    assert!(ours.contains("count: 18446744073709551615\n"), "{ours}");
}
