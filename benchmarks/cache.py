"""Measures what the cache buys on the hot read path of the notes API.

    .venv/bin/python benchmarks/cache.py [--runs 3] [--duration 10] [--connections 50]

Needs wrk (Debian package `wrk`) and, for cache=redis, a Redis named by
GOFACTORY_REDIS_URL (`eval "$(bash scripts/services.sh)"` starts one).

It generates the default service (SQLite) with cache=none, memory and redis, builds
each as `make build` does, and a bare net/http server that answers every request with
the bytes of one note. Then, in one run, it drives `GET /api/v1/notes/{id}` of one note
with wrk on each: the bare server, cache=none, cache=memory, and cache=redis with its
in-process L1 on and off; it reports the median request rate and p99 over RUNS runs,
and each rate as a share of the bare server's.

Then the hit ratio under a Zipf-like mix: 10,000 notes, read by ids drawn with
probability proportional to 1/rank (s=1), with an in-process bound of 1,000 entries
(CACHE_MAX_ENTRIES), from the service's own cache_hits_total and cache_misses_total.

Last, the memory 10,000 cached notes take: the live heap after a collection
(/debug/pprof/heap?gc=1, then go_memstats_heap_alloc_bytes) of cache=memory less that of
cache=none, after each has created and read the same 10,000 notes.
wrk, the services and Redis share the machine: compare figures from one run only.
"""

from __future__ import annotations

import os
import re
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

# Picks one of the ids in ids.txt per request, rank k with probability ~ 1/k. wrk runs
# LuaJIT (Lua 5.1): no // operator.
ZIPF_SCRIPT = """
local ids, cdf = {}, {}
for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
local total = 0
for k = 1, #ids do total = total + 1 / k; cdf[k] = total end
math.randomseed(%(seed)d)
request = function()
  local r, lo, hi = math.random() * total, 1, #ids
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < r then lo = mid + 1 else hi = mid end
  end
  return wrk.format("GET", "/api/v1/notes/" .. ids[lo])
end
"""
NOTES = 10_000


def scrape(admin: str) -> dict[str, float]:
    with urllib.request.urlopen(admin + "/metrics") as resp:
        text = resp.read().decode()
    found: dict[str, float] = {}
    for name in ("cache_hits_total", "cache_misses_total"):
        found[name] = sum(float(v) for v in re.findall(rf"^{name}{{[^}}]*}} (\S+)$", text, re.M))
    return found


