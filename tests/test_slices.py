"""The slice declarations (slices/*.yml): well-formed, and true to the template tree.

Each slice states once its condition, its files, its Go packages and its environment
variables; copier.yml's ``_exclude`` reads the files (``slice_excludes()``), the dependency
lock the packages, and the Config struct, .env.example and README the variables
(``env_vars()``). These tests keep the declarations and the tree in step: a pattern that
claims no file is a typo, and a file named for a backend that its part does not claim
would be written for every backend.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, StrictUndefined
from pathspec import PathSpec

from extensions.template_extension import (
    GofactoryExtension,
    SliceUnit,
    go_struct_tag,
    load_slices,
)

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template"
UNITS = load_slices()


def destination_paths() -> list[str]:
    """Every file the template can write, as a destination path (".jinja" dropped)."""
    return sorted(
        p.relative_to(TEMPLATE)
        .as_posix()
        .replace("{{ service_name }}", "svc")
        .removesuffix(".jinja")
        for p in TEMPLATE.rglob("*")
        if p.is_file()
    )


PATHS = destination_paths()
# Copier matches _exclude patterns with gitignore semantics (pathspec's "gitignore").
PATTERN_SYNTAX = "gitignore"


def claims(unit: SliceUnit, path: str) -> bool:
    return PathSpec.from_lines(PATTERN_SYNTAX, unit.files).match_file(path)


def test_template_paths_hold_no_condition() -> None:
    """Slices are switched by their declarations, never by Jinja in a file name."""
    conditional = [str(p.relative_to(TEMPLATE)) for p in TEMPLATE.rglob("*") if "{%" in p.name]
    assert conditional == []


@pytest.mark.parametrize("unit", [u for u in UNITS if u.files], ids=lambda u: u.name)
def test_every_pattern_claims_a_template_file(unit: SliceUnit) -> None:
    for pattern in unit.files:
        matched = PathSpec.from_lines(PATTERN_SYNTAX, [pattern])
        assert any(matched.match_file(p) for p in PATHS), (
            f"slice unit {unit.name}: {pattern!r} matches no file of template/"
        )


@pytest.mark.parametrize(
    "unit", [u for u in UNITS if u.files and len(u.conditions) > 1], ids=lambda u: u.name
)
def test_files_named_for_a_part_belong_to_it(unit: SliceUnit) -> None:
    """db_postgres.go, metrics_sqldb.go ...: a file whose name has the part's name as one
    of its words is the part's, so that the other backends never get it."""
    leaf = unit.name.rsplit("-", 1)[-1]
    # Only in the directories the part claims files in: httpapi/server.go is not "server"'s.
    directories = {pattern.rsplit("/", 1)[0].replace("/**", "") + "/" for pattern in unit.files}
    named = [
        p
        for p in PATHS
        if leaf in Path(p).name.split(".")[0].split("_") and p.startswith(tuple(directories))
    ]
    unclaimed = [p for p in named if not claims(unit, p)]
    assert unclaimed == [], f"named for {unit.name} but not claimed by it"


def test_units_are_named_after_their_slice_file() -> None:
    files = {p.stem for p in (ROOT / "slices").glob("*.yml")}
    assert {u.name.split("-")[0] for u in UNITS} == files
    assert UNITS[0].name == "base"


def write_slice(tmp_path: Path, text: str) -> Path:
    directory = tmp_path / "slices"
    directory.mkdir()
    (directory / "base.yml").write_text('when: "true"\n', encoding="utf-8")
    (directory / "demo.yml").write_text(text, encoding="utf-8")
    return directory


ENV = "env:\n  - {name: X_URL, field: XURL, type: string, help: The X.}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("files: [a]\n", "demo must be a mapping with a when condition"),
        ("when: x\nfile: [a]\n", "unknown keys ['file']"),
        ("when: x\nparts: {Big: {when: y}}\n", "parts must map lowercase names"),
        ("when: x\nfiles: a\n", "files must be a list of non-empty strings"),
        ("when: x\n" + ENV.replace("help: The X.", "help: ''"), "help must be a non-empty"),
        ("when: x\n" + ENV.replace("X_URL", "x_url"), "UPPER_SNAKE_CASE"),
        ("when: x\n" + ENV.replace("XURL", "xURL"), "exported Go identifier"),
        ("when: x\n" + ENV.replace("}", ", secret: yes}"), "secret must be one of"),
        ("when: x\n" + ENV.replace("}", ", colour: red}"), "unknown keys ['colour']"),
        ("when: x\n" + ENV.replace("}", ", required: true, default: a}"), "has no default"),
        ("when: x\n" + ENV.replace("}", ", part: nope}"), "no part named 'nope'"),
        ("when: x\n" + ENV.replace("}", ", checks: []}"), "checks must be a non-empty list"),
        ("when: x\n" + ENV.replace("}", ", checks: [{ok: c.XURL != ''}]}"), "a check has ok"),
        (
            "when: x\n" + ENV.replace("}", ", checks: [{ok: c.XURL != '', problem: p, when: y}]}"),
            "a check has ok",
        ),
        (
            "when: x\n" + ENV.replace("}", ", checks: [{ok: c.Port > 0, problem: p}]}"),
            "does not read c.XURL",
        ),
        (
            "when: x\n" + ENV.replace("}", ", checks: [{ok: c.XURL != '', problem: 'say \"x\"'}]}"),
            "holds a quote",
        ),
        (
            "when: x\n"
            + ENV.replace("}", ", checks: [{part: nope, ok: c.XURL != '', problem: p}]}"),
            "no part named 'nope'",
        ),
    ],
)
def test_bad_declarations_are_refused_naming_the_entry(
    text: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"slices/demo\.yml") as raised:
        load_slices(write_slice(tmp_path, text))
    assert message in str(raised.value)


