"""README's first Quick start command leaves a generated service answering /healthz."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from ports import free_port
from variants import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_quickstart_generates_and_starts_a_service(tmp_path: Path) -> None:
    dest = tmp_path / "notes-service"
    port, admin = free_port(), free_port()
    env = {**os.environ, "PORT": str(port), "ADMIN_PORT": str(admin)}
    proc = subprocess.Popen(
        ["bash", str(REPO_ROOT / "scripts" / "quickstart.sh"), str(dest)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: go run and the service die with it
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                    assert resp.status == 200
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the quick start service did not answer /healthz within 300 s")
        assert (dest / ".copier-answers.yml").is_file()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
