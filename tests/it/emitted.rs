//! Guarantees that hold on the emitted stream, whatever produced an object: the spec, a
//! template or a patch. Each finding is reported at the line that produced the field.

use crate::support::{SHOP as BASE, shop as project};

#[test]
fn a_patch_that_makes_a_pod_privileged_is_refused_at_each_patch_line() {
    let patch = "patches:
  Deployment/shop-api:
    spec:
      template:
        spec:
          hostPID: true
          volumes: [{ name: root, hostPath: { path: / } }]
          securityContext: { runAsUser: 0 }
";
    project()
        .file("platform.yaml", format!("{BASE}{patch}"))
        .args(["render", "dev"])
        .stderr(
            "error[pod-not-restricted]: Deployment `shop-api` breaks the restricted pod security profile: `hostPID: true` shares the node's namespace
  --> platform.yaml:14:20
   |
14 |           hostPID: true
   |                    ^^^^ sets `spec.template.spec.hostPID`
   |
   = help: remove it from the patch or template that writes it; the platform's namespace admits only restricted pods

error[pod-not-restricted]: Deployment `shop-api` breaks the restricted pod security profile: a `hostPath` volume (restricted allows configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret)
  --> platform.yaml:15:20
   |
15 |           volumes: [{ name: root, hostPath: { path: / } }]
   |                    ^ sets `spec.template.spec.volumes[root].hostPath`
   |
   = help: remove it from the patch or template that writes it; the platform's namespace admits only restricted pods

error[pod-not-restricted]: Deployment `shop-api` breaks the restricted pod security profile: runs as root (`runAsUser: 0`)
  --> platform.yaml:16:41
   |
16 |           securityContext: { runAsUser: 0 }
   |                                         ^ sets `spec.template.spec.securityContext.runAsUser`
   |
   = help: remove it from the patch or template that writes it; the platform's namespace admits only restricted pods

error: aborting due to 3 errors
",
        )
        .status(1)
        .run();
}

