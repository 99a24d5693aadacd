"""Who owns each generated file: the template (refreshed on update) or the service's owner.

copier.yml's ``_skip_if_exists`` lists the owner's files: written once, never rewritten
by ``copier update``. docs/ownership.md documents the same list, and a routine upgrade
that changes those files in the template leaves them, and the owner's edits, alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import Render
from template_repo import (
    NEW,
    OLD,
    append,
    clone_template,
    commit_all,
    generate,
    invoke,
    release,
    replace_once,
)
from variants import REPO_ROOT, matrices

DOC = REPO_ROOT / "docs" / "ownership.md"
ROUTE_LINE = '\tmux.Handle("GET /api/v1/{name}", handle{title}())\n'


def owner_patterns() -> list[str]:
    config = yaml.safe_load((REPO_ROOT / "copier.yml").read_text(encoding="utf-8"))
    patterns: list[str] = config["_skip_if_exists"]
    return patterns


def test_the_documented_split_is_copier_yml() -> None:
    """docs/ownership.md's table of owner files is copier.yml's _skip_if_exists."""
    rows = re.findall(r"^\| `([^`]+)` \| owner \|", DOC.read_text(encoding="utf-8"), re.M)
    assert rows == owner_patterns()


def test_every_owner_pattern_names_generated_files(rendered: Render) -> None:
    root = rendered(matrices()[2].maximal)
    for pattern in owner_patterns():
        # A leading / anchors a pattern at the top of the service, as in .gitignore.
        assert list(root.glob(pattern.lstrip("/"))), (
            f"{pattern} matches no file of the maximal variant"
        )


def insert_after_openapi_route(routes: Path, line: str) -> None:
    anchor = next(
        text for text in routes.read_text().splitlines(keepends=True) if "handleOpenAPI()" in text
    )
    replace_once(routes, anchor, anchor + line)


@pytest.mark.parametrize("owned", [True, False], ids=["owner-file", "template-file"])
def test_routine_upgrade_never_conflicts_in_owner_files(owned: bool, tmp_path: Path) -> None:
    """The owner and the template both add a route at the same place in routes.go.

    As an owner's file, routes.go keeps the owner's version and the update is clean;
    as a template file (the control), the same change conflicts.
    """
    template = clone_template(tmp_path / "template", OLD)
    tree = template / "template"
    insert_after_openapi_route(
        tree / "internal" / "httpapi" / "routes.go",
        ROUTE_LINE.format(name="status", title="Status"),
    )
    replace_once(tree / "README.md.jinja", "# {{ project_name }}\n", "# {{ project_name }} v2\n")
    logging_go = tree / "internal" / "httpapi" / "health.go"
    append(logging_go, "\n// Template v0.2.0 refreshed this file.\n")
    if not owned:
        replace_once(template / "copier.yml", "  - internal/httpapi/routes.go\n", "")
    release(template, NEW, "Template v0.2.0")

    service = generate(template, tmp_path / "svc", {})
    routes = service / "internal" / "httpapi" / "routes.go"
    insert_after_openapi_route(routes, ROUTE_LINE.format(name="widgets", title="Widgets"))
    readme = service / "README.md"
    readme.write_text("# Widgets\n\nRewritten by its owner.\n")
    commit_all(service, "Owner's changes")
    owner_routes = routes.read_bytes()

    result = invoke(["update", "--defaults", str(service)])
    # The template's own file is refreshed either way; README is the owner's either way.
    assert (
        "Template v0.2.0 refreshed this file."
        in (service / "internal" / "httpapi" / "health.go").read_text()
    )
    assert readme.read_text() == "# Widgets\n\nRewritten by its owner.\n"
    if owned:
        assert result.exit_code == 0, result.output
        assert routes.read_bytes() == owner_routes
    else:
        assert result.exit_code == 1, result.output
        assert "internal/httpapi/routes.go: " in result.stderr
