"""Writes a wfk project as a plain kustomize tree, from wfk's own render (stdlib only).

The tree is laid out as seed 001 lays out its deployment:

    base/kustomization.yaml                 every object of the base render
    base/namespace.yaml, serviceaccount.yaml, configmap.yaml, ingress.yaml, networkpolicy.yaml
    base/<component>/deployment.yaml, service.yaml, hpa.yaml, pdb.yaml, ...
    overlays/<environment>/kustomization.yaml
    overlays/<environment>/patches/*.yaml   one JSON 6902 patch per object that differs,
                                            or a `$patch: delete` for one the environment drops
    overlays/<environment>/resources/*.yaml objects only the environment has

The base is `wfk render` of the platform with an empty overlay (the platform's own values
and the namespace named after the platform); each environment is `namespace:` plus patches
for exactly what its render changes. So `kubectl kustomize overlays/<environment>` renders
the objects `wfk render <env>` renders (same kinds, names and fields; kustomize orders them
its own way).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# wfk environment name -> kustomize overlay folder, as seed 001 names them.
OVERLAY_NAMES = {"dev": "development", "staging": "staging", "prod": "production"}

# The environment whose overlay is empty: the platform's own values.
BASE_ENV = "wfk-kustomize-base"

# File names in base/, per kind, as seed 001 names them.
KIND_FILES = {
    "Namespace": "namespace",
    "ServiceAccount": "serviceaccount",
    "ConfigMap": "configmap",
    "Secret": "secrets",
    "Ingress": "ingress",
    "Deployment": "deployment",
    "StatefulSet": "statefulset",
    "Service": "service",
    "HorizontalPodAutoscaler": "hpa",
    "PodDisruptionBudget": "pdb",
    "NetworkPolicy": "networkpolicy",
    "Job": "job",
    "CronJob": "cronjob",
    "Role": "role",
    "RoleBinding": "rolebinding",
    "PersistentVolumeClaim": "pvc",
    "StorageClass": "storageclass",
}

COMPONENT_LABEL = "app.kubernetes.io/name"


# --- YAML out ------------------------------------------------------------------------------

_PLAIN = re.compile(r"(\.\./)*[A-Za-z0-9$][A-Za-z0-9_.\-/]*\Z")
_NUMBERISH = re.compile(
    r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?\Z|0[xXoObB][0-9A-Fa-f_]+\Z"
)
_WORDS = {
    "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
}  # fmt: skip


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.match(text) and not _NUMBERISH.match(text) and text.lower() not in _WORDS:
        return text
    # A JSON string is a YAML double-quoted scalar: every reader reads it back as a string.
    return json.dumps(text, ensure_ascii=False)


def _lines(value, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            k = _scalar(str(key))
            if isinstance(item, dict) and item:
                out.append(f"{pad}{k}:")
                _lines(item, indent + 2, out)
            elif isinstance(item, list) and item:
                out.append(f"{pad}{k}:")
                _lines(item, indent, out)
            else:
                out.append(f"{pad}{k}: {_flow(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and item:
                inner: list[str] = []
                _lines(item, indent + 2, inner)
                first = inner[0][indent + 2 :]
                out.append(f"{pad}- {first}")
                out.extend(inner[1:])
            else:
                out.append(f"{pad}- {_flow(item)}")
    else:
        out.append(pad + _scalar(value))


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def dump(value, comment: str | None = None) -> str:
    """One YAML document: block style, keys in their order, strings quoted when a YAML 1.1
    reader could retype them."""
    out: list[str] = []
    if comment:
        out.extend(f"# {line}".rstrip() for line in comment.splitlines())
    _lines(value, 0, out)
    return "\n".join(out) + "\n"


def dump_all(values) -> str:
    return "---\n".join(dump(v) for v in values)


# --- rendering ------------------------------------------------------------------------------


def render(wfk: str, project: Path, env: str) -> list[dict]:
    out = subprocess.run(
        [wfk, "--dir", str(project), "render", env, "-o", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    doc = json.loads(out)
    return doc["items"] if doc.get("kind") == "List" else [doc]


def render_base(wfk: str, project: Path) -> list[dict]:
    """The platform with an empty overlay: a copy of the project with one more overlay."""
    with tempfile.TemporaryDirectory(prefix="wfk-kustomize-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".git", "target", "bench"))
        (copy / "overlays").mkdir(exist_ok=True)
        (copy / "overlays" / f"{BASE_ENV}.yaml").write_text("{}\n")
        return render(wfk, copy, BASE_ENV)


# --- diff -> JSON 6902 ----------------------------------------------------------------------


def _pointer(parts) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def json_patch(old, new, path=()) -> list[dict]:
    """Operations that turn `old` into `new`. Maps are compared key by key; lists of the
    same length element by element; anything else is replaced whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        ops: list[dict] = []
        for key in old:
            if key not in new:
                ops.append({"op": "remove", "path": _pointer(path + (key,))})
        for key, value in new.items():
            if key not in old:
                ops.append({"op": "add", "path": _pointer(path + (key,)), "value": value})
            else:
                ops.extend(json_patch(old[key], value, path + (key,)))
        return ops
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        ops = []
        for i, (a, b) in enumerate(zip(old, new)):
            ops.extend(json_patch(a, b, path + (i,)))
        return ops
    if old == new and type(old) is type(new):
        return []
    return [{"op": "replace", "path": _pointer(path), "value": new}]


def _namespace_of(objects: list[dict]) -> str | None:
    for o in objects:
        if o.get("kind") == "Namespace":
            return o["metadata"]["name"]
    for o in objects:
        ns = o.get("metadata", {}).get("namespace")
        if ns:
            return ns
    return None


