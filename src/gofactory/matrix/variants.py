"""The variant matrix of a template: few valid combinations that cover every t-tuple.

``build_matrix`` reads the multiple-choice and yes/no questions of copier.yml and finds
which combinations Copier refuses, without re-implementing a single validator:

1. Questions that constrain each other are grouped: two questions are in one group when
   the Jinja of one (validator, ``when``, default, choices) reads the other, directly or
   through the computed default of a free-text question.
2. Within each group, every combination of its choices is judged by Copier itself (the
   other questions at their defaults); groups are small, so this stays cheap however
   many questions copier.yml grows.
3. A covering array is built from the allowed combinations of the groups, so every row
   is valid by construction; each row is then judged once more as a whole, which
   catches a validator that reads an answer without naming it.

The rows start with two extremes, defined from copier.yml alone:

* minimal: each question at its "off" value (false, or a choice such as ``none``,
  ``no``, ``off``, ``disabled``), else its first listed choice;
* maximal: each question at its first "on" value (true, or the first listed choice that
  is not "off"; choices are listed default first, so that is the recommended one).

When an extreme is refused, each group takes its allowed combination closest to it
(fewest answers changed, then the most preferred values in copier.yml order).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from gofactory.errors import GofactoryError
from gofactory.matrix.covering import Component, cover
from gofactory.matrix.questionnaire import Factor, Questionnaire

OFF_VALUES = frozenset({"", "none", "no", "off", "false", "disabled", "never"})
_REFUSED_QUESTION = re.compile(r"(?:for question|choice for) '([^']+)'")
# Refused combinations kept per refusing question: enough to test each rule's
# message without testing every refused combination.
REFUSALS_PER_QUESTION = 3

Answers = tuple[tuple[str, Any], ...]


def is_off(value: Any) -> bool:
    """Whether a choice switches its feature off (``False``, ``none``, ``no`` ...)."""
    if value is None or value is False:
        return True
    return isinstance(value, str) and value.strip().lower() in OFF_VALUES


def variant_id(answers: Answers) -> str:
    """A short, readable, file-name-safe name: ``MIT-1.26-chi-none-no_example_resource``."""
    tokens = []
    for name, value in answers:
        token = (name if value else f"no_{name}") if isinstance(value, bool) else str(value)
        tokens.append(re.sub(r"[^A-Za-z0-9._+-]+", "_", token))
    return "-".join(tokens)


@dataclass(frozen=True)
class _Combination:
    """Answers to some of the multiple-choice and yes/no questions, in copier.yml order."""

    answers: Answers

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.answers)


@dataclass(frozen=True)
class Variant(_Combination):
    """One combination of answers to the multiple-choice and yes/no questions."""

    id: str

    def __getitem__(self, question: str) -> Any:
        return self.data[question]


@dataclass(frozen=True)
class Refusal(_Combination):
    """A combination that Copier refuses, and its message."""

    message: str

    @property
    def id(self) -> str:
        return variant_id(self.answers)


@dataclass(frozen=True)
class Matrix:
    """The covering set of variants of a template, and what it covers."""

    factors: tuple[Factor, ...]
    strength: int
    variants: tuple[Variant, ...]
    minimal: Variant
    maximal: Variant
    groups: tuple[tuple[str, ...], ...]
    """Questions that constrain each other (one group per set)."""
    covered: int
    """How many t-tuples of choices the variants cover: all that any valid variant can."""
    impossible: tuple[Answers, ...]
    """t-tuples that no valid combination contains (refused by a validator)."""
    refusals: tuple[Refusal, ...]
    """A sample of refused combinations: up to a few per refusing question."""

    def to_github_matrix(self) -> dict[str, list[dict[str, Any]]]:
        """The value of a GitHub Actions ``strategy.matrix``: one job per variant."""
        return {"include": [{"name": v.id, "answers": v.data} for v in self.variants]}

    def to_json(self) -> str:
        return json.dumps(self.to_github_matrix(), indent=2) + "\n"


def answers_file(variant: Variant, strength: int) -> str:
    """A data file for ``gofactory new --defaults --data-file`` (or ``copier copy``)."""
    header = (
        f"# gofactory matrix variant {variant.id} (strength {strength}).\n"
        "# Answers to the multiple-choice questions; the others keep their defaults.\n"
    )
    return header + yaml.safe_dump(variant.data, sort_keys=False)


def build_matrix(questionnaire: Questionnaire, strength: int = 2) -> Matrix:
    """Compute the covering set of valid variants of the template (see the module doc)."""
    if strength < 1:
        raise GofactoryError(f"--strength must be 1 or more, not {strength}")
    factors = questionnaire.factors()
    if not factors:
        raise GofactoryError("the template has no multiple-choice or yes/no question")
    groups = _groups(questionnaire, factors)
    components, refusals = _judge(questionnaire, factors, groups)
    minimal = _closest(factors, components, minimal=True)
    maximal = _closest(factors, components, minimal=False)
    covering = cover([len(f.levels) for f in factors], components, strength, (minimal, maximal))
    variants = _variants(factors, covering.rows)
    _verify(questionnaire, variants)
    return Matrix(
        factors=tuple(factors),
        strength=covering.strength,
        variants=variants,
        minimal=variants[0],
        maximal=variants[covering.rows.index(maximal)],
        groups=tuple(tuple(factors[f].name for f in group) for group in groups),
        covered=covering.covered,
        impossible=tuple(
            tuple((factors[f].name, factors[f].levels[level]) for f, level in combo)
            for combo in covering.impossible
        ),
        refusals=tuple(refusals),
    )


def _judge(
    questionnaire: Questionnaire, factors: Sequence[Factor], groups: Sequence[tuple[int, ...]]
) -> tuple[list[Component], list[Refusal]]:
    """Each group with the combinations Copier allows, and a sample of those it refuses."""
    components: list[Component] = []
    refusals: list[Refusal] = []
    for group in groups:
        allowed, refused = _judge_group(questionnaire, factors, group)
        if not allowed:
            names = ", ".join(factors[f].name for f in group)
            example = refused[0].message if refused else "no combination is allowed"
            raise GofactoryError(
                f"the template refuses every combination of {names}: {example}", exit_code=1
            )
        components.append(Component(group, tuple(allowed)))
        refusals.extend(_sample(refused))
    return components, refusals


def _verify(questionnaire: Questionnaire, variants: Sequence[Variant]) -> None:
    """Judge each whole variant once more: groups only hold if validators name their inputs."""
    for variant in variants:
        verdict = questionnaire.evaluate(variant.data)
        if verdict.refusal is not None:
            raise GofactoryError(
                f"Copier refuses the combination {variant.id}, although each group of "
                f"related questions allows its part: {verdict.refusal}. A validator or "
                "default probably reads an answer without naming it (through the "
                "template's Jinja extension); name it in the Jinja expression.",
                exit_code=1,
            )


def _groups(questionnaire: Questionnaire, factors: Sequence[Factor]) -> list[tuple[int, ...]]:
    """Partition the factors into groups of questions that constrain each other."""
    index = {factor.name: i for i, factor in enumerate(factors)}
    parent = list(range(len(factors)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for name in questionnaire.questions:
        scope = sorted(index[n] for n in _scope(questionnaire, name, index.keys()))
        for other in scope[1:]:
            parent[root(other)] = root(scope[0])
    members: dict[int, list[int]] = {}
    for i in range(len(factors)):
        members.setdefault(root(i), []).append(i)
    return sorted(tuple(group) for group in members.values())


def _scope(questionnaire: Questionnaire, name: str, factor_names: Iterable[str]) -> set[str]:
    """The factors whose answers can decide whether question ``name`` is accepted.

    A factor's answer is given, so the search stops there; a free-text question keeps
    its computed default, so the factors that default reads count too.
    """
    factors = set(factor_names)
    found = {name} & factors
    seen = {name}
    pending = [name]
    while pending:
        for ref in questionnaire.references(pending.pop()) - seen:
            seen.add(ref)
            if ref in factors:
                found.add(ref)
            else:
                pending.append(ref)
    return found


def _judge_group(
    questionnaire: Questionnaire, factors: Sequence[Factor], group: tuple[int, ...]
) -> tuple[list[tuple[int, ...]], list[Refusal]]:
    """Every combination of a group's choices, judged by Copier: allowed and refused."""
    allowed: list[tuple[int, ...]] = []
    refused: list[Refusal] = []
    for levels in itertools.product(*(range(len(factors[f].levels)) for f in group)):
        answers = tuple(
            (factors[f].name, factors[f].levels[level])
            for f, level in zip(group, levels, strict=True)
        )
        verdict = questionnaire.evaluate(dict(answers))
        if verdict.refusal is not None:
            refused.append(Refusal(answers, verdict.refusal))
        elif not _redundant(questionnaire, factors, dict(answers), verdict.hidden):
            allowed.append(levels)
    return allowed, refused


