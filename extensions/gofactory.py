"""Jinja extension of the gofactory template.

It gives the template (copier.yml and template/) four things:

* naming filters (``kebab``, ``snake``, ``pascal``, ``camel``, ``go_package``), so that every
  file derives identifiers from the answers in one consistent way;
* module-path checks (the ``go_module_path`` test and the ``go_module_path_error`` filter), so
  that copier refuses a module path that ``go mod init`` or the module proxy would refuse, and
  says which rule it breaks;
* the pinned Go dependency table: ``go_deps`` (module -> pinned version), ``go_mod_requires()``
  and ``go_sum()``, which render the exact ``require`` blocks and go.sum lines that
  ``go mod tidy`` would write for the active variant. They read go_deps.lock.json, computed by
  lock_go_deps.py from go_deps.yml, so a generated service builds without a network round of
  ``go mod tidy`` and tidy changes nothing in it;
* the pinned developer tools: ``go_tools_mod()`` and ``go_tools_sum()``, the exact tools/go.mod
  (``tool`` directives) and tools/go.sum of the generated service, a module of its own that the
  service runs with ``go tool -modfile=tools/go.mod <tool>``. They are the same for every
  variant (go line: go_deps.yml's lowest go), so they come straight from the lock.

Copier loads this file by path (copier_template_extensions.TemplateExtensionLoader), so it must
stay a single self-contained module: no imports of sibling files.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypedDict

import yaml
from jinja2 import Environment, pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context

HERE = Path(__file__).resolve().parent
SPEC_FILE = HERE / "go_deps.yml"
LOCK_FILE = HERE / "go_deps.lock.json"
LOCK_COMMAND = "python extensions/lock_go_deps.py"


# --------------------------------------------------------------------------------------------
# Naming filters
# --------------------------------------------------------------------------------------------

# Lint-enforced Go initialisms (staticcheck ST1003 / revive var-naming): pascal/camel spell
# these in one case so that generated identifiers (NotesAPI, UserID) pass golangci-lint.
_INITIALISM_WORDS = (
    "ACL AMQP API ASCII CPU CSS DB DNS EOF GID GUID HTML HTTP HTTPS ID IP JSON JWT OIDC QPS RAM "
    "RPC RTP SIP SLA SMTP SQL SSH TCP TLS TS TTL UDP UI UID URI URL UTF8 UUID VM XML XMPP XSRF XSS"
)
GO_INITIALISMS = frozenset(_INITIALISM_WORDS.split())
_KEYWORD_WORDS = (
    "break case chan const continue default defer else fallthrough for func go goto if import "
    "interface map package range return select struct switch type var"
)
GO_KEYWORDS = frozenset(_KEYWORD_WORDS.split())


# Word boundaries inside a run of letters and digits: "myHTTPService" -> my|HTTP|Service,
# "v2Api" -> v2|Api; digits stay with their word ("utf8", "notes2go") as Go spells them.
# A plural initialism stays one word: "userIDs" -> user|IDs.
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])(?![A-Z]s(?![a-z]))")
# Letters that NFKD does not decompose into an ASCII letter plus accents.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "Ð": "D",
        "\u0131": "i",  # dotless i
    }
)
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_KEBAB_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def words(value: str) -> list[str]:
    """Split free text into lowercase ASCII words, the common ground of every case style.

    Accents are folded (NFKD, combining marks dropped) rather than deleted, so "Crème" keeps
    its "e"; anything else that is not a letter or digit separates words, as do camelCase
    humps, so "myHTTPService" and "my_http.service" give the same words.
    """
    folded = unicodedata.normalize("NFKD", value.translate(_TRANSLITERATE))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii")
    return [
        part.lower()
        for chunk in _NON_ALNUM.split(ascii_text)
        for part in _CAMEL_BOUNDARY.split(chunk)
        if part
    ]


def kebab(value: str) -> str:
    """``"Notes Service"`` -> ``"notes-service"``: service names, binaries, k8s objects."""
    return "-".join(words(value))


def snake(value: str) -> str:
    """``"Notes Service"`` -> ``"notes_service"``: SQL names, env-var stems, file names."""
    return "_".join(words(value))


def _go_word(word: str) -> str:
    """One word of a Go identifier: "id" -> "ID", "http2" -> "HTTP2", "ids" -> "IDs"."""
    letters = word.rstrip("0123456789").upper()
    if letters in GO_INITIALISMS:
        return word.upper()
    if word.endswith("s") and word[:-1].upper() in GO_INITIALISMS:
        return word[:-1].upper() + "s"
    return word.capitalize()


def pascal(value: str) -> str:
    """``"notes-api"`` -> ``"NotesAPI"``: exported Go identifiers, with Go's initialisms."""
    return "".join(_go_word(w) for w in words(value))


