"""The Makefile explains itself and the README's API section shows every step."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).parent.parent


def _targets() -> list[str]:
    makefile = (PROJECT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY: (.*)$", makefile, flags=re.MULTILINE)
    assert phony
    return phony.group(1).split()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_bare_make_lists_every_target_with_its_purpose() -> None:
    shown = subprocess.run(
        ["make", "--no-print-directory"], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout
    listed = dict(re.findall(r"^  (\S+) +(\S.*)$", shown, flags=re.MULTILINE))
    assert sorted(listed) == sorted(_targets())
    assert listed["help"] == "list the targets"


def test_the_readme_shows_the_api_with_curl() -> None:
    readme = (PROJECT / "README.md").read_text()
    section = readme.split("\n## The API\n", 1)[1].split("\n## ", 1)[0]
    commands = " ".join(re.findall(r"^(?:TOKEN=\$\()?curl .*$", section, flags=re.MULTILINE))
    for path in ("/api/auth/register", "/api/auth/token", "/api/users/me", "/api/items"):
        assert f"localhost:8000{path}" in commands, path
    assert """-d '{"title": """ in section  # an item is created
    assert "'localhost:8000/api/items?limit=" in section  # and listed
