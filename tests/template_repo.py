"""Template releases and generated services in temporary git repositories.

``copier update`` needs a template with versions (git tags) and a service in a git
repository. Tags are never created in the real repository (``gofactory new`` would
then render the tagged release instead of the working tree): each test copies the
working tree into a temporary repository, tags it ``v0.1.0``, and makes later
releases there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import yaml
from typer.testing import CliRunner, Result
from variants import REPO_ROOT

from gofactory.cli import app

OLD, NEW = "v0.1.0", "v0.2.0"
IDENTITY = {
    "GIT_AUTHOR_NAME": "gofactory tests",
    "GIT_AUTHOR_EMAIL": "tests@gofactory.invalid",
    "GIT_COMMITTER_NAME": "gofactory tests",
    "GIT_COMMITTER_EMAIL": "tests@gofactory.invalid",
}


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` with a fixed identity; fail with its output."""
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **IDENTITY},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed in {cwd}:\n{done.stderr}")
    return done.stdout


def copy_working_tree(target: Path) -> Path:
    """Copy the repository's files as they are in the working tree (untracked ones too,
    ignored ones not) into ``target``."""
    listed = git(REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for relpath in filter(None, listed.split("\0")):
        source = REPO_ROOT / relpath
        if source.is_file():
            (target / relpath).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relpath)
    return target


def clone_template(target: Path, tag: str = "v0.1.0") -> Path:
    """Copy the template as it is in the working tree into a new repository, tagged."""
    copy_working_tree(target)
    git(target, "init", "-q")
    release(target, tag, "gofactory template")
    return target


def release(template: Path, tag: str, message: str) -> None:
    """Commit every change of the template repository and tag it."""
    git(template, "add", "-A")
    git(template, "commit", "-q", "--allow-empty", "-m", message)
    git(template, "tag", tag)


def commit_all(service: Path, message: str) -> None:
    git(service, "add", "-A")
    git(service, "commit", "-q", "-m", message)


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur exactly once) in a file."""
    text = path.read_text(encoding="utf-8")
    count = text.count(old)
    if count != 1:
        raise AssertionError(f"{path} holds {old!r} {count} times, expected once")
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def invoke(args: Sequence[str]) -> Result:
    """Run the gofactory command line in-process (the bundled template unless --template)."""
    return CliRunner().invoke(app, list(args), env={"GOFACTORY_TEMPLATE": None})


def generate(template: Path, dest: Path, answers: dict[str, object]) -> Path:
    """Generate at v0.1.0 with ``gofactory new`` into a fresh repository, and commit."""
    data_file = dest.parent / f"{dest.name}-answers.yml"
    data_file.write_text(yaml.safe_dump(answers))
    dest.mkdir()
    git(dest, "init", "-q")
    args = ["--vcs-ref", OLD, "--template", str(template), "--data-file", str(data_file)]
    result = invoke(["new", "--defaults", *args, str(dest)])
    assert result.exit_code == 0, result.output
    commit_all(dest, "Generate from gofactory")
    return dest
