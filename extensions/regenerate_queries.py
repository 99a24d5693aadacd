"""Regenerate the sqlc code that the template ships for each database engine.

The template holds, for each engine, the Go code that sqlc generates from the notes
queries (template/internal/storage/queries/notes.sql) and the engine's migrations, in
includes/storage/<engine>/queries/ (template/internal/storage/queries/*.go.jinja include
the engine's). After changing either, run `python -m extensions.regenerate_queries` from
the repository root: it renders a service per engine, runs its `make generate` (the sqlc
pinned in tools/go.mod) and copies the generated files back. The tests fail while the
committed code differs from sqlc's output.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import copier

REPO = Path(__file__).resolve().parents[1]
# What the template needs to render (copier.yml and the directories it reads).
TEMPLATE_PARTS = ("copier.yml", "template", "extensions", "includes", "slices")
ENGINES = ("sqlite", "postgres", "mysql")


def template_copy(tmp: Path) -> Path:
    """A plain copy of the template, without git: Copier renders the working tree as it is."""
    template = tmp / "template"
    template.mkdir()
    for part in TEMPLATE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, template / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, template / part)
    return template


def generate(template: Path, service: Path, answers: dict[str, str]) -> Path:
    """Render a service with ``answers`` (defaults for the rest) and run its `make generate`."""
    copier.run_copy(str(template), service, data=answers, defaults=True, unsafe=True, quiet=True)
    subprocess.run(["make", "generate"], cwd=service, check=True)
    return service


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gofactory-sqlc-") as tmp:
        template = template_copy(Path(tmp))
        for engine in ENGINES:
            service = generate(template, Path(tmp) / engine, {"database": engine})
            target = REPO / "includes" / "storage" / engine / "queries"
            for old in target.glob("*.go"):
                old.unlink()
            for generated in sorted((service / "internal" / "storage" / "queries").glob("*.go")):
                shutil.copy2(generated, target / generated.name)
                print(f"{engine}: {generated.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
