//! The network policy's paths beyond the platform's own components: DNS through kube-dns and
//! a NodeLocal DNSCache, and open egress that keeps the cloud metadata address closed.

use crate::support::{SHOP as BASE, shop as project};
use serde_json::{Value, json};

/// The NetworkPolicy `name` of `wfk render dev -o json`.
fn policy(test: crate::support::Test, name: &str) -> Value {
    let out = test.args(["render", "dev", "-o", "json"]).output();
    assert_eq!((out.status, out.stderr.as_str()), (Some(0), ""));
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "NetworkPolicy" && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no NetworkPolicy {name}"))["spec"]
        .clone()
}

#[test]
fn dns_goes_to_kube_dns_and_to_each_node_local_address() {
    let kube_dns = json!({
        "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": "kube-system" } },
        "podSelector": { "matchLabels": { "k8s-app": "kube-dns" } },
    });
    let ports = json!([{ "port": 53, "protocol": "UDP" }, { "port": 53, "protocol": "TCP" }]);
    assert_eq!(
        policy(project(), "shop-allow-dns")["egress"],
        json!([{ "to": [kube_dns], "ports": ports }])
    );
    let spec = BASE.replace(
        "defaults:\n",
        "defaults:\n  dns: { nodeLocal: [169.254.20.10/32, \"fd00::a/128\"] }\n",
    );
    assert_eq!(
        policy(project().file("platform.yaml", spec), "shop-allow-dns")["egress"],
        json!([{ "to": [
            kube_dns,
            { "ipBlock": { "cidr": "169.254.20.10/32" } },
            { "ipBlock": { "cidr": "fd00::a/128" } },
        ], "ports": ports }])
    );
}

#[test]
fn a_node_local_address_without_a_prefix_is_refused_where_it_is_written() {
    let spec = BASE.replace(
        "defaults:\n",
        "defaults:\n  dns: { nodeLocal: [10.96.0.10/32, 169.254.20.10] }\n",
    );
    project()
        .file("platform.yaml", spec)
        .args(["render", "dev"])
        .stderr(
            "error[invalid-cidr]: Invalid value: \"169.254.20.10\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)
 --> platform.yaml:3:37
  |
3 |   dns: { nodeLocal: [10.96.0.10/32, 169.254.20.10] }
  |                                     ^^^^^^^^^^^^^ not a CIDR
  |
  = help: write an address and its prefix length: `169.254.20.10/32` for one address

",
        )
        .status(1)
        .run();
}

#[test]
fn open_egress_keeps_the_metadata_address_closed_unless_the_spec_says_why() {
    let open = format!(
        "{BASE}    security: {{ relax: {{ openEgress: \"calls partner webhooks\" }} }}\n    suppress: {{ security-relaxed: \"reviewed\" }}\n"
    );
    let egress = &policy(project().file("platform.yaml", &open), "shop-api")["egress"];
    assert_eq!(
        egress,
        &json!([{ "to": [
            { "namespaceSelector": {} },
            { "ipBlock": { "cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"] } },
            { "ipBlock": { "cidr": "::/0", "except": ["fd00:ec2::254/128"] } },
        ] }])
    );
    let stated = open.replace(
        "openEgress: \"calls partner webhooks\"",
        "openEgress: \"calls partner webhooks\", cloudMetadata: \"reads its region\"",
    );
    let egress = &policy(project().file("platform.yaml", &stated), "shop-api")["egress"];
    assert_eq!(egress.as_array().map(Vec::len), Some(2), "{egress:#}");
    assert_eq!(
        egress[1],
        json!({
            "to": [
                { "ipBlock": { "cidr": "169.254.169.254/32" } },
                { "ipBlock": { "cidr": "fd00:ec2::254/128" } },
            ],
            "ports": [{ "port": 80, "protocol": "TCP" }],
        })
    );
}