def camel(value: str) -> str:
    """``"http-server-id"`` -> ``"httpServerID"``: unexported Go identifiers."""
    parts = words(value)
    if not parts:
        return ""
    return parts[0] + "".join(_go_word(w) for w in parts[1:])


def go_package(value: str) -> str:
    """``"notes-service"`` -> ``"notesservice"``: a valid Go package name.

    Go package names are lowercase single words (no hyphens or underscores); a name that
    would start with a digit gets a "pkg" prefix and a keyword a "pkg" suffix, because the
    alternative is code that does not compile.
    """
    name = "".join(words(value))
    if not name:
        raise ValueError(f"cannot derive a Go package name from {value!r}: it has no letters")
    if name[0].isdigit():
        name = "pkg" + name
    if name in GO_KEYWORDS:
        name += "pkg"
    return name


def is_kebab_slug(value: object) -> bool:
    """Jinja test ``kebab_slug``: lowercase words of letters/digits joined by single hyphens."""
    return isinstance(value, str) and _KEBAB_SLUG.fullmatch(value) is not None


# --------------------------------------------------------------------------------------------
# Module path checks: golang.org/x/mod/module.CheckPath, less its "dot in the first element"
# rule (go mod init accepts "notes"), with each failure explained in one sentence.
# --------------------------------------------------------------------------------------------

_ALLOWED_HINT = "use only letters, digits and - . _ ~ separated by /"
_MODULE_PATH_CHAR = re.compile(r"[A-Za-z0-9._~-]")
_FIRST_ELEMENT_CHAR = re.compile(r"[a-z0-9.-]")
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)]
)
_CHAR_NAMES = {" ": "a space", "\t": "a tab", "\n": "a line break", "/": "a slash"}


def _describe_char(char: str) -> str:
    if char in _CHAR_NAMES:
        return _CHAR_NAMES[char]
    if "A" <= char <= "Z":
        return f'the uppercase letter "{char}"'
    return f'the character "{char}"'


def _element_error(elem: str) -> str:
    if elem == "":
        return "it contains an empty element (a double slash)"
    for char in elem:
        if not _MODULE_PATH_CHAR.fullmatch(char):
            return f"it contains {_describe_char(char)}; {_ALLOWED_HINT}"
    if elem.strip(".") == "":
        return f'element "{elem}" is made of dots only'
    if elem.startswith("."):
        return f'element "{elem}" begins with a dot'
    if elem.endswith("."):
        return f'element "{elem}" ends with a dot'
    short = elem.split(".", 1)[0]
    if short.upper() in _WINDOWS_RESERVED:
        return f'element "{elem}" is a reserved file name on Windows ({short.upper()})'
    tilde = short.rfind("~")
    if 0 <= tilde < len(short) - 1 and short[tilde + 1 :].isdigit():
        return f'element "{elem}" ends with a tilde and digits, like a Windows short name'
    return ""


def _major_suffix_error(path: str) -> str:
    """The final /vN rule of module.SplitPathVersion (and gopkg.in's .vN convention)."""
    if path.startswith("gopkg.in/"):
        match = re.search(r"\.v([0-9]+)(-unstable)?$", path)
        if not match or (match.group(1).startswith("0") and match.group(1) != "0"):
            return 'a gopkg.in path must end in ".vN" (for example gopkg.in/yaml.v3)'
        return ""
    match = re.search(r"(?<=/)v([0-9.]+)$", path)
    if match is None:
        return ""
    number = match.group(1)
    if "." in number or number.startswith("0") or number == "1":
        return (
            f'its major version suffix "/v{number}" is invalid: use /v2 or higher, '
            "without dots or a leading zero (and no suffix for v0/v1)"
        )
    return ""


