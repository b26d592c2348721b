"""An update never loses the owner's work: kept files, refused answers, honest conflicts.

Each test builds small tagged template versions with `fake_package` (scaffold's store turns
each shipped version into a tag), makes a project at the first and updates it for real.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.errors import BadInput, ScaffoldError, copier_errors
from tests.conftest import TINY_TEMPLATE, git

runner = CliRunner()
Ship = Callable[..., Path]

ADMIN_FILES = {
    "{% if admin %}admin_panel.py{% endif %}.jinja": "PANEL = '{{ project_slug }}'\n",
    "{% if admin %}admin_notes.txt{% endif %}": "notes the owner never touched\n",
}


def _new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *data: str) -> Path:
    monkeypatch.chdir(tmp_path)
    flags = [arg for item in data for arg in ("-d", item)]
    result = runner.invoke(app, ["new", "tinyapp", "-f", "fastapi", "--defaults", *flags])
    assert result.exit_code == 0, result.output
    return tmp_path / "tinyapp"


def _append(path: Path, text: str, message: str) -> None:
    path.write_text(path.read_text() + text)
    git("commit", "-qam", message, cwd=path.parent)


def _commit(project: Path, message: str) -> None:
    git("add", "--all", cwd=project)
    git("commit", "-qm", message, cwd=project)


# --- 1. a file the owner changed is never deleted ------------------------------------------


def test_changed_answer_keeps_the_owners_file_and_drops_the_untouched_one(
    fake_package: Ship, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_package({**TINY_TEMPLATE, **ADMIN_FILES}, "1.0.0")
    project = _new(tmp_path, monkeypatch, "admin=true")
    panel = project / "admin_panel.py"
    panel.write_text(panel.read_text() + "def my_view():\n    return 'mine'\n")
    _commit(project, "my admin view")

    preview = runner.invoke(app, ["update", str(project), "--pretend", "-d", "admin=false"])
    assert preview.exit_code == 0, preview.output
    assert "kept: admin_panel.py - you changed it; the template no longer produces it" in (
        preview.output
    )
    assert "deleted file mode" in preview.output  # admin_notes.txt, untouched, may go
    assert "admin_panel.py" not in preview.output.split("kept:")[0]  # not in the diff

    head = git("rev-parse", "HEAD", cwd=project)
    for mode in ("rej", "inline"):
        result = runner.invoke(
            app, ["update", str(project), "-d", "admin=false", "--conflict", mode]
        )
        assert result.exit_code == 0, result.output
        assert "kept: admin_panel.py - you changed it; the template no longer produces it" in (
            result.output
        )
        assert "Conflicts" not in result.output
        assert "def my_view():" in panel.read_text()
        assert not (project / "admin_notes.txt").exists()
        status = git("status", "--porcelain", "--untracked-files=all", cwd=project)
        assert "admin_panel.py" not in status and "D admin_notes.txt" in status
        assert "admin: false" in (project / ".copier-answers.yml").read_text()
        git("reset", "--hard", "--quiet", head, cwd=project)


def test_a_renamed_template_file_keeps_the_owners_version(
    fake_package: Ship, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = {**TINY_TEMPLATE, "cli.py": "def run():\n    pass\n", "old.txt": "old\n"}
    fake_package(v1, "1.0.0")
    project = _new(tmp_path, monkeypatch)
    cli = project / "cli.py"
    cli.write_text(cli.read_text() + "\ndef my_command():\n    return 42\n")
    _commit(project, "my command")

    v2 = {k: v for k, v in v1.items() if k not in ("cli.py", "old.txt")}
    fake_package({**v2, "commands.py": "def run():\n    pass\n"}, "1.1.0")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    assert "kept: cli.py - you changed it; the template no longer produces it" in result.output
    assert "def my_command():" in cli.read_text()
    assert (project / "commands.py").is_file()
    assert not (project / "old.txt").exists()  # the template's own file, unchanged: gone
    assert "old.txt" not in result.output.split("Updated")[1]


# --- 2. where each side of a conflict is -------------------------------------------------


@pytest.fixture
def clashing(fake_package: Ship, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose settings.txt clashes with the next template version's."""
    fake_package(TINY_TEMPLATE, "1.0.0")
    project = _new(tmp_path, monkeypatch)
    (project / "settings.txt").write_text("color = blue\nsize = medium, my choice\n")
    _commit(project, "my size")
    fake_package({**TINY_TEMPLATE, "settings.txt": "color = blue\nsize = large\n"}, "1.1.0")
    return project


