//! The guarantees of the emitted stream, as a property: a platform plus random patches and
//! templates drawn from a pool of dangerous (and harmless) fields either is refused with an
//! error at the line that injected the danger, or renders objects that pass an independent
//! checker written here from the Kubernetes documents — the Pod Security Standards'
//! restricted profile and the baseline controls it inherits (AppArmor, SELinux, `/proc`
//! mount, Windows host processes, sysctls), namespace ownership, the namespace's isolation
//! (its Pod Security labels, a default-deny NetworkPolicy, no rule open to every peer), RBAC
//! that cannot escalate, no Secret values, no `externalIPs`, no mounted API token — not from
//! wfk's rules.
//!
//! Runs in-process (the library's pipeline and checks on a temporary project).

use crate::support::{SHOP, TempDir};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;

/// The independent checker: every broken guarantee of `objects` (as JSON), each as a short
/// sentence. `namespace` is the platform's.
fn violations(objects: &[Value], namespace: &str) -> Vec<String> {
    let mut out = Vec::new();
    let cluster_scoped = [
        "ClusterRole",
        "ClusterRoleBinding",
        "Namespace",
        "StorageClass",
    ];
    for o in objects {
        let kind = o["kind"].as_str().unwrap_or_default();
        let name = o["metadata"]["name"].as_str().unwrap_or_default();
        let what = format!("{kind}/{name}");
        // Namespace ownership: every namespaced object in the platform's namespace.
        if kind == "Namespace" && name != namespace {
            out.push(format!("{what}: another namespace"));
        }
        if !cluster_scoped.contains(&kind) && o["metadata"]["namespace"] != namespace {
            out.push(format!("{what}: outside the namespace"));
        }
        if kind == "Namespace" && name == namespace {
            // https://kubernetes.io/docs/concepts/security/pod-security-admission/
            for mode in ["enforce", "warn", "audit"] {
                let label = format!("pod-security.kubernetes.io/{mode}");
                if o["metadata"]["labels"][label.as_str()] != "restricted" {
                    out.push(format!("{what}: {mode} is not restricted"));
                }
            }
        }
        // Network isolation (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
        // no rule admits every peer. A rule without `from`/`to` matches all sources or
        // destinations; so does an empty peer, `namespaceSelector: {}` alone (every pod of
        // every namespace) and an ipBlock of the whole address space.
        if kind == "NetworkPolicy" {
            for (rules, peers) in [("ingress", "from"), ("egress", "to")] {
                for rule in o["spec"][rules].as_array().into_iter().flatten() {
                    let list = rule[peers].as_array();
                    if list.is_none_or(|l| l.is_empty()) {
                        out.push(format!("{what}: a {rules} rule open to every peer"));
                    }
                    for peer in list.into_iter().flatten() {
                        let every_namespace = peer["namespaceSelector"]
                            .as_object()
                            .is_some_and(|m| m.is_empty())
                            && peer["podSelector"].is_null();
                        let cidr = peer["ipBlock"]["cidr"].as_str();
                        let empty = peer.as_object().is_some_and(|m| m.is_empty());
                        if every_namespace || empty || matches!(cidr, Some("0.0.0.0/0" | "::/0")) {
                            out.push(format!("{what}: a {rules} peer that is every peer"));
                        }
                    }
                }
            }
        }
        // RBAC (https://kubernetes.io/docs/concepts/security/rbac-good-practices/).
        if matches!(kind, "ClusterRole" | "ClusterRoleBinding") {
            out.push(format!("{what}: cluster-scoped RBAC"));
        }
        if o["roleRef"]["name"] == "cluster-admin" {
            out.push(format!("{what}: binds cluster-admin"));
        }
        for rule in o["rules"].as_array().into_iter().flatten() {
            for verb in rule["verbs"].as_array().into_iter().flatten() {
                if matches!(
                    verb.as_str(),
                    Some("*" | "escalate" | "bind" | "impersonate")
                ) {
                    out.push(format!("{what}: verb {verb}"));
                }
            }
        }
        if kind == "Secret" && (o.get("data").is_some() || o.get("stringData").is_some()) {
            out.push(format!("{what}: secret values"));
        }
        if o["spec"]["externalIPs"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            out.push(format!("{what}: externalIPs"));
        }
        // The pod template: its metadata (annotations) and its spec.
        let template = match kind {
            "Pod" => Some(o),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
                Some(&o["spec"]["template"])
            }
            "CronJob" => Some(&o["spec"]["jobTemplate"]["spec"]["template"]),
            _ => None,
        };
        let pod = template.map(|t| (&t["spec"], &t["metadata"]["annotations"]));
        if let Some((pod, annotations)) = pod {
            restricted(pod, &what, &mut out);
            baseline(pod, annotations, &what, &mut out);
            // wfk's promise: no API token unless the spec grants `access` (none here).
            if pod["automountServiceAccountToken"] != false {
                out.push(format!("{what}: mounts an API token"));
            }
        }
    }
    // The namespace is isolated: it exists, labelled as above, and a policy selects every
    // pod for both directions with no rule ("Default deny all ingress and all egress").
    let ours = |o: &&Value| o["metadata"]["namespace"] == namespace;
    if !objects
        .iter()
        .any(|o| o["kind"] == "Namespace" && o["metadata"]["name"] == namespace)
    {
        out.push(format!("Namespace/{namespace}: missing"));
    }
    let deny_all = objects.iter().filter(ours).any(|o| {
        let spec = &o["spec"];
        let types: BTreeSet<&str> = spec["policyTypes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        o["kind"] == "NetworkPolicy"
            && spec["podSelector"]
                .as_object()
                .is_some_and(|m| m.is_empty())
            && types == BTreeSet::from(["Ingress", "Egress"])
            && spec["ingress"].as_array().is_none_or(|r| r.is_empty())
            && spec["egress"].as_array().is_none_or(|r| r.is_empty())
    });
    if !deny_all {
        out.push(format!("{namespace}: no default-deny NetworkPolicy"));
    }
    out
}

