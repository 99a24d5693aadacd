"""The shared servers: scripts/services.sh starts every server a variant needs, and each
one answers at its variable's address with the login the tests use.

The slow tests here need only the servers, so a narrow run of scripts/test.sh (this
file) exercises the start of the servers from nothing (test_readme_commands.py).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

import pytest
from dbservers import mariadb, psql
from services import (
    KEYCLOAK,
    MARIADB,
    POSTGRES,
    REDIS,
    SERVICES_SCRIPT,
    SHARED_SERVERS,
    Server,
    required_servers,
    services_status,
)
from variants import valid_variants


def redis_cli(url: str, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["redis-cli", "-u", url, "--no-auth-warning", *command.split()],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )


def keycloak_login(url: str, _: str) -> subprocess.CompletedProcess[str]:
    """Logs in to the master realm as the admin the URL names: "1" once it has a token."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    form = {
        "grant_type": "password",
        "client_id": "admin-cli",
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
    }
    fields: list[str] = []
    for name, value in form.items():
        fields += ["--data-urlencode", f"{name}={value}"]
    token_url = f"{parts.scheme}://{host}/realms/master/protocol/openid-connect/token"
    return subprocess.run(
        ["curl", "-fsS", "--max-time", "30", "-o", "/dev/null", "-w", "1", *fields, token_url],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


CLIENTS: dict[Server, Callable[[str, str], subprocess.CompletedProcess[str]]] = {
    POSTGRES: psql,
    MARIADB: mariadb,
    REDIS: redis_cli,
    KEYCLOAK: keycloak_login,
}
# What each client sends: the answer must be "1".
PROBES = {REDIS: "ECHO 1"}


def test_services_script_starts_the_shared_servers() -> None:
    status = services_status()
    assert list(status) == [server.ci_env for server in SHARED_SERVERS]
    assert [name for name, _ in status.values()] == [server.name for server in SHARED_SERVERS]


def test_every_server_a_variant_needs_is_shared() -> None:
    needed = {server for v in valid_variants() for server in required_servers(v.answers)}
    assert needed, "no variant needs a server: the slow layer tests no integration"
    assert needed <= set(SHARED_SERVERS), needed - set(SHARED_SERVERS)


def start_without_root(**variables: str) -> subprocess.CompletedProcess[str]:
    """``services.sh start`` as a user other than root, with only these variables set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOFACTORY_")}
    # The script on standard input: the user need not be able to read this checkout.
    command = ["bash", "-s", "--", "start"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "nobody", "--", *command]
    return subprocess.run(
        command,
        input=SERVICES_SCRIPT.read_text(encoding="utf-8"),
        env={**env, **variables},
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_root_the_start_fails_naming_each_missing_server() -> None:
    done = start_without_root()
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    for server in SHARED_SERVERS:
        assert f"{server.name} ({server.ci_env})" in done.stderr


def test_without_root_the_servers_of_the_variables_are_used() -> None:
    given = {server.ci_env: f"{server.name.lower()}://elsewhere/db" for server in SHARED_SERVERS}
    done = start_without_root(**given)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"export {var}='{url}'" for var, url in given.items()]

    partial = start_without_root(**{POSTGRES.ci_env: given[POSTGRES.ci_env]})
    assert partial.returncode == 1
    assert f"{MARIADB.name} ({MARIADB.ci_env})" in partial.stderr
    assert POSTGRES.ci_env not in partial.stderr


@pytest.mark.slow
@pytest.mark.parametrize("server", SHARED_SERVERS, ids=lambda server: server.name)
def test_shared_server_answers(server: Server) -> None:
    url = os.environ.get(server.ci_env)
    if not url:
        pytest.fail(
            f"{server.name} is needed: set {server.ci_env} to its URL, or run the tests "
            "with scripts/test.sh as root, which installs and starts it"
        )
    done = CLIENTS[server](url, PROBES.get(server, "SELECT 1"))
    assert done.returncode == 0, f"{server.name} at {server.ci_env}: {done.stderr}"
    assert done.stdout.strip() == "1"