def test_conflict_rej_says_the_file_has_the_template_side_and_rej_has_yours(
    clashing: Path,
) -> None:
    result = runner.invoke(app, ["update", str(clashing), "--conflict", "rej"])
    assert result.exit_code == 0, result.output
    # What copier really does with --conflict rej (measured here):
    assert (clashing / "settings.txt").read_text() == "color = blue\nsize = large\n"
    rej = (clashing / "settings.txt.rej").read_text()
    assert "+size = medium, my choice" in rej
    assert " M settings.txt" in git("status", "--porcelain", cwd=clashing)
    # ... and what the output says about it:
    output = " ".join(result.output.split())
    assert "each file now holds the template's version" in output
    assert "settings.txt <- yours: settings.txt.rej" in output
    assert "between markers" not in output


def test_conflict_inline_names_the_markers(clashing: Path) -> None:
    result = runner.invoke(app, ["update", str(clashing)])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "yours between `<<<<<<< before updating` and `=======`" in output
    assert "the template's between `=======` and `>>>>>>> after updating`" in output
    assert not (clashing / "settings.txt.rej").exists()


# --- 3. a recorded answer the newer template refuses ---------------------------------------

DATABASE_V1 = "database:\n  type: str\n  choices: [sqlite, postgresql]\n  default: sqlite\n"
DATABASE_V2 = DATABASE_V1 + (
    "  validator: \"{% if database == 'postgresql' and project_slug.startswith('pg_') %}"
    'PostgreSQL reserves role names starting with pg_{% endif %}"\n'
)


