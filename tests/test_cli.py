"""The command line, in-process with typer's CliRunner, plus a few real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold import __version__
from scaffold.cli import app
from tests.conftest import REPO_ROOT, TEST_IDENTITY, git, write_tree
from tests.helpers import copier_questions

runner = CliRunner()


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def fresh_consoles() -> None:
    """The rich consoles read COLUMNS when made: make them anew for every test."""
    from scaffold.cli import err, out

    out.cache_clear()
    err.cache_clear()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"scaffold {__version__}"


@pytest.mark.parametrize("command", [[], ["new"], ["recommend"], ["update"], ["frameworks"]])
def test_help_everywhere(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_bare_scaffold_prints_the_help_and_succeeds() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scaffold"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: ") and "Commands:" in result.stdout


def test_help_cuts_no_command_description_at_80_columns() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    commands = result.stdout.split("Commands:", 1)[1]
    assert "..." not in commands, commands
    for name in ("new", "update", "recommend", "frameworks"):
        assert f"\n  {name} " in commands


def test_need_help_is_the_criteria_table() -> None:
    from scaffold.decision import NEED_KEYS

    result = runner.invoke(app, ["recommend", "--help"], env={"COLUMNS": "80"})
    text = " ".join(result.output.split())
    assert "comma list" in text
    for key in NEED_KEYS:
        assert key in text.replace("- ", "-"), key  # click may break a word after a hyphen


def test_help_does_not_import_copier_or_questionary() -> None:
    code = (
        "import sys\n"
        "from scaffold.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('copier', 'questionary', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_recommend_json() -> None:
    result = runner.invoke(app, ["recommend", "--need", "admin", "--need", "html", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["framework"] == "django"
    assert data["needs"] == ["admin", "html"]
    assert data["ranking"][0]["framework"] == "django"
    assert all(set(r) == {"framework", "score", "reasons"} for r in data["ranking"])


@pytest.mark.parametrize(
    "args",
    [
        ["--need", "html,admin"],
        ["-n", "html", "--need", "admin"],
        ["-n", " HTML , admin,"],
        ["-n", "html,admin,html"],
    ],
)
def test_needs_take_comma_lists(args: list[str]) -> None:
    result = runner.invoke(app, ["recommend", *args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["needs"] == ["html", "admin"]


def test_known_frameworks_take_comma_lists() -> None:
    result = runner.invoke(app, ["recommend", "-n", "ml", "-k", "django,Flask", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["known"] == ["django", "flask"]


def test_a_bad_item_of_a_comma_list_is_named() -> None:
    result = runner.invoke(app, ["recommend", "--need", "html,blockchain"])
    assert result.exit_code == 2
    assert "unknown need 'blockchain'" in result.output


def test_no_need_says_nothing_was_asked_for_and_what_to_do() -> None:
    result = runner.invoke(app, ["recommend"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Nothing was asked for" in text
    assert "scaffold recommend --need html,admin" in text
    assert "recommended" not in text and "To create it" not in text
    assert "points" not in text


def test_new_without_framework_or_need_is_refused(in_tmp: Path) -> None:
    result = _new("app", "--defaults")
    assert result.returncode == 2
    assert "no --framework and no --need" in result.stderr
    assert list(in_tmp.iterdir()) == []


def test_recommend_counts_team_knowledge() -> None:
    result = runner.invoke(app, ["recommend", "-n", "prototype", "--know", "FastAPI", "--json"])
    assert json.loads(result.output)["framework"] == "fastapi"


def test_recommend_human_output_gives_reasons() -> None:
    result = runner.invoke(app, ["recommend", "-n", "ml"])
    assert result.exit_code == 0
    assert "1. FastAPI" in result.output and "recommended" in result.output
    assert "+3 ml:" in result.output
    assert "To create it: scaffold new DEST --framework fastapi --need ml" in result.output


def test_a_tie_at_the_top_is_said_out_loud() -> None:
    result = runner.invoke(app, ["recommend", "-n", "admin", "-n", "api-first", "-k", "flask"])
    assert result.exit_code == 0, result.output
    assert "Django and FastAPI and Flask tie at 4 points" in result.output.replace("\n", " ")
    assert "tie at" not in runner.invoke(app, ["recommend", "-n", "ml"]).output


@pytest.mark.parametrize(
    "args",
    [
        ["recommend", "-n", "blockchain"],
        ["recommend", "--know", "rails"],
        ["new", "x", "-f", "rails", "--defaults"],
    ],
)
def test_unknown_names_are_exit_2_one_line(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("error:") and len(lines) <= 2
    assert "Traceback" not in result.output


def test_frameworks_table() -> None:
    result = runner.invoke(app, ["frameworks"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    for word in ("Django", "Flask", "FastAPI", "batteries included", "SQLAdmin", "marshmallow"):
        assert word in result.output


def test_frameworks_table_cuts_nothing_on_a_narrow_terminal() -> None:
    result = runner.invoke(app, ["frameworks"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "…" not in result.output
    assert "pydantic-settin" in result.output  # folded onto the next line at most


def _new(*args: str) -> subprocess.CompletedProcess[str]:
    """`scaffold new` in a real subprocess with stdin closed, as CI runs it."""
    return subprocess.run(
        [sys.executable, "-m", "scaffold", "new", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("framework", ["django", "flask", "fastapi"])
def test_new_non_interactive_renders_and_commits(framework: str, in_tmp: Path) -> None:
    result = _new(f"my-{framework}", "-f", framework, "--defaults")
    assert result.returncode == 0, result.stderr
    project = in_tmp / f"my-{framework}"
    answers = (project / ".copier-answers.yml").read_text()
    assert "project_name: my-" + framework in answers
    assert "project_slug: my_" + framework in answers
    assert "_commit: " in answers
    assert git("status", "--porcelain", cwd=project) == ""
    assert "Initial commit" in git("log", "--format=%s", cwd=project)
    assert "Next steps" in result.stdout and "make install" in result.stdout
    assert [p.name for p in in_tmp.iterdir()] == [f"my-{framework}"]  # no staging left


def test_needs_choose_the_framework_and_prefill_answers(in_tmp: Path) -> None:
    result = runner.invoke(app, ["new", "shop", "--need", "ml", "--need", "admin", "--defaults"])
    assert result.exit_code == 0, result.output
    assert "Using FastAPI" in result.output
    answers = (in_tmp / "shop" / ".copier-answers.yml").read_text()
    assert "admin: true" in answers


@pytest.mark.parametrize(
    ("given", "recorded"),
    [
        ("description=1.10", "description: '1.10'"),
        ("description=On", "description: 'On'"),
        ("description=012", "description: '012'"),
        ("description=yes", "description: 'yes'"),
        ("admin=yes", "admin: true"),
        ("admin=No", "admin: false"),
        ("admin=1", "admin: true"),
        ("admin=0", "admin: false"),
        ("admin=TRUE", "admin: true"),
    ],
)
def test_data_is_typed_by_the_question_not_guessed(in_tmp: Path, given: str, recorded: str) -> None:
    """Point 9: a str question keeps the text as typed; a bool one takes yes/no/true/1/0."""
    result = runner.invoke(app, ["new", "typed", "-f", "fastapi", "--defaults", "-d", given])
    assert result.exit_code == 0, result.output
    answers = (in_tmp / "typed" / ".copier-answers.yml").read_text()
    assert recorded in answers.splitlines(), answers


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("admin=maybe", "admin is a yes/no question: answer yes, no, true, false, 1 or 0"),
        ("admin=2", "admin is a yes/no question"),
        ("database=mysql", "database must be one of sqlite, postgresql, not 'mysql'"),
        ("python_version=3.10", "python_version must be one of 3.11, 3.12, 3.13"),
    ],
)
def test_bad_data_names_what_is_expected_in_words(in_tmp: Path, given: str, message: str) -> None:
    result = _new("ok", "-f", "flask", "--defaults", "-d", given)
    assert result.returncode == 2
    assert message in result.stderr
    assert "[" not in result.stderr  # no Python list
    assert list(in_tmp.iterdir()) == []


@pytest.mark.parametrize(
    ("folder", "reason"),
    [
        ("django", "import names of the frameworks and of the libraries its three starters use"),
        ("json", "a standard library module"),
        ("tests", "a folder the starters create"),
        ("migrations", "a folder the starters create"),
    ],
)
def test_a_reserved_package_name_is_explained_truthfully(
    in_tmp: Path, folder: str, reason: str
) -> None:
    """Point 8: `scaffold new django -f flask` does not claim Flask uses Django."""
    result = _new(folder, "-f", "flask", "--defaults")
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert f"the folder name '{folder}' gives the package name '{folder}'" in first
    assert reason in first
    assert "the starter uses" not in result.stderr
    assert list(in_tmp.iterdir()) == []


def test_a_reserved_folder_name_is_fine_with_another_slug(in_tmp: Path) -> None:
    result = runner.invoke(
        app, ["new", "json", "-f", "flask", "--defaults", "-d", "project_slug=json_tools"]
    )
    assert result.exit_code == 0, result.output
    assert "project_slug: json_tools" in (in_tmp / "json" / ".copier-answers.yml").read_text()


def test_data_and_answers_file(in_tmp: Path) -> None:
    (in_tmp / "answers.yml").write_text("description: From a file\nauthor_name: Ada\n")
    result = runner.invoke(
        app,
        [
            "new", "blog", "-f", "django", "--defaults", "--answers-file", "answers.yml",
            "-d", "author_name=Grace", "-d", "database=postgresql", "-d", "admin=false",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    answers = (in_tmp / "blog" / ".copier-answers.yml").read_text()
    assert "description: From a file" in answers
    assert "author_name: Grace" in answers
    assert "database: postgresql" in answers
    assert "admin: false" in answers


@pytest.mark.parametrize(
    "args",
    [
        ["123abc", "-f", "flask"],
        ["os", "-f", "flask"],
        ["django", "-f", "django"],
        ["../escape", "-f", "flask"],
        ["ok", "-f", "flask", "-d", "project_slug=../escape"],
        ["ok", "-f", "flask", "-d", "project_slug=my app"],
        ["ok", "-f", "fastapi", "-d", "project_slug=123abc"],
        ["ok", "-f", "fastapi", "-d", "project_name="],
        ["ok", "-f", "fastapi", "-d", "python_version=2.7"],
        ["ok", "-f", "fastapi", "-d", "nonsense"],
        ["ok", "-f", "fastapi", "--answers-file", "missing.yml"],
        ["ok", "-f", "django", "-d", "no_such_question=1"],
        ["ok", "-f", "flask", "-d", "admin=maybe"],
        ["ok", "-f", "flask", "-d", "database=mysql"],
        ["ok", "-f", "flask", "-d", "author_email=not-an-email"],
        ["pg-tools", "-f", "django", "-d", "database=postgresql"],  # PostgreSQL's pg_ roles
        ["ok", "-f", "flask", "--template-source", "/no/such/template"],
        ["my app!", "-f", "flask"],
    ],
)
def test_bad_input_is_exit_2_and_writes_nothing(args: list[str], in_tmp: Path) -> None:
    result = _new(*args, "--defaults")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error:")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert [p.name for p in in_tmp.iterdir()] == []  # no project, no staging folder
    assert not (in_tmp.parent / "escape").exists()


def test_non_empty_destination_is_refused_and_untouched(in_tmp: Path) -> None:
    write_tree(in_tmp / "taken", {"notes.txt": "mine", "Makefile": "all:\n"})
    result = _new("taken", "-f", "fastapi", "--defaults")
    assert result.returncode == 2
    assert "not empty" in result.stderr
    assert sorted(p.name for p in (in_tmp / "taken").iterdir()) == ["Makefile", "notes.txt"]
    assert (in_tmp / "taken" / "notes.txt").read_text() == "mine"


def test_the_current_empty_folder_is_used_and_stays(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = in_tmp / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    inode = here.stat().st_ino
    result = runner.invoke(app, ["new", ".", "-f", "flask", "--defaults"])
    assert result.exit_code == 0, result.output
    assert Path.cwd() == here and here.stat().st_ino == inode  # the shell's folder is intact
    assert (here / ".copier-answers.yml").is_file() and (here / ".git").is_dir()
    assert "project_name: here" in (here / ".copier-answers.yml").read_text()
    assert "cd ." not in result.output
    assert "Created this folder: a Flask starter" in result.output
    assert sorted(p.name for p in in_tmp.iterdir()) == ["here"]  # no staging left


def test_empty_destination_is_used(in_tmp: Path) -> None:
    (in_tmp / "empty").mkdir()
    assert _new("empty", "-f", "flask", "--defaults").returncode == 0
    assert (in_tmp / "empty" / ".copier-answers.yml").is_file()


def test_no_tty_and_missing_answers_is_a_clear_error(in_tmp: Path) -> None:
    result = _new("app", "-f", "fastapi")
    assert result.returncode == 2
    assert "not a terminal" in result.stderr and "--defaults" in result.stderr
    assert list(in_tmp.iterdir()) == []


def test_no_tty_without_dest(in_tmp: Path) -> None:
    result = _new("-f", "fastapi", "--defaults")
    assert result.returncode == 2
    assert "DEST" in result.stderr


def test_render_error_leaves_nothing(
    in_tmp: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    broken = write_tree(
        tmp_path_factory.mktemp("broken"),
        {
            "copier.yml": "project_name:\n  type: str\n  default: x\n",
            "a.txt": "fine\n",
            "b.txt.jinja": "{{ project_name | no_such_filter }}\n",
        },
    )
    result = _new("app", "-f", "fastapi", "--defaults", "--template-source", str(broken))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert list(in_tmp.iterdir()) == []


def test_debug_shows_the_traceback(in_tmp: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "--debug", "recommend", "-n", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_new_from_a_team_template_repository(in_tmp: Path) -> None:
    """--template-source: a team's git repository (here a clone of the stored template)."""
    from scaffold import store
    from scaffold.frameworks import Framework

    team = in_tmp.parent / "team-template"
    git("clone", "-q", str(store.sync(Framework.flask).path), str(team), cwd=in_tmp.parent)
    result = _new("teamapp", "-f", "flask", "--defaults", "--template-source", str(team))
    assert result.returncode == 0, result.stderr
    answers = (in_tmp / "teamapp" / ".copier-answers.yml").read_text()
    assert f"_src_path: {team}" in answers


