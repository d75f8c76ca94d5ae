#!/usr/bin/env bash
# The one test command: installs what the tests need, then runs every check CI runs, and
# ends with one line `N passed, M failed`.
#   scripts/test.sh
# Installs kubernetes-validate, checkov and PyYAML into .venv (git-ignored) on first use. The tests
# find them there; with CI=true a missing tool is a failure, never a skip. What it cannot
# install itself (rustfmt, clippy, Python's venv module, kubectl) it names before it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBERNETES_VALIDATE_VERSION=1.37.0
CHECKOV_VERSION=3.3.30
PYYAML_VERSION=6.0.3

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
