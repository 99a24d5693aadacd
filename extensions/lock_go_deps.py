"""Recompute extensions/go_deps.lock.json from extensions/go_deps.yml (a maintainer command).

    python -m extensions.lock_go_deps          # rewrite the lock (needs Go and the module proxy)
    python -m extensions.lock_go_deps --check  # exit 1 when the lock is stale (offline, fast)

(from the repository root). The units are the slices of slices/*.yml that import Go
packages (their `go:` lists); the versions are go_deps.yml's.

Why a lock: a generated service must build straight after `copier copy`, and `go mod tidy`
must change nothing in it, for every combination of answers. The go.mod requirements and
go.sum lines differ per variant, so they are computed here, once, by the go command itself:

1. One scratch module imports every unit's packages and requires the pinned versions;
   `go mod tidy` gives the global build list. Minimal version selection must not raise a
   pinned version, nor the go directive (a dependency that needs a newer Go): either is a
   hard error that says what to change in go_deps.yml.
2. For each unit, a scratch module imports only that unit's packages and requires EVERY
   module of the global build list at its global version; `go mod tidy` drops what the unit
   does not use and never downgrades what it keeps, so the unit's fragment (requirements
   with their // indirect markers, and go.sum lines) is consistent with every other unit's:
   every module is at one version in every variant, so go.sum lines simply add up.

   One kind of requirement does not simply add up: a "pin", a module that only tests of the
   unit's dependencies import (testify for kin-openapi). Tidy keeps it only while nothing
   else in the variant's go.mod pulls it in at that version, so the lock records, from the
   `go mod graph` edges, which modules make it redundant (`go mod why -vendor` tells pins
   from modules that provide packages, under every build constraint, as tidy sees them).

3. The tools module (tools/go.mod + tools/go.sum of every generated service, run with
   `go tool -modfile=tools/go.mod <tool>`): `go mod init tools` with go_deps.yml's lowest go
   line, `go get -tool` every tool package at its pinned version (one command, so the go
   command reports conflicting pins itself), `go mod tidy`. As for the units, a raised go
   line, a toolchain line or a raised tool version is a hard error that names the
   culprits. The files are recorded verbatim (under "tools" in the lock): they are the
   same for every variant.

At render time template_extension.py unions the fragments of the active units and drops redundant
pins. tests/test_go_deps.py proves, for every subset of units and both supported go
directives, that the result builds with -mod=readonly and that tidy changes nothing; and
that the rendered tools module runs its tools with -mod=readonly and is tidy.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypedDict

from extensions import template_extension as ext
from extensions.template_extension import Fragment, Lock, Pin, Requirement, Spec, ToolsLock

SCRATCH_MODULE = "gofactory.invalid/lock"
TOOLS_MODULE = "tools"


class LockError(Exception):
    """A problem the maintainer must fix in go_deps.yml (the message says what)."""


class ModFile(TypedDict):
    """The parts of `go mod edit -json` that the lock needs."""

    go: str
    toolchain: str
    require: list[Requirement]
    tool: list[str]


def go_env() -> dict[str, str]:
    """Environment of every go command: module mode, the local toolchain, no workspace.

    GOTOOLCHAIN=local turns "a dependency needs a newer Go" into an error instead of a
    silent toolchain download; the normal module cache and GOPROXY are shared.
    """
    env = dict(os.environ)
    env.update(GOFLAGS="-mod=mod", GOTOOLCHAIN="local", GOWORK="off", GO111MODULE="on")
    return env


def run_go(args: Sequence[str], cwd: Path) -> str:
    """Run a go command in cwd and return its stdout; its stderr goes into the error."""
    proc = subprocess.run(
        ["go", *args], cwd=cwd, env=go_env(), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise LockError(f"`go {' '.join(args)}` failed in {cwd}:\n{proc.stderr.strip()}")
    return proc.stdout


def go_version_tuple(version: str) -> tuple[int, ...]:
    """ "1.25.7" -> (1, 25, 7); "1.25" counts as "1.25.0" (enough to compare go lines)."""
    numbers = [int(n) for n in re.findall(r"[0-9]+", version)[:3]]
    return tuple(numbers + [0] * (3 - len(numbers)))


def write_scratch(
    directory: Path, go: str, requires: Mapping[str, str], packages: Sequence[str]
) -> None:
    """A module whose only file blank-imports the packages, requiring the given versions."""
    lines = "".join(f"\t{path} {version}\n" for path, version in sorted(requires.items()))
    (directory / "go.mod").write_text(
        f"module {SCRATCH_MODULE}\n\ngo {go}\n\nrequire (\n{lines})\n", encoding="utf-8"
    )
    imports = "".join(f'\t_ "{package}"\n' for package in packages)
    (directory / "deps.go").write_text(f"package deps\n\nimport (\n{imports})\n", encoding="utf-8")


def tidy(directory: Path) -> ModFile:
    """`go mod tidy`, then the resulting go.mod as data."""
    run_go(["mod", "tidy"], directory)
    data = json.loads(run_go(["mod", "edit", "-json"], directory))
    require: list[Requirement] = [
        {"path": r["Path"], "version": r["Version"], "indirect": bool(r.get("Indirect"))}
        for r in data.get("Require") or []
    ]
    return {
        "go": data.get("Go", ""),
        "toolchain": data.get("Toolchain", ""),
        "require": sorted(require, key=lambda r: r["path"]),
        "tool": sorted(t["Path"] for t in data.get("Tool") or []),
    }


def check_go_line(mod: ModFile, spec: Spec, directory: Path, what: str) -> None:
    """Fail when tidy raised the go directive or added a toolchain line, naming the culprits."""
    if mod["go"] == spec["go"] and not mod["toolchain"]:
        return
    listing = run_go(
        ["list", "-m", "-f", "{{.Path}}@{{.Version}} {{.GoVersion}}", "all"], directory
    )
    culprits = [
        f"  {module} declares go {go}"
        for module, _, go in (line.partition(" ") for line in listing.splitlines()[1:])
        if go and go_version_tuple(go) > go_version_tuple(spec["go"])
    ]
    raise LockError(
        f"{what}: `go mod tidy` changed the go line to {mod['go']!r}"
        f"{' and added toolchain ' + mod['toolchain'] if mod['toolchain'] else ''}; these "
        f"modules need a newer Go than {spec['go']}: pin older versions of the modules that "
        "pull them in (or raise go: in go_deps.yml):\n" + "\n".join(culprits)
    )


def required_by(directory: Path, path: str, version: str) -> list[str]:
    """Which modules of the graph require path@version (to explain an MVS upgrade)."""
    graph = run_go(["mod", "graph"], directory)
    return sorted(
        {
            line.split(" ")[0]
            for line in graph.splitlines()
            if line.endswith(f" {path}@{version}") and "@" in line.split(" ")[0]
        }
    )


def graph_edges(directory: Path) -> set[tuple[str, str]]:
    """The `go mod graph` edges ("a@v", "b@w") of every go.mod loaded in the module graph."""
    edges: set[tuple[str, str]] = set()
    for line in run_go(["mod", "graph"], directory).splitlines():
        source, target = line.split(" ")
        if not target.startswith(("go@", "toolchain@")):
            edges.add((source, target))
    return edges


class GlobalResult(TypedDict):
    """Step 1's results: the go.mod requirements, the whole build list and the graph edges."""

    roots: dict[str, str]
    build_list: dict[str, str]
    edges: set[tuple[str, str]]