def test_author_answers_default_to_the_git_identity(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = in_tmp / "gitconfig"
    config.write_text("[user]\n\tname = Grace Hopper\n\temail = grace@example.org\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    result = runner.invoke(app, ["new", "g", "-f", "flask", "--defaults"])
    assert result.exit_code == 0, result.output
    answers = (in_tmp / "g" / ".copier-answers.yml").read_text()
    assert "author_name: Grace Hopper" in answers
    assert "author_email: grace@example.org" in answers
    assert "Grace Hopper" in git("log", "--format=%an", cwd=in_tmp / "g")

    config.write_text("[user]\n\tname = Grace Hopper\n\temail = grace@localhost\n")
    result = runner.invoke(app, ["new", "h", "-f", "flask", "--defaults", "-d", "author_name=Ada"])
    assert result.exit_code == 0, result.output
    answers = (in_tmp / "h" / ".copier-answers.yml").read_text()
    assert "author_name: Ada" in answers  # an answer beats the default
    assert "author_email: you@example.com" in answers  # the validator would refuse it


def test_the_email_check_matches_the_templates_validator() -> None:
    from scaffold.generate import _EMAIL

    for framework in ("django", "flask", "fastapi"):
        validator = copier_questions(framework)["author_email"]["validator"]
        assert f"regex_search('^{_EMAIL.pattern}$')" in validator


@pytest.mark.parametrize(
    ("database", "docker", "step"),
    [
        ("sqlite", "true", None),
        ("postgresql", "true", "docker compose up -d db"),
        ("postgresql", "false", "create the PostgreSQL user and database"),
    ],
)
def test_next_steps_say_where_the_database_comes_from(
    in_tmp: Path, database: str, docker: str, step: str | None
) -> None:
    args = ["-d", f"database={database}", "-d", f"docker={docker}"]
    result = runner.invoke(app, ["new", "d", "-f", "fastapi", "--defaults", *args])
    assert result.exit_code == 0, result.output
    output = result.output.replace("\n", " ")
    for text in ("docker compose up -d db", "create the PostgreSQL user and database"):
        assert (text in output) is (text == step)
    if step:
        assert output.index(step) < output.index("make migrate")


def test_next_steps_say_to_leave_an_active_virtual_environment(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["new", "plain", "-f", "flask", "--defaults"])
    assert "deactivate" not in result.output
    monkeypatch.setenv("VIRTUAL_ENV", str(in_tmp / "tools-venv"))
    result = runner.invoke(app, ["new", "inside", "-f", "flask", "--defaults"])
    assert result.exit_code == 0, result.output
    # The console wraps at 80 columns and may fold the long temporary path anywhere (its
    # length differs per pytest-xdist worker): look for it with the whitespace taken out.
    assert "deactivate" in result.output and "tools-venv" in "".join(result.output.split())
    assert result.output.index("deactivate") < result.output.index("make install")


def test_git_is_isolated_from_the_machine(in_tmp: Path) -> None:
    """tests/conftest.py: no GIT_* of the developer's, no system config, our identity."""
    assert {v for v in os.environ if v.startswith("GIT_")} == {
        "GIT_CONFIG_NOSYSTEM",
        "GIT_CONFIG_GLOBAL",
    }
    assert git("config", "user.email", cwd=in_tmp) == TEST_IDENTITY[1]
    origins = git("config", "--list", "--show-origin", cwd=in_tmp)
    assert all(os.environ["GIT_CONFIG_GLOBAL"] in line for line in origins.splitlines())


def test_a_commit_is_made_without_any_git_identity(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = in_tmp.parent / "empty-gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    result = runner.invoke(app, ["new", "anon", "-f", "flask", "--defaults"])
    assert result.exit_code == 0, result.output
    assert git("status", "--porcelain", cwd=in_tmp / "anon") == ""
    assert "author_name: Your Name" in (in_tmp / "anon" / ".copier-answers.yml").read_text()


def test_realtime_for_flask_is_refused_naming_the_starters_that_have_it(in_tmp: Path) -> None:
    result = _new("live", "-f", "flask", "--defaults", "-d", "realtime=true")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Flask has no realtime option" in result.stderr
    assert "FastAPI" in result.stderr and "Django" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(in_tmp.iterdir()) == []


def test_a_need_the_starter_cannot_serve_is_said_before_rendering(in_tmp: Path) -> None:
    result = runner.invoke(
        app, ["new", "live", "-f", "flask", "--need", "websockets", "--defaults"]
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Not in the Flask starter: websockets: Flask has no realtime option" in said
    assert said.index("Not in the Flask starter") < said.index("Created")
