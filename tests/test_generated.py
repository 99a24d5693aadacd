"""Slow layer: every variant of the pairwise matrix builds, vets, is tidy and passes its tests.

The variants are ``gofactory matrix``'s (see variants.py): every pair of choices of two
questions appears in one of them, with the all-minimal and all-maximal variants. Each
generated service is built exactly as rendered (GOFLAGS=-mod=readonly): a go.sum line
missing or a go.mod requirement out of place fails the build. Then its own tests run
with the race detector, in one go test with its integration tests when it has them,
against the real servers its answers call for (services.py), which scripts/test.sh
starts. The Go module and build caches
are the user's, shared by every variant, so only the first variant pays for compiling
the dependencies. (Render and gofmt of the same variants: test_render.py; lint:
test_tooling.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Render
from golang import build_and_test, go
from services import (
    INTEGRATION_TAG,
    has_integration_tests,
    required_servers,
    server_environment,
)
from variants import Variant, valid_variants

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("variant", valid_variants(), ids=lambda v: v.id)
def test_variant_builds_and_passes_its_tests(variant: Variant, rendered: Render) -> None:
    root = rendered(variant)
    # -diff prints what tidy would change and fails, without touching the files.
    go(root, "mod", "tidy", "-diff")
    tags, env = integration_setup(variant, root)
    build_and_test(root, tags, env)


def integration_setup(variant: Variant, root: Path) -> tuple[tuple[str, ...], dict[str, str]]:
    """The build tags and environment of the variant's tests: with integration tests, their
    tag and the addresses of the servers its answers call for (the unit tests run in the
    same go test, once)."""
    servers = required_servers(variant.answers)
    present = has_integration_tests(root)
    if servers and not present:
        names = ", ".join(server.name for server in servers)
        pytest.fail(f"{variant.id} uses {names} but has no //go:build {INTEGRATION_TAG} test")
    if not present:
        return (), {}
    env, missing = server_environment(servers)
    if missing:
        wanted = ", ".join(f"{server.name} ({server.ci_env})" for server in missing)
        pytest.fail(
            f"no address for {wanted}: run scripts/test.sh (as root it starts them), "
            "or set the variables to servers of your own"
        )
    return (INTEGRATION_TAG,), env
