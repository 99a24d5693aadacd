#!/usr/bin/env bash
# Sets up gofactory and runs its main job: generates a service with the
# default answers, builds it and starts it (Ctrl-C stops it gracefully).
#
#   bash scripts/quickstart.sh [DEST]     DEST defaults to build/notes-service
#
# Needs Python 3.11+ and Go 1.25+ on PATH, and the Python and Go package
# indexes. The first run downloads the service's Go modules and compiles them
# (Go lists each module and package as it goes) and says how long it took until
# the service answered; later runs reuse the venv, Go's caches and, if DEST
# already holds a generated service, that service.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$repo/build/notes-service}
port=${PORT:-8080}

say() { echo "quickstart: $*" >&2; }

command -v go >/dev/null || { echo "quickstart: Go 1.25 or newer must be on PATH" >&2; exit 1; }
"$repo/scripts/setup-venv.sh"

if [ -f "$dest/.copier-answers.yml" ]; then
  say "$dest already holds a generated service; starting it"
else
  "$repo/.venv/bin/gofactory" new "$dest" --defaults
fi

service=$(sed -n 's/^service_name: //p' "$dest/.copier-answers.yml")
cd "$dest"
say "building $service: Go downloads the modules it lacks and lists each package it compiles"
say "(a first run with empty Go caches takes a few minutes; later ones, seconds)"
built=$SECONDS
go build -v -o "bin/$service" "./cmd/$service"
say "built bin/$service in $((SECONDS - built)) s"

# answers_healthz: whether GET /healthz on the service's port answers 200,
# with bash's own /dev/tcp (no curl needed), in a subshell of its own.
answers_healthz() (
  status=''
  exec 9<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&9
  read -r -t 5 status <&9 || true
  [[ $status == "HTTP/"*" 200"* ]]
)

# Reports, once the service answers, how long the whole quick start took. It
# watches this process, which becomes the service itself (exec below), and
# gives up when that exits.
(
  while kill -0 $$ 2>/dev/null; do
    if answers_healthz 2>/dev/null; then
      say "$service answers on http://localhost:$port/healthz, $SECONDS s after the quick start began"
      exit 0
    fi
    sleep 0.2
  done
) &

say "starting $service on port $port; try: curl localhost:$port/healthz"
exec "bin/$service"
