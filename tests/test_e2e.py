"""End to end: the default service as a user runs it, driven over HTTP.

The binary is built from a default render, started with nothing but PORT in
its environment (so it uses the embedded dev defaults and its own SQLite file),
exercised through the notes API, then stopped with SIGTERM. Its source tree
also runs its performance tooling: the smoke load test against the running
service, and the benchmarks with their comparison against the main branch.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import go_required
from http_client import Response, request
from ports import free_port
from variants import copy_template, render

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
# Started with only PORT set, the service's admin server takes its default port.
ADMIN = "http://127.0.0.1:9090"

SERVICE = "notes-service"


@dataclass
class Service:
    proc: subprocess.Popen[bytes]
    base: str
    workdir: Path

    def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        content_type: str = "application/json",
    ) -> Response:
        return request(method, self.base + path, body, content_type)


@pytest.fixture(scope="module")
def binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = go_required()
    template = copy_template(tmp_path_factory.mktemp("template"))
    root = render(template, tmp_path_factory.mktemp("gen") / SERVICE, {})
    out = root / "bin" / SERVICE
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly"}
    subprocess.run([go, "build", "-o", str(out), f"./cmd/{SERVICE}"], cwd=root, env=env, check=True)
    return out


def start(
    binary: Path, workdir: Path, only_port: bool = False, env: dict[str, str] | None = None
) -> Service:
    """Start the binary with PORT set and, unless only_port, a free ADMIN_PORT
    and the variables of env too: only one test may use the default admin port
    at a time."""
    port = free_port()
    # Only PORT: everything else must come from the embedded defaults.
    proc = subprocess.Popen(
        [str(binary)],
        cwd=workdir,
        env={"PORT": str(port)}
        if only_port
        else {"PORT": str(port), "ADMIN_PORT": str(free_port()), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    svc = Service(proc, f"http://127.0.0.1:{port}", workdir)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            pytest.fail(f"the service exited with {proc.returncode} before it was ready:\n{out}")
        try:
            if svc.request("GET", "/readyz").status == 200:
                return svc
        except OSError:
            pass
        time.sleep(0.02)
    proc.kill()
    pytest.fail("the service was not ready within 15 s")


def stop(svc: Service) -> tuple[int, str]:
    svc.proc.send_signal(signal.SIGTERM)
    try:
        out, _ = svc.proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        svc.proc.kill()
        out, _ = svc.proc.communicate()
        pytest.fail(f"no exit within 20 s of SIGTERM:\n{out.decode()}")
    return svc.proc.returncode, out.decode()


def running(svc: Service) -> Iterator[Service]:
    """Yield a started service; kill it afterwards if the test left it running."""
    yield svc
    if svc.proc.poll() is None:
        svc.proc.kill()
        svc.proc.wait()


@pytest.fixture
def service(binary: Path, tmp_path: Path) -> Iterator[Service]:
    yield from running(start(binary, tmp_path))


@pytest.fixture
def default_service(binary: Path, tmp_path: Path) -> Iterator[Service]:
    """The service as a user starts it: nothing but PORT in its environment."""
    yield from running(start(binary, tmp_path, only_port=True))


def assert_problem(resp: Response, status: int) -> dict[str, Any]:
    assert resp.status == status, resp.body
    assert resp.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = resp.json()
    assert problem["status"] == status
    assert problem["title"]
    assert problem["request_id"] == resp.headers["x-request-id"]
    return problem


def test_notes_api_over_http_and_graceful_stop(default_service: Service) -> None:
    service = default_service
    created = service.request("POST", "/api/v1/notes", '{"title":"hello","body":"world"}')
    assert created.status == 201, created.body
    note = created.json()
    assert created.headers["location"] == f"/api/v1/notes/{note['id']}"
    assert note["version"] == 1

    got = service.request("GET", f"/api/v1/notes/{note['id']}")
    assert got.status == 200 and got.json()["body"] == "world"

    patched = service.request("PATCH", f"/api/v1/notes/{note['id']}", '{"title":"bye"}')
    assert (
        patched.status == 200
        and patched.json()["title"] == "bye"
        and patched.json()["version"] == 2
    )

    for i in range(3):
        assert service.request("POST", "/api/v1/notes", f'{{"title":"n{i}"}}').status == 201
    first = service.request("GET", "/api/v1/notes?limit=2").json()
    second = service.request("GET", f"/api/v1/notes?limit=2&cursor={first['next_cursor']}").json()
    titles = [n["title"] for n in first["items"] + second["items"]]
    assert titles == ["bye", "n0", "n1", "n2"] and "next_cursor" not in second

    assert service.request("DELETE", f"/api/v1/notes/{note['id']}").status == 204
    assert_problem(service.request("GET", f"/api/v1/notes/{note['id']}"), 404)

    # The admin listener serves metrics and the profiler; the API port never does.
    with urllib.request.urlopen(ADMIN + "/metrics", timeout=5) as resp:
        metrics = resp.read().decode()
    assert 'http_requests_total{method="POST",route="/api/v1/notes",status="201"} 4' in metrics
    assert "service_build_info{" in metrics and "go_sql_open_connections" in metrics
    with urllib.request.urlopen(ADMIN + "/debug/pprof/", timeout=5) as resp:
        assert resp.status == 200
    assert_problem(service.request("GET", "/debug/pprof/"), 404)
    assert_problem(service.request("GET", "/metrics"), 404)

    spec = service.request("GET", "/openapi.yaml")
    assert spec.status == 200 and spec.body.startswith(b"openapi: 3")

    # The dev profile keeps its data in ./data, under the working directory.
    assert (service.workdir / "data" / f"{SERVICE}.db").is_file()

    code, logs = stop(service)
    assert code == 0, logs
    assert "shutting down" in logs and "HTTP server stopped" in logs


def test_problem_responses_on_bad_input(service: Service) -> None:
    assert_problem(service.request("POST", "/api/v1/notes", '{"title":'), 400)
    assert_problem(service.request("POST", "/api/v1/notes", '{"title":"x","extra":1}'), 400)
    assert_problem(service.request("POST", "/api/v1/notes", "title=x", "text/plain"), 415)
    invalid = assert_problem(service.request("POST", "/api/v1/notes", '{"title":""}'), 422)
    assert [e["field"] for e in invalid["errors"]] == ["title"]
    bad_page = assert_problem(service.request("GET", "/api/v1/notes?limit=0&cursor=nope"), 422)
    assert sorted(e["field"] for e in bad_page["errors"]) == ["cursor", "limit"]
    assert_problem(service.request("GET", "/api/v1/notes/unknown"), 404)
    assert_problem(service.request("GET", "/api/v2/nothing"), 404)
    not_allowed = assert_problem(service.request("PUT", "/api/v1/notes"), 405)
    assert not_allowed
    big = '{"title":"' + "x" * (2 << 20) + '"}'
    assert_problem(service.request("POST", "/api/v1/notes", big), 413)


def test_data_survives_a_restart(binary: Path, tmp_path: Path) -> None:
    svc = start(binary, tmp_path)
    note = svc.request("POST", "/api/v1/notes", '{"title":"durable"}').json()
    assert stop(svc)[0] == 0
    svc = start(binary, tmp_path)
    try:
        assert svc.request("GET", f"/api/v1/notes/{note['id']}").json()["title"] == "durable"
    finally:
        assert stop(svc)[0] == 0


def test_readiness_turns_503_before_the_listener_closes(binary: Path, tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [str(binary)],
        cwd=tmp_path,
        env={"PORT": str(port), "ADMIN_PORT": str(free_port()), "SHUTDOWN_DELAY": "2s"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    svc = Service(proc, f"http://127.0.0.1:{port}", tmp_path)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if svc.request("GET", "/readyz").status == 200:
                break
        except OSError:
            time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    draining = svc.request("GET", "/readyz")
    assert draining.status == 503 and draining.json()["status"] == "shutting down"
    assert svc.request("GET", "/healthz").status == 200, "still serving while draining"
    code, logs = stop(svc)
    assert code == 0, logs


def admin_status(url: str, token: str = "") -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return request("GET", url, headers=headers).status


def test_profiler_outside_dev_needs_the_admin_token(binary: Path, tmp_path: Path) -> None:
    token = "s3cret-token-0123456789"
    admin_port = free_port()
    prod = {"APP_ENV": "prod", "ADMIN_PORT": str(admin_port), "MIGRATE_ON_START": "true"}
    profile = f"http://127.0.0.1:{admin_port}/debug/pprof/cmdline"

    svc = start(binary, tmp_path, env={**prod, "ADMIN_TOKEN": token})
    try:
        assert admin_status(profile) == 401
        assert admin_status(profile, "wrong-token-0123456789") == 401
        assert admin_status(profile, token) == 200
    finally:
        code, logs = stop(svc)
    assert code == 0, logs
    assert token not in logs, "the token was logged"

    svc = start(binary, tmp_path, env=prod)
    try:
        assert admin_status(profile) == 404, "an unset token must not open the profiler in prod"
    finally:
        assert stop(svc)[0] == 0


def test_bad_configuration_exits_non_zero(binary: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(binary)],
        cwd=tmp_path,
        env={"PORT": "eighty", "APP_ENV": "qa"},
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert done.returncode == 1
    assert "PORT" in done.stderr and "APP_ENV" in done.stderr


# --- the service's performance tooling: load test and benchmarks ----------------------


def make(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a make target of the generated service, exactly as rendered (-mod=readonly)."""
    return subprocess.run(
        ["make", *args],
        cwd=root,
        env={**os.environ, "GOFLAGS": "-mod=readonly"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_smoke_load_test_checks_the_objectives(binary: Path, service: Service) -> None:
    """`make load PROFILE=smoke` drives the running service with vegeta (tools/go.mod)
    and checks slo.yaml's objectives; against a port nobody serves, it fails naming them."""
    root = binary.parents[1]
    done = make(root, "load", "PROFILE=smoke", f"URL={service.base}")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    # slo.yaml's smoke profile: 20 requests a second for 5 s.
    assert "100 requests: 200 x100" in out, out
    assert "availability objective met: 100.00% of 100 requests" in out, out
    assert re.search(
        r"latency objective met: \d+\.\d\d% of 100 requests answered within 300ms", out
    )

    done = make(root, "load", "PROFILE=smoke", f"URL=http://127.0.0.1:{free_port()}")
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    assert "availability objective MISSED: 0.00% of 100 requests" in out, out
    assert "missed the availability and latency objectives of slo.yaml" in out, out


def test_bench_and_bench_compare(binary: Path) -> None:
    """`make bench` runs the benchmarks; `make bench-compare` runs them on main too, in a
    worktree it removes afterwards, and compares both with benchstat (tools/go.mod)."""
    root = binary.parents[1]
    quick = ("BENCH=Observability", "BENCHPKGS=./internal/httpapi", "BENCHTIME=100x", "COUNT=2")
    done = make(root, "bench", *quick)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert len(re.findall(r"^BenchmarkObservability/none-\d+\s+100\s.*allocs/op$", out, re.M)) == 2

    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "generated"]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)
    done = make(root, "bench-compare", *quick)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert re.search(r"│\s+main\s+│\s+working tree\s+│", out), out
    assert re.search(r"^Observability/none-\d+\s", out, re.M), out
    assert "allocs/op" in out, out
    worktrees = subprocess.run(
        ["git", "worktree", "list"], cwd=root, check=True, capture_output=True, text=True
    )
    assert len(worktrees.stdout.splitlines()) == 1, worktrees.stdout
