"""Shipped template history: every machine's store knows every released version."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold import history, store
from scaffold.cli import app
from scaffold.errors import ScaffoldError
from scaffold.frameworks import Framework
from tests.conftest import REPO_ROOT, TINY_TEMPLATE, git

runner = CliRunner()
V2 = {**TINY_TEMPLATE, "settings.txt": "color = blue\nsize = large\n"}
FA = Framework.fastapi


def _machine(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Act as another machine: another data folder, the same installed package."""
    monkeypatch.setenv("SCAFFOLD_HOME", str(home))


@pytest.fixture
def released(fake_package: Callable[..., Path]) -> Callable[[dict[str, str], str], Path]:
    """Ship `files` as `version` and record that release in the shipped bundle."""

    def release(files: dict[str, str], version: str) -> Path:
        fake_package(files, version)
        return history.release(FA, version, notes=f"- notes of {version}")

    return release


def test_a_release_is_a_tagged_commit_on_the_previous_one(
    released: Callable[[dict[str, str], str], Path], tmp_path: Path
) -> None:
    released(TINY_TEMPLATE, "1.0.0")
    bundle = released(V2, "1.1.0")
    assert store.released_versions(bundle) == ["1.0.0", "1.1.0"]
    clone = tmp_path / "clone"
    git("clone", "--quiet", str(bundle), str(clone), cwd=tmp_path)
    git("fetch", "--quiet", "--tags", cwd=clone)
    assert git("rev-parse", "1.1.0^", cwd=clone) == git("rev-parse", "1.0.0^{commit}", cwd=clone)
    assert git("show", "1.1.0:settings.txt", cwd=clone) == V2["settings.txt"].strip()


def test_a_released_version_is_never_rewritten(
    released: Callable[[dict[str, str], str], Path],
) -> None:
    released(TINY_TEMPLATE, "1.0.0")
    with pytest.raises(ScaffoldError, match="already released"):
        released(V2, "1.0.0")


