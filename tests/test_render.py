"""Fast layer: every combination of answers renders to a clean, consistent tree.

No Go build here (see test_generated.py); only gofmt, which takes milliseconds.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import Render, go_required
from variants import Variant, all_variants, expected_refusal, files, render, valid_variants

VALID = valid_variants()
INVALID = [v for v in all_variants() if expected_refusal(v) is not None]

# Jinja left in the output: gofmt-ed Go never contains "{{ ", "{%" or "%}".
LEFTOVER_JINJA = re.compile(r"\{%|%\}|\{#|\{\{[ -]")


def text_of(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in files(root)}


@pytest.mark.parametrize("variant", VALID, ids=lambda v: v.id)
def test_renders_clean(variant: Variant, rendered: Render) -> None:
    root = rendered(variant)
    for name, text in text_of(root).items():
        assert text.strip(), f"{name} is empty"
        assert text.endswith("\n"), f"{name} does not end with a newline"
        match = LEFTOVER_JINJA.search(text)
        assert match is None, (
            f"{name} has leftover Jinja: {text[match.start() - 40 : match.end() + 40]!r}"
        )
        assert "\r" not in text, f"{name} has CR line endings"


@pytest.mark.parametrize("variant", VALID, ids=lambda v: v.id)
def test_gofmt_clean(variant: Variant, rendered: Render) -> None:
    go_required()
    root = rendered(variant)
    out = subprocess.run(["gofmt", "-l", "."], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout == "", f"not gofmt-clean:\n{out.stdout}"


@pytest.mark.parametrize("variant", VALID, ids=lambda v: v.id)
def test_switched_off_parts_are_absent(variant: Variant, rendered: Render) -> None:
    root = rendered(variant)
    texts = text_of(root)
    go_files = {n: t for n, t in texts.items() if n.endswith(".go")}
    gomod = texts["go.mod"]
    direct = "\n".join(line for line in gomod.splitlines() if "// indirect" not in line)
    svc = "notes-service"

    assert re.search(rf"^go {re.escape(variant['go_version'])}\.0$", gomod, re.M)
    assert (root / "cmd" / svc / "main.go").is_file()

    uses_chi = any("go-chi/chi" in t for t in go_files.values()) or "go-chi/chi" in direct
    assert uses_chi == (variant["router"] == "chi")

    has_db = variant["database"] != "none"
    assert (root / "internal" / "storage").exists() == has_db
    assert (root / "cmd" / svc / "migrate.go").exists() == has_db
    assert ("DATABASE_URL" in texts[".env.example"]) == has_db
    assert ("migrate" in texts["Makefile"]) == has_db
    assert ("modernc.org/sqlite" in direct) == (variant["database"] == "sqlite")
    if not has_db:
        assert not any("database/sql" in t for t in go_files.values())

    notes = variant["example_resource"]
    assert (root / "internal" / "notes").exists() == notes
    assert (root / "internal" / "httpapi" / "notes.go").exists() == notes
    assert ("/api/v1/notes" in texts["api/openapi.yaml"]) == notes
    assert ("/api/v1/notes" in texts["README.md"]) == notes
    assert ("google/uuid" in direct) == notes
    migrations = root / "internal" / "storage" / "migrations"
    assert (migrations / "00001_create_notes.sql").exists() == (notes and has_db)

    license_text = texts["LICENSE"]
    expected = {
        "MIT": "MIT License",
        "Apache-2.0": "Apache License",
        "proprietary": "All rights reserved",
    }
    assert expected[variant["license"]] in license_text


@pytest.mark.parametrize("variant", VALID, ids=lambda v: v.id)
def test_answers_file_records_every_answer(variant: Variant, rendered: Render) -> None:
    answers = yaml.safe_load((rendered(variant) / ".copier-answers.yml").read_text())
    for key, value in variant.answers:
        assert answers[key] == value
    assert answers["_src_path"]
    assert answers["module_path"] == "github.com/acme/notes-service"


@pytest.mark.parametrize("variant", INVALID, ids=lambda v: v.id)
def test_invalid_combinations_are_refused(
    variant: Variant, template_copy: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "svc"
    with pytest.raises(ValueError, match=re.escape(expected_refusal(variant) or "")):
        render(template_copy, dest, variant.data)
    assert not dest.exists(), "a refused answer must write nothing"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"service_name": "My Service"}, 'service_name "My Service" is not a kebab-case'),
        ({"service_name": "9lives"}, "is not a kebab-case"),
        ({"module_path": "not a module"}, 'module_path "not a module" is not a module'),
        ({"module_path": "github.com/acme/x/v1"}, "is not a module"),
        ({"project_name": "  "}, "project_name must not be empty"),
    ],
)
def test_bad_answers_are_refused_naming_the_rule(
    answers: dict[str, str], message: str, template_copy: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "svc"
    with pytest.raises(ValueError, match=re.escape(message)):
        render(template_copy, dest, answers)
    assert not dest.exists()


def test_names_derive_from_the_project_name(render_with) -> None:  # type: ignore[no-untyped-def]
    root = render_with({"project_name": "Billing API", "owner": "Example Org"})
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text())
    assert answers["service_name"] == "billing-api"
    assert answers["module_path"] == "github.com/example-org/billing-api"
    assert (root / "cmd" / "billing-api" / "main.go").is_file()
    assert "module github.com/example-org/billing-api\n" in (root / "go.mod").read_text()


def test_env_example_matches_the_config_struct(rendered: Render) -> None:
    """Both come from includes/env.jinja; the service's own test checks it too."""
    root = rendered(VALID[0])
    config = (root / "internal" / "config" / "config.go").read_text()
    struct_vars = re.findall(r'`env:"([A-Z_]+)"', config)
    example_vars = re.findall(r"^([A-Z_]+)=", (root / ".env.example").read_text(), re.M)
    assert struct_vars == example_vars
    assert struct_vars, "no variables found"
