"""tests/processes.py itself: a command runs once, a server is stopped once it said the
words, and a command that cannot run fails its own test."""

import os
import sys
import time
from pathlib import Path

import pytest

from . import processes


def test_a_command_runs_once_and_keeps_its_output(tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    code = "import pathlib, sys; p = pathlib.Path(sys.argv[1]); p.write_text(p.read_text() + 'x')"
    counter.write_text("")
    command = processes.Command(
        "test", [sys.executable, "-c", code, str(counter)], cwd=tmp_path, env=os.environ
    )
    first = command.run()
    assert command.run() is first
    assert first.returncode == 0, first.stderr
    assert counter.read_text() == "x"


def test_a_server_is_stopped_once_its_output_shows_the_text(tmp_path: Path) -> None:
    code = "import sys, time; sys.stderr.write('on\\n'); print('ready'); time.sleep(60)"
    command = processes.Command(
        "test", [sys.executable, "-u", "-c", code], cwd=tmp_path, env=os.environ, until="ready"
    )
    started = time.monotonic()
    result = command.run()
    assert time.monotonic() - started < 30
    assert result.returncode != 0  # stopped
    assert result.stdout.startswith("on\nready")  # stderr comes in stdout


def test_a_command_that_cannot_start_fails_its_test(tmp_path: Path) -> None:
    command = processes.Command("test", [str(tmp_path / "missing")], cwd=tmp_path, env=os.environ)
    for _ in range(2):  # the same error each time it is asked for
        with pytest.raises(FileNotFoundError):
            command.run()


def test_folders_are_empty_and_removed_at_the_end() -> None:
    folder = processes.folder()
    assert folder.is_dir()
    assert not any(folder.iterdir())
    assert folder in processes._folders  # stop() removes them