/// The baseline profile's controls that the restricted one inherits and [`restricted`]
/// does not repeat: AppArmor, SELinux, `/proc` mount, Windows host processes, sysctls
/// (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).
fn baseline(pod: &Value, annotations: &Value, what: &str, out: &mut Vec<String>) {
    // Sysctls: "Sysctls can disable security mechanisms or affect all containers on a host";
    // only the safe subset (Kubernetes 1.29).
    let safe = [
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    ];
    for sysctl in pod["securityContext"]["sysctls"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = sysctl["name"].as_str().unwrap_or_default();
        if !safe.contains(&name) {
            out.push(format!("{what}: sysctl {name}"));
        }
    }
    let containers = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|k| pod[*k].as_array().into_iter().flatten())
        .map(|c| &c["securityContext"]);
    for context in std::iter::once(&pod["securityContext"]).chain(containers) {
        // AppArmor: RuntimeDefault or Localhost, if set.
        if let Some(kind) = context["appArmorProfile"]["type"].as_str() {
            if !matches!(kind, "RuntimeDefault" | "Localhost") {
                out.push(format!("{what}: AppArmor {kind}"));
            }
        }
        // Seccomp: never Unconfined, at either level.
        if context["seccompProfile"]["type"] == "Unconfined" {
            out.push(format!("{what}: seccomp Unconfined"));
        }
        // SELinux: a container type only, no custom user or role.
        let selinux = &context["seLinuxOptions"];
        if let Some(kind) = selinux["type"].as_str() {
            let allowed = [
                "",
                "container_t",
                "container_init_t",
                "container_kvm_t",
                "container_engine_t",
            ];
            if !allowed.contains(&kind) {
                out.push(format!("{what}: SELinux type {kind}"));
            }
        }
        for key in ["user", "role"] {
            if selinux[key].as_str().is_some_and(|v| !v.is_empty()) {
                out.push(format!("{what}: SELinux {key}"));
            }
        }
        // /proc mount: the default only.
        if context["procMount"]
            .as_str()
            .is_some_and(|m| m != "Default")
        {
            out.push(format!("{what}: procMount"));
        }
        // Windows: no host process.
        if context["windowsOptions"]["hostProcess"] == true {
            out.push(format!("{what}: Windows hostProcess"));
        }
    }
    // The AppArmor annotations of Kubernetes before 1.30.
    for (key, value) in annotations.as_object().into_iter().flatten() {
        // Allowed: undefined, `runtime/default`, `localhost/*`.
        let profile = value.as_str().unwrap_or_default();
        if key.starts_with("container.apparmor.security.beta.kubernetes.io/")
            && profile != "runtime/default"
            && !profile.starts_with("localhost/")
        {
            out.push(format!("{what}: AppArmor annotation {profile}"));
        }
    }
}

