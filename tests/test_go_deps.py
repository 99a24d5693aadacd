"""The pinned Go dependency table: go_deps.yml, its lock, and the go.mod/go.sum it renders.

Fast tests check the lock against go_deps.yml and the shape of the rendered text. The slow
ones prove the promise the lock exists for: for EVERY subset of units and both supported go
directives, the rendered go.mod/go.sum build with -mod=readonly and `go mod tidy` changes
nothing; the rendered tools module (tools/go.mod, tools/go.sum) runs every tool with
-mod=readonly from a service root and is tidy; and relocking reproduces the committed lock
byte for byte.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import Environment, StrictUndefined, UndefinedError

from extensions import lock_go_deps
from extensions import template_extension as ext
from extensions.template_extension import Fragment, GofactoryExtension, Lock, Spec

ROOT = Path(__file__).resolve().parents[1]

# The go.mod template of the generated service, verbatim.
GO_MOD_TEMPLATE = "module {{ module_path }}\n\ngo {{ go_version }}.0\n{{ go_mod_requires() }}\n"
SUPPORTED_GO = ("1.25", "1.26")
TOOLS_TEMPLATE = ROOT / "template" / "tools"
SUM_LINE = re.compile(r"^\S+ v\S+?(/go\.mod)? h1:[A-Za-z0-9+/]{43}=$")


@pytest.fixture(scope="module")
def spec() -> Spec:
    return ext.load_spec()


@pytest.fixture(scope="module")
def lock() -> Lock:
    return ext.load_lock()


def all_unit_subsets() -> list[tuple[str, ...]]:
    """Every set of units a variant can have: the units whose `when` holds, for every
    combination of the choices of the questions that the conditions read (copier.yml)."""
    units = ext.load_spec()["units"]
    questions = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    env = Environment(undefined=StrictUndefined)
    conditions = {u["name"]: env.compile_expression(u["when"]) for u in units}
    domains: dict[str, list[Any]] = {}
    for name, question in questions.items():
        if name.startswith("_") or not any(re.search(rf"\b{name}\b", u["when"]) for u in units):
            continue
        choices = question.get("choices")
        if question.get("type") == "bool":
            domains[name] = [True, False]
        elif isinstance(choices, dict):
            domains[name] = list(choices.values())
        else:
            domains[name] = list(choices)
    subsets = set()
    for values in itertools.product(*domains.values()):
        answers = dict(zip(domains, values, strict=True))
        subsets.add(tuple(u["name"] for u in units if conditions[u["name"]](**answers)))
    return sorted(subsets)


def module_of(package: str, modules: dict[str, str]) -> str:
    """The pinned module that provides an import path (longest matching module path)."""
    matches = [m for m in modules if package == m or package.startswith(m + "/")]
    assert matches, f"{package} belongs to no pinned module"
    return max(matches, key=len)


def parse_requires(text: str) -> list[tuple[str, str, bool]]:
    """Parse the output of render_requires back into (path, version, indirect)."""
    found = []
    for line in text.splitlines():
        line = line.removeprefix("require ").strip()
        if line in ("", "(", ")"):
            continue
        path, version, *comment = line.split(" ")
        assert comment in ([], ["//", "indirect"]), line
        found.append((path, version, bool(comment)))
    return found


# --- the lock versus go_deps.yml ----------------------------------------------------------


def test_lock_is_fresh() -> None:
    reason = lock_go_deps.stale_reason(ext.SPEC_FILE, ext.LOCK_FILE)
    assert reason == "", f"{reason}: run `{ext.LOCK_COMMAND}`"
    assert lock_go_deps.main(["--check"]) == 0


def test_check_reports_a_stale_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ext.SPEC_FILE.read_text(encoding="utf-8")
    stale = tmp_path / "go_deps.yml"
    stale.write_text(text.replace("v1.6.0", "v1.5.0"), encoding="utf-8")
    assert lock_go_deps.main(["--check", "--spec", str(stale)]) == 1
    assert "run `python -m extensions.lock_go_deps`" in capsys.readouterr().err
    with pytest.raises(RuntimeError, match="stale"):
        ext.checked_lock(stale, ext.LOCK_FILE)
    missing = tmp_path / "missing.json"
    assert lock_go_deps.main(["--check", "--lock", str(missing)]) == 1


def test_every_pin_is_in_the_build_list(spec: Spec, lock: Lock) -> None:
    for path, version in spec["modules"].items():
        assert lock["build_list"].get(path) == version, path
    assert spec["go"] == lock["source"]["go"]


def test_every_unit_has_a_consistent_fragment(spec: Spec, lock: Lock) -> None:
    assert set(lock["fragments"]) == {u["name"] for u in spec["units"]}
    for unit in spec["units"]:
        fragment = lock["fragments"][unit["name"]]
        required = {r["path"]: r for r in fragment["require"]}
        for package in unit["packages"]:
            module = module_of(package, spec["modules"])
            assert module in required, (unit["name"], package)
            assert not required[module]["indirect"], (unit["name"], module)
        sums = set(fragment["sum"])
        for req in fragment["require"]:
            assert lock["build_list"][req["path"]] == req["version"], req
            assert f"{req['path']} {req['version']}/go.mod" in {s.rsplit(" ", 1)[0] for s in sums}
        for pin in fragment["pins"]:
            assert lock["build_list"][pin["path"]] == pin["version"], pin
            assert pin["path"] not in required
            assert set(pin["unless_required_by"]) <= set(lock["build_list"])
        assert all(SUM_LINE.match(line) for line in fragment["sum"]), unit["name"]
        assert fragment["sum"] == sorted(set(fragment["sum"]), key=ext.go_sum_line_key)


def test_spec_is_validated() -> None:
    good: dict[str, Any] = {
        "go": "1.25.0",
        "modules": {"example.com/a": "v1.0.0"},
        "units": [{"name": "a", "when": "true", "packages": ["example.com/a"]}],
    }
    assert ext.parse_spec(good)["units"][0]["packages"] == ["example.com/a"]
    bad_cases: list[tuple[dict[str, Any], str]] = [
        ({**good, "go": 1.25}, "full Go version"),
        ({**good, "modules": {"example.com/a": "1.0"}}, "not a module version"),
        ({**good, "units": [{"name": "a", "packages": []}]}, "exactly name, when and packages"),
        ({**good, "units": [{"name": "a", "when": "true", "packages": []}]}, "must not be empty"),
        ({**good, "units": good["units"] * 2}, "unique"),
    ]
    for raw, message in bad_cases:
        with pytest.raises(ValueError, match=message):
            ext.parse_spec(raw)


# --- rendering -----------------------------------------------------------------------------


@pytest.mark.parametrize("units", all_unit_subsets(), ids=lambda u: "+".join(u) or "none")
def test_rendered_go_mod_is_well_formed(units: tuple[str, ...], lock: Lock) -> None:
    text = ext.render_requires(lock, units)
    go_sum = ext.render_go_sum(lock, units)
    if not units:
        assert text == "" and go_sum == ""
        return
    assert text.startswith("\nrequire ") and not text.endswith("\n")
    groups = text[1:].split("\n\n")
    parsed = parse_requires(text)
    direct = [p for p, _, indirect in parsed if not indirect]
    indirect = [p for p, _, is_indirect in parsed if is_indirect]
    assert len(groups) == (1 if direct else 0) + (1 if indirect else 0)
    for group, paths in zip(groups, [g for g in (direct, indirect) if g], strict=True):
        assert paths == sorted(paths)
        assert group.startswith("require (\n\t") == (len(paths) > 1), group
    assert len(set(direct + indirect)) == len(parsed)
    for path, version, _ in parsed:
        assert lock["build_list"][path] == version
    lines = go_sum.split("\n")
    assert lines == sorted(set(lines), key=ext.go_sum_line_key)
    assert all(SUM_LINE.match(line) for line in lines)


def test_single_requirement_uses_the_one_line_form(lock: Lock) -> None:
    chi = lock["build_list"]["github.com/go-chi/chi/v5"]
    fragment = lock["fragments"]["router-chi"]
    only_chi: Fragment = {
        "require": [r for r in fragment["require"] if r["path"] == "github.com/go-chi/chi/v5"],
        "pins": [],
        "sum": fragment["sum"],
    }
    one: Lock = {**lock, "fragments": {"router-chi": only_chi}}
    assert ext.render_requires(one, ["router-chi"]) == f"\nrequire github.com/go-chi/chi/v5 {chi}"


def test_pins_follow_tidy(lock: Lock) -> None:
    """A pin (here testify, needed only by tests of kin-openapi) is written only while no
    other requirement's go.mod already selects its version (a unit that requires the module
    itself keeps it, at its own version)."""
    for unit, fragment in lock["fragments"].items():
        for pin in fragment["pins"]:
            alone = {p for p, _, _ in parse_requires(ext.render_requires(lock, [unit]))}
            # The unit's own requirements, and the pins written before this one (in path
            # order), may already select the version.
            own = {r["path"] for r in fragment["require"]} | {
                p["path"] for p in fragment["pins"] if p["path"] < pin["path"]
            }
            assert (pin["path"] in alone) == own.isdisjoint(pin["unless_required_by"])
            for other, other_fragment in lock["fragments"].items():
                paths = {r["path"] for r in other_fragment["require"]}
                if pin["path"] not in paths and paths & set(pin["unless_required_by"]):
                    both = ext.render_requires(lock, [unit, other])
                    assert pin["path"] not in {p for p, _, _ in parse_requires(both)}


def test_go_sum_lines_sort_like_go() -> None:
    lines = [
        "example.com/m v1.10.0 h1:b",
        "example.com/m v1.9.0/go.mod h1:a",
        "example.com/m v1.9.0 h1:a",
        "example.com/m v1.9.0-rc.1 h1:a",
        "example.com/m/sub v1.0.0 h1:a",
        "example.com/m-x v1.0.0 h1:a",
    ]
    assert sorted(lines, key=ext.go_sum_line_key) == [
        "example.com/m v1.9.0-rc.1 h1:a",
        "example.com/m v1.9.0 h1:a",
        "example.com/m v1.9.0/go.mod h1:a",
        "example.com/m v1.10.0 h1:b",
        "example.com/m-x v1.0.0 h1:a",
        "example.com/m/sub v1.0.0 h1:a",
    ]


def jinja_env() -> Environment:
    """An environment configured like copier.yml's _envops, with the extension."""
    return Environment(
        extensions=[GofactoryExtension], undefined=StrictUndefined, keep_trailing_newline=True
    )


