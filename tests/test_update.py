"""Update round trips: a newer template comes in, the owners' work stays."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from tests.conftest import TINY_TEMPLATE, git

runner = CliRunner()

V2 = {**TINY_TEMPLATE, "settings.txt": "color = blue\nsize = large\n"}


@pytest.fixture
def project(
    fake_package: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A project generated from version 1.0.0 of the tiny template, with a user commit."""
    fake_package(TINY_TEMPLATE, "1.0.0")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "tinyapp", "-f", "fastapi", "--defaults"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "tinyapp"
    readme = path / "README.md"
    readme.write_text(readme.read_text().replace("line two", "line two, edited by me"))
    git("commit", "-qam", "my edit", cwd=path)
    return path


def _copier_update(path: Path) -> subprocess.CompletedProcess[str]:
    copier = Path(sys.executable).with_name("copier")
    return subprocess.run(
        [str(copier), "update", "--defaults", "--skip-answered"],
        cwd=path,
        capture_output=True,
        text=True,
        check=False,
    )


def test_project_records_a_resolvable_source(project: Path) -> None:
    answers = (project / ".copier-answers.yml").read_text()
    assert "_commit: 1.0.0" in answers
    src = next(
        line.split(": ", 1)[1] for line in answers.splitlines() if line.startswith("_src_path")
    )
    assert Path(src).is_absolute() and (Path(src) / ".git").is_dir()


def test_scaffold_update_brings_the_new_version_and_keeps_edits(
    project: Path, fake_package: Callable[..., Path]
) -> None:
    fake_package(V2, "1.1.0")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    assert "1.0.0 -> 1.1.0" in result.output
    assert (project / "settings.txt").read_text() == "color = blue\nsize = large\n"
    assert "line two, edited by me" in (project / "README.md").read_text()
    assert "_commit: 1.1.0" in (project / ".copier-answers.yml").read_text()


def test_plain_copier_update_works_after_an_upgrade(
    project: Path, fake_package: Callable[..., Path]
) -> None:
    fake_package(V2, "1.1.0")
    from scaffold import store
    from scaffold.frameworks import Framework

    store.sync(Framework.fastapi)  # what any scaffold command of the new version does first
    result = _copier_update(project)
    assert result.returncode == 0, result.stderr
    assert (project / "settings.txt").read_text() == "color = blue\nsize = large\n"
    assert "line two, edited by me" in (project / "README.md").read_text()


def test_conflicting_edit_keeps_both_sides_between_markers(
    project: Path, fake_package: Callable[..., Path]
) -> None:
    (project / "settings.txt").write_text("color = blue\nsize = medium, my choice\n")
    git("commit", "-qam", "my size", cwd=project)
    fake_package(V2, "1.1.0")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    assert "Conflicts" in result.output and "settings.txt" in result.output
    text = (project / "settings.txt").read_text()
    assert "<<<<<<< before updating" in text and ">>>>>>> after updating" in text
    assert "size = medium, my choice" in text
    assert "size = large" in text


def test_pretend_shows_the_diff_and_changes_nothing(
    project: Path, fake_package: Callable[..., Path]
) -> None:
    fake_package(V2, "1.1.0")
    head = git("rev-parse", "HEAD", cwd=project)
    result = runner.invoke(app, ["update", str(project), "--pretend"])
    assert result.exit_code == 0, result.output
    assert "+size = large" in result.output
    assert "Pretend update 1.0.0 -> 1.1.0: 2 files would change." in result.output
    assert (project / "settings.txt").read_text() == "color = blue\nsize = small\n"
    assert git("status", "--porcelain", cwd=project) == ""
    assert git("rev-parse", "HEAD", cwd=project) == head


def test_pretend_shows_a_conflict_as_a_change_of_the_file(
    project: Path, fake_package: Callable[..., Path]
) -> None:
    (project / "settings.txt").write_text("color = blue\nsize = medium, my choice\n")
    git("commit", "-qam", "my size", cwd=project)
    fake_package({**V2, "NEWS.md": "news\n"}, "1.1.0")
    result = runner.invoke(app, ["update", str(project), "--pretend"])
    assert result.exit_code == 0, result.output
    hunk = result.output[result.output.index("diff --git a/settings.txt") :]
    assert "new file mode" not in hunk.split("diff --git")[1]
    assert "+<<<<<<< before updating\n size = medium, my choice\n+=======\n+size = large" in hunk
    assert "diff --git a/NEWS.md b/NEWS.md\nnew file mode" in result.output
    assert "Conflicts" in result.output and "settings.txt" in result.output
    assert git("status", "--porcelain", cwd=project) == ""


