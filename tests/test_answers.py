"""`--data` answers typed by the template's declared question types (scaffold.answers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scaffold.answers import convert, load_file, parse_pairs, questions_for, read_questions
from scaffold.errors import BadInput
from scaffold.frameworks import Framework
from tests.conftest import write_tree

QUESTIONS: dict[str, dict[str, Any]] = {
    "name": {"type": "str"},
    "flag": {"type": "bool"},
    "count": {"type": "int"},
    "ratio": {"type": "float"},
    "extra": {"type": "yaml"},
    "inferred_bool": {"default": False},
    "inferred_int": {"default": 3},
    "db": {"type": "str", "choices": {"SQLite": "sqlite", "PostgreSQL": "postgresql"}},
    "templated": {"type": "str", "choices": ["{{ name }}"]},
}


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("name", "1.10", "1.10"),
        ("name", "On", "On"),
        ("name", "012", "012"),
        ("name", "", ""),
        ("flag", "Yes", True),
        ("flag", "no", False),
        ("flag", "1", True),
        ("flag", "0", False),
        ("count", "012", 12),
        ("ratio", "1.10", 1.1),
        ("extra", "[a, b]", ["a", "b"]),
        ("inferred_bool", "true", True),
        ("inferred_int", "7", 7),
        ("db", "postgresql", "postgresql"),
        ("templated", "anything", "anything"),
        ("unasked", "On", "On"),  # the caller reports unknown questions
    ],
)
def test_text_is_converted_by_the_declared_type(key: str, text: str, value: Any) -> None:
    converted = convert({key: text}, QUESTIONS)[key]
    assert converted == value and type(converted) is type(value)


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("flag", "on", "flag is a yes/no question"),
        ("flag", "maybe", "flag is a yes/no question"),
        ("count", "many", "count expects a int value"),
        ("db", "mysql", "db must be one of sqlite, postgresql, not 'mysql'"),
        ("extra", "[unclosed", "extra expects a YAML value"),
    ],
)
def test_a_value_that_does_not_fit_is_bad_input(key: str, text: str, message: str) -> None:
    with pytest.raises(BadInput, match="^" + message.replace("(", r"\(")):
        convert({key: text}, QUESTIONS)


def test_typed_values_from_a_file_are_kept_and_numbers_become_text() -> None:
    assert convert({"flag": True, "name": 3.12, "count": 4}, QUESTIONS) == {
        "flag": True,
        "name": "3.12",
        "count": 4,
    }
    with pytest.raises(BadInput, match="db must be one of"):
        convert({"db": 5}, QUESTIONS)


def test_without_questions_the_text_passes_through() -> None:
    assert convert({"flag": "On"}, None) == {"flag": "On"}


def test_parse_pairs() -> None:
    assert parse_pairs(["a=1", " b =x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    for bad in ("novalue", "=x"):
        with pytest.raises(BadInput, match="KEY=VALUE"):
            parse_pairs([bad])


def test_questions_of_the_bundled_and_a_local_template(tmp_path: Path) -> None:
    bundled = questions_for(Framework.flask, None)
    assert bundled is not None and bundled["admin"]["type"] == "bool"
    local = write_tree(tmp_path / "t", {"copier.yml": "_skip: [x]\nname: Tiny\nflag: false\n"})
    assert read_questions(local) == {"name": {"default": "Tiny"}, "flag": {"default": False}}
    assert questions_for(Framework.flask, str(local)) == read_questions(local)
    assert questions_for(Framework.flask, "https://example.org/t.git") is None


def test_answers_file(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("_commit: x\nadmin: true\n")
    assert load_file(tmp_path / "a.yml") == {"admin": True}
    (tmp_path / "list.yml").write_text("- a\n")
    with pytest.raises(BadInput, match="mapping"):
        load_file(tmp_path / "list.yml")
