"""The variants of the template that the tests render, build and run.

They come from ``gofactory matrix``, computed from copier.yml as it is in the working
tree: a new question or choice changes them with no edit here, and the combinations
its validators refuse are found by Copier itself (never listed by hand).

* ``valid_variants()``: the pairwise matrix (every pair of choices of two questions in
  one valid variant, plus the all-minimal and all-maximal variants). The slow layers
  (build, vet, ``go test -race``, lint) run it: its size grows with the largest
  choice lists, not with their product.
* ``render_variants()``: the strength-3 matrix (every triple of choices), plus the
  pairwise variants it lacks, for the fast render layer, where a variant costs a
  fraction of a second.
* ``refusals()``: a sample of refused combinations with Copier's message.

Rendering is done with Copier's API from a plain (non-git) copy of the template.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import copier

from gofactory.matrix import Matrix, Questionnaire, Refusal, Variant, build_matrix

REPO_ROOT = Path(__file__).resolve().parents[1]
# What a template needs to render: the rest of the repository is not the template.
TEMPLATE_PARTS = ("copier.yml", "template", "extensions", "includes", "slices")
BUILD_STRENGTH = 2
RENDER_STRENGTH = 3

__all__ = [
    "REPO_ROOT",
    "Refusal",
    "Variant",
    "copy_template",
    "files",
    "matrices",
    "refusals",
    "render",
    "render_variants",
    "valid_variants",
]


@functools.cache
def matrices() -> dict[int, Matrix]:
    """The matrices of the working tree's copier.yml, computed once per process."""
    with Questionnaire(str(REPO_ROOT), vcs_ref="HEAD") as questionnaire:
        return {
            strength: build_matrix(questionnaire, strength)
            for strength in (BUILD_STRENGTH, RENDER_STRENGTH)
        }


def valid_variants() -> list[Variant]:
    """The pairwise matrix: what every slow layer builds and runs."""
    return list(matrices()[BUILD_STRENGTH].variants)


def render_variants() -> list[Variant]:
    """The strength-3 matrix, then any pairwise variant it lacks: the fast layer's set.

    Every variant that a slow layer builds is so also checked for a clean render.
    """
    variants = list(matrices()[RENDER_STRENGTH].variants)
    return variants + [v for v in matrices()[BUILD_STRENGTH].variants if v not in variants]


def refusals() -> list[Refusal]:
    """Refused combinations, up to a few per refusing question, with their message."""
    return list(matrices()[BUILD_STRENGTH].refusals)


def copy_template(dest: Path) -> Path:
    """Copy the template, without git, to ``dest``: Copier renders it as it is."""
    dest.mkdir(parents=True, exist_ok=True)
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
