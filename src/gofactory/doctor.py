"""``gofactory doctor``: what a generated service needs on this machine, checked.

Each check gives one line: its status, what it found, and for a problem the fix. The
checks follow the service's recorded answers (``.copier-answers.yml``): the Go version
it was generated for, the tools its Makefile and updates run, a container engine when
it has container files, and the servers its answers name, at the addresses its
configuration gives. A new kind of server is one entry of ``SERVERS``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from urllib.parse import urlsplit

from gofactory.answers import recorded_answers
from gofactory.repository import enclosing_repository

# How long a server may take to accept a connection, and a tool to answer.
CONNECT_TIMEOUT = 3.0
TOOL_TIMEOUT = 30.0


class Status(Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"
    SKIP = "skip"


@dataclass(frozen=True)
class Check:
    """The result of one check: ``name: detail``, and what to do when it is not ok."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status.value:<4}  {self.name}: {self.detail}"
        return f"{text}\n      fix: {self.fix}" if self.fix else text


@dataclass(frozen=True)
class Server:
    """A server that an answer puts in the service, and the variable that locates it.

    The variable holds a URL (``postgres://user:pass@host:5432/db``), several URLs, or
    ``host:port`` pairs, separated by commas; ``default_port`` applies when none is given.
    """

    question: str
    choice: str
    name: str
    variable: str
    default_port: int


SERVERS: tuple[Server, ...] = (
    Server("database", "postgres", "PostgreSQL", "DATABASE_URL", 5432),
    Server("database", "mysql", "MySQL", "DATABASE_URL", 3306),
    Server("cache", "redis", "Redis", "CACHE_URL", 6379),
)

# Files that a container engine builds or runs, at the top or in deploy/.
CONTAINER_FILES = (
    "Dockerfile",
    "Containerfile",
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
)
# Each engine, and the command that succeeds only when it can build and run.
ENGINES = (
    ("docker", ("docker", "info", "--format", "{{.ServerVersion}}")),
    ("podman", ("podman", "info", "--format", "{{.Version.Version}}")),
)
GO_DOWNLOAD = "https://go.dev/dl/"


def diagnose(root: Path, environ: Mapping[str, str] | None = None) -> list[Check]:
    """Every check of the service in ``root``, in the order they are printed."""
    env = os.environ if environ is None else environ
    answers = recorded_answers(root)
    checks = [check_go(root, answers.get("go_version"))]
    checks += check_git(root)
    checks.append(check_make())
    checks.append(check_container_engine(root))
    checks += check_servers(root, answers, env)
    return checks