def test_parts_inherit_their_parents_conditions(tmp_path: Path) -> None:
    directory = write_slice(
        tmp_path,
        "when: a\nfiles: [d/]\nparts:\n  b:\n    when: b\n    parts:\n"
        "      c: {when: c, go: [x/y]}\n" + ENV.replace("}", ", part: b}"),
    )
    units = {u.name: u for u in load_slices(directory)}
    assert units["demo"].when == "a"
    assert units["demo-b"].when == "(a) and (b)"
    assert units["demo-b-c"].when == "(a) and (b) and (c)"
    assert units["demo-b-c"].packages == ("x/y",)
    assert [owner for owner, _ in units["demo"].env] == ["demo-b"]


# The wiring files choose what is built, a few `{%- if %}` per slice (app.go the most:
# it builds every part); every other Go
# file holds at most a build constraint or one small choice.
WIRING = {
    "internal/app/app.go.jinja",
    "internal/httpapi/server.go.jinja",
    "cmd/{{ service_name }}/main.go.jinja",
}
WIRING_TAGS, OTHER_TAGS = 32, 6


@pytest.mark.parametrize(
    "path",
    sorted(p for p in TEMPLATE.rglob("*.go.jinja")),
    ids=lambda p: str(p.relative_to(TEMPLATE)),
)
def test_go_templates_hold_few_conditions(path: Path) -> None:
    name = path.relative_to(TEMPLATE).as_posix()
    tags = path.read_text(encoding="utf-8").count("{%")
    budget = WIRING_TAGS if name in WIRING else OTHER_TAGS
    assert tags <= budget, f"{name} holds {tags} Jinja tags (at most {budget}): split it by slice"


def test_checks_belong_to_the_unit_they_name(tmp_path: Path) -> None:
    """A check's part, like an entry's, is named by the unit that owns it."""
    directory = write_slice(
        tmp_path,
        "when: a\nparts: {b: {when: b}}\n"
        + ENV.replace(
            "}",
            ", checks: [{ok: c.XURL != '', problem: p}, {part: b, ok: c.XURL > '', problem: q}]}",
        ),
    )
    (entry,) = [e for u in load_slices(directory) for _, e in u.env]
    assert [(c["part"], c["problem"]) for c in entry["checks"]] == [("demo", "p"), ("demo-b", "q")]


def env_vars(**answers: object) -> dict[str, dict[str, Any]]:
    """The variables of the real slices for these answers, by name."""
    env = Environment(extensions=[GofactoryExtension], undefined=StrictUndefined)
    defaults = {
        "service_name": "svc",
        "database": "none",
        "example_resource": False,
        "metrics": False,
        "tracing": False,
        "router": "chi",
        "ci": "none",
        "cache": "none",
        "deploy": "none",
        "auth": "none",
    }
    rendered = env.from_string("{{ env_vars() | tojson }}").render(**{**defaults, **answers})
    return {v["name"]: v for v in json.loads(rendered)}


@pytest.mark.parametrize(
    ("database", "ok"),
    [("postgres", "c.DatabaseConnMaxLifetime > 0"), ("sqlite", "c.DatabaseConnMaxLifetime >= 0")],
)
def test_env_vars_render_the_checks_of_present_parts(database: str, ok: str) -> None:
    variables = env_vars(database=database)
    assert [c["ok"] for c in variables["DATABASE_CONN_MAX_LIFETIME"]["checks"]] == [ok]
    assert variables["DATABASE_URL"]["tag"] == (
        'env:"DATABASE_URL,required" secret:"url"'
        if database == "postgres"
        else 'env:"DATABASE_URL" envDefault:"file:data/svc.db" secret:"url"'
    )


def test_struct_tags_refuse_what_a_go_tag_cannot_hold() -> None:
    assert go_struct_tag("PORT", "8080", False, "") == 'env:"PORT" envDefault:"8080"'
    assert go_struct_tag("X", "", True, "full") == 'env:"X,required" secret:"full"'
    with pytest.raises(ValueError, match=r"env X: the default .* holds a quote"):
        go_struct_tag("X", 'a"b', False, "")