def go_module_path_error(path: object) -> str:
    """Why ``path`` is not a valid Go main module path, as one short sentence; "" if valid."""
    if not isinstance(path, str):
        return "it is not a string"
    if path == "":
        return "it is empty"
    if path.startswith("/"):
        return "it begins with a slash"
    if path.endswith("/"):
        return "it ends with a slash"
    if path.startswith("-"):
        return "it begins with a dash"
    for elem in path.split("/"):
        error = _element_error(elem)
        if error:
            return error
    first = path.split("/", 1)[0]
    for char in first:
        if not _FIRST_ELEMENT_CHAR.fullmatch(char):
            return (
                f'its first element "{first}" contains {_describe_char(char)}; the first element '
                "(usually a host name) may use only lowercase letters, digits, - and ."
            )
    return _major_suffix_error(path)


def is_go_module_path(value: object) -> bool:
    """Jinja test ``go_module_path``: true when ``go_module_path_error`` finds nothing."""
    return go_module_path_error(value) == ""


# --------------------------------------------------------------------------------------------
# Pinned Go dependencies: go_deps.yml (human-edited) and go_deps.lock.json (generated)
# --------------------------------------------------------------------------------------------


class UnitSpec(TypedDict):
    """One slice of generated Go code and the external packages it imports."""

    name: str
    when: str
    packages: list[str]


class ToolSpec(TypedDict):
    """One module of developer tools: its pinned version and the tool packages it provides."""

    version: str
    packages: list[str]


class Spec(TypedDict):
    """go_deps.yml, normalised (package lists sorted) so that it compares with the lock."""

    go: str
    modules: dict[str, str]
    units: list[UnitSpec]
    tools: dict[str, ToolSpec]


class Requirement(TypedDict):
    """A module that provides a package the unit imports (directly or not): always required."""

    path: str
    version: str
    indirect: bool


class Pin(TypedDict):
    """A module that only tests of the unit's dependencies import, pinned `// indirect`.

    `go mod tidy` adds such a requirement only to keep the module at the version the rest of
    the graph selects; it drops it as soon as one of ``unless_required_by`` is a requirement
    too, because that module's go.mod already asks for this exact version.
    """

    path: str
    version: str
    unless_required_by: list[str]


class Fragment(TypedDict):
    """What one unit contributes to go.mod and go.sum."""

    require: list[Requirement]
    pins: list[Pin]
    sum: list[str]


class ToolsLock(TypedDict):
    """The tools module (tools/go.mod and tools/go.sum), line by line, as `go mod tidy` wrote
    them (no line endings; the files end with a newline after the last line)."""

    go_mod: list[str]
    go_sum: list[str]


class Lock(TypedDict):
    """go_deps.lock.json: the spec it was computed from, the global build list (every module
    of the module graph of all units together, at its selected version), the fragments and
    the tools module."""

    generated_by: str
    source: Spec
    build_list: dict[str, str]
    fragments: dict[str, Fragment]
    tools: ToolsLock


def _str_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{where} must be a list of non-empty strings")
    return [str(v) for v in value]


_VERSION = re.compile(r"v[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.+-]+)?")


def tool_name(package: str) -> str:
    """The name `go tool` knows a tool package by: the last element of its path that is not
    a major version suffix (".../cmd/golangci-lint" -> "golangci-lint", ".../foo/v2" -> "foo")."""
    elements = package.split("/")
    if len(elements) > 1 and re.fullmatch(r"v[0-9]+", elements[-1]):
        return elements[-2]
    return elements[-1]


