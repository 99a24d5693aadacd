"""The ``gofactory`` command line."""

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from gofactory import package_version
from gofactory.answers import load_data_file, parse_data_options
from gofactory.cli_matrix import matrix
from gofactory.cli_options import (
    DataFileOption,
    DataOption,
    TemplateOption,
    VerboseOption,
    reported_errors,
)
from gofactory.cli_update import check_command, update_command
from gofactory.docs import render_questions_reference
from gofactory.doctor import diagnose, failed
from gofactory.generate import Generated, Request, generate
from gofactory.repository import Outcome, Repository
from gofactory.template import bundled_template_dir, resolve_template_source
from gofactory.update import service_root

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
    data: DataOption = None,
    data_file: DataFileOption = None,
    template: TemplateOption = None,
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            "--vcs-ref",
            metavar="REF",
            help="Git tag, branch or commit of the template to use "
            "(default: its latest release tag, else HEAD).",
        ),
    ] = None,
    no_git: Annotated[
        bool,
        typer.Option(
            "--no-git",
            help="Do not make DEST a git repository (by default it gets one, with a first "
            "commit of the generated files, unless a repository already holds DEST).",
        ),
    ] = False,
    verbose: VerboseOption = False,
) -> None:
    """Generate a new Go service in DEST (asks the template's questions unless --defaults).

    DEST becomes a git repository with a first commit of the generated files, which
    `gofactory update` (copier update) needs, unless it is inside a repository already.
    """
    with reported_errors():
        request = Request(
            template=resolve_template_source(template),
            dest=dest,
            data=parse_data_options(data or []),
            file_data=load_data_file(data_file) if data_file is not None else {},
            defaults=defaults,
            vcs_ref=vcs_ref,
            interactive=sys.stdin.isatty(),
            verbose=verbose,
            git=not no_git,
        )
        generated = generate(request)
    typer.echo(_success_message(generated, str(dest)))
    warning = _repository_warning(generated.repository, str(dest))
    if warning:
        typer.echo(warning, err=True)


def _success_message(generated: Generated, dest: str) -> str:
    service = generated.answers.get("service_name") or "<service_name>"
    lines = [f'Created the Go service "{service}" in {dest}.']
    repository = generated.repository
    if repository is not None and repository.outcome is Outcome.COMMITTED:
        lines.append("It is a git repository with a first commit of the generated files.")
    elif repository is not None and repository.outcome is Outcome.INSIDE:
        lines.append(
            f"It is inside the git repository {repository.detail}: commit the generated "
            "files there."
        )
    lines += ["", "Next steps (from its README):", f"  cd {dest}"]
    lines += [f"  {command}" for command in run_commands(generated.dest / "README.md")]
    lines += [
        "",
        "To pull later template changes into it, commit your work, then run",
        f"`gofactory update {dest}` (or `copier update --trust` inside it).",
    ]
    return "\n".join(lines)


def run_commands(readme: Path) -> list[str]:
    """The commands of the first code block of the generated README's "Run" section.

    The template writes them for the answers given (a local database server first, when
    the service needs one); showing them here keeps one source for both.
    """
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return []
    section = re.search(r"^## Run\n.*?^```\w*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    return section[1].splitlines() if section else []


def _repository_warning(repository: Repository | None, dest: str) -> str:
    """What to run by hand when the service could not get its repository."""
    if repository is None:
        return ""
    if repository.outcome is Outcome.NO_GIT:
        return (
            "warning: git is not installed, so the service is not a git repository; "
            "`gofactory update` needs one: install git, then run "
            f"`git init && git add -A && git commit` in {dest}"
        )
    if repository.outcome is Outcome.STAGED:
        return (
            f"warning: git did not commit the generated files ({repository.detail}); "
            f"they are staged in a new repository: fix that, then run `git commit` in {dest}"
        )
    return ""


app.command("update")(update_command)
app.command("check")(check_command)
app.command("matrix")(matrix)


@app.command()
def doctor(
    path: Annotated[
        Path,
        typer.Argument(help="The generated service: the directory holding .copier-answers.yml."),
    ] = Path("."),
) -> None:
    """Check what the service in PATH needs on this machine, one line per check.

    Go (against the service's go_version), git and its repository, make, a container
    engine when the service has container files, and every server its answers name
    (database ...), at the address the environment, .env or .env.example gives.
    Exits with status 1 when a check fails.
    """
    with reported_errors():
        checks = diagnose(service_root(path))
    for check in checks:
        typer.echo(check.line())
    if failed(checks):
        raise typer.Exit(1)


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
    with reported_errors():
        text = render_questions_reference(directory)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