def test_dirty_tree_is_refused_with_a_hint(
    project: Path, fake_package: Callable[..., Path]
) -> None:
    fake_package(V2, "1.1.0")
    (project / "notes.txt").write_text("not committed yet")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 2
    assert "uncommitted changes" in result.output and "hint:" in result.output
    assert (project / "settings.txt").read_text() == "color = blue\nsize = small\n"
    assert (project / "notes.txt").read_text() == "not committed yet"


def test_missing_source_is_a_clear_error(project: Path, tmp_path: Path) -> None:
    answers = project / ".copier-answers.yml"
    lines = answers.read_text().splitlines()
    moved = tmp_path / "gone" / "template"
    answers.write_text(
        "\n".join(f"_src_path: {moved}" if ln.startswith("_src_path") else ln for ln in lines)
        + "\n"
    )
    git("commit", "-qam", "point elsewhere", cwd=project)
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 1
    assert "no longer exists" in result.output
    assert "Traceback" not in result.output


def test_template_source_repoints_the_project(
    project: Path, fake_package: Callable[..., Path], tmp_path: Path
) -> None:
    """A team moves to a shared template repository that holds the same history."""
    fake_package(V2, "1.1.0")
    from scaffold import store
    from scaffold.frameworks import Framework

    shared = tmp_path / "shared-template"
    git("clone", "-q", str(store.sync(Framework.fastapi).path), str(shared), cwd=tmp_path)
    result = runner.invoke(app, ["update", str(project), "--template-source", str(shared)])
    assert result.exit_code == 0, result.output
    assert f"_src_path: {shared}" in (project / ".copier-answers.yml").read_text().replace('"', "")
    assert (project / "settings.txt").read_text().endswith("size = large\n")


@pytest.mark.parametrize("pretend", [[], ["--pretend"]])
def test_up_to_date_project(project: Path, pretend: list[str]) -> None:
    result = runner.invoke(app, ["update", str(project), *pretend])
    assert result.exit_code == 0, result.output
    assert "Already up to date (1.0.0)." in result.output
    assert "diff" not in result.output


def test_a_subfolder_of_a_project_points_at_its_root(project: Path) -> None:
    (project / "docs").mkdir()
    result = runner.invoke(app, ["update", str(project / "docs")])
    assert result.exit_code == 2
    assert "inside a generated project, not at its root" in result.output
    assert f"scaffold update {project}" in result.output


def test_not_a_project(tmp_path: Path) -> None:
    result = runner.invoke(app, ["update", str(tmp_path)])
    assert result.exit_code == 2
    assert "copier-answers" in result.output


def test_round_trip_with_the_real_fastapi_template(
    fake_package: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version B of the real starter comes in; the owners' edit and their .env stay."""
    from tests.conftest import TEMPLATES

    real = {
        str(p.relative_to(TEMPLATES / "fastapi")): p.read_text()
        for p in (TEMPLATES / "fastapi").rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.suffix not in {".pyc", ".ico", ".png", ".woff2"}
    }
    fake_package(real, "1.0.0")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["new", "shop", "-f", "fastapi", "--defaults"]).exit_code == 0
    project = tmp_path / "shop"
    secret_env = (project / ".env").read_text()
    makefile = project / "Makefile"
    makefile.write_text(makefile.read_text() + "\ndeploy:\n\techo 'our own target'\n")
    git("commit", "-qam", "our deploy target", cwd=project)

    readme = "README.md.jinja"
    fake_package({**real, readme: real[readme] + "\nA paragraph added in version B.\n"}, "1.1.0")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    assert "A paragraph added in version B." in (project / "README.md").read_text()
    assert "our own target" in makefile.read_text()
    assert (project / ".env").read_text() == secret_env
    assert not _conflicted(project)


def _conflicted(project: Path) -> list[str]:
    return [ln for ln in git("status", "--porcelain", cwd=project).splitlines() if ln[:2] == "UU"]


def test_wrong_template_source_changes_nothing(project: Path, tmp_path: Path) -> None:
    head = git("rev-parse", "HEAD", cwd=project)
    answers = (project / ".copier-answers.yml").read_text()
    result = runner.invoke(
        app, ["update", str(project), "--template-source", str(tmp_path / "nowhere")]
    )
    assert result.exit_code == 1
    assert "no longer exists" in result.output
    assert git("rev-parse", "HEAD", cwd=project) == head
    assert (project / ".copier-answers.yml").read_text() == answers
