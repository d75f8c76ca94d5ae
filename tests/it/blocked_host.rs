//! `blocked-host`: a host that env or config names and that the network policy does not let
//! its component or job reach is a warning at the value; what it uses, its own loopback,
//! the platform's ingress hosts, origin lists and secrets are not.

use crate::support::Test;

/// A platform whose `api` uses a stateful `redis`; its last line is `api`'s `env:`, so a
/// test appends env vars (from line 17) and then top-level keys.
const BASE: &str = "platform: shop
defaults:
  resources: { cpu: 100m/500m, memory: 128Mi/256Mi }
components:
  redis:
    kind: stateful
    image: redis:7.4@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: { redis: 6379 }
    probes: { liveness: { tcp: redis }, readiness: { tcp: redis } }
  api:
    image: shop/api:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: { http: 8080 }
    probes: { liveness: /health/live, readiness: /health/ready }
    uses: { redis: true }
    env:
      LOG_LEVEL: info
";

/// A digest-pinned image, for components a test adds.
const IMAGE: &str =
    "shop/x:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// [`BASE`] followed by `tail`, with an empty `dev` overlay.
fn project(tail: &str) -> Test {
    spec(format!("{BASE}{tail}"))
}

/// `spec` as platform.yaml, with an empty `dev` overlay.
fn spec(spec: String) -> Test {
    Test::new()
        .file("platform.yaml", spec)
        .file("overlays/dev.yaml", "")
}

/// `validate dev --deny warnings` finds nothing.
fn clean(test: Test) {
    test.args(["validate", "dev", "--deny", "warnings"])
        .stderr("checked 1 environment (dev): 0 errors, 0 warnings\n")
        .run();
}

#[test]
fn a_url_to_a_host_nothing_declares_is_a_warning_at_the_value() {
    let tail = "      AUTH_URL: https://auth.example.com/realms/shop
      MONGO_URL: \"mongodb://app@a.example.com:27017,b.example.com:27017/shop\"
";
    let expected = "environment `dev`:
warning[blocked-host]: `api` connects to `auth.example.com` (AUTH_URL), which the network policy blocks
  --> platform.yaml:17:17
   |
17 |       AUTH_URL: https://auth.example.com/realms/shop
   |                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no component or endpoint it uses
   |
   = help: declare an endpoint, `endpoints: { <name>: { cidrs: [...], ports: {...}, hosts: [auth.example.com] } }`, and add it to `uses`

warning[blocked-host]: `api` connects to `a.example.com` (MONGO_URL), which the network policy blocks
  --> platform.yaml:18:18
   |
18 |       MONGO_URL: \"mongodb://app@a.example.com:27017,b.example.com:27017/shop\"
   |                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no component or endpoint it uses
   |
   = help: declare an endpoint, `endpoints: { <name>: { cidrs: [...], ports: {...}, hosts: [a.example.com] } }`, and add it to `uses`

warning[blocked-host]: `api` connects to `b.example.com` (MONGO_URL), which the network policy blocks
  --> platform.yaml:18:18
   |
18 |       MONGO_URL: \"mongodb://app@a.example.com:27017,b.example.com:27017/shop\"
   |                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no component or endpoint it uses
   |
   = help: declare an endpoint, `endpoints: { <name>: { cidrs: [...], ports: {...}, hosts: [b.example.com] } }`, and add it to `uses`

";
    project(tail)
        .args(["validate", "dev"])
        .stderr(format!(
            "{expected}checked 1 environment (dev): 0 errors, 3 warnings\n"
        ))
        .run();
    project(tail)
        .args(["validate", "dev", "--deny", "warnings"])
        .stderr(format!(
            "{expected}checked 1 environment (dev): 0 errors, 3 warnings\n"
        ))
        .status(1)
        .run();
}

