"""The documentation of the update, check and matrix commands lists every option."""

from pathlib import Path

import pytest
from typer.main import get_command

from gofactory.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize(
    ("command", "page"),
    [("update", "updating.md"), ("check", "updating.md"), ("matrix", "matrix.md")],
)
def test_every_option_is_documented(command: str, page: str) -> None:
    params = get_command(app).commands[command].params  # type: ignore[attr-defined]
    options = [opt for param in params for opt in param.opts if opt.startswith("--")]
    assert options, f"{command} has no option"
    reference = (DOCS / page).read_text(encoding="utf-8")
    missing = [opt for opt in options if opt != "--help" and f"`{opt}" not in reference]
    assert not missing, f"docs/{page} does not document {missing}"
    assert f"`gofactory {command}" in (DOCS / "cli.md").read_text(encoding="utf-8")
