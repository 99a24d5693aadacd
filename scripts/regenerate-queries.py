"""Regenerate the sqlc code that the template ships for each database engine.

The template holds, for each engine, the Go code that sqlc generates from the
notes queries (internal/storage/queries/notes.sql) and the engine's migrations.
After changing either, run `.venv/bin/python scripts/regenerate-queries.py`: it
renders a service per engine, runs its `make generate` (the sqlc pinned in
tools/go.mod) and copies the generated files back into the template. The tests
fail while the committed code differs from sqlc's output.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from variants import copy_template, render  # noqa: E402

ENGINES = ("sqlite", "postgres", "mysql")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gofactory-sqlc-") as tmp:
        template = copy_template(Path(tmp) / "template")
        for engine in ENGINES:
            service = render(template, Path(tmp) / engine, {"database": engine})
            subprocess.run(["make", "generate"], cwd=service, check=True)
            target = (
                REPO
                / "template"
                / "internal"
                / f"{{% if database == '{engine}' %}}storage{{% endif %}}"
                / "{% if example_resource %}queries{% endif %}"
            )
            for old in target.glob("*.go"):
                old.unlink()
            for generated in sorted((service / "internal" / "storage" / "queries").glob("*.go")):
                shutil.copy2(generated, target / generated.name)
                print(f"{engine}: {generated.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
