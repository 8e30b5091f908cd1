#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs into .venv, then checks
# that generated/ is reproducible, runs mypy --strict and ruff over the tree, and pytest (the
# differential tests twice: on the compiled modules and on their pure Python sources).
# DEIDENTIFY_STANDARD_MIRROR names a folder of PS3.15 XML files (default ../shared/standard).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
export DEIDENTIFY_STANDARD_MIRROR="${DEIDENTIFY_STANDARD_MIRROR:-$(cd .. && pwd)/shared/standard}"
if [ -d "$DEIDENTIFY_STANDARD_MIRROR" ]; then
    .venv/bin/python -m compiler build --check
fi
.venv/bin/python -m mypy .
.venv/bin/python -m ruff check .
.venv/bin/python -m pytest -n 2 "$@"
# The compiled modules are under test above; the differential tests once more on their pure
# Python sources, the form installed where no C compiler is (docs/apply.md).
compiled=$(.venv/bin/python -c 'import importlib, deidentify.compiled as c
for name in c.MODULES: importlib.import_module(name)
print(*c.running_compiled())')
if [ "$#" -eq 0 ] && [ -n "$compiled" ]; then
    DEIDENTIFY_PURE_PYTHON=1 .venv/bin/python -m pytest -n 2 -q tests/fastpath tests/structure \
        tests/compiled --ignore=tests/fastpath/test_conformance_cases.py
fi
