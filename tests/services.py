"""The real servers a variant's integration tests need, derived from its answers.

A choice that puts a server in the generated service (``database=postgres``,
``cache=redis`` ...) names that server; this table says how the test suite reaches
it. scripts/services.sh installs and starts each server on loopback (see DESIGN.md,
"Real components") and exports its address in ``ci_env``; scripts/test.sh runs it
whenever the selected tests include slow ones. The slow layer hands the address to
the service's integration tests (``go test -tags integration``) in ``service_env``,
the variable the generated service itself reads (DATABASE_URL for ``database=postgres``
and ``database=mysql``, CACHE_URL for ``cache=redis``, KEYCLOAK_URL for ``auth=oidc``:
Keycloak's address with the credentials of its admin). A variant that needs a server
fails loudly when its address is not set, or when the variant has no integration test.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The build constraint of the generated services' integration tests.
INTEGRATION_TAG = "integration"


@dataclass(frozen=True)
class Server:
    """A server of integration tests: its name, the suite's variable, the service's."""

    name: str
    ci_env: str
    service_env: str


POSTGRES = Server("PostgreSQL", "GOFACTORY_POSTGRES_URL", "DATABASE_URL")
MARIADB = Server("MariaDB", "GOFACTORY_MYSQL_URL", "DATABASE_URL")
REDIS = Server("Redis", "GOFACTORY_REDIS_URL", "CACHE_URL")
RABBITMQ = Server("RabbitMQ", "GOFACTORY_AMQP_URL", "AMQP_URL")
NATS = Server("NATS", "GOFACTORY_NATS_URL", "NATS_URL")
KAFKA = Server("Kafka", "GOFACTORY_KAFKA_BROKERS", "KAFKA_BROKERS")
KEYCLOAK = Server("Keycloak", "GOFACTORY_KEYCLOAK_URL", "KEYCLOAK_URL")

# The servers scripts/services.sh starts (its SERVERS table), in its order.
SHARED_SERVERS = (POSTGRES, MARIADB, REDIS, KEYCLOAK)
SERVICES_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "services.sh"

# Choice values (DESIGN.md, "The answer model") -> the server they need.
SERVERS_BY_CHOICE: Mapping[str, Server] = {
    "postgres": POSTGRES,
    "mysql": MARIADB,
    "redis": REDIS,
    "redis-streams": REDIS,
    "rabbitmq": RABBITMQ,
    "nats": NATS,
    "kafka": KAFKA,
    "oidc": KEYCLOAK,
}


def required_servers(answers: Iterable[tuple[str, Any]]) -> list[Server]:
    """The servers named by a variant's answers, each once, in answer order."""
    servers: list[Server] = []
    for _, value in answers:
        server = SERVERS_BY_CHOICE.get(value) if isinstance(value, str) else None
        if server is not None and server not in servers:
            servers.append(server)
    return servers


def server_environment(servers: Iterable[Server]) -> tuple[dict[str, str], list[Server]]:
    """The environment for the integration tests, and the servers whose address is unset."""
    env: dict[str, str] = {}
    missing: list[Server] = []
    for server in servers:
        address = os.environ.get(server.ci_env, "")
        if address:
            env[server.service_env] = address
        else:
            missing.append(server)
    return env, missing


_CONSTRAINT = re.compile(rf"^//go:build .*\b{INTEGRATION_TAG}\b", re.MULTILINE)


def has_integration_tests(root: Path) -> bool:
    """Whether a generated service has test files built with the integration tag."""
    for path in root.rglob("*_test.go"):
        header = path.read_text(encoding="utf-8").partition("\npackage ")[0]
        if _CONSTRAINT.search(header):
            return True
    return False


def services_status(env: Mapping[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """``scripts/services.sh status``: {variable: (server name, state)}, in its order.

    The state is ``running``, ``stopped`` or ``external`` (the variable is set).
    """
    done = subprocess.run(
        ["bash", str(SERVICES_SCRIPT), "status"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env=None if env is None else dict(env),
    )
    assert done.returncode == 0, f"services.sh status failed:\n{done.stderr}"
    status = {}
    for line in done.stdout.splitlines():
        name, variable, state = line.split()
        status[variable] = (name, state)
    return status
