"""Slow layer: every valid variant builds, vets, is tidy and passes its own tests.

Each generated service is built exactly as rendered (GOFLAGS=-mod=readonly): a
go.sum line missing or a go.mod requirement out of place fails the build. The
Go module and build caches are the user's, shared by every variant, so only
the first variant pays for compiling the dependencies.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import Render, go_required
from variants import Variant, valid_variants

pytestmark = pytest.mark.slow


def go(root: Path, *args: str, timeout: float = 600) -> str:
    """Run a go command in a generated service; fail with its output."""
    env = {**os.environ, "GOFLAGS": "-mod=readonly"}
    done = subprocess.run(
        [go_required(), *args], cwd=root, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        pytest.fail(f"go {' '.join(args)} failed in {root}:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


@pytest.mark.parametrize("variant", valid_variants(), ids=lambda v: v.id)
def test_variant_builds_and_passes_its_tests(variant: Variant, rendered: Render) -> None:
    root = rendered(variant)
    go(root, "build", "./...")
    go(root, "vet", "./...")
    # -diff prints what tidy would change and fails, without touching the files.
    go(root, "mod", "tidy", "-diff")
    out = go(root, "test", "-race", "-count=1", "./...")
    assert "FAIL" not in out
    assert "ok  " in out, f"no test package ran:\n{out}"
