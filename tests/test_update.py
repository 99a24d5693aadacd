"""Template upgrades of a service its owner has changed: ``gofactory update``.

A service is generated at template v0.1.0 (the working tree, tagged in a temporary
repository), committed, and changed the way owners change services: a new handler
with its route and its place in the OpenAPI description, a different configuration
default, an edited README, an optional file deleted. Template v0.2.0 then changes
files of both owners (docs/ownership.md). After the update the owner's edits are all
there, the template's changes to its own files have arrived, its changes to the
owner's files have not, nothing conflicts, and the service builds and passes its tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from golang import build_and_test
from template_repo import (
    NEW,
    OLD,
    append,
    clone_template,
    commit_all,
    generate,
    git,
    invoke,
    release,
    replace_once,
)
from variants import matrices

from gofactory.matrix import Variant
from gofactory.update import find_conflicts

HELLO_GO = """\
package httpapi

import "net/http"

// handleHello greets the caller: a handler the service's owner added.
func handleHello() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("hello\\n"))
	})
}
"""
HELLO_TEST_GO = """\
package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHello(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	handleHello().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/hello", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "hello\\n" {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}
"""
HELLO_ROUTE = '\tmux.Handle("GET /api/v1/hello", handleHello())\n'
# The owner documents the route too: the service's own contract test then checks that
# every documented operation is routed, which proves the route survived the update.
HELLO_SPEC = """\
paths:
  /api/v1/hello:
    get:
      operationId: getHello
      summary: Greet the caller
      responses:
        "200":
          description: A greeting.
          content:
            text/plain:
              schema:
                type: string
"""
README_SECTION = "\n## Operations\n\nOwned by the payments team; on call: #payments.\n"
DEFAULT_BODY, OWNER_BODY = "1048576", "4194304"

# Template v0.2.0.
TEMPLATE_GO = """\
package buildinfo

// Template is the gofactory template release the service was last updated from.
const Template = "v0.2.0"
"""
IS_PRODUCTION = """
// IsProduction reports whether the service runs with the prod profile.
func (c Config) IsProduction() bool { return c.AppEnv == Prod }
"""
TEMPLATE_README_LINE = "\nThis line of template v0.2.0 must not reach an existing service.\n"
TEMPLATE_ROUTES_LINE = "\n// Template v0.2.0 rewrote the routes of new services only.\n"


def upgrade_template(template: Path) -> None:
    """Release v0.2.0: changes to template-owned files and to owner-owned files."""
    tree = template / "template"
    (tree / "internal" / "buildinfo" / "template.go").write_text(TEMPLATE_GO)
    append(tree / "internal" / "config" / "config.go.jinja", IS_PRODUCTION)
    append(tree / "docs" / "12-factor.md.jinja", "\nRevised in template v0.2.0.\n")
    append(tree / "README.md.jinja", TEMPLATE_README_LINE)
    append(tree / "internal" / "httpapi" / "routes.go", TEMPLATE_ROUTES_LINE)
    release(template, NEW, "Template v0.2.0")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template at v0.1.0 (the working tree) with a v0.2.0 release after it."""
    template = clone_template(tmp_path_factory.mktemp("template"), OLD)
    upgrade_template(template)
    return template


def edit_like_an_owner(service: Path) -> dict[str, bytes]:
    """The scripted owner edits, committed; returns the owner-owned files' contents."""
    api = service / "internal" / "httpapi"
    (api / "hello.go").write_text(HELLO_GO)
    (api / "hello_test.go").write_text(HELLO_TEST_GO)
    routes = api / "routes.go"
    handle_openapi = next(
        line for line in routes.read_text().splitlines(keepends=True) if "handleOpenAPI()" in line
    )
    replace_once(routes, handle_openapi, handle_openapi + HELLO_ROUTE)
    replace_once(service / "api" / "openapi.yaml", "paths:\n", HELLO_SPEC)
    replace_once(
        service / "internal" / "config" / "config.go",
        f'envDefault:"{DEFAULT_BODY}"',
        f'envDefault:"{OWNER_BODY}"',
    )
    replace_once(
        service / ".env.example", f"MAX_BODY_BYTES={DEFAULT_BODY}", f"MAX_BODY_BYTES={OWNER_BODY}"
    )
    append(service / "README.md", README_SECTION)
    (service / "docs" / "12-factor.md").unlink()
    commit_all(service, "Owner's changes")
    owned = ("README.md", "api/openapi.yaml", "internal/httpapi/routes.go")
    return {name: (service / name).read_bytes() for name in owned}


def assert_updated(service: Path, owned: dict[str, bytes]) -> None:
    """The owner's edits survived, the template's changes arrived, nothing conflicts."""
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert answers["_commit"] == NEW
    # Owner-owned files are exactly as the owner left them.
    for name, content in owned.items():
        assert (service / name).read_bytes() == content, name
    assert (service / "internal" / "httpapi" / "hello.go").read_text() == HELLO_GO
    assert not (service / "docs" / "12-factor.md").exists(), "a deleted file came back"
    # A template-owned file the owner edited: both changes are in it.
    config = (service / "internal" / "config" / "config.go").read_text()
    assert f'envDefault:"{OWNER_BODY}"' in config
    assert "func (c Config) IsProduction() bool" in config
    assert f"MAX_BODY_BYTES={OWNER_BODY}" in (service / ".env.example").read_text()
    assert (service / "internal" / "buildinfo" / "template.go").read_text() == TEMPLATE_GO
    assert find_conflicts(service) == ()
    assert git(service, "ls-files", "--unmerged") == ""


def update_variants() -> list[Variant]:
    """The extremes of the pairwise matrix and one variant between them."""
    matrix = matrices()[2]
    between = next(v for v in matrix.variants if v not in (matrix.minimal, matrix.maximal))
    return [matrix.minimal, matrix.maximal, between]


@pytest.mark.slow
@pytest.mark.parametrize("variant", update_variants(), ids=lambda v: v.id)
def test_update_keeps_owner_edits_and_brings_template_changes(
    variant: Variant, template: Path, tmp_path: Path
) -> None:
    service = generate(template, tmp_path / "svc", variant.data)
    owned = edit_like_an_owner(service)
    result = invoke(["update", "--defaults", str(service)])
    assert result.exit_code == 0, result.output
    assert f"from template {OLD} to {NEW}" in result.stdout
    assert_updated(service, owned)
    build_and_test(service)


@pytest.mark.slow
def test_update_that_changes_an_answer(template: Path, tmp_path: Path) -> None:
    """--data router=... switches the router on update; owner edits still survive."""
    base = matrices()[2].maximal
    old_router = base["router"]
    new_router = "stdlib" if old_router == "chi" else "chi"
    service = generate(template, tmp_path / "svc", base.data)
    owned = edit_like_an_owner(service)
    result = invoke(["update", "--defaults", "--data", f"router={new_router}", str(service)])
    assert result.exit_code == 0, result.output
    assert_updated(service, owned)
    assert yaml.safe_load((service / ".copier-answers.yml").read_text())["router"] == new_router
    uses_chi = "go-chi/chi" in (service / "go.mod").read_text()
    assert uses_chi == (new_router == "chi")
    build_and_test(service)


# --- Conflicts: never left unreported.


@pytest.fixture
def conflicting(tmp_path: Path) -> tuple[Path, Path]:
    """A service and a template release that both rewrite one line of a template file."""
    template = clone_template(tmp_path / "template", OLD)
    first_line = "// checkTimeout bounds each readiness check, so that one stuck dependency"
    replace_once(
        template / "template" / "internal" / "httpapi" / "health.go",
        first_line,
        "// checkTimeout bounds every readiness check (template v0.2.0), so that a stuck one",
    )
    release(template, NEW, "Template v0.2.0")
    service = generate(template, tmp_path / "svc", {})
    replace_once(
        service / "internal" / "httpapi" / "health.go",
        first_line,
        "// checkTimeout is tuned by the service's owner, so that one stuck dependency",
    )
    commit_all(service, "Owner's changes")
    return template, service


def test_update_fails_and_lists_inline_conflicts(conflicting: tuple[Path, Path]) -> None:
    _, service = conflicting
    result = invoke(["update", "--defaults", str(service)])
    assert result.exit_code == 1, result.output
    assert "left conflicts in 1 file" in result.stderr
    assert "  internal/httpapi/health.go: " in result.stderr
    assert "conflict markers" in result.stderr
    assert "<<<<<<<" in (service / "internal" / "httpapi" / "health.go").read_text()
    assert "Traceback" not in result.output


def test_update_fails_and_lists_rej_files(conflicting: tuple[Path, Path]) -> None:
    _, service = conflicting
    result = invoke(["update", "--defaults", "--conflict", "rej", str(service)])
    assert result.exit_code == 1, result.output
    assert "internal/httpapi/health.go.rej: rejected changes (.rej file)" in result.stderr


def test_find_conflicts_sees_each_kind(tmp_path: Path) -> None:
    service = tmp_path / "svc"
    service.mkdir()
    git(service, "init", "-q")
    (service / "a.txt").write_text("one\n")
    (service / "old.rej").write_text("from an earlier update\n")
    commit_all(service, "base")
    (service / "a.txt").write_text("<<<<<<< mine\none\n=======\ntwo\n>>>>>>> theirs\n")
    (service / "b.go.rej").write_text("@@ -1 +1 @@\n")
    (service / "c.md").write_text("a line of =======\nnot a conflict\n")
    conflicts = find_conflicts(service, rej_before={"old.rej"})
    assert [(c.path, c.kinds) for c in conflicts] == [
        ("a.txt", ("conflict markers",)),
        ("b.go.rej", ("rejected changes (.rej file)",)),
    ]


def test_clean_update_exits_0(tmp_path: Path) -> None:
    template = clone_template(tmp_path / "template", OLD)
    (template / "template" / "SUPPORT.md").write_text("Ask in #platform.\n")
    release(template, NEW, "Template v0.2.0")
    service = generate(template, tmp_path / "svc", {})
    # No question is new, so --skip-answered asks nothing, even without a terminal.
    result = invoke(["update", "--skip-answered", str(service)])
    assert result.exit_code == 0, result.output
    assert (service / "SUPPORT.md").read_text() == "Ask in #platform.\n"
    assert result.stderr == ""


def test_skip_answered_without_terminal_names_the_new_questions(tmp_path: Path) -> None:
    template = clone_template(tmp_path / "template", OLD)
    append(template / "copier.yml", "\nteam:\n  type: str\n  default: platform\n")
    release(template, NEW, "Template v0.2.0 asks for the team")
    service = generate(template, tmp_path / "svc", {})
    result = invoke(["update", "--skip-answered", str(service)])
    assert result.exit_code == 2, result.output
    assert "(to ask: team)" in result.stderr
    with_defaults = invoke(["update", "--skip-answered", "--defaults", str(service)])
    assert with_defaults.exit_code == 0, with_defaults.output
    assert yaml.safe_load((service / ".copier-answers.yml").read_text())["team"] == "platform"


# --- gofactory check, and refused updates.


def test_check_reports_an_available_update(template: Path, tmp_path: Path) -> None:
    service = generate(template, tmp_path / "svc", {})
    result = invoke(["check", str(service)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Template 0.2.0 is available; the service is at 0.1.0.")
    assert invoke(["check", "--exit-code", str(service)]).exit_code == 1
    as_json = invoke(["check", "--json", str(service)])
    assert as_json.stdout.strip() == (
        '{"update_available": true, "current_version": "0.1.0", "latest_version": "0.2.0"}'
    )
    assert invoke(["update", "--defaults", str(service)]).exit_code == 0
    commit_all(service, "Update to v0.2.0")
    after = invoke(["check", "--exit-code", str(service)])
    assert after.exit_code == 0, after.output
    assert after.stdout.startswith("Up to date")


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("not-a-service", "has no .copier-answers.yml"),
        ("dirty", "dirty"),
        ("unknown-question", "unknown question 'rooter' in --data"),
        ("no-terminal", "not a terminal"),
    ],
)
def test_update_usage_errors_exit_2(
    case: str, fragment: str, template: Path, tmp_path: Path
) -> None:
    if case == "not-a-service":
        result = invoke(["update", "--defaults", str(tmp_path)])
    else:
        service = generate(template, tmp_path / "svc", {})
        args = ["update", "--defaults", str(service)]
        if case == "dirty":
            append(service / "README.md", "uncommitted\n")
        elif case == "unknown-question":
            args += ["--data", "rooter=chi"]
        else:
            args.remove("--defaults")
        before = git(service, "status", "--porcelain")
        result = invoke(args)
        assert git(service, "status", "--porcelain") == before, "a refused update wrote files"
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert fragment in result.stderr
    assert "Traceback" not in result.output
