"""Locate the Copier template that gofactory generates services from."""

import os
from pathlib import Path

from gofactory.errors import GofactoryError

TEMPLATE_ENV_VAR = "GOFACTORY_TEMPLATE"
CONFIG_NAMES = ("copier.yml", "copier.yaml")
# Sources that Copier treats as remote (git) locations rather than local paths.
_URL_PREFIXES = ("gh:", "gl:", "git@", "git+", "http://", "https://", "ssh://", "file://")


def bundled_template_dir() -> Path | None:
    """Return the template shipped with this package, if this installation has it.

    The template is the root of the gofactory repository (it holds copier.yml, template/
    and extensions/). A source checkout installed with ``pip install -e .`` keeps the
    package at ``<root>/src/gofactory``, so the root is two levels above this package.
    """
    root = Path(__file__).resolve().parents[2]
    if has_copier_config(root) and (root / "src" / "gofactory").is_dir():
        return root
    return None


def has_copier_config(directory: Path) -> bool:
    """Tell whether ``directory`` holds a Copier configuration file."""
    return any((directory / name).is_file() for name in CONFIG_NAMES)


def is_url(source: str) -> bool:
    """Tell whether ``source`` is a remote (git) template location."""
    return source.startswith(_URL_PREFIXES) or (source.endswith(".git") and ":" in source)


def resolve_template_source(source: str | None = None) -> str:
    """Return the template source to hand to Copier: a URL or an absolute local path.

    ``source`` (from ``--template``) wins; then the ``GOFACTORY_TEMPLATE`` environment
    variable; then the template bundled with this installation. Local paths are made
    absolute, so that the ``_src_path`` Copier records in the generated service's
    ``.copier-answers.yml`` lets ``copier update`` find the template from anywhere.
    """
    chosen = source or os.environ.get(TEMPLATE_ENV_VAR) or None
    if chosen is None:
        bundled = bundled_template_dir()
        if bundled is None:
            raise GofactoryError(
                "this installation of gofactory does not contain its template; "
                "install gofactory from a checkout of its repository (pip install -e .), "
                f"or pass --template SRC (or set {TEMPLATE_ENV_VAR})"
            )
        return str(bundled)
    if is_url(chosen):
        return chosen
    path = Path(chosen).expanduser()
    if path.is_file() and path.suffix == ".bundle":
        return str(path.resolve())
    if not path.is_dir():
        raise GofactoryError(f"template {chosen!r} not found: no such directory")
    if not has_copier_config(path):
        raise GofactoryError(f"{chosen!r} is not a Copier template: it has no copier.yml")
    return str(path.resolve())
