"""`make serve`: granian comes up with the threads the Makefile chose, and no warning."""

import contextlib
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
MAKE = shutil.which("make") or "make"
THREADS = "--blocking-threads 2 --backpressure 2"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _output_until_started(server: subprocess.Popen[bytes], give_up_after: float) -> str:
    assert server.stdout is not None
    output = b""
    deadline = time.monotonic() + give_up_after
    while b"Started worker-1" not in output and time.monotonic() < deadline:
        ready, _, _ = select.select([server.stdout], [], [], 1)
        if ready:
            chunk = os.read(server.stdout.fileno(), 65536)
            if not chunk:  # make ended: the server did not start
                break
            output += chunk
    return output.decode(errors="replace")


def _stop(server: subprocess.Popen[bytes]) -> None:
    # The whole process group (make, granian, its workers); SIGKILL if SIGTERM is not enough.
    for stop in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):  # every one of them has ended already
            os.killpg(server.pid, stop)
        try:
            server.communicate(timeout=15)
            return
        except subprocess.TimeoutExpired:
            continue


def _make_serve(folder: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "ENVIRONMENT": "development",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{folder / 'serve.db'}",
        "HOST": "127.0.0.1",
        "PORT": str(_free_port()),
        "WEB_CONCURRENCY": "1",
    }
    return subprocess.Popen(
        [MAKE, "--no-print-directory", f"PYTHON={sys.executable}", "serve"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped below with all its workers
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.started_early(launch=_make_serve)
def test_make_serve_starts_granian_without_the_thread_warning(
    early_process: subprocess.Popen[bytes],
) -> None:
    server = early_process
    try:
        output = _output_until_started(server, give_up_after=90)
    finally:
        _stop(server)
    assert "Started worker-1" in output, output
    assert THREADS in output.replace("\\\n\t", ""), output
    # granian warns when a worker may run more Python threads than 2 x cores + 1.
    assert "Python threads" not in output, output