ANSWER_COMBOS = [
    {
        "router": router,
        "database": database,
        "example_resource": example,
        "metrics": observed,
        "tracing": observed,
        "cache": cache,
        "auth": auth,
    }
    for router in ("chi", "stdlib")
    for database in ("sqlite", "none")
    for example in (True, False)
    for observed in (True, False)
    for cache in ("none", "memory", "redis")
    for auth in ("none", "oidc")
    if not (example and database == "none") and (example or cache == "none")
]


@pytest.mark.parametrize("answers", ANSWER_COMBOS, ids=lambda a: "-".join(map(str, a.values())))
def test_jinja_globals_render_the_active_units(answers: dict[str, Any], lock: Lock) -> None:
    expected = ["base"]
    expected += ["router-chi"] if answers["router"] == "chi" else []
    expected += ["storage", "storage-sqlite"] if answers["database"] == "sqlite" else []
    expected += ["notes"] if answers["example_resource"] else []
    expected += ["observability-metrics", "observability-tracing"] if answers["metrics"] else []
    if answers["tracing"] and answers["database"] != "none":
        expected += ["storage-sqldb-tracing"]
    expected += ["cache"] if answers["cache"] != "none" else []
    if answers["cache"] == "redis":
        expected += ["cache-redis"]
        expected += ["cache-redis-tracing"] if answers["tracing"] else []
    expected += ["auth", "auth-oidc"] if answers["auth"] == "oidc" else []
    env = jinja_env()
    context = {**answers, "module_path": "example.com/notes", "go_version": "1.26"}
    go_mod = env.from_string(GO_MOD_TEMPLATE).render(context)
    requires = ext.render_requires(lock, expected)
    assert go_mod == f"module example.com/notes\n\ngo 1.26.0\n{requires}\n"
    # Called directly with a context, as copier's renderer does.
    ctx = env.from_string("").new_context(context)
    assert env.globals["go_mod_requires"](ctx) == requires  # type: ignore[operator]
    assert env.globals["go_sum"](ctx) == ext.render_go_sum(lock, expected)  # type: ignore[operator]


