"""`scaffold new` answered by hand, through a real pseudo-terminal (pexpect)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import git

DOWN, SPACE, ENTER, CTRL_C = "\x1b[B", " ", "\r", "\x03"


def _spawn(cwd: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "LINES": "40"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "scaffold", *args],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )


def test_new_by_hand(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "new", "myshop")
    child.expect("What does this project need")
    child.send(SPACE)  # server-rendered HTML pages
    child.send(DOWN)
    child.send(SPACE)  # admin panel
    child.send(ENTER)
    child.expect("already know")
    child.send(ENTER)
    child.expect("recommended")
    child.expect("Which framework")
    child.send(DOWN)  # not the recommendation (Django): the second place, Flask
    child.send(ENTER)
    # The template's own questions: take every default.
    while True:
        index = child.expect([r"\?", "Created", pexpect.EOF])
        if index == 0:
            child.send(ENTER)
            continue
        break
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    project = tmp_path / "myshop"
    answers = (project / ".copier-answers.yml").read_text()
    assert "project_name: myshop" in answers
    assert "flask" in answers  # the store path names the framework
    assert "admin: true" in answers  # suggested by the admin need
    assert git("status", "--porcelain", cwd=project) == ""


@pytest.mark.parametrize("stage", ["decision", "template"])
def test_ctrl_c_leaves_nothing(tmp_path: Path, stage: str) -> None:
    child = _spawn(tmp_path, "new", "halfway", *(["-f", "fastapi"] if stage == "template" else []))
    child.expect("What does this project need" if stage == "decision" else r"\?")
    if stage == "template":
        child.send(ENTER)  # answer one question, then give up on the next
        child.expect(r"\?")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "aborted" in (child.before or "")
    assert list(tmp_path.iterdir()) == []
