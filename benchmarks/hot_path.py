"""Measures the hot path of the default service against a bare net/http server.

    .venv/bin/python benchmarks/hot_path.py [--runs 3] [--duration 10] [--connections 50]

Needs wrk (Debian package `wrk`).

It generates the default service (SQLite, metrics and tracing on) with cache=none, the
default, and with cache=memory, builds each as `make build` does, and a bare net/http
server (benchmarks/bare.py) that answers every request with fixed bytes. The services
run in the prod profile, so traces are sampled as prod samples them by default, with
their logs at warn; one more configuration has the access log on (LOG_LEVEL=info),
to show what a log line per request costs. Logs go to /dev/null: a pipe to a container
runtime's log driver costs more.

In each of RUNS rounds, wrk drives one after the other, for DURATION seconds each:
  GET /healthz                on the service and on the bare server answering its bytes;
  GET /api/v1/notes/{id}      on cache=none, cache=memory (log at warn and at info) and
                              on the bare server answering the note's bytes.
Rounds interleave the targets, so that a change in the machine's load touches all of
them. It reports, per target, the median over the rounds of the request rate and p99,
and the rate as a share of the bare server's. wrk and the servers share the machine:
compare figures of one run only.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from bare import build_bare, create_note, start_bare  # noqa: E402
from latency import build, load_arguments, median, serve, wrk  # noqa: E402
from ports import free_port  # noqa: E402
from variants import copy_template  # noqa: E402

# name -> (cache answer, extra environment)
SERVICES = {
    "cache=none": ("none", {}),
    "cache=memory": ("memory", {}),
    "cache=memory, access log": ("memory", {"LOG_LEVEL": "info"}),
}


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url) as resp:
        body: bytes = resp.read()
        return body


def main() -> int:
    args = load_arguments(__doc__.splitlines()[0])
    if shutil.which("wrk") is None:
        print("hot_path: needs wrk (apt-get install wrk)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="gofactory-hot-path-") as tmp:
        work = Path(tmp)
        template = copy_template(work / "template")
        binaries = {c: build(template, work, {"cache": c}) for c in ("none", "memory")}
        bare_binary = build_bare(work)

        procs = []
        targets: dict[str, tuple[str, str]] = {}  # name -> (url, the bare target to compare with)
        try:
            for i, (name, (cache, extra)) in enumerate(SERVICES.items()):
                env = {
                    "APP_ENV": "prod",
                    "MIGRATE_ON_START": "true",
                    "DATABASE_URL": f"file:{work}/hot-path-{i}.db",
                    **extra,
                }
                proc, base = serve(binaries[cache], work, env)
                procs.append(proc)
                note = create_note(base, "read me")
                if i == 0:
                    targets["GET /healthz"] = (base + "/healthz", "GET /healthz, bare")
                    (work / "healthz.json").write_bytes(fetch(base + "/healthz"))
                    (work / "note.json").write_bytes(fetch(f"{base}/api/v1/notes/{note['id']}"))
                targets[f"GET note, {name}"] = (
                    f"{base}/api/v1/notes/{note['id']}",
                    "GET note, bare",
                )
            for name, body in (("GET /healthz, bare", "healthz"), ("GET note, bare", "note")):
                proc, url = start_bare(bare_binary, work / f"{body}.json", free_port())
                procs.append(proc)
                targets[name] = (url, name)

            runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
            for _ in range(args.runs):
                for name, (url, _) in targets.items():
                    runs[name].append(wrk(url, args.connections, args.duration, None))
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=30)

        results = {name: median(r) for name, r in runs.items()}
        load = f"wrk -t2 -c{args.connections} -d{args.duration}s"
        print(f"{load}, median of {args.runs} rounds")
        for name, (_, bare) in targets.items():
            r = results[name]
            share = r["rps"] / results[bare]["rps"]
            print(
                f"  {name:34} {r['rps']:8.0f} req/s  {share:5.2f} of bare"
                f"  p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
