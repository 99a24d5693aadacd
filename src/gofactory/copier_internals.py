"""Every use of Copier's private modules, in one place, each with the reason.

Copier's public Python API is ``run_copy``, ``run_update`` and ``run_recopy``: each
loads a template, asks its questions, renders and writes, in one call. gofactory
updates services with them, and generates them with the ``Worker`` that ``run_copy``
makes (``NewService``: the template loaded once). A few things it does need a
template's questions *without* rendering it, or data Copier computes for its command
line only;
for those, this module reaches into Copier's private modules (the ones whose names
start with ``_``). A Copier upgrade may change them: the version is pinned in
pyproject.toml, and the tests of ``new``, ``update``, ``check``, ``matrix`` and of the
questions reference exercise every function here.
"""

from __future__ import annotations

import io
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

# Why private: see each function below.
from copier._main import Worker, get_update_data
from copier._template import filter_config, load_template_config
from copier._user_data import Question
from copier._vcs import get_git
from copier.errors import CopierWarning
from jinja2 import Environment
from plumbum import ProcessExecutionError

from gofactory.copier_api import copier_errors


@dataclass(frozen=True)
class Questions:
    """A template's questions: every name in copier.yml order, and those that ``when``
    skips given some answers (auth_provider without auth, say)."""

    names: list[str]
    skipped: frozenset[str]


def question_names(
    src_path: str | None = None, vcs_ref: str | None = None, dst_path: Path | None = None
) -> list[str]:
    """The names of a template's questions, in copier.yml order (``template_questions``)."""
    return template_questions(src_path, vcs_ref, dst_path).names


def template_questions(
    src_path: str | None = None,
    vcs_ref: str | None = None,
    dst_path: Path | None = None,
    answers: Mapping[str, Any] | None = None,
) -> Questions:
    """The names of a template's questions, in copier.yml order, without rendering, and
    with ``answers`` the ones Copier would skip given them (their ``when`` is false).

    Why private: ``run_copy`` and ``run_update`` take answers for any name and ignore
    those the template does not ask, and ask the remaining questions on the terminal.
    gofactory refuses a misspelt ``--data`` name and fails at once when there is no
    terminal to ask on, before anything is written: that needs the list first, which
    only Copier's ``Worker`` reads (copier.yml with its ``!include``s, at the template
    version that will be used). Give ``src_path`` for a new service, or ``dst_path``
    for a generated one (its recorded template, at ``vcs_ref`` or the latest release).
    """
    # The command that follows loads the template again and shows its warnings and
    # notes (such as "No git tags found in template"): here they would show twice.
    with (
        TemporaryDirectory() as scratch,
        warnings.catch_warnings(),
        redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore", CopierWarning)
        with (
            copier_errors(),
            Worker(
                src_path=src_path,
                dst_path=dst_path or Path(scratch) / "service",
                vcs_ref=vcs_ref,
                quiet=True,
            ) as worker,
        ):
            questions = worker.template.questions_data
            skipped = (
                frozenset()
                if answers is None
                else frozenset(q for q in questions if not _asked(worker, questions, q, answers))
            )
            return Questions(list(questions), skipped)


# Rendered values of `when` that Copier reads as false.
_FALSE = frozenset({"", "false", "no", "n", "0", "off", "none", "null", "~"})


def _asked(
    worker: Worker, questions: Mapping[str, Any], name: str, answers: Mapping[str, Any]
) -> bool:
    """Whether Copier asks ``name`` given ``answers`` (the other questions at their
    plain defaults): its ``when`` holds. A ``when`` that cannot be judged counts as
    asked."""
    when = questions[name].get("when", True)
    if not isinstance(when, str):
        return bool(when)
    context = {
        q: spec.get("default")
        for q, spec in questions.items()
        if not (isinstance(spec.get("default"), str) and "{" in spec["default"])
    }
    context.update(answers)
    try:
        rendered = worker.jinja_env.from_string(when).render(**context)
    except Exception:
        return True
    return rendered.strip().lower() not in _FALSE


class NewService:
    """One ``copier copy`` whose template is loaded once, its questions read first.

    Why private: ``run_copy`` loads the template (a git template is cloned), asks and
    renders in one call, and ``question_names`` would load it a second time before it
    (about a third of ``gofactory new``). A ``Worker`` made here with the arguments that
    ``run_copy`` gives it is the same copy: its ``template`` gives the questions, then its
    ``run_copy`` renders.
    """

    def __init__(self, worker: Worker) -> None:
        self._worker = worker
        # What loading the template printed and warned ("No git tags found in template",
        # the dirty-template warning ...): shown only if the copy goes ahead, so that a
        # refused command prints its error alone, as when nothing was loaded.
        printed = io.StringIO()
        with (
            redirect_stderr(printed),
            warnings.catch_warnings(record=True) as warned,
            copier_errors(),
        ):
            self.questions: list[str] = list(worker.template.questions_data)
        self._printed = printed.getvalue()
        self._warned = warned

    def copy(self) -> None:
        """Render the service (asking the questions not answered, unless defaults)."""
        sys.stderr.write(self._printed)
        for warning in self._warned:
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno
            )
        worker = self._worker
        _sync_index_modes_once(worker)
        with copier_errors():
            worker.run_copy()


