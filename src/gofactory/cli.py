"""The ``gofactory`` command line."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from gofactory import package_version
from gofactory.answers import load_data_file, parse_data_options
from gofactory.docs import render_questions_reference
from gofactory.errors import GofactoryError
from gofactory.generate import Generated, Request, generate
from gofactory.template import TEMPLATE_ENV_VAR, bundled_template_dir, resolve_template_source

app = typer.Typer(
    name="gofactory",
    help="Generate production-ready 12-factor Go web/API services from the gofactory template.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"gofactory {package_version()}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version of gofactory and exit.",
        ),
    ] = False,
) -> None:
    """Generate production-ready 12-factor Go web/API services from the gofactory template."""


@app.command()
def new(
    dest: Annotated[
        Path,
        typer.Argument(help="Directory to create the service in (must not exist, or be empty)."),
    ],
    defaults: Annotated[
        bool,
        typer.Option("--defaults", help="Accept the default of every question; ask nothing."),
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Answer a question (repeatable); wins over --data-file.",
        ),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option(
            "--data-file",
            metavar="FILE",
            help="YAML mapping of question names to answers (keys starting with _ are ignored).",
        ),
    ] = None,
    template: Annotated[
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
    ] = None,
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            "--vcs-ref",
            metavar="REF",
            help="Git tag, branch or commit of the template to use "
            "(default: its latest release tag, else HEAD).",
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Show every file Copier creates."),
    ] = False,
) -> None:
    """Generate a new Go service in DEST (asks the template's questions unless --defaults)."""
    try:
        request = Request(
            template=resolve_template_source(template),
            dest=dest,
            data=parse_data_options(data or []),
            file_data=load_data_file(data_file) if data_file is not None else {},
            defaults=defaults,
            vcs_ref=vcs_ref,
            interactive=sys.stdin.isatty(),
            verbose=verbose,
        )
        generated = generate(request)
    except GofactoryError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(error.exit_code) from None
    typer.echo(_success_message(generated, str(dest)))


def _success_message(generated: Generated, dest: str) -> str:
    service = generated.answers.get("service_name") or "<service_name>"
    return (
        f'Created the Go service "{service}" in {dest}.\n'
        "\n"
        "Next steps:\n"
        f"  cd {dest}\n"
        f"  go run ./cmd/{service}\n"
        "\n"
        "To pull later template changes into it, run `copier update --trust` inside it\n"
        "(commit your work first)."
    )


@app.command("docs-questions", hidden=True)
def docs_questions(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: standard output)."),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option("--template", "-t", help="Template directory (default: the bundled one)."),
    ] = None,
) -> None:
    """Print the reference of every question (the source of docs/questions.md)."""
    directory = template or bundled_template_dir()
    if directory is None:
        typer.echo("error: no template directory: pass --template DIR", err=True)
        raise typer.Exit(2)
    try:
        text = render_questions_reference(directory)
    except GofactoryError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(error.exit_code) from None
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
