"""The compile cache: a second render compiles nothing and renders exactly the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from copier import run_copy
from copier._settings import Settings
from jinja2 import Environment, FileSystemLoader, TemplateSyntaxError

from scaffold.compile_cache import cache_dir, compiled_templates
from tests.conftest import TINY_TEMPLATE, write_tree
from tests.helpers import tagged_repo


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The sources jinja2 really parsed (a cache hit parses nothing)."""
    seen: list[str] = []
    real = Environment._parse

    def counting(self: Environment, source: str, name: str | None, filename: str | None) -> object:
        seen.append(source)
        return real(self, source, name, filename)

    monkeypatch.setattr(Environment, "_parse", counting)
    yield seen


def _template(root: Path) -> Path:
    return tagged_repo(None, write_tree(root, TINY_TEMPLATE), tag="1.0.0")


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _render(template: Path, dest: Path) -> dict[str, bytes]:
    run_copy(
        str(template), dest, data={"project_name": "Cached App"}, defaults=True, quiet=True,
        settings=Settings(), unsafe=False,
    )  # fmt: skip
    return _files(dest)


def test_a_second_render_compiles_nothing_and_renders_the_same(
    tmp_path: Path, parses: list[str]
) -> None:
    template = _template(tmp_path / "template")
    plain = _render(template, tmp_path / "plain")
    with compiled_templates(tmp_path / "cache"):
        first = _render(template, tmp_path / "first")
    assert any((tmp_path / "cache").iterdir())
    parses.clear()
    with compiled_templates(tmp_path / "cache"):
        second = _render(template, tmp_path / "second")
    assert parses == []
    assert plain == first == second
    assert b"cached_app" in second["app.py"]


def test_within_a_run_each_source_is_compiled_once(tmp_path: Path, parses: list[str]) -> None:
    env = Environment()
    with compiled_templates(tmp_path / "cache"):
        rendered = [env.from_string("{{ n }}").render(n=n) for n in range(5)]
    assert rendered == ["0", "1", "2", "3", "4"]
    assert parses == ["{{ n }}"]


def test_the_environment_is_part_of_the_key(tmp_path: Path) -> None:
    source = "{{ x }} [[ x ]]"
    with compiled_templates(tmp_path / "cache"):
        assert Environment().from_string(source).render(x=1) == "1 [[ x ]]"
    with compiled_templates(tmp_path / "cache"):
        brackets = Environment(variable_start_string="[[", variable_end_string="]]")
        assert brackets.from_string(source).render(x=1) == "{{ x }} 1"
        assert Environment(trim_blocks=True).from_string("{% if 1 %}\nA{% endif %}").render() == "A"


def test_an_unreadable_entry_is_compiled_again(tmp_path: Path) -> None:
    with compiled_templates(tmp_path / "cache"):
        Environment().from_string("Hello {{ who }}").render(who="x")
    for entry in (tmp_path / "cache").iterdir():
        entry.write_bytes(b"not marshal data")
    with compiled_templates(tmp_path / "cache"):
        assert Environment().from_string("Hello {{ who }}").render(who="you") == "Hello you"


def test_cached_code_carries_the_file_it_was_loaded_from(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        write_tree(tmp_path / folder, {"page.txt": "{{ 1 // 0 }}"})
    for folder in ("a", "b"):
        env = Environment(loader=FileSystemLoader(tmp_path / folder))
        with compiled_templates(tmp_path / "cache"):
            template = env.get_template("page.txt")
        assert template.root_render_func.__code__.co_filename == str(tmp_path / folder / "page.txt")
        with pytest.raises(ZeroDivisionError) as caught:
            template.render()
        assert str(tmp_path / folder / "page.txt") in {str(f.path) for f in caught.traceback}


def test_syntax_errors_are_not_cached(tmp_path: Path) -> None:
    for _ in range(2):
        with compiled_templates(tmp_path / "cache"), pytest.raises(TemplateSyntaxError):
            Environment().from_string("{% if %}")
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_the_patch_is_undone_after_the_block(tmp_path: Path) -> None:
    before = Environment.compile
    with compiled_templates(tmp_path / "cache"):
        assert Environment.compile is not before
    assert Environment.compile is before


def test_the_cache_lives_under_scaffold_home_or_the_xdg_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SCAFFOLD_HOME", str(tmp_path / "sh"))
    assert cache_dir() == tmp_path / "sh" / "cache" / "jinja"
    monkeypatch.delenv("SCAFFOLD_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "scaffold" / "jinja"
