"""Unit tests of the Jinja extension (extensions/template_extension.py): its filters and tests,
the slice declarations it reads, and its loading by Copier."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from extensions import template_extension as ext
from extensions.template_extension import (
    GofactoryExtension,
    go_module_path_error,
    is_go_module_path,
    is_kebab_slug,
    kebab,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Notes Service", "notes-service"),
        ("myHTTPService", "my-http-service"),
        ("Crème brûlée!", "creme-brulee"),
        ("Straße Øre", "strasse-ore"),
        ("foo__bar..baz  qux", "foo-bar-baz-qux"),
        ("--Leading and trailing--", "leading-and-trailing"),
        ("HTTP2Server", "http2-server"),
        ("notes2go", "notes2go"),
        ("userIDs", "user-ids"),
        ("already-kebab", "already-kebab"),
        ("日本", ""),
        ("", ""),
    ],
)
def test_kebab(text: str, expected: str) -> None:
    assert kebab(text) == expected


@pytest.mark.parametrize("slug", ["notes", "notes-service", "a1-b2", "x", "api-v2"])
def test_kebab_slug_accepts(slug: str) -> None:
    assert is_kebab_slug(slug)


@pytest.mark.parametrize(
    "slug", ["", "Notes", "notes_service", "-notes", "notes-", "notes--service", "1notes", 3]
)
def test_kebab_slug_rejects(slug: object) -> None:
    assert not is_kebab_slug(slug)


GOOD_MODULE_PATHS = [
    "github.com/acme/notes-service",
    "notes",  # go mod init accepts a path without a dot in its first element
    "example.com/a/b/c",
    "github.com/Acme/Notes_Service~x",  # uppercase is allowed after the first element
    "github.com/acme/notes/v2",
    "github.com/acme/notes/v10",
    "gopkg.in/yaml.v3",
    "my-company.internal/platform/notes",
]

BAD_MODULE_PATHS = [
    ("", "it is empty"),
    ("/notes", "begins with a slash"),
    ("github.com/acme/", "ends with a slash"),
    ("-notes", "begins with a dash"),
    ("github.com//notes", "empty element (a double slash)"),
    ("github.com/acme/notes service", "it contains a space; use only letters, digits and"),
    ("github.com/acme/a@b", 'the character "@"'),
    ("github.com/acme/a+b", 'the character "+"'),
    ("localhost:8080/notes", 'the character ":"'),
    ("example.com/crème", 'the character "è"'),
    ("github.com/acme/.hidden", 'element ".hidden" begins with a dot'),
    ("github.com/acme/notes.", 'element "notes." ends with a dot'),
    ("github.com/acme/..", 'element ".." is made of dots only'),
    ("github.com/acme/con", "reserved file name on Windows (CON)"),
    ("github.com/acme/Lpt1.go", "reserved file name on Windows (LPT1)"),
    ("github.com/acme/notes~1", "tilde and digits"),
    ("GitHub.com/acme/notes", 'first element "GitHub.com" contains the uppercase letter "G"'),
    ("git_hub.com/acme/notes", 'first element "git_hub.com" contains the character "_"'),
    ("github.com/acme/notes/v1", 'major version suffix "/v1" is invalid'),
    ("github.com/acme/notes/v0", 'major version suffix "/v0" is invalid'),
    ("github.com/acme/notes/v02", 'major version suffix "/v02" is invalid'),
    ("github.com/acme/notes/v2.1", 'major version suffix "/v2.1" is invalid'),
    ("gopkg.in/yaml", 'must end in ".vN"'),
]


@pytest.mark.parametrize("path", GOOD_MODULE_PATHS)
def test_go_module_path_accepts(path: str) -> None:
    assert go_module_path_error(path) == ""
    assert is_go_module_path(path)


@pytest.mark.parametrize(("path", "message"), BAD_MODULE_PATHS)
def test_go_module_path_rejects_with_the_rule(path: str, message: str) -> None:
    error = go_module_path_error(path)
    assert message in error
    assert not is_go_module_path(path)


def test_extension_registers_everything() -> None:
    env = Environment(extensions=[GofactoryExtension], undefined=StrictUndefined)
    assert {"kebab", "go_module_path_error"} <= set(env.filters)
    assert {"kebab_slug", "go_module_path"} <= set(env.tests)
    assert {
        "slice_excludes",
        "env_vars",
        "go_mod_requires",
        "go_sum",
        "go_tools_mod",
        "go_tools_sum",
    } <= set(env.globals)
    rendered = env.from_string(
        "{{ project_name | kebab }}|{{ 'x' is kebab_slug }}|{{ 'a b' is go_module_path }}|"
        "{{ 'a b' | go_module_path_error }}"
    ).render(project_name="Notes Service")
    assert rendered == (
        "notes-service|True|False|"
        "it contains a space; use only letters, digits and - . _ ~ separated by /"
    )


def test_loads_by_path_like_copier() -> None:
    """copier.yml names the extension by file path; copier_template_extensions loads it."""
    env = Environment(
        loader=FileSystemLoader(str(ROOT)),
        extensions=[
            "copier_template_extensions.TemplateExtensionLoader",
            "extensions/template_extension.py:GofactoryExtension",
        ],
        undefined=StrictUndefined,
    )
    assert env.from_string("{{ 'myHTTPService' | kebab }}").render() == "my-http-service"
    assert "go_mod_requires" in env.globals


def test_copier_copy_with_the_extension(tmp_path: Path) -> None:
    """A throwaway template wired like ours: validators, defaults, the slices' excludes."""
    import copier  # a dependency of the package: never skipped

    template = tmp_path / "tpl"
    for part in ("extensions", "slices"):
        shutil.copytree(ROOT / part, template / part, ignore=shutil.ignore_patterns("__pycache__"))
    (template / "template").mkdir()
    (template / "copier.yml").write_text(
        "_subdirectory: template\n"
        "_envops: {undefined: jinja2.StrictUndefined, keep_trailing_newline: true}\n"
        '_exclude: ["{{ slice_excludes() }}"]\n'
        "_jinja_extensions:\n"
        "  - copier_template_extensions.TemplateExtensionLoader\n"
        "  - extensions/template_extension.py:GofactoryExtension\n"
        "project_name: {type: str, default: Crème Brûlée API}\n"
        "service_name:\n"
        "  type: str\n"
        '  default: "{{ project_name | kebab }}"\n'
        '  validator: "{% if service_name is not kebab_slug %}bad slug{% endif %}"\n'
        "module_path:\n"
        "  type: str\n"
        '  default: "example.com/{{ service_name }}"\n'
        "  validator: >-\n"
        "    {% if module_path is not go_module_path %}{{ module_path | go_module_path_error }}"
        "{% endif %}\n"
        "go_version: {type: str, default: '1.26'}\n"
        "router: {type: str, default: chi}\n"
        "database: {type: str, default: none}\n"
        "ci: {type: str, default: none}\n"
        "example_resource: {type: bool, default: false}\n"
        "metrics: {type: bool, default: false}\n"
        "tracing: {type: bool, default: false}\n"
        "cache: {type: str, default: none}\n"
        "deploy: {type: str, default: none}\n"
        "auth: {type: str, default: none}\n",
        encoding="utf-8",
    )
    (template / "template" / "go.mod.jinja").write_text(
        "module {{ module_path }}\n\ngo {{ go_version }}.0\n{{ go_mod_requires() }}\n",
        encoding="utf-8",
    )
    (template / "template" / "go.sum.jinja").write_text("{{ go_sum() }}\n", encoding="utf-8")
    # Files of switched-off slices (no database, no CI here) are not written.
    (template / "template" / "sqlc.yaml").write_text("version: '2'\n", encoding="utf-8")
    (template / "template" / ".github" / "workflows").mkdir(parents=True)
    (template / "template" / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    shutil.copytree(ROOT / "template" / "tools", template / "template" / "tools")
    dst = tmp_path / "out"
    copier.run_copy(str(template), dst, defaults=True, unsafe=True, quiet=True)
    assert not (dst / "sqlc.yaml").exists()
    assert not (dst / ".github").exists()
    lock = ext.load_lock()
    requires = ext.render_requires(lock, ["base", "router-chi"])
    go_mod = (dst / "go.mod").read_text(encoding="utf-8")
    assert go_mod == f"module example.com/creme-brulee-api\n\ngo 1.26.0\n{requires}\n"
    go_sum = (dst / "go.sum").read_text(encoding="utf-8")
    assert go_sum == ext.render_go_sum(lock, ["base", "router-chi"]) + "\n"
    tools_mod = (dst / "tools" / "go.mod").read_text(encoding="utf-8")
    assert tools_mod == ext.render_tools_mod(lock) + "\n"
    assert tools_mod.startswith("module tools\n\ngo 1.25.0\n\ntool (\n")
    tools_sum = (dst / "tools" / "go.sum").read_text(encoding="utf-8")
    assert tools_sum == ext.render_tools_sum(lock) + "\n"
    with pytest.raises(ValueError, match="it contains a space"):
        copier.run_copy(
            str(template),
            tmp_path / "bad",
            data={"module_path": "example.com/a b"},
            defaults=True,
            unsafe=True,
            quiet=True,
        )


CHECK_PATH_GO = """package main

import (
\t"bufio"
\t"fmt"
\t"os"

\t"golang.org/x/mod/module"
)

func main() {
\tscanner := bufio.NewScanner(os.Stdin)
\tfor scanner.Scan() {
\t\terr := module.CheckPath(scanner.Text())
\t\tfmt.Printf("%q %v\\n", scanner.Text(), err)
\t}
}
"""


@pytest.mark.slow
def test_go_module_path_agrees_with_x_mod_check_path(tmp_path: Path) -> None:
    """Same verdicts as golang.org/x/mod/module.CheckPath, except its dot-in-host rule."""
    (tmp_path / "go.mod").write_text("module checkpath\n\ngo 1.25.0\n", encoding="utf-8")
    (tmp_path / "main.go").write_text(CHECK_PATH_GO, encoding="utf-8")
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GOWORK": "off"}
    subprocess.run(["go", "get", "golang.org/x/mod@v0.43.0"], cwd=tmp_path, env=env, check=True)
    paths = GOOD_MODULE_PATHS + [p for p, _ in BAD_MODULE_PATHS if p]
    proc = subprocess.run(
        ["go", "run", "."],
        cwd=tmp_path,
        env=env,
        input="\n".join(paths) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    verdicts = proc.stdout.splitlines()
    assert len(verdicts) == len(paths)
    for path, verdict in zip(paths, verdicts, strict=True):
        go_ok = verdict.endswith(" <nil>") or "missing dot in first path element" in verdict
        assert go_ok == is_go_module_path(path), verdict


def test_each_source_string_is_compiled_once() -> None:
    """Copier renders the same path parts over and over: one compiled template each."""
    env = Environment(extensions=[GofactoryExtension], undefined=StrictUndefined)
    first = env.from_string("{{ name | kebab }}.go")
    assert env.from_string("{{ name | kebab }}.go") is first
    assert first.render(name="Notes API") == "notes-api.go"
    assert env.from_string("{{ name | kebab }}.go").render(name="Other") == "other.go"
    # Templates with globals of their own are not shared.
    extra = env.from_string("{{ name | kebab }}.go", globals={"x": 1})
    assert extra is not first
    assert extra.globals["x"] == 1
    assert "x" not in first.globals


def test_a_reused_template_resets_copier_yield_state() -> None:
    """Copier's ``yield`` tag records its loop when rendered and forgets it when a template
    is compiled; a template served from the cache must forget it too."""
    from copier._jinja_ext import YieldExtension, get_yield_context

    env = Environment(extensions=[YieldExtension, GofactoryExtension])
    source = "{% yield name from names %}{{ name }}{% endyield %}"
    env.from_string(source).render(names=["a"])
    env.from_string("plain").render()
    assert get_yield_context(env).yield_name is None
    env.from_string(source).render(names=["b"])
    # Without the reset, this render would fail: "Attempted to parse the yield tag twice".
    env.from_string(source).render(names=["c"])
    assert get_yield_context(env).yield_iterable == ["c"]


def test_slices_are_read_again_when_a_file_changes(tmp_path: Path) -> None:
    directory = tmp_path / "slices"
    directory.mkdir()
    (directory / "base.yml").write_text('when: "true"\nfiles: [a]\n', encoding="utf-8")
    first = ext.load_slices(directory)
    assert ext.load_slices(directory) is first
    (directory / "base.yml").write_text('when: "true"\nfiles: [b]\n', encoding="utf-8")
    assert [u.files for u in ext.load_slices(directory)] == [("b",)]
    (directory / "extra.yml").write_text("when: x\nfiles: [c]\n", encoding="utf-8")
    assert [u.name for u in ext.load_slices(directory)] == ["base", "extra"]


def test_lock_is_checked_again_when_go_deps_changes(tmp_path: Path) -> None:
    spec = tmp_path / "go_deps.yml"
    lock = tmp_path / "go_deps.lock.json"
    shutil.copy2(ext.SPEC_FILE, spec)
    shutil.copy2(ext.LOCK_FILE, lock)
    assert ext.checked_lock(spec, lock) == ext.load_lock(lock)
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace('go: "1.', 'go: "1.9', 1), encoding="utf-8")
    with pytest.raises(RuntimeError, match="is stale"):
        ext.checked_lock(spec, lock)
    spec.write_text(text, encoding="utf-8")
    assert ext.checked_lock(spec, lock) == ext.load_lock(lock)
