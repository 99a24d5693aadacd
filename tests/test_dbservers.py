"""The private database servers of dbservers.py: they start, take the URL's login,
refuse connections once stopped, and come back on the same port with their data.

Checked with the databases' own command-line clients, as a service would log in:
over TCP, with the password of the URL.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dbservers import PrivateServer, mariadb, private_mariadb, private_postgres, psql

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Kind:
    """One kind of private server, and its client."""

    server: Callable[[Path], AbstractContextManager[PrivateServer]]
    client: Callable[[str, str], subprocess.CompletedProcess[str]]
    scheme: str


KINDS = {
    "postgres": Kind(private_postgres, psql, "postgres"),
    "mariadb": Kind(private_mariadb, mariadb, "mysql"),
}


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args}:\n{done.stdout}{done.stderr}"
    return done.stdout.strip()


def refused(port: int) -> bool:
    """Whether connecting to the port on loopback is refused (nothing listens)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return False
    except ConnectionRefusedError:
        return True


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_stop_and_start_keep_the_data(kind: Kind, tmp_path: Path) -> None:
    with kind.server(tmp_path) as db:
        url = urlsplit(db.url)
        assert (url.scheme, url.hostname, url.port) == (kind.scheme, "127.0.0.1", db.port)

        # The URL's login works, and it is a real one: a wrong password is refused.
        ok(kind.client(db.url, "CREATE TABLE kept (id INT); INSERT INTO kept VALUES (42)"))
        wrong = db.url.replace(f":{url.password}@", ":wrong@")
        assert kind.client(wrong, "SELECT 1").returncode != 0

        db.stop()
        assert refused(db.port)
        assert kind.client(db.url, "SELECT 1").returncode != 0

        db.start()
        assert ok(kind.client(db.url, "SELECT id FROM kept")) == "42"

    # Gone on exit, its log kept for a look after a failure.
    assert refused(db.port)
    assert list(tmp_path.glob("*.log"))


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_servers_do_not_share(kind: Kind, tmp_path: Path) -> None:
    """Two private servers of one kind run side by side, each with its own data."""
    with kind.server(tmp_path / "a") as a, kind.server(tmp_path / "b") as b:
        assert a.port != b.port
        ok(kind.client(a.url, "CREATE TABLE only_in_a (id INT)"))
        ok(kind.client(b.url, "CREATE TABLE only_in_b (id INT)"))
        assert kind.client(b.url, "SELECT * FROM only_in_a").returncode != 0