#[test]
fn a_bare_host_under_a_host_name_is_read_and_a_component_name_is_not_its_service() {
    project(
        "      SMTP_HOST: { value: \"smtp.example.com:587\" }
      QUEUE_BULL_REDIS_HOST: redis
      LOG_HOST_NAME: logs.example.com
",
    )
    .args(["validate", "dev"])
    .stderr(
        "environment `dev`:
warning[blocked-host]: `api` connects to `smtp.example.com` (SMTP_HOST), which the network policy blocks
  --> platform.yaml:17:27
   |
17 |       SMTP_HOST: { value: \"smtp.example.com:587\" }
   |                           ^^^^^^^^^^^^^^^^^^^^^^ no component or endpoint it uses
   |
   = help: declare an endpoint, `endpoints: { <name>: { cidrs: [...], ports: {...}, hosts: [smtp.example.com] } }`, and add it to `uses`

warning[blocked-host]: `api` connects to `redis` (QUEUE_BULL_REDIS_HOST), which the network policy blocks
  --> platform.yaml:18:30
   |
18 |       QUEUE_BULL_REDIS_HOST: redis
   |                              ^^^^^ component `redis`'s Service is `shop-redis`
   |
   = help: write the Service's name: `shop-redis`

checked 1 environment (dev): 0 errors, 2 warnings
",
    )
    .run();
}

#[test]
fn a_config_value_is_reported_at_its_config_line_for_each_component_that_reads_it() {
    let tail = |suppress: &str| {
        format!(
            "      DATABASE_URL: {{ config: database-url }}
  worker:
    image: {IMAGE}
    ports: {{ health: 8081 }}
    probes: {{ liveness: /health, readiness: /health }}
    envFrom: {{ config: [app] }}
    uses: {{ api: true }}
    suppress: {{ {suppress} }}
config:
  app:
    log-level: info
    database-url: postgresql://shop@db.example.com:5432/shop
"
        )
    };
    let api = "warning[blocked-host]: `api` connects to `db.example.com` (DATABASE_URL), which the network policy blocks
  --> platform.yaml:28:19
   |
28 |     database-url: postgresql://shop@db.example.com:5432/shop
   |                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no component or endpoint it uses
   |
   = help: declare an endpoint, `endpoints: { <name>: { cidrs: [...], ports: {...}, hosts: [db.example.com] } }`, and add it to `uses`
";
    let worker = "warning[blocked-host]: `worker` connects to `db.example.com` (database-url), which the network policy blocks
  --> platform.yaml:28:19
   |
28 |     database-url: postgresql://shop@db.example.com:5432/shop
   |                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no component or endpoint it uses
   |
   = help: declare an endpoint, `endpoints: { <name>: { cidrs: [...], ports: {...}, hosts: [db.example.com] } }`, and add it to `uses`
";
    project(&tail(""))
        .args(["validate", "dev"])
        .stderr(format!(
            "environment `dev`:\n{api}\n{worker}\nchecked 1 environment (dev): 0 errors, 2 warnings\n"
        ))
        .run();
    // The config entry has no `suppress`: the reading component's applies.
    project(&tail(
        "blocked-host: \"reaches the database through a proxy on the node\"",
    ))
    .args(["validate", "dev"])
    .stderr(format!(
        "environment `dev`:\n{api}\nchecked 1 environment (dev): 0 errors, 1 warning\n"
    ))
    .run();
}

#[test]
fn the_services_of_a_used_component_are_reachable_by_every_name() {
    let base = BASE.replace(
        "    ports: { redis: 6379 }\n",
        "    ports: { redis: 6379 }\n    services: { metrics: { ports: [redis] } }\n",
    );
    clean(spec(format!(
        "{base}      REDIS_URL: redis://shop-redis:6379/0
      REDIS_SHORT_HOST: shop-redis.shop
      REDIS_SVC_HOST: shop-redis.shop.svc:6379
      REDIS_FQDN_URL: redis://:$(REDIS_PASSWORD)@shop-redis.shop.svc.cluster.local.:6379
      REDIS_PRIMARY_HOST: shop-redis-0.shop-redis-headless
      REDIS_REPLICA_ADDR: shop-redis-1.shop-redis-headless.shop.svc.cluster.local:6379
      REDIS_METRICS_URL: http://shop-redis-metrics:6379/metrics
      SELF_URL: http://shop-api:8080
"
    )));
}

#[test]
fn a_service_name_is_reachable_only_in_the_environments_namespace() {
    let test = || {
        project("      REDIS_HOST: shop-redis.shop-dev.svc.cluster.local\n")
            .file("overlays/dev.yaml", "namespace: shop-dev\n")
            .file("overlays/prod.yaml", "")
    };
    test()
        .args(["validate", "dev", "--deny", "warnings"])
        .stderr("checked 1 environment (dev): 0 errors, 0 warnings\n")
        .run();
    test()
        .args(["validate"])
        .stderr(
            "environment `prod`:
warning[blocked-host]: `api` connects to `shop-redis.shop-dev.svc.cluster.local` (REDIS_HOST), which the network policy blocks
  --> platform.yaml:17:19
   |
17 |       REDIS_HOST: shop-redis.shop-dev.svc.cluster.local
   |                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ namespace `shop-dev` is not this environment's, `shop`
   |
   = help: write the Service's short name, `shop-redis`, which resolves in every environment's namespace

checked 2 environments (dev, prod): 0 errors, 1 warning
",
        )
        .run();
}

#[test]
fn a_used_endpoint_is_reachable_by_its_hosts_its_addresses_and_its_namespaces_services() {
    let tail = "      AUTH_URL: https://auth.example.com/realms/shop
      LLM_ENDPOINT: http://198.51.100.7:8000/v1
      OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector.observability.svc:4317
endpoints:
  auth: { cidrs: [203.0.113.0/24], ports: { https: 443 }, hosts: [auth.example.com] }
  llm: { cidrs: [198.51.100.0/24], ports: { http: 8000 } }
  otel: { namespace: observability, ports: { grpc: 4317 } }
";
    let uses = |uses: &str| spec(format!("{BASE}{tail}").replace("{ redis: true }", uses));
    clean(uses("{ redis: true, auth: true, llm: true, otel: true }"));
    uses("{ redis: true, otel: true }")
    .args(["validate", "dev"])
    .stderr(
        "environment `dev`:
warning[blocked-host]: `api` connects to `auth.example.com` (AUTH_URL), which the network policy blocks
  --> platform.yaml:17:17
   |
17 |       AUTH_URL: https://auth.example.com/realms/shop
   |                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ endpoint `auth` is not in `uses`
   |
   = help: add the endpoint to `uses` of `api`: `uses: { auth: true }`

warning[blocked-host]: `api` connects to `198.51.100.7` (LLM_ENDPOINT), which the network policy blocks
  --> platform.yaml:18:21
   |
18 |       LLM_ENDPOINT: http://198.51.100.7:8000/v1
   |                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^ endpoint `llm` is not in `uses`
   |
   = help: add the endpoint to `uses` of `api`: `uses: { llm: true }`

checked 1 environment (dev): 0 errors, 2 warnings
",
    )
    .run();
}

#[test]
fn the_platforms_own_ingress_hosts_are_reachable() {
    clean(project(
        "      PUBLIC_URL: https://app.example.io
      OAUTH_REDIRECT_URI: https://app.example.io/callback
      WEBHOOK_BASE_URL: https://hooks.partner.io/shop
ingress:
  domain: example.io
  hosts:
    app: { paths: { /: api } }
    webhooks: { host: hooks.partner.io, paths: { /: api } }
",
    ));
}

#[test]
fn origin_lists_are_not_read() {
    clean(project(
        "      CORS_ALLOWED_ORIGINS: https://app.example.io,https://admin.partner.io
      ALLOWED_ORIGIN: { config: cors-allowed-origins }
config:
  app: { cors-allowed-origins: \"https://admin.partner.io\" }
",
    ));
}

#[test]
fn the_loopback_and_the_unspecified_address_are_reachable() {
    clean(project(
        "      PROXY_URL: http://localhost:15000
      STATSD_HOST: 127.0.0.1
      TRACE_ADDR: \"[::1]:6831\"
      BIND_ADDRESS: 0.0.0.0:8080
      ADMIN_URL: http://admin.localhost:9000
",
    ));
}

#[test]
fn a_secret_is_never_read() {
    // A reference is no value: `shop-db/url` read as one would be the host `shop-db`.
    project(
        "      DATABASE_URL: { secret: shop-db/url }
      DB_HOST: { secret: shop-db/host }
",
    )
    .args(["validate", "dev", "--deny", "warnings"])
    .stderr("checked 1 environment (dev): 0 errors, 0 warnings, 2 notes (-v shows them)\n")
    .run();
}

#[test]
fn a_component_that_is_not_in_uses_gets_the_uses_entry_to_add() {
    project(
        "  worker:
    image: shop/x:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: { health: 8081 }
    probes: { liveness: /health, readiness: /health }
    env:
      REDIS_URL: redis://shop-redis.shop.svc.cluster.local:6379/0
    uses: { api: true }
",
    )
    .args(["validate", "dev"])
    .stderr(
        "environment `dev`:
warning[blocked-host]: `worker` connects to `shop-redis.shop.svc.cluster.local` (REDIS_URL), which the network policy blocks
  --> platform.yaml:22:18
   |
22 |       REDIS_URL: redis://shop-redis.shop.svc.cluster.local:6379/0
   |                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ component `redis` is not in `uses`
   |
   = help: add the component to `uses` of `worker`: `uses: { redis: true }`

checked 1 environment (dev): 0 errors, 1 warning
",
    )
    .run();
}

#[test]
fn a_job_reaches_what_it_and_its_component_use() {
    project(
        "      REDIS_URL: redis://shop-redis:6379/0
jobs:
  migrate:
    component: api
    env:
      CACHE_HOST: shop-redis
      BACKUP_URL: s3://backups.example.com/shop
  report:
    image: shop/x:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    env:
      REDIS_URL: redis://shop-redis:6379/0
",
    )
    .args(["validate", "dev"])
    .stderr(
        "environment `dev`:
warning[blocked-host]: `migrate` connects to `backups.example.com` (BACKUP_URL), which the network policy blocks
  --> platform.yaml:23:19
   |
23 |       BACKUP_URL: s3://backups.example.com/shop
   |                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no component or endpoint it uses
   |
   = help: declare an endpoint, `endpoints: { <name>: { cidrs: [...], ports: {...}, hosts: [backups.example.com] } }`, and add it to `uses`

warning[blocked-host]: `report` connects to `shop-redis` (REDIS_URL), which the network policy blocks
  --> platform.yaml:27:18
   |
27 |       REDIS_URL: redis://shop-redis:6379/0
   |                  ^^^^^^^^^^^^^^^^^^^^^^^^^ component `redis` is not in `uses`
   |
   = help: add the component to `uses` of `report`: `uses: { redis: true }`

checked 1 environment (dev): 0 errors, 2 warnings
",
    )
    .run();
}

#[test]
fn open_egress_reaches_every_host_but_the_metadata_address_and_a_job_does_not_share_it() {
    project(
        "  crawler:
    image: shop/x:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: { health: 8081 }
    probes: { liveness: /health, readiness: /health }
    env:
      START_URL: https://partner.example.com/feed
      METADATA_URL: http://169.254.169.254/latest/meta-data
    security: { relax: { openEgress: \"crawls partner sites\" } }
    suppress: { security-relaxed: \"reviewed\" }
jobs:
  crawl-once:
    component: crawler
",
    )
    .args(["validate", "dev"])
    .stderr(
        "environment `dev`:
warning[blocked-host]: `crawl-once` connects to `partner.example.com` (START_URL), which the network policy blocks
  --> platform.yaml:22:18
   |
22 |       START_URL: https://partner.example.com/feed
   |                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no component or endpoint it uses
   |
   = help: declare an endpoint, `endpoints: { <name>: { cidrs: [...], ports: {...}, hosts: [partner.example.com] } }`, and add it to `uses`

warning[blocked-host]: `crawler` connects to `169.254.169.254` (METADATA_URL), which the network policy blocks
  --> platform.yaml:23:21
   |
23 |       METADATA_URL: http://169.254.169.254/latest/meta-data
   |                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ the cloud metadata address
   |
   = help: open it with the reason: `security: { relax: { cloudMetadata: \"<reason>\" } }`

checked 1 environment (dev): 0 errors, 2 warnings
",
    )
    .run();
}

#[test]
fn hosts_in_sidecars_and_init_containers_are_the_components() {
    project(
        "    sidecars:
      proxy:
        image: shop/proxy:v1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        env: { UPSTREAM_URL: \"http://payments.example.com\" }
    init:
      wait:
        env: { REDIS_HOST: shop-redis-headless }
",
    )
    .args(["validate", "dev"])
    .stderr(
        "environment `dev`:
warning[blocked-host]: `api` connects to `payments.example.com` (UPSTREAM_URL), which the network policy blocks
  --> platform.yaml:20:30
   |
20 |         env: { UPSTREAM_URL: \"http://payments.example.com\" }
   |                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no component or endpoint it uses
   |
   = help: declare an endpoint, `endpoints: { <name>: { cidrs: [...], ports: {...}, hosts: [payments.example.com] } }`, and add it to `uses`

checked 1 environment (dev): 0 errors, 1 warning
",
    )
    .run();
}
