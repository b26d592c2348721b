"""`make serve`: granian comes up with the threads the Makefile chose, and no warning."""

import os
import secrets
import shutil
import socket
import sys
from pathlib import Path

import pytest

from . import processes

ROOT = Path(__file__).parent.parent
MAKE = shutil.which("make") or "make"
THREADS = "--blocking-threads 2 --backpressure 2"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# `make serve` until granian says its worker started (then stopped), ahead of time.
processes.declare(
    "test_make_serve_starts_granian_without_the_thread_warning",
    "test_make_serve_starts_granian_without_the_thread_warning",
    [MAKE, "--no-print-directory", f"PYTHON={sys.executable}", "serve"],
    cwd=ROOT,
    env={
        **os.environ,
        "ENVIRONMENT": "development",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{processes.folder() / 'serve.db'}",
        "HOST": "127.0.0.1",
        "PORT": str(_free_port()),
        "WEB_CONCURRENCY": "1",
    },
    until="Started worker-1",
)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_serve_starts_granian_without_the_thread_warning() -> None:
    output = processes.result("test_make_serve_starts_granian_without_the_thread_warning").stdout
    assert "Started worker-1" in output, output
    assert THREADS in output.replace("\\\n\t", ""), output
    # granian warns when a worker may run more Python threads than 2 x cores + 1.
    assert "Python threads" not in output, output