def test_unknown_answer_in_a_condition_is_an_error() -> None:
    env = jinja_env()
    with pytest.raises(UndefinedError):
        env.from_string("{{ go_mod_requires() }}").render(router="chi")


# --- the real go command (slow) ----------------------------------------------------------


def go_env(mod: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(GOFLAGS=f"-mod={mod}", GOTOOLCHAIN="local", GOWORK="off", GO111MODULE="on")
    return env


def run_go(args: list[str], cwd: Path, mod: str) -> str:
    assert shutil.which("go"), "the slow tests need the go command"
    proc = subprocess.run(
        ["go", *args], cwd=cwd, env=go_env(mod), capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"go {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def write_variant(
    directory: Path, spec: Spec, lock: Lock, units: tuple[str, ...], go_version: str
) -> None:
    """A module laid out as the template lays it out, importing exactly the units' packages."""
    requires = ext.render_requires(lock, units)
    (directory / "go.mod").write_text(
        f"module example.com/variant\n\ngo {go_version}.0\n{requires}\n", encoding="utf-8"
    )
    go_sum = ext.render_go_sum(lock, units)
    if go_sum:
        (directory / "go.sum").write_text(go_sum + "\n", encoding="utf-8")
    packages = sorted({p for u in spec["units"] if u["name"] in units for p in u["packages"]})
    imports = "".join(f'\t_ "{p}"\n' for p in packages)
    block = f"import (\n{imports})\n\n" if packages else ""
    (directory / "main.go").write_text(
        f"package main\n\n{block}func main() {{}}\n", encoding="utf-8"
    )


@pytest.mark.slow
@pytest.mark.parametrize("go_version", SUPPORTED_GO)
@pytest.mark.parametrize("units", [u for u in all_unit_subsets() if u], ids=lambda u: "+".join(u))
def test_variant_builds_and_is_tidy(
    units: tuple[str, ...], go_version: str, spec: Spec, lock: Lock, tmp_path: Path
) -> None:
    write_variant(tmp_path, spec, lock, units, go_version)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    run_go(["build", "-o", os.devnull, "./..."], tmp_path, "readonly")
    run_go(["mod", "tidy"], tmp_path, "mod")
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after.keys() == before.keys(), "tidy created or removed a file"
    for name in ("go.mod", "go.sum"):
        assert after[name].decode() == before[name].decode(), f"tidy changed {name}"
    assert b"\ntoolchain " not in after["go.mod"]


@pytest.mark.slow
def test_relocking_reproduces_the_lock(spec: Spec) -> None:
    lock = lock_go_deps.compute_lock(spec, jobs=os.cpu_count() or 1)
    assert lock_go_deps.dump_lock(lock) == ext.LOCK_FILE.read_text(encoding="utf-8")


def edited_spec(old: str, new: str, tmp_path: Path, file: str = "go_deps.yml") -> Spec:
    """go_deps.yml and the slices, with one textual edit in ``file`` (go_deps.yml or a
    slice declaration, slices/NAME.yml), parsed."""
    spec, slices = tmp_path / "go_deps.yml", tmp_path / "slices"
    shutil.copy(ext.SPEC_FILE, spec)
    shutil.copytree(ext.SLICES_DIR, slices)
    target = tmp_path / file
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new), encoding="utf-8")
    return ext.load_spec(spec, slices)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "go_deps.yml",
            "github.com/google/uuid: v1.6.0",
            "github.com/google/uuid: v1.5.0",
            "github.com/google/uuid: minimal version selection raised v1.5.0 to v1.6.0",
        ),
        (
            "go_deps.yml",
            "github.com/pressly/goose/v3: v3.27.0",
            "github.com/pressly/goose/v3: v3.27.3",
            "github.com/pressly/goose/v3@v3.27.3 declares go 1.25.7",
        ),
        (
            "slices/notes.yml",
            "  - github.com/google/uuid\n",
            "  - github.com/google/uuid\n  - github.com/oklog/ulid/v2\n",
            "github.com/oklog/ulid/v2 provides an imported package but is not pinned",
        ),
        (
            "slices/router.yml",
            "      - github.com/go-chi/chi/v5\n      - github.com/go-chi/chi/v5/middleware\n",
            "      - golang.org/x/sync/errgroup\n",
            "github.com/go-chi/chi/v5 is pinned but no unit imports a package from it",
        ),
    ],
    ids=["mvs-raise", "newer-go", "unpinned", "unused-pin"],
)
def test_lock_fails_loudly(
    file: str, old: str, new: str, message: str, spec: Spec, tmp_path: Path
) -> None:
    bad = edited_spec(old, new, tmp_path, file)
    with pytest.raises(lock_go_deps.LockError) as raised:
        lock_go_deps.compute_lock(bad, jobs=2)
    assert message in str(raised.value)


