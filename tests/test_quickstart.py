"""scripts/quickstart.sh leaves a generated service answering /healthz, says how long
that took, and leaves the service a clean git repository."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

import pytest
from ports import free_port
from template_repo import IDENTITY
from variants import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

# A first run may create the venv and download and compile every Go module.
QUICKSTART_WITHIN = 900.0
READY_LINE = "answers on http://localhost:{port}/healthz"


def run_until_healthy(command: str, cwd: Path, env: Mapping[str, str], port: int, log: Path) -> str:
    """Run a quick start command until its service answers /healthz, then stop it.

    Returns everything the command printed. Its output goes to a file: a pipe would
    fill up with Go's lines and stall it.
    """
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", "-c", command],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the service dies with it
        )
        try:
            deadline = time.monotonic() + QUICKSTART_WITHIN
            while not _healthy(port):
                if proc.poll() is not None:
                    pytest.fail(f"`{command}` exited with {proc.returncode}:\n{log.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"no answer on /healthz within {QUICKSTART_WITHIN:.0f} s")
                time.sleep(0.5)
            # The quick start's own report follows the first answer closely.
            ready = READY_LINE.format(port=port)
            until = time.monotonic() + 10
            while ready not in log.read_text() and time.monotonic() < until:
                time.sleep(0.2)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    return log.read_text()


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def quickstart_env(port: int, base: Mapping[str, str] = os.environ) -> dict[str, str]:
    """``base`` with the service's ports, and a git identity for its first commit."""
    return {**base, **IDENTITY, "PORT": str(port), "ADMIN_PORT": str(free_port())}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def check_quickstart_output(output: str, port: int) -> None:
    """Progress while building, and the time it took."""
    assert "quickstart: building notes-service" in output, output
    assert "quickstart: built bin/notes-service in " in output, output
    ready = [line for line in output.splitlines() if READY_LINE.format(port=port) in line]
    assert ready and ready[0].endswith(" s after the quick start began"), output


def check_service_repository(service: Path) -> None:
    """gofactory new made the service a repository; the build left it clean."""
    assert git(service, "rev-parse", "--show-toplevel").strip() == str(service)
    assert len(git(service, "log", "--format=%H").split()) == 1
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""


def test_quickstart_generates_and_starts_a_service(tmp_path: Path) -> None:
    dest = tmp_path / "notes-service"
    port = free_port()
    command = f"bash {REPO_ROOT / 'scripts' / 'quickstart.sh'} {dest}"
    output = run_until_healthy(command, tmp_path, quickstart_env(port), port, tmp_path / "log")
    check_quickstart_output(output, port)
    assert (dest / ".copier-answers.yml").is_file()
    check_service_repository(dest)
