"""Allow ``python -m gofactory``."""

from gofactory.cli import app

app(prog_name="gofactory")
