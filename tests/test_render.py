"""Fast layer: the variants render to clean, consistent trees; refused ones write nothing.

The variants are the strength-3 matrix of copier.yml (every triple of choices of three
questions in one variant, see variants.py); refused combinations and their messages
come from Copier's own evaluation of the validators. No Go build here (see
test_generated.py); only gofmt, which takes milliseconds.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import Render, go_required, module_path
from variants import REPO_ROOT, Refusal, Variant, files, refusals, render, render_variants

VALID = render_variants()

# Jinja left in the output: gofmt-ed Go never contains "{{ ", "{%" or "%}".
LEFTOVER_JINJA = re.compile(r"\{%|%\}|\{#|\{\{[ -]")
# Template syntaxes of other tools that generated files legitimately hold: GitHub
# Actions expressions (${{ github.ref }}) and Go text/template actions on a field
# ({{ .Version }}, {{ incpatch .Version }}, {{ if not .Prerelease }}latest{{ end }}, as
# in .goreleaser.yaml).
FOREIGN_TEMPLATES = re.compile(
    r"\$\{\{[^{}]*\}\}|\{\{-? (?:\w+ )?\.\w[\w.]* -?\}\}|\{\{-? (?:if (?:not )?\.\w+|end) -?\}\}"
)
# Helm's templates, copied from the template as they are (no .jinja suffix): written in
# Helm's own Go templates, which `helm lint` and `helm template` check (test_deploy.py).
HELM_TEMPLATES = re.compile(r"deploy/helm/[^/]+/templates/")
# The service's own Go templates (*.tmpl, copied as they are, such as the SLO rules of
# internal/slo), which its Go tests execute.
GO_TEMPLATES = re.compile(r".*\.tmpl$")


def text_of(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in files(root)}


@pytest.mark.parametrize("variant", VALID, ids=lambda v: v.id)
def test_renders_clean(variant: Variant, rendered: Render) -> None:
    root = rendered(variant)
    empty = [
        str(d.relative_to(root)) for d in root.rglob("*") if d.is_dir() and not any(d.iterdir())
    ]
    assert not empty, f"empty directories: {empty}"
    for name, text in text_of(root).items():
        assert text.strip(), f"{name} is empty"
        assert text.endswith("\n"), f"{name} does not end with a newline"
        if HELM_TEMPLATES.match(name) or GO_TEMPLATES.match(name):
            continue
        match = LEFTOVER_JINJA.search(FOREIGN_TEMPLATES.sub("", text))
        assert match is None, (
            f"{name} has leftover Jinja: {match.string[match.start() - 40 : match.end() + 40]!r}"
        )
        assert "\r" not in text, f"{name} has CR line endings"


@pytest.mark.parametrize("variant", VALID, ids=lambda v: v.id)
def test_gofmt_clean(variant: Variant, rendered: Render) -> None:
    go_required()
    root = rendered(variant)
    out = subprocess.run(["gofmt", "-l", "."], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout == "", f"not gofmt-clean:\n{out.stdout}"


@pytest.mark.parametrize("variant", VALID, ids=lambda v: v.id)
def test_switched_off_parts_are_absent(variant: Variant, rendered: Render) -> None:
    root = rendered(variant)
    texts = text_of(root)
    go_files = {n: t for n, t in texts.items() if n.endswith(".go")}
    gomod = texts["go.mod"]
    direct = "\n".join(line for line in gomod.splitlines() if "// indirect" not in line)
    svc = "notes-service"

    assert re.search(rf"^go {re.escape(variant['go_version'])}\.0$", gomod, re.M)
    assert (root / "cmd" / svc / "main.go").is_file()

    uses_chi = any("go-chi/chi" in t for t in go_files.values()) or "go-chi/chi" in direct
    assert uses_chi == (variant["router"] == "chi")

    has_db = variant["database"] != "none"
    assert (root / "internal" / "storage").exists() == has_db
    assert (root / "cmd" / svc / "migrate.go").exists() == has_db
    assert ("DATABASE_URL" in texts[".env.example"]) == has_db
    assert ("migrate" in texts["Makefile"]) == has_db
    assert ("modernc.org/sqlite" in direct) == (variant["database"] == "sqlite")
    if not has_db:
        assert not any("database/sql" in t for t in go_files.values())

    notes = variant["example_resource"]
    assert (root / "internal" / "notes").exists() == notes
    assert (root / "internal" / "httpapi" / "notes.go").exists() == notes
    assert ("/api/v1/notes" in texts["api/openapi.yaml"]) == notes
    assert ("/api/v1/notes" in texts["README.md"]) == notes
    assert ("google/uuid" in direct) == notes
    migrations = root / "internal" / "storage" / "migrations"
    assert (migrations / "00001_create_notes.sql").exists() == (notes and has_db)

    metrics, tracing = variant["metrics"], variant["tracing"]
    telemetry = root / "internal" / "telemetry"
    assert (telemetry / "metrics.go").exists() == metrics
    assert (telemetry / "tracing.go").exists() == tracing
    assert telemetry.exists() == (metrics or tracing)
    assert (root / "deploy" / "prometheus").exists() == metrics
    assert ("prometheus/client_golang" in direct) == metrics
    assert ("go.opentelemetry.io/otel" in direct) == tracing
    assert ("OTEL_EXPORTER_OTLP_ENDPOINT" in texts[".env.example"]) == tracing
    assert ("METRICS_PUBLIC" in texts[".env.example"]) == metrics
    assert "ADMIN_PORT" in texts[".env.example"]
    if not tracing:
        assert not any("opentelemetry" in t for t in go_files.values())
    if not metrics:
        assert not any("prometheus" in t for t in go_files.values())

    license_text = texts["LICENSE"]
    expected = {
        "MIT": "MIT License",
        "Apache-2.0": "Apache License",
        "proprietary": "All rights reserved",
    }
    assert expected[variant["license"]] in license_text


@pytest.mark.parametrize("variant", VALID, ids=lambda v: v.id)
def test_answers_file_records_every_answer(variant: Variant, rendered: Render) -> None:
    answers = yaml.safe_load((rendered(variant) / ".copier-answers.yml").read_text())
    questions = yaml.safe_load((REPO_ROOT / "copier.yml").read_text("utf-8"))
    for key, value in variant.answers:
        if key not in answers:
            # Only a question that `when` skipped goes unrecorded (auth_provider
            # without auth).
            assert "when" in questions[key], f"{key} is not recorded"
            continue
        assert answers[key] == value
    assert answers["_src_path"]
    assert answers["module_path"] == module_path(variant)


@pytest.mark.parametrize("refusal", refusals(), ids=lambda r: r.id)
def test_refused_combinations_write_nothing(
    refusal: Refusal, template_copy: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "svc"
    with pytest.raises(ValueError) as raised:
        render(template_copy, dest, refusal.data)
    assert str(raised.value) == refusal.message
    assert not dest.exists(), "a refused answer must write nothing"


# The invalid combinations of today's copier.yml, with the exact message a user sees.
KNOWN_REFUSALS = [
    (
        {"database": "none", "example_resource": True, "cache": "none"},
        "Validation error for question 'example_resource': example_resource needs a "
        "database: choose database=sqlite, postgres or mysql, or answer example_resource=false",
    ),
    (
        {"database": "sqlite", "example_resource": False, "cache": "memory"},
        "Validation error for question 'cache': cache=memory caches the example notes "
        "resource, and there is nothing else to cache: answer example_resource=true (it "
        "needs a database), or cache=none",
    ),
]


@pytest.mark.parametrize(("answers", "message"), KNOWN_REFUSALS)
def test_known_invalid_combinations_are_refused_with_their_message(
    answers: dict[str, object], message: str, template_copy: Path, tmp_path: Path
) -> None:
    assert (tuple(answers.items()), message) in [(r.answers, r.message) for r in refusals()], (
        "the matrix no longer finds this refusal"
    )
    dest = tmp_path / "svc"
    with pytest.raises(ValueError) as raised:
        render(template_copy, dest, answers)
    assert str(raised.value) == message
    assert not dest.exists()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"service_name": "My Service"}, 'service_name "My Service" is not a kebab-case'),
        ({"service_name": "9lives"}, "is not a kebab-case"),
        ({"module_path": "not a module"}, 'module_path "not a module" is not a module'),
        ({"module_path": "github.com/acme/x/v1"}, "is not a module"),
        ({"project_name": "  "}, "project_name must not be empty"),
    ],
)
def test_bad_answers_are_refused_naming_the_rule(
    answers: dict[str, str], message: str, template_copy: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "svc"
    with pytest.raises(ValueError, match=re.escape(message)):
        render(template_copy, dest, answers)
    assert not dest.exists()


def test_names_derive_from_the_project_name(render_with) -> None:  # type: ignore[no-untyped-def]
    root = render_with({"project_name": "Billing API", "owner": "Example Org"})
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text())
    assert answers["service_name"] == "billing-api"
    assert answers["module_path"] == "github.com/example-org/billing-api"
    assert (root / "cmd" / "billing-api" / "main.go").is_file()
    assert "module github.com/example-org/billing-api\n" in (root / "go.mod").read_text()


def test_env_example_matches_the_config_struct(rendered: Render) -> None:
    """Both come from the slices' env declarations; the service's own test checks it too."""
    root = rendered(VALID[0])
    config = (root / "internal" / "config" / "config.go").read_text()
    struct_vars = re.findall(r'`env:"([A-Z_]+)[",]', config)
    example_vars = re.findall(r"^([A-Z_]+)=", (root / ".env.example").read_text(), re.M)
    assert struct_vars == example_vars
    assert struct_vars, "no variables found"


@pytest.mark.parametrize("deploy", ["none", "docker"])
@pytest.mark.parametrize("database", ["postgres", "mysql"])
def test_the_local_database_of_the_readme_is_the_one_env_example_names(
    database: str, deploy: str, render_with: Callable[[dict[str, Any]], Path]
) -> None:
    """README's "Run" starts a server in a container (`docker run`, or compose.yaml's when
    the service has one); .env.example's DATABASE_URL must log in."""
    root = render_with({"database": database, "deploy": deploy})
    readme = (root / "README.md").read_text(encoding="utf-8")
    server = "postgres" if database == "postgres" else "mariadb"
    if deploy == "none":
        [command] = [line for line in readme.splitlines() if line.startswith("docker run ")]
        env = dict(re.findall(r"-e (\w+)=(\S+)", command))
        published = re.search(r"-p (\d+):(\d+)", command)
    else:
        [command] = [line for line in readme.splitlines() if line.startswith("docker compose ")]
        assert command.split("#")[0].split() == ["docker", "compose", "up", "-d", "--wait", server]
        service = yaml.safe_load((root / "compose.yaml").read_text())["services"][server]
        env = {k: str(v) for k, v in service["environment"].items()}
        [port] = service["ports"]
        published = re.search(r"^127\.0\.0\.1:(\d+):(\d+)$", port)
    assert published is not None, command
    example = (root / ".env.example").read_text(encoding="utf-8")
    url = urlsplit(re.search(r"^DATABASE_URL=(.+)$", example, re.M)[1])  # type: ignore[index]
    assert (url.hostname, url.port) == ("localhost", int(published[1]))
    prefix = "POSTGRES" if database == "postgres" else "MARIADB"
    assert (url.username, url.password, url.path.lstrip("/")) == (
        env[f"{prefix}_USER"],
        env[f"{prefix}_PASSWORD"],
        env[f"{prefix}_DB" if database == "postgres" else "MARIADB_DATABASE"],
    )
    assert "cp .env.example .env" in readme
