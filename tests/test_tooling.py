"""The engineering tooling of generated services: lint, formatting, hooks, CI,
release and dependency-update configuration, versioned builds, vulnerability scans.

Each variant is checked with the tools pinned in its own tools/go.mod, exactly as
its developers run them (`make lint` and friends). Tools the template's tests need
beyond those (actionlint, goreleaser) are pinned in extensions/go_deps.yml under
test_tools. Both kinds are built once per machine (tests/tools.py, through the
fixtures of conftest.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import tools
import yaml
from conftest import Render, go_required
from variants import REPO_ROOT, Variant, files, render, valid_variants

BIN = Path(sys.executable).parent
TEXT_SUFFIXES = {".go", ".md", ".yml", ".yaml", ".json", ".sql", ".mod", ".sum", ""}


def run(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)
) -> str:
    done = subprocess.run(
        cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=900
    )
    if done.returncode not in ok:
        pytest.fail(
            f"{' '.join(cmd)} exited {done.returncode} in {cwd}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout + done.stderr


def go_tool(root: Path, command: list[str], *args: str) -> str:
    """Run a tool pinned in the service's tools/go.mod (command: a conftest fixture's
    `go tool -modfile=tools/go.mod NAME`), as `make` does."""
    return run([*command, *args], root, {"GOFLAGS": "-mod=readonly"})


@pytest.mark.slow
@pytest.mark.parametrize("variant", valid_variants(), ids=lambda v: v.id)
def test_lint_and_format_clean(
    variant: Variant, rendered: Render, golangci_lint: list[str]
) -> None:
    root = rendered(variant)
    go_tool(root, golangci_lint, "config", "verify")
    # Several variants are linted at once here; golangci-lint refuses that by default.
    out = go_tool(root, golangci_lint, "run", "--allow-parallel-runners", "./...")
    assert "0 issues" in out, out
    diff = go_tool(root, golangci_lint, "fmt", "--diff", "./...")
    assert diff == "", f"gofmt/goimports would change:\n{diff}"


@pytest.mark.parametrize("variant", valid_variants(), ids=lambda v: v.id)
def test_hygiene_that_pre_commit_checks(variant: Variant, rendered: Render) -> None:
    root = rendered(variant)
    run([str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"], root)
    for path in files(root):
        if path.suffix not in TEXT_SUFFIXES or path.name == "LICENSE":
            continue
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root)
        assert not re.search(r"[ \t]+$", text, re.M), f"{name} has trailing whitespace"
        assert text.endswith("\n") and not text.endswith("\n\n"), (
            f"{name} must end with one newline"
        )
        assert not re.search(r"^(<{7}|>{7}|={7})( |$)", text, re.M), f"{name} has conflict markers"


@pytest.mark.slow
@pytest.mark.parametrize("variant", valid_variants(), ids=lambda v: v.id)
def test_ci_and_release_configuration(
    variant: Variant, rendered: Render, actionlint: Path, goreleaser: Path, tmp_path: Path
) -> None:
    root = rendered(variant)
    workflow = root / ".github" / "workflows" / "ci.yml"
    integration = root / ".github" / "workflows" / "integration.yml"
    gitlab = root / ".gitlab-ci.yml"
    server_db = variant["database"] in ("postgres", "mysql")
    redis = variant["cache"] == "redis"
    keycloak = variant["auth"] == "oidc"
    needs_server = server_db or redis or keycloak
    assert workflow.exists() == (variant["ci"] == "github")
    assert integration.exists() == (variant["ci"] == "github" and needs_server)
    assert gitlab.exists() == (variant["ci"] == "gitlab")
    if workflow.exists():
        run([str(actionlint), *map(str, workflow.parent.iterdir())], root)
    if integration.exists():
        # The service containers the integration tests reach through DATABASE_URL
        # and CACHE_URL.
        job = yaml.safe_load(integration.read_text())["jobs"]["integration"]
        assert "make test-integration" in str(job["steps"])
        assert ("KEYCLOAK_URL" in job["env"]) == keycloak
        if keycloak:
            assert "start-dev" in str(job["steps"])
        containers = dict(job.get("services") or {})
        if redis:
            assert containers.pop("redis")["ports"] == ["6379:6379"]
            assert job["env"]["CACHE_URL"] == "redis://localhost:6379/0"
        assert ("DATABASE_URL" in job["env"]) == server_db
        if server_db:
            [container] = containers.values()
            assert_reaches(job["env"]["DATABASE_URL"], variant["database"], container["env"])
            assert urlsplit(job["env"]["DATABASE_URL"]).hostname in ("localhost", "127.0.0.1")
    if gitlab.exists():
        run(
            [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(gitlab)],
            root,
        )
        jobs = yaml.safe_load(gitlab.read_text())
        assert ("integration" in jobs) == needs_server
        if needs_server:
            job = jobs["integration"]
            assert job["script"][-1] == "make test-integration"
            aliases = [service["alias"] for service in job["services"]]
            assert ("KEYCLOAK_URL" in job["variables"]) == keycloak
            if keycloak:
                assert aliases.pop() == "keycloak"
                assert urlsplit(job["variables"]["KEYCLOAK_URL"]).hostname == "keycloak"
            if redis:
                assert aliases.pop() == "redis"
                assert job["variables"]["CACHE_URL"] == "redis://redis:6379/0"
            if server_db:
                [alias] = aliases
                url = job["variables"]["DATABASE_URL"]
                assert_reaches(url, variant["database"], job["variables"])
                assert urlsplit(url).hostname == alias
    run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.renovate", "renovate.json"],
        root,
    )
    renovate = json.loads((root / "renovate.json").read_text())
    assert renovate["copier"]["enabled"] is True

    # goreleaser wants a git repository: check a committed copy of the variant.
    repo = commit_as_repository(Path(shutil.copytree(root, tmp_path / "svc")))
    run([str(goreleaser), "check"], repo)


def assert_reaches(url: str, database: str, container_env: dict[str, str]) -> None:
    """DATABASE_URL logs in with the credentials the server container is given."""
    parts = urlsplit(url)
    assert parts.scheme == database, url
    if database == "postgres":
        want = (container_env["POSTGRES_USER"], container_env["POSTGRES_PASSWORD"])
        assert parts.path.lstrip("/") == container_env["POSTGRES_DB"], url
    else:
        want = ("root", container_env["MARIADB_ROOT_PASSWORD"])
        assert parts.path.lstrip("/") == container_env["MARIADB_DATABASE"], url
    assert (parts.username, parts.password) == want, url


def test_repository_workflows_are_valid(actionlint: Path) -> None:
    workflows = sorted((REPO_ROOT / ".github" / "workflows").glob("*.y*ml"))
    if not workflows:
        pytest.fail("the repository has no GitHub workflow to check")
    run([str(actionlint), *map(str, workflows)], REPO_ROOT)


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def commit_as_repository(root: Path) -> Path:
    """Make a generated service a git repository of its own, as its developers have it."""
    for cmd in (
        ["git", "init", "-q", "-b", "main"],
        # goreleaser reads the hosting service from the remote; nothing is fetched.
        ["git", "remote", "add", "origin", "https://github.com/acme/notes-service.git"],
        ["git", "add", "-A"],
        ["git", "commit", "-qm", "init"],
    ):
        run(cmd, root, GIT_IDENTITY)
    return root


@pytest.fixture(scope="module")
def committed_default(template_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default service, committed in a git repository of its own."""
    return commit_as_repository(
        render(template_copy, tmp_path_factory.mktemp("committed") / "svc", {})
    )


