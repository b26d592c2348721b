"""Project names, slugs and destinations."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from scaffold.errors import BadInput
from scaffold.names import (
    LIBRARY_NAMES,
    RESERVED_NAMES,
    check_destination,
    check_folder,
    check_slug,
    slugify,
)
from tests.conftest import FRAMEWORKS
from tests.helpers import copier_questions


@pytest.mark.parametrize(
    ("name", "slug"),
    [("My Project", "my_project"), ("shop-api", "shop_api"), ("  Hello, World! ", "hello_world")],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize("slug", ["shop", "my_app2", "a"])
def test_valid_slugs(slug: str) -> None:
    assert check_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "123abc",
        "my app",
        "My_App",
        "../escape",
        "a-b",
        "_private",
        "os",
        "django",
        "sqlalchemy",
        "tests",
    ],
)
def test_invalid_slugs(slug: str) -> None:
    with pytest.raises(BadInput):
        check_slug(slug)


def _template_reserved(framework: str) -> set[str]:
    validator = copier_questions(framework)["project_slug"]["validator"]
    listed = re.search(r'in \("(.*?)"\)\.split\(\)', validator, re.S)
    assert listed, "the slug validator lists the reserved names"
    return set(listed.group(1).split())


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_templates_reserve_the_same_names_as_the_cli(framework: str) -> None:
    listed = _template_reserved(framework)
    assert listed >= LIBRARY_NAMES
    if sys.version_info[:2] == (3, 11):  # the templates list Python 3.11's standard library
        assert listed == RESERVED_NAMES


def test_destination_must_be_empty(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(BadInput, match="not empty"):
        check_destination(tmp_path / "full")
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    (tmp_path / "empty").mkdir()
    assert check_destination(tmp_path / "empty") == tmp_path / "empty"


@pytest.mark.parametrize("dest", ["../x", "a/../b", "123abc", "my app!", ".hidden"])
def test_bad_destinations(dest: str) -> None:
    with pytest.raises(BadInput):
        check_destination(Path(dest))


@pytest.mark.parametrize("folder", ["json", "Django", "tests", "flask-login"])
def test_a_folder_giving_a_reserved_package_name_is_refused(folder: str, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="gives the package name") as info:
        check_folder(tmp_path / folder)
    assert info.value.hint is not None and "project_slug" in info.value.hint
    assert check_destination(tmp_path / folder) == tmp_path / folder  # the folder itself is fine


@pytest.mark.parametrize("folder", ["my-json", "shop", "Blog.api"])
def test_a_usable_folder_passes(folder: str, tmp_path: Path) -> None:
    assert check_folder(tmp_path / folder) == tmp_path / folder


def test_the_reason_is_true_for_every_starter() -> None:
    with pytest.raises(BadInput) as info:
        check_slug("django")
    assert "the starter uses" not in info.value.message
    assert "three starters" in info.value.message