# --- the tools module (tools/go.mod + tools/go.sum) ---------------------------------------


def tool_packages(spec: Spec) -> dict[str, str]:
    """Every pinned tool package -> the version of its module."""
    return {p: t["version"] for t in spec["tools"].values() for p in t["packages"]}


def parse_tools_mod(text: str) -> tuple[str, list[str], dict[str, str]]:
    """(go line, tool lines, requirements) of a go.mod."""
    go, tools, requires, block = "", [], {}, ""
    for line in text.splitlines():
        if line.startswith("go "):
            go = line.removeprefix("go ")
        elif line in ("tool (", "require ("):
            block = line.split(" ")[0]
        elif line == ")":
            block = ""
        elif line.startswith("tool ") or block == "tool":
            tools.append(line.removeprefix("tool ").strip())
        elif line.startswith("require ") or block == "require":
            path, version = line.removeprefix("require ").split()[:2]
            requires[path] = version
    return go, tools, requires


def render_tools_template(name: str, answers: dict[str, Any]) -> str:
    """template/tools/<name>.jinja rendered like copier renders it."""
    source = (TOOLS_TEMPLATE / f"{name}.jinja").read_text(encoding="utf-8")
    return jinja_env().from_string(source).render(answers)


def test_spec_lists_the_tools(spec: Spec) -> None:
    names = {ext.tool_name(p) for p in tool_packages(spec)}
    assert {"golangci-lint", "govulncheck"} <= names
    assert len(names) == len(tool_packages(spec))


