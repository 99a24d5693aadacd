"""Jinja extension of the gofactory template.

It gives the template (copier.yml and template/) what plain Jinja lacks:

* the ``kebab`` filter, which derives the default service name from the project name;
* module-path checks (the ``go_module_path`` test and the ``go_module_path_error`` filter), so
  that copier refuses a module path that ``go mod init`` or the module proxy would refuse, and
  says which rule it breaks;
* the slices (slices/*.yml, one declaration per slice of the generated service: its
  condition, files, Go packages, environment variables and the local servers it needs):
  ``slice_excludes()`` gives the ``_exclude`` patterns of the slices the answers switch off,
  ``env_vars()`` the variables of those switched on (the source of the Config struct,
  .env.example, the README table and the deployment manifests), ``compose_services()`` the
  servers that compose.yaml runs beside the service;
* the pinned Go dependency table: ``go_mod_requires()`` and ``go_sum()``, which render the
  exact ``require`` blocks and go.sum lines that ``go mod tidy`` would write for the active
  slices. They read go_deps.lock.json, computed by lock_go_deps.py from go_deps.yml (the
  versions) and the slices (which packages each slice imports), so a generated service builds
  without a network round of ``go mod tidy`` and tidy changes nothing in it;
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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import yaml
from jinja2 import Environment, Template, pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context

HERE = Path(__file__).resolve().parent
SPEC_FILE = HERE / "go_deps.yml"
LOCK_FILE = HERE / "go_deps.lock.json"
SLICES_DIR = HERE.parent / "slices"
LOCK_COMMAND = "python -m extensions.lock_go_deps"


# --------------------------------------------------------------------------------------------
# Naming filters
# --------------------------------------------------------------------------------------------

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


_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration_seconds(value: str) -> float:
    """Filter ``duration_seconds``: a Go duration ("1m30s", "500ms", "0") in seconds, for
    manifests that derive a number of seconds from a variable's value."""
    if value == "0":
        return 0.0
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        raise ValueError(f"{value!r} is not a Go duration such as 15s or 1m30s")
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


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
# Image repository checks: the name part of a container image reference (the distribution
# spec's grammar), with the registry host that a release pushes to, and no tag.
# --------------------------------------------------------------------------------------------

_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*(?::[0-9]+)?"
)
_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")


def image_repository_error(value: object) -> str:
    """Why ``value`` is not an image repository such as ghcr.io/acme/svc; "" if it is."""
    if not isinstance(value, str) or not value:
        return "it is empty"
    if "@" in value or ":" in value.split("/")[-1]:
        return "leave out the tag or digest: releases tag the image with their version"
    host, _, path = value.partition("/")
    if not path or not ("." in host or ":" in host or host == "localhost"):
        return "start with the registry host, e.g. ghcr.io/acme/notes-service"
    if not _DOMAIN.fullmatch(host):
        return f'"{host}" is not a registry host name'
    for component in path.split("/"):
        if not _PATH_COMPONENT.fullmatch(component):
            return (
                f'"{component}" is not a path component: use lowercase letters and digits, '
                "with . _ or - between them"
            )
    if len(value) > 255:
        return "it is longer than 255 characters"
    return ""


def is_image_repository(value: object) -> bool:
    """Jinja test ``image_repository``: true when ``image_repository_error`` finds nothing."""
    return image_repository_error(value) == ""


# --------------------------------------------------------------------------------------------
# Slices: slices/*.yml, one declaration per slice of the generated service
# --------------------------------------------------------------------------------------------

# What a declaration (or one of its parts) may hold.
_UNIT_KEYS = frozenset({"when", "files", "go", "env", "compose", "parts"})
_ENV_KEYS = frozenset(
    {
        "name",
        "part",
        "field",
        "type",
        "default",
        "help",
        "secret",
        "required",
        "example",
        "compose",
        "cluster",
        "checks",
    }
)
_ENV_REQUIRED = ("name", "field", "type", "help")
_CHECK_KEYS = frozenset({"ok", "problem", "part"})
_SECRET_KINDS = ("", "url", "full")
_NAME = re.compile(r"[a-z][a-z0-9-]*")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_GO_FIELD = re.compile(r"[A-Z][A-Za-z0-9]*")


