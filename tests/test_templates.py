"""The three copier templates: shared questions, every option value, no --trust needed.

The heavy checks (fresh virtual environments, the generated test suites, the HTTP
contract over real servers) are in tests/starters/.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import Settings, run_copy
from pytest_copier.plugin import CopierFixture

from tests.conftest import FRAMEWORKS, TEMPLATES, git

COMMON = re.compile(r"# --- common questions.*?# --- end of common questions[^\n]*\n", re.S)
JINJA_LEFT = re.compile(r"{{|{%|{#|}}|%}")


def _questions(framework: str) -> dict[str, Any]:
    config = yaml.safe_load((TEMPLATES / framework / "copier.yml").read_text())
    return {k: v for k, v in config.items() if not k.startswith("_")}


def _option_values(framework: str) -> list[tuple[str, Any]]:
    """Every value of every bool or multiple-choice question, other than its default."""
    values = []
    for key, question in _questions(framework).items():
        if question.get("type") == "bool":
            choices: list[Any] = [True, False]
        elif isinstance(question.get("choices"), dict):
            choices = list(question["choices"].values())
        elif isinstance(question.get("choices"), list):
            choices = list(question["choices"])
        else:
            continue
        values += [(key, value) for value in choices if value != question.get("default")]
    return values


@pytest.fixture(scope="session")
def template_repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each template copied into a git repository tagged 99.0.0, as pytest-copier does."""
    repos = {}
    for framework in FRAMEWORKS:
        repo = tmp_path_factory.mktemp(f"template-{framework}")
        subprocess.run(["cp", "-a", f"{TEMPLATES / framework}/.", str(repo)], check=True)
        git("init", "-q", cwd=repo)
        git("add", "-A", cwd=repo)
        git("-c", "user.name=t", "-c", "user.email=t@t.t", "commit", "-qm", "t", cwd=repo)
        git("tag", "99.0.0", cwd=repo)
        repos[framework] = repo
    return repos


def test_common_questions_are_identical() -> None:
    blocks = {fw: COMMON.findall((TEMPLATES / fw / "copier.yml").read_text()) for fw in FRAMEWORKS}
    assert all(len(found) == 1 for found in blocks.values()), "one common block per template"
    assert blocks["django"] == blocks["flask"] == blocks["fastapi"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_spec_questions_present(framework: str) -> None:
    questions = _questions(framework)
    for key in (
        "project_name", "project_slug", "description", "author_name", "author_email",
        "python_version", "database", "admin", "docker", "ci",
    ):  # fmt: skip
        assert key in questions, key
    assert questions["database"]["default"] == "sqlite"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_no_features_that_need_trust(framework: str) -> None:
    config = yaml.safe_load((TEMPLATES / framework / "copier.yml").read_text())
    assert not {"_tasks", "_migrations", "_jinja_extensions"} & set(config)


def _assert_rendered_clean(project: Path) -> None:
    for path in project.rglob("*"):
        if ".git" in path.parts:
            continue
        assert not JINJA_LEFT.search(path.name), f"unrendered name: {path}"
        if path.is_file() and path.suffix not in {".ico", ".png", ".woff", ".woff2"}:
            try:
                text = path.read_text()
            except UnicodeDecodeError:
                continue
            if path.suffix in {".js", ".css", ".map", ".html"}:
                continue  # vendored assets and Jinja2 pages legitimately contain braces
            assert "{{ " not in text and "{%" not in text, f"unrendered text in {path}"


def _ruff(project: Path) -> None:
    for args in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "."],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"ruff {args[0]} in {project}:\n{result.stdout}"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_renders_with_defaults_without_trust(
    framework: str, template_repos: dict[str, Path], tmp_path: Path
) -> None:
    run_copy(
        str(template_repos[framework]),
        tmp_path / "out",
        defaults=True,
        unsafe=False,
        settings=Settings(),
        quiet=True,
    )
    project = tmp_path / "out"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "99.0.0"
    assert answers["project_slug"] == "my_project"
    _assert_rendered_clean(project)
    _ruff(project)


@pytest.mark.parametrize(
    ("framework", "key", "value"),
    [(fw, key, value) for fw in FRAMEWORKS for key, value in _option_values(fw)],
)
def test_renders_every_option_value(
    framework: str,
    key: str,
    value: Any,
    template_repos: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copier = CopierFixture(template=template_repos[framework], defaults={}, monkeypatch=monkeypatch)
    project = copier.copy(tmp_path / "out", **{key: value})
    assert project.answers[key] == value
    _assert_rendered_clean(project.path)
    _ruff(project.path)


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("slug", ["123abc", "os", "django", "../escape", "my app"])
def test_template_rejects_bad_slugs_on_its_own(
    framework: str, slug: str, template_repos: dict[str, Path], tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="project_slug"):
        run_copy(
            str(template_repos[framework]),
            tmp_path / "out",
            data={"project_slug": slug},
            defaults=True,
            unsafe=False,
            settings=Settings(),
            quiet=True,
        )
    assert not (tmp_path / "out").exists()
