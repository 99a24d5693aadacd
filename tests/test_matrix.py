"""``gofactory matrix``: coverage, validity against Copier, extremes, determinism, CLI.

The checks are independent of how the matrix is built: they enumerate tuples of
choices themselves and ask Copier (not the matrix) which combinations it refuses.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result
from variants import REPO_ROOT, copy_template, matrices

from gofactory.cli import app
from gofactory.matrix import Factor, Matrix, Questionnaire, build_matrix, is_off, variant_id
from gofactory.matrix.covering import Component, cover

# A full product larger than this is checked on an evenly spread sample of this size.
PRODUCT_SAMPLE = 2000


def invoke(args: Sequence[str]) -> Result:
    return CliRunner().invoke(app, list(args), env={"GOFACTORY_TEMPLATE": None})


@pytest.fixture(scope="module")
def questionnaire() -> Iterator[Questionnaire]:
    with Questionnaire(str(REPO_ROOT)) as q:
        yield q


def tuples_of(factors: Sequence[Factor], strength: int) -> Iterator[tuple[tuple[str, Any], ...]]:
    """Every t-tuple of choices of t different questions."""
    for chosen in itertools.combinations(factors, strength):
        for values in itertools.product(*(f.levels for f in chosen)):
            yield tuple((f.name, v) for f, v in zip(chosen, values, strict=True))


def assert_covers(matrix: Matrix, questionnaire: Questionnaire) -> None:
    """Every t-tuple is in a variant, or Copier refuses it, or ignores one of its answers.

    (Copier ignores the answer of a question that ``when`` skips; the other answers are
    at their defaults.)
    """
    present = {
        combo
        for variant in matrix.variants
        for combo in itertools.combinations(variant.answers, matrix.strength)
    }
    missing = []
    for combo in tuples_of(matrix.factors, matrix.strength):
        if combo in present:
            continue
        assert combo in matrix.impossible, f"{combo} is neither covered nor impossible"
        verdict = questionnaire.evaluate(dict(combo))
        if verdict.refusal is None and not verdict.hidden & {name for name, _ in combo}:
            missing.append(combo)
    assert missing == [], f"Copier accepts these, but no variant holds them: {missing}"
    assert matrix.covered == len(present)


def assert_valid(matrix: Matrix, questionnaire: Questionnaire) -> None:
    for variant in matrix.variants:
        verdict = questionnaire.evaluate(variant.data)
        assert verdict.refusal is None, f"{variant.id}: {verdict.refusal}"
    ids = [variant.id for variant in matrix.variants]
    assert len(set(ids)) == len(ids)
    assert len({variant.answers for variant in matrix.variants}) == len(ids)


@pytest.mark.parametrize("strength", [2, 3])
def test_the_template_matrix_covers_every_tuple(
    strength: int, questionnaire: Questionnaire
) -> None:
    matrix = matrices()[strength]
    assert matrix.factors == tuple(questionnaire.factors())
    assert_valid(matrix, questionnaire)
    assert_covers(matrix, questionnaire)
    assert matrix.variants[0] == matrix.minimal
    assert matrix.maximal in matrix.variants


def test_validity_factorises_over_the_groups(questionnaire: Questionnaire) -> None:
    """Copier's verdict on whole combinations is the AND of its verdicts on each group.

    This is what lets the matrix judge groups instead of the full product; the full
    product (or an evenly spread sample of it) is judged by Copier to confirm it.
    """
    matrix = matrices()[2]
    factors = {factor.name: factor for factor in matrix.factors}
    product = math.prod(len(f.levels) for f in matrix.factors)
    step = max(1, product // PRODUCT_SAMPLE)
    combos = itertools.islice(itertools.product(*(f.levels for f in matrix.factors)), 0, None, step)
    refused = 0
    for values in combos:
        answers = dict(zip(factors, values, strict=True))
        whole = questionnaire.evaluate(answers).refusal is None
        parts = all(
            questionnaire.evaluate({name: answers[name] for name in group}).refusal is None
            for group in matrix.groups
        )
        assert whole == parts, answers
        refused += not whole
    assert refused, "the sample holds no refused combination: the check proves nothing"


def test_refusals_carry_copiers_message(questionnaire: Questionnaire) -> None:
    refusals = matrices()[2].refusals
    assert refusals, "today's copier.yml refuses database=none with example_resource"
    for refusal in refusals:
        assert questionnaire.evaluate(refusal.data).refusal == refusal.message
        assert refusal.message.startswith(("Validation error for question", "Invalid choice"))


def test_minimal_and_maximal_follow_the_documented_rule() -> None:
    matrix = matrices()[2]
    for factor, (name, low), (_, high) in zip(
        matrix.factors, matrix.minimal.answers, matrix.maximal.answers, strict=True
    ):
        assert factor.name == name
        off = [value for value in factor.levels if is_off(value)]
        on = [value for value in factor.levels if not is_off(value)]
        assert low == (off or on)[0], name
        assert high == (on or off)[0], name
    # Today's copier.yml, spelled out.
    assert matrix.minimal["database"] == "none"
    assert matrix.minimal["example_resource"] is False
    assert matrix.maximal["database"] == "sqlite"
    assert matrix.maximal["example_resource"] is True


def test_the_matrix_is_deterministic() -> None:
    with Questionnaire(str(REPO_ROOT)) as again:
        assert build_matrix(again, 2) == matrices()[2]


# --- Templates made up for the test: the matrix follows copier.yml with no code change.


def make_template(tmp_path: Path, edit: Any) -> Path:
    """A copy of the template whose copier.yml questions ``edit`` changes."""
    root = copy_template(tmp_path / "template")
    config = root / "copier.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    edit(data)
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return root


def matrix_of(template: Path, strength: int = 2) -> tuple[Matrix, Questionnaire]:
    with Questionnaire(str(template)) as questionnaire:
        matrix = build_matrix(questionnaire, strength)
        assert_valid(matrix, questionnaire)
        assert_covers(matrix, questionnaire)
    return matrix, questionnaire


def test_an_extra_choice_changes_the_matrix(tmp_path: Path) -> None:
    def add_gin(data: dict[str, Any]) -> None:
        data["router"]["choices"]["gin - only in this test: gin"] = "gin"

    matrix, _ = matrix_of(make_template(tmp_path, add_gin))
    before = matrices()[2]
    assert matrix.variants != before.variants
    assert dict((f.name, f.levels) for f in matrix.factors)["router"] == ("chi", "stdlib", "gin")
    with_gin = [variant for variant in matrix.variants if variant["router"] == "gin"]
    assert with_gin
    for factor in matrix.factors:
        if factor.name != "router":
            covered = {variant[factor.name] for variant in with_gin}
            possible = {
                value
                for value in factor.levels
                if (("router", "gin"), (factor.name, value)) not in matrix.impossible
                and ((factor.name, value), ("router", "gin")) not in matrix.impossible
            }
            assert covered == possible, factor.name


def test_a_new_question_with_a_cross_validator_joins_the_matrix(tmp_path: Path) -> None:
    """A constraint through a computed free-text default is found, and refused pairs too."""

    def add_questions(data: dict[str, Any]) -> None:
        data["flavour"] = {"type": "str", "choices": ["plain", "spicy"], "default": "plain"}
        data["label"] = {
            "type": "str",
            "default": "{{ flavour }}-{{ router }}",
            "validator": "{% if label == 'spicy-stdlib' %}spicy needs chi{% endif %}",
        }

    matrix, _ = matrix_of(make_template(tmp_path, add_questions))
    assert ("router", "flavour") in matrix.groups
    assert (("router", "stdlib"), ("flavour", "spicy")) in matrix.impossible
    assert any("spicy needs chi" in r.message for r in matrix.refusals)
    assert "flavour" in [f.name for f in matrix.factors]
    assert "label" not in [f.name for f in matrix.factors]


def test_a_question_skipped_by_when_adds_no_redundant_variant(tmp_path: Path) -> None:
    def add_provider(data: dict[str, Any]) -> None:
        data["provider"] = {
            "type": "str",
            "choices": ["local", "cloud"],
            "default": "local",
            "when": "{{ database != 'none' }}",
        }

    matrix, _ = matrix_of(make_template(tmp_path, add_provider))
    assert ("database", "example_resource", "cache", "provider") in matrix.groups
    skipped = [variant for variant in matrix.variants if variant["database"] == "none"]
    assert skipped and all(variant["provider"] == "local" for variant in skipped)
    assert (("database", "none"), ("provider", "cloud")) in matrix.impossible
    assert any(variant["provider"] == "cloud" for variant in matrix.variants)


def test_a_refused_extreme_falls_back_to_the_closest_valid_variant(tmp_path: Path) -> None:
    def refuse_all_on(data: dict[str, Any]) -> None:
        data["flavour"] = {
            "type": "str",
            "choices": ["spicy", "mild", "none"],
            "default": "mild",
            "validator": "{% if flavour == 'spicy' and example_resource %}too hot{% endif %}",
        }

    matrix, _ = matrix_of(make_template(tmp_path, refuse_all_on))
    ideal = {"database": "sqlite", "example_resource": True, "flavour": "spicy"}
    changed = [k for k, v in ideal.items() if matrix.maximal[k] != v]
    assert changed == ["flavour"], matrix.maximal.data
    assert matrix.maximal["flavour"] == "mild"  # the next "on" choice in copier.yml order
    assert matrix.minimal["flavour"] == "none"


def test_a_template_that_refuses_every_combination_is_reported(tmp_path: Path) -> None:
    def refuse_router(data: dict[str, Any]) -> None:
        data["router"]["validator"] = "router is not wanted"

    result = invoke(["matrix", "--template", str(make_template(tmp_path, refuse_router))])
    assert result.exit_code == 1, result.output
    assert "router is not wanted" in result.stderr
    assert "Traceback" not in result.output


def test_a_validator_reading_an_unnamed_answer_is_reported(tmp_path: Path) -> None:
    """Grouping relies on validators naming what they read; a hidden read is caught."""

    def hide_a_dependency(data: dict[str, Any]) -> None:
        data["flavour"] = {
            "type": "str",
            "choices": ["plain", "spicy"],
            "default": "plain",
            "validator": "{% if flavour == 'spicy' and _copier_answers.router == 'stdlib' %}"
            "no spicy stdlib{% endif %}",
        }

    template = make_template(tmp_path, hide_a_dependency)
    result = invoke(["matrix", "--template", str(template)])
    assert result.exit_code == 1, result.output
    assert "reads an answer without naming it" in result.stderr
    assert "no spicy stdlib" in result.stderr


# --- The covering algorithm alone.


def test_cover_rows_are_valid_and_cover_every_realisable_pair() -> None:
    levels = [3, 2, 2, 3]
    constrained = Component((1, 2), ((0, 0), (0, 1), (1, 1)))
    components = [Component((0,), ((0,), (1,), (2,))), constrained]
    components.append(Component((3,), ((0,), (1,), (2,))))
    result = cover(levels, components, 2, seeds=[(2, 1, 1, 2)])
    assert result.rows[0] == (2, 1, 1, 2)
    for row in result.rows:
        assert (row[1], row[2]) in constrained.allowed
    present = {c for row in result.rows for c in itertools.combinations(enumerate(row), 2)}
    assert result.impossible == (((1, 1), (2, 0)),)
    assert result.covered == len(present) == 3 * 2 + 3 * 2 + 3 * 3 + 3 + 2 * 3 + 2 * 3
    assert cover(levels, components, 2, seeds=[(2, 1, 1, 2)]) == result
    assert len(cover(levels, components, 9).rows) == 3 * 3 * 3  # clamped: the full product


def test_variant_ids_are_file_name_safe() -> None:
    answers = (("license", "Apache-2.0"), ("example_resource", False), ("x", "a b/c"))
    assert variant_id(answers) == "Apache-2.0-no_example_resource-a_b_c"


# --- The command.


def test_matrix_command_prints_the_variants_and_their_number() -> None:
    result = invoke(["matrix"])
    assert result.exit_code == 0, result.output
    expected = matrices()[2]
    rows = result.stdout.split("\n\n")[0].splitlines()
    assert rows[0].split() == [f.name for f in expected.factors]
    assert len(rows) == 1 + len(expected.variants)
    assert rows[1].endswith("minimal") and rows[2].endswith("maximal")
    summary = re.match(r"(\d+) variants cover all (\d+) pairs", result.stderr)
    assert summary, result.stderr
    assert int(summary.group(1)) == len(expected.variants)
    assert int(summary.group(2)) == expected.covered
    assert "Refused combinations" in result.stdout
    assert "example_resource needs a database" in result.stdout


def test_matrix_json_is_a_github_strategy_matrix() -> None:
    result = invoke(["matrix", "--strength", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    expected = matrices()[3]
    assert document == {"include": [{"name": v.id, "answers": v.data} for v in expected.variants]}
    assert invoke(["matrix", "-s", "3", "-f", "json"]).stdout == result.stdout
    assert result.stderr.startswith(f"{len(expected.variants)} variants cover all ")


def test_matrix_answers_files_generate_their_variant(tmp_path: Path) -> None:
    out = tmp_path / "answers"
    result = invoke(["matrix", "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    variants = matrices()[2].variants
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{v.id}.yml" for v in variants)
    for variant in variants:
        assert yaml.safe_load((out / f"{variant.id}.yml").read_text()) == variant.data
    # An answers file is a --data-file of `gofactory new`.
    dest = tmp_path / "svc"
    maximal = out / f"{matrices()[2].maximal.id}.yml"
    new = invoke(["new", "--defaults", "--data-file", str(maximal), str(dest)])
    assert new.exit_code == 0, new.output
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert {k: recorded[k] for k in matrices()[2].maximal.data} == matrices()[2].maximal.data


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--strength", "0"], "--strength"),
        (["--template", "/nowhere/at/all"], "not found"),
        (["--format", "xml"], "xml"),
    ],
)
def test_matrix_usage_errors_exit_2(args: list[str], fragment: str) -> None:
    result = invoke(["matrix", *args])
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_matrix_refuses_a_non_empty_output_dir(tmp_path: Path) -> None:
    (tmp_path / "old.yml").write_text("router: chi\n")
    result = invoke(["matrix", "--output-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: --output-dir")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.yml"]


def test_matrix_of_a_plain_template_directory(tmp_path: Path) -> None:
    """A template outside git (no clone, no ref) gives the same matrix."""
    template = copy_template(tmp_path / "plain")
    result = invoke(["matrix", "--template", str(template), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == matrices()[2].to_github_matrix()
