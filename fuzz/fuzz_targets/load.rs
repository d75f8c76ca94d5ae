//! Arbitrary text through the loader: a clear error or a tree, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = wfk::load::parse(0, text);
    }
});