/// The restricted profile of the Pod Security Standards, control by control
/// (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
fn restricted(pod: &Value, what: &str, out: &mut Vec<String>) {
    for host in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod[host] == true {
            out.push(format!("{what}: {host}"));
        }
    }
    let allowed_volumes = [
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    ];
    for volume in pod["volumes"].as_array().into_iter().flatten() {
        for key in volume.as_object().into_iter().flat_map(|m| m.keys()) {
            if key != "name" && !allowed_volumes.contains(&key.as_str()) {
                out.push(format!("{what}: {key} volume"));
            }
        }
    }
    let pod_context = &pod["securityContext"];
    let containers = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|k| pod[*k].as_array().into_iter().flatten());
    for c in containers {
        let context = &c["securityContext"];
        if context["privileged"] == true {
            out.push(format!("{what}: privileged"));
        }
        if context["allowPrivilegeEscalation"] != false {
            out.push(format!("{what}: privilege escalation allowed"));
        }
        let drops: Vec<&str> = context["capabilities"]["drop"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if !drops.contains(&"ALL") {
            out.push(format!("{what}: capabilities not dropped"));
        }
        for add in context["capabilities"]["add"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if add != "NET_BIND_SERVICE" {
                out.push(format!("{what}: adds {add}"));
            }
        }
        let non_root = if context["runAsNonRoot"].is_boolean() {
            &context["runAsNonRoot"]
        } else {
            &pod_context["runAsNonRoot"]
        };
        if non_root != true {
            out.push(format!("{what}: may run as root"));
        }
        for ctx in [context, pod_context] {
            if ctx["runAsUser"] == 0 {
                out.push(format!("{what}: runAsUser 0"));
            }
        }
        let seccomp = if context["seccompProfile"].is_object() {
            &context["seccompProfile"]["type"]
        } else {
            &pod_context["seccompProfile"]["type"]
        };
        if !matches!(seccomp.as_str(), Some("RuntimeDefault" | "Localhost")) {
            out.push(format!("{what}: no seccomp profile"));
        }
        for port in c["ports"].as_array().into_iter().flatten() {
            if port["hostPort"].as_i64().is_some_and(|p| p != 0) {
                out.push(format!("{what}: hostPort"));
            }
        }
    }
}

/// A JSON Patch operation on `Deployment/shop-api`, one line each.
const OPERATIONS: &[&str] = &[
    "{ op: add, path: /spec/template/spec/hostNetwork, value: true }",
    "{ op: add, path: /spec/template/spec/hostPID, value: true }",
    "{ op: add, path: /spec/template/spec/volumes, value: [{ name: root, hostPath: { path: / } }] }",
    "{ op: add, path: /spec/template/spec/securityContext/runAsUser, value: 0 }",
    "{ op: add, path: /spec/template/spec/containers/0/securityContext/privileged, value: true }",
    "{ op: add, path: /spec/template/spec/containers/0/securityContext/capabilities/add, value: [SYS_ADMIN] }",
    "{ op: replace, path: /spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation, value: true }",
    "{ op: add, path: /spec/template/spec/automountServiceAccountToken, value: true }",
    "{ op: add, path: /metadata/namespace, value: kube-system }",
    "{ op: add, path: /spec/template/spec/containers/0/ports/0/hostPort, value: 8080 }",
    "{ op: add, path: /spec/template/spec/securityContext/appArmorProfile, value: { type: Unconfined } }",
    "{ op: add, path: /spec/template/spec/containers/0/securityContext/seLinuxOptions, value: { type: spc_t } }",
    "{ op: add, path: /spec/template/spec/securityContext/sysctls, value: [{ name: kernel.msgmax, value: \"65536\" }] }",
    "{ op: add, path: /spec/template/spec/securityContext/windowsOptions, value: { hostProcess: true } }",
    "{ op: add, path: /spec/template/spec/containers/0/securityContext/procMount, value: Unmasked }",
    "{ op: replace, path: /spec/template/spec/securityContext/seccompProfile, value: { type: Unconfined } }",
    "{ op: add, path: /spec/template/metadata/annotations, value: { container.apparmor.security.beta.kubernetes.io/api: unconfined } }",
    // Harmless ones.
    "{ op: add, path: /spec/minReadySeconds, value: 5 }",
    "{ op: add, path: /metadata/labels/team, value: payments }",
    "{ op: add, path: /spec/template/spec/containers/0/env, value: [{ name: A, value: b }] }",
    "{ op: add, path: /spec/template/spec/securityContext/sysctls, value: [{ name: net.ipv4.tcp_keepalive_time, value: \"600\" }] }",
    "{ op: add, path: /spec/template/spec/securityContext/appArmorProfile, value: { type: RuntimeDefault } }",
];

