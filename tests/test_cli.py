"""Tests of the gofactory command line (render only: no Go toolchain needed)."""

import subprocess
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from template_repo import clone_template
from typer.testing import CliRunner, Result
from variants import copy_template

from gofactory.answers import recorded_answers
from gofactory.cli import app
from gofactory.docs import load_questions

REPO_ROOT = Path(__file__).resolve().parents[1]

MakeTemplate = Callable[[Path], Path]


def invoke(args: Sequence[str], template: Path | None = None) -> Result:
    """Run gofactory; with ``template``, through the GOFACTORY_TEMPLATE variable."""
    env = {"GOFACTORY_TEMPLATE": str(template) if template is not None else None}
    return CliRunner().invoke(app, list(args), env=env)


def answers_of(dest: Path) -> dict[str, Any]:
    answers = recorded_answers(dest)
    assert answers, f"{dest}/.copier-answers.yml is missing or empty"
    return answers


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


def assert_refused(result: Result, *fragments: str) -> None:
    """A user error: exit status 2, an ``error:`` line naming the problem, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: "), result.output
    for fragment in fragments:
        assert fragment in result.stderr, result.output
    assert "Traceback" not in result.output


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "gofactory tests")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "tests@gofactory.invalid")


@pytest.fixture(scope="session")
def make_template() -> MakeTemplate:
    """Copy the template as it is in the working tree into a new git repository tagged v0.1.0.

    A committed copy renders without Copier's "dirty template" detour, and can get new
    commits (template upgrades) without touching the real repository.
    """
    return clone_template


@pytest.fixture(scope="session")
def template(make_template: MakeTemplate, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def questions() -> dict[str, dict[str, Any]]:
    return load_questions(REPO_ROOT)


def test_version() -> None:
    result = invoke(["--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"gofactory {version('gofactory')}\n"


def test_new_with_defaults_uses_the_bundled_template(
    tmp_path: Path, questions: dict[str, dict[str, Any]]
) -> None:
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", str(dest)])
    assert result.exit_code == 0, result.output
    answers = answers_of(dest)
    # An absolute source lets `copier update` find the template from inside the service.
    assert answers["_src_path"] == str(REPO_ROOT)
    for name, question in questions.items():
        if "when" in question or question.get("secret"):
            continue  # conditional and secret answers are not always recorded
        default = question.get("default")
        assert name in answers, name
        if not (isinstance(default, str) and "{" in default):
            assert answers[name] == default, name
    service = answers["service_name"]
    assert (dest / "go.mod").read_text().startswith(f"module {answers['module_path']}\n")
    assert f"cd {dest}" in result.stdout
    assert "  make run " in result.stdout
    assert service in result.stdout


@pytest.mark.parametrize(
    ("deploy", "start"),
    [
        ("docker", "docker compose up -d --wait postgres "),
        ("none", "docker run -d --name notes-service-postgres "),
    ],
)
def test_next_steps_start_the_database_the_service_needs(
    deploy: str, start: str, tmp_path: Path, template: Path
) -> None:
    """With PostgreSQL, `go run` alone would stop at "DATABASE_URL: must be set". A
    service with a compose.yaml starts the server from there, others in a container."""
    dest = tmp_path / "svc"
    result = invoke(
        ["new", "--defaults", "-d", "database=postgres", "-d", f"deploy={deploy}", str(dest)],
        template,
    )
    assert result.exit_code == 0, result.output
    steps = result.stdout.split("Next steps", 1)[1]
    commands = [line.strip() for line in steps.splitlines() if line.startswith("  ")]
    assert commands[0] == f"cd {dest}"
    assert commands[1].startswith(start)
    assert commands[2].startswith("cp .env.example .env")
    assert commands[3].startswith("make run")


def test_data_overrides_answers(tmp_path: Path, template: Path) -> None:
    dest = tmp_path / "billing"
    result = invoke(
        [
            "new",
            "--defaults",
            "--data",
            "project_name=Billing API",
            "-d",
            "module_path=example.com/payments/billing",
            "--data",
            "router=stdlib",
            str(dest),
        ],
        template,
    )
    assert result.exit_code == 0, result.output
    answers = answers_of(dest)
    assert answers["_src_path"] == str(template)
    assert answers["project_name"] == "Billing API"
    assert answers["service_name"] == "billing-api"  # derived from project_name
    assert answers["router"] == "stdlib"
    assert (dest / "go.mod").read_text().startswith("module example.com/payments/billing\n")
    assert "  make run " in result.stdout


def test_data_file_answers_and_data_wins(tmp_path: Path, template: Path) -> None:
    data_file = tmp_path / "answers.yml"
    data_file.write_text(
        "_src_path: /ignored/metadata\n"
        "project_name: From File\n"
        "service_name: from-file\n"
        "router: stdlib\n"
    )
    dest = tmp_path / "svc"
    result = invoke(
        [
            "new",
            "--defaults",
            "--data-file",
            str(data_file),
            "--data",
            "service_name=from-cli",
            str(dest),
        ],
        template,
    )
    assert result.exit_code == 0, result.output
    answers = answers_of(dest)
    assert answers["_src_path"] == str(template)
    assert answers["project_name"] == "From File"
    assert answers["router"] == "stdlib"
    assert answers["service_name"] == "from-cli"


def test_relative_template_path_is_recorded_absolute(
    tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(template.parent)
    result = invoke(["new", "--defaults", "--template", template.name, str(tmp_path / "svc")])
    assert result.exit_code == 0, result.output
    assert answers_of(tmp_path / "svc")["_src_path"] == str(template)


def test_non_empty_destination_is_refused_untouched(tmp_path: Path, template: Path) -> None:
    dest = tmp_path / "svc"
    dest.mkdir()
    (dest / "main.go").write_text("package main\n")
    (dest / "docs").mkdir()
    (dest / "docs" / "notes.md").write_text("mine\n")
    before = snapshot(dest)
    result = invoke(["new", "--defaults", str(dest)], template)
    assert_refused(result, "not empty")
    assert snapshot(dest) == before


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        pytest.param(
            "service_name=My Service",
            ("Validation error for question 'service_name'", "My Service", "kebab-case"),
            id="service_name",
        ),
        pytest.param(
            "module_path=not a module",
            ("Validation error for question 'module_path'", "not a module path"),
            id="module_path",
        ),
        pytest.param("router=gin", ("Invalid choice for 'router'", "'gin'"), id="choice"),
    ],
)
def test_bad_answer_is_refused_before_writing(
    tmp_path: Path, template: Path, data: str, fragments: tuple[str, ...]
) -> None:
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", "--data", data, str(dest)], template)
    assert_refused(result, *fragments)
    assert not dest.exists()


def test_bad_answer_leaves_existing_empty_destination_empty(tmp_path: Path, template: Path) -> None:
    dest = tmp_path / "svc"
    dest.mkdir()
    result = invoke(["new", "--defaults", "--data", "service_name=Bad Name", str(dest)], template)
    assert_refused(result, "service_name")
    assert dest.is_dir()
    assert list(dest.iterdir()) == []


def test_unknown_question_is_refused(
    tmp_path: Path, template: Path, questions: dict[str, dict[str, Any]]
) -> None:
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", "--data", "rooter=chi", str(dest)], template)
    assert_refused(result, "unknown question 'rooter' in --data", *questions)
    assert not dest.exists()


def test_unknown_question_in_data_file_is_refused(tmp_path: Path, template: Path) -> None:
    data_file = tmp_path / "answers.yml"
    data_file.write_text("databse: none\n")
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", "--data-file", str(data_file), str(dest)], template)
    assert_refused(result, "unknown question 'databse' in --data-file")
    assert not dest.exists()


@pytest.mark.parametrize("data", ["router", "=chi"])
def test_malformed_data_is_refused(tmp_path: Path, template: Path, data: str) -> None:
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", "--data", data, str(dest)], template)
    assert_refused(result, "KEY=VALUE", repr(data))
    assert not dest.exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(None, "cannot read --data-file", id="missing"),
        pytest.param("router: [chi\n", "is not valid YAML", id="invalid-yaml"),
        pytest.param("- router\n- chi\n", "must hold a YAML mapping", id="not-a-mapping"),
    ],
)
def test_bad_data_file_is_refused(
    tmp_path: Path, template: Path, content: str | None, fragment: str
) -> None:
    data_file = tmp_path / "answers.yml"
    if content is not None:
        data_file.write_text(content)
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", "--data-file", str(data_file), str(dest)], template)
    assert_refused(result, fragment, str(data_file))
    assert not dest.exists()


def test_missing_template_is_refused(tmp_path: Path) -> None:
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", "--template", str(tmp_path / "nowhere"), str(dest)])
    assert_refused(result, "not found")
    assert not dest.exists()


def test_no_terminal_without_defaults_fails_fast(tmp_path: Path, template: Path) -> None:
    dest = tmp_path / "svc"
    result = invoke(["new", "--data", "router=chi", str(dest)], template)
    assert_refused(result, "not a terminal", "--defaults", "--data", "service_name")
    assert not dest.exists()


def test_unknown_vcs_ref_is_refused(tmp_path: Path, template: Path) -> None:
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", "--vcs-ref", "v9.9.9", str(dest)], template)
    assert_refused(result, "v9.9.9")
    assert not dest.exists()


def test_copier_update_round_trip(tmp_path: Path, make_template: MakeTemplate) -> None:
    template = make_template(tmp_path / "template")
    # The template gets a new release after v0.1.0.
    (template / "template" / "UPGRADE.md").write_text("new in v0.2.0\n")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "Add UPGRADE.md")
    git(template, "tag", "v0.2.0")

    # Generate at the older release, into a fresh git repository (only .git: "empty").
    dest = tmp_path / "svc"
    dest.mkdir()
    git(dest, "init", "-q")
    result = invoke(
        ["new", "--defaults", "--vcs-ref", "v0.1.0", "--data", "router=stdlib", str(dest)],
        template,
    )
    assert result.exit_code == 0, result.output
    assert answers_of(dest)["_commit"] == "v0.1.0"
    assert not (dest / "UPGRADE.md").exists()
    (dest / "NOTES.md").write_text("my own notes\n")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "Generate from gofactory")

    # Plain `copier update`, from inside the service, finds the template by _src_path.
    update = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--trust", "--defaults"],
        cwd=dest,
        capture_output=True,
        text=True,
        check=False,
    )
    assert update.returncode == 0, update.stderr
    assert (dest / "UPGRADE.md").read_text() == "new in v0.2.0\n"
    assert (dest / "NOTES.md").read_text() == "my own notes\n"
    answers = answers_of(dest)
    assert answers["_commit"] == "v0.2.0"
    assert answers["_src_path"] == str(template)
    assert answers["router"] == "stdlib"
    assert "<<<<<<<" not in git(dest, "diff")


def commits(repository: Path) -> list[str]:
    return git(repository, "log", "--format=%s").splitlines()


def test_new_makes_a_git_repository_with_one_commit(tmp_path: Path, template: Path) -> None:
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", str(dest)], template)
    assert result.exit_code == 0, result.output
    assert "git repository with a first commit" in result.stdout
    assert git(dest, "rev-parse", "--show-toplevel").strip() == str(dest)
    assert commits(dest) == ["Generate notes-service from the gofactory template v0.1.0"]
    assert git(dest, "status", "--porcelain", "--untracked-files=all") == ""
    committed = git(dest, "ls-files").splitlines()
    assert ".copier-answers.yml" in committed
    assert "go.mod" in committed


def test_no_git_leaves_no_repository(tmp_path: Path, template: Path) -> None:
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", "--no-git", str(dest)], template)
    assert result.exit_code == 0, result.output
    assert (dest / "go.mod").is_file()
    assert not (dest / ".git").exists()
    assert "git repository" not in result.output


def test_new_inside_a_repository_commits_nothing(tmp_path: Path, template: Path) -> None:
    monorepo = tmp_path / "monorepo"
    monorepo.mkdir()
    git(monorepo, "init", "-q")
    dest = monorepo / "services" / "svc"
    result = invoke(["new", "--defaults", str(dest)], template)
    assert result.exit_code == 0, result.output
    assert f"inside the git repository {monorepo}" in result.stdout
    assert not (dest / ".git").exists()
    assert git(monorepo, "status", "--porcelain") == "?? services/\n"
    assert git(monorepo, "rev-list", "--all") == ""


def test_new_in_an_ignored_directory_of_a_repository_gets_its_own(
    tmp_path: Path, template: Path
) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    git(checkout, "init", "-q")
    (checkout / ".gitignore").write_text("/build/\n")
    dest = checkout / "build" / "svc"
    result = invoke(["new", "--defaults", str(dest)], template)
    assert result.exit_code == 0, result.output
    assert git(dest, "rev-parse", "--show-toplevel").strip() == str(dest)
    assert len(commits(dest)) == 1
    assert git(dest, "status", "--porcelain") == ""


def test_no_git_identity_leaves_the_files_staged(
    tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No identity anywhere, and git may not guess one from the host.
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{name}_NAME")
        monkeypatch.delenv(f"GIT_{name}_EMAIL")
    monkeypatch.delenv("EMAIL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", str(dest)], template)
    assert result.exit_code == 0, result.output
    assert "warning: git did not commit the generated files" in result.stderr
    assert "identity" in result.stderr
    assert f"`git commit` in {dest}" in result.stderr
    assert "go.mod" in git(dest, "diff", "--cached", "--name-only").splitlines()
    assert git(dest, "status", "--porcelain", "--untracked-files=all").startswith("A  ")


def test_without_git_the_service_is_generated_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A template that is not a repository renders without git.
    plain = copy_template(tmp_path / "template")
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    monkeypatch.setenv("PATH", str(empty_path))
    dest = tmp_path / "svc"
    result = invoke(["new", "--defaults", str(dest)], plain)
    assert result.exit_code == 0, result.output
    assert (dest / "go.mod").is_file()
    assert not (dest / ".git").exists()
    assert "warning: git is not installed" in result.stderr
