//! ## What it checks
//! An image referenced by tag only, without a `@sha256:` digest.
//!
//! ## Why
//! A tag can be moved to other content; a digest cannot. Informational: most teams pin by
//! tag and promote by digest in CI.
//!
//! ## Example
//! `image: postgres:16.4`.
//!
//! ## Fix
//! `image: postgres:16.4@sha256:…`, or suppress with a reason.

use super::{Finding, Input, Origin, images};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    images(input)
        .into_iter()
        .filter(|(_, image)| !image.contains("@sha256:"))
        .map(|(path, image)| {
            Finding::new(
                format!("image `{image}` has no digest"),
                Origin::Value(path),
                "pinned by tag only",
            )
            .help("append `@sha256:<digest>` to pin the content")
        })
        .collect()
}
