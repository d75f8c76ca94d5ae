//! Bugs found in review, each pinned by the real binary: a job's resources inherited from
//! its component, custom autoscaling metrics missing a required part, and the platform's
//! labels on objects from templates.

use crate::support::Test;

/// A component whose resources differ from `defaults.resources`, and a job that runs as it.
fn job_as_component(job_resources: &str) -> Test {
    Test::new()
        .file(
            "platform.yaml",
            format!(
                "platform: shop\n\
                 defaults:\n  resources: {{ cpu: 100m/200m, memory: 64Mi/128Mi }}\n\
                 components:\n  api:\n    image: shop/api:v1\n    ports: {{ http: 8080 }}\n    \
                 probes: {{ liveness: /live, readiness: /ready }}\n    \
                 resources: {{ cpu: 1/2, memory: 1Gi/2Gi }}\n\
                 jobs:\n  migrate:\n    component: api\n    command: [migrate]\n    uses: [api]\n\
                 {job_resources}"
            ),
        )
        .file("overlays/dev.yaml", "")
}

/// The Job's container, from its kind to the end of its resources.
fn job_container(limits: (&str, &str), requests: (&str, &str)) -> String {
    format!(
        "...\n\
         kind: Job\n\
         metadata:\n\
         \x20 labels:\n\
         \x20   app.kubernetes.io/component: migrate\n\
         \x20   app.kubernetes.io/instance: shop\n\
         \x20   app.kubernetes.io/managed-by: wfk\n\
         \x20   app.kubernetes.io/name: migrate\n\
         \x20   app.kubernetes.io/part-of: shop\n\
         \x20   app.kubernetes.io/version: v1\n\
         \x20 name: shop-migrate-[..]\n\
         \x20 namespace: shop\n\
         ...\n\
         \x20       name: migrate\n\
         \x20       resources:\n\
         \x20         limits:\n\
         \x20           cpu: {}\n\
         \x20           memory: {}\n\
         \x20         requests:\n\
         \x20           cpu: {}\n\
         \x20           memory: {}\n\
         \x20       securityContext:\n\
         ...\n",
        limits.0, limits.1, requests.0, requests.1
    )
}

#[test]
fn a_job_without_resources_gets_its_components_not_the_defaults() {
    job_as_component("")
        .args(["render", "dev"])
        .stdout(job_container(("\"2\"", "2Gi"), ("\"1\"", "1Gi")))
        .run();
}

#[test]
fn a_jobs_own_resources_win_over_its_components_amount_by_amount() {
    job_as_component("    resources: { cpu: 300m/600m }\n")
        .args(["render", "dev"])
        .stdout(job_container(("600m", "2Gi"), ("300m", "1Gi")))
        .run();
}

#[test]
fn an_object_metric_without_its_object_is_an_error_at_the_metric() {
    Test::new()
        .file(
            "platform.yaml",
            "platform: shop\n\
             defaults:\n  resources: { cpu: 100m/500m, memory: 128Mi/256Mi }\n\
             components:\n  api:\n    image: shop/api:v1\n    \
             ports: { http: { port: 8080, scrape: true } }\n    \
             probes: { liveness: /live, readiness: /ready }\n    \
             autoscale:\n      min: 2\n      max: 5\n      metrics:\n        \
             queue: { type: object, value: \"10\" }\n",
        )
        .file("overlays/dev.yaml", "")
        .args(["render", "dev"])
        .stderr(
            "error[invalid-autoscale]: custom metric `queue` of `api`'s autoscaler has type `object` but no `object`\n  \
             --> platform.yaml:13:9\n   \
             |\n\
             13 |         queue: { type: object, value: \"10\" }\n   \
             |         ^^^^^ must populate information for the given metric source\n   \
             |\n   \
             = help: name the object the metric describes as `Kind/name`: `object: Service/shop-api`\n\n",
        )
        .status(1)
        .run();
}

/// A platform with `labels:` and a ServiceMonitor template.
fn labelled_platform(template_labels: &str) -> Test {
    Test::new()
        .file("platform.yaml", "platform: shop\nlabels: { team: core }\n")
        .file("overlays/dev.yaml", "")
        .file(
            "templates/monitor.yaml",
            format!(
                "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  \
                 name: api\n{template_labels}spec:\n  endpoints: [{{ port: http }}]\n"
            ),
        )
        .args(["render", "dev"])
}

#[test]
fn objects_from_templates_carry_the_platforms_labels() {
    labelled_platform("")
        .stdout(
            "...\n\
             ---\n\
             apiVersion: monitoring.coreos.com/v1\n\
             kind: ServiceMonitor\n\
             metadata:\n  \
             labels:\n    \
             app.kubernetes.io/managed-by: wfk\n    \
             app.kubernetes.io/part-of: shop\n    \
             team: core\n  \
             name: api\n  \
             namespace: shop\n\
             spec:\n  \
             endpoints:\n  \
             - port: http\n",
        )
        .run();
}

#[test]
fn a_templates_own_label_wins_but_not_over_the_pruning_labels() {
    labelled_platform(
        "  labels:\n    team: observability\n    release: prometheus\n    \
         app.kubernetes.io/managed-by: helm\n    app.kubernetes.io/part-of: monitoring\n",
    )
    .stdout(
        "...\n\
         ---\n\
         apiVersion: monitoring.coreos.com/v1\n\
         kind: ServiceMonitor\n\
         metadata:\n  \
         labels:\n    \
         app.kubernetes.io/managed-by: wfk\n    \
         app.kubernetes.io/part-of: shop\n    \
         release: prometheus\n    \
         team: observability\n  \
         name: api\n  \
         namespace: shop\n\
         spec:\n  \
         endpoints:\n  \
         - port: http\n",
    )
    .run();
}