def global_build_list(spec: Spec, scratch: Path) -> GlobalResult:
    """Step 1: tidy a module importing every unit's packages at the pinned versions."""
    packages = sorted({p for unit in spec["units"] for p in unit["packages"]})
    write_scratch(scratch, spec["go"], spec["modules"], packages)
    mod = tidy(scratch)
    check_go_line(mod, spec, scratch, "all units together")
    roots = {r["path"]: r["version"] for r in mod["require"]}
    problems: list[str] = []
    for path, pinned in sorted(spec["modules"].items()):
        got = roots.get(path)
        if got is None:
            problems.append(f"  {path} is pinned but no unit imports a package from it: drop it")
        elif got != pinned:
            by = ", ".join(required_by(scratch, path, got)) or "?"
            problems.append(
                f"  {path}: minimal version selection raised {pinned} to {got} "
                f"(required by {by}): pin {path}: {got}"
            )
    for req in mod["require"]:
        if not req["indirect"] and req["path"] not in spec["modules"]:
            problems.append(
                f"  {req['path']} provides an imported package but is not pinned: "
                f"add {req['path']}: {req['version']} to modules"
            )
    if problems:
        raise LockError("go_deps.yml needs changes:\n" + "\n".join(problems))
    listing = run_go(["list", "-m", "-f", "{{.Path}} {{.Version}}", "all"], scratch)
    build_list = dict(line.split(" ") for line in listing.splitlines()[1:])
    return {"roots": roots, "build_list": build_list, "edges": graph_edges(scratch)}