def release_build() -> AbstractContextManager[bool]:
    """`make build` and goreleaser compile the default service alike (CGO_ENABLED=0,
    -trimpath): one at a time, the second finds the first's packages in Go's build cache
    instead of compiling them too, in the other worker, at the same time."""
    return tools.locked("release-build")


@pytest.mark.slow
def test_make_build_embeds_version_commit_and_date(committed_default: Path) -> None:
    root = committed_default
    with release_build():
        run(["make", "build", "VERSION=v1.2.3"], root)
    out = run([str(root / "bin" / "notes-service"), "version"], root)
    commit = run(["git", "rev-parse", "HEAD"], root).strip()
    assert out.startswith("notes-service v1.2.3 (commit " + commit + ", built 20"), out


def test_make_help_lists_the_conventional_targets(
    render_with: Callable[[dict[str, str]], Path],
) -> None:
    root = render_with({})
    out = run(["make"], root)
    for target in (
        "help",
        "run",
        "build",
        "test",
        "test-race",
        "test-integration",
        "lint",
        "fmt",
        "vuln",
        "generate",
        "check-generated",
        "tidy",
        "clean",
        "migrate-up",
        "migrate-down",
        "migrate-status",
        "bench",
        "bench-compare",
        "load",
    ):
        assert re.search(rf"^  {re.escape(target)} ", out, re.M), (
            f"make help lacks {target}:\n{out}"
        )


