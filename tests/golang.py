"""Running the go command in a generated service, failing the test with its output."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import go_required

# A hung Go test fails within this time with every goroutine's stack, well
# before the subprocess timeout of go(), which would show nothing.
GO_TEST_TIMEOUT = "-timeout=5m"


def go(root: Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = 600) -> str:
    """Run a go command in a generated service, exactly as rendered (-mod=readonly)."""
    full_env = {**os.environ, "GOFLAGS": "-mod=readonly", **(env or {})}
    done = subprocess.run(
        [go_required(), *args],
        cwd=root,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        pytest.fail(f"go {' '.join(args)} failed in {root}:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def build_and_test(
    root: Path, tags: tuple[str, ...] = (), env: Mapping[str, str] | None = None
) -> str:
    """Build, vet and run the service's own tests with the race detector.

    With ``tags`` (the integration tag), vet and the tests include the files behind it:
    one run of the unit tests and of the integration tests, which need ``env``."""
    tag_args = ("-tags", ",".join(tags)) if tags else ()
    go(root, "build", "./...")
    go(root, "vet", *tag_args, "./...")
    out = go(root, "test", "-race", "-count=1", GO_TEST_TIMEOUT, *tag_args, "./...", env=env)
    assert "FAIL" not in out
    assert "ok  " in out, f"no test package ran:\n{out}"
    return out
