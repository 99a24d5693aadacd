#!/usr/bin/env bash
# Creates (or refreshes) the project's virtual environment in .venv with
# gofactory and the pinned versions of everything it needs: `setup-venv.sh`
# for users, `setup-venv.sh test` for the test suite as well.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
extras=${1:-}

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "setup-venv: Python 3.11 or newer is required ($python is $("$python" --version 2>&1))" >&2; exit 1; }

if [ ! -x "$repo/.venv/bin/python" ]; then
  "$python" -m venv "$repo/.venv"
fi
spec="$repo"
if [ -n "$extras" ]; then
  spec="${repo}[$extras]"
fi
# Install only when pyproject.toml (the one place versions are pinned) changed
# since the last install of these extras: re-running is then instant, and never
# rewrites files that a running test suite uses.
stamp="$repo/.venv/.installed-${extras:-base}"
want=$(sha256sum "$repo/pyproject.toml" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup-venv: installing gofactory${extras:+ with $extras} and the pinned versions of its dependencies into .venv" >&2
  # pip's own lines show the progress (a first install takes a minute or so);
  # those about packages already there are left out.
  "$repo/.venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off -e "$spec" \
    | sed -u '/^Requirement already satisfied/d' >&2
  echo "$want" > "$stamp"
  # Installing extras installs the package itself too.
  echo "$want" > "$repo/.venv/.installed-base"
fi