#[test]
fn a_template_pod_or_daemon_set_is_held_to_the_same_profile_and_namespace() {
    let out = project()
        .file(
            "templates/agent.yaml",
            "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: kube-system
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      hostNetwork: true
      containers:
        - name: agent
          image: agent:v1
          securityContext: { privileged: true }
",
        )
        .args(["validate", "dev", "--format", "json"])
        .status(1)
        .output();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let found: Vec<(String, String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // Every finding points at the template document: the origin of all its fields.
    assert!(
        found
            .iter()
            .all(|(_, file, line)| file == "templates/agent.yaml" && *line == 1),
        "{found:?}"
    );
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    for expected in [
        "DaemonSet `node-agent` is put in the namespace `kube-system`; the platform's is `shop`",
        "DaemonSet `node-agent` breaks the restricted pod security profile: `hostNetwork: true` shares the node's namespace",
        "DaemonSet `node-agent` breaks the restricted pod security profile: a privileged container",
        "DaemonSet `node-agent` breaks the restricted pod security profile: `allowPrivilegeEscalation` is not `false`",
    ] {
        assert!(messages.contains(&expected), "{expected}\nin {messages:#?}");
    }
}

#[test]
fn a_secret_inside_a_template_list_is_refused_like_a_top_level_one() {
    project()
        .file(
            "templates/bundle.yaml",
            "apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: { name: shop-extra }
    data: { a: b }
  - apiVersion: v1
    kind: Secret
    metadata: { name: shop-token }
    stringData: { token: s3cr3t-in-a-list }
",
        )
        .args(["render", "dev"])
        .stderr(
            "error[secret-with-data]: a template writes a Secret with data; wfk never writes secret values, since its output is printed, diffed and committed; no reason relaxes this
 --> templates/bundle.yaml:1:1
  |
1 | apiVersion: v1
  | ^^^^^^^^^^ this document
  |
  = help: create the Secret outside the repository (sealed-secrets, External Secrets, `kubectl create secret`) and reference it with `{ secret: name/key }`

",
        )
        .status(2)
        .run();
    // Without the Secret, the List's items are objects of their own.
    let out = project()
        .file(
            "templates/bundle.yaml",
            "apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: ConfigMap, metadata: { name: shop-extra }, data: { a: b } }\n",
        )
        .args(["render", "dev"])
        .output();
    assert_eq!((out.status, out.stderr.as_str()), (Some(0), ""));
    assert!(
        out.stdout.contains("kind: ConfigMap\ndata:\n  a: b\n")
            && out.stdout.contains("  name: shop-extra\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("kind: List"), "{}", out.stdout);
}

#[test]
fn kubernetes_own_namespaces_are_never_the_platform_s() {
    for namespace in ["kube-system", "kube-public", "kube-node-lease"] {
        project()
            .file("overlays/dev.yaml", format!("namespace: {namespace}\n"))
            .args(["render", "dev"])
            .stderr(format!(
                "error[foreign-namespace]: `{namespace}` is Kubernetes' own namespace; a platform cannot be deployed to it, and no reason relaxes this
 --> overlays/dev.yaml:1:12
  |
1 | namespace: {namespace}
  |            {carets} a system namespace
  |
  = help: set `namespace` to one of the platform's own, such as its name

",
                carets = "^".repeat(namespace.len())
            ))
            .status(1)
            .run();
    }
}

#[test]
fn root_from_the_spec_is_refused_at_the_id_that_sets_it() {
    for (spec, at) in [
        (
            format!("{BASE}    security: {{ runAsUser: 0 }}\n"),
            "platform.yaml:9:28",
        ),
        (
            BASE.replace("defaults:\n", "defaults:\n  runAsUser: 0\n"),
            "platform.yaml:3:14",
        ),
    ] {
        let out = project()
            .file("platform.yaml", spec)
            .args(["validate", "dev", "--format", "json"])
            .status(1)
            .output();
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let found: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| {
                format!(
                    "{} {}:{}:{}",
                    f["code"].as_str().unwrap(),
                    f["file"].as_str().unwrap(),
                    f["line"],
                    f["column"]
                )
            })
            .collect();
        assert_eq!(
            found,
            [format!("pod-not-restricted {at}")],
            "{}",
            out.stdout
        );
    }
}

#[test]
fn a_template_service_with_external_ips_is_refused_at_the_template() {
    project()
        .file(
            "templates/capture.yaml",
            "# a Service that claims an address\napiVersion: v1\nkind: Service\nmetadata: { name: shop-capture }\nspec:\n  ports: [{ port: 80 }]\n  externalIPs: [203.0.113.10, 198.51.100.7]\n",
        )
        .args(["render", "dev"])
        .stderr(
            "error[external-ips]: Service `shop-capture` claims the external IPs 203.0.113.10, 198.51.100.7: every node would route their traffic to it
 --> templates/capture.yaml:2:1
  |
2 | apiVersion: v1
  | ^^^^^^^^^^ sets `spec.externalIPs`
  |
  = help: remove `externalIPs`; reach the component through `ingress`; if the addresses are the platform's own, say why: `relax: { Service/shop-capture: \"<reason>\" }`

",
        )
        .status(1)
        .run();
}

/// Each policy refusal of something the API server accepts takes a reason in `relax`, and
/// then shows as a note at that reason: the Service with external IPs, a template policy
/// open to every namespace, and a namespace that no longer enforces `restricted` along with
/// the privileged pod it lets in.
#[test]
fn what_the_api_server_accepts_is_allowed_with_a_reason_and_shown_as_a_note() {
    let relax = "relax:
  Service/shop-capture: \"bare-metal cluster: the address is ours\"
  NetworkPolicy/shop-shared: \"every team's namespace calls the shared API\"
  Namespace/shop: \"the node agent needs the host\"
  DaemonSet/node-agent: \"collects the node's logs\"
patches:
  Namespace/shop: { metadata: { labels: { pod-security.kubernetes.io/enforce: privileged } } }
";
    let test = || {
        project()
            .file("platform.yaml", format!("{BASE}{relax}"))
            .file(
                "templates/capture.yaml",
                "apiVersion: v1\nkind: Service\nmetadata: { name: shop-capture }\nspec:\n  ports: [{ port: 80 }]\n  externalIPs: [203.0.113.10]\n",
            )
            .file(
                "templates/shared.yaml",
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: shop-shared }\nspec:\n  podSelector: {}\n  ingress: [{ from: [{ namespaceSelector: {} }] }]\n",
            )
            .file(
                "templates/agent.yaml",
                "apiVersion: apps/v1
kind: DaemonSet
metadata: { name: node-agent }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      automountServiceAccountToken: false
      containers: [{ name: agent, image: agent:1.0, securityContext: { privileged: true } }]
",
            )
    };
    let out = test()
        .args(["validate", "-v", "--deny", "warnings"])
        .output();
    assert_eq!(
        (out.status, out.stdout.as_str()),
        (Some(0), ""),
        "{}",
        out.stderr
    );
    for (code, line) in [
        ("external-ips", 10),
        ("isolation-weakened", 11),
        ("isolation-weakened", 12),
        ("pod-not-restricted", 13),
    ] {
        assert!(
            out.stderr.contains(&format!("info[{code}]: relaxed: "))
                && out.stderr.contains(&format!("--> platform.yaml:{line}:3")),
            "{code} at {line}:\n{}",
            out.stderr
        );
    }
    let out = test().args(["render", "dev"]).output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("privileged: true"), "{}", out.stdout);
}

