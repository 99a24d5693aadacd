"""Plain Copier, without the gofactory command line, produces the same service."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from variants import REPO_ROOT, files

BIN = Path(sys.executable).parent
ANSWERS = ".copier-answers.yml"


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in files(root)}


def test_copier_copy_equals_gofactory_new(tmp_path: Path) -> None:
    by_copier = tmp_path / "copier"
    by_cli = tmp_path / "cli"
    subprocess.run(
        [
            str(BIN / "copier"),
            "copy",
            "--trust",
            "--defaults",
            "--quiet",
            str(REPO_ROOT),
            str(by_copier),
        ],
        check=True,
        capture_output=True,
    )
    # --no-git: the files alone are compared (gofactory new also makes a repository).
    subprocess.run(
        [str(BIN / "gofactory"), "new", str(by_cli), "--defaults", "--no-git"],
        check=True,
        capture_output=True,
    )

    copier_tree, cli_tree = tree(by_copier), tree(by_cli)
    assert sorted(copier_tree) == sorted(cli_tree)
    # From a checkout with uncommitted changes, Copier commits them in a
    # throw-away clone per run, so _commit differs between two runs; the
    # rest of the answers file must not.
    for t in (copier_tree, cli_tree):
        t[ANSWERS] = re.sub(rb"(?m)^_commit: .*\n", b"", t[ANSWERS])
    different = [name for name in copier_tree if copier_tree[name] != cli_tree[name]]
    assert different == [], f"files that differ: {different}"
    assert (by_copier / "cmd" / "notes-service" / "main.go").is_file()
