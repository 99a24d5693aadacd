"""Fixtures shared by the template's tests: a template copy and rendered variants."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tools
from variants import Variant, copy_template, render

Render = Callable[[Variant], Path]

# The fixtures below that give a tool (tests/tools.py), by fixture name.
TOOL_FIXTURES = {
    "actionlint": "actionlint",
    "goreleaser": "goreleaser",
    "promtool": "promtool",
    "kustomize": "kustomize",
    "helm": "helm",
    "golangci_lint": "golangci-lint",
    "govulncheck": "govulncheck",
    "sqlc": "sqlc",
}
_prebuild: tools.Prebuild | None = None


def pytest_configure(config: pytest.Config) -> None:
    # Generated services build with the Go on PATH: never download a toolchain.
    os.environ.setdefault("GOTOOLCHAIN", "local")


def needed_tools(items: list[pytest.Item]) -> list[str]:
    """The tools that the tests use, in the order the tests first need them."""
    names: list[str] = []
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            name = TOOL_FIXTURES.get(fixture)
            if name is not None and name not in names:
                names.append(name)
    return names


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start building the tools that the selected tests need while the first tests run.

    scripts/test.sh starts that earlier: the collection of its plan (``--plan FILE``)
    writes the names to FILE.tools, and it builds them (``python -m tools``) while the
    servers start."""
    global _prebuild
    names = needed_tools(session.items)
    plan = session.config.getoption("plan", default=None)
    if plan is not None:
        Path(f"{plan}.tools").write_text("".join(f"{name}\n" for name in names), "utf-8")
    if session.config.option.collectonly or not names or shutil.which("go") is None:
        return
    _prebuild = tools.Prebuild(names).start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _prebuild is not None:
        _prebuild.stop()


def pytest_report_header(config: pytest.Config) -> list[str]:
    if shutil.which("go") is None:
        return []
    return [f"test tools: {tools.cache_root()}", *tools.describe(TOOL_FIXTURES.values())]


@pytest.fixture(scope="session")
def template_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain copy of the template: rendering it skips Copier's git clone."""
    return copy_template(tmp_path_factory.mktemp("template"))


def module_path(variant: Variant) -> str:
    """The module path that ``rendered`` gives the variant: one of its own (see there)."""
    return f"example.com/variants/{variant.id.lower()}"


@pytest.fixture(scope="session")
def rendered(template_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Render]:
    """Render a variant once per session, on first use.

    Each variant gets a module path of its own. golangci-lint caches its findings per
    package under a key made of the import path and the files' contents, and a finding
    names the file it was found in: two variants with an identical package under one
    import path would share findings, and the second would read the first one's files
    (its //nolint comments too), which are gone once the worker that rendered them is
    done."""
    cache: dict[Variant, Path] = {}
    root = tmp_path_factory.mktemp("variants")

    def get(variant: Variant) -> Path:
        if variant not in cache:
            data = {**variant.data, "module_path": module_path(variant)}
            cache[variant] = render(template_copy, root / variant.id, data)
        return cache[variant]

    yield get
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def render_with(template_copy: Path, tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Render the template with the given answers (defaults for the rest)."""
    counter = iter(range(1_000_000))

    def run(data: dict[str, Any]) -> Path:
        return render(template_copy, tmp_path / f"svc{next(counter)}", data)

    return run


def go_required() -> str:
    """The go command, or a failure saying how to get it: never a silent skip."""
    go = shutil.which("go")
    if go is None:
        pytest.fail("these tests build generated services and need Go 1.25+ on PATH")
    return go


def built_tool(name: str) -> None:
    try:
        tools.build(name)
    except tools.ToolError as error:
        pytest.fail(str(error))


def tool_binary(name: str) -> Path:
    try:
        binary = tools.cached_tool(name)
    except tools.ToolError as error:
        pytest.fail(str(error))
    assert binary is not None
    return binary


@pytest.fixture(scope="session")
def actionlint() -> Path:
    """actionlint, pinned under test_tools in extensions/go_deps.yml."""
    return tool_binary("actionlint")


@pytest.fixture(scope="session")
def goreleaser() -> Path:
    """goreleaser, pinned under test_tools in extensions/go_deps.yml."""
    return tool_binary("goreleaser")


@pytest.fixture(scope="session")
def promtool() -> Path:
    """Prometheus's promtool, pinned under test_tools in extensions/go_deps.yml."""
    return tool_binary("promtool")


@pytest.fixture(scope="session")
def kustomize() -> Path:
    """kustomize, pinned under test_tools in extensions/go_deps.yml."""
    return tool_binary("kustomize")


@pytest.fixture(scope="session")
def helm() -> Path:
    """Helm, pinned under test_tools in extensions/go_deps.yml."""
    return tool_binary("helm")


def service_tool(name: str) -> list[str]:
    """The command that runs a tool of a service's tools/go.mod, from the service root,
    as its Makefile does; compiled (into Go's build cache) before the first test runs it."""
    built_tool(name)
    return [go_required(), "tool", "-modfile=tools/go.mod", name]


@pytest.fixture(scope="session")
def golangci_lint() -> list[str]:
    return service_tool("golangci-lint")


@pytest.fixture(scope="session")
def govulncheck() -> list[str]:
    return service_tool("govulncheck")


@pytest.fixture(scope="session")
def sqlc() -> list[str]:
    return service_tool("sqlc")


FIGURE = "figure: "


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List the figures that tests recorded (``record_property("figure: NAME", value)``):
    measurements to report, such as an image's size, never assertions."""
    lines = [
        f"{report.nodeid}: {name.removeprefix(FIGURE)}: {value}"
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", None) == "call"
        for name, value in report.user_properties
        if name.startswith(FIGURE)
    ]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.line(line)