/// While the namespace enforces `restricted`, the API server refuses a privileged pod
/// whatever the spec says: a reason for it allows nothing.
#[test]
fn a_pod_the_restricted_namespace_refuses_cannot_be_relaxed() {
    let out = project()
        .file(
            "platform.yaml",
            format!("{BASE}relax:\n  Pod/debug: \"a debugging shell\"\n"),
        )
        .file(
            "templates/debug.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: { name: debug }\nspec:\n  automountServiceAccountToken: false\n  containers: [{ name: sh, image: busybox:1.36, securityContext: { privileged: true } }]\n",
        )
        .args(["render", "dev"])
        .output();
    assert_eq!((out.status, out.stdout.as_str()), (Some(1), ""));
    assert!(
        out.stderr.contains("error[pod-not-restricted]: Pod `debug` breaks the restricted pod security profile: ")
            && out.stderr.contains("the platform's namespace admits only restricted pods")
            && out.stderr.contains("error[relax-target-missing]: `relax` of `Pod/debug` allows nothing")
            && out.stderr.contains("a pod the namespace's `restricted` enforcement refuses is refused by the API server whatever the spec says")
            && out.stderr.contains("--> platform.yaml:10:3"),
        "{}",
        out.stderr
    );
}

const CLUSTER_ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: shop-node-reader
rules:
  - { apiGroups: [\"\"], resources: [nodes], verbs: [get, list] }
";

#[test]
fn a_cluster_role_from_a_template_is_refused_until_the_spec_says_why() {
    project()
        .file("templates/reader.yaml", CLUSTER_ROLE)
        .args(["render", "dev"])
        .stderr(
            "error[cluster-access]: ClusterRole `shop-node-reader` is cluster-scoped: it reaches beyond the platform's namespace
 --> templates/reader.yaml:1:1
  |
1 | apiVersion: rbac.authorization.k8s.io/v1
  | ^^^^^^^^^^ written here
  |
  = help: grant what a component needs in the namespace with `access`; if the platform needs this object, say why: `relax: { ClusterRole/shop-node-reader: \"<reason>\" }`

",
        )
        .status(1)
        .run();
    let relaxed = format!(
        "{BASE}relax:\n  ClusterRole/shop-node-reader: \"the scheduler dashboard lists nodes\"\n"
    );
    let out = project()
        .file("platform.yaml", &relaxed)
        .file("templates/reader.yaml", CLUSTER_ROLE)
        .args(["render", "dev"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("kind: ClusterRole\n"));
    project()
        .file("platform.yaml", &relaxed)
        .file("templates/reader.yaml", CLUSTER_ROLE)
        .args(["validate", "-v"])
        .stderr(
            "environment `dev`:
info[cluster-access]: relaxed: ClusterRole `shop-node-reader` is cluster-scoped: it reaches beyond the platform's namespace (the scheduler dashboard lists nodes)
  --> platform.yaml:10:3
   |
10 |   ClusterRole/shop-node-reader: \"the scheduler dashboard lists nodes\"
   |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ allowed here

checked 1 environment (dev): 0 errors, 0 warnings, 1 note (-v shows them)
",
        )
        .run();
}

#[test]
fn a_relax_without_a_reason_is_an_error_and_allows_nothing() {
    project()
        .file(
            "platform.yaml",
            format!("{BASE}relax:\n  ClusterRole/shop-node-reader: \"\"\n"),
        )
        .file("templates/reader.yaml", CLUSTER_ROLE)
        .args(["validate", "--format", "json"])
        .stdout(
            r#"{
  "environments": [
    "dev"
  ],
  "findings": [
    {
      "code": "suppression-without-reason",
      "column": 3,
      "environments": [
        "dev"
      ],
      "file": "platform.yaml",
      "help": "write why: `ClusterRole/shop-node-reader: \"<reason>\"`",
      "line": 10,
      "message": "`relax` of `ClusterRole/shop-node-reader` gives no reason",
      "severity": "error"
    },
    {
      "code": "cluster-access",
      "column": 1,
      "environments": [
        "dev"
      ],
      "file": "templates/reader.yaml",
      "help": "grant what a component needs in the namespace with `access`; if the platform needs this object, say why: `relax: { ClusterRole/shop-node-reader: \"<reason>\" }`",
      "line": 1,
      "message": "ClusterRole `shop-node-reader` is cluster-scoped: it reaches beyond the platform's namespace",
      "severity": "error"
    }
  ],
  "summary": {
    "errors": 2,
    "notes": 0,
    "warnings": 0
  },
  "version": 2
}
"#,
        )
        .status(1)
        .run();
}

#[test]
fn the_default_namespace_needs_a_reason() {
    project()
        .file("overlays/dev.yaml", "namespace: default\n")
        .args(["render", "dev"])
        .stderr(
            "error[foreign-namespace]: `default` is the namespace everything without one lands in; the platform's restricted labels and default deny would apply to all of it
 --> overlays/dev.yaml:1:12
  |
1 | namespace: default
  |            ^^^^^^^ the `default` namespace
  |
  = help: set `namespace` to one of the platform's own; if it must be `default`, say why: `relax: { Namespace/default: \"<reason>\" }`

",
        )
        .status(1)
        .run();
    let out = project()
        .file(
            "overlays/dev.yaml",
            "namespace: default\nrelax:\n  Namespace/default: \"a single-tenant demo cluster\"\n",
        )
        .args(["render", "dev", "-q"])
        .output();
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("  name: default\n"), "{}", out.stdout);
}

#[test]
fn kube_system_cannot_be_relaxed() {
    let out = project()
        .file(
            "overlays/dev.yaml",
            "namespace: kube-system\nrelax:\n  Namespace/kube-system: \"we own the cluster\"\n",
        )
        .args(["render", "dev"])
        .output();
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with("error[foreign-namespace]: `kube-system` is Kubernetes' own namespace; a platform cannot be deployed to it, and no reason relaxes this\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("error[relax-target-missing]: `relax` of `Namespace/kube-system` allows nothing: no check that a reason can relax refuses that object"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_template_pod_breaking_the_baseline_controls_is_refused_at_each_line() {
    let pod = "apiVersion: v1
kind: Pod
metadata: { name: tuned }
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    seccompProfile: { type: RuntimeDefault }
    sysctls: [{ name: kernel.msgmax, value: \"65536\" }]
    seLinuxOptions: { user: system_u, type: spc_t }
  containers:
    - name: app
      image: busybox:1.36
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: { drop: [ALL] }
        appArmorProfile: { type: Unconfined }
        windowsOptions: { hostProcess: true }
";
    let out = project()
        .file("templates/pod.yaml", pod)
        .args(["validate", "--format", "json"])
        .output();
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let found: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    for problem in [
        "the sysctl `kernel.msgmax`, which is not in the safe set",
        "the SELinux type `spc_t`",
        "a custom SELinux user",
        "an AppArmor profile of type `Unconfined`",
        "a Windows host process",
    ] {
        assert!(
            found
                .iter()
                .any(|f| f.starts_with("pod-not-restricted templates/pod.yaml:")
                    && f.contains(problem)),
            "{problem}: {found:#?}"
        );
    }
}

/// The rest of the patch from the issue that found these gaps: each dangerous field of it is
/// one error at its own line, and nothing reaches stdout.
#[test]
fn a_patch_that_makes_a_container_privileged_and_mounts_a_token_is_refused_at_each_operation() {
    let patch = "patches:
  Deployment/shop-api:
    - { op: add, path: /spec/template/spec/containers/0/securityContext/privileged, value: true }
    - { op: add, path: /spec/template/spec/containers/0/securityContext/capabilities/add, value: [SYS_ADMIN] }
    - { op: add, path: /spec/template/spec/automountServiceAccountToken, value: true }
    - { op: add, path: /spec/template/spec/hostNetwork, value: true }
";
    let out = project()
        .file("platform.yaml", format!("{BASE}{patch}"))
        .args(["render", "dev"])
        .output();
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    let at = |line: usize| format!("platform.yaml:{line}:7\n");
    for (code, problem, line) in [
        ("pod-not-restricted", "a privileged container", 11),
        ("pod-not-restricted", "adds the capability `SYS_ADMIN`", 12),
        (
            "token-without-access",
            "`automountServiceAccountToken: true`",
            13,
        ),
        (
            "pod-not-restricted",
            "`hostNetwork: true` shares the node's namespace",
            14,
        ),
    ] {
        let found = out.stderr.split("\n\n").any(|d| {
            d.starts_with(&format!("error[{code}]")) && d.contains(problem) && d.contains(&at(line))
        });
        assert!(found, "{code} `{problem}` at line {line}:\n{}", out.stderr);
    }
}

#[test]
fn a_template_daemon_set_in_kube_system_is_refused_at_its_line() {
    let daemon_set = "apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: kube-system }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      automountServiceAccountToken: false
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: RuntimeDefault } }
      containers: [{ name: a, image: busybox:1.36, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } } }]
";
    let out = project()
        .file("templates/agent.yaml", daemon_set)
        .args(["render", "dev"])
        .output();
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with("error[foreign-namespace]: DaemonSet `agent` is put in the namespace `kube-system`; the platform's is `shop`\n --> templates/agent.yaml:"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unconfined_apparmor_annotation_is_refused_at_the_patch_line() {
    // Clusters before 1.30 read the profile from this annotation; the baseline allows
    // `runtime/default` and `localhost/<profile>` only.
    let patch = "patches:
  Deployment/shop-api:
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/api: localhost/k8s-api
            container.apparmor.security.beta.kubernetes.io/sidecar: unconfined
";
    project()
        .file("platform.yaml", format!("{BASE}{patch}"))
        .args(["render", "dev"])
        .stderr(
            "error[pod-not-restricted]: Deployment `shop-api` breaks the restricted pod security profile: the AppArmor profile `unconfined` (allowed: `runtime/default`, `localhost/<profile>`)
  --> platform.yaml:16:69
   |
16 |             container.apparmor.security.beta.kubernetes.io/sidecar: unconfined
   |                                                                     ^^^^^^^^^^ sets `spec.template.metadata.annotations.container.apparmor.security.beta.kubernetes.io/sidecar`
   |
   = help: remove it from the patch or template that writes it; the platform's namespace admits only restricted pods

",
        )
        .status(1)
        .run();
}
