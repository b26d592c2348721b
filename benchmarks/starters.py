"""Requests per second of each starter's authenticated `GET /api/items/{id}`.

    python benchmarks/starters.py [--rounds 3] [--seconds 8] [--frameworks fastapi,django,flask]

For every framework: render the starter with its defaults, install it in a fresh virtual
environment (uv), migrate an SQLite database, create a user and an item, and serve it
with `make serve` (granian, production settings). Next to it, under the same granian
settings and on the same database file, a bare app of the same framework answers
`GET /items/{id}` with the same row read through the standard sqlite3 module and nothing
else: no auth, no ORM, no validation, no middleware. wrk (Debian package `wrk`) loads each
server in turn on loopback, round after round, so noise falls on both alike. The medians
go to docs/performance.md (section `starters`).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _report import machine, write_section

from tests.starters import harness

WORKERS = "2"

# The read every bare app does: one row by id through the sqlite3 module, one connection
# per server thread. `FROM items` is replaced by the starter's table name.
_SQLITE_READ = """
import os, sqlite3, threading

local = threading.local()
COLUMNS = ("id", "title", "description", "price", "owner_id", "created_at")


def fetch_item(item_id: int) -> dict | None:
    if not hasattr(local, "con"):
        local.con = sqlite3.connect(os.environ["BENCH_DB"], check_same_thread=False)
    row = local.con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM items WHERE id = ?", (item_id,)
    ).fetchone()
    return None if row is None else dict(zip(COLUMNS, row))
"""

BARE_APPS = {
    "fastapi": (
        "asgi",
        _SQLITE_READ
        + """
from fastapi import FastAPI, HTTPException

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict:
    item = fetch_item(item_id)
    if item is None:
        raise HTTPException(404)
    return item
""",
    ),
    "flask": (
        "wsgi",
        _SQLITE_READ
        + """
from flask import Flask, abort

app = Flask(__name__)


@app.get("/items/<int:item_id>")
def read_item(item_id: int) -> dict:
    item = fetch_item(item_id)
    if item is None:
        abort(404)
    return item
""",
    ),
    "django": (
        "wsgi",
        """
import os
import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="bench-only",
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["BENCH_DB"]}},
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
django.setup()

from django.db import connection  # noqa: E402
from django.http import Http404, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def read_item(request, item_id: int):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, title, description, price, owner_id, created_at FROM %s WHERE id = %%s"
            % os.environ["BENCH_TABLE"],
            [item_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Http404
    keys = ("id", "title", "description", "price", "owner_id", "created_at")
    return JsonResponse(dict(zip(keys, row)))


urlpatterns = [path("items/<int:item_id>", read_item)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

app = get_wsgi_application()
""",
    ),
}


def wrk(url: str, seconds: int, token: str | None) -> float:
    """Requests per second wrk measured (1 thread, 16 connections)."""
    command = ["wrk", "-t1", "-c16", f"-d{seconds}s", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url} answered errors under load:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def item_table(framework: str, project: Path, db: Path) -> str:
    """The starter's items table name (Django prefixes it with the app label)."""
    import sqlite3

    names: list[str] = [r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")]
    return next(n for n in names if n == "items" or n.endswith("_item") or n.endswith("_items"))


def bench(framework: str, work: Path, rounds: int, seconds: int) -> dict[str, float]:
    project = harness.render(framework, work / framework)
    harness.build_venv(project)
    db = work / f"{framework}.sqlite3"
    server = harness.Server(
        project,
        harness.sqlite_url(db),
        work / f"{framework}.log",
        overrides={"WEB_CONCURRENCY": WORKERS},
    )
    with server:
        client = harness.Client(server.base_url)
        client.post(
            "/api/auth/register", json_body={"email": "b@example.com", "password": "benchmark-pw"}
        )
        token = client.post(
            "/api/auth/token", form={"username": "b@example.com", "password": "benchmark-pw"}
        ).json()["access_token"]
        item = (
            client.with_token(token)
            .post("/api/items", json_body={"title": "Bench", "description": "x", "price": 9.5})
            .json()
        )
        table = item_table(framework, project, db)
        interface, source = BARE_APPS[framework]
        (project / "bench_bare.py").write_text(source.replace("FROM items", f"FROM {table}"))
        bare_port = harness.free_port()
        env = {**server.env(), "BENCH_DB": str(db), "BENCH_TABLE": table}
        bare = subprocess.Popen(
            [str(project / ".venv" / "bin" / "granian"), "--interface", interface,
             "--host", "127.0.0.1", "--port", str(bare_port), "--workers", WORKERS,
             "--log-level", "warning", "bench_bare:app"],
            cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            bare_url = f"http://127.0.0.1:{bare_port}/items/{item['id']}"
            for _ in range(100):
                try:
                    if (
                        harness.Client(bare_url.rsplit("/items", 1)[0])
                        .get(f"/items/{item['id']}")
                        .status
                        == 200
                    ):
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            starter_url = f"{server.base_url}/api/items/{item['id']}"
            wrk(starter_url, 2, token)  # warm both
            wrk(bare_url, 2, None)
            starter, plain = [], []
            for _ in range(rounds):
                starter.append(wrk(starter_url, seconds, token))
                plain.append(wrk(bare_url, seconds, None))
        finally:
            harness.kill_process_group(bare)
    return {"starter": statistics.median(starter), "bare": statistics.median(plain)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--frameworks", default="fastapi,django,flask")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="scaffold-rps-"))
    rows = [
        "| starter | authenticated `GET /api/items/{id}` (req/s) "
        "| bare endpoint, same read (req/s) | starter / bare |",
        "|---|---|---|---|",
    ]
    try:
        for framework in args.frameworks.split(","):
            result = bench(framework, work, args.rounds, args.seconds)
            print(framework, result, flush=True)
            rows.append(
                f"| {framework} | {result['starter']:.0f} | {result['bare']:.0f} "
                f"| {result['starter'] / result['bare']:.2f} |"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_section(
        "starters",
        "## Requests per second of the starters\n\n"
        f"Measured by `python benchmarks/starters.py --rounds {args.rounds} --seconds "
        f"{args.seconds}` ({machine()}): `make serve` (granian, {WORKERS} workers, production "
        "settings, SQLite) against a bare app of the same framework under the same granian "
        "settings reading the same row with the sqlite3 module. wrk, 1 thread, 16 "
        "connections, on loopback, sharing the 2 cores with the server; median of the "
        "rounds, starter and bare interleaved.\n\n" + "\n".join(rows) + "\n\n"
        "The starter's request does more than the bare one: it verifies the JWT, loads the "
        "user, checks ownership through the ORM, validates and serialises the response, and "
        "passes the security-header and CORS middleware.",
    )


if __name__ == "__main__":
    main()
