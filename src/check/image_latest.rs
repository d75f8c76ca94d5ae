//! ## What it checks
//! An image with no tag, or the tag `latest`.
//!
//! ## Why
//! The running version changes with every pull, rollbacks do nothing, and two pods of one
//! Deployment can run different code.
//!
//! ## Example
//! `image: gorax/api` or `image: gorax/api:latest`.
//!
//! ## Fix
//! Pin a version: `gorax/api:v1.2.3` (in CI: `--set components.api.image=gorax/api:$TAG`).

use super::{Finding, Input, Origin, images};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    images(input)
        .into_iter()
        .filter(|(_, image)| !image.contains('@') && tag(image).is_none_or(|t| t == "latest"))
        .map(|(path, image)| {
            Finding::new(
                format!("image `{image}` is not pinned to a version"),
                Origin::Value(path),
                "no tag, or `latest`",
            )
            .help("use a version tag such as `:v1.2.3`, or a digest")
        })
        .collect()
}

/// The tag of an image reference, if it has one.
pub(crate) fn tag(image: &str) -> Option<&str> {
    let name = image.split('@').next()?;
    let last = name.rsplit('/').next()?;
    last.split_once(':').map(|(_, t)| t)
}