def _run(*args: str, env: Mapping[str, str] | None = None) -> tuple[bool, str]:
    """Run a tool: (succeeded, its first line of output or error)."""
    try:
        done = subprocess.run(
            args,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=TOOL_TIMEOUT,
            env=None if env is None else {**os.environ, **env},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"no answer within {TOOL_TIMEOUT:.0f} s"
    except OSError as error:
        return False, error.strerror or str(error)
    out = (done.stdout.strip() or done.stderr.strip()).splitlines()
    first = out[0].strip() if out else ""
    if done.returncode != 0:
        errors = done.stderr.strip().splitlines()
        return False, (errors[-1].strip() if errors else first) or f"exit status {done.returncode}"
    return True, first


def _version(text: str, prefix: str = "") -> tuple[int, ...] | None:
    """The first version number in ``text`` after ``prefix``: 1.26 is (1, 26)."""
    match = re.search(rf"{prefix}(\d+)\.(\d+)(?:\.(\d+))?", text)
    if match is None:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def _wanted_go(root: Path, answer: object) -> str | None:
    """The Go version the service needs: its go_version answer, else go.mod's go line."""
    if answer:
        return str(answer)
    try:
        gomod = (root / "go.mod").read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^go (\S+)$", gomod, re.MULTILINE)
    return match.group(1) if match else None


def check_go(root: Path, answer: object) -> Check:
    wanted = _wanted_go(root, answer)
    install = "install Go" + (f" {wanted} or newer" if wanted else "") + f": {GO_DOWNLOAD}"
    if shutil.which("go") is None:
        return Check("go", Status.FAIL, "not found on PATH", install)
    # The installed toolchain itself, not one that go.mod would make it download.
    ok, output = _run("go", "version", env={"GOTOOLCHAIN": "local"})
    found = _version(output, prefix=r"\bgo") if ok else None
    if found is None:
        return Check("go", Status.FAIL, f"`go version` says: {output}", install)
    name = f"go{'.'.join(map(str, found))}"
    need = _version(wanted) if wanted else None
    if need is None:
        return Check("go", Status.OK, f"{name} (the service names no Go version)")
    if found < need:
        return Check("go", Status.FAIL, f"{name} is older than go_version {wanted}", install)
    return Check("go", Status.OK, f"{name} (go_version {wanted})")


def check_git(root: Path) -> list[Check]:
    ok, output = _run("git", "--version")
    if not ok:
        return [Check("git", Status.FAIL, output, "install git (needed by copier update)")]
    top = enclosing_repository(root)
    if top is None:
        repository = Check(
            "repository",
            Status.WARN,
            "the service is not a git repository: `gofactory update` and the build "
            "version need one",
            f"cd {root} && git init && git add -A && git commit -m 'Generate from gofactory'",
        )
    else:
        repository = Check("repository", Status.OK, f"git repository {top}")
    return [Check("git", Status.OK, output), repository]


def check_make() -> Check:
    ok, output = _run("make", "--version")
    if not ok:
        fix = "install make (Debian/Ubuntu: apt-get install make; macOS: xcode-select --install)"
        return Check("make", Status.FAIL, output, fix)
    return Check("make", Status.OK, output)


def container_files(root: Path) -> list[str]:
    """The container files of the service, relative to its top directory."""
    found = []
    for directory in (root, root / "deploy"):
        for name in CONTAINER_FILES:
            if (directory / name).is_file():
                found.append((directory / name).relative_to(root).as_posix())
    return found


def check_container_engine(root: Path) -> Check:
    files = container_files(root)
    if not files:
        return Check("container engine", Status.SKIP, "not needed: no Dockerfile or compose file")
    problems = []
    for engine, command in ENGINES:
        if shutil.which(engine) is None:
            continue
        ok, output = _run(*command)
        if ok:
            return Check("container engine", Status.OK, f"{engine} {output} (for {files[0]})")
        problems.append(f"{engine} does not answer ({output})")
    detail = "; ".join(problems) or "neither docker nor podman is installed"
    fix = (
        "start the Docker engine, or install Podman"
        if problems
        else "install Docker (https://docs.docker.com/engine/install/) or Podman"
    )
    return Check(
        "container engine", Status.FAIL, f"needed for {', '.join(files)}, but {detail}", fix
    )


def read_env_file(path: Path) -> dict[str, str]:
    """The variables of a ``.env`` file: ``KEY=VALUE`` lines, ``#`` comments, quotes."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _setting(root: Path, environ: Mapping[str, str], variable: str) -> tuple[str, str] | None:
    """The value the service would get for ``variable``, and where it comes from.

    The environment wins over .env (as in the service's dev profile); .env.example is
    the last resort: the service never reads it, but its value says what is expected.
    """
    if environ.get(variable):
        return environ[variable], "the environment"
    for name in (".env", ".env.example"):
        value = read_env_file(root / name).get(variable)
        if value:
            return value, name
    return None


def addresses(value: str, default_port: int) -> list[tuple[str, int]]:
    """The TCP addresses in a URL, several URLs, or host:port pairs (comma-separated)."""
    if "://" not in value:
        pairs = [_host_port(item, default_port) for item in value.split(",") if item.strip()]
        return [pair for pair in pairs if pair]
    found: list[tuple[str, int]] = []
    # A comma starts another URL only before a scheme: libpq takes several hosts in one
    # URL (postgres://u:p@host1:5432,host2:5432/db).
    for url in re.split(r",\s*(?=[A-Za-z][A-Za-z0-9+.-]*://)", value.strip()):
        netloc = urlsplit(url).netloc.rpartition("@")[2]
        found += [pair for part in netloc.split(",") if (pair := _host_port(part, default_port))]
    return found


def _host_port(text: str, default_port: int) -> tuple[str, int] | None:
    match = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?|([^:/\[\]]+)(?::(\d+))?", text.strip())
    if match is None:
        return None
    host = match.group(1) or match.group(3)
    port = match.group(2) or match.group(4)
    return (host, int(port)) if port else (host, default_port)


def _reach(address: tuple[str, int]) -> str | None:
    """None when ``address`` accepts a TCP connection, else why not."""
    try:
        with socket.create_connection(address, timeout=CONNECT_TIMEOUT):
            return None
    except socket.gaierror:
        return "unknown host"
    except TimeoutError:
        return f"no answer within {CONNECT_TIMEOUT:.0f} s"
    except OSError as error:
        return (error.strerror or str(error)).lower()


def _show(address: tuple[str, int]) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def needed_servers(answers: Mapping[str, object]) -> Iterator[Server]:
    return (server for server in SERVERS if answers.get(server.question) == server.choice)


def check_servers(
    root: Path, answers: Mapping[str, object], environ: Mapping[str, str]
) -> list[Check]:
    return [check_server(root, server, environ) for server in needed_servers(answers)]


def check_server(root: Path, server: Server, environ: Mapping[str, str]) -> Check:
    name = f"{server.name} ({server.variable})"
    env_fix = "cp .env.example .env" if not (root / ".env").is_file() else "edit .env"
    setting = _setting(root, environ, server.variable)
    if setting is None:
        return Check(
            name,
            Status.FAIL,
            f"{server.variable} is not set (environment, .env, .env.example)",
            f"{env_fix}, and set {server.variable} to your {server.name} server",
        )
    value, origin = setting
    targets = addresses(value, server.default_port)
    if not targets:
        return Check(
            name,
            Status.WARN,
            f"no TCP address in {server.variable} from {origin} (a unix socket?): not checked",
        )
    failures = {address: reason for address in targets if (reason := _reach(address))}
    shown = ", ".join(_show(address) for address in targets)
    if len(failures) == len(targets):
        reasons = "; ".join(
            reason if len(failures) == 1 else f"{_show(address)}: {reason}"
            for address, reason in failures.items()
        )
        return Check(
            name,
            Status.FAIL,
            f"nothing answers at {shown} (from {origin}): {reasons}",
            f"start {server.name} at {shown}, or set {server.variable} to a server that runs",
        )
    if failures:
        down = ", ".join(_show(address) for address in failures)
        return Check(name, Status.WARN, f"{down} of {shown} (from {origin}) do not answer")
    if origin == ".env.example":
        return Check(
            name,
            Status.WARN,
            f"{shown} answers, but the value comes from .env.example, which the service "
            "does not read",
            f"cp .env.example .env (or set {server.variable} in the environment)",
        )
    return Check(name, Status.OK, f"{shown} answers (from {origin})")


def failed(checks: Iterable[Check]) -> bool:
    return any(check.status is Status.FAIL for check in checks)