def test_a_refused_recorded_answer_stops_the_update_before_any_change(
    fake_package: Ship, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = {
        **TINY_TEMPLATE,
        "copier.yml": TINY_TEMPLATE["copier.yml"] + DATABASE_V1,
        "db.txt.jinja": "database = {{ database }}\n",
    }
    fake_package(v1, "1.0.0")
    project = _new(tmp_path, monkeypatch, "project_slug=pg_shop", "database=postgresql")
    fake_package({**v1, "copier.yml": TINY_TEMPLATE["copier.yml"] + DATABASE_V2}, "1.1.0")
    head = git("rev-parse", "HEAD", cwd=project)
    answers = (project / ".copier-answers.yml").read_text()

    for extra in ([], ["--pretend"]):
        result = runner.invoke(app, ["update", str(project), *extra])
        assert result.exit_code == 2, result.output
        line = " ".join(result.output.split())
        assert 'template 1.1.0 refuses the recorded answer database="postgresql"' in line
        assert "PostgreSQL reserves role names starting with pg_" in line
        assert "--data database=VALUE" in line
    for data, refusal in (
        ("database=postgresql", 'refuses the answer given with --data database="postgresql"'),
        ("databse=sqlite", "template 1.1.0 has no question 'databse'"),
    ):
        result = runner.invoke(app, ["update", str(project), "-d", data])
        assert result.exit_code == 2, result.output
        assert refusal in " ".join(result.output.split())
    assert git("rev-parse", "HEAD", cwd=project) == head
    assert git("status", "--porcelain", cwd=project) == ""
    assert (project / ".copier-answers.yml").read_text() == answers
    assert (project / "db.txt").read_text() == "database = postgresql\n"

    # Choosing another answer on purpose is what --data is for.
    result = runner.invoke(app, ["update", str(project), "-d", "database=sqlite"])
    assert result.exit_code == 0, result.output
    assert (project / "db.txt").read_text() == "database = sqlite\n"


# --- 4. only conflicts this update made -------------------------------------------------


def test_marker_text_already_in_a_file_is_not_a_conflict(
    fake_package: Ship, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (
        "# {{ project_name }}\n\nAfter an update, a conflict looks like this:\n\n"
        "```\n<<<<<<< before updating\nyours\n=======\ntheirs\n>>>>>>> after updating\n```\n"
        "\nline one\nline two\nline three\n"
    )
    v1 = {**TINY_TEMPLATE, "README.md.jinja": readme}
    fake_package(v1, "1.0.0")
    project = _new(tmp_path, monkeypatch)
    _append(project / "README.md", "\nOur own section.\n", "our section")
    fake_package({**v1, "README.md.jinja": readme.replace("line one", "line one, v2")}, "1.1.0")

    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    text = (project / "README.md").read_text()
    assert "line one, v2" in text and "Our own section." in text
    assert "Conflicts" not in result.output
    # copier marked it unmerged (UU) for the old marker lines; it merged cleanly.
    status = git("status", "--porcelain", cwd=project).splitlines()
    assert [line.strip() for line in status] == ["M .copier-answers.yml", "M README.md"]


# --- 5. a store left behind by a change of SCAFFOLD_HOME ---------------------------------


def test_an_old_store_that_still_exists_is_left_for_the_current_one(
    fake_package: Ship, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_package(TINY_TEMPLATE, "1.0.0")
    project = _new(tmp_path, monkeypatch)
    recorded = (project / ".copier-answers.yml").read_text()
    old_store = Path(recorded.split("_src_path: ")[1].split()[0].strip('"'))
    new_home = tmp_path / "new-home"
    monkeypatch.setenv("SCAFFOLD_HOME", str(new_home))  # the old store stays where it is
    fake_package({**TINY_TEMPLATE, "settings.txt": "color = blue\nsize = large\n"}, "1.1.0")

    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    assert "Already up to date" not in result.output
    assert "Updated 1.0.0 -> 1.1.0" in result.output
    assert f"Template source {old_store} ->" in " ".join(result.output.split())
    answers = (project / ".copier-answers.yml").read_text().replace('"', "")
    assert f"_src_path: {new_home / 'templates' / 'fastapi'}" in answers
    assert (project / "settings.txt").read_text().endswith("size = large\n")
    assert old_store.is_dir()


# --- 6. a broken .copier-answers.yml -------------------------------------------------------


@pytest.fixture
def tiny(fake_package: Ship, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    fake_package(TINY_TEMPLATE, "1.0.0")
    return _new(tmp_path, monkeypatch)


def test_answers_file_with_a_yaml_error_names_file_and_line(tiny: Path) -> None:
    answers = tiny / ".copier-answers.yml"
    lines = answers.read_text().count("\n")
    _append(answers, "foo: [unclosed\n", "break it")
    result = runner.invoke(app, ["update", str(tiny)])
    assert result.exit_code == 2, result.output
    first = result.output.splitlines()[0]
    assert f".copier-answers.yml:{lines + 2}: not valid YAML" in " ".join(result.output.split())
    assert first.startswith("error:")
    assert "unexpected error" not in result.output and "Traceback" not in result.output


def test_answers_file_that_is_not_a_mapping(tiny: Path) -> None:
    (tiny / ".copier-answers.yml").write_text("- one\n- two\n")
    _commit(tiny, "a list")
    result = runner.invoke(app, ["update", str(tiny)])
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "must be a mapping of question: answer" in output and "holds a list" in output
    assert "unversioned" not in output


def test_unknown_recorded_answers_are_reported(tiny: Path, fake_package: Ship) -> None:
    _append(tiny / ".copier-answers.yml", "colour_scheme: dark\n", "an answer of our own")
    fake_package({**TINY_TEMPLATE, "settings.txt": "color = blue\nsize = large\n"}, "1.1.0")
    result = runner.invoke(app, ["update", str(tiny)])
    assert result.exit_code == 0, result.output
    assert "dropped answer: colour_scheme - the template has no such question" in result.output
    assert "colour_scheme" not in (tiny / ".copier-answers.yml").read_text()


# --- 8. pretend on a dirty tree; paths that are no project ---------------------------------


def test_pretend_runs_on_a_dirty_tree_and_says_so(tiny: Path, fake_package: Ship) -> None:
    fake_package({**TINY_TEMPLATE, "settings.txt": "color = blue\nsize = large\n"}, "1.1.0")
    (tiny / "notes.txt").write_text("not committed yet")
    result = runner.invoke(app, ["update", str(tiny), "--pretend"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "the tree has uncommitted changes (1 file)" in output
    assert "+size = large" in result.output
    assert (tiny / "notes.txt").read_text() == "not committed yet"
    assert (tiny / "settings.txt").read_text() == "color = blue\nsize = small\n"


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    result = runner.invoke(app, ["update", str(tmp_path / "nosuchdir")])
    assert result.exit_code == 2
    assert "nosuchdir does not exist" in " ".join(result.output.split())


def test_a_path_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    result = runner.invoke(app, ["update", str(tmp_path / "a-file")])
    assert result.exit_code == 2
    assert "a-file is not a folder" in " ".join(result.output.split())


# --- the shared copier-error translator ----------------------------------------------------


def test_copier_answer_errors_name_the_question() -> None:
    with (
        pytest.raises(BadInput) as caught,
        copier_errors("x", answer_hint="--data {key}=V", ask_hint=""),
    ):
        raise ValueError("Validation error for question 'project_slug': bad\n  name")
    assert caught.value.message == "the answer to 'project_slug' is refused: bad name"
    assert caught.value.hint == "--data project_slug=V"


def test_other_copier_value_errors_are_not_answer_errors() -> None:
    with (
        pytest.raises(ScaffoldError) as caught,
        copier_errors("the template could not be rendered", answer_hint="fix {key}", ask_hint=""),
    ):
        raise ValueError("Local template must be a directory.")
    assert not isinstance(caught.value, BadInput)
    assert caught.value.message == (
        "the template could not be rendered: Local template must be a directory."
    )
    assert caught.value.hint is None


def test_plain_copier_update_would_change_the_answer_silently(
    fake_package: Ship, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why scaffold checks first: copier replaces a refused answer by the default."""
    import sys

    v1 = {**TINY_TEMPLATE, "copier.yml": TINY_TEMPLATE["copier.yml"] + DATABASE_V1}
    fake_package(v1, "1.0.0")
    project = _new(tmp_path, monkeypatch, "project_slug=pg_shop", "database=postgresql")
    fake_package({**v1, "copier.yml": TINY_TEMPLATE["copier.yml"] + DATABASE_V2}, "1.1.0")
    from scaffold import store
    from scaffold.frameworks import Framework

    store.sync(Framework.fastapi)
    copier = Path(sys.executable).with_name("copier")
    done = subprocess.run(
        [str(copier), "update", "--defaults"], cwd=project, capture_output=True, check=False
    )
    assert done.returncode == 0
    assert "database: sqlite" in (project / ".copier-answers.yml").read_text()


def test_the_owners_own_file_in_a_folder_the_template_drops_is_kept(
    fake_package: Ship, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = {"{% if admin %}admin{% endif %}/panel.py": "PANEL = True\n"}
    fake_package({**TINY_TEMPLATE, **folder}, "1.0.0")
    project = _new(tmp_path, monkeypatch, "admin=true")
    (project / "admin" / "extra.py").write_text("MINE = True\n")
    _commit(project, "my own admin module")

    result = runner.invoke(app, ["update", str(project), "-d", "admin=false"])
    assert result.exit_code == 0, result.output
    assert "Updated with template 1.0.0 (same version, new answers)" in result.output
    assert (project / "admin" / "extra.py").read_text() == "MINE = True\n"
    assert "kept:" not in result.output  # copier leaves files it never made alone
    assert not (project / "admin" / "panel.py").exists()


def test_ask_needs_a_terminal(tiny: Path) -> None:
    result = runner.invoke(app, ["update", str(tiny), "--ask"])
    assert result.exit_code == 2
    assert "--ask needs a terminal" in result.output
    assert git("status", "--porcelain", cwd=tiny) == ""


def test_new_names_the_refused_answer_through_the_shared_translator(
    fake_package: Ship, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_package({**TINY_TEMPLATE, "copier.yml": TINY_TEMPLATE["copier.yml"] + DATABASE_V2})
    monkeypatch.chdir(tmp_path)
    answers = ["-d", "project_slug=pg_app", "-d", "database=postgresql"]
    result = runner.invoke(app, ["new", "app", "-f", "fastapi", "--defaults", *answers])
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "the answer to 'database' is refused: PostgreSQL reserves role names" in output
    assert "--data database=VALUE" in output
    assert not (tmp_path / "app").exists()