def _parse_tools(raw: object, where: str) -> dict[str, ToolSpec]:
    """The optional tools: section (module path -> version and tool packages)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: tools must map module paths to {{version, packages}}")
    tools: dict[str, ToolSpec] = {}
    names: dict[str, str] = {}
    for module, entry in raw.items():
        if not isinstance(module, str) or not isinstance(entry, dict):
            raise ValueError(f"{where}: tools: {module!r} must map to version and packages")
        if set(entry) != {"version", "packages"}:
            raise ValueError(f"{where}: tools: {module}: needs exactly version and packages")
        version = entry["version"]
        if not isinstance(version, str) or not _VERSION.fullmatch(version):
            raise ValueError(f"{where}: tools: {module}: {version!r} is not a module version")
        packages = _str_list(entry["packages"], f"{where}: tools: {module}: packages")
        if not packages:
            raise ValueError(f"{where}: tools: {module}: packages must not be empty")
        for package in packages:
            if package != module and not package.startswith(module + "/"):
                raise ValueError(
                    f"{where}: tools: {module}: package {package} is not inside the module"
                )
            name = tool_name(package)
            if names.setdefault(name, package) != package:
                raise ValueError(
                    f"{where}: tools: {package} and {names[name]} are both "
                    f'"go tool {name}": tool names must be unique'
                )
        tools[module] = {"version": version, "packages": sorted(set(packages))}
    return dict(sorted(tools.items()))


def parse_spec(raw: object, where: str = "go_deps.yml") -> Spec:
    """Validate the shape of go_deps.yml and normalise it; errors name the bad entry."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping with go, modules and units")
    go = raw.get("go")
    if not isinstance(go, str) or not re.fullmatch(r"1\.[0-9]+\.[0-9]+", go):
        raise ValueError(f'{where}: "go" must be a quoted full Go version such as "1.25.0"')
    modules = raw.get("modules")
    if not isinstance(modules, dict) or not modules:
        raise ValueError(f"{where}: modules must map module paths to versions")
    for path, version in modules.items():
        if not isinstance(path, str) or not isinstance(version, str):
            raise ValueError(f"{where}: modules: {path!r}: path and version must be strings")
        if not _VERSION.fullmatch(version):
            raise ValueError(f"{where}: modules: {path}: {version!r} is not a module version")
    raw_units = raw.get("units")
    if not isinstance(raw_units, list) or not raw_units:
        raise ValueError(f"{where}: units must be a non-empty list")
    units: list[UnitSpec] = []
    for index, unit in enumerate(raw_units):
        if not isinstance(unit, dict) or set(unit) != {"name", "when", "packages"}:
            raise ValueError(f"{where}: units[{index}] must have exactly name, when and packages")
        name, when = unit["name"], unit["when"]
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_-]*", name):
            raise ValueError(f"{where}: units[{index}]: name must be a lowercase identifier")
        if not isinstance(when, str) or not when.strip():
            raise ValueError(f"{where}: unit {name}: when must be a Jinja expression string")
        packages = _str_list(unit["packages"], f"{where}: unit {name}: packages")
        if not packages:
            raise ValueError(f"{where}: unit {name}: packages must not be empty")
        units.append({"name": name, "when": when, "packages": sorted(set(packages))})
    names = [u["name"] for u in units]
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: unit names must be unique")
    return {
        "go": go,
        "modules": {str(k): str(v) for k, v in modules.items()},
        "units": units,
        "tools": _parse_tools(raw.get("tools"), where),
    }


def load_spec(path: Path = SPEC_FILE) -> Spec:
    """Read and validate go_deps.yml."""
    with path.open(encoding="utf-8") as handle:
        return parse_spec(yaml.safe_load(handle), path.name)


def load_lock(path: Path = LOCK_FILE) -> Lock:
    """Read go_deps.lock.json (trusted: it is generated by lock_go_deps.py)."""
    with path.open(encoding="utf-8") as handle:
        lock: Lock = json.load(handle)
    return lock


@functools.cache
def checked_lock(spec_path: Path = SPEC_FILE, lock_path: Path = LOCK_FILE) -> Lock:
    """The lock, refused when it was computed from another go_deps.yml.

    Rendering from a stale lock would emit versions that go_deps.yml no longer pins (or miss
    a new unit) and the generated service would need `go mod tidy`; failing here points the
    maintainer at the one command that fixes it.
    """
    lock = load_lock(lock_path)
    if lock["source"] != load_spec(spec_path):
        raise RuntimeError(
            f"{lock_path.name} is stale: it was not computed from the current {spec_path.name}; "
            f"run `{LOCK_COMMAND}`"
        )
    return lock


def _semver_key(version: str) -> tuple[tuple[int, int, int], int, tuple[tuple[int, int, str], ...]]:
    """Sort key of golang.org/x/mod/semver.Compare (build metadata ignored)."""
    match = re.fullmatch(r"v([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?", version)
    if match is None:
        raise ValueError(f"not a canonical semantic version: {version!r}")
    core = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    pre = match.group(4)
    if pre is None:
        return core, 1, ()
    idents = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return core, 0, idents


def go_sum_line_key(line: str) -> tuple[str, Any, str, str]:
    """Order of go.sum lines as the go command writes them (module.Sort, then the hash).

    Plain string order would put v1.10.0 before v1.9.0; go sorts versions as semver.
    """
    path, version, digest = line.split(" ")
    version, _, file = version.partition("/")
    return path, _semver_key(version), file, digest


