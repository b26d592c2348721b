"""Commands some tests run in a fresh interpreter (the app refusing to start with one line,
`make serve` coming up...), run ahead of time on a background thread.

Such a test mostly waits for Python to start and import the app, a fifth of a second to a
second each. A test module declares each command when it is imported (``declare``, naming the
test that reads it); once the tests are collected (``start``, called by tests/conftest.py),
one thread runs the commands of the selected tests one after another, on the second core
while the other tests run on the first. A test then takes the result of its own command
(``result``), which runs it right away if the thread has not got to it yet, or waits for it
if the thread is running it: every command runs once, with the environment it was declared
with.

A command declared with ``until=TEXT`` is a server: it runs until its output shows TEXT (or
it ends, or TIMEOUT_SECONDS pass), then it is stopped with every process it started; its
result's ``stdout`` holds what it printed on stdout and stderr. ``folder()`` gives a command
an empty folder of its own (no .env in it), removed at the end of the session.

The same file in every starter (FastAPI, Flask, Django).
"""

import contextlib
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

TIMEOUT_SECONDS = 120


def _text(output: bytes) -> str:
    """Output as ``subprocess.run(..., text=True)`` gives it."""
    return output.decode(errors="replace").replace("\r\n", "\n").replace("\r", "\n")


def _output_until(process: subprocess.Popen[bytes], text: bytes) -> bytes:
    assert process.stdout is not None
    output = b""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while text not in output and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1)
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:  # it ended
                break
            output += chunk
    return output


def _stop(process: subprocess.Popen[bytes]) -> bytes:
    """Stop the process and those it started (its process group); what it printed that was
    not read yet."""
    rest = b""
    for stop in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):  # every one of them has ended already
            os.killpg(process.pid, stop)
        try:
            rest, _ = process.communicate(timeout=15)
            break
        except subprocess.TimeoutExpired:
            continue
    return rest or b""


class Command:
    """One declared command and, once it ran, its result."""

    def __init__(
        self,
        test: str,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        until: str | None = None,
    ) -> None:
        self.test = test
        self.argv = list(argv)
        self.cwd = cwd
        self.env = dict(env)
        self.until = until
        self._lock = threading.Lock()
        self._result: subprocess.CompletedProcess[str] | None = None
        self._error: Exception | None = None

    def run(self) -> subprocess.CompletedProcess[str]:
        """The result, running the command first unless it already ran."""
        with self._lock:
            if self._result is None and self._error is None:
                try:
                    self._result = self._run()
                except (OSError, subprocess.SubprocessError) as error:  # raised in the test
                    self._error = error
            if self._error is not None:
                raise self._error
            assert self._result is not None
            return self._result

    def _run(self) -> subprocess.CompletedProcess[str]:
        process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if self.until is None else subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with all it started
        )
        stdout = stderr = b""
        try:
            if self.until is None:
                stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
            else:
                stdout = _output_until(process, self.until.encode())
        finally:
            if self.until is not None or process.returncode is None:  # a server, or timed out
                stdout += _stop(process)
        return subprocess.CompletedProcess(
            self.argv, process.returncode, _text(stdout), _text(stderr)
        )


_commands: dict[str, Command] = {}
_folders: list[Path] = []
_stop_event = threading.Event()
_threads: list[threading.Thread] = []


def declare(
    key: str,
    test: str,
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    until: str | None = None,
) -> str:
    """Declare the command ``test`` reads as ``result(key)``; return ``key``."""
    if key in _commands:
        raise ValueError(f"command {key!r} is declared twice")
    _commands[key] = Command(test, argv, cwd=cwd, env=env, until=until)
    return key


def folder() -> Path:
    """A new empty folder for a command, removed at the end of the session."""
    path = Path(tempfile.mkdtemp(prefix="test-processes-"))
    _folders.append(path)
    return path


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
            if _stop_event.is_set():
                return
            with contextlib.suppress(Exception):  # the test raises it
                command.run()

    thread = threading.Thread(target=run_all, name="test-processes", daemon=True)
    _threads.append(thread)
    thread.start()


def stop() -> None:
    """Start no further command, wait for the one running and remove the folders (at the
    end of the session)."""
    _stop_event.set()
    for thread in _threads:
        thread.join()
    for path in _folders:
        shutil.rmtree(path, ignore_errors=True)
