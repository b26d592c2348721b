"""The shared test helpers can fail: each finds what it is there to find."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FRAMEWORKS, write_tree
from tests.helpers import (
    TEMPLATES,
    assert_no_leftover_jinja,
    copier_questions,
    leftover_jinja,
    run_ruff,
    tagged_repo,
)


def test_leftover_jinja_is_found_but_not_in_pages_or_actions(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": "x = 1\ny = '{{ name }}'\n",
            "{% if x %}odd.txt": "",
            "web/templates/page.html": "{% block body %}{% endblock %}\n",
            ".github/workflows/ci.yml": "run: echo ${{ matrix.python }}\n",
            ".venv/lib/x.py": "{{ ignored }}\n",
        },
    )
    assert leftover_jinja(tmp_path) == [
        "app.py:2: y = '{{ name }}'",
        "file name: {% if x %}odd.txt",
    ]
    with pytest.raises(AssertionError, match=r"app\.py:2"):
        assert_no_leftover_jinja(tmp_path)


def test_run_ruff_fails_on_unformatted_code(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ok.py": "X = 1\n"})
    run_ruff(tmp_path)
    write_tree(tmp_path, {"bad.py": "X   =  1\n"})
    with pytest.raises(AssertionError, match="ruff format"):
        run_ruff(tmp_path)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_copier_questions_leave_out_settings(framework: str) -> None:
    questions = copier_questions(framework)
    assert "project_slug" in questions and not any(k.startswith("_") for k in questions)


def test_tagged_repo(tmp_path: Path) -> None:
    from tests.conftest import git

    repo = tagged_repo(TEMPLATES / "flask", tmp_path / "repo", tag="1.2.3")
    assert git("tag", "--points-at", "HEAD", cwd=repo) == "1.2.3"
    assert git("status", "--porcelain", cwd=repo) == ""
    assert (repo / "copier.yml").is_file()