def render_requires(lock: Lock, units: Iterable[str]) -> str:
    """The require blocks of go.mod for the given units, exactly as `go mod tidy` writes them.

    Every module is at its global version, so fragments never disagree; a pin is written only
    while no other requirement's go.mod pulls it in (tidy's rule). Direct requirements come
    first, then the `// indirect` ones, each group sorted by path; a group of one is written
    on one line (tidy collapses single-entry blocks). Starts with "\\n" (the blank line after
    the go directive), no trailing newline; "" when nothing is required.
    """
    versions: dict[str, str] = {}
    direct: set[str] = set()
    pins: dict[str, Pin] = {}
    for unit in units:
        fragment = lock["fragments"][unit]
        for req in fragment["require"]:
            versions[req["path"]] = req["version"]
            if not req["indirect"]:
                direct.add(req["path"])
        for pin in fragment["pins"]:
            pins[pin["path"]] = pin
    required = set(versions)
    for path in sorted(pins):
        if path not in required and required.isdisjoint(pins[path]["unless_required_by"]):
            versions[path] = pins[path]["version"]
            required.add(path)
    groups: list[str] = []
    for paths, comment in (
        (sorted(direct), ""),
        (sorted(required - direct), " // indirect"),
    ):
        if len(paths) == 1:
            groups.append(f"require {paths[0]} {versions[paths[0]]}{comment}")
        elif paths:
            lines = "".join(f"\t{p} {versions[p]}{comment}\n" for p in paths)
            groups.append(f"require (\n{lines})")
    return "\n" + "\n\n".join(groups) if groups else ""


def render_go_sum(lock: Lock, units: Iterable[str]) -> str:
    """The go.sum of the given units: the sorted union of their lines, no trailing newline."""
    lines: set[str] = set()
    for unit in units:
        lines.update(lock["fragments"][unit]["sum"])
    return "\n".join(sorted(lines, key=go_sum_line_key))


def render_tools_mod(lock: Lock) -> str:
    """tools/go.mod of every generated service, without the final newline."""
    return "\n".join(lock["tools"]["go_mod"])


def render_tools_sum(lock: Lock) -> str:
    """tools/go.sum of every generated service, without the final newline."""
    return "\n".join(lock["tools"]["go_sum"])


def go_tools_mod() -> str:
    """Global ``go_tools_mod()``: tools/go.mod (``tool`` directives, go line = go_deps.yml's
    go, whatever go_version is answered), without the final newline."""
    return render_tools_mod(checked_lock())


def go_tools_sum() -> str:
    """Global ``go_tools_sum()``: tools/go.sum, without the final newline."""
    return render_tools_sum(checked_lock())


# --------------------------------------------------------------------------------------------
# The extension
# --------------------------------------------------------------------------------------------


class GofactoryExtension(Extension):
    """Registers the filters, tests and globals above on copier's Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(
            {
                "kebab": kebab,
                "snake": snake,
                "pascal": pascal,
                "camel": camel,
                "go_package": go_package,
                "go_module_path_error": go_module_path_error,
            }
        )
        environment.tests.update({"kebab_slug": is_kebab_slug, "go_module_path": is_go_module_path})
        self._conditions: dict[str, Callable[..., Any]] = {}
        environment.globals.update(
            {
                "go_deps": dict(checked_lock()["source"]["modules"]),
                "go_mod_requires": self._go_mod_requires,
                "go_sum": self._go_sum,
                "go_tools_mod": go_tools_mod,
                "go_tools_sum": go_tools_sum,
            }
        )

    def active_units(self, answers: Mapping[str, Any]) -> list[str]:
        """Names of the units whose ``when`` is true for these answers (in go_deps.yml order).

        ``when`` is compiled by this environment, so an unknown answer name is an error under
        copier's StrictUndefined instead of silently switching a unit off.
        """
        active: list[str] = []
        for unit in checked_lock()["source"]["units"]:
            condition = self._conditions.get(unit["when"])
            if condition is None:
                condition = self.environment.compile_expression(
                    unit["when"], undefined_to_none=False
                )
                self._conditions[unit["when"]] = condition
            if condition(**answers):
                active.append(unit["name"])
        return active

    @pass_context
    def _go_mod_requires(self, context: Context) -> str:
        """Global ``go_mod_requires()``: the require blocks of the active units (see
        render_requires)."""
        return render_requires(checked_lock(), self.active_units(context.get_all()))

    @pass_context
    def _go_sum(self, context: Context) -> str:
        """Global ``go_sum()``: the go.sum of the active units, "" when none needs one."""
        return render_go_sum(checked_lock(), self.active_units(context.get_all()))
