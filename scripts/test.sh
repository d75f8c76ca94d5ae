#!/usr/bin/env bash
# The one test command: installs what the tests need, then runs every check CI runs, and
# ends with one line `N passed, M failed`.
#   scripts/test.sh
# Installs kubernetes-validate, checkov and PyYAML into .venv (git-ignored) on first use, and
# copies into .venv/crds the CRDs that tests/it/crd.rs checks custom resources against. The
# tests find them there; with CI=true a missing tool is a failure, never a skip. What it cannot
# install itself (rustfmt, clippy, Python's venv module, kubectl) it names before it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBERNETES_VALIDATE_VERSION=1.37.0
CHECKOV_VERSION=3.3.30
PYYAML_VERSION=6.0.3
# The crate kopium keeps upstream CRDs among its test files, and cargo fetches a crate's
# sources as it does any dependency's. Each line: a file of those sources, and the sha256 of
# its copy in .venv/crds.
KOPIUM_VERSION=0.24.1
CRDS=(
    # Prometheus Operator 0.89.0
    "tests/servicemonitors.monitoring.coreos.com.yaml 1a1d7c6a06eb3e5dde19b0e3ec59753960f176c9e6d0f5aaa74df7320c60df99"
    "tests/podmonitors.monitoring.coreos.com.yaml 4c5fb72e913daf8050b688a45522cce11ee7cf77769f007b029dcf2006f4ac14"
    # cert-manager 1.19.1
    "tests/certificates.cert-manager.io.yaml 380f1e5cc7b5e5741f64c987c1308f7ec9cbc1cb5ae415031dee4b8c77dce46c"
    # External Secrets, external-secrets.io/v1 only
    "tests/cmd/generate/crds/externalsecrets.external-secrets.io.yaml 540c229faf962b8d0fef05130ec4fd9c0b4714791f65defb74c3962dbc70a5fb"
)

step() { printf '==> %s\n' "$*"; }

missing=()
cargo fmt --version >/dev/null 2>&1 || missing+=("rustfmt (rustup component add rustfmt)")
cargo clippy --version >/dev/null 2>&1 || missing+=("clippy (rustup component add clippy)")
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=("Python's venv module (apt-get install python3-venv)")
command -v kubectl >/dev/null 2>&1 || missing+=("kubectl, with its built-in kustomize")
if ((${#missing[@]})); then
    printf 'scripts/test.sh needs what it cannot install itself:\n' >&2
    printf '  - %s\n' "${missing[@]}" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

installed() {
    [[ "$(.venv/bin/kubernetes-validate --version 2>/dev/null)" == "${KUBERNETES_VALIDATE_VERSION}" ]] &&
        [[ "$(.venv/bin/checkov --version 2>/dev/null)" == "${CHECKOV_VERSION}" ]] &&
        .venv/bin/python -c 'import yaml' 2>/dev/null
}
if ! installed; then
    step "installing kubernetes-validate ${KUBERNETES_VALIDATE_VERSION}, checkov ${CHECKOV_VERSION} and PyYAML into .venv"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check \
        "kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}" "checkov==${CHECKOV_VERSION}" "PyYAML==${PYYAML_VERSION}"
fi

# `sha256sum --check` lines for the copies in .venv/crds.
crd_sums() {
    local line
    for line in "${CRDS[@]}"; do
        printf '%s  .venv/crds/%s\n' "${line#* }" "$(basename "${line%% *}")"
    done
}
if ! crd_sums | sha256sum --check --status 2>/dev/null; then
    step "copying ${#CRDS[@]} CRDs from the sources of the crate kopium ${KOPIUM_VERSION} into .venv/crds"
    # A manifest of its own (the empty [workspace] keeps it out of wfk's) whose metadata
    # makes cargo fetch kopium's sources and say where they are.
    mkdir -p .venv/crd-source/src .venv/crds
    cat >.venv/crd-source/Cargo.toml <<EOF
[package]
name = "crd-source"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
kopium = { version = "=${KOPIUM_VERSION}", default-features = false }

[workspace]
EOF
    : >.venv/crd-source/src/lib.rs
    # Only this machine's dependencies: the others' sources are not needed.
    host=$(rustc -vV | sed -n 's/^host: //p')
    manifest=$(cargo metadata --quiet --format-version 1 --filter-platform "$host" \
        --manifest-path .venv/crd-source/Cargo.toml |
        python3 -c 'import json, sys; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "kopium"))')
    for line in "${CRDS[@]}"; do
        cp "$(dirname "$manifest")/${line%% *}" .venv/crds/
    done
    crd_sums | sha256sum --check --quiet
fi

step "cargo fmt --check"
cargo fmt --check
step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings
# Release, as the README's first command builds it: one build serves both, and the
# hostile-input tests run in the time a user would see.
step "cargo test --release: building"
cargo test --release --no-run
step "cargo test --release: running"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --release --quiet 2>&1 | tee "$log" || status=$?
passed=$(sed -n 's/^test result: .* \([0-9][0-9]*\) passed; \([0-9][0-9]*\) failed.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/^test result: .* \([0-9][0-9]*\) passed; \([0-9][0-9]*\) failed.*/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
if ((status != 0 && failed == 0)); then
    failed=1 # the run failed before it could count (a build error, a crash)
fi
echo "${passed} passed, ${failed} failed"
exit "$status"