@pytest.mark.slow
def test_goreleaser_check_and_snapshot_build(committed_default: Path, goreleaser: Path) -> None:
    root = committed_default
    run([str(goreleaser), "check"], root)
    with release_build():
        run([str(goreleaser), "build", "--snapshot", "--clean", "--single-target"], root)
    binaries = list((root / "dist").glob("notes-service_*/notes-service"))
    assert len(binaries) == 1, list((root / "dist").iterdir())
    out = run([str(binaries[0]), "version"], root)
    assert re.match(
        r"notes-service \d+\.\d+\.\d+-snapshot\+[0-9a-f]+ \(commit [0-9a-f]{40}, ", out
    ), out


def write_vulndb(db: Path, fixed: str) -> None:
    """A vulnerability database in the Go vulndb v1 layout, built offline: one
    made-up advisory against chi, which the default service calls."""
    modified = "2026-01-01T00:00:00Z"
    (db / "index").mkdir(parents=True)
    (db / "ID").mkdir()
    (db / "index" / "db.json").write_text(json.dumps({"modified": modified}))
    (db / "index" / "modules.json").write_text(
        json.dumps(
            [
                {
                    "path": "github.com/go-chi/chi/v5",
                    "vulns": [{"id": "GO-2099-0001", "modified": modified, "fixed": fixed}],
                }
            ]
        )
    )
    (db / "ID" / "GO-2099-0001.json").write_text(
        json.dumps(
            {
                "schema_version": "1.3.1",
                "id": "GO-2099-0001",
                "modified": modified,
                "published": modified,
                "details": "A made-up advisory for testing the scan.",
                "affected": [
                    {
                        "package": {"name": "github.com/go-chi/chi/v5", "ecosystem": "Go"},
                        "ranges": [
                            {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                        ],
                        "ecosystem_specific": {
                            "imports": [
                                {"path": "github.com/go-chi/chi/v5", "symbols": ["NewRouter"]}
                            ]
                        },
                    }
                ],
                "database_specific": {"url": "https://pkg.go.dev/vuln/GO-2099-0001"},
            }
        )
    )


@pytest.mark.slow
@pytest.mark.parametrize(("fixed", "found"), [("99.0.0", True), ("5.0.0", False)])
def test_govulncheck_reports_what_the_database_says(
    fixed: str, found: bool, committed_default: Path, tmp_path: Path, govulncheck: list[str]
) -> None:
    """The public vulnerability database cannot be reached from here, so the scan
    runs against a local database in the same format, built offline."""
    db = tmp_path / "vulndb"
    write_vulndb(db, fixed)
    out = run(
        [*govulncheck, "-db", db.as_uri(), "./..."],
        committed_default,
        {"GOFLAGS": "-mod=readonly"},
        ok=(3,) if found else (0,),
    )
    assert ("GO-2099-0001" in out) == found, out


@pytest.mark.slow
def test_make_tidy_changes_nothing(committed_default: Path) -> None:
    run(["make", "tidy"], committed_default)
    assert run(["git", "status", "--porcelain"], committed_default) == ""


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgres", "mysql"])
def test_committed_queries_match_sqlc_output(
    database: str, render_with: Callable[[dict[str, str]], Path], sqlc: list[str]
) -> None:
    """The generated query code shipped in every service is what the pinned sqlc writes
    from its queries and migrations, and `make check-generated` catches a hand edit."""
    root = render_with({"database": database})
    out = run(["make", "check-generated"], root, {"GOFLAGS": "-mod=readonly"})
    assert "sqlc diff" in out
    generated = root / "internal" / "storage" / "queries" / "notes.sql.go"
    text = generated.read_text(encoding="utf-8")
    assert text.startswith("// Code generated by sqlc. DO NOT EDIT.")
    generated.write_text(text.replace("WHERE id = ", "WHERE id <> ", 1), encoding="utf-8")
    out = run(["make", "check-generated"], root, {"GOFLAGS": "-mod=readonly"}, ok=(2,))
    assert "notes.sql.go" in out


@pytest.mark.slow
def test_generate_without_queries_does_nothing(
    render_with: Callable[[dict[str, object]], Path],
) -> None:
    """A service with a database but no query yet: sqlc has nothing to do, make says so
    by doing nothing rather than failing."""
    go_required()
    root = render_with({"database": "postgres", "example_resource": False})
    assert (root / "sqlc.yaml").is_file()
    assert not list((root / "internal" / "storage" / "queries").glob("*.sql"))
    for target in ("generate", "check-generated"):
        out = run(["make", target], root, {"GOFLAGS": "-mod=readonly"})
        assert "sqlc" not in out