def package_providers(directory: Path, paths: Sequence[str]) -> set[str]:
    """The modules among paths that provide a package the main module needs.

    `go mod why -vendor` is the one query that sees imports under every build constraint
    (as tidy does; `go list -deps` sees only this platform's) and leaves out the tests of
    dependencies, which are what pins exist for.
    """
    if not paths:
        return set()
    out = run_go(["mod", "why", "-vendor", "-m", *paths], directory)
    providers: set[str] = set()
    for block in out.strip().split("\n\n"):
        header, _, body = block.partition("\n")
        if not body.startswith("(main module does not need"):
            providers.add(header.removeprefix("# "))
    return providers


class UnitResult(TypedDict):
    """Step 2's results for one unit, before its pins are related to the whole graph."""

    require: list[Requirement]
    pins: list[str]
    sum: list[str]
    edges: set[tuple[str, str]]


def tidy_unit(spec: Spec, found: GlobalResult, name: str) -> UnitResult:
    """Step 2: tidy a module importing one unit's packages on top of the whole build list.

    Requirements on modules that provide none of the packages the unit's code needs (even
    indirectly) are pins: tidy keeps them only so that a module imported by tests of the
    unit's dependencies stays at the version the whole graph selects.
    """
    unit = next(u for u in spec["units"] if u["name"] == name)
    # Units that are always on (when: "true") are imported too: every variant has them,
    # and a unit's requirements and go.sum lines depend on what else the graph holds
    # (a test dependency of an always-on module can make one of the unit's pins
    # redundant, and with it the go.sum lines the pin brought).
    always = [
        package
        for other in spec["units"]
        if other["name"] != name and other["when"].strip() == "true"
        for package in other["packages"]
    ]
    with tempfile.TemporaryDirectory(prefix=f"gofactory-lock-{name}-") as tmp:
        scratch = Path(tmp)
        write_scratch(scratch, spec["go"], found["roots"], [*unit["packages"], *always])
        mod = tidy(scratch)
        check_go_line(mod, spec, scratch, f"unit {name}")
        for req in mod["require"]:
            if found["build_list"].get(req["path"]) != req["version"]:
                raise LockError(
                    f"unit {name}: tidy selected {req['path']} {req['version']}, not the "
                    f"version of the global build list ({found['build_list'].get(req['path'])})"
                )
        providers = package_providers(scratch, [r["path"] for r in mod["require"]])
        go_sum = scratch / "go.sum"
        lines = go_sum.read_text(encoding="utf-8").splitlines() if go_sum.exists() else []
        edges = graph_edges(scratch)
    return {
        "require": [r for r in mod["require"] if r["path"] in providers],
        "pins": [r["path"] for r in mod["require"] if r["path"] not in providers],
        "sum": sorted(lines, key=ext.go_sum_line_key),
        "edges": edges,
    }


def check_tools(spec: Spec, mod: ModFile, directory: Path) -> None:
    """Fail unless every tool package is a `tool` line, provided by the module it is listed
    under, at its pinned version (go get or tidy may have raised it for another tool)."""
    versions = {r["path"]: r["version"] for r in mod["require"]}
    problems: list[str] = []
    for module, tool in spec["tools"].items():
        for package in tool["packages"]:
            owners = [m for m in versions if package == m or package.startswith(m + "/")]
            owner = max(owners, key=len, default="no required module")
            if owner != module:
                problems.append(
                    f"  {package} is provided by {owner}, not {module}: list it under {owner}"
                )
            if package not in mod["tool"]:
                problems.append(f"  {package} has no tool line")
        got = versions.get(module)
        if got is not None and got != tool["version"]:
            by = ", ".join(required_by(directory, module, got)) or "?"
            problems.append(
                f"  {module}: minimal version selection raised {tool['version']} to {got} "
                f"(required by {by}): pin {module} {got}, or older versions of those"
            )
    if problems:
        raise LockError("go_deps.yml tools: needs changes:\n" + "\n".join(problems))


