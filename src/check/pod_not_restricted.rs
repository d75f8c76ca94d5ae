//! ## What it checks
//! Every pod template in the output — a Deployment, StatefulSet, Job or CronJob wfk builds,
//! and a Pod, DaemonSet, ReplicaSet or any of those a template writes or a patch changes —
//! meets the Kubernetes Pod Security Standard `restricted`: no host network, PID or IPC
//! namespace, no host ports, no `hostPath` or other volume types outside the profile's list,
//! no privileged container, no privilege escalation, not root, seccomp `RuntimeDefault` or
//! `Localhost`, every capability dropped and none added but `NET_BIND_SERVICE`, no unmasked
//! `/proc`, and the baseline's rules on AppArmor (`RuntimeDefault` or `Localhost`, and the
//! annotations older clusters read: `runtime/default` or `localhost/…`), SELinux
//! (a container type, no custom user or role), Windows host processes and sysctls (the safe
//! set only).
//!
//! ## Why
//! The platform's namespace enforces `restricted`: a pod outside it is refused by the API
//! server at apply time, halfway through a rollout — or, where the label was changed too,
//! runs with the node's privileges. wfk's own pods meet the profile; this holds it for what
//! templates and patches add, on the objects as they are written out.
//!
//! ## Example
//! `patches: { Deployment/shop-api: { spec: { template: { spec: { hostNetwork: true } } } } }`
//!
//! ## Fix
//! Remove the field from the patch or template. A workload that truly needs the node (a CNI
//! agent, a log shipper) does not belong in an application platform's namespace. While the
//! namespace enforces `restricted` the API server refuses the pod, so no reason allows it;
//! where the namespace's enforcement was lifted with a reason (`isolation-weakened`), each
//! such pod takes its own: `relax: { DaemonSet/node-agent: "<reason>" }`.

use super::view::View;
use super::{Fact, Finding, Input, Pod, field_origin};
use crate::build::object::Object;

/// The volume types the restricted profile allows.
const VOLUMES: [&str; 8] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Where the pod spec sits in an object of `kind`, as field paths.
fn pod_spec(kind: &str) -> Option<&'static str> {
    match kind {
        "Pod" => Some("spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => Some("spec.template.spec"),
        "CronJob" => Some("spec.jobTemplate.spec.template.spec"),
        _ => None,
    }
}

/// The pod template of a workload, as JSON (`None` for other kinds): made once per run
/// for every check that reads pods ([`Input::pods`]).
pub(super) fn pod_of(object: &Object) -> Option<Pod> {
    let at = pod_spec(object.kind())?;
    // The kinds wfk builds: only their pod template is made JSON.
    let typed = match object {
        Object::Deployment(o) => o.spec.as_ref().map(|s| &s.template),
        Object::StatefulSet(o) => o.spec.as_ref().map(|s| &s.template),
        Object::Job(o) => o.spec.as_ref().map(|s| &s.template),
        Object::CronJob(o) => o
            .spec
            .as_ref()
            .and_then(|s| s.job_template.spec.as_ref())
            .map(|s| &s.template),
        _ => None,
    };
    let template = match typed {
        Some(template) => View::of(template)?,
        None => {
            let value = serde_json::to_value(object).ok()?;
            // A Pod is its own template.
            let path = at.strip_suffix(".spec").unwrap_or("");
            let template = path
                .split('.')
                .filter(|key| !key.is_empty())
                .try_fold(&value, |v, key| v.get(key))?;
            View::of(template)?
        }
    };
    template["spec"].is_object().then_some(Pod { at, template })
}

pub(super) fn check(input: &Input) -> Vec<Finding> {
    input.pod_findings().pod_not_restricted.clone()
}

