"""The Go programs that the template's tests run, each compiled once per machine.

Two kinds:

* Test tools, pinned under ``test_tools:`` in extensions/go_deps.yml (actionlint,
  goreleaser, promtool): programs that the template's own tests run against generated
  services. ``go install PKG@VERSION`` builds each into a directory of its own in a
  cache kept across runs, named by the tool, its version, its build tags, the Go
  version and the platform: ``$GOFACTORY_TOOLS_CACHE``, or ``gofactory/tools`` in
  ``$XDG_CACHE_HOME`` (``~/.cache``). A machine that built them once builds nothing.
* Service tools, pinned in every generated service's tools/go.mod (golangci-lint,
  govulncheck, sqlc): the tests run them exactly as a service's developers do,
  ``go tool -modfile=tools/go.mod NAME``, which compiles them into Go's build cache on
  first use. Before any test runs one, it is run once (``NAME`` printing its version)
  from the template's tools module, so that tests running it in parallel find it
  compiled instead of each compiling it at the same time.

A file lock per tool, in the cache, makes every process that needs a tool wait for the
one that builds it (the workers of a run share one build). And the builds start early:
once the tests are collected, ``Prebuild`` builds the tools they need one after
another in the background, in the order the tests first need them, while the first
tests run. A test that needs a tool not built yet builds it itself (or waits for the
build under way).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined

from extensions.template_extension import GofactoryExtension, tool_name

REPO_ROOT = Path(__file__).resolve().parents[1]
GO_DEPS = REPO_ROOT / "extensions" / "go_deps.yml"
TOOLS_TEMPLATE = REPO_ROOT / "template" / "tools"

# The tools/go.mod tools, and how each prints its version (which builds it).
SERVICE_TOOLS = {"golangci-lint": ("version",), "govulncheck": ("-version",), "sqlc": ("version",)}
# A build of the biggest tools takes several minutes on two cores.
BUILD_TIMEOUT = 1800


class ToolError(Exception):
    """A tool could not be built: the message holds the command and its output."""


def cache_root() -> Path:
    explicit = os.environ.get("GOFACTORY_TOOLS_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gofactory" / "tools"


def go() -> str:
    found = shutil.which("go")
    if found is None:
        raise ToolError("building the tools needs Go 1.25+ on PATH")
    return found


@functools.cache
def go_platform() -> str:
    """The Go version and platform that a build is for, e.g. go1.26.8-linux-amd64."""
    out = subprocess.run(
        [go(), "env", "GOVERSION", "GOOS", "GOARCH"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return "-".join(out.split())


def pinned_test_tools() -> dict[str, dict[str, Any]]:
    spec: dict[str, dict[str, Any]] = yaml.safe_load(GO_DEPS.read_text(encoding="utf-8"))[
        "test_tools"
    ]
    return spec


@contextmanager
def locked(name: str, *, wait: bool = True) -> Iterator[bool]:
    """Hold the lock of a tool; without ``wait``, yield False at once if it is held."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with (root / f"{name}.lock").open("w") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True


