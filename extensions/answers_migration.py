"""Rename questions and choices in a service's answers file: the template's ``_migrations``.

Question names and choices are a public interface, but one may still have to be
renamed. A service generated before the rename records the old name in its
``.copier-answers.yml``; replayed as is, the answer would be dropped and the new
question would silently take its default. copier.yml therefore runs this script
before every ``copier update`` replays the recorded answers, with the list of every
rename made so far:

    python answers_migration.py .copier-answers.yml --question OLD=NEW --choice QUESTION:OLD=NEW

Renames apply in the order given (so a chain of renames across releases works), and
each does nothing when it finds nothing to rename, so the whole list runs on every
update, from whichever version the service comes. Copier runs the script from the
new template's checkout with its own Python interpreter, where gofactory may not be
installed: it uses only the standard library and PyYAML (a dependency of Copier).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Rename:
    """One rename: of a question (``question`` is None) or of a choice of ``question``."""

    old: str
    new: str
    question: str | None = None


def parse_question(text: str) -> Rename:
    old, sep, new = text.partition("=")
    if not sep or not old or not new:
        raise argparse.ArgumentTypeError(f"expected OLD=NEW, not {text!r}")
    return Rename(old, new)


def parse_choice(text: str) -> Rename:
    question, sep, rest = text.partition(":")
    if not sep or not question:
        raise argparse.ArgumentTypeError(f"expected QUESTION:OLD=NEW, not {text!r}")
    rename = parse_question(rest)
    return Rename(rename.old, rename.new, question)


def migrate(answers: dict[str, Any], renames: Sequence[Rename]) -> list[str]:
    """Apply ``renames`` to ``answers`` in place; return one line per change made."""
    changes: list[str] = []
    for rename in renames:
        if rename.question is None:
            if rename.old not in answers:
                continue
            if rename.new in answers:  # answered under both names: the new one wins
                del answers[rename.old]
                changes.append(f"dropped {rename.old} (answered as {rename.new})")
                continue
            items = list(answers.items())  # renamed in place: the file keeps its order
            answers.clear()
            answers.update((rename.new if key == rename.old else key, v) for key, v in items)
            changes.append(f"renamed question {rename.old} to {rename.new}")
        elif rename.question in answers and _text(answers[rename.question]) == rename.old:
            current = answers[rename.question]
            new = rename.new if isinstance(current, str) else yaml.safe_load(rename.new)
            answers[rename.question] = new
            changes.append(f"renamed {rename.question} choice {rename.old} to {rename.new}")
    return changes


def migrate_file(path: Path, renames: Sequence[Rename]) -> list[str]:
    """Apply ``renames`` to the answers file at ``path``, keeping its leading comments."""
    text = path.read_text(encoding="utf-8")
    answers = yaml.safe_load(text) or {}
    if not isinstance(answers, dict):
        raise ValueError(f"{path} does not hold a YAML mapping")
    changes = migrate(answers, renames)
    if changes:
        lines = text.splitlines(keepends=True)
        header = "".join(itertools.takewhile(lambda line: line.startswith("#"), lines))
        body = yaml.safe_dump(answers, sort_keys=False, allow_unicode=True)
        path.write_text(header + body, encoding="utf-8")
    return changes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rename questions and choices in answers.")
    parser.add_argument("answers_file", type=Path)
    # Both options append to one list, so renames keep the order of the command line.
    parser.add_argument(
        "--question", dest="renames", type=parse_question, action="append", default=[]
    )
    parser.add_argument("--choice", dest="renames", type=parse_choice, action="append")
    args = parser.parse_args(argv)
    try:
        changes = migrate_file(args.answers_file, args.renames)
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"answers migration: {error}", file=sys.stderr)
        return 2
    for change in changes:
        print(f"answers migration: {change}")
    return 0


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