def test_lock_covers_every_tool(spec: Spec, lock: Lock) -> None:
    assert lock["source"]["tools"] == spec["tools"]
    text = "\n".join(lock["tools"]["go_mod"])
    go, tools, requires = parse_tools_mod(text)
    assert lock["tools"]["go_mod"][0] == f"module {lock_go_deps.TOOLS_MODULE}"
    assert go == spec["go"]
    assert not any(line.startswith("toolchain") for line in lock["tools"]["go_mod"])
    assert sorted(tools) == sorted(tool_packages(spec))
    sums = lock["tools"]["go_sum"]
    assert all(SUM_LINE.match(line) for line in sums)
    assert sums == sorted(set(sums), key=ext.go_sum_line_key)
    for module, tool in spec["tools"].items():
        assert requires[module] == tool["version"], module
        assert f"{module} {tool['version']}" in {line.split(" h1:")[0] for line in sums}
    hashed = {
        line.split(" ")[0] + " " + line.split(" ")[1].removesuffix("/go.mod") for line in sums
    }
    assert {f"{path} {version}" for path, version in requires.items()} <= hashed


def test_check_reports_stale_tools(tmp_path: Path, spec: Spec) -> None:
    version = spec["tools"]["golang.org/x/vuln"]["version"]
    edited = edited_spec(f"version: {version}", "version: v1.6.0", tmp_path)
    assert edited["tools"]["golang.org/x/vuln"]["version"] == "v1.6.0"
    assert lock_go_deps.main(["--check", "--spec", str(tmp_path / "go_deps.yml")]) == 1
    toolless = tmp_path / "lock.json"
    raw = ext.LOCK_FILE.read_text(encoding="utf-8")
    data = {k: v for k, v in ext.load_lock().items() if k != "tools"}
    toolless.write_text(json.dumps(data), encoding="utf-8")
    assert "no tools module" in lock_go_deps.stale_reason(ext.SPEC_FILE, toolless)
    assert raw == ext.LOCK_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize("go_version", SUPPORTED_GO)
def test_rendered_tools_module(go_version: str, spec: Spec, lock: Lock) -> None:
    """One tools module for every variant: its go line is the lowest supported go, so a
    service on go 1.25 can run it (and one on 1.26 too)."""
    assert sorted(p.name for p in TOOLS_TEMPLATE.iterdir()) == ["go.mod.jinja", "go.sum.jinja"]
    answers = {"go_version": go_version, "router": "chi", "database": "sqlite"}
    go_mod = render_tools_template("go.mod", answers)
    go_sum = render_tools_template("go.sum", answers)
    assert go_mod == "\n".join(lock["tools"]["go_mod"]) + "\n"
    assert go_sum == "\n".join(lock["tools"]["go_sum"]) + "\n"
    go, tools, requires = parse_tools_mod(go_mod)
    assert go == spec["go"] == "1.25.0"
    for package, version in tool_packages(spec).items():
        assert tools.count(package) == 1, package
        assert requires[module_of(package, requires)] == version
    assert "\ntoolchain " not in go_mod
    env = jinja_env()
    assert env.globals["go_tools_mod"]() == go_mod.removesuffix("\n")  # type: ignore[operator]
    assert env.globals["go_tools_sum"]() == go_sum.removesuffix("\n")  # type: ignore[operator]


