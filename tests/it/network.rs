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

/// [`BASE`] with endpoints outside the platform and a `db` component with two ports.
const ENDPOINTS: &str = "endpoints:
  llm: { cidrs: [203.0.113.0/24, \"2001:db8::/64\"], ports: { https: 443 }, hosts: [llm.example.com] }
  collector: { namespace: observability, pods: { app: otel }, ports: { grpc: 4317, http: 4318 } }
  resolver: { cidrs: [198.51.100.53/32], ports: { dns: { port: 53, protocol: UDP } } }
";

fn with_db(uses: &str) -> String {
    format!(
        "{ENDPOINTS}{BASE}    uses: {uses}
  db:
    kind: stateful
    image: shop/db:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: {{ sql: 5432, admin: 8008 }}
    probes: {{ liveness: {{ tcp: sql }}, readiness: {{ tcp: sql }} }}
"
    )
}

fn pods(name: &str) -> Value {
    json!({ "podSelector": { "matchLabels": {
        "app.kubernetes.io/instance": "shop", "app.kubernetes.io/name": name,
    } } })
}

#[test]
fn uses_opens_endpoints_at_their_addresses_and_narrows_ports_on_both_sides() {
    let spec = with_db("{ db: [sql], llm: true, collector: [grpc], resolver: true }");
    let api = policy(project().file("platform.yaml", &spec), "shop-api");
    assert_eq!(
        api["egress"],
        // By name: collector, db, llm, resolver.
        json!([
            { "to": [{
                "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": "observability" } },
                "podSelector": { "matchLabels": { "app": "otel" } },
            }], "ports": [{ "port": 4317, "protocol": "TCP" }] },
            { "to": [pods("db")], "ports": [{ "port": 5432, "protocol": "TCP" }] },
            { "to": [
                { "ipBlock": { "cidr": "203.0.113.0/24" } },
                { "ipBlock": { "cidr": "2001:db8::/64" } },
            ], "ports": [{ "port": 443, "protocol": "TCP" }] },
            { "to": [{ "ipBlock": { "cidr": "198.51.100.53/32" } }],
              "ports": [{ "port": 53, "protocol": "UDP" }] },
        ])
    );
    // The database lets its own pods in on every port, the API on `sql` only.
    let db = policy(project().file("platform.yaml", &spec), "shop-db");
    let all = json!([{ "port": 8008, "protocol": "TCP" }, { "port": 5432, "protocol": "TCP" }]);
    assert_eq!(
        db["ingress"],
        json!([
            { "from": [pods("db")], "ports": all },
            { "from": [pods("api")], "ports": [{ "port": 5432, "protocol": "TCP" }] },
        ])
    );
}

#[test]
fn the_list_form_of_uses_and_true_open_every_port_alike() {
    let list = policy(project().file("platform.yaml", with_db("[db]")), "shop-db");
    let map = policy(
        project().file("platform.yaml", with_db("{ db: true }")),
        "shop-db",
    );
    assert_eq!(list, map);
    let all = json!([{ "port": 8008, "protocol": "TCP" }, { "port": 5432, "protocol": "TCP" }]);
    assert_eq!(
        map["ingress"],
        json!([{ "from": [pods("api"), pods("db")], "ports": all }])
    );
}

#[test]
fn an_overlay_adds_and_removes_one_dependency_with_one_line() {
    let spec = with_db("{ db: true, llm: true }");
    let test = project().file("platform.yaml", &spec).file(
        "overlays/dev.yaml",
        "components: { api: { uses: { llm: null, collector: [http] } } }\n",
    );
    let egress = &policy(test, "shop-api")["egress"];
    let to: Vec<&Value> = egress
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["ports"])
        .collect();
    assert_eq!(
        to,
        [
            &json!([{ "port": 4318, "protocol": "TCP" }]),
            &json!([{ "port": 8008, "protocol": "TCP" }, { "port": 5432, "protocol": "TCP" }]),
        ]
    );
}

#[test]
fn a_port_an_endpoint_does_not_have_is_refused_with_its_ports() {
    project()
        .file("platform.yaml", with_db("{ db: true, collector: [otlp] }"))
        .args(["render", "dev"])
        .stderr(
            "error[unknown-port]: `collector` has no port `otlp`
  --> platform.yaml:13:35
   |
13 |     uses: { db: true, collector: [otlp] }
   |                                   ^^^^ named here
   |
   = help: did you mean `http`?

",
        )
        .status(2)
        .run();
}

