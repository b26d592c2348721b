"""Hostile text answers: every template renders files that still parse, and says them back.

Issue 9: a description with a quote or a backslash made an invalid ``pyproject.toml``. Each
template is rendered (untrusted, no installs) with answers full of quotes, backslashes,
Jinja markers, HTML and non-ASCII text, and with a 200-character name; then every TOML,
Python, YAML and JSON file of the result must parse, the answers must come back verbatim
where a parser can read them (``pyproject.toml``, ``.copier-answers.yml``), and no
template that the app renders at run time (Django or Jinja2 pages) may carry the answers'
Jinja markers as template text.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import Settings, run_copy

from tests.conftest import FRAMEWORKS, TEMPLATES
from tests.helpers import has_question, is_page_template

#: Jinja markers that would be interpreted if an answer reached a run-time template.
VARIABLE_MARKER = "{{ hostile_variable }}"
TAG_MARKER = "{% hostile_tag %}"
COMMENT_MARKER = "{# hostile_comment #}"

HOSTILE_NAME = (
    f"Ünï \"Q\" 'S' \\ {VARIABLE_MARKER} {TAG_MARKER} {COMMENT_MARKER} <b>O'Brien</b> & ${{X}}"
)
HOSTILE_DESCRIPTION = (
    'A "quoted" \\ description {{ y }} {% raw %} """triple""" \'\'\'single\'\'\' '
    "\\n not a newline, \\u0041 not an escape, # not a comment: key: value - [list] Ⅻ 中文"
)
HOSTILE_AUTHOR = 'O\'Brien "Bob" \\ Ⅻ {{ z }} {%- endif %} <i>&amp;</i>'
#: The template's validator wants ``x@y.z`` without spaces; everything else is fair game.
HOSTILE_EMAIL = 'o\'brien+"q"\\{{w}}@exämple.com'
#: 200 characters, mostly non-ASCII and punctuation; the slug is given explicitly.
LONG_NAME = ("Ü\"\\{{ö}}'ß" * 20)[:200]

ANSWER_SETS: dict[str, dict[str, str]] = {
    "hostile": {
        "project_name": HOSTILE_NAME,
        "project_slug": "hostile_app",
        "description": HOSTILE_DESCRIPTION,
        "author_name": HOSTILE_AUTHOR,
        "author_email": HOSTILE_EMAIL,
    },
    "long-name": {
        "project_name": LONG_NAME,
        "project_slug": "hostile_app",
        "description": LONG_NAME,
        "author_name": LONG_NAME,
    },
}

#: Option combinations: the defaults (docker, ci=github), everything on, everything off.
COMBINATIONS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "all-on": {"docker": True, "ci": "github", "database": "postgresql", "admin": True},
    "all-off": {"docker": False, "ci": "none", "database": "sqlite", "admin": False},
}


def _cases() -> list[Any]:
    cases = []
    for framework in FRAMEWORKS:
        for answers_id, answers in ANSWER_SETS.items():
            for combination_id, combination in COMBINATIONS.items():
                options = dict(combination)
                if combination_id == "all-on" and has_question(framework, "html"):
                    options["html"] = True
                cases.append(
                    pytest.param(
                        (framework, {**answers, **options}),
                        id=f"{framework}-{answers_id}-{combination_id}",
                    )
                )
    return cases


def _render(framework: str, dst: Path, answers: dict[str, Any]) -> Path:
    run_copy(
        str(TEMPLATES / framework),
        dst,
        data=answers,
        defaults=True,
        unsafe=False,
        settings=Settings(),
        quiet=True,
    )
    return dst


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not {".git", ".venv"} & set(path.relative_to(root).parts):
            yield path


@pytest.fixture(scope="module", params=_cases())
def rendered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """One template rendered with one hostile answer set and one option combination."""
    framework, answers = request.param
    dst = tmp_path_factory.mktemp(f"hostile-{framework}") / "hostile_app"
    return _render(framework, dst, answers), answers


def test_every_toml_python_yaml_and_json_file_parses(
    rendered: tuple[Path, dict[str, Any]],
) -> None:
    project, _ = rendered
    broken: list[str] = []
    counts = {"toml": 0, "py": 0, "yaml": 0, "json": 0}
    for path in _files(project):
        relative = path.relative_to(project)
        suffix = path.suffix
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue  # binary asset
        try:
            if suffix == ".toml":
                tomllib.loads(text)
                counts["toml"] += 1
            elif suffix == ".py":
                # An invalid escape (``"\\ "``) is only a warning to Python, but it means
                # the string does not hold the answer verbatim: count it as broken.
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    ast.parse(text, filename=str(relative))
                counts["py"] += 1
            elif suffix in {".yml", ".yaml"}:
                list(yaml.safe_load_all(text))
                counts["yaml"] += 1
            elif suffix == ".json":
                json.loads(text)
                counts["json"] += 1
        except (
            tomllib.TOMLDecodeError,
            SyntaxError,
            SyntaxWarning,
            DeprecationWarning,
            ValueError,
            yaml.YAMLError,
        ) as exc:
            broken.append(f"{relative}: {type(exc).__name__}: {exc}")
    assert not broken, "files that no longer parse:\n" + "\n".join(broken)
    # The check must have looked at something: a pyproject, the package, the answers file.
    assert counts["toml"] >= 1, counts
    assert counts["py"] >= 5, counts
    assert counts["yaml"] >= 1, counts


def test_pyproject_says_the_answers_verbatim(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, answers = rendered
    metadata = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))["project"]
    assert metadata["description"] == answers["description"]
    authors = metadata.get("authors", [])
    assert authors, metadata
    assert authors[0]["name"] == answers["author_name"]
    # An address that no packaging tool would accept may be left out, never mangled.
    if "author_email" in answers and "email" in authors[0]:
        assert authors[0]["email"] == answers["author_email"]


def test_copier_answers_round_trip(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, answers = rendered
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert isinstance(recorded, dict), recorded
    for key, value in answers.items():
        assert recorded.get(key) == value, f"{key}: {recorded.get(key)!r} != {value!r}"


def test_dotenv_files_keep_one_setting_per_line(rendered: tuple[Path, dict[str, Any]]) -> None:
    """A name in a comment of ``.env`` / ``.env.example`` must not spill into a setting."""
    project, _ = rendered
    setting = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
    for name in (".env", ".env.example"):
        path = project / name
        if not path.exists():
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                assert setting.match(stripped), f"{name}:{number}: {line!r}"


def test_runtime_templates_do_not_carry_the_answers_as_template_text(
    rendered: tuple[Path, dict[str, Any]],
) -> None:
    """Django and Jinja2 pages get the project name as data, never pasted into the page.

    Pasted in, the name's ``{{ hostile_variable }}`` or ``{% hostile_tag %}`` would be
    interpreted (or fail to compile) when the page is rendered. ``hostile`` is a word no
    template of the starters uses, so finding it means an answer landed in the template.
    """
    project, _ = rendered
    found = []
    for path in _files(project):
        relative = path.relative_to(project)
        if not is_page_template(relative):
            continue
        text = path.read_text("utf-8", errors="replace")
        for marker in ("hostile_variable", "hostile_tag", "hostile_comment", "{{ö}}"):
            if marker in text:
                found.append(f"{relative}: {marker}")
    assert not found, "answers pasted into run-time templates:\n" + "\n".join(found)
