"""``gofactory matrix``: the variants a template maintainer tests, as a table, JSON or files."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from gofactory.cli_options import TemplateOption, reported_errors
from gofactory.errors import GofactoryError
from gofactory.matrix import Matrix, Questionnaire, answers_file, build_matrix
from gofactory.template import resolve_template_source

_TUPLE_NAMES = {1: ("choice", "choices"), 2: ("pair", "pairs"), 3: ("triple", "triples")}


class Format(StrEnum):
    """How ``gofactory matrix`` prints the variants on standard output."""

    table = "table"
    json = "json"


def matrix(
    strength: Annotated[
        int,
        typer.Option(
            "--strength",
            "-s",
            min=1,
            help="Cover every combination of this many choices of different questions "
            "(2: every pair, 3: every triple).",
        ),
    ] = 2,
    output_format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="table for people; json for a GitHub Actions strategy.matrix "
            '({"include": [{"name": ..., "answers": {...}}]}).',
        ),
    ] = Format.table,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            "-o",
            metavar="DIR",
            help="Also write one answers file per variant, DIR/<name>.yml, for "
            "`gofactory new --defaults --data-file` (DIR must be new or empty).",
        ),
    ] = None,
    template: TemplateOption = None,
    vcs_ref: Annotated[
        str,
        typer.Option(
            "--vcs-ref",
            metavar="REF",
            help="Git ref of the template to read (default: HEAD with uncommitted "
            "changes, i.e. the working tree of a local template).",
        ),
    ] = "HEAD",
) -> None:
    """Print a small set of valid variants that covers every pair of choices.

    Reads the template's multiple-choice and yes/no questions, asks Copier which
    combinations its validators refuse, and prints the all-minimal and all-maximal
    variants plus enough others that every pair (--strength 3: triple) of choices of
    different questions appears in one valid variant. The result depends only on
    copier.yml, so the same template always gives the same variants.
    """
    with reported_errors():
        if output_dir is not None:
            _check_output_dir(output_dir)
        with Questionnaire(resolve_template_source(template), vcs_ref) as questionnaire:
            result = build_matrix(questionnaire, strength)
        if output_dir is not None:
            output_dir.mkdir(parents=True, exist_ok=True)
            for variant in result.variants:
                text = answers_file(variant, result.strength)
                (output_dir / f"{variant.id}.yml").write_text(text, encoding="utf-8")
    if output_format is Format.json:
        typer.echo(result.to_json(), nl=False)
    else:
        typer.echo(render_table(result), nl=False)
    typer.echo(summary(result), err=True)


def summary(result: Matrix) -> str:
    """One line: how many variants cover how many tuples."""
    one, many = _TUPLE_NAMES.get(result.strength, (f"{result.strength}-tuple", ""))
    many = many or f"{one}s"
    line = (
        f"{len(result.variants)} variants cover all {result.covered} {many} of choices "
        f"of {len(result.factors)} questions"
    )
    refused = len(result.impossible)
    if refused:
        line += f" ({refused} {one if refused == 1 else many} refused by the validators)"
    return line


def render_table(result: Matrix) -> str:
    """The variants as an aligned text table, then a sample of refused combinations."""
    header = [factor.name for factor in result.factors]
    rows = [[_text(value) for _, value in variant.answers] for variant in result.variants]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    notes = {result.minimal.id: "minimal", result.maximal.id: "maximal"}
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)).rstrip()
    ]
    for variant, row in zip(result.variants, rows, strict=True):
        cells = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        note = notes.get(variant.id, "")
        lines.append(f"{cells}  {note}".rstrip())
    if result.refusals:
        lines.extend(["", "Refused combinations (a sample), with Copier's message:"])
        for refusal in result.refusals:
            answers = " ".join(f"{name}={_text(value)}" for name, value in refusal.answers)
            lines.append(f"  {answers}: {refusal.message}")
    return "\n".join(lines) + "\n"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_output_dir(output_dir: Path) -> None:
    if output_dir.exists() and (not output_dir.is_dir() or any(output_dir.iterdir())):
        raise GofactoryError(
            f"--output-dir {str(output_dir)!r} exists and is not an empty directory; "
            "choose a new one, so that no answers file of an older matrix is left in it"
        )