def test_a_fresh_store_holds_every_released_version_with_the_same_commits(
    released: Callable[[dict[str, str], str], Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    released(TINY_TEMPLATE, "1.0.0")
    released(V2, "1.1.0")
    commits = []
    for machine in ("a", "b"):
        _machine(monkeypatch, tmp_path / machine)
        stored = store.sync(FA)
        assert stored.tag == "1.1.0"  # the shipped content is that release: no new commit
        assert git("tag", "--list", cwd=stored.path).split() == ["1.0.0", "1.1.0"]
        assert git("rev-list", "--count", "HEAD", cwd=stored.path) == "2"
        assert git("status", "--porcelain", cwd=stored.path) == ""
        commits.append(git("rev-parse", "1.0.0^{commit}", "1.1.0^{commit}", cwd=stored.path))
    assert commits[0] == commits[1]


def test_unreleased_changes_build_on_the_newest_release(
    released: Callable[[dict[str, str], str], Path], fake_package: Callable[..., Path]
) -> None:
    released(TINY_TEMPLATE, "1.0.0")
    fake_package({**TINY_TEMPLATE, "extra.txt": "work in progress\n"}, "1.0.0")
    stored = store.sync(FA)
    assert stored.tag == "1.0.0.post1"
    assert git("rev-parse", "HEAD^", cwd=stored.path) == git(
        "rev-parse", "1.0.0^{commit}", cwd=stored.path
    )


def test_a_tag_made_locally_before_the_history_is_kept(
    fake_package: Callable[..., Path], released: Callable[[dict[str, str], str], Path]
) -> None:
    fake_package({**TINY_TEMPLATE, "local.txt": "made here\n"}, "1.0.0")
    local = git("rev-parse", "1.0.0", cwd=store.sync(FA).path)
    released(TINY_TEMPLATE, "1.0.0")
    released(V2, "1.1.0")
    stored = store.sync(FA)
    assert stored.tag == "1.1.0"
    assert git("rev-parse", "1.0.0", cwd=stored.path) == local  # projects may record it


def test_a_project_from_another_machine_updates_here(
    released: Callable[[dict[str, str], str], Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    released(TINY_TEMPLATE, "1.0.0")
    _machine(monkeypatch, tmp_path / "alice")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["new", "shared", "-f", "fastapi", "--defaults"]).exit_code == 0
    project = tmp_path / "shared"
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("line two", "line two, by Alice"))
    git("commit", "-qam", "Alice's edit", cwd=project)

    # Bob has a newer scaffold and has never rendered the old version; Alice's store is
    # not on his machine.
    released(V2, "1.1.0")
    _machine(monkeypatch, tmp_path / "bob")
    (tmp_path / "alice").rename(tmp_path / "alice-elsewhere")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    assert "1.0.0 -> 1.1.0" in result.output
    bob_store = tmp_path / "bob" / "templates" / "fastapi"
    assert f"-> {bob_store}" in result.output.replace("\n", "")
    answers = (project / ".copier-answers.yml").read_text()
    assert f'_src_path: "{bob_store}"' in answers or f"_src_path: {bob_store}" in answers
    assert (project / "settings.txt").read_text() == V2["settings.txt"]
    assert "line two, by Alice" in readme.read_text()
    git("commit", "-qam", "Update the template", cwd=project)

    copier = Path(sys.executable).with_name("copier")
    plain = subprocess.run(
        [str(copier), "update", "--defaults"], cwd=project, capture_output=True, text=True
    )
    assert plain.returncode == 0, plain.stderr  # the recorded source resolves here now


def test_the_shipped_bundles_hold_released_versions_of_the_real_templates() -> None:
    for framework in Framework:
        bundle = REPO_ROOT / "templates" / store.HISTORY_FOLDER / f"{framework.value}.bundle"
        assert store.released_versions(bundle), f"{bundle} holds no release"


def test_a_version_unknown_here_is_a_clear_error_and_changes_nothing(
    fake_package: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_package(TINY_TEMPLATE, "1.0.0")  # never recorded as a release
    _machine(monkeypatch, tmp_path / "alice")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["new", "lonely", "-f", "fastapi", "--defaults"]).exit_code == 0
    project = tmp_path / "lonely"
    head = git("rev-parse", "HEAD", cwd=project)
    fake_package(V2, "1.1.0")
    _machine(monkeypatch, tmp_path / "bob")
    (tmp_path / "alice").rename(tmp_path / "alice-elsewhere")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 1, result.output
    assert "template version 1.0.0 is not in this machine's" in result.output.replace("\n", " ")
    assert "--template-source" in result.output
    assert git("rev-parse", "HEAD", cwd=project) == head
    assert git("status", "--porcelain", cwd=project) == ""


def test_every_released_version_is_in_the_changelog() -> None:
    changelog = (REPO_ROOT / "docs" / "changelog.md").read_text()
    bundle = REPO_ROOT / "templates" / store.HISTORY_FOLDER / "fastapi.bundle"
    for version in store.released_versions(bundle):
        assert f"\n## {version}\n" in changelog, f"docs/changelog.md says nothing of {version}"


CHANGELOG = """# Changes

## 1.1.0

### Templates

- Bigger size.

### scaffold

- A new flag.

## 1.0.0

The first version.
"""


def test_release_notes_come_from_the_changelog() -> None:
    assert history.changelog_notes(CHANGELOG, "1.1.0") == "- Bigger size."
    assert history.changelog_notes(CHANGELOG, "1.0.0") == "The first version."
    assert history.changelog_notes(CHANGELOG, "2.0.0") is None


def test_recording_needs_the_changelog_and_writes_all_or_nothing(
    fake_package: Callable[..., Path], tmp_path: Path
) -> None:
    changelog = tmp_path / "changelog.md"
    changelog.write_text(CHANGELOG)
    fake_package(TINY_TEMPLATE, "1.2.0")
    with pytest.raises(ScaffoldError, match=r"says nothing of 1\.2\.0"):
        history.record("1.2.0", changelog)
    assert not store.history_bundle(FA).exists()

    for framework in Framework:  # the fake package ships the tiny template for all three
        shipped = store.package_templates() / framework.value
        if not shipped.exists():
            shipped.symlink_to(store.package_templates() / "fastapi")
    history.release(Framework.flask, "1.1.0")
    with pytest.raises(ScaffoldError, match=r"Flask template 1\.1\.0 is already released"):
        history.record("1.1.0", changelog)
    assert not store.history_bundle(Framework.django).exists()  # nothing half-recorded


def test_an_update_shows_what_each_version_brought_in_changes(
    released: Callable[[dict[str, str], str], Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    released(TINY_TEMPLATE, "1.0.0")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["new", "noted", "-f", "fastapi", "--defaults"]).exit_code == 0
    released({**TINY_TEMPLATE, "extra.txt": "x\n"}, "1.1.0")
    released(V2, "1.2.0")
    result = runner.invoke(app, ["update", str(tmp_path / "noted"), "--pretend"])
    assert result.exit_code == 0, result.output
    assert "What template 1.1.0 changes" in result.output and "• notes of 1.1.0" in result.output
    assert result.output.index("notes of 1.1.0") < result.output.index("notes of 1.2.0")
    assert "notes of 1.0.0" not in result.output
    result = runner.invoke(app, ["update", str(tmp_path / "noted")])
    assert "• notes of 1.2.0" in result.output