/// Merge patches on the platform's other objects, by target (one entry each).
const OBJECT_PATCHES: &[(&str, &str)] = &[
    (
        "Namespace/shop",
        "{ metadata: { labels: { pod-security.kubernetes.io/enforce: privileged } } }",
    ),
    (
        "NetworkPolicy/shop-default-deny",
        "{ spec: { policyTypes: [Ingress] } }",
    ),
    (
        "Service/shop-api",
        "{ spec: { externalIPs: [203.0.113.7] } }",
    ),
    // Harmless.
    (
        "NetworkPolicy/shop-allow-dns",
        "{ metadata: { labels: { team: payments } } }",
    ),
];

/// Template files, each one or more documents.
const TEMPLATES: &[&str] = &[
    "apiVersion: v1\nkind: Pod\nmetadata: { name: debug }\nspec:\n  automountServiceAccountToken: false\n  containers: [{ name: sh, image: busybox:1.36, securityContext: { privileged: true } }]\n",
    "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: agent }\nspec:\n  selector: { matchLabels: { app: agent } }\n  template:\n    metadata: { labels: { app: agent } }\n    spec:\n      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: RuntimeDefault } }\n      containers: [{ name: a, image: busybox:1.36, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } } }]\n",
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: root }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }\nsubjects: [{ kind: ServiceAccount, name: shop, namespace: shop }]\n",
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: { name: all }\nrules: [{ apiGroups: [\"\"], resources: [secrets], verbs: [\"*\"] }]\n",
    "apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: Secret, metadata: { name: creds }, stringData: { password: hunter2 } }\n",
    "apiVersion: v1\nkind: Service\nmetadata: { name: grab }\nspec: { ports: [{ port: 80 }], externalIPs: [203.0.113.7] }\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: elsewhere, namespace: default }\ndata: { a: b }\n",
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: open }\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: [{}]\n",
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: anywhere }\nspec:\n  podSelector: { matchLabels: { app.kubernetes.io/name: api } }\n  policyTypes: [Egress]\n  egress: [{ to: [{ ipBlock: { cidr: 0.0.0.0/0 } }] }]\n",
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: every-namespace }\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: [{ from: [{ namespaceSelector: {} }] }]\n",
    // Harmless ones.
    "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: extra }\ndata: { a: b }\n",
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: from-web }\nspec:\n  podSelector: { matchLabels: { app.kubernetes.io/name: api } }\n  policyTypes: [Ingress]\n  ingress: [{ from: [{ podSelector: { matchLabels: { app.kubernetes.io/name: web } } }], ports: [{ port: 8080 }] }]\n",
    "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: quiet }\nspec:\n  selector: { matchLabels: { app: quiet } }\n  template:\n    metadata: { labels: { app: quiet } }\n    spec:\n      automountServiceAccountToken: false\n      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: RuntimeDefault } }\n      containers: [{ name: a, image: busybox:1.36, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } } }]\n",
];

