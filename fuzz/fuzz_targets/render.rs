//! The whole render from arbitrary bytes: base, overlay and one `--set`, separated by NUL
//! bytes, through spec, build, checks, patches and both output formats. Seed it with the
//! examples (`fuzz/seed`) so mutations start from real platforms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wfk::merge::Merged;
use wfk::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.split('\0');
    let base = parts.next().unwrap_or("");
    let overlay = parts.next().unwrap_or("");
    let set = parts.next();
    let mut map = SourceMap::default();
    let base_id = map.add("platform.yaml", base);
    let overlay_id = map.add("overlays/fuzz.yaml", overlay);
    let (Ok(base), Ok(overlay)) = (wfk::load::parse(base_id, base), wfk::load::parse(overlay_id, overlay)) else {
        return;
    };
    let mut merged = Merged::new(base);
    merged.layer(overlay);
    if let Some(set) = set {
        let id = map.add("--set", set);
        if merged.set(id, set).is_err() {
            return;
        }
    }
    let Ok(platform) = wfk::platform::Platform::from_tree(&merged) else { return };
    let (mut objects, mut origins) = wfk::build::build(&platform);
    if wfk::patch::apply(&mut objects, &platform, &merged, &mut origins).is_err() {
        return;
    }
    let input = wfk::check::Input { spec: &platform, objects: &objects, merged: &merged, origins: &origins, memo: Default::default() };
    let findings = wfk::check::all(&input);
    let mut sink = Vec::new();
    let _ = wfk::diagnostic::render_text(&findings, &map, false, &mut sink);
    let yaml = wfk::emit::to_string(&objects, wfk::emit::Format::Yaml).expect("objects serialize");
    let _ = wfk::emit::to_string(&objects, wfk::emit::Format::Json).expect("objects serialize");
    // What was written must read back as the same number of documents.
    assert_eq!(yaml.lines().filter(|l| *l == "---").count(), objects.len());
});
