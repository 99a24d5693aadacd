"""Bring a service's owner files to the shape today's template expects: ``_migrations``.

Owner files (``_skip_if_exists``: README, CHANGELOG, api/openapi.yaml, routes.go, the
migrations) are never rewritten by ``copier update``; yet the template's own files may
come to call them differently. copier.yml runs this script after every update, in the
service's directory. Each step recognises the old shape and rewrites it, keeping what
the owner wrote, and says what is left to do by hand; on a file already in today's shape
it does nothing, so the whole list runs on every update, from whichever version the
service comes. Copier runs the script with its own Python interpreter, where gofactory
may not be installed: it uses only the standard library.

Steps:

* internal/httpapi/routes.go: the service's routes were ``func addRoutes(mux router, d
  Deps)``, reading any dependency from one ``Deps`` of everything; they are now the
  ``Routes`` route group, whose fields are the dependencies its handlers use (set where
  internal/app builds it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROUTES = Path("internal/httpapi/routes.go")

_OLD_ROUTES = re.compile(r"^func addRoutes\(mux router, d Deps\) \{$", re.MULTILINE)
# The comment the template wrote above addRoutes, replaced along with it when unchanged.
_OLD_COMMENT = re.compile(
    r"// addRoutes lists the service's own routes\. This file is yours: template\n"
    r"// upgrades never rewrite it\..*?\n(?=func addRoutes)",
    re.DOTALL,
)
_NEW_HEAD = """\
// Routes are the service's own endpoints, with what their handlers need.
// This file is yours: template upgrades never rewrite it. To add an
// endpoint, write its handler, list its route below, and add a field here
// for any dependency it needs, set where internal/app builds the Routes.
type Routes struct {
	Readiness *Readiness
}

func (rt Routes) register(mux *router) {"""


def migrate_routes(path: Path) -> list[str]:
    """Rewrite an addRoutes(mux, d) routes.go as the Routes group; return what is left to do."""
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    if not _OLD_ROUTES.search(text):
        return []
    text = _OLD_COMMENT.sub("", text, count=1)
    start = _OLD_ROUTES.search(text)
    assert start is not None
    body_end = text.find("\n}\n", start.end())
    body_end = len(text) if body_end < 0 else body_end
    body = re.sub(r"\bd\.(\w+)", r"rt.\1", text[start.end() : body_end])
    text = text[: start.start()] + _NEW_HEAD + body + text[body_end:]
    path.write_text(text, encoding="utf-8")
    others = sorted(set(re.findall(r"\brt\.(\w+)", body)) - {"Readiness"})
    notes = [f"{path}: addRoutes(mux, d Deps) is now the Routes route group"]
    notes += [
        f"{path}: your routes use {name}: add a field {name} to Routes and set it where "
        "internal/app/app.go builds httpapi.Routes (until then the service does not build)"
        for name in others
    ]
    return notes


def main() -> int:
    for note in migrate_routes(ROUTES):
        print(f"owner files migration: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
