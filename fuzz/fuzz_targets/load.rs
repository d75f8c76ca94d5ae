//! Arbitrary text through the loader: a clear error or a tree, never a panic; and the same
//! tree or error as yaml-rust2 alone gives (the plain subset is read without it).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let ours = wfk::load::parse(0, text);
        let general = wfk::load::parse_general(0, text);
        assert_eq!(format!("{ours:?}"), format!("{general:?}"), "{text:?}");
    }
});