def test_template_renders_the_tools_module(
    render_with: Callable[[dict[str, Any]], Path], lock: Lock
) -> None:
    """Through copier, with the real copier.yml: tools/ holds exactly go.mod and go.sum."""
    service = render_with({"go_version": "1.26"})
    assert sorted(p.name for p in (service / "tools").iterdir()) == ["go.mod", "go.sum"]
    go_mod = (service / "tools" / "go.mod").read_text(encoding="utf-8")
    assert go_mod == ext.render_tools_mod(lock) + "\n"
    go_sum = (service / "tools" / "go.sum").read_text(encoding="utf-8")
    assert go_sum == ext.render_tools_sum(lock) + "\n"
    assert "\ngo 1.26.0\n" in (service / "go.mod").read_text(encoding="utf-8")
    assert "\ngo 1.25.0\n" in go_mod


def test_tools_spec_is_validated() -> None:
    base: dict[str, Any] = {
        "go": "1.25.0",
        "modules": {"example.com/a": "v1.0.0"},
        "units": [{"name": "a", "when": "true", "packages": ["example.com/a"]}],
    }
    assert ext.parse_spec(base)["tools"] == {}
    tool = {"version": "v1.2.3", "packages": ["example.com/t/cmd/z", "example.com/t/cmd/y"]}
    parsed = ext.parse_spec({**base, "tools": {"example.com/t": tool}})
    assert parsed["tools"] == {
        "example.com/t": {"version": "v1.2.3", "packages": sorted(tool["packages"])}
    }
    assert ext.tool_name("example.com/t/cmd/golangci-lint") == "golangci-lint"
    assert ext.tool_name("example.com/t/v2") == "t"
    bad_cases: list[tuple[object, str]] = [
        (["example.com/t"], "tools must map module paths"),
        ({"example.com/t": {"version": "v1"}}, "exactly version and packages"),
        ({"example.com/t": {**tool, "version": "1.2.3"}}, "not a module version"),
        ({"example.com/t": {**tool, "packages": []}}, "must not be empty"),
        ({"example.com/t": {**tool, "packages": ["example.com/tt/x"]}}, "not inside the module"),
        (
            {"example.com/t": tool, "example.com/u": {**tool, "packages": ["example.com/u/y"]}},
            "tool names must be unique",
        ),
    ]
    for raw, message in bad_cases:
        with pytest.raises(ValueError, match=message):
            ext.parse_spec({**base, "tools": raw})


def test_check_tools_names_the_problems(spec: Spec) -> None:
    """A tool listed under the wrong module (here: gopls, a module nested in x/tools)."""
    bad = ext.parse_spec(
        {
            **spec,
            "tools": {
                "golang.org/x/tools": {
                    "version": "v0.49.0",
                    "packages": ["golang.org/x/tools/gopls"],
                }
            },
        }
    )
    mod: lock_go_deps.ModFile = {
        "go": "1.25.0",
        "toolchain": "",
        "require": [
            {"path": "golang.org/x/tools", "version": "v0.49.0", "indirect": True},
            {"path": "golang.org/x/tools/gopls", "version": "v0.21.0", "indirect": True},
        ],
        "tool": [],
    }
    with pytest.raises(lock_go_deps.LockError) as raised:
        lock_go_deps.check_tools(bad, mod, Path("/nonexistent"))
    assert (
        "golang.org/x/tools/gopls is provided by golang.org/x/tools/gopls, not golang.org/x/tools"
        in str(raised.value)
    )
    assert "golang.org/x/tools/gopls has no tool line" in str(raised.value)


SERVICE_MAIN = """package main

import (
\t"fmt"

\t"example.com/svc/internal/greet"
)

func main() {
\tfmt.Println(greet.Hello())
}
"""

SERVICE_GREET = """// Package greet says hello.
package greet

// Hello returns a greeting.
func Hello() string {
\treturn "hello"
}
"""


