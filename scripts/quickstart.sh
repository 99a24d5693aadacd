#!/usr/bin/env bash
# Sets up gofactory and runs its main job: generates a service with the
# default answers and starts it (Ctrl-C stops it gracefully).
#
#   bash scripts/quickstart.sh [DEST]     DEST defaults to build/notes-service
#
# Needs Python 3.11+ and Go 1.25+ on PATH. Re-running it reuses the venv and,
# if DEST already holds a generated service, starts that service again.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$repo/build/notes-service}

command -v go >/dev/null || { echo "quickstart: Go 1.25 or newer must be on PATH" >&2; exit 1; }
"$repo/scripts/setup-venv.sh"

if [ -f "$dest/.copier-answers.yml" ]; then
  echo "quickstart: $dest already holds a generated service; starting it"
else
  "$repo/.venv/bin/gofactory" new "$dest" --defaults
fi

service=$(sed -n 's/^service_name: //p' "$dest/.copier-answers.yml")
cd "$dest"
echo "quickstart: starting $service on port ${PORT:-8080}; try: curl localhost:${PORT:-8080}/healthz"
exec go run "./cmd/$service"
