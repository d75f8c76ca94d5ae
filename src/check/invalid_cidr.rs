//! ## What it checks
//! Each address the spec writes into a NetworkPolicy `ipBlock` (`defaults.dns.nodeLocal`,
//! `defaults.apiServer.cidrs`, an endpoint's `cidrs`) is a CIDR: an IPv4 or IPv6 address, `/`, and a prefix length that fits it.
//!
//! ## Why
//! The API server refuses the NetworkPolicy (`must be a valid CIDR value, (e.g. 10.9.8.0/24
//! or 2001:db8::/64)`), and every pod of the namespace is left without DNS until it is fixed.
//!
//! ## Example
//! `dns: { nodeLocal: [169.254.20.10] }` (no prefix length).
//!
//! ## Fix
//! Write the prefix length: `169.254.20.10/32` for one IPv4 address, `/128` for one IPv6.

use super::{Finding, Input, Origin};
use crate::tree::Step;
use std::net::IpAddr;

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let spec = input.spec;
    let mut lists: Vec<(Vec<&str>, &[String])> = vec![(
        vec!["defaults", "dns", "nodeLocal"],
        &spec.defaults.dns.node_local,
    )];
    if let Some(api) = &spec.defaults.api_server {
        lists.push((vec!["defaults", "apiServer", "cidrs"], &api.cidrs));
    }
    for (name, e) in &spec.endpoints {
        lists.push((vec!["endpoints", name, "cidrs"], &e.cidrs));
    }
    lists
        .into_iter()
        .flat_map(|(path, cidrs)| bad(input, &path, cidrs))
        .collect()
}

/// A finding for each entry of the list at `path` that is not a CIDR.
fn bad(input: &Input, path: &[&str], cidrs: &[String]) -> Vec<Finding> {
    // Each entry where it is written; the list when the merge lost its items' positions.
    let at = |i: usize| {
        let item: Vec<Step> = path
            .iter()
            .map(|k| Step::Key(k.to_string()))
            .chain([Step::Index(i)])
            .collect();
        input
            .merged
            .start(&item)
            .map_or_else(|| Origin::value(path), Origin::Span)
    };
    cidrs
        .iter()
        .enumerate()
        .filter(|(_, cidr)| !valid(cidr))
        .map(|(i, cidr)| {
            let one = if cidr.contains(':') { 128 } else { 32 };
            Finding::new(
                format!(
                    "Invalid value: \"{cidr}\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
                ),
                at(i),
                "not a CIDR",
            )
            .help(format!(
                "write an address and its prefix length: `{}/{one}` for one address",
                cidr.split('/').next().unwrap_or_default()
            ))
        })
        .collect()
}

/// Whether `text` is `address/prefix` with a prefix that fits the address.
pub(crate) fn valid(text: &str) -> bool {
    let Some((address, prefix)) = text.split_once('/') else {
        return false;
    };
    let Ok(address) = address.parse::<IpAddr>() else {
        return false;
    };
    let max = if address.is_ipv4() { 32 } else { 128 };
    !prefix.is_empty()
        && prefix.bytes().all(|b| b.is_ascii_digit())
        && prefix.len() <= 3
        && prefix.parse::<u8>().is_ok_and(|p| p <= max)
}

#[cfg(test)]
mod tests {
    use super::valid;

    #[test]
    fn cidrs_of_both_families_with_prefixes_that_fit() {
        for ok in [
            "169.254.20.10/32",
            "10.0.0.0/8",
            "0.0.0.0/0",
            "fd00:ec2::254/128",
            "::/0",
        ] {
            assert!(valid(ok), "{ok}");
        }
        for bad in [
            "169.254.20.10",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "a/8",
            "",
        ] {
            assert!(!valid(bad), "{bad}");
        }
    }
}