#[test]
fn an_unknown_name_in_uses_suggests_components_and_endpoints() {
    project()
        .file("platform.yaml", with_db("{ db: true, lmm: true }"))
        .args(["render", "dev"])
        .stderr(
            "error[unknown-component]: unknown component or endpoint `lmm` in `uses`
  --> platform.yaml:13:23
   |
13 |     uses: { db: true, lmm: true }
   |                       ^^^ named here
   |
   = help: did you mean `llm`?

",
        )
        .status(2)
        .run();
}

#[test]
fn false_is_not_a_dependency() {
    let out = project()
        .file("platform.yaml", with_db("{ db: false }"))
        .args(["render", "dev"])
        .output();
    assert_eq!((out.status, out.stdout.as_str()), (Some(2), ""));
    assert!(
        out.stderr
            .contains("`false` is not a dependency: remove the entry")
            && out.stderr.contains("platform.yaml:13:17"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_component_with_access_reaches_the_api_server_and_its_jobs_do_not() {
    let spec = BASE.replace(
        "defaults:\n",
        "defaults:\n  apiServer: { cidrs: [10.0.0.10/32, \"fd00::10/128\"], port: 6443 }\n",
    ) + "    access: [{ apiGroups: [\"\"], resources: [configmaps], verbs: [get] }]
jobs:
  migrate: { component: api, command: [migrate] }
";
    let test = || project().file("platform.yaml", &spec);
    assert_eq!(
        policy(test(), "shop-api")["egress"],
        json!([{ "to": [
            { "ipBlock": { "cidr": "10.0.0.10/32" } },
            { "ipBlock": { "cidr": "fd00::10/128" } },
        ], "ports": [{ "port": 6443, "protocol": "TCP" }] }])
    );
    assert_eq!(policy(test(), "shop-migrate")["egress"], json!([]));
}

/// An empty port list is no path: Kubernetes reads `ports: []` as every port, so no rule
/// is written for it.
#[test]
fn an_endpoint_used_with_no_ports_opens_nothing() {
    let spec = with_db("{ db: true, llm: [] }");
    let egress = policy(project().file("platform.yaml", &spec), "shop-api")["egress"].clone();
    assert!(
        egress
            .as_array()
            .unwrap()
            .iter()
            .all(|rule| rule["ports"].as_array().is_some_and(|p| !p.is_empty())),
        "{egress:#}"
    );
    assert!(!egress.to_string().contains("203.0.113.0/24"), "{egress:#}");
}

#[test]
fn an_access_rule_without_api_groups_is_for_the_core_group() {
    let spec = BASE.to_string() + "    access: [{ resources: [configmaps], verbs: [get] }]\n";
    let out = project()
        .file("platform.yaml", &spec)
        .args(["render", "dev", "-o", "json"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let objects: Vec<Value> = serde_json::from_str::<Value>(&out.stdout).unwrap()["items"]
        .as_array()
        .unwrap()
        .clone();
    let role = objects
        .iter()
        .find(|o| o["kind"] == "Role")
        .expect("a Role");
    assert_eq!(
        role["rules"],
        json!([{ "apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"] }])
    );
}

#[test]
fn explain_and_diff_follow_an_endpoint_per_environment() {
    let spec = with_db("{ db: true, llm: true }");
    let test = || {
        project().file("platform.yaml", &spec).file(
            "overlays/prod.yaml",
            "endpoints: { llm: { cidrs: [192.0.2.0/24] } }\n",
        )
    };
    let out = test()
        .args(["explain", "prod", "endpoints.llm.cidrs"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.contains("192.0.2.0/24") && out.stdout.contains("overlays/prod.yaml:1:"),
        "{}",
        out.stdout
    );
    let out = test().args(["diff", "dev", "prod"]).output();
    assert!(
        out.stdout.contains(
            "~ NetworkPolicy shop-api\n    spec.egress[1].to[0].ipBlock.cidr: 203.0.113.0/24 → 192.0.2.0/24\n"
        ) && out.stdout.contains("1 changed"),
        "{}",
        out.stdout
    );
}
