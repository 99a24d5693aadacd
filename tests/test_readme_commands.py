"""README's Quick start, as written: two commands, run in a fresh clone, both succeed.

The first runs the main job (a generated service answers /healthz); the second sets up
and runs the tests, starting by itself the servers they need. To see that it really
starts them, the shared servers (PostgreSQL, MariaDB, Redis, Keycloak) are stopped first, the
command runs with no GOFACTORY_* variable set, and it selects tests that need them all
(test_services.py). Marked ``serial``: scripts/test.sh runs it alone, since the other
tests use those servers. Stopping and starting them needs root, as the README says.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from ports import free_port
from services import SERVICES_SCRIPT, SHARED_SERVERS, services_status
from template_repo import clone_template
from test_quickstart import (
    check_quickstart_output,
    check_service_repository,
    quickstart_env,
    run_until_healthy,
)
from variants import REPO_ROOT

# The narrow selection given to the test command: tests that need every shared server.
SERVER_TESTS = "tests/test_services.py"
TEST_COMMAND_WITHIN = 1200


def quick_start_commands() -> list[str]:
    """The commands of the first code block of README's "Quick start" section."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.partition("\n## Quick start\n")[2].partition("\n## ")[0]
    block = re.search(r"^```(?:bash|sh|console)\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert block, "README's Quick start has no bash code block"
    commands = []
    for line in block.group(1).splitlines():
        command = re.sub(r"(^|\s)#.*$", "", line).strip()
        if command:
            commands.append(command)
    return commands


def test_quick_start_is_two_commands() -> None:
    assert quick_start_commands() == ["bash scripts/quickstart.sh", "bash scripts/test.sh"]


def fresh_environment() -> dict[str, str]:
    """This environment without what the test run itself set up (servers, pytest)."""
    dropped = ("GOFACTORY_", "PYTEST_", "PYTHONPATH", "VIRTUAL_ENV")
    return {key: value for key, value in os.environ.items() if not key.startswith(dropped)}


def states(env: dict[str, str]) -> dict[str, str]:
    return {variable: state for variable, (_, state) in services_status(env).items()}


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.serial
def test_quick_start_commands_work_in_a_fresh_clone(tmp_path: Path) -> None:
    run, test = quick_start_commands()
    clone = clone_template(tmp_path / "gofactory")
    env = fresh_environment()

    port = free_port()
    output = run_until_healthy(run, clone, quickstart_env(port, env), port, tmp_path / "run")
    check_quickstart_output(output, port)
    check_service_repository(clone / "build" / "notes-service")

    stopped = subprocess.run(
        ["bash", "scripts/services.sh", "stop"], cwd=clone, env=env, capture_output=True, text=True
    )
    assert stopped.returncode == 0, stopped.stderr
    everything = {server.ci_env for server in SHARED_SERVERS}
    assert states(env) == dict.fromkeys(everything, "stopped")
    try:
        log = tmp_path / "test.log"
        with log.open("wb") as out:
            done = subprocess.run(
                ["bash", "-c", f"{test} {SERVER_TESTS}"],
                cwd=clone,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=TEST_COMMAND_WITHIN,
            )
        output = log.read_text()
        assert done.returncode == 0, output
        for server in SHARED_SERVERS:
            assert f"services: starting {server.name}" in output, output
        assert re.search(r"\b\d+ passed\b", output), output
        assert states(env) == dict.fromkeys(everything, "running")
    finally:
        # The other tests need the servers, whatever happened here.
        subprocess.run(["bash", str(SERVICES_SCRIPT)], env=env, capture_output=True)
