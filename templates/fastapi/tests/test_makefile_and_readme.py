"""The Makefile explains itself, the README's API section shows every step, and the
pre-commit and Dependabot files are as the README says."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

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


def test_every_pre_commit_hook_runs_the_projects_own_tools() -> None:
    config = yaml.safe_load((PROJECT / ".pre-commit-config.yaml").read_text())
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    hooks = {hook["id"]: hook for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "mypy", "trailing-whitespace", "check-yaml"} <= set(hooks)
    for hook in hooks.values():
        assert hook["language"] == "system"
        assert hook["entry"].startswith("""sh -c '"${VIRTUAL_ENV:-.venv}/bin/"""), hook["id"]
        tool = hook["entry"].split("/bin/", 1)[1].split('"', 1)[0]
        assert (Path(sys.executable).parent / tool).exists(), tool
    assert hooks["mypy"]["pass_filenames"] is False


@pytest.mark.skipif(not (PROJECT / ".github").exists(), reason="no GitHub CI")
def test_dependabot_groups_python_and_actions_updates() -> None:
    config = yaml.safe_load((PROJECT / ".github" / "dependabot.yml").read_text())
    assert config["version"] == 2
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"pip", "github-actions"}
    for update in updates.values():
        assert update["directory"] == "/"
        assert update["schedule"]["interval"] == "weekly"
        [group] = update["groups"].values()
        assert group["patterns"] == ["*"]
