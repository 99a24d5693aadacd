"""Make a new service a git repository with a first commit (``gofactory new``).

``copier update`` replays template upgrades through git, and the service's Makefile
and goreleaser take its version from git: a service is only complete as a repository.
A service generated inside an existing repository (a monorepo, or a directory made
with ``git init`` beforehand) belongs to that one instead; a directory that the
enclosing repository ignores (such as a build directory) does not count as inside it.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Outcome(Enum):
    """What became of the service's repository."""

    COMMITTED = "committed"
    """A new repository with one commit of every generated file."""
    STAGED = "staged"
    """A new repository whose first commit git refused (no identity, a hook ...)."""
    INSIDE = "inside"
    """Left to the repository that already holds the service."""
    NO_GIT = "no-git"
    """git is not installed."""


@dataclass(frozen=True)
class Repository:
    """The outcome, with the enclosing repository or git's reason, for the message."""

    outcome: Outcome
    detail: str = ""


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def enclosing_repository(path: Path) -> Path | None:
    """The top of the git work tree that holds ``path`` and does not ignore it."""
    done = _git(path, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        return None
    top = Path(done.stdout.strip())
    if (
        top.resolve() != path.resolve()
        and _git(top, "check-ignore", "-q", "--", str(path)).returncode == 0
    ):
        return None
    return top


def make_repository(dest: Path, message: str) -> Repository:
    """``git init`` in ``dest`` and commit every file, unless a repository holds it.

    Failures of git leave the generated files in place: the service is complete
    without a repository, and the message says what to run instead.
    """
    if shutil.which("git") is None:
        return Repository(Outcome.NO_GIT)
    top = enclosing_repository(dest)
    if top is not None:
        return Repository(Outcome.INSIDE, str(top))
    for args in (("init", "-q"), ("add", "-A")):
        done = _git(dest, *args)
        if done.returncode != 0:
            return Repository(Outcome.STAGED, _first_line(done))
    done = _git(dest, "commit", "-q", "-m", message)
    if done.returncode != 0:
        return Repository(Outcome.STAGED, _first_line(done))
    return Repository(Outcome.COMMITTED)


def _first_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in (done.stderr or done.stdout).splitlines() if line.strip()]
    # git explains a missing identity after a blank line: keep its question.
    return next((line for line in lines if "identity" in line.lower()), lines[0] if lines else "")