@pytest.fixture(scope="module")
def tools_root(tmp_path_factory: pytest.TempPathFactory, spec: Spec) -> Path:
    """A service root holding a go.mod (of the lowest supported go) and the rendered tools/."""
    root = tmp_path_factory.mktemp("tools-root")
    (root / "go.mod").write_text(f"module example.com/svc\n\ngo {spec['go']}\n", encoding="utf-8")
    (root / "tools").mkdir()
    answers = {"go_version": SUPPORTED_GO[0]}
    for name in ("go.mod", "go.sum"):
        text = render_tools_template(name, answers)
        (root / "tools" / name).write_text(text, encoding="utf-8")
    return root


def run_tool(root: Path, *args: str) -> str:
    """`go tool -modfile=tools/go.mod ...` from the service root, with -mod=readonly."""
    return run_go(["tool", "-modfile=tools/go.mod", *args], root, "readonly")


@pytest.mark.slow
def test_tools_module_is_tidy(tools_root: Path) -> None:
    """Run before any Go file exists in the root: with -modfile, tidy treats the ROOT's
    packages as the tools module's, so a service tidies its tools with `go -C tools`."""
    before = {p.name: p.read_bytes() for p in (tools_root / "tools").iterdir()}
    assert run_go(["mod", "tidy", "-modfile=tools/go.mod", "-diff"], tools_root, "readonly") == ""
    assert run_go(["-C", "tools", "mod", "tidy", "-diff"], tools_root, "readonly") == ""
    run_go(["-C", "tools", "mod", "verify"], tools_root, "readonly")
    after = {p.name: p.read_bytes() for p in (tools_root / "tools").iterdir()}
    assert after == before


@pytest.mark.slow
def test_golangci_lint_is_pinned_and_lints_the_service(
    tools_root: Path, spec: Spec, golangci_lint: list[str]
) -> None:
    """The fixture compiles it first (into Go's build cache, from the same tools module),
    once for all the tests that run it; here it runs as `make lint` runs it."""
    version = spec["tools"]["github.com/golangci/golangci-lint/v2"]["version"]
    out = run_tool(tools_root, "golangci-lint", "version")
    assert f"golangci-lint has version {version.removeprefix('v')} " in out
    # golangci-lint loads packages with the service's go.mod, not with the tools modfile.
    work = tools_root.parent / "tools-lint"
    shutil.copytree(tools_root, work)
    (work / "internal" / "greet").mkdir(parents=True)
    (work / "internal" / "greet" / "greet.go").write_text(SERVICE_GREET, encoding="utf-8")
    (work / "main.go").write_text(SERVICE_MAIN, encoding="utf-8")
    out = run_tool(work, "golangci-lint", "run", "--no-config", "./...")
    assert "0 issues" in out


@pytest.mark.slow
def test_govulncheck_is_pinned(tools_root: Path, spec: Spec, govulncheck: list[str]) -> None:
    version = spec["tools"]["golang.org/x/vuln"]["version"]
    out = run_tool(tools_root, "govulncheck", "-version")
    assert f"Scanner: govulncheck@{version}" in out


@pytest.mark.slow
def test_sqlc_is_pinned(tools_root: Path, spec: Spec, sqlc: list[str]) -> None:
    version = spec["tools"]["github.com/sqlc-dev/sqlc"]["version"]
    assert run_tool(tools_root, "sqlc", "version").strip() == version


@pytest.mark.slow
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "version: v1.7.0",
            "version: v1.8.0",
            "golang.org/x/vuln@v1.8.0 declares go 1.26.0",
        ),
        (
            "      - golang.org/x/vuln/cmd/govulncheck\n",
            "      - golang.org/x/vuln/cmd/govulncheck\n"
            "  golang.org/x/tools:\n    version: v0.40.0\n"
            "    packages:\n      - golang.org/x/tools/cmd/stringer\n",
            "requires golang.org/x/tools@v0.49.0, not golang.org/x/tools@v0.40.0",
        ),
    ],
    ids=["newer-go", "conflicting-pins"],
)
def test_tools_lock_fails_loudly(old: str, new: str, message: str, tmp_path: Path) -> None:
    bad = edited_spec(old, new, tmp_path)
    with pytest.raises(lock_go_deps.LockError) as raised:
        lock_go_deps.compute_tools(bad)
    assert message in str(raised.value)