@contextmanager
def new_service(
    src_path: str,
    dst_path: Path,
    data: Mapping[str, Any],
    *,
    defaults: bool,
    vcs_ref: str | None,
    quiet: bool,
) -> Iterator[NewService]:
    """The copy of ``run_copy(src_path, dst_path, data, ...)``, its template loaded.

    The template loads its own Jinja extension, which Copier counts as unsafe.
    """
    with (
        copier_errors(),
        Worker(
            src_path=src_path,
            dst_path=dst_path,
            data=dict(data),
            vcs_ref=vcs_ref,
            defaults=defaults,
            quiet=quiet,
            unsafe=True,
        ) as worker,
    ):
        yield NewService(worker)


def _sync_index_modes_once(worker: Worker) -> None:
    """Ask git for ``core.fileMode`` once per copy instead of once per file.

    Why private: after writing each file, Copier runs ``git config core.fileMode`` in the
    destination and, only when it is ``false``, copies the template's executable bit into
    the destination's git index (``_sync_git_index_executable_bit``). The setting does not
    change while a service is written, and asking once spares a git process per file
    (150 for the largest service). When it is ``false``, Copier's method runs as before.
    """
    sync_file = worker._sync_git_index_executable_bit
    file_mode: list[str] = []

    def sync(dst_relpath: Path, src_mode: int) -> None:
        if not file_mode:
            # Asked as Copier asks (its git command: the same executable and environment).
            git = get_git(context_dir=worker.subproject.local_abspath)
            try:
                file_mode.append(git("config", "--type=bool", "--get", "core.fileMode").strip())
            except ProcessExecutionError:
                file_mode.append("")  # not a repository, or unset: true on unix
        if file_mode[0] == "false":
            sync_file(dst_relpath, src_mode)

    # An attribute of this worker only: Copier's class is left as it is.
    worker._sync_git_index_executable_bit = sync  # type: ignore[method-assign]


def update_status(dst_path: Path) -> tuple[bool, str, str]:
    """Whether a newer template release exists: (available, current, latest).

    Why private: ``copier check-update`` computes this with ``get_update_data``,
    which Copier does not export; the public API has no equivalent.
    """
    return get_update_data(dst_path=dst_path)


def load_config(config_path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A copier.yml read as Copier reads it: (settings, questions in order).

    Why private: the questions reference (docs/questions.md) is written from the
    questions' own fields (help, choices, validator); Copier's loader resolves
    ``!include`` and multi-document files, and the public API exposes no loader.
    """
    settings, questions = filter_config(load_template_config(config_path, quiet=True))
    return settings, questions


@dataclass(frozen=True)
class Asked:
    """What Copier's questionnaire made of some answers (none refused)."""

    answers: Mapping[str, Any]
    """Every answer, given or computed, by question name."""
    hidden: frozenset[str]
    """Questions that ``when`` skipped."""


class TemplateSession:
    """One loaded template whose questionnaire can be run many times, without rendering.

    Why private: ``gofactory matrix`` asks Copier to judge hundreds of combinations of
    answers (validators, ``when``, computed defaults, choices) exactly as ``copier copy
    --defaults --data`` would. The public API can only do that by rendering a whole
    service per combination; ``Worker`` runs the questionnaire alone (``_ask``), and
    its ``Question`` objects give the values each choice accepts.
    """

    def __init__(self, worker: Worker) -> None:
        self._worker = worker
        with copier_errors():
            self.questions: dict[str, dict[str, Any]] = dict(worker.template.questions_data)

    @property
    def jinja_env(self) -> Environment:
        """The Jinja environment Copier renders the template's expressions with."""
        return self._worker.jinja_env

    def ask(self, data: Mapping[str, Any]) -> Asked:
        """Run the questionnaire with ``data`` and defaults for the rest.

        Raises ValueError with Copier's message when an answer is refused.
        """
        worker = self._worker
        worker.data = dict(data)
        worker._ask()
        return Asked(
            answers=dict(worker.answers.combined),
            hidden=frozenset(worker.answers.hidden),
        )

    def choices(self, name: str) -> list[Any] | None:
        """The values question ``name`` accepts, cast as Copier casts an answer.

        None when it is not a multiple-choice question; ``[True, False]`` for a yes/no
        question. Every way copier.yml can spell choices (a list, a mapping of labels to
        values, a Jinja string) gives the values Copier would accept.
        """
        question = self._question(name)
        if question.choices:
            return [question.cast_answer(c.value) for c in question._formatted_choices]
        if question.get_type_name() == "bool":
            return [True, False]
        return None

    def _question(self, name: str) -> Question:
        """Copier's Question object for ``name``, in the context of the default answers."""
        self.ask({})
        worker = self._worker
        return Question(
            var_name=name,
            answers=worker.answers,
            context=worker._render_context(),
            jinja_env=worker.jinja_env,
            settings=worker.settings,
            **self.questions[name],
        )


@contextmanager
def template_session(source: str, vcs_ref: str | None) -> Iterator[TemplateSession]:
    """Load the template ``source`` at ``vcs_ref`` once, for ``TemplateSession``."""
    with (
        TemporaryDirectory() as scratch,
        Worker(
            src_path=source,
            dst_path=Path(scratch) / "service",
            vcs_ref=vcs_ref,
            defaults=True,
            quiet=True,
        ) as worker,
    ):
        yield TemplateSession(worker)
