//! ConfigMaps: string values, and whole files written from structured spec values (YAML or
//! JSON by the key's extension), so an overlay can change one key of a file.

use super::Ctx;
use super::object::ConfigMap;
use crate::platform::values::ConfigEntry;
use indexmap::IndexMap;
use std::collections::BTreeMap;

pub(crate) fn config_map(
    name: &str,
    entries: &IndexMap<String, ConfigEntry>,
    ctx: &Ctx,
) -> ConfigMap {
    ConfigMap {
        metadata: ctx.metadata(name.to_string(), ctx.labels()),
        data: Some(data(entries)),
        ..Default::default()
    }
}

/// The `data` of a config map: each key's text.
pub(crate) fn data(entries: &IndexMap<String, ConfigEntry>) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(k, v)| (k.clone(), text(k, v)))
        .collect()
}

fn text(key: &str, entry: &ConfigEntry) -> String {
    match entry {
        ConfigEntry::Text(s) => s.clone(),
        ConfigEntry::File(value) if key.ends_with(".json") => {
            let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
            s.push('\n');
            s
        }
        ConfigEntry::File(value) => serde_saphyr::to_string(value).unwrap_or_default(),
    }
}