def compute_tools(spec: Spec) -> ToolsLock:
    """Step 3: the tools module, exactly as tools/go.mod and tools/go.sum must read."""
    with tempfile.TemporaryDirectory(prefix="gofactory-lock-tools-") as tmp:
        scratch = Path(tmp)
        run_go(["mod", "init", TOOLS_MODULE], scratch)
        run_go(["mod", "edit", f"-go={spec['go']}", "-toolchain=none"], scratch)
        queries = [
            f"{package}@{tool['version']}"
            for tool in spec["tools"].values()
            for package in tool["packages"]
        ]
        if queries:
            try:
                run_go(["get", "-tool", *queries], scratch)
            except LockError as error:
                raise LockError(
                    f"tools: the go command refused the versions pinned in go_deps.yml (pin "
                    f"versions that agree with each other):\n{error}"
                ) from error
        mod = tidy(scratch)
        check_go_line(mod, spec, scratch, "tools")
        check_tools(spec, mod, scratch)
        go_mod = (scratch / "go.mod").read_text(encoding="utf-8")
        go_sum = scratch / "go.sum"
        sums = go_sum.read_text(encoding="utf-8") if go_sum.exists() else ""
    return {"go_mod": go_mod.splitlines(), "go_sum": sums.splitlines()}


def compute_lock(spec: Spec, jobs: int) -> Lock:
    """The whole lock for a spec (steps 1 and 2, units in parallel; step 3 beside them)."""
    names = [u["name"] for u in spec["units"]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        tools = pool.submit(compute_tools, spec)
        with tempfile.TemporaryDirectory(prefix="gofactory-lock-all-") as tmp:
            found = global_build_list(spec, Path(tmp))
        results = dict(
            zip(names, pool.map(lambda n: tidy_unit(spec, found, n), names), strict=True)
        )
        tools_lock = tools.result()
    build_list = found["build_list"]
    edges = found["edges"].union(*(r["edges"] for r in results.values()))
    at_global = {f"{path}@{version}": path for path, version in build_list.items()}

    def pin(path: str) -> Pin:
        """Tidy drops the pin when any requirement's go.mod (at its global version) already
        requires the pinned module at its global version."""
        target = f"{path}@{build_list[path]}"
        by = {at_global[s] for s, t in edges if t == target and s in at_global}
        return {"path": path, "version": build_list[path], "unless_required_by": sorted(by)}

    fragments: dict[str, Fragment] = {
        name: {
            "require": result["require"],
            "pins": [pin(path) for path in result["pins"]],
            "sum": result["sum"],
        }
        for name, result in results.items()
    }
    return {
        "generated_by": f"{ext.LOCK_COMMAND} from go_deps.yml and slices/*.yml; do not edit",
        "source": spec,
        "build_list": dict(sorted(build_list.items())),
        "fragments": fragments,
        "tools": tools_lock,
    }


def dump_lock(lock: Lock) -> str:
    """The lock file's text (stable, diff-friendly)."""
    return json.dumps(lock, indent=2) + "\n"


def stale_reason(spec_path: Path, lock_path: Path) -> str:
    """Why the lock does not match go_deps.yml, or "" when it does."""
    if not lock_path.exists():
        return f"{lock_path.name} does not exist"
    lock = ext.load_lock(lock_path)
    spec = ext.load_spec(spec_path)
    if lock.get("source") != spec:
        return f"{lock_path.name} was computed from another version of {spec_path.name}"
    missing = [u["name"] for u in spec["units"] if u["name"] not in lock.get("fragments", {})]
    if missing:
        return f"{lock_path.name} has no fragment for unit(s) {', '.join(missing)}"
    tools = lock.get("tools")
    if tools is None:
        return f"{lock_path.name} has no tools module"
    tool_lines = {line.removeprefix("tool ").strip() for line in tools["go_mod"]}
    untooled = [p for t in spec["tools"].values() for p in t["packages"] if p not in tool_lines]
    if untooled:
        return f"{lock_path.name} has no tool line for {', '.join(untooled)}"
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the lock is stale")
    parser.add_argument("--spec", type=Path, default=ext.SPEC_FILE)
    parser.add_argument("--lock", type=Path, default=ext.LOCK_FILE)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    if args.check:
        reason = stale_reason(args.spec, args.lock)
        if reason:
            print(f"stale: {reason}; run `{ext.LOCK_COMMAND}`", file=sys.stderr)
            return 1
        print(f"{args.lock.name} is up to date with {args.spec.name}")
        return 0
    started = time.monotonic()
    try:
        lock = compute_lock(ext.load_spec(args.spec), args.jobs)
    except (LockError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    text = dump_lock(lock)
    changed = not args.lock.exists() or args.lock.read_text(encoding="utf-8") != text
    if changed:
        args.lock.write_text(text, encoding="utf-8")
    print(
        f"{args.lock.name} {'written' if changed else 'unchanged'}: "
        f"{len(lock['build_list'])} modules, {len(lock['fragments'])} units, "
        f"{len(lock['source']['tools'])} tool modules "
        f"({len(lock['tools']['go_sum'])} tools/go.sum lines), "
        f"{time.monotonic() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
