"""Generate a service with Copier's Python API (``gofactory new``)."""

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gofactory.answers import check_known_questions, recorded_answers
from gofactory.copier_api import copier_warnings_as_messages
from gofactory.copier_internals import new_service
from gofactory.errors import GofactoryError
from gofactory.repository import Repository, make_repository


@dataclass(frozen=True)
class Request:
    """Everything ``gofactory new`` needs to generate one service."""

    template: str
    dest: Path
    data: Mapping[str, str]
    file_data: Mapping[str, Any]
    defaults: bool
    vcs_ref: str | None
    interactive: bool
    verbose: bool
    git: bool = True
    """Make the service a git repository with a first commit (see repository.py)."""


@dataclass(frozen=True)
class Generated:
    """The outcome of a successful generation."""

    dest: Path
    answers: Mapping[str, Any]
    template_version: str | None
    """The template's tag or commit (``_commit`` of .copier-answers.yml)."""
    repository: Repository | None = None
    """None when not asked for (--no-git)."""


# A destination may already be a fresh git repository (``git init`` before generating).
_ALLOWED_IN_DEST = frozenset({".git"})


def check_destination(dest: Path) -> bool:
    """Refuse a destination that holds anything; return whether it exists (empty).

    An existing directory is accepted when it is empty or holds only ``.git``.
    """
    if not dest.exists():
        return False
    if not dest.is_dir():
        raise GofactoryError(f"destination {str(dest)!r} exists and is not a directory")
    if any(child.name not in _ALLOWED_IN_DEST for child in dest.iterdir()):
        raise GofactoryError(
            f"destination {str(dest)!r} exists and is not empty; "
            "choose a new directory (gofactory never overwrites files)"
        )
    return True


def generate(request: Request) -> Generated:
    """Render the template into ``request.dest``; on any error nothing is left behind."""
    existed = check_destination(request.dest)
    data = {**request.file_data, **request.data}
    try:
        with copier_warnings_as_messages(_DIRTY_HINT):
            generated = _run(request, data)
    except BaseException:
        # Copier removes a destination it created when rendering fails, but not one that
        # existed before, nor anything after an interrupt: leave DEST as it was found.
        if existed:
            _empty_directory(request.dest)
        elif request.dest.exists():
            shutil.rmtree(request.dest, ignore_errors=True)
        raise
    if not request.git:
        return generated
    service = generated.answers.get("service_name", request.dest.name)
    version = generated.template_version
    message = f"Generate {service} from the gofactory template" + (f" {version}" if version else "")
    return replace(generated, repository=make_repository(request.dest, message))


def _run(request: Request, data: dict[str, Any]) -> Generated:
    with new_service(
        request.template,
        request.dest,
        data,
        defaults=request.defaults,
        vcs_ref=request.vcs_ref,
        quiet=not request.verbose,
    ) as service:
        questions = service.questions
        check_known_questions(request.file_data, questions, "--data-file")
        check_known_questions(request.data, questions, "--data")
        unanswered = [name for name in questions if name not in data]
        if unanswered and not request.defaults and not request.interactive:
            raise GofactoryError(
                "standard input is not a terminal, so the questions cannot be asked "
                f"(unanswered: {', '.join(unanswered)}); pass --defaults to accept the "
                "default answers, and --data KEY=VALUE or --data-file FILE to set answers"
            )
        service.copy()
    recorded = recorded_answers(request.dest)
    answers = {name: recorded[name] for name in questions if name in recorded}
    version = recorded.get("_commit")
    return Generated(
        dest=request.dest,
        answers=answers,
        template_version=str(version) if version is not None else None,
    )


_DIRTY_HINT = (
    " The service will record a template commit that exists only in a temporary copy,"
    " so `copier update` will not work in it: commit the template first if you mean"
    " to update this service later."
)


def _empty_directory(directory: Path) -> None:
    """Remove what a failed generation left in a destination that existed before."""
    for child in directory.iterdir():
        if child.name in _ALLOWED_IN_DEST:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
