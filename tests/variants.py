"""The variants of the template: every combination of its multiple-choice answers.

The questions and their choices are read from copier.yml, so a new question or
choice changes the set with no edit here. Rendering is done with Copier's API
from a plain (non-git) copy of the template, which is fast enough to render every
combination in the fast test layer.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copier
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
# What a template needs to render: the rest of the repository is not the template.
TEMPLATE_PARTS = ("copier.yml", "template", "extensions", "includes")


def questions() -> dict[str, dict[str, Any]]:
    """The questions of copier.yml, in order (settings start with an underscore)."""
    data = yaml.safe_load((REPO_ROOT / "copier.yml").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def choices(question: Mapping[str, Any]) -> list[Any]:
    """The values a multiple-choice or yes/no question can take; [] for free text."""
    if question.get("type") == "bool":
        return [True, False]
    raw = question.get("choices")
    if isinstance(raw, dict):
        return list(raw.values())
    if isinstance(raw, list):
        return list(raw)
    return []


@dataclass(frozen=True)
class Variant:
    """One combination of answers to the multiple-choice questions."""

    answers: tuple[tuple[str, Any], ...]

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.answers)

    @property
    def id(self) -> str:
        return "-".join(
            (k if v else f"no_{k}") if isinstance(v, bool) else str(v) for k, v in self.answers
        )

    def __getitem__(self, key: str) -> Any:
        return self.data[key]


def all_variants() -> list[Variant]:
    """Every combination of choices, valid or not."""
    multi = {name: choices(q) for name, q in questions().items() if choices(q)}
    return [
        Variant(tuple(zip(multi, combo, strict=True)))
        for combo in itertools.product(*multi.values())
    ]


def expected_refusal(variant: Variant) -> str | None:
    """The validator message that copier.yml must give for an invalid combination."""
    if variant["example_resource"] and variant["database"] == "none":
        return "example_resource needs a database"
    return None


def valid_variants() -> list[Variant]:
    return [v for v in all_variants() if expected_refusal(v) is None]


def copy_template(dest: Path) -> Path:
    """Copy the template, without git, to ``dest``: Copier renders it as it is."""
    for part in TEMPLATE_PARTS:
        src = REPO_ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


def render(template: Path, dest: Path, data: Mapping[str, Any]) -> Path:
    """Generate a service from ``template`` into ``dest`` with ``data`` and defaults."""
    copier.run_copy(str(template), dest, data=dict(data), defaults=True, unsafe=True, quiet=True)
    return dest


def files(root: Path) -> Iterator[Path]:
    """Every file of a generated tree."""
    return (p for p in sorted(root.rglob("*")) if p.is_file())