class EnvVar(TypedDict):
    """One environment variable of the generated service, as rendered for the answers.

    The one source of the Config struct field (name, Go field and type, default, secret),
    .env.example and the README's table.
    """

    name: str
    field: str
    type: str
    default: str
    help: str
    secret: str  # "": shown as is; "url": the password of a URL masked; "full": masked whole
    required: bool  # no default: unset is an error
    example: str  # what .env.example suggests instead of the default
    compose: str  # the value compose.yaml gives the service (a server of its own), or ""
    cluster: str  # the value of the Kubernetes manifests and Helm chart, or "": the default
    tag: str  # the Go struct tag of the Config field: env, envDefault and secret
    checks: list[EnvCheck]  # what parsing cannot check, in declaration order


class EnvCheck(TypedDict):
    """A rule on a variable's parsed value that parsing cannot enforce (a range, or
    agreement with another variable): ``ok`` is a Go boolean expression over the Config
    ``c``, true when the value is acceptable; ``problem`` is what the operator reads when
    it is not, reported under the variable's name."""

    ok: str
    problem: str


@dataclass(frozen=True)
class SliceUnit:
    """A slice, or one part of it: present when its conditions and its parents' all hold.

    ``files`` are gitignore-style patterns of the destination paths that belong to it: a
    generated file is written only when every unit that claims it is present. ``env`` holds
    the raw declarations (strings may be Jinja, rendered with the answers); ``part`` names
    the unit an entry of a slice's list belongs to, when not the slice itself. ``compose``
    names the servers it needs on a developer's machine, each a service of compose.yaml
    (its definition: includes/compose/NAME.yaml.jinja).
    """

    name: str
    conditions: tuple[str, ...]
    files: tuple[str, ...]
    packages: tuple[str, ...]
    env: tuple[tuple[str, Mapping[str, Any]], ...]  # (unit name, declaration)
    compose: tuple[str, ...] = ()

    @property
    def when(self) -> str:
        """The unit's whole condition, as one Jinja expression."""
        if len(self.conditions) == 1:
            return self.conditions[0]
        return " and ".join(f"({c})" for c in self.conditions)


def _check_checks(entry: Mapping[str, Any], where: str, parts: Iterable[str]) -> None:
    """The checks of an env entry: a list of {ok, problem, part?}. ``ok`` must read the
    entry's own field (a check is reported under its variable) and ``problem`` becomes a
    Go string literal, so it holds no quote, backslash or line break."""
    checks = entry.get("checks", [])
    if not isinstance(checks, list) or not checks:
        raise ValueError(f"{where}: checks must be a non-empty list of {{ok, problem}}")
    for check in checks:
        if not isinstance(check, dict) or not {"ok", "problem"} <= set(check) <= _CHECK_KEYS:
            raise ValueError(f"{where}: a check has ok, problem and optionally part: {check!r}")
        if not all(isinstance(check[k], str) and check[k].strip() for k in ("ok", "problem")):
            raise ValueError(f"{where}: a check's ok and problem must be non-empty strings")
        if not re.search(rf"\bc\.{entry['field']}\b", check["ok"]):
            raise ValueError(f"{where}: check {check['ok']!r} does not read c.{entry['field']}")
        if re.search(r'["\\\n]', check["problem"]):
            raise ValueError(f"{where}: problem {check['problem']!r} holds a quote or a backslash")
        if "part" in check and check["part"] not in parts:
            raise ValueError(f"{where}: check {check['ok']!r}: no part named {check['part']!r}")


def _check_env(entry: object, where: str, parts: Iterable[str] = ()) -> Mapping[str, Any]:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: an env entry must be a mapping")
    name = entry.get("name", "?")
    unknown = set(entry) - _ENV_KEYS
    if unknown:
        raise ValueError(f"{where}: env {name}: unknown keys {sorted(unknown)}")
    for key in _ENV_REQUIRED:
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise ValueError(f"{where}: env {name}: {key} must be a non-empty string")
    if not _ENV_NAME.fullmatch(entry["name"]):
        raise ValueError(f"{where}: env {name}: the name must be UPPER_SNAKE_CASE")
    if not _GO_FIELD.fullmatch(entry["field"]):
        raise ValueError(f"{where}: env {name}: field must be an exported Go identifier")
    if entry.get("secret", "") not in _SECRET_KINDS:
        raise ValueError(f"{where}: env {name}: secret must be one of {_SECRET_KINDS}")
    if not isinstance(entry.get("required", False), bool):
        raise ValueError(f"{where}: env {name}: required must be true or false")
    if entry.get("required") and entry.get("default"):
        raise ValueError(f"{where}: env {name}: a required variable has no default")
    if "checks" in entry:
        _check_checks(entry, f"{where}: env {name}", parts)
    return entry


