"""Fixtures shared by the template's tests: a template copy and rendered variants."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from variants import Variant, copy_template, render

Render = Callable[[Variant], Path]


def pytest_configure(config: pytest.Config) -> None:
    # Generated services build with the Go on PATH: never download a toolchain.
    os.environ.setdefault("GOTOOLCHAIN", "local")


@pytest.fixture(scope="session")
def template_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain copy of the template: rendering it skips Copier's git clone."""
    return copy_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def rendered(template_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Render]:
    """Render a variant once per session, on first use."""
    cache: dict[Variant, Path] = {}
    root = tmp_path_factory.mktemp("variants")

    def get(variant: Variant) -> Path:
        if variant not in cache:
            cache[variant] = render(template_copy, root / variant.id, variant.data)
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
