"""The shared test helpers can fail: each finds what it is there to find."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FRAMEWORKS, write_tree
from tests.helpers import (
    TEMPLATES,
    assert_no_leftover_jinja,
    copier_questions,
    has_question,
    is_page_template,
    leftover_jinja,
    question_values,
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
            "web/admin_templates/login.html": "{% extends 'sqladmin/login.html' %}\n",
            "web/static/app.js": "const t = '{{ x }}';\n",
            ".github/workflows/ci.yml": "run: echo ${{ matrix.python }}\n",
            ".venv/lib/x.py": "{{ ignored }}\n",
        },
    )
    assert leftover_jinja(tmp_path) == [
        "app.py:2: y = '{{ name }}'",
        "web/static/app.js:1: const t = '{{ x }}';",
        "file name: {% if x %}odd.txt",
    ]
    with pytest.raises(AssertionError, match=r"app\.py:2"):
        assert_no_leftover_jinja(tmp_path)


@pytest.mark.parametrize(
    ("relative", "page"),
    [
        ("app/templates/base.html", True),
        ("app/admin_templates/sqladmin/login.html", True),
        ("app/templates/emails/reset.txt", True),
        ("app/templates/pages.py", False),
        ("app/static/docs/redoc-init.js", False),
        ("README.html", False),
        ("templates.html", False),
    ],
)
def test_is_page_template(relative: str, page: bool) -> None:
    assert is_page_template(Path(relative)) is page


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


def test_question_values_read_the_template(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "copier.yml": (
                "_subdirectory: t\nflag:\n  type: bool\n  default: false\n"
                "db:\n  type: str\n  choices:\n    SQLite: sqlite\n    PostgreSQL: postgresql\n"
                "ci:\n  type: str\n  choices: [none, github]\n"
            )
        },
    )
    assert question_values(tmp_path, "flag") == [False, True]
    assert question_values(tmp_path, "db") == ["sqlite", "postgresql"]
    assert question_values(tmp_path, "ci") == ["none", "github"]
    assert has_question(tmp_path, "db") and not has_question(tmp_path, "_subdirectory")
    assert has_question("fastapi", "html") and not has_question("django", "html")


def test_tagged_repo_in_place(tmp_path: Path) -> None:
    from tests.conftest import git

    repo = tagged_repo(None, write_tree(tmp_path / "t", {"copier.yml": "x: 1\n"}), tag="1.0.0")
    assert git("tag", "--points-at", "HEAD", cwd=repo) == "1.0.0"
    assert (
        git("log", "--format=%an <%ae>", cwd=repo) == "Scaffold Tests <tests@scaffold.example.org>"
    )


def test_tagged_repo(tmp_path: Path) -> None:
    from tests.conftest import git

    repo = tagged_repo(TEMPLATES / "flask", tmp_path / "repo", tag="1.2.3")
    assert git("tag", "--points-at", "HEAD", cwd=repo) == "1.2.3"
    assert git("status", "--porcelain", cwd=repo) == ""
    assert (repo / "copier.yml").is_file()
