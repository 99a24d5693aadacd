#!/usr/bin/env bash
# Sets up and runs the whole test suite: every test layer (render, generated
# services' builds, lint and tests, end to end, and the lint and type checks
# of the template's own Python). Arguments are passed to pytest, e.g.
#
#   bash scripts/test.sh -m "not slow"     # the fast layer only, in seconds
#
# Needs Python 3.11+ and Go 1.25+ on PATH, and the Go module proxy.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

command -v go >/dev/null || { echo "test: Go 1.25 or newer must be on PATH" >&2; exit 1; }
scripts/setup-venv.sh test,docs
venv=$repo/.venv/bin

# pytest exits 5 when it collected no test: that is a failure, not a pass.
status=0
"$venv/python" -m pytest -n auto "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "test: pytest ran no test" >&2
  exit 1
fi
exit "$status"
