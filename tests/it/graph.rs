//! `wfk graph`: the reference platform's network as Mermaid and DOT, compared with golden
//! files (`WFK_BLESS=1 cargo test --test it graph` rewrites them; review their diff), every
//! kind of node and edge on a project that has them, and a broken spec drawing nothing.

use crate::render_support::{first_difference, root, wfk};
use crate::support::{SHOP, shop};

#[test]
fn the_reference_platforms_graph_equals_its_golden_files_in_both_formats() {
    let bless = std::env::var_os("WFK_BLESS").is_some();
    let mut failures = Vec::new();
    for (format, file) in [("mermaid", "prod.mmd"), ("dot", "prod.dot")] {
        let run = wfk(&root(), &["graph", "prod", "--format", format]);
        assert_eq!((run.status, run.stderr.as_str()), (Some(0), ""));
        let path = root().join("tests/golden/graph").join(file);
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &run.stdout).unwrap();
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if run.stdout != expected {
            failures.push(format!(
                "{} differs: {}",
                path.display(),
                first_difference(&run.stdout, &expected)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The README shows the same graph.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mermaid = std::fs::read_to_string(root().join("tests/golden/graph/prod.mmd")).unwrap();
    assert!(
        readme.contains(&format!("```mermaid\n{mermaid}```")),
        "README.md's mermaid block is not `wfk graph prod`"
    );
    // Mermaid is the default.
    let default = wfk(&root(), &["graph", "prod"]);
    assert_eq!(
        default.stdout,
        std::fs::read_to_string(root().join("tests/golden/graph/prod.mmd")).unwrap()
    );
}

#[test]
fn every_kind_of_path_is_an_edge_with_its_ports() {
    let spec = format!(
        "endpoints:
  llm: {{ cidrs: [203.0.113.0/24], ports: {{ https: 443 }}, hosts: [llm.example.com] }}
  otel: {{ namespace: observability, ports: {{ grpc: 4317, http: 4318 }} }}
monitoring: {{ namespace: prom }}
ingress: {{ domain: shop.io, hosts: {{ api: {{ paths: {{ /: api }} }} }} }}
{}    uses: {{ db: true, llm: true, otel: [grpc] }}
    access: [{{ apiGroups: [\"\"], resources: [configmaps], verbs: [get] }}]
    suppress: {{ security-relaxed: \"a test\" }}
  db:
    kind: stateful
    image: shop/db:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: {{ sql: 5432, gossip: {{ port: 7946, protocol: UDP }} }}
    probes: {{ liveness: {{ tcp: sql }}, readiness: {{ tcp: sql }} }}
    service: {{ type: LoadBalancer }}
    suppress: {{ load-balancer-exposed: \"a test\" }}
jobs:
  migrate: {{ component: api, uses: {{ db: [sql] }} }}
",
        SHOP.replace(
            "defaults:\n",
            "defaults:\n  apiServer: { cidrs: [10.0.0.1/32], port: 6443 }\n  dns: { nodeLocal: [169.254.20.10/32] }\n",
        )
    );
    let out = shop()
        .file("platform.yaml", &spec)
        .args(["graph", "dev"])
        .output();
    assert_eq!((out.status, out.stderr.as_str()), (Some(0), ""));
    let expected = [
        "  c_api -->|\"gossip 7946/UDP, sql 5432\"| c_db",
        "  c_api -->|\"https 443\"| e_llm",
        "  c_api -->|\"grpc 4317\"| e_otel",
        "  j_migrate -->|\"sql 5432\"| c_db",
        "  j_migrate -->|\"gossip 7946/UDP, sql 5432\"| c_db",
        "  j_migrate -->|\"https 443\"| e_llm",
        "  c_api -->|\"https 6443\"| api_server",
        "  monitoring -->|\"http 8080 /metrics\"| c_api",
        "  c_db -->|\"peers: gossip 7946/UDP, sql 5432\"| c_db",
        "  internet -->|\"load balancer\"| c_db",
        "  h_api_shop_io -->|\"/ → http\"| c_api",
        "  pods -->|\"dns 53/UDP, 53/TCP\"| dns",
        "  e_llm{{\"llm: 203.0.113.0/24; llm.example.com\"}}",
        "  e_otel{{\"otel: namespace observability\"}}",
        "  monitoring[(\"Prometheus (namespace prom)\")]",
        "  dns[(\"DNS: kube-dns, 169.254.20.10/32\")]",
        "  j_migrate([\"migrate (job)\"])",
    ];
    let lines: Vec<&str> = out.stdout.lines().collect();
    for line in expected {
        assert!(lines.contains(&line), "no line {line:?} in\n{}", out.stdout);
    }
    // The job's own `uses` and its component's (`db` twice, once narrowed), no duplicates.
    let edges = lines.iter().filter(|l| l.contains("-->")).count();
    assert_eq!(edges, 13, "{}", out.stdout);
}

#[test]
fn a_broken_spec_draws_nothing() {
    shop()
        .file(
            "platform.yaml",
            format!("{SHOP}    uses: {{ dbb: true }}\n"),
        )
        .args(["graph", "dev"])
        .stderr(
            "error[unknown-component]: unknown component or endpoint `dbb` in `uses`
 --> platform.yaml:9:13
  |
9 |     uses: { dbb: true }
  |             ^^^ named here
  |
  = help: declare it under `components` or `endpoints`: the spec has no other

",
        )
        .status(2)
        .run();
}