/// One run: the chosen operations as a patch and the chosen templates, rendered and checked
/// in-process. Either some error is reported, each at a line that injected something, or
/// the independent checker finds nothing.
/// Returns how many errors wfk reported and what the independent checker found in the
/// objects (`None` when wfk refused before objects existed).
fn one_run(
    operations: &[usize],
    templates: &[usize],
    object_patches: &[usize],
) -> Result<(usize, Option<Vec<String>>), TestCaseError> {
    let dir = TempDir::new();
    let mut spec = SHOP.to_string();
    // Line of each operation and patch in platform.yaml.
    let mut op_lines = BTreeSet::new();
    if !operations.is_empty() || !object_patches.is_empty() {
        spec.push_str("patches:\n");
    }
    if !operations.is_empty() {
        spec.push_str("  Deployment/shop-api:\n");
        for &i in operations {
            spec.push_str(&format!("    - {}\n", OPERATIONS[i]));
            op_lines.insert(spec.lines().count());
        }
    }
    for &i in object_patches {
        let (target, body) = OBJECT_PATCHES[i];
        spec.push_str(&format!("  {target}: {body}\n"));
        op_lines.insert(spec.lines().count());
    }
    dir.write("platform.yaml", &spec);
    dir.write("overlays/dev.yaml", "");
    let mut template_files = BTreeSet::new();
    for &i in templates {
        let file = format!("templates/t{i}.yaml");
        dir.write(&file, TEMPLATES[i]);
        template_files.insert(file);
    }
    let mut map = wfk::source::SourceMap::default();
    let rendered = wfk::commands::objects(
        dir.path(),
        "dev",
        &[],
        &mut map,
        &mut wfk::template::Fuel::per_run(),
        wfk::merge::History::Dropped,
        wfk::commands::Reads::Positions,
    );
    let (errors, objects) = match rendered {
        Err(diagnostics) => (diagnostics, None),
        Ok(render) => {
            let input = wfk::check::Input {
                spec: &render.platform,
                objects: &render.objects,
                merged: &render.merged,
                origins: &render.origins,
                memo: Default::default(),
            };
            let errors: Vec<_> = wfk::check::all(&input)
                .into_iter()
                .filter(|d| d.severity == wfk::diagnostic::Severity::Error)
                .collect();
            let json: Vec<Value> = render
                .objects
                .iter()
                .map(|o| serde_json::to_value(o).unwrap())
                .collect();
            (errors, Some(json))
        }
    };
    let case = format!(
        "operations {operations:?}, templates {templates:?}, object patches {object_patches:?}"
    );
    for d in &errors {
        let span = d.primary.as_ref().map(|l| l.span);
        let file = span.map_or("-", |s| map.name(s.source));
        let line = span.map_or(0, |s| s.line);
        let injected =
            template_files.contains(file) || (file == "platform.yaml" && op_lines.contains(&line));
        prop_assert!(
            injected,
            "{case}: error[{}] at {file}:{line} is not where anything was injected: {}",
            d.code,
            d.message
        );
    }
    let found = objects.map(|o| violations(&o, "shop"));
    if errors.is_empty() {
        let found = found.as_deref().unwrap_or_default();
        prop_assert!(
            found.is_empty(),
            "{case}: rendered without an error, but the independent checker finds {found:?}"
        );
    }
    Ok((errors.len(), found))
}

/// The entries of [`OPERATIONS`] and [`TEMPLATES`] before these indexes are dangerous.
const DANGEROUS_OPERATIONS: usize = 17;
const DANGEROUS_TEMPLATES: usize = 10;
const DANGEROUS_OBJECT_PATCHES: usize = 3;

#[test]
fn the_base_platform_passes_the_independent_checker() {
    assert_eq!(one_run(&[], &[], &[]).unwrap(), (0, Some(Vec::new())));
}

#[test]
fn each_dangerous_field_alone_is_refused_and_each_harmless_one_renders() {
    // The pool is what the property draws from: each dangerous entry alone is refused by
    // wfk and, where objects exist, seen by the independent checker too, or the property
    // would prove nothing about it.
    let runs = (0..OPERATIONS.len())
        .map(|i| {
            (
                format!("operation {i}"),
                i < DANGEROUS_OPERATIONS,
                one_run(&[i], &[], &[]),
            )
        })
        .chain((0..TEMPLATES.len()).map(|i| {
            (
                format!("template {i}"),
                i < DANGEROUS_TEMPLATES,
                one_run(&[], &[i], &[]),
            )
        }))
        .chain((0..OBJECT_PATCHES.len()).map(|i| {
            (
                format!("object patch {i}"),
                i < DANGEROUS_OBJECT_PATCHES,
                one_run(&[], &[], &[i]),
            )
        }));
    for (what, dangerous, run) in runs {
        let (errors, found) = run.unwrap();
        if dangerous {
            assert!(errors > 0, "{what} is not refused");
            if let Some(found) = found {
                assert!(
                    !found.is_empty(),
                    "{what}: the independent checker sees nothing"
                );
            }
        } else {
            assert_eq!((errors, found), (0, Some(Vec::new())), "{what}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn patches_and_templates_never_ship_what_the_independent_checker_refuses(
        operations in prop::collection::btree_set(0..OPERATIONS.len(), 0..4),
        templates in prop::collection::btree_set(0..TEMPLATES.len(), 0..3),
        object_patches in prop::collection::btree_set(0..OBJECT_PATCHES.len(), 0..3),
    ) {
        let operations: Vec<usize> = operations.into_iter().collect();
        let templates: Vec<usize> = templates.into_iter().collect();
        let object_patches: Vec<usize> = object_patches.into_iter().collect();
        one_run(&operations, &templates, &object_patches)?;
    }
}
