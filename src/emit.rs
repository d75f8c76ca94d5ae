//! Objects → text: a `---` YAML stream or a JSON `v1` `List`, in the order given (apply
//! order), byte-identical for identical input. serde-saphyr quotes every string a YAML 1.1
//! reader (kubectl) would retype: `no`, `on`, `12:30`, `1_000`.

use crate::build::object::Object;

/// The most output one render may produce: 256 MiB, far above any platform (the
/// 1,000-component benchmark renders a few MiB). A template that loops past it is stopped
/// here rather than filling a disk or a pipe into `kubectl`.
pub const MAX_OUTPUT_BYTES: usize = 256 * 1024 * 1024;

/// Output formats of `render`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Yaml,
    Json,
}

/// The whole stream as one string.
pub fn to_string(objects: &[Object], format: Format) -> anyhow::Result<String> {
    match format {
        Format::Yaml => {
            let mut out = String::new();
            for object in objects {
                out.push_str("---\n");
                out.push_str(&yaml(object)?);
                if out.len() > MAX_OUTPUT_BYTES {
                    anyhow::bail!(
                        "the render is larger than {} MiB; nothing was written",
                        MAX_OUTPUT_BYTES >> 20
                    );
                }
            }
            Ok(out)
        }
        Format::Json => {
            let list = List {
                api_version: "v1",
                items: objects,
                kind: "List",
            };
            let mut out = serde_json::to_string_pretty(&list)?;
            out.push('\n');
            Ok(out)
        }
    }
}

/// A `v1` `List` of objects, as `kubectl get -o json` prints it (keys in sorted order).
#[derive(serde::Serialize)]
struct List<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    items: &'a [Object],
    kind: &'static str,
}

/// One object as YAML (no leading `---`).
pub fn yaml(object: &Object) -> anyhow::Result<String> {
    let mut text = serde_saphyr::to_string(object)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// One object in `format`, for `--output-dir` files.
pub fn one(object: &Object, format: Format) -> anyhow::Result<String> {
    match format {
        Format::Yaml => yaml(object),
        Format::Json => {
            let mut out = serde_json::to_string_pretty(object)?;
            out.push('\n');
            Ok(out)
        }
    }
}
