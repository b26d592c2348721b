"""The three copier templates: shared questions, every option value, no --trust needed.

The heavy checks (fresh virtual environments, the generated test suites, the HTTP
contract over real servers) are in tests/starters/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import Settings, run_copy
from pytest_copier.plugin import CopierFixture

from tests.conftest import FRAMEWORKS, TEMPLATES
from tests.helpers import (
    assert_no_leftover_jinja,
    copier_config,
    copier_questions,
    question_values,
    run_ruff,
    tagged_repo,
)

COMMON = re.compile(r"# --- common questions.*?# --- end of common questions[^\n]*\n", re.S)


def _option_values(framework: str) -> list[tuple[str, Any]]:
    """Every value of every bool or multiple-choice question, other than its default."""
    values = []
    for key, question in copier_questions(framework).items():
        if question.get("type") != "bool" and not isinstance(question.get("choices"), dict | list):
            continue
        if question.get("when") is False:
            continue  # never asked, only refused (Flask's `realtime`)
        choices = question_values(framework, key)
        values += [(key, value) for value in choices if value != question.get("default")]
    return values


@pytest.fixture(scope="session")
def template_repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each template copied into a git repository tagged 99.0.0, as pytest-copier does."""
    return {
        framework: tagged_repo(
            TEMPLATES / framework, tmp_path_factory.mktemp(f"template-{framework}")
        )
        for framework in FRAMEWORKS
    }


def test_common_questions_are_identical() -> None:
    blocks = {fw: COMMON.findall((TEMPLATES / fw / "copier.yml").read_text()) for fw in FRAMEWORKS}
    assert all(len(found) == 1 for found in blocks.values()), "one common block per template"
    assert blocks["django"] == blocks["flask"] == blocks["fastapi"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_spec_questions_present(framework: str) -> None:
    questions = copier_questions(framework)
    for key in (
        "project_name", "project_slug", "description", "author_name", "author_email",
        "python_version", "database", "admin", "docker", "ci",
    ):  # fmt: skip
        assert key in questions, key
    assert questions["database"]["default"] == "sqlite"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_no_features_that_need_trust(framework: str) -> None:
    config = copier_config(framework)
    assert not {"_tasks", "_migrations", "_jinja_extensions"} & set(config)


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
    assert_no_leftover_jinja(project)
    run_ruff(project)


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
    assert_no_leftover_jinja(project.path)
    run_ruff(project.path)


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