def _as_base(obj: dict, env_ns: str | None, base_ns: str | None) -> dict:
    """`obj` with the environment's namespace put back to the base's: the overlay's
    `namespace:` field sets it, so patches must not."""
    obj = json.loads(json.dumps(obj))
    meta = obj.setdefault("metadata", {})
    if env_ns and base_ns:
        if obj.get("kind") == "Namespace" and meta.get("name") == env_ns:
            meta["name"] = base_ns
        if meta.get("namespace") == env_ns:
            meta["namespace"] = base_ns
    return obj


def _key(obj: dict) -> tuple[str, str, str]:
    return (obj.get("apiVersion", ""), obj["kind"], obj["metadata"]["name"])


def _slug(obj: dict) -> str:
    return f"{KIND_FILES.get(obj['kind'], obj['kind'].lower())}-{obj['metadata']['name']}"


# --- the tree ------------------------------------------------------------------------------

KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}


def write_base(objects: list[dict], base: Path, platform: str) -> None:
    """base/: platform-wide objects at the top, one folder per component."""
    files: dict[str, list[dict]] = {}
    for obj in objects:
        labels = obj.get("metadata", {}).get("labels", {})
        component = labels.get(COMPONENT_LABEL)
        stem = KIND_FILES.get(obj["kind"], obj["kind"].lower())
        rel = f"{component}/{stem}.yaml" if component else f"{stem}.yaml"
        files.setdefault(rel, []).append(obj)
    base.mkdir(parents=True)
    for rel, objs in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_all(objs))
    top = sorted((r for r in files if "/" not in r), key=_top_order)
    nested = sorted(r for r in files if "/" in r)
    kustomization = dict(KUSTOMIZATION)
    kustomization["resources"] = top + nested
    (base / "kustomization.yaml").write_text(
        dump(kustomization, comment=f"{platform}: every object of `wfk render` with an empty overlay.")
    )


def _top_order(rel: str) -> tuple[int, str]:
    order = ["namespace", "serviceaccount", "configmap", "secrets", "ingress", "networkpolicy"]
    stem = rel.removesuffix(".yaml")
    return (order.index(stem) if stem in order else len(order), rel)


def write_overlay(
    base_objects: list[dict], env_objects: list[dict], folder: Path, env: str, platform: str
) -> dict:
    base_ns, env_ns = _namespace_of(base_objects), _namespace_of(env_objects)
    base_by_key = {_key(o): o for o in base_objects}
    env_by_key = {}
    for o in env_objects:
        o = _as_base(o, env_ns, base_ns)
        env_by_key[_key(o)] = o
    folder.mkdir(parents=True)
    kustomization = dict(KUSTOMIZATION)
    if env_ns and env_ns != base_ns:
        kustomization["namespace"] = env_ns
    resources = ["../../base"]
    patches = []
    stats = {"patched": 0, "deleted": 0, "added": 0, "operations": 0}
    for key, old in base_by_key.items():
        new = env_by_key.get(key)
        if new is None:
            rel = f"patches/delete-{_slug(old)}.yaml"
            stub = {
                "apiVersion": old["apiVersion"],
                "kind": old["kind"],
                "metadata": {"name": old["metadata"]["name"]},
                "$patch": "delete",
            }
            if "namespace" in old["metadata"]:
                stub["metadata"]["namespace"] = old["metadata"]["namespace"]
            _write(folder / rel, dump(stub, comment=f"{env}: no {old['kind']} {old['metadata']['name']}."))
            patches.append({"path": rel})
            stats["deleted"] += 1
            continue
        ops = json_patch(old, new)
        if not ops:
            continue
        rel = f"patches/{_slug(old)}.yaml"
        _write(folder / rel, dump(ops, comment=f"{env}: {old['kind']} {old['metadata']['name']}, as `wfk render {env}` differs from the base."))
        group, _, version = old["apiVersion"].rpartition("/")
        target = {"kind": old["kind"], "name": old["metadata"]["name"]}
        if group:
            target = {"group": group, "version": version, **target}
        else:
            target = {"version": version, **target}
        patches.append({"path": rel, "target": target})
        stats["patched"] += 1
        stats["operations"] += len(ops)
    for key, new in env_by_key.items():
        if key not in base_by_key:
            rel = f"resources/{_slug(new)}.yaml"
            _write(folder / rel, dump(new, comment=f"{env} only."))
            resources.append(rel)
            stats["added"] += 1
    kustomization["resources"] = resources
    if patches:
        kustomization["patches"] = patches
    (folder / "kustomization.yaml").write_text(
        dump(kustomization, comment=f"{platform} {env}: the base, in namespace {env_ns}, with the differences of `wfk render {env}`.")
    )
    return stats


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def write_tree(wfk: str, project: Path, envs: list[str], out: Path) -> dict:
    """Writes `out/base` and `out/overlays/<name>` for each of `envs`; returns statistics."""
    base_objects = render_base(wfk, project)
    platform = next(
        (o["metadata"]["labels"].get("app.kubernetes.io/part-of") for o in base_objects if o.get("metadata", {}).get("labels")),
        "platform",
    )
    if out.exists():
        shutil.rmtree(out)
    write_base(base_objects, out / "base", platform)
    stats = {}
    for env in envs:
        name = OVERLAY_NAMES.get(env, env)
        stats[env] = write_overlay(base_objects, render(wfk, project, env), out / "overlays" / name, env, platform)
    return stats


def count_lines(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for f in files:
            if f.endswith(".yaml"):
                with open(os.path.join(root, f), encoding="utf-8") as fh:
                    total += sum(1 for _ in fh)
    return total
