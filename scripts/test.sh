#!/usr/bin/env bash
# The one test command: installs what the tests need, then runs every check CI runs.
#   scripts/test.sh
# Installs kubernetes-validate and PyYAML into .venv (git-ignored) on first use. The tests
# find them there; with CI=true a missing tool is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBERNETES_VALIDATE_VERSION=1.37.0
PYYAML_VERSION=6.0.3

if ! .venv/bin/kubernetes-validate --version >/dev/null 2>&1 || ! .venv/bin/python -c 'import yaml' 2>/dev/null; then
    echo "scripts/test.sh: installing kubernetes-validate ${KUBERNETES_VALIDATE_VERSION} and PyYAML into .venv"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check \
        "kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}" "PyYAML==${PYYAML_VERSION}"
fi

cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
# Release, as the README's first command builds it: one build serves both, and the
# hostile-input tests run in the time a user would see.
cargo test --release --quiet
