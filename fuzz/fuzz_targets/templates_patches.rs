//! Templates and patches from arbitrary bytes: a platform (whose `patches` the fuzzer
//! mutates) and one template, separated by a NUL byte, through the whole pipeline in a
//! project folder. Whatever they write, a render without errors keeps the guarantees of the
//! emitted stream: every namespaced object in the platform's namespace, no Secret values,
//! no binding to cluster-admin, no Service with external IPs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// One project folder for the process, rewritten for each input.
fn project() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("wfk-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("overlays")).unwrap();
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(dir.join("overlays/fuzz.yaml"), "").unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (base, template) = text.split_once('\0').unwrap_or((text, ""));
    let dir = project();
    std::fs::write(dir.join("platform.yaml"), base).unwrap();
    std::fs::write(dir.join("templates/t.yaml"), template).unwrap();
    let mut map = wfk::source::SourceMap::default();
    let mut fuel = wfk::template::Fuel::per_run();
    let Ok(render) = wfk::commands::objects(dir, "fuzz", &[], &mut map, &mut fuel, wfk::merge::History::Dropped, wfk::commands::Reads::Positions) else {
        return;
    };
    let input = wfk::check::Input {
        spec: &render.platform,
        objects: &render.objects,
        merged: &render.merged,
        origins: &render.origins,
        memo: Default::default(),
    };
    let findings = wfk::check::all(&input);
    let mut sink = Vec::new();
    let _ = wfk::diagnostic::render_text(&findings, &map, false, &mut sink);
    if findings.iter().any(|d| d.severity == wfk::diagnostic::Severity::Error) {
        return;
    }
    let namespace = render.platform.namespace();
    for object in &render.objects {
        let value = serde_json::to_value(object).expect("objects serialize");
        let kind = object.kind();
        if !wfk::build::object::cluster_scoped(kind) {
            assert_eq!(value["metadata"]["namespace"], namespace, "{kind}/{}", object.name());
        }
        if kind == "Secret" {
            assert!(value.get("data").is_none() && value.get("stringData").is_none());
        }
        let relaxed = render
            .platform
            .relax
            .contains_key(&format!("{kind}/{}", object.name()));
        if !relaxed {
            assert_ne!(value["roleRef"]["name"], "cluster-admin", "{kind}/{}", object.name());
        }
        assert!(value["spec"]["externalIPs"].as_array().is_none_or(|a| a.is_empty()));
    }
});
