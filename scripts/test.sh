#!/usr/bin/env bash
# Sets up and runs the test suite: every test layer (render, generated
# services' builds, lint and tests, end to end, and the lint and type checks of
# the template's own Python). Arguments are passed to pytest, e.g.
#
#   bash scripts/test.sh                  # everything
#   bash scripts/test.sh -m "not slow"    # the fast layer only, in seconds
#
# The slow layer needs PostgreSQL, MariaDB, Redis and Keycloak: when the
# selected tests include slow ones, this starts them with scripts/services.sh
# (as root: it installs and starts them), or uses the servers named by
# GOFACTORY_POSTGRES_URL, GOFACTORY_MYSQL_URL, GOFACTORY_REDIS_URL and
# GOFACTORY_KEYCLOAK_URL when they are set. Without root and without those
# variables it stops at once, naming each missing server and its variable.
# The image tests need podman too: scripts/services.sh installs it as root;
# without it they fail, saying what to install.
#
# Tests marked `serial` (they stop and start those servers) run first, alone;
# then the rest, in parallel.
#
# Needs Python 3.11+ and Go 1.25+ on PATH, and the Go module proxy.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

say() { echo "test: $*" >&2; }

command -v go >/dev/null || { say "Go 1.25 or newer must be on PATH"; exit 1; }
scripts/setup-venv.sh test,docs

# tests/suite_plan.py, the plugin that plans the run and selects each phase.
export PYTHONPATH="$repo/tests${PYTHONPATH:+:$PYTHONPATH}"
pytest=("$repo/.venv/bin/python" -m pytest -p suite_plan)

work=$(mktemp -d)
prebuild=
# shellcheck disable=SC2317  # run by the trap
cleanup() {
  if [ -n "$prebuild" ]; then kill "$prebuild" 2>/dev/null || true; wait "$prebuild" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# golangci-lint's cache belongs to this run: a result cached by an earlier run
# names files of that run's generated services, which are gone, so their
# //nolint comments can no longer be read and its findings come back.
export GOLANGCI_LINT_CACHE="$work/golangci-lint"

# Which tests the arguments select, and what they need.
if ! "${pytest[@]}" "$@" -n 0 --collect-only -q --plan "$work/plan" >"$work/collect" 2>&1; then
  cat "$work/collect" >&2
  say "pytest could not collect the tests"
  exit 1
fi
selected=0 alone=0 servers=0
# shellcheck source=/dev/null
source "$work/plan"
if [ "$selected" -eq 0 ]; then
  say "the arguments select no test"
  exit 1
fi

# The Go tools that the selected tests run (tests/tools.py; the plan names them) build
# in the background from now on, while the servers start and the first tests run.
# Each is built once per machine: a later run finds them built.
tools=()
if [ -f "$work/plan.tools" ]; then mapfile -t tools <"$work/plan.tools"; fi
if [ "${#tools[@]}" -gt 0 ]; then
  say "building the tools the tests run, in the background: ${tools[*]}"
  "$repo/.venv/bin/python" -m tools "${tools[@]}" &
  prebuild=$!
fi

if [ "$servers" -eq 1 ]; then
  say "the selected tests include slow ones, which need the servers of scripts/services.sh"
  # Written to a file, then read: a failure inside "$(...)" would be lost, and
  # a file cannot be held open by a server the script started.
  bash scripts/services.sh >"$work/servers"
  # shellcheck source=/dev/null
  source "$work/servers"
fi

# run PHASE ARGS...: one pytest run; "no test ran" (exit 5) is a failure too.
status=0
run() {
  local phase=$1 code=0
  shift
  "${pytest[@]}" "$@" --phase "$phase" || code=$?
  if [ "$code" -eq 5 ]; then
    say "pytest ran no test in the $phase phase"
    code=1
  fi
  if [ "$code" -ne 0 ]; then status=$code; fi
}

if [ "$alone" -gt 0 ]; then
  say "$alone test(s) that stop and start the shared servers run first, alone"
  run alone "$@" -n 0
fi
if [ "$selected" -gt "$alone" ]; then
  run shared -n auto "$@"
fi
exit "$status"