def heap_after_gc(admin: str, token: str) -> float:
    """The live heap: the profile handler collects garbage first when asked with gc=1."""
    req = urllib.request.Request(
        admin + "/debug/pprof/heap?gc=1", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(req) as resp:
        resp.read()
    with urllib.request.urlopen(admin + "/metrics") as resp:
        text = resp.read().decode()
    found = re.search(r"^go_memstats_heap_alloc_bytes (\S+)$", text, re.M)
    if found is None:
        raise RuntimeError("no go_memstats_heap_alloc_bytes in /metrics")
    return float(found.group(1))


def footprint(binary: Path, work: Path, cache: str) -> float:
    """The live heap of a service that has created and read NOTES notes once each."""
    admin_port = free_port()
    token = "benchmark-admin-token"
    env = {
        "APP_ENV": "prod",
        "MIGRATE_ON_START": "true",
        "CACHE_MAX_ENTRIES": str(NOTES),
        "DATABASE_URL": f"file:{work}/footprint-{cache}.db",
        "ADMIN_PORT": str(admin_port),
        "ADMIN_TOKEN": token,
    }
    proc, base = serve(binary, work, env)
    try:
        for i in range(NOTES):
            note = create_note(base, f"note {i}")
            with urllib.request.urlopen(f"{base}/api/v1/notes/{note['id']}") as resp:
                resp.read()
        return heap_after_gc(f"http://127.0.0.1:{admin_port}", token)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> int:
    args = load_arguments(__doc__.splitlines()[0])
    redis_url = os.environ.get("GOFACTORY_REDIS_URL", "")
    if shutil.which("wrk") is None or not redis_url:
        print("cache: needs wrk and GOFACTORY_REDIS_URL", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="gofactory-cache-") as tmp:
        work = Path(tmp)
        template = copy_template(work / "template")
        binaries = {c: build(template, work, {"cache": c}) for c in ("none", "memory", "redis")}
        bare_binary = build_bare(work)

        configs = {
            "cache=none": ("none", {}),
            "cache=memory": ("memory", {}),
            "cache=redis, L1 on": ("redis", {"CACHE_URL": redis_url}),
            "cache=redis, L1 off": ("redis", {"CACHE_URL": redis_url, "CACHE_MAX_ENTRIES": "0"}),
        }
        results: dict[str, dict[str, float]] = {}
        body = work / "note.json"
        for name, (cache, extra) in configs.items():
            env = {"APP_ENV": "prod", "MIGRATE_ON_START": "true", **extra}
            env["DATABASE_URL"] = f"file:{work}/{cache}-{len(results)}.db"
            proc, base = serve(binaries[cache], work, env)
            try:
                note = create_note(base, "read me")
                url = f"{base}/api/v1/notes/{note['id']}"
                with urllib.request.urlopen(url) as resp:
                    body.write_bytes(resp.read())
                runs = [wrk(url, args.connections, args.duration, None) for _ in range(args.runs)]
                results[name] = median(runs)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        bare, url = start_bare(bare_binary, body, free_port())
        try:
            runs = [wrk(url, args.connections, args.duration, None) for _ in range(args.runs)]
            results["bare net/http"] = median(runs)
        finally:
            bare.terminate()
            bare.wait(timeout=30)

        bare_rps = results["bare net/http"]["rps"]
        load = f"wrk -t2 -c{args.connections} -d{args.duration}s"
        print(f"GET one note, {load}, median of {args.runs}")
        for name in ("bare net/http", *configs):
            r = results[name]
            print(
                f"  {name:22} {r['rps']:8.0f} req/s  {r['rps'] / bare_rps:5.2f} of bare"
                f"  p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms"
            )

        print(f"Zipf-like mix over {NOTES} notes, CACHE_MAX_ENTRIES=1000")
        for name, (cache, extra) in configs.items():
            if cache == "none" or extra.get("CACHE_MAX_ENTRIES") == "0":
                continue
            admin_port = free_port()
            env = {
                "APP_ENV": "prod",
                "MIGRATE_ON_START": "true",
                "CACHE_MAX_ENTRIES": "1000",
                "DATABASE_URL": f"file:{work}/zipf-{cache}.db",
                **{k: v for k, v in extra.items() if k != "CACHE_MAX_ENTRIES"},
                "ADMIN_PORT": str(admin_port),
            }
            proc, base = serve(binaries[cache], work, env)
            try:
                ids = [str(create_note(base, f"note {i}")["id"]) for i in range(NOTES)]
                (work / "ids.txt").write_text("\n".join(ids) + "\n", encoding="utf-8")
                script = work / "zipf.lua"
                script.write_text(
                    ZIPF_SCRIPT % {"ids": work / "ids.txt", "seed": 42}, encoding="utf-8"
                )
                admin = f"http://127.0.0.1:{admin_port}"
                before = scrape(admin)
                r = wrk(base + "/", args.connections, args.duration, script)
                after = scrape(admin)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            hits = after["cache_hits_total"] - before["cache_hits_total"]
            misses = after["cache_misses_total"] - before["cache_misses_total"]
            print(
                f"  {name:22} hit ratio {hits / (hits + misses):.3f}"
                f"  ({hits + misses:.0f} reads)  {r['rps']:8.0f} req/s  p99 {r['p99_ms']:6.2f} ms"
            )

        none, memory = (footprint(binaries[c], work, c) for c in ("none", "memory"))
        print(f"Live heap after creating and reading {NOTES} notes")
        print(f"  cache=none {none / 2**20:6.1f} MiB  cache=memory {memory / 2**20:6.1f} MiB")
        print(f"  {(memory - none) / 2**20:.1f} MiB for {NOTES} cached notes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
