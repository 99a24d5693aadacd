"""Update a generated service to a newer template version, and say when one exists.

``copier update`` merges the template's changes into a service its owner has since
changed. Where both changed the same lines it leaves conflicts behind, and its exit
status is 0 all the same, so in a script (a bot that opens upgrade pull requests, CI)
a conflict goes unnoticed until the code fails to build. ``update`` runs Copier, then
looks for every kind of conflict Copier can leave, and reports them as a failure.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import copier

from gofactory.answers import ANSWERS_FILE, check_known_questions, recorded_answers
from gofactory.copier_api import copier_errors, copier_warnings_as_messages
from gofactory.copier_internals import template_questions, update_status
from gofactory.errors import GofactoryError

ConflictMode = Literal["inline", "rej"]
# Git's conflict markers, as `git merge-file` and Copier's inline mode write them.
_MARKERS = re.compile(rb"^<{7}(?: .*)?$.*?^={7}$.*?^>{7}(?: .*)?$", re.MULTILINE | re.DOTALL)
_DIRTY_HINT = " (uncommitted changes of a local template are used for this update)"


@dataclass(frozen=True)
class UpdateRequest:
    """Everything ``gofactory update`` needs."""

    path: Path
    data: Mapping[str, str]
    file_data: Mapping[str, Any]
    defaults: bool
    skip_answered: bool
    vcs_ref: str | None
    conflict: ConflictMode
    interactive: bool
    verbose: bool


@dataclass(frozen=True)
class Conflict:
    """A file that the update left unresolved, and how (markers, index, .rej)."""

    path: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Updated:
    """The outcome of an update: template versions before and after, and conflicts."""

    old_version: str | None
    new_version: str | None
    conflicts: tuple[Conflict, ...]


@dataclass(frozen=True)
class UpdateStatus:
    """Whether a newer template version than the service's exists."""

    available: bool
    current: str
    latest: str


def update(request: UpdateRequest) -> Updated:
    """Run ``copier update`` in ``request.path`` and find the conflicts it left."""
    root = service_root(request.path)
    old_version = _template_version(root)
    rej_before = set(_rej_files(root))
    data = {**request.file_data, **request.data}
    with (
        copier_warnings_as_messages(_DIRTY_HINT),
        copier_errors(interrupted="interrupted; review the service with `git status`"),
    ):
        recorded = recorded_answers(root)
        questions = template_questions(dst_path=root, vcs_ref=request.vcs_ref, answers=recorded)
        check_known_questions(request.file_data, questions.names, "--data-file")
        check_known_questions(request.data, questions.names, "--data")
        if not request.defaults and not request.interactive:
            unanswered = [q for q in questions.names if q not in data]
            if request.skip_answered:
                # Copier asks only the questions without a recorded answer whose
                # `when` holds.
                unanswered = [
                    q for q in unanswered if q not in recorded and q not in questions.skipped
                ]
            _refuse_questions(unanswered)
        copier.run_update(
            root,
            data=data,
            defaults=request.defaults,
            skip_answered=request.skip_answered,
            vcs_ref=request.vcs_ref,
            conflict=request.conflict,
            overwrite=True,
            quiet=not request.verbose,
            # The template loads its own Jinja extension and runs its _migrations.
            unsafe=True,
        )
    return Updated(
        old_version=old_version,
        new_version=_template_version(root),
        conflicts=find_conflicts(root, rej_before),
    )


def _refuse_questions(unanswered: list[str]) -> None:
    """Fail fast when Copier would ask a question and there is no terminal to ask on.

    Without --defaults Copier asks every question again, or with --skip-answered the
    ones the service has no recorded answer for (those a new release adds).
    """
    if not unanswered:
        return
    raise GofactoryError(
        "standard input is not a terminal, so the questions cannot be asked "
        f"(to ask: {', '.join(unanswered)}); pass --defaults to keep the recorded answers "
        "and take the defaults of new questions, and --data KEY=VALUE to change an answer"
    )


def check(path: Path) -> UpdateStatus:
    """Compare the service's template version with the template's latest release."""
    root = service_root(path)
    with copier_warnings_as_messages(), copier_errors():
        available, current, latest = update_status(root)
    return UpdateStatus(available=available, current=current, latest=latest)


def find_conflicts(root: Path, rej_before: Collection[str] = ()) -> tuple[Conflict, ...]:
    """Every file of the service with an unresolved conflict.

    Three kinds, since Copier leaves each in some case: conflict markers in a file the
    update changed, a path unmerged in git's index, and a ``.rej`` file of rejected
    hunks (``--conflict rej``) that was not there before.
    """
    kinds: dict[str, list[str]] = {}
    for path in _unmerged(root):
        kinds.setdefault(path, []).append("unmerged in the git index")
    for path in _changed(root):
        file = root / path
        if file.is_file() and not file.is_symlink() and _MARKERS.search(file.read_bytes()):
            kinds.setdefault(path, []).append("conflict markers")
    for rej in _rej_files(root):
        if rej not in rej_before:
            kinds.setdefault(rej, []).append("rejected changes (.rej file)")
    return tuple(Conflict(path, tuple(kinds[path])) for path in sorted(kinds))


def service_root(path: Path) -> Path:
    """The top directory of the generated service at ``path``, or a user error."""
    if not path.is_dir():
        raise GofactoryError(f"{str(path)!r} is not a directory")
    if not (path / ANSWERS_FILE).is_file():
        raise GofactoryError(
            f"{str(path)!r} has no {ANSWERS_FILE}: it is not a service generated by "
            "gofactory (or Copier), or not its top directory"
        )
    return path.resolve()


def _template_version(root: Path) -> str | None:
    commit = recorded_answers(root).get("_commit")
    return str(commit) if commit is not None else None


def _git(root: Path, *args: str) -> list[str]:
    """Run git in ``root``; its NUL-separated output as a list."""
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip()
        raise GofactoryError(f"git {' '.join(args)} failed in {root}: {detail}")
    return [item for item in done.stdout.decode(errors="surrogateescape").split("\0") if item]


def _unmerged(root: Path) -> list[str]:
    # "<mode> <object> <stage>\t<path>" per stage; paths relative to root.
    return sorted({entry.split("\t", 1)[1] for entry in _git(root, "ls-files", "-z", "--unmerged")})


def _changed(root: Path) -> list[str]:
    """Files the update modified or created (the tree was clean before it)."""
    tracked = _git(root, "diff", "--name-only", "-z", "--no-renames", "--relative", "HEAD")
    created = _git(root, "ls-files", "-z", "--others", "--exclude-standard")
    return sorted(set(tracked) | set(created))


def _rej_files(root: Path) -> Iterator[str]:
    """Every ``*.rej`` file under root, ignored by git or not (outside .git)."""
    for path in sorted(root.rglob("*.rej")):
        relative = path.relative_to(root)
        if ".git" not in relative.parts and path.is_file():
            yield relative.as_posix()
