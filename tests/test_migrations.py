"""Renamed questions and choices: copier.yml's ``_migrations`` keeps old answers.

A template release renames the question ``router`` to ``http_router`` and its choice
``stdlib`` to ``servemux`` (keeping ``router`` as a computed value, so the template's
files need no change). A service generated before the rename records
``router: stdlib``; after ``copier update`` it must answer ``http_router: servemux``,
and without the migration it would silently fall back to the default, chi.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from template_repo import (
    NEW,
    OLD,
    append,
    clone_template,
    commit_all,
    generate,
    git,
    release,
    replace_once,
)

from extensions.answers_migration import Rename, main, migrate, migrate_file

MIGRATION_ANCHOR = '      - "{{ _copier_conf.answers_file }}"\n'
RENAMES = "      - --question\n      - router=http_router\n      - --choice\n"
RENAMES += "      - http_router:stdlib=servemux\n"
COMPUTED_ROUTER = """
router:
  type: str
  default: "{{ 'stdlib' if http_router == 'servemux' else http_router }}"
  when: false
"""


def rename_router(template: Path, with_migration: bool) -> None:
    """Release v0.2.0 of ``template``, which renames router and its choice stdlib."""
    config = template / "copier.yml"
    replace_once(config, "\nrouter:\n", "\nhttp_router:\n")
    replace_once(config, "no dependency: stdlib\n", "no dependency: servemux\n")
    append(config, COMPUTED_ROUTER)
    if with_migration:
        replace_once(config, MIGRATION_ANCHOR, MIGRATION_ANCHOR + RENAMES)
    release(template, NEW, "Rename router to http_router, stdlib to servemux")


@pytest.mark.parametrize("with_migration", [True, False], ids=["migrated", "not-migrated"])
def test_an_old_answers_file_is_migrated_on_update(with_migration: bool, tmp_path: Path) -> None:
    template = clone_template(tmp_path / "template", OLD)
    rename_router(template, with_migration)
    service = generate(template, tmp_path / "svc", {"router": "stdlib"})
    assert "router: stdlib\n" in (service / ".copier-answers.yml").read_text()

    # Plain Copier, as a user without gofactory runs it.
    update = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--trust", "--defaults"],
        cwd=service,
        capture_output=True,
        text=True,
        check=False,
    )
    assert update.returncode == 0, update.stderr
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert answers["_commit"] == NEW
    assert "router" not in answers
    go_mod = (service / "go.mod").read_text()
    if with_migration:
        assert answers["http_router"] == "servemux"
        assert "go-chi/chi" not in go_mod  # still the standard library's ServeMux
    else:  # what the migration prevents: the old answer is lost
        assert answers["http_router"] == "chi"
        assert "go-chi/chi" in go_mod
    assert git(service, "ls-files", "--unmerged") == ""
    commit_all(service, "Update")


def test_migrate_renames_questions_and_choices_in_order() -> None:
    answers = {"_commit": "v0.1.0", "router": "stdlib", "go_version": "1.26", "debug": True}
    changes = migrate(
        answers,
        [
            Rename("router", "http_router"),
            Rename("stdlib", "servemux", "http_router"),
            Rename("servemux", "std", "http_router"),  # a later release renames it again
            Rename("true", "false", "debug"),
            Rename("1.25", "1.27", "go_version"),  # not the recorded value: no change
            Rename("missing", "other"),
        ],
    )
    assert answers == {
        "_commit": "v0.1.0",
        "http_router": "std",
        "go_version": "1.26",
        "debug": False,
    }
    assert list(answers) == ["_commit", "http_router", "go_version", "debug"]
    assert len(changes) == 4


def test_migrate_keeps_the_new_name_when_both_are_answered() -> None:
    answers = {"router": "stdlib", "http_router": "chi"}
    assert migrate(answers, [Rename("router", "http_router")]) == [
        "dropped router (answered as http_router)"
    ]
    assert answers == {"http_router": "chi"}


def test_migrate_file_keeps_the_header_and_rewrites_only_on_change(tmp_path: Path) -> None:
    path = tmp_path / ".copier-answers.yml"
    header = "# Written by Copier; do not edit by hand.\n# Second line.\n"
    original = header + "_commit: v0.1.0\nrouter: chi\n"
    path.write_text(original)
    assert migrate_file(path, [Rename("database", "db")]) == []
    assert path.read_text() == original
    migrate_file(path, [Rename("router", "http_router")])
    assert path.read_text() == header + "_commit: v0.1.0\nhttp_router: chi\n"


def test_migration_script_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "answers.yml"
    path.write_text("router: stdlib\n")
    argv = [str(path), "--question", "router=http_router", "--choice", "http_router:stdlib=mux"]
    assert main(argv) == 0
    assert yaml.safe_load(path.read_text()) == {"http_router": "mux"}
    assert "renamed question router to http_router" in capsys.readouterr().out
    assert main([str(tmp_path / "missing.yml")]) == 2
    with pytest.raises(SystemExit) as bad:
        main([str(path), "--choice", "no-colon"])
    assert bad.value.code == 2
