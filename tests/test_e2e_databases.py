"""End to end on the database servers: a service generated for PostgreSQL or MySQL,
built and run as its users run it, against a real server of its own.

Each test starts a private server (tests/dbservers.py), so that it can stop and
restart it without disturbing the shared servers the other tests use. Data created
over HTTP survives a restart of the service; when the server goes away, /readyz
answers 503 within two seconds and the API answers 503 problems, and both recover
within two seconds of the server's return, without restarting the service.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from conftest import go_required
from dbservers import PrivateServer, private_mariadb, private_postgres
from ports import free_port
from test_e2e import SERVICE, Service, start, stop
from variants import copy_template, render

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SERVERS: dict[str, Callable[[Path], AbstractContextManager[PrivateServer]]] = {
    "postgres": private_postgres,
    "mysql": private_mariadb,
}
# The limit the issue of this slice sets for noticing a lost and a returned database.
NOTICE_WITHIN = 2.0


@pytest.fixture(scope="module", params=sorted(SERVERS))
def engine_binary(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    database: str = request.param
    go = go_required()
    template = copy_template(tmp_path_factory.mktemp("template"))
    root = render(template, tmp_path_factory.mktemp("gen") / SERVICE, {"database": database})
    out = root / "bin" / SERVICE
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly"}
    subprocess.run([go, "build", "-o", str(out), f"./cmd/{SERVICE}"], cwd=root, env=env, check=True)
    return database, out


@pytest.fixture
def server(engine_binary: tuple[str, Path], tmp_path: Path) -> Iterator[PrivateServer]:
    with SERVERS[engine_binary[0]](tmp_path / "server") as srv:
        yield srv


def wait_for(svc: Service, path: str, status: int, within: float) -> float:
    """Poll path until it answers status; return how long that took."""
    begin = time.monotonic()
    while time.monotonic() - begin < within + 5:
        try:
            if svc.request("GET", path).status == status:
                return time.monotonic() - begin
        except OSError:
            pass
        time.sleep(0.05)
    pytest.fail(f"{path} did not answer {status} within {within + 5:.0f} s")


def test_data_survives_a_restart_of_the_service(
    engine_binary: tuple[str, Path], server: PrivateServer, tmp_path: Path
) -> None:
    _, binary = engine_binary
    env = {"DATABASE_URL": server.url}
    svc = start(binary, tmp_path, env=env)  # the dev profile migrates on start
    created = svc.request("POST", "/api/v1/notes", '{"title":"kept","body":"across restarts"}')
    assert created.status == 201, created.body
    note = created.json()
    code, out = stop(svc)
    assert code == 0, out

    svc = start(binary, tmp_path, env=env)
    try:
        got = svc.request("GET", f"/api/v1/notes/{note['id']}")
        assert got.status == 200, got.body
        assert got.json() == note
        stale = svc.request("PATCH", f"/api/v1/notes/{note['id']}", '{"title":"x","version":7}')
        assert stale.status == 409, stale.body
    finally:
        stop(svc)


def test_readiness_follows_the_database(
    engine_binary: tuple[str, Path], server: PrivateServer, tmp_path: Path
) -> None:
    _, binary = engine_binary
    svc = start(binary, tmp_path, env={"DATABASE_URL": server.url})
    try:
        note = svc.request("POST", "/api/v1/notes", '{"title":"during an outage"}').json()

        server.stop()
        lost = wait_for(svc, "/readyz", 503, NOTICE_WITHIN)
        failed = svc.request("GET", f"/api/v1/notes/{note['id']}")
        assert failed.status == 503, failed.body
        assert failed.headers["content-type"] == "application/problem+json"
        assert "retry-after" in failed.headers

        server.start()
        back = wait_for(svc, "/readyz", 200, NOTICE_WITHIN)
        assert svc.request("GET", f"/api/v1/notes/{note['id']}").status == 200
        assert svc.proc.poll() is None, "the service exited instead of riding out the outage"
        print(f"readyz 503 after {lost:.2f} s, 200 again after {back:.2f} s")
        assert lost <= NOTICE_WITHIN, f"/readyz took {lost:.2f} s to notice the lost database"
        assert back <= NOTICE_WITHIN, f"/readyz took {back:.2f} s to notice the database's return"
    finally:
        code, out = stop(svc)
        assert code == 0, out


def test_an_unreachable_database_stops_the_start_with_a_clear_error(
    engine_binary: tuple[str, Path], tmp_path: Path
) -> None:
    """Nothing listens at the address: the service exits 1 within seconds, naming the
    host and hiding the password, without a panic."""
    database, binary = engine_binary
    port = free_port()
    url = f"{database}://app:s3cret@127.0.0.1:{port}/app"
    done = subprocess.run(
        [str(binary)],
        cwd=tmp_path,
        env={"PORT": str(free_port()), "ADMIN_PORT": str(free_port()), "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=30,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert f"127.0.0.1:{port}" in out, out
    assert "s3cret" not in out and "panic" not in out, out
