"""Options and error reporting shared by the commands of the ``gofactory`` command line."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from gofactory.errors import GofactoryError
from gofactory.template import TEMPLATE_ENV_VAR

DataOption = Annotated[
    list[str] | None,
    typer.Option(
        "--data",
        "-d",
        metavar="KEY=VALUE",
        help="Answer a question (repeatable); wins over --data-file.",
    ),
]
DataFileOption = Annotated[
    Path | None,
    typer.Option(
        "--data-file",
        metavar="FILE",
        help="YAML mapping of question names to answers (keys starting with _ are ignored).",
    ),
]
TemplateOption = Annotated[
    str | None,
    typer.Option(
        "--template",
        "-t",
        metavar="SRC",
        envvar=TEMPLATE_ENV_VAR,
        show_envvar=True,
        help="Template source: a local directory or a git URL "
        "(default: the template shipped with gofactory).",
    ),
]
VerboseOption = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Show every file Copier writes."),
]


@contextmanager
def reported_errors() -> Iterator[None]:
    """Print a user error as one ``error:`` line and exit with its status (no traceback)."""
    try:
        yield
    except GofactoryError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(error.exit_code) from None
