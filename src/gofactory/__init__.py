"""gofactory: a Copier template and CLI that generate production-ready 12-factor Go services."""

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    """Return the installed version of gofactory (from the package metadata)."""
    try:
        return version("gofactory")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


__all__ = ["package_version"]
