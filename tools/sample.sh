#!/usr/bin/env bash
# The main job on an embedded default: installs the runtime into .venv, then de-identifies a
# sample folder built from pydicom's shipped test files under the Basic Profile, into
# ./sample-output, and prints the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[cli]'
exec .venv/bin/deidentify sample --output sample-output "$@"
