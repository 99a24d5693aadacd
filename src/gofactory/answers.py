"""Answers: given on the command line (``--data KEY=VALUE``, ``--data-file FILE``), and
recorded in a generated service's ``.copier-answers.yml``."""

from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from gofactory.errors import GofactoryError

# Where Copier records a service's answers and template (copier.yml's _answers_file).
ANSWERS_FILE = ".copier-answers.yml"


def recorded_answers(root: Path) -> dict[str, Any]:
    """The answers file of the service in ``root`` (empty if it has none).

    Besides the answers it holds Copier's metadata: ``_src_path`` (the template) and
    ``_commit`` (its version).
    """
    try:
        loaded = yaml.safe_load((root / ANSWERS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise GofactoryError(f"cannot read {root / ANSWERS_FILE}: {error}") from error
    return loaded if isinstance(loaded, dict) else {}


def parse_data_options(items: Iterable[str]) -> dict[str, str]:
    """Parse repeated ``--data KEY=VALUE`` options; a later KEY wins over an earlier one."""
    data: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise GofactoryError(
                f"--data {item!r} is malformed: expected KEY=VALUE, "
                'for example --data service_name=notes-api or --data "project_name=My API"'
            )
        data[key] = value
    return data


def load_data_file(path: Path) -> dict[str, Any]:
    """Load answers from a YAML mapping of question names to answers.

    Keys that start with ``_`` (such as ``_src_path`` and ``_commit`` in a
    ``.copier-answers.yml``) are Copier metadata, not answers: they are ignored, so the
    answers file of an existing service can be reused as a data file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise GofactoryError(f"cannot read --data-file {str(path)!r}: {reason}") from error
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise GofactoryError(f"--data-file {str(path)!r} is not valid YAML: {error}") from error
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(key, str) for key in loaded):
        raise GofactoryError(
            f"--data-file {str(path)!r} must hold a YAML mapping of question names to "
            "answers, for example:  service_name: notes-api"
        )
    return {key: value for key, value in loaded.items() if not key.startswith("_")}


def check_known_questions(data: Mapping[str, Any], questions: Collection[str], origin: str) -> None:
    """Refuse answers to questions the template does not ask (usually a typo)."""
    unknown = [key for key in data if key not in questions]
    if unknown:
        names = ", ".join(repr(key) for key in unknown)
        noun = "question" if len(unknown) == 1 else "questions"
        raise GofactoryError(
            f"unknown {noun} {names} in {origin}; "
            f"the template's questions are: {', '.join(questions)}"
        )
