"""Copier's own judgement of a combination of answers: the oracle behind ``gofactory matrix``.

The matrix must agree with Copier about which combinations are refused, and the
template's validators are Jinja that may use the template's own extension (``kebab``,
``go_module_path`` ...). So nothing here re-implements them: a combination is judged by
Copier running its questionnaire exactly as ``copier copy --defaults --data``
does (choices, casts, defaults computed from earlier answers, ``when``, validators),
with the template loaded once and without rendering any file.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from copier.errors import DirtyLocalWarning
from jinja2 import Environment, Template, TemplateSyntaxError, meta

from gofactory.copier_api import copier_errors
from gofactory.copier_internals import template_session
from gofactory.errors import GofactoryError

# The fields of a question that can make Copier refuse or change an answer.
_JUDGING_FIELDS = ("validator", "when", "default", "choices", "type", "multiselect")
_JINJA_MARKERS = ("{{", "{%")


@dataclass(frozen=True)
class Factor:
    """A question whose answer is one of a few values: a multiple-choice or yes/no question.

    ``levels`` are its values in copier.yml order (``True, False`` for a yes/no question).
    """

    name: str
    levels: tuple[Any, ...]


@dataclass(frozen=True)
class Verdict:
    """What Copier made of a combination of answers."""

    refusal: str | None
    """Copier's message when it refuses the combination, else None."""
    answers: Mapping[str, Any] = field(default_factory=dict)
    """Every answer, given or computed, when the combination is accepted."""
    hidden: frozenset[str] = frozenset()
    """Questions that ``when`` skipped: their answers are not recorded."""


class Questionnaire:
    """A template's questions, loaded once through Copier, judging many combinations.

    Use it as a context manager: Copier may clone the template into a temporary
    directory, removed on exit. ``vcs_ref`` selects the template version of a git
    template; ``"HEAD"`` of a local checkout includes its uncommitted changes, which is
    what a template maintainer testing the working tree wants.
    """

    def __init__(self, source: str, vcs_ref: str | None = "HEAD") -> None:
        self._source = source
        self._vcs_ref = vcs_ref
        self._stack = ExitStack()
        self._verdicts: dict[tuple[tuple[str, Any], ...], Verdict] = {}
        self._references: dict[str, frozenset[str]] = {}

    def __enter__(self) -> Questionnaire:
        try:
            with copier_errors(), warnings.catch_warnings():
                # Judging the working tree of a local template is the point here.
                warnings.simplefilter("ignore", DirtyLocalWarning)
                self._session = self._stack.enter_context(
                    template_session(self._source, self._vcs_ref)
                )
            self.questions: dict[str, dict[str, Any]] = self._session.questions
            _cache_compiled_templates(self._session.jinja_env)
            defaults = self.evaluate({})
        except BaseException:
            self._stack.close()
            raise
        if defaults.refusal is not None:
            self._stack.close()
            raise GofactoryError(
                f"the template refuses its own default answers: {defaults.refusal}", exit_code=1
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stack.close()

    def factors(self) -> list[Factor]:
        """The multiple-choice and yes/no questions, in copier.yml order.

        Choices are read by Copier itself, so every way copier.yml can spell them (a
        list, a mapping of labels to values, values with their own validator, a Jinja
        string) gives the values Copier would accept. Multiple-answer questions are
        left out: they keep their default in every combination.
        """
        result = []
        for name, details in self.questions.items():
            if details.get("multiselect"):
                continue
            with copier_errors():
                values = self._session.choices(name)
            if values is not None:
                result.append(Factor(name, tuple(dict.fromkeys(values))))
        return result

    def references(self, name: str) -> frozenset[str]:
        """The questions that the Jinja of question ``name`` reads (validator, default ...).

        Found in the syntax tree that Copier's own Jinja environment parses, so two
        questions that never name each other cannot constrain each other.
        """
        if name not in self._references:
            env = self._session.jinja_env
            found: set[str] = set()
            for key in _JUDGING_FIELDS:
                for text in _strings(self.questions[name].get(key)):
                    if not any(marker in text for marker in _JINJA_MARKERS):
                        continue
                    try:
                        found |= meta.find_undeclared_variables(env.parse(text))
                    except TemplateSyntaxError as error:
                        raise GofactoryError(
                            f"the {key} of question {name!r} is not valid Jinja: {error}",
                            exit_code=1,
                        ) from error
            self._references[name] = frozenset(found & self.questions.keys() - {name})
        return self._references[name]

    def evaluate(self, answers: Mapping[str, Any]) -> Verdict:
        """Judge ``answers`` (the other questions at their defaults) as Copier does."""
        key = tuple(sorted(answers.items()))
        if key not in self._verdicts:
            self._verdicts[key] = self._ask(answers)
        return self._verdicts[key]

    def _ask(self, answers: Mapping[str, Any]) -> Verdict:
        with copier_errors():
            try:
                asked = self._session.ask(answers)
            except ValueError as error:
                # Copier refuses an answer with a plain ValueError that names the
                # question: "Validation error for question 'x': ..." or "Invalid
                # choice for 'x': ...".
                return Verdict(refusal=str(error))
        return Verdict(
            refusal=None,
            answers={name: asked.answers[name] for name in self.questions if name in asked.answers},
            hidden=asked.hidden,
        )


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a question's field (choices nest mappings and lists)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _cache_compiled_templates(env: Environment) -> None:
    """Compile each distinct Jinja string once.

    Copier compiles a validator or a default every time it evaluates one; judging
    hundreds of combinations would spend most of its time recompiling the same few
    strings (about ten times slower). Compiled templates hold no per-render state.
    """
    compile_string: Callable[..., Template] = env.from_string
    compiled: dict[str, Template] = {}

    def from_string(source: Any, *args: Any, **kwargs: Any) -> Template:
        if args or kwargs or not isinstance(source, str):
            return compile_string(source, *args, **kwargs)
        if source not in compiled:
            compiled[source] = compile_string(source)
        return compiled[source]

    env.from_string = from_string  # type: ignore[method-assign]
