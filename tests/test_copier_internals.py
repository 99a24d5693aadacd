"""What ``gofactory new`` does with Copier's private modules to render faster: the template
is loaded (for a git template: cloned) once, and git's ``core.fileMode`` is asked once."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import copier._template
import copier._vcs
import pytest
from copier._main import Worker
from template_repo import clone_template
from typer.testing import CliRunner

from gofactory import copier_internals
from gofactory.cli import app


def test_new_clones_the_template_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = clone_template(tmp_path / "template")
    clones: list[str] = []
    clone = copier._vcs.clone

    def counted(url: str, *args: Any, **kwargs: Any) -> str:
        clones.append(url)
        return clone(url, *args, **kwargs)

    monkeypatch.setattr(copier._template, "clone", counted)
    dest = tmp_path / "svc"
    result = CliRunner().invoke(
        app, ["new", "--defaults", "--no-git", "--template", str(template), str(dest)]
    )
    assert result.exit_code == 0, result.output
    assert len(clones) == 1
    assert (dest / "go.mod").is_file()


class FakeWorker:
    """The two things of a Worker that the file-mode sync reads."""

    def __init__(self, root: Path) -> None:
        self.subproject = SimpleNamespace(local_abspath=root)
        self.synced: list[Path] = []

    def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
        self.synced.append(dst_relpath)


@pytest.mark.parametrize(("file_mode", "synced"), [(None, False), ("true", False), ("false", True)])
def test_file_mode_is_asked_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file_mode: str | None, synced: bool
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    if file_mode is not None:
        subprocess.run(["git", "config", "core.fileMode", file_mode], cwd=tmp_path, check=True)
    asked: list[Path] = []
    get_git = copier._vcs.get_git

    def counted(context_dir: Path) -> Any:
        asked.append(context_dir)
        return get_git(context_dir=context_dir)

    monkeypatch.setattr(copier_internals, "get_git", counted)
    fake = FakeWorker(tmp_path)
    copier_internals._sync_index_modes_once(cast(Worker, fake))
    paths = [Path("a"), Path("b/c"), Path("d")]
    for path in paths:
        fake._sync_git_index_executable_bit(path, 0o755)
    assert asked == [tmp_path]
    # Copier's own method runs for every file exactly when git ignores file modes.
    assert fake.synced == (paths if synced else [])
