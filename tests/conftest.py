"""Fixtures shared by the scaffolder's tests: an isolated home, store and git identity."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, TEMPLATES

__all__ = ["FRAMEWORKS", "REPO_ROOT", "TEMPLATES", "git", "write_tree"]

FRAMEWORKS = ("django", "flask", "fastapi")
TEST_IDENTITY = ("Scaffold Tests", "tests@scaffold.example.org")


@pytest.fixture(autouse=True, scope="session")
def isolated_git(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Git sees none of the machine's settings, for the whole session (session fixtures
    included): no GIT_* variable, no system config, and a global config of our own with an
    identity, so commits work and signing or hooks of the developer's never run."""
    config = tmp_path_factory.mktemp("git") / "gitconfig"
    name, email = TEST_IDENTITY
    config.write_text(
        f"[user]\n\tname = {name}\n\temail = {email}\n"
        "[init]\n\tdefaultBranch = main\n"
        "[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        for variable in [v for v in os.environ if v.startswith("GIT_")]:
            patch.delenv(variable)
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("GIT_CONFIG_GLOBAL", str(config))
        yield config


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test gets its own HOME, data folder (template store) and copier settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("SCAFFOLD_HOME", str(home / "scaffold"))
    monkeypatch.delenv("SCAFFOLD_DEBUG", raising=False)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    return home


def git(*args: str, cwd: Path) -> str:
    """Run git in `cwd` for a test, failing loudly."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text) under `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


TINY_TEMPLATE = {
    "copier.yml": (
        "_answers_file: .copier-answers.yml\n"
        "project_name:\n  type: str\n  default: Tiny\n"
        "project_slug:\n  type: str\n"
        "  default: \"{{ project_name | lower | regex_replace('[^a-z0-9]+', '_') }}\"\n"
        "admin:\n  type: bool\n  default: false\n"
    ),
    "{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "README.md.jinja": "# {{ project_name }}\n\nline one\nline two\nline three\n",
    "app.py.jinja": 'NAME = "{{ project_slug }}"\nADMIN = {{ admin }}\n',
    "settings.txt": "color = blue\nsize = small\n",
}


@pytest.fixture
def fake_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[[dict[str, str]], Path]:
    """Make scaffold ship a tiny 'fastapi' template; call it again to ship a new version."""
    shipped = tmp_path / "shipped"

    def ship(files: dict[str, str], version: str = "1.0.0") -> Path:
        target = shipped / "fastapi"
        shutil.rmtree(target, ignore_errors=True)
        write_tree(target, files)
        monkeypatch.setattr("scaffold.store.__version__", version)
        return target

    monkeypatch.setattr("scaffold.store.package_templates", lambda: shipped)
    return ship
