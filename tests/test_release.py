"""Release conventions: semver tags with a CHANGELOG section, the Copier version floor,
and a rename table in ``_migrations`` that agrees with copier.yml's questions."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
import yaml
from template_repo import git
from variants import REPO_ROOT

from extensions.answers_migration import Rename, parse_choice, parse_question
from gofactory.docs import load_questions

SEMVER = r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
RELEASE_HEADING = re.compile(rf"^## \[({SEMVER})\] - \d{{4}}-\d{{2}}-\d{{2}}$", re.M)
MIGRATION_SCRIPT = "extensions/answers_migration.py"


def config() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO_ROOT / "copier.yml").read_text("utf-8"))
    return data


def pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))


def test_changelog_has_unreleased_then_releases_newest_first() -> None:
    text = (REPO_ROOT / "CHANGELOG.md").read_text("utf-8")
    headings = re.findall(r"^## .*$", text, re.M)
    assert headings and headings[0] == "## [Unreleased]"
    for heading in headings[1:]:
        assert RELEASE_HEADING.match(heading), f"not '## [X.Y.Z] - YYYY-MM-DD': {heading}"
    versions = [tuple(map(int, m[1:])) for m in RELEASE_HEADING.findall(text)]
    assert versions == sorted(versions, reverse=True)


def test_every_release_tag_is_semver_with_a_changelog_section() -> None:
    text = (REPO_ROOT / "CHANGELOG.md").read_text("utf-8")
    released = {m[0] for m in RELEASE_HEADING.findall(text)}
    for tag in git(REPO_ROOT, "tag", "--list").split():
        assert re.fullmatch(rf"v{SEMVER}", tag), f"tag {tag} is not vMAJOR.MINOR.PATCH"
        assert tag[1:] in released, f"tag {tag} has no section in CHANGELOG.md"


def test_package_version_is_semver() -> None:
    assert re.fullmatch(SEMVER, pyproject()["project"]["version"])


def test_min_copier_version_is_the_tested_copier() -> None:
    pins = [d for d in pyproject()["project"]["dependencies"] if d.startswith("copier==")]
    assert pins, "pyproject.toml must pin copier"
    assert config()["_min_copier_version"] == pins[0].removeprefix("copier==")


def renames() -> list[Rename]:
    """The renames that copier.yml's _migrations passes to the migration script."""
    entries = [e for e in config()["_migrations"] if MIGRATION_SCRIPT in " ".join(e["command"])]
    assert len(entries) == 1, "exactly one _migrations entry runs the answers migration"
    entry = entries[0]
    assert entry["when"] == "{{ _stage == 'before' }}"
    assert "version" not in entry, "the renames must run on every update"
    command: list[str] = entry["command"]
    script = command.index(f"{{{{ _copier_conf.src_path }}}}/{MIGRATION_SCRIPT}")
    assert command[script + 1] == "{{ _copier_conf.answers_file }}"
    options = command[script + 2 :]
    assert len(options) % 2 == 0, f"each rename is an option and its value: {options}"
    parsers = {"--question": parse_question, "--choice": parse_choice}
    result = []
    for option, value in zip(options[::2], options[1::2], strict=True):
        assert option in parsers, f"unknown option {option!r} in _migrations"
        result.append(parsers[option](value))
    return result


def test_migrations_run_the_script_with_renames_to_todays_names() -> None:
    """The entry is well formed, its script exists, each rename leads to a current name."""
    assert (REPO_ROOT / MIGRATION_SCRIPT).is_file()
    questions = load_questions(REPO_ROOT)
    for rename in renames():
        if rename.question is None:
            assert rename.new in questions, f"{rename.old} is renamed to no question"
            assert rename.old not in questions or questions[rename.old].get("when") is False
        else:
            assert rename.question in questions, f"no question {rename.question}"
            choices = questions[rename.question].get("choices", [])
            values = list(choices.values()) if isinstance(choices, dict) else list(choices)
            assert rename.new in [str(v) for v in values], f"{rename.new} is not a choice"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("router=http_router", Rename("router", "http_router")),
        ("http_router:stdlib=servemux", Rename("stdlib", "servemux", "http_router")),
    ],
)
def test_rename_syntax(text: str, expected: Rename) -> None:
    parse = parse_choice if ":" in text else parse_question
    assert parse(text) == expected
