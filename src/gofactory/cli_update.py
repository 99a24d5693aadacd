"""``gofactory update`` and ``gofactory check``: template upgrades of a generated service."""

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from gofactory.answers import load_data_file, parse_data_options
from gofactory.cli_options import DataFileOption, DataOption, VerboseOption, reported_errors
from gofactory.update import ConflictMode, Updated, UpdateRequest, check, update


class Conflicts(StrEnum):
    """Copier's two ways of leaving a conflict."""

    inline = "inline"
    rej = "rej"


# Exit status of an update that left conflicts (git merge uses 1 too).
CONFLICT_EXIT_CODE = 1
PathArgument = Annotated[
    Path,
    typer.Argument(help="The generated service: the directory holding .copier-answers.yml."),
]


def update_command(
    path: PathArgument = Path("."),
    defaults: Annotated[
        bool,
        typer.Option(
            "--defaults",
            help="Ask nothing: keep the recorded answers, take the default of new questions.",
        ),
    ] = False,
    skip_answered: Annotated[
        bool,
        typer.Option(
            "--skip-answered",
            help="Ask only the questions that have no recorded answer (new questions).",
        ),
    ] = False,
    data: DataOption = None,
    data_file: DataFileOption = None,
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            "--vcs-ref",
            metavar="REF",
            help="Update to this git tag, branch or commit of the template "
            "(default: its latest release tag).",
        ),
    ] = None,
    conflict: Annotated[
        Conflicts,
        typer.Option(
            "--conflict",
            help="How to leave a conflict: inline (conflict markers in the file) or rej "
            "(a .rej file beside it).",
        ),
    ] = Conflicts.inline,
    verbose: VerboseOption = False,
) -> None:
    """Update the service in PATH to a newer template version (copier update).

    The service must be a git repository with no uncommitted changes. Fails (status 1)
    when the update leaves any conflict, listing the files to resolve.
    """
    mode: ConflictMode = "rej" if conflict is Conflicts.rej else "inline"
    with reported_errors():
        request = UpdateRequest(
            path=path,
            data=parse_data_options(data or []),
            file_data=load_data_file(data_file) if data_file is not None else {},
            defaults=defaults,
            skip_answered=skip_answered,
            vcs_ref=vcs_ref,
            conflict=mode,
            interactive=sys.stdin.isatty(),
            verbose=verbose,
        )
        updated = update(request)
    if updated.conflicts:
        typer.echo(_conflict_report(updated), err=True)
        raise typer.Exit(CONFLICT_EXIT_CODE)
    typer.echo(
        f"Updated {path} from template {updated.old_version} to {updated.new_version}.\n"
        "Review the changes (git diff), run the tests, then commit."
    )


def _conflict_report(updated: Updated) -> str:
    count = len(updated.conflicts)
    noun = "file" if count == 1 else "files"
    lines = [
        f"error: the update to template {updated.new_version} left conflicts in {count} "
        f"{noun}; resolve them, then commit:"
    ]
    lines.extend(f"  {c.path}: {', '.join(c.kinds)}" for c in updated.conflicts)
    return "\n".join(lines)


def check_command(
    path: PathArgument = Path("."),
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print {update_available, current_version, latest_version}."),
    ] = False,
    exit_code: Annotated[
        bool,
        typer.Option("--exit-code", help="Exit with status 1 when an update is available."),
    ] = False,
) -> None:
    """Tell whether a newer template version than the service's exists (copier check-update)."""
    with reported_errors():
        status = check(path)
    if as_json:
        document = {
            "update_available": status.available,
            "current_version": status.current,
            "latest_version": status.latest,
        }
        typer.echo(json.dumps(document))
    elif status.available:
        typer.echo(
            f"Template {status.latest} is available; the service is at {status.current}. "
            "Run `gofactory update` to apply it."
        )
    else:
        typer.echo(
            f"Up to date: the service is at the template's latest version, {status.current}."
        )
    if exit_code and status.available:
        raise typer.Exit(1)