def _redundant(
    questionnaire: Questionnaire,
    factors: Sequence[Factor],
    answers: Mapping[str, Any],
    hidden: frozenset[str],
) -> bool:
    """Whether a question that ``when`` skips was given anything but its own value.

    A skipped question's answer is not used, so such combinations only repeat the one
    where it keeps the value Copier computes for it (its first choice if none).
    """
    levels = {factor.name: factor.levels for factor in factors}
    for name in hidden & answers.keys():
        rest = {k: v for k, v in answers.items() if k != name}
        computed = questionnaire.evaluate(rest).answers.get(name)
        own = computed if computed in levels[name] else levels[name][0]
        if answers[name] != own:
            return True
    return False


def _sample(refused: Sequence[Refusal]) -> list[Refusal]:
    """Up to REFUSALS_PER_QUESTION refusals per refusing question, evenly spread."""
    by_question: dict[str, list[Refusal]] = {}
    for refusal in refused:
        match = _REFUSED_QUESTION.search(refusal.message)
        by_question.setdefault(match.group(1) if match else "", []).append(refusal)
    sample: list[Refusal] = []
    for group in by_question.values():
        step = max(1, -(-len(group) // REFUSALS_PER_QUESTION))
        sample.extend(group[::step][:REFUSALS_PER_QUESTION])
    return sample


def _preference(factor: Factor, minimal: bool) -> list[int]:
    """The factor's level indices, the most wanted first, for the minimal or maximal row."""
    off = [i for i, value in enumerate(factor.levels) if is_off(value)]
    on = [i for i, value in enumerate(factor.levels) if not is_off(value)]
    return off + on if minimal else on + off


def _closest(
    factors: Sequence[Factor], components: Sequence[Component], minimal: bool
) -> tuple[int, ...]:
    """The valid row closest to the all-off (or all-on) ideal, group by group."""
    row = [0] * len(factors)
    for component in components:
        ranks = [
            {level: rank for rank, level in enumerate(_preference(factors[f], minimal))}
            for f in component.factors
        ]
        best = min(
            component.allowed,
            key=lambda levels, ranks=ranks: (  # type: ignore[misc]
                sum(1 for rank, level in zip(ranks, levels, strict=True) if rank[level] != 0),
                [rank[level] for rank, level in zip(ranks, levels, strict=True)],
            ),
        )
        for f, level in zip(component.factors, best, strict=True):
            row[f] = level
    return tuple(row)


def _variants(factors: Sequence[Factor], rows: Sequence[tuple[int, ...]]) -> tuple[Variant, ...]:
    variants: list[Variant] = []
    seen: set[str] = set()
    for row in rows:
        answers = tuple(
            (factor.name, factor.levels[level]) for factor, level in zip(factors, row, strict=True)
        )
        name = variant_id(answers)
        if name in seen:  # two values that differ only in characters unsafe in file names
            name = f"{name}-{len(variants) + 1}"
        seen.add(name)
        variants.append(Variant(answers, name))
    return tuple(variants)
