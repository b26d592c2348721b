"""`scaffold new` answered by hand, through a real pseudo-terminal (pexpect)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import git

DOWN, SPACE, ENTER, CTRL_C, BACKSPACE = "\x1b[B", " ", "\r", "\x03", "\x7f"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _spawn(cwd: Path, *args: str, columns: int = 120) -> pexpect.spawn:
    env = {**os.environ, "TERM": "xterm", "COLUMNS": str(columns), "LINES": "40"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "scaffold", *args],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, columns),
    )


def _give_up(child: pexpect.spawn) -> str:
    """Ctrl-C, wait for the end; the whole screen output read since the last expect."""
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1, child.before
    return ANSI.sub("", child.before or "")


def _project_name_default(child: pexpect.spawn) -> str:
    """The default copier offers for the project name: the folder's name."""
    # copier pre-fills its default on the line under the question
    child.expect(r"Human-readable project name(?:\x1b\[[0-9;?]*[A-Za-z]|\s)*([A-Za-z][\w.-]*)")
    return str(child.match.group(1))


def test_new_by_hand(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "new", "myshop")
    child.expect("What does this project need")
    child.send(SPACE)  # server-rendered HTML pages
    child.send(DOWN)
    child.send(SPACE)  # admin panel
    child.send(ENTER)
    child.expect("already know")
    assert "A built-in admin panel" in (child.before or "")  # the echo names the picks
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


def test_the_folder_default_is_a_default_not_typed_text(tmp_path: Path) -> None:
    """Point 1: typing a name replaces the default; Enter alone takes it."""
    child = _spawn(tmp_path, "new", "-f", "fastapi")
    child.expect("Project folder name")
    child.expect(r"\(Enter for myapp\)")
    child.send("blog" + ENTER)
    assert _project_name_default(child) == "blog"
    _give_up(child)

    child = _spawn(tmp_path, "new", "-f", "fastapi")
    child.expect(r"\(Enter for myapp\)")
    child.send(ENTER)
    assert _project_name_default(child) == "myapp"
    _give_up(child)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("123abc", "invalid project folder name '123abc'"),  # point 2
        ("json", "gives the package name 'json'"),  # point 3: a reserved package name
    ],
)
def test_a_bad_folder_name_is_asked_again(tmp_path: Path, typed: str, complaint: str) -> None:
    child = _spawn(tmp_path, "new", "-f", "flask")
    child.expect("Project folder name")
    child.send(typed + ENTER)
    child.expect(re.escape(complaint))  # shown under the prompt, which stays open
    assert child.isalive()
    child.send(BACKSPACE * len(typed) + "shop" + ENTER)
    assert _project_name_default(child) == "shop"  # no decision question came before
    _give_up(child)
    assert list(tmp_path.iterdir()) == []


def test_the_needs_prompt_says_how_and_the_echo_names_the_picks(tmp_path: Path) -> None:
    """Point 4, at 80 columns: no need's text is cut (point 6)."""
    child = _spawn(tmp_path, "recommend", columns=80)
    child.expect("What does this project need")
    child.expect(re.escape("(space to select, enter when done)"))
    child.expect("where start-up time and memory matter")  # the longest need, whole
    child.send(SPACE + DOWN + SPACE + ENTER)
    child.expect("already know")
    screen = " ".join(ANSI.sub("", child.before or "").split())  # the echo may wrap
    # questionary's last frame ("done (2 selections)") is erased; the line left names them
    echo = screen.rsplit("What does this project need?", 1)[1].partition("?")[0]
    assert echo.strip() == "Server-rendered HTML pages, A built-in admin panel to manage data"
    child.send(DOWN + SPACE + ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    screen = " ".join(ANSI.sub("", child.before or "").split())
    assert "Which of these does your team already know? Flask" in screen
    assert "1. Django" in screen and "--need html,admin" in screen


def test_nothing_picked_says_so_and_recommends_nothing(tmp_path: Path) -> None:
    """Point 7, by hand: no need, no known framework, so no recommended mark."""
    child = _spawn(tmp_path, "new", "plain")
    child.expect("What does this project need")
    child.send(ENTER)
    child.expect("already know")
    child.send(ENTER)
    child.expect("Nothing was asked for")
    child.expect("Which framework shall we use")
    child.expect("FastAPI")
    screen = _give_up(child)
    assert "recommended" not in screen and "points" not in screen