/// Whether `namespace` (the platform's Namespace object) enforces `restricted`. While it
/// does, the API server refuses the pods this check finds, so no reason can allow one;
/// once a reason has lifted that (`isolation-weakened`), each pod takes its own.
pub(super) fn restricts(namespace: &Object) -> bool {
    serde_json::to_value(namespace).is_ok_and(|v| {
        v["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    })
}

/// The findings of one workload's pod: each in two forms, one that stands while the
/// platform's Namespace enforces `restricted` ([`restricts`]), one once it does not
/// ([`Fact::OpenNamespace`], over every object of the render).
pub(super) fn pod(input: &Input, object: &Object, pod: &Pod, out: &mut Vec<Finding>) {
    let at = pod.at;
    let metadata = || format!("{}metadata", at.strip_suffix("spec").unwrap_or_default());
    let annotations = apparmor_annotations(pod, metadata);
    for (field, problem) in violations(pod.spec()).into_iter().chain(annotations) {
        let field = if field.starts_with(&metadata()) {
            field
        } else {
            format!("{at}.{field}")
        };
        let finding = Finding::new(
            format!(
                "{} `{}` breaks the restricted pod security profile: {problem}",
                object.kind(),
                object.name()
            ),
            field_origin(input, object, &field),
            format!("sets `{field}`"),
        );
        out.push(
            finding
                .clone()
                .help("remove it from the patch or template that writes it; the platform's namespace admits only restricted pods")
                .unless(Fact::OpenNamespace),
        );
        out.push(
            finding
                .help(format!(
                    "remove it from the patch or template that writes it; if the pod needs it, say why: `relax: {{ {}/{}: \"<reason>\" }}`",
                    object.kind(),
                    object.name()
                ))
                .on(object)
                .only_if(Fact::OpenNamespace),
        );
    }
}

/// The AppArmor annotations of the pod template (Kubernetes before 1.30 reads them; the
/// baseline allows `runtime/default` and `localhost/<profile>` only), as (field path from the
/// object's root, what is wrong).
fn apparmor_annotations(pod: &Pod, metadata: impl Fn() -> String) -> Vec<(String, String)> {
    const PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";
    let annotations = pod.template["metadata"]["annotations"].entries();
    let mut out = Vec::new();
    for (key, profile) in annotations.into_iter().flatten() {
        let profile = profile.as_str().unwrap_or_default();
        if key.starts_with(PREFIX)
            && profile != "runtime/default"
            && !profile.starts_with("localhost/")
        {
            out.push((
                format!("{}.annotations.{key}", metadata()),
                format!("the AppArmor profile `{profile}` (allowed: `runtime/default`, `localhost/<profile>`)"),
            ));
        }
    }
    out
}

/// Each field of a pod spec the restricted profile forbids, as (field path below the pod
/// spec, what is wrong). Containers are named by name, as `wfk diff` prints them.
fn violations(pod: &View) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod[field] == true {
            out.push((
                field.to_string(),
                format!("`{field}: true` shares the node's namespace"),
            ));
        }
    }
    for volume in pod["volumes"].as_array().into_iter().flatten() {
        let name = volume["name"].as_str().unwrap_or("");
        for (kind, _) in volume.entries().into_iter().flatten() {
            if kind != "name" && !VOLUMES.contains(&kind) {
                out.push((
                    format!("volumes[{name}].{kind}"),
                    format!(
                        "a `{kind}` volume (restricted allows {})",
                        VOLUMES.join(", ")
                    ),
                ));
            }
        }
    }
    let pod_security = &pod["securityContext"];
    security(pod_security, "securityContext", &mut out);
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        for container in pod[list].as_array().into_iter().flatten() {
            let at = format!("{list}[{}]", container["name"].as_str().unwrap_or(""));
            let own = &container["securityContext"];
            security(own, &format!("{at}.securityContext"), &mut out);
            // Set on the pod or on every container.
            let either = |key: &str| {
                if own[key].is_null() {
                    &pod_security[key]
                } else {
                    &own[key]
                }
            };
            // A pod-wide `false` or `Unconfined` is reported once, at the pod.
            if either("runAsNonRoot") != &View::Bool(true) && pod_security["runAsNonRoot"] != false
            {
                out.push((
                    format!("{at}.securityContext.runAsNonRoot"),
                    "`runAsNonRoot` is not `true` for the container or its pod".to_string(),
                ));
            }
            let seccomp = either("seccompProfile");
            if !matches!(
                seccomp["type"].as_str(),
                Some("RuntimeDefault" | "Localhost")
            ) && pod_security["seccompProfile"]["type"] != "Unconfined"
            {
                out.push((
                    format!("{at}.securityContext.seccompProfile"),
                    "the seccomp profile is not `RuntimeDefault` or `Localhost`".to_string(),
                ));
            }
            if own["allowPrivilegeEscalation"] != false {
                out.push((
                    format!("{at}.securityContext.allowPrivilegeEscalation"),
                    "`allowPrivilegeEscalation` is not `false`".to_string(),
                ));
            }
            if own["privileged"] == true {
                out.push((
                    format!("{at}.securityContext.privileged"),
                    "a privileged container".to_string(),
                ));
            }
            let drop = own["capabilities"]["drop"].as_array();
            if !drop.is_some_and(|d| d.iter().any(|c| c == "ALL")) {
                out.push((
                    format!("{at}.securityContext.capabilities.drop"),
                    "capabilities are not dropped (`drop: [ALL]`)".to_string(),
                ));
            }
            for cap in own["capabilities"]["add"].as_array().into_iter().flatten() {
                if cap != "NET_BIND_SERVICE" {
                    out.push((
                        format!("{at}.securityContext.capabilities.add"),
                        format!(
                            "adds the capability `{}` (only `NET_BIND_SERVICE` may be added)",
                            cap.as_str().unwrap_or_default()
                        ),
                    ));
                }
            }
            if own["procMount"].as_str().is_some_and(|m| m != "Default") {
                out.push((
                    format!("{at}.securityContext.procMount"),
                    "an unmasked `/proc`".to_string(),
                ));
            }
            for (i, port) in container["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                if port["hostPort"].as_i64().is_some_and(|p| p != 0) {
                    let name = port["name"].as_str().map_or(i.to_string(), String::from);
                    out.push((
                        format!("{at}.ports[{name}].hostPort"),
                        format!("host port {} binds the node's address", port["hostPort"]),
                    ));
                }
            }
        }
    }
    out
}

