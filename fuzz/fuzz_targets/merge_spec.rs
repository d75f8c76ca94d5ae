//! Two arbitrary texts as a base and an overlay (split at the first NUL byte), merged and
//! read as a typed spec: every path ends in a spec or diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wfk::merge::Merged;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (base, overlay) = text.split_once('\0').unwrap_or((text, ""));
    let (Ok(base), Ok(overlay)) = (wfk::load::parse(0, base), wfk::load::parse(1, overlay)) else {
        return;
    };
    let mut merged = Merged::new(base);
    merged.layer(overlay);
    let _ = wfk::platform::Platform::from_tree(&merged);
});
