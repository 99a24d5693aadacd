"""Measures the default service: generation time, start-up time, binary size, idle memory.

    .venv/bin/python benchmarks/default_service.py [--runs 10]

Generates the default service with `gofactory new --defaults` (timed), builds it the way
`make build` does, then starts the binary RUNS times with only PORT set and reports the
median time from exec to the first 200 from /readyz, and the resident memory of an idle
process. Figures vary with the machine: compare runs on the same one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SERVICE = "notes-service"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    gofactory = shutil.which("gofactory") or str(Path(sys.executable).parent / "gofactory")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        gen_times = []
        for i in range(5):
            dest = work / f"gen{i}"
            start = time.perf_counter()
            subprocess.run(
                [gofactory, "new", str(dest), "--defaults"], check=True, capture_output=True
            )
            gen_times.append(time.perf_counter() - start)
        root = work / "gen0"

        binary = root / "bin" / SERVICE
        env = {**os.environ, "CGO_ENABLED": "0"}
        subprocess.run(
            ["go", "build", "-trimpath", "-o", str(binary), f"./cmd/{SERVICE}"],
            cwd=root,
            env=env,
            check=True,
        )

        size = binary.stat().st_size
        startups, rss = [], []
        for i in range(args.runs):
            run_dir = work / f"run{i}"
            run_dir.mkdir()
            port = free_port()
            url = f"http://127.0.0.1:{port}/readyz"
            start = time.perf_counter()
            proc = subprocess.Popen(
                [str(binary)], cwd=run_dir, env={"PORT": str(port)}, stdout=subprocess.DEVNULL
            )
            while not ready(url):
                if proc.poll() is not None:
                    raise SystemExit(f"the service exited with {proc.returncode}")
                time.sleep(0.001)
            startups.append(time.perf_counter() - start)
            time.sleep(1)
            rss.append(rss_kib(proc.pid))
            proc.send_signal(signal.SIGTERM)
            if proc.wait(timeout=20) != 0:
                raise SystemExit(f"exit code {proc.returncode} after SIGTERM")

    gen_ms = statistics.median(gen_times) * 1000
    start_ms = [s * 1000 for s in startups]
    print(f"generate (gofactory new --defaults), median of 5: {gen_ms:.0f} ms")
    print(
        f"exec to first 200 from /readyz, median of {args.runs}: "
        f"{statistics.median(start_ms):.1f} ms (min {min(start_ms):.1f}, max {max(start_ms):.1f})"
    )
    print(f"binary size (CGO_ENABLED=0 -trimpath): {size / 1e6:.1f} MB")
    print(
        f"idle RSS 1 s after ready, median of {args.runs}: {statistics.median(rss) / 1024:.1f} MiB"
    )


if __name__ == "__main__":
    main()