def kill(proc: subprocess.Popen[str]) -> None:
    """End a build with every compiler and linker it started."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


class Runner:
    """Runs the build commands; ``stop`` ends the one under way (at the end of a run)."""

    def __init__(self) -> None:
        self.current: subprocess.Popen[str] | None = None
        self.stopped = False
        self.mutex = threading.Lock()

    def run(self, cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
        with self.mutex:
            if self.stopped:
                raise ToolError("the run ended before this build")
            self.current = proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                # Built with the Go on PATH, as the tests build: never a downloaded one.
                env={"GOTOOLCHAIN": "local", **os.environ, **(env or {})},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
        try:
            out, _ = proc.communicate(timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            kill(proc)
            out, _ = proc.communicate()
            raise ToolError(f"{' '.join(cmd)} took over {BUILD_TIMEOUT} s:\n{out}") from None
        except BaseException:  # interrupted (a test's timeout, Ctrl-C): no build left behind
            kill(proc)
            proc.wait()
            raise
        finally:
            with self.mutex:
                self.current = None
        if proc.returncode != 0:
            raise ToolError(f"{' '.join(cmd)} exited {proc.returncode} in {cwd}:\n{out}")
        return out

    def stop(self) -> None:
        with self.mutex:
            self.stopped = True
            if self.current is not None and self.current.poll() is None:
                kill(self.current)


# The commands of the fixtures run in the foreground; the prebuild's can be stopped.
FOREGROUND = Runner()


def cache_key(name: str) -> str:
    """The cache directory of a test tool: promtool@v0.316.0+remove_all_sd-go1.26.8-..."""
    entry = pinned_test_tools()[name]
    tags = "".join(f"+{tag}" for tag in entry.get("tags", []))
    return f"{name}@{entry['version']}{tags}-{go_platform()}"


def cached_tool(name: str, *, runner: Runner = FOREGROUND, wait: bool = True) -> Path | None:
    """The binary of a test tool, built and cached on first use.

    Without ``wait``, returns None at once when another process is building it."""
    entry = pinned_test_tools()[name]
    key = cache_key(name)
    binary = cache_root() / key / name
    if binary.exists():
        return binary
    with locked(key, wait=wait) as held:
        if not held:
            return None
        if binary.exists():  # built while this process waited
            return binary
        # Built into a directory of its own, renamed when complete: a build cut short
        # leaves no binary behind.
        staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=cache_root()))
        try:
            cmd = [go(), "install"]
            if entry.get("tags"):
                cmd.append("-tags=" + ",".join(entry["tags"]))
            cmd.append(f"{entry['package']}@{entry['version']}")
            runner.run(cmd, REPO_ROOT, {"GOBIN": str(staging)})
            # Named after the package path (its last element, or the one before a
            # major version suffix): the tool's name here may differ.
            [built] = staging.iterdir()
            built.rename(staging / name)
            staging.chmod(0o755)
            staging.rename(binary.parent)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return binary


def tools_module() -> Path:
    """A service root whose tools/ is the template's tools module, rendered (kept in the
    cache, one directory per content)."""
    env = Environment(
        extensions=[GofactoryExtension], undefined=StrictUndefined, keep_trailing_newline=True
    )
    go_line = yaml.safe_load(GO_DEPS.read_text(encoding="utf-8"))["go"]
    files = {"go.mod": f"module example.com/svc\n\ngo {go_line}\n"}
    for name in ("go.mod", "go.sum"):
        source = (TOOLS_TEMPLATE / f"{name}.jinja").read_text(encoding="utf-8")
        answers = {"go_version": go_line.rsplit(".", 1)[0]}
        files[f"tools/{name}"] = env.from_string(source).render(answers)
    digest = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()[:16]
    root = cache_root() / f"tools-module-{digest}"
    if not root.exists():
        cache_root().mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tools-module.", dir=cache_root()))
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text, encoding="utf-8")
        staging.chmod(0o755)
        try:
            staging.rename(root)
        except OSError:  # another process was first
            shutil.rmtree(staging, ignore_errors=True)
    return root


def service_tool_names() -> list[str]:
    spec = yaml.safe_load(GO_DEPS.read_text(encoding="utf-8"))["tools"]
    return [tool_name(pkg) for entry in spec.values() for pkg in entry["packages"]]


# Service tools compiled (and so in Go's build cache) by this process.
_compiled: set[str] = set()


def service_tool(name: str, *, runner: Runner = FOREGROUND, wait: bool = True) -> bool:
    """Compile a tools/go.mod tool into Go's build cache by running it once, as
    ``go tool`` does in a service. Without ``wait``, returns False at once when another
    process is compiling it."""
    if name in _compiled:
        return True
    if name not in SERVICE_TOOLS:
        raise ToolError(f"{name}: no version command known for this tools/go.mod tool")
    with locked(f"go-tool-{name}", wait=wait) as held:
        if not held:
            return False
        runner.run(
            [go(), "tool", "-modfile=tools/go.mod", name, *SERVICE_TOOLS[name]],
            tools_module(),
            {"GOFLAGS": "-mod=readonly"},
        )
    _compiled.add(name)
    return True


def build(name: str, *, runner: Runner = FOREGROUND, wait: bool = True) -> bool:
    """Build a tool of either kind; False when (without ``wait``) another process is."""
    if name in SERVICE_TOOLS:
        return service_tool(name, runner=runner, wait=wait)
    return cached_tool(name, runner=runner, wait=wait) is not None


class Prebuild:
    """Builds tools one after another in a background thread.

    A tool that another process is building is left to it. Errors are left to the
    tests: each test builds what it needs in the foreground and fails with the output.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names = list(names)
        self.runner = Runner()
        self.thread = threading.Thread(target=self.work, name="tool-prebuild", daemon=True)

    def start(self) -> Prebuild:
        self.thread.start()
        return self

    def work(self) -> None:
        # One prebuild at a time (the workers of a run each start one): two would
        # compete with each other and with the tests for the same cores.
        with locked("prebuild", wait=False) as held:
            if not held:
                return
            for name in self.names:
                if self.runner.stopped:
                    return
                started = time.monotonic()
                try:
                    built = build(name, runner=self.runner, wait=False)
                except Exception:
                    continue  # the test that needs the tool builds it again and reports
                if built:  # a run's log says what the tools cost (nothing once cached)
                    spent = time.monotonic() - started
                    print(f"tools: {name} ready in {spent:.0f} s", file=sys.stderr, flush=True)

    def stop(self) -> None:
        self.runner.stop()
        self.thread.join(timeout=30)


def describe(names: Iterable[str]) -> list[str]:
    """Where each test tool is cached, and whether it is built yet (a run's header)."""
    lines = []
    for name in names:
        if name not in SERVICE_TOOLS:
            built = (cache_root() / cache_key(name) / name).exists()
            lines.append(f"{cache_key(name)}: {'cached' if built else 'to build'}")
    return lines


def main(argv: list[str]) -> int:
    """``python -m tools NAME...`` (from the repository root, tests/ on PYTHONPATH):
    build the named tools one after another, as a run's prebuild does; scripts/test.sh
    starts it in the background and ends it (SIGTERM) when the tests are done."""
    prebuild = Prebuild(argv)
    signal.signal(signal.SIGTERM, lambda *_: prebuild.runner.stop())
    prebuild.work()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