def go_struct_tag(name: str, default: str, required: bool, secret: str) -> str:
    """The struct tag of a Config field: ``env`` (caarlos0/env: the variable, required or
    not), ``envDefault`` when it has a default and ``secret`` (how LogValue masks it)."""
    if re.search(r'["`\\]', default):
        raise ValueError(f"env {name}: the default {default!r} holds a quote or a backslash")
    tag = f'env:"{name}{",required" if required else ""}"'
    if default:
        tag += f' envDefault:"{default}"'
    if secret:
        tag += f' secret:"{secret}"'
    return tag


def _units(name: str, raw: object, parents: tuple[str, ...], where: str) -> Iterator[SliceUnit]:
    """The unit ``name`` declared by ``raw``, then its parts (depth first)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("when"), str | bool):
        raise ValueError(f"{where}: {name} must be a mapping with a when condition")
    unknown = set(raw) - _UNIT_KEYS
    if unknown:
        raise ValueError(f"{where}: {name}: unknown keys {sorted(unknown)}")
    when = str(raw["when"]).strip()
    conditions = (*parents, when) if when.lower() != "true" else parents or ("true",)
    parts = raw.get("parts") or {}
    if not isinstance(parts, dict) or not all(
        isinstance(k, str) and _NAME.fullmatch(k) for k in parts
    ):
        raise ValueError(f"{where}: {name}: parts must map lowercase names to declarations")
    env: list[tuple[str, Mapping[str, Any]]] = []
    for entry in raw.get("env") or []:
        checked = _check_env(entry, f"{where}: {name}", parts)
        part = checked.get("part")
        if part is not None and part not in parts:
            raise ValueError(f"{where}: {name}: env {checked['name']}: no part named {part!r}")
        # A check's part, like an entry's, is named by the unit that owns it.
        checks = [
            {**check, "part": f"{name}-{check['part']}" if "part" in check else name}
            for check in checked.get("checks", [])
        ]
        env.append((f"{name}-{part}" if part else name, {**checked, "checks": checks}))
    yield SliceUnit(
        name=name,
        conditions=conditions,
        files=tuple(_str_list(raw.get("files") or [], f"{where}: {name}: files")),
        packages=tuple(sorted(set(_str_list(raw.get("go") or [], f"{where}: {name}: go")))),
        env=tuple(env),
        compose=tuple(_compose_names(raw.get("compose") or [], f"{where}: {name}: compose")),
    )
    for part, declaration in parts.items():
        yield from _units(f"{name}-{part}", declaration, conditions, where)


def _compose_names(value: object, where: str) -> list[str]:
    names = _str_list(value, where)
    for name in names:
        if not _NAME.fullmatch(name):
            raise ValueError(f"{where}: {name!r} is not a lowercase-kebab-case service name")
    return names


def load_slices(directory: Path = SLICES_DIR) -> tuple[SliceUnit, ...]:
    """Every unit of every slice: base.yml first, then the other files by name.

    Read once per content of the files: a render asks for them many times (every
    ``slice_excludes()``, ``env_vars()``, dependency lookup ...), and an edited file is
    read again.
    """
    paths = sorted(directory.glob("*.yml"), key=lambda p: (p.stem != "base", p.stem))
    if not paths:
        raise ValueError(f"no slice declarations in {directory}")
    return _parse_slices(tuple((path.stem, path.read_bytes()) for path in paths))


@functools.cache
def _parse_slices(files: tuple[tuple[str, bytes], ...]) -> tuple[SliceUnit, ...]:
    units: list[SliceUnit] = []
    for stem, text in files:
        if not _NAME.fullmatch(stem):
            raise ValueError(f"slices/{stem}.yml: name the file in lowercase-kebab-case")
        units.extend(_units(stem, _parse_yaml(text), (), f"slices/{stem}.yml"))
    return tuple(units)


# PyYAML's C parser (libyaml) when it has one: it reads the same documents into the same
# values, about ten times faster than the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: bytes) -> Any:
    return yaml.load(text.decode("utf-8"), Loader=_YAML_LOADER)


@functools.cache
def _read_yaml(path: Path, text: bytes) -> Any:
    """A YAML file, parsed once per content (the caller must not modify the result)."""
    return _parse_yaml(text)


@functools.cache
def _read_json(path: Path, text: bytes) -> Any:
    """A JSON file, parsed once per content (the caller must not modify the result)."""
    return json.loads(text)


def go_units(units: Iterable[SliceUnit]) -> list[UnitSpec]:
    """The units that import Go packages, as the dependency lock knows them."""
    return [
        {"name": u.name, "when": u.when, "packages": list(u.packages)} for u in units if u.packages
    ]


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


def load_spec(path: Path = SPEC_FILE, slices: Path = SLICES_DIR) -> Spec:
    """Read and validate go_deps.yml; the units come from the slice declarations."""
    raw = _read_yaml(path, path.read_bytes())
    if isinstance(raw, dict) and "units" in raw:
        raise ValueError(f"{path.name}: units are declared in slices/*.yml (go:), not here")
    if isinstance(raw, dict):
        raw = {**raw, "units": go_units(load_slices(slices))}
    return parse_spec(raw, path.name)


def load_lock(path: Path = LOCK_FILE) -> Lock:
    """Read go_deps.lock.json (trusted: it is generated by lock_go_deps.py)."""
    with path.open(encoding="utf-8") as handle:
        lock: Lock = json.load(handle)
    return lock


def checked_lock(spec_path: Path = SPEC_FILE, lock_path: Path = LOCK_FILE) -> Lock:
    """The lock, refused when it was computed from another go_deps.yml.

    Rendering from a stale lock would emit versions that go_deps.yml no longer pins (or miss
    a new unit) and the generated service would need `go mod tidy`; failing here points the
    maintainer at the one command that fixes it. The files are parsed once per content, so
    the check costs little however often a render asks for the lock.
    """
    lock: Lock = _read_json(lock_path, lock_path.read_bytes())
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


def test_tool_version(name: str) -> str:
    """Global ``test_tool_version(NAME)``: the version of a tool pinned under test_tools in
    go_deps.yml, for a generated file that runs the tool the template is tested with (the
    release pipeline's goreleaser)."""
    version: str = _read_yaml(SPEC_FILE, SPEC_FILE.read_bytes())["test_tools"][name]["version"]
    return version


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


def _compile_strings_once(environment: Environment) -> None:
    """Make ``environment.from_string`` compile each distinct source once.

    Copier renders every part of every path of the template, and the answers file's name
    along with each, through ``from_string``: for the largest service, some 1,500 compiles
    of 250 distinct strings, a third of the time it spent rendering. A compiled template
    holds no state of its own renders, so it is reused as is; only the extensions'
    ``preprocess`` runs again, since one of Copier's (its ``yield`` tag) resets its state
    there before every render of a fresh template.
    """
    compile_string = environment.from_string
    compiled: dict[str, Template] = {}

    def from_string(source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return compile_string(source, globals, template_class)
        template = compiled.get(source)
        if template is None:
            template = compiled[source] = compile_string(source)
        else:
            environment.preprocess(source)
        return template

    environment.from_string = from_string  # type: ignore[method-assign]


class GofactoryExtension(Extension):
    """Registers the filters, tests and globals above on copier's Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(
            {
                "kebab": kebab,
                "go_module_path_error": go_module_path_error,
                "duration_seconds": duration_seconds,
                "image_repository_error": image_repository_error,
            }
        )
        environment.tests.update(
            {
                "kebab_slug": is_kebab_slug,
                "go_module_path": is_go_module_path,
                "image_repository": is_image_repository,
            }
        )
        self._conditions: dict[str, Callable[..., Any]] = {}
        self._templates: dict[str, Template] = {}
        _compile_strings_once(environment)
        environment.globals.update(
            {
                "slice_excludes": self._slice_excludes,
                "env_vars": self._env_vars,
                "compose_services": self._compose_services,
                "go_mod_requires": self._go_mod_requires,
                "go_sum": self._go_sum,
                "go_tools_mod": go_tools_mod,
                "go_tools_sum": go_tools_sum,
                "test_tool_version": test_tool_version,
            }
        )

    def holds(self, when: str, answers: Mapping[str, Any]) -> bool:
        """Whether a condition holds for these answers.

        It is compiled by this environment, so an unknown answer name is an error under
        copier's StrictUndefined instead of silently switching a slice off.
        """
        condition = self._conditions.get(when)
        if condition is None:
            condition = self.environment.compile_expression(when, undefined_to_none=False)
            self._conditions[when] = condition
        return bool(condition(**answers))

    def present_units(self, answers: Mapping[str, Any]) -> set[str]:
        """Names of the slice units that these answers switch on."""
        return {u.name for u in load_slices() if self.holds(u.when, answers)}

    def active_units(self, answers: Mapping[str, Any]) -> list[str]:
        """Names of the Go dependency units these answers switch on (in the lock's order)."""
        return [
            unit["name"]
            for unit in checked_lock()["source"]["units"]
            if self.holds(unit["when"], answers)
        ]

    def _render(self, value: object, answers: Mapping[str, Any]) -> str:
        text = str(value)
        if "{" not in text:
            return text
        template = self._templates.get(text)
        if template is None:
            template = self._templates[text] = self.environment.from_string(text)
        return template.render(**answers).strip()

    @pass_context
    def _slice_excludes(self, context: Context) -> str:
        """Global ``slice_excludes()``: the file patterns of the slice units that the answers
        switch off, one per line (copier's ``_exclude`` splits a rendered entry at lines)."""
        answers = context.get_all()
        present = self.present_units(answers)
        # "dir/" would leave the directory itself behind, empty: "dir" excludes both.
        return "\n".join(
            pattern.rstrip("/")
            for u in load_slices()
            if u.name not in present
            for pattern in u.files
        )

    @pass_context
    def _env_vars(self, context: Context) -> list[EnvVar]:
        """Global ``env_vars()``: the environment variables of the slice units that the
        answers switch on, in declaration order, with their Jinja rendered."""
        answers = context.get_all()
        present = self.present_units(answers)
        found: list[EnvVar] = []
        for unit in load_slices():
            for owner, entry in unit.env:
                if owner not in present:
                    continue
                default = self._render(entry.get("default", ""), answers)
                required = bool(entry.get("required", False))
                secret = entry.get("secret", "")
                found.append(
                    {
                        "name": entry["name"],
                        "field": entry["field"],
                        "type": self._render(entry["type"], answers),
                        "default": default,
                        "help": self._render(entry["help"], answers),
                        "secret": secret,
                        "required": required,
                        "example": self._render(entry.get("example", ""), answers),
                        "compose": self._render(entry.get("compose", ""), answers),
                        "cluster": self._render(entry.get("cluster", ""), answers),
                        "tag": go_struct_tag(entry["name"], default, required, secret),
                        "checks": [
                            {
                                "ok": self._render(check["ok"], answers),
                                "problem": self._render(check["problem"], answers),
                            }
                            for check in entry["checks"]
                            if check["part"] in present
                        ],
                    }
                )
        names = [v["name"] for v in found]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"slices declare {', '.join(duplicates)} more than once")
        return found

    @pass_context
    def _compose_services(self, context: Context) -> list[str]:
        """Global ``compose_services()``: the servers that the slice units the answers
        switch on need beside the service, each once, in declaration order."""
        present = self.present_units(context.get_all())
        names: list[str] = []
        for unit in load_slices():
            if unit.name in present:
                names.extend(n for n in unit.compose if n not in names)
        return names

    @pass_context
    def _go_mod_requires(self, context: Context) -> str:
        """Global ``go_mod_requires()``: the require blocks of the active units (see
        render_requires)."""
        return render_requires(checked_lock(), self.active_units(context.get_all()))

    @pass_context
    def _go_sum(self, context: Context) -> str:
        """Global ``go_sum()``: the go.sum of the active units, "" when none needs one."""
        return render_go_sum(checked_lock(), self.active_units(context.get_all()))