/// What a pod's or a container's `securityContext` may not say, whichever sets it.
fn security(context: &View, at: &str, out: &mut Vec<(String, String)>) {
    if context["runAsUser"].as_i64() == Some(0) {
        out.push((
            format!("{at}.runAsUser"),
            "runs as root (`runAsUser: 0`)".to_string(),
        ));
    }
    if context["runAsNonRoot"] == false {
        out.push((
            format!("{at}.runAsNonRoot"),
            "`runAsNonRoot: false`".to_string(),
        ));
    }
    if context["seccompProfile"]["type"] == "Unconfined" {
        out.push((
            format!("{at}.seccompProfile"),
            "an `Unconfined` seccomp profile".to_string(),
        ));
    }
    // Baseline controls, which restricted includes.
    if let Some(kind) = context["appArmorProfile"]["type"].as_str() {
        if !matches!(kind, "RuntimeDefault" | "Localhost") {
            out.push((
                format!("{at}.appArmorProfile"),
                format!(
                    "an AppArmor profile of type `{kind}` (only `RuntimeDefault` or `Localhost`)"
                ),
            ));
        }
    }
    let selinux = &context["seLinuxOptions"];
    if let Some(kind) = selinux["type"].as_str() {
        if !SELINUX_TYPES.contains(&kind) {
            out.push((
                format!("{at}.seLinuxOptions.type"),
                format!(
                    "the SELinux type `{kind}` (only {})",
                    SELINUX_TYPES.join(", ")
                ),
            ));
        }
    }
    for key in ["user", "role"] {
        if selinux[key].as_str().is_some_and(|v| !v.is_empty()) {
            out.push((
                format!("{at}.seLinuxOptions.{key}"),
                format!("a custom SELinux {key}"),
            ));
        }
    }
    if context["windowsOptions"]["hostProcess"] == true {
        out.push((
            format!("{at}.windowsOptions.hostProcess"),
            "a Windows host process".to_string(),
        ));
    }
    for (i, sysctl) in context["sysctls"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let name = sysctl["name"].as_str().unwrap_or_default();
        if !SAFE_SYSCTLS.contains(&name) {
            out.push((
                format!("{at}.sysctls[{i}]"),
                format!("the sysctl `{name}`, which is not in the safe set"),
            ));
        }
    }
}

/// SELinux types the baseline profile allows (an empty type is allowed too).
const SELINUX_TYPES: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// The sysctls the baseline profile allows (Kubernetes 1.29 and later).
const SAFE_SYSCTLS: &[&str] = &[
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
