"""Tests of the documentation: generated pages are current, the site builds strictly."""

import difflib
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.main import get_command

from gofactory.cli import app
from gofactory.docs import REGENERATE_COMMAND, render_questions_reference

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"


def test_questions_reference_is_up_to_date() -> None:
    expected = render_questions_reference(REPO_ROOT)
    path = DOCS / "questions.md"
    actual = path.read_text(encoding="utf-8") if path.exists() else ""
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                actual.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                "docs/questions.md",
                "generated from copier.yml",
            )
        )
        pytest.fail(
            "docs/questions.md is out of date with copier.yml; regenerate it from the "
            f"repository root with:\n\n    {REGENERATE_COMMAND}\n\n{diff}"
        )


def test_every_option_of_new_is_documented() -> None:
    command = get_command(app)
    new = command.commands["new"]  # type: ignore[attr-defined]
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    options = [opt for param in new.params for opt in param.opts if opt.startswith("--")]
    assert "--template" in options
    missing = [opt for opt in options if opt != "--help" and f"`{opt}" not in reference]
    assert not missing, f"docs/cli.md does not document {missing}"


def test_questions_reference_renders_every_question_shape(tmp_path: Path) -> None:
    (tmp_path / "copier.yml").write_text(
        textwrap.dedent(
            """\
            _secret_questions: [token]
            name:
              type: str
              help: Name of the <thing>
              validator: >-
                {% if not name %}name is required{% elif ' ' in name %}no spaces in
                "{{ name }}"{% endif %}
            size: 3
            token:
              type: str
              default: "{{ name | upper }}"
            flavour:
              type: str
              help: Flavour
              choices:
                Plain vanilla: vanilla
                Chocolate:
                  value: choc
                  validator: "{% if size < 2 %}too small{% endif %}"
              when: "{{ size > 1 }}"
            free:
              type: yaml
              validator: "{{ 'bad' if free is none else '' }}"
            """
        )
    )
    text = render_questions_reference(tmp_path)
    assert "| [name](#name) | `str` | none: an answer is required |" in text
    assert "Name of the &lt;thing&gt;" in text
    assert "    - when `not name`, with the message: name is required" in text
    assert "    - when `' ' in name`, with the message: no spaces in \"`{{ name }}`\"" in text
    assert "| [size](#size) | `int` | `3` |" in text
    assert "- **Secret:** yes" in text
    assert "`{{ name | upper }}` (computed)" in text
    assert "| `vanilla` | Plain vanilla |" in text
    assert "| `choc` | Chocolate (unavailable when `{% if size < 2 %}too small{% endif %}`) |" in (
        text
    )
    assert "- **Asked only when:** `{{ size > 1 }}`" in text
    assert "```jinja" in text  # a validator of another shape is shown verbatim
    assert "{{ 'bad' if free is none else '' }}" in text


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    # The docs extra is part of the suite (scripts/test.sh installs it): a missing
    # package is a failure here, not a reason to skip.
    for package in ("mkdocs", "material"):
        if importlib.util.find_spec(package) is None:
            pytest.fail(f"{package} is missing: install the docs extra (pip install -e '.[docs]')")
    site = tmp_path / "site"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(REPO_ROOT / "mkdocs.yml"),
            "--site-dir",
            str(site),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=120,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    for page in ("index.html", "quickstart/index.html", "cli/index.html", "questions/index.html"):
        assert (site / page).is_file(), page
