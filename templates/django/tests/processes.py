"""Commands some tests run in a fresh interpreter (the app stopping with one line, `manage.py
check --deploy`...), run ahead of time on a background thread.

Such a test mostly waits for Python to start and import Django, a fifth of a second to a
second each. A test module declares each command when it is imported (``declare``, naming the
test that reads it); once the tests are collected, one thread runs the commands of the
selected tests one after another, on the second core while the other tests run on the first.
A test then takes the result of its own command (``result``), which runs it right away if the
thread has not got to it yet, or waits for it if the thread is running it: every command runs
once, with the environment it was declared with.
"""

import subprocess
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

TIMEOUT_SECONDS = 120


class Command:
    """One declared command and, once it ran, its result."""

    def __init__(
        self, test: str, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str]
    ) -> None:
        self.test = test
        self.argv = list(argv)
        self.cwd = cwd
        self.env = dict(env)
        self._lock = threading.Lock()
        self._result: subprocess.CompletedProcess[str] | None = None

    def run(self) -> subprocess.CompletedProcess[str]:
        """The result, running the command first unless it already ran."""
        with self._lock:
            if self._result is None:
                self._result = subprocess.run(
                    self.argv,
                    cwd=self.cwd,
                    env=self.env,
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT_SECONDS,
                    check=False,
                )
            return self._result


_commands: dict[str, Command] = {}
_stop = threading.Event()
_threads: list[threading.Thread] = []


def declare(key: str, test: str, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> str:
    """Declare the command ``test`` reads as ``result(key)``; return ``key``."""
    if key in _commands:
        raise ValueError(f"command {key!r} is declared twice")
    _commands[key] = Command(test, argv, cwd=cwd, env=env)
    return key


def result(key: str) -> subprocess.CompletedProcess[str]:
    """What the command declared as ``key`` did (stdout, stderr and exit status)."""
    return _commands[key].run()


def start(selected_tests: Iterable[str]) -> None:
    """Run the commands of the selected tests (by function name) on a background thread."""
    names = set(selected_tests)
    commands = [command for command in _commands.values() if command.test in names]
    if not commands:
        return

    def run_all() -> None:
        for command in commands:
            if _stop.is_set():
                return
            command.run()

    thread = threading.Thread(target=run_all, name="test-processes", daemon=True)
    _threads.append(thread)
    thread.start()


def stop() -> None:
    """Start no further command and wait for the one running (at the end of the session)."""
    _stop.set()
    for thread in _threads:
        thread.join()
