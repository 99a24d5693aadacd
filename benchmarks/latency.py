"""Measures request latency of the notes API on SQLite and on PostgreSQL, under load.

    .venv/bin/python benchmarks/latency.py [--runs 3] [--duration 10] [--connections 50]

For each engine it generates the service (default answers, `database` set), builds it
as `make build` does, starts it (PostgreSQL: on a private server of its own, see
tests/dbservers.py) with the default pool settings, and runs wrk (Debian package
`wrk`) with CONNECTIONS connections for DURATION seconds against
`GET /api/v1/notes/{id}` and `POST /api/v1/notes`, RUNS times each. It reports the
median over the runs of wrk's p50 and p99 latency and of its request rate. wrk, the
service and the database share the machine: compare figures from the same machine only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from dbservers import private_postgres  # noqa: E402
from ports import free_port  # noqa: E402
from variants import copy_template, render  # noqa: E402

SERVICE = "notes-service"
POST_SCRIPT = """wrk.method = "POST"
wrk.body = '{"title":"benchmark","body":"a note written under load"}'
wrk.headers["Content-Type"] = "application/json"
"""
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url: str, connections: int, duration: int, script: Path | None) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if script is not None:
        cmd[1:1] = ["-s", str(script)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    figures = {}
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if m is None:
            raise RuntimeError(f"no p{pct} in wrk's output:\n{out}")
        figures[f"p{pct}_ms"] = float(m.group(1)) * UNITS[m.group(2)]
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if rate is None:
        raise RuntimeError(f"no request rate in wrk's output:\n{out}")
    if errors is not None:
        raise RuntimeError(f"{errors.group(1)} failed requests:\n{out}")
    figures["rps"] = float(rate.group(1))
    return figures


def build(template: Path, workdir: Path, answers: dict[str, str]) -> Path:
    """Renders the service with answers and builds it as `make build` does."""
    name = "-".join(f"{k}-{v}" for k, v in answers.items())
    root = render(template, workdir / f"{SERVICE}-{name}", answers)
    binary = root / "bin" / SERVICE
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly"}
    subprocess.run(
        ["go", "build", "-trimpath", "-o", str(binary), f"./cmd/{SERVICE}"],
        cwd=root,
        env=env,
        check=True,
    )
    return binary


def serve(binary: Path, workdir: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(binary)],
        cwd=workdir,
        # Production settings: JSON logs at warn, so that logging does not dominate.
        env={"PORT": str(port), "ADMIN_PORT": str(free_port()), "LOG_LEVEL": "warn", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(500):
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=1) as resp:
                if resp.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.02)
    proc.kill()
    raise RuntimeError("the service did not become ready")


def measure(base: str, args: argparse.Namespace, post: Path) -> dict[str, dict[str, float]]:
    req = urllib.request.Request(
        base + "/api/v1/notes",
        data=b'{"title":"read me"}',
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req) as resp:
        note_id = json.load(resp)["id"]
    runs: dict[str, list[dict[str, float]]] = {
        "GET /api/v1/notes/{id}": [],
        "POST /api/v1/notes": [],
    }
    for _ in range(args.runs):
        runs["GET /api/v1/notes/{id}"].append(
            wrk(f"{base}/api/v1/notes/{note_id}", args.connections, args.duration, None)
        )
        runs["POST /api/v1/notes"].append(
            wrk(f"{base}/api/v1/notes", args.connections, args.duration, post)
        )
    return {name: median(results) for name, results in runs.items()}


def median(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the runs."""
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def load_arguments(description: str) -> argparse.Namespace:
    """The load options every benchmark here takes: --runs, --duration, --connections."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    return parser.parse_args()


def main() -> int:
    args = load_arguments(__doc__.splitlines()[0])
    if shutil.which("wrk") is None:
        print("latency: needs wrk (apt-get install wrk)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="gofactory-latency-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        template = copy_template(work / "template")
        post = work / "post.lua"
        post.write_text(POST_SCRIPT, encoding="utf-8")
        for database in ("sqlite", "postgres"):
            binary = build(template, work, {"database": database})
            env = {"APP_ENV": "prod", "MIGRATE_ON_START": "true"}
            if database == "postgres":
                server = stack.enter_context(private_postgres(work / "pg"))
                env["DATABASE_URL"] = server.url
            else:
                env["DATABASE_URL"] = f"file:{work}/bench.db"
            proc, base = serve(binary, work, env)
            try:
                results = measure(base, args, post)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            for name, r in results.items():
                print(
                    f"{database:8} {name:24} p50 {r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms"
                    f"  {r['rps']:8.0f} req/s  (median of {args.runs}, wrk -c{args.connections}"
                    f" -d{args.duration}s)"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
