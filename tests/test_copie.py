"""The template through pytest-copie, the way template authors usually test Copier
templates: default answers render, refused answers leave nothing behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def test_defaults_render_a_service(copie: Any, template_copy: Path) -> None:
    result = copie.copy(template_dir=template_copy)
    assert result.exit_code == 0, result.exception
    assert result.answers["service_name"] == "notes-service"
    assert (result.project_dir / "cmd" / "notes-service" / "main.go").is_file()
    assert (result.project_dir / "go.sum").is_file()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"service_name": "My Service"}, "is not a kebab-case slug"),
        ({"module_path": "not a module"}, "is not a module path"),
        ({"database": "none", "example_resource": True}, "example_resource needs a database"),
    ],
)
def test_refused_answers_write_nothing(
    copie: Any, template_copy: Path, answers: dict[str, Any], message: str
) -> None:
    result = copie.copy(extra_answers=answers, template_dir=template_copy)
    assert result.exit_code != 0
    assert message in str(result.exception)
    assert not any(copie.test_dir.glob("copie*/*")), "a refused answer must write nothing"
