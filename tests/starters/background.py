"""Real Redis servers and Celery workers for the tests of `tasks` and `realtime`.

``RedisServer`` starts Debian's ``redis-server`` on a free loopback port, without
persistence, and stops it afterwards (``stop`` mid-test is "Redis is down"). Without a
``redis-server`` binary the tests skip, unless ``SCAFFOLD_REQUIRE_REDIS=1`` (CI), which
makes them fail. ``Worker`` runs a project's ``make worker`` in its own process group, so
a test can SIGKILL the whole worker in the middle of a job.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import pytest

from .harness import free_port, kill_process_group

REQUIRE_REDIS_VARIABLE = "SCAFFOLD_REQUIRE_REDIS"
START_TIMEOUT = 20.0


def redis_server_binary() -> str:
    """The ``redis-server`` executable; skip (or fail when required) without one."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (Debian: apt-get install redis-server)"
        if os.environ.get(REQUIRE_REDIS_VARIABLE) == "1":
            pytest.fail(f"{message}; {REQUIRE_REDIS_VARIABLE}=1 requires it")
        pytest.skip(message)
    return binary


def redis_command(port: int, *args: str, timeout: float = 5) -> bytes:
    """Send one command to the Redis server on ``port`` (RESP) and return the raw reply."""
    request = f"*{len(args)}\r\n".encode()
    for arg in args:
        data = arg.encode()
        request += b"$%d\r\n%s\r\n" % (len(data), data)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(request)
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            reply += chunk
    return reply


@dataclass
class RedisServer:
    """``with RedisServer() as redis: redis.url``; ``redis.stop()`` takes it down early."""

    port: int = field(default_factory=free_port)
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        command = [
            redis_server_binary(),
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--save", "",
            "--appendonly", "no",
            "--protected-mode", "yes",
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if redis_command(self.port, "PING", timeout=1).startswith(b"+PONG"):
                    return
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            kill_process_group(process)

    def keys(self, pattern: str = "*") -> list[str]:
        """The key names matching ``pattern`` (a small reply parser for ``KEYS``)."""
        reply = redis_command(self.port, "KEYS", pattern)
        lines = reply.split(b"\r\n")
        return [line.decode() for line in lines[2::2] if line]


@dataclass
class Worker:
    """A project's ``make worker`` in its own process group, logging to ``log_path``."""

    project: Path
    env: dict[str, str]
    log_path: Path
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    def __enter__(self) -> Worker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            ["make", "--no-print-directory", "worker"],
            cwd=self.project,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def log(self) -> str:
        try:
            return self.log_path.read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def kill(self) -> None:
        """SIGKILL the whole worker (make, the Celery main process and its children)."""
        process, self._process = self._process, None
        if process is not None:
            kill_process_group(process)

    def stop(self) -> None:
        """A warm shutdown (SIGTERM), then SIGKILL whatever is left after 10 s."""
        process = self._process
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        self.kill()
