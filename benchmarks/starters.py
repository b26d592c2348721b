"""Requests per second of each starter's item endpoints against a bare app of its framework.

    python benchmarks/starters.py [--rounds 3] [--seconds 8]
        [--frameworks fastapi,django,flask] [--database sqlite|postgres|both]

For every framework: render the starter with its defaults, install it in a fresh virtual
environment (uv) and, for each database, migrate a fresh one (an SQLite file, or a new
PostgreSQL database on the server `SCAFFOLD_TEST_POSTGRES_URL` names), register two users,
give the first 20 items and serve the starter with `make serve` (granian, production
settings). Three endpoints are loaded:

- the authenticated `GET /api/items/{id}` (one of the first user's items),
- the authenticated `GET /api/items?limit=20` (the first user's page of 20),
- the authenticated `POST /api/items` (the second user's, so the page above never grows).

Next to the starter, on the same database, a bare app of the same framework answers
`GET /items/{id}`, `GET /items?limit=20` and `POST /items` with the same SQL and nothing
else: no auth, no ORM, no validation, no middleware. It reads through the framework's usual
driver, from the starter's own virtual environment: the sqlite3 module on SQLite (Django:
its sqlite3 backend); on PostgreSQL psycopg 3 (the driver every starter ships), async with
a pool opened at startup for FastAPI, one connection per thread for Flask, Django's
postgresql backend for Django. It is served by the same granian with the same flags as the
starter's `make serve` (read from the rendered Makefile: worker count, `SERVE_THREADS` and
the rest), so only the application differs.

wrk (Debian package `wrk`, 1 thread, 16 connections) loads the servers on loopback, round
after round; in each round every endpoint is measured on the starter and then on the bare
app, so noise falls on both alike. Any answer other than 2xx stops the run. The medians go
to docs/performance.md (section `starters`), once, at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _report import machine, write_section

from tests.starters import harness

WORKERS = "2"
CONNECTIONS = 16
PAGE = 20
DATABASES = ("sqlite", "postgres")
#: Endpoint key -> (label in the report, starter path, bare path, method).
ENDPOINTS = {
    "read": ("`GET /api/items/{id}`", "/api/items/{id}", "/items/{id}", "GET"),
    "list": (f"`GET /api/items?limit={PAGE}`", f"/api/items?limit={PAGE}", f"/items?limit={PAGE}",
             "GET"),
    "create": ("`POST /api/items`", "/api/items", "/items", "POST"),
}  # fmt: skip
#: The starters' item table: SQLAlchemy's `items`, Django's `<app label>_item`.
TABLES = {"fastapi": "items", "flask": "items", "django": "items_item"}
ITEM = {"title": "Bench", "description": "a benchmark item", "price": 9.5}
_POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title": "Bench", "description": "a benchmark item", "price": 9.5}'
"""

# ------------------------------------------------------------------------- the bare apps
#
# Each bare app is one module written into the starter's directory: a shared head (the SQL,
# the same the starters' ORMs send: a row by id; the owner's count, then their page newest
# first; an INSERT returning the row), a driver part, then the framework's three routes.

_HEAD = """
import datetime, os, threading

TABLE = os.environ["BENCH_TABLE"]
READER = int(os.environ["BENCH_READER"])  # whose page GET /items lists
WRITER = int(os.environ["BENCH_WRITER"])  # who owns what POST /items creates
COLUMNS = ("id", "title", "description", "price", "owner_id", "created_at")
FIELDS = ", ".join(COLUMNS)
SQL_READ = f"SELECT {FIELDS} FROM {TABLE} WHERE id = %s"
SQL_COUNT = f"SELECT count(*) FROM {TABLE} WHERE owner_id = %s"
SQL_PAGE = (
    f"SELECT {FIELDS} FROM {TABLE} WHERE owner_id = %s "
    "ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s"
)
SQL_CREATE = (
    f"INSERT INTO {TABLE} (title, description, price, owner_id, created_at) "
    f"VALUES (%s, %s, %s, %s, %s) RETURNING {FIELDS}"
)


def as_item(row):
    item = dict(zip(COLUMNS, row))
    if isinstance(item["created_at"], datetime.datetime):
        item["created_at"] = item["created_at"].isoformat()
    return item


def page(total, rows, limit, offset):
    return {"items": [as_item(r) for r in rows], "total": total, "limit": limit, "offset": offset}


def new_row(body):
    return (body["title"], body.get("description"), body["price"], WRITER, now())
"""

_SQLITE_NOW = """
def now():  # the text the starters' ORMs store in SQLite
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
"""

_POSTGRES_NOW = """
def now():
    return datetime.datetime.now(datetime.timezone.utc)
"""

# One connection per server thread, through a DB-API driver (sqlite3 or psycopg).
_SYNC_DRIVER = """
local = threading.local()


def connection():
    con = getattr(local, "con", None)
    if con is None:
        con = local.con = CONNECT()
    return con


def fetch_item(item_id):
    row = connection().execute(SQL_READ, (item_id,)).fetchone()
    return None if row is None else as_item(row)


def list_items(limit, offset):
    con = connection()
    total = con.execute(SQL_COUNT, (READER,)).fetchone()[0]
    rows = con.execute(SQL_PAGE, (READER, limit, offset)).fetchall() if offset < total else []
    return page(total, rows, limit, offset)


def create_item(body):
    con = connection()
    row = con.execute(SQL_CREATE, new_row(body)).fetchone()
    con.commit()
    return as_item(row)
"""

_SQLITE_CONNECT = """
import sqlite3

SQL_READ, SQL_COUNT, SQL_PAGE, SQL_CREATE = (
    q.replace("%s", "?") for q in (SQL_READ, SQL_COUNT, SQL_PAGE, SQL_CREATE)
)


def CONNECT():  # with the starters' pragmas: WAL, commits that do not wait for the disk
    con = sqlite3.connect(os.environ["BENCH_DB"], check_same_thread=False, timeout=5)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    return con
"""

_PSYCOPG_CONNECT = """
import psycopg


def CONNECT():
    return psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True)
"""

# psycopg's async connections in a pool opened at startup (the lifespan below): as many as
# the FastAPI starter's SQLAlchemy pool keeps per worker.
_ASYNC_DRIVER = """
import asyncio, contextlib

import psycopg

POOL_SIZE = 15
pool: asyncio.Queue = asyncio.Queue()


@contextlib.asynccontextmanager
async def lifespan(app):
    for _ in range(POOL_SIZE):
        con = await psycopg.AsyncConnection.connect(
            os.environ["BENCH_DATABASE_URL"], autocommit=True
        )
        pool.put_nowait(con)
    yield
    while not pool.empty():
        await pool.get_nowait().close()


@contextlib.asynccontextmanager
async def connection():
    con = await pool.get()
    try:
        yield con
    finally:
        pool.put_nowait(con)


async def fetch_item(item_id):
    async with connection() as con:
        row = await (await con.execute(SQL_READ, (item_id,))).fetchone()
    return None if row is None else as_item(row)


async def list_items(limit, offset):
    async with connection() as con:
        total = (await (await con.execute(SQL_COUNT, (READER,))).fetchone())[0]
        rows = []
        if offset < total:
            rows = await (await con.execute(SQL_PAGE, (READER, limit, offset))).fetchall()
    return page(total, rows, limit, offset)


async def create_item(body):
    async with connection() as con:
        row = await (await con.execute(SQL_CREATE, new_row(body))).fetchone()
    return as_item(row)
"""

# Sync routes on SQLite (FastAPI runs them in its thread pool, as the sqlite3 module
# blocks); async routes with the async driver on PostgreSQL. ASYNC/AWAIT are filled in.
_FASTAPI_ROUTES = """
from fastapi import Body, FastAPI, HTTPException

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, LIFESPAN)


@app.get("/items/{item_id}")
ASYNCdef read_item(item_id: int) -> dict:
    item = AWAITfetch_item(item_id)
    if item is None:
        raise HTTPException(404)
    return item


@app.get("/items")
ASYNCdef read_items(limit: int = 20, offset: int = 0) -> dict:
    return AWAITlist_items(limit, offset)


@app.post("/items", status_code=201)
ASYNCdef create(body: dict = Body()) -> dict:
    return AWAITcreate_item(body)
"""

_FLASK_ROUTES = """
from flask import Flask, abort, request

app = Flask(__name__)


@app.get("/items/<int:item_id>")
def read_item(item_id):
    item = fetch_item(item_id)
    if item is None:
        abort(404)
    return item


@app.get("/items")
def read_items():
    return list_items(request.args.get("limit", 20, int), request.args.get("offset", 0, int))


@app.post("/items")
def create():
    return create_item(request.get_json()), 201
"""

# Django's own database layer (settings from the environment: the sqlite3 backend on the
# file, or the postgresql backend with psycopg), with the starter's connection settings:
# each thread keeps its connection across requests (CONN_MAX_AGE), autocommit.
_DJANGO_APP = """
import json
import urllib.parse

import django
from django.conf import settings

if os.environ.get("BENCH_DB"):
    DATABASE = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["BENCH_DB"],
        # The starter's pragmas: WAL, commits that do not wait for the disk.
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"},
        "CONN_MAX_AGE": 600,
    }
else:
    url = urllib.parse.urlsplit(os.environ["BENCH_DATABASE_URL"])
    DATABASE = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": urllib.parse.unquote(url.username or ""),
        "PASSWORD": urllib.parse.unquote(url.password or ""),
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="bench-only",
    DATABASES={"default": DATABASE},
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
django.setup()

from django.db import connection  # noqa: E402
from django.http import Http404, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def read_item(request, item_id):
    with connection.cursor() as cursor:
        cursor.execute(SQL_READ, [item_id])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    return JsonResponse(as_item(row))


def items(request):
    if request.method == "POST":
        with connection.cursor() as cursor:
            cursor.execute(SQL_CREATE, new_row(json.loads(request.body)))
            row = cursor.fetchone()
        return JsonResponse(as_item(row), status=201)
    limit = int(request.GET.get("limit", 20))
    offset = int(request.GET.get("offset", 0))
    with connection.cursor() as cursor:
        cursor.execute(SQL_COUNT, [READER])
        total = cursor.fetchone()[0]
        rows = []
        if offset < total:
            cursor.execute(SQL_PAGE, [READER, limit, offset])
            rows = cursor.fetchall()
    return JsonResponse(page(total, rows, limit, offset))


urlpatterns = [path("items/<int:item_id>", read_item), path("items", items)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

app = get_wsgi_application()
"""


def bare_source(framework: str, database: str) -> str:
    """The bare app's module for `framework` on `database`."""
    source = _HEAD + (_SQLITE_NOW if database == "sqlite" else _POSTGRES_NOW)
    if framework == "django":
        return source + _DJANGO_APP
    if framework == "fastapi" and database == "postgres":
        routes = _FASTAPI_ROUTES.replace("ASYNC", "async ").replace("AWAIT", "await ")
        return source + _ASYNC_DRIVER + routes.replace("LIFESPAN", "lifespan=lifespan")
    connect = _SQLITE_CONNECT if database == "sqlite" else _PSYCOPG_CONNECT
    source += connect + _SYNC_DRIVER
    if framework == "fastapi":
        routes = _FASTAPI_ROUTES.replace("ASYNC", "").replace("AWAIT", "")
        return source + routes.replace(", LIFESPAN", "")
    return source + _FLASK_ROUTES


# ----------------------------------------------------------------------------- serving


def serve_flags(makefile: str) -> tuple[str, list[str]]:
    """The granian interface and flags of the Makefile's `serve` recipe, less the host, the
    port, the log configuration and the application; Make variables expanded."""
    variables = dict(re.findall(r"^([A-Z_]+)\s*:?=[ \t]*(.*)$", makefile, re.M))
    recipe = re.search(r"^serve:.*\n((?:\t.*\n)+)", makefile, re.M)
    if recipe is None:
        raise SystemExit("the rendered Makefile has no `serve` recipe")
    lines = recipe.group(1).replace("\\\n", " ").splitlines()
    command = next((line for line in lines if "granian" in line), None)
    if command is None:
        raise SystemExit("the rendered Makefile's `serve` recipe does not run granian")
    tokens = shlex.split(command.split("granian", 1)[1])[:-1]  # the last one is the app
    interface, flags = "", []
    while tokens:
        token = tokens.pop(0)
        if token in ("--host", "--port", "--log-config", "--workers", "--interface"):
            value = tokens.pop(0)
            if token == "--interface":
                interface = value
        elif token.startswith("$("):
            flags += shlex.split(variables.get(token[2:-1], token))
        else:
            flags.append(token)
    leftover = [flag for flag in flags if "$" in flag]
    if leftover or not interface:
        raise SystemExit(f"cannot read the granian flags of `make serve`: {command.strip()}")
    return interface, flags


@dataclass
class Target:
    """One server under load: its base URL, its path per endpoint, the tokens it wants
    (the reader's for the reads, the writer's for `POST`)."""

    base_url: str
    paths: dict[str, str]
    token: str | None = None
    write_token: str | None = None


def wrk(target: Target, endpoint: str, seconds: int, work: Path) -> float:
    """Requests per second wrk measured (1 thread, 16 connections) on one endpoint."""
    url = target.base_url + target.paths[endpoint]
    post = ENDPOINTS[endpoint][3] == "POST"
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", url]
    token = target.write_token if post else target.token
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    if post:
        script = work / "post.lua"
        script.write_text(_POST_LUA)
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{ENDPOINTS[endpoint][3]} {url} answered errors under load:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def user(client: harness.Client, email: str) -> tuple[str, int]:
    """Register `email`; its token and id."""
    client.post("/api/auth/register", json_body={"email": email, "password": "benchmark-pw"})
    token = client.post(
        "/api/auth/token", form={"username": email, "password": "benchmark-pw"}
    ).json()["access_token"]
    return token, client.with_token(token).get("/api/users/me").json()["id"]


@contextmanager
def database(framework: str, kind: str, work: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh database: its DATABASE_URL and the bare app's variables naming it."""
    if kind == "sqlite":
        path = work / f"{framework}.sqlite3"
        path.unlink(missing_ok=True)
        yield harness.sqlite_url(path), {"BENCH_DB": str(path)}
        return
    admin_url = os.environ[harness.POSTGRES_URL_VARIABLE]
    name = harness.new_database_name(f"bench_{framework}")
    harness.create_database(admin_url, name)
    try:
        url = harness.postgres_database_url(admin_url, name)
        yield url, {"BENCH_DATABASE_URL": url}
    finally:
        harness.drop_database(admin_url, name)


def wait_ready(bare: subprocess.Popen[bytes], target: Target, log: Path) -> None:
    """Until the bare app reads the item; exit with its log when it never does."""
    last = "no answer"
    for _ in range(150):
        if bare.poll() is not None:
            break
        try:
            status = harness.Client(target.base_url).get(target.paths["read"]).status
        except OSError as exc:
            last = repr(exc)
        else:
            if status == 200:
                return
            last = f"status {status}"
        time.sleep(0.1)
    raise SystemExit(f"the bare app did not answer its read ({last}):\n{log.read_text()}")


def same_answers(targets: dict[str, Target]) -> None:
    """Exit unless the bare app lists the same page as the starter and creates items."""
    pages = {}
    for side, target in targets.items():
        client = harness.Client(target.base_url).with_token(target.token)
        answer = client.get(target.paths["list"])
        if answer.status != 200:
            raise SystemExit(f"{side} list answered {answer.status}: {answer.text}")
        body = answer.json()
        pages[side] = (body["total"], [item["id"] for item in body["items"]])
    if pages["starter"] != pages["bare"] or len(pages["bare"][1]) != PAGE:
        raise SystemExit(f"the bare app's page differs from the starter's: {pages}")
    bare = targets["bare"]
    created = harness.Client(bare.base_url).post(bare.paths["create"], json_body=ITEM)
    if created.status != 201 or created.json()["title"] != ITEM["title"]:
        raise SystemExit(f"the bare app's POST answered {created.status}: {created.text}")


def bench(
    framework: str, project: Path, kind: str, work: Path, rounds: int, seconds: int
) -> dict[str, dict[str, float]]:
    """Medians of starter and bare req/s per endpoint, for one framework on one database."""
    interface, flags = serve_flags((project / "Makefile").read_text())
    samples: dict[str, dict[str, list[float]]] = {
        endpoint: {"starter": [], "bare": []} for endpoint in ENDPOINTS
    }
    with database(framework, kind, work) as (url, bare_env):
        server = harness.Server(
            project, url, work / f"{framework}-{kind}.log", overrides={"WEB_CONCURRENCY": WORKERS}
        )
        with server:
            client = harness.Client(server.base_url)
            reader_token, reader = user(client, "reader@example.com")
            writer_token, writer = user(client, "writer@example.com")
            items = [
                client.with_token(reader_token).post("/api/items", json_body=ITEM).json()
                for _ in range(PAGE)
            ]
            item_id = str(items[0]["id"])
            bare_log = work / f"{framework}-{kind}-bare.log"
            (project / "bench_bare.py").write_text(bare_source(framework, kind))
            env = {
                **server.env(),
                **bare_env,
                "BENCH_TABLE": TABLES[framework],
                "BENCH_READER": str(reader),
                "BENCH_WRITER": str(writer),
            }
            port = harness.free_port()
            with bare_log.open("wb") as log:
                bare = subprocess.Popen(
                    [str(project / ".venv" / "bin" / "granian"), "--interface", interface,
                     "--host", "127.0.0.1", "--port", str(port), "--workers", WORKERS,
                     "--log-level", "warning", *flags, "bench_bare:app"],
                    cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
            targets = {
                # The writer posts: the reader's page stays the same 20 items all along.
                "starter": Target(
                    server.base_url,
                    {k: v[1].replace("{id}", item_id) for k, v in ENDPOINTS.items()},
                    reader_token,
                    writer_token,
                ),
                "bare": Target(
                    f"http://127.0.0.1:{port}",
                    {k: v[2].replace("{id}", item_id) for k, v in ENDPOINTS.items()},
                ),
            }
            try:
                wait_ready(bare, targets["bare"], bare_log)
                same_answers(targets)
                # A short first pass warms both servers; then the measured rounds.
                for warm in (True, *([False] * rounds)):
                    for endpoint in ENDPOINTS:
                        for side, target in targets.items():
                            rate = wrk(target, endpoint, 1 if warm else seconds, work)
                            if not warm:
                                samples[endpoint][side].append(rate)
            finally:
                harness.kill_process_group(bare)
    return {
        endpoint: {side: statistics.median(values) for side, values in sides.items()}
        for endpoint, sides in samples.items()
    }


# ------------------------------------------------------------------------------ report


def report(
    results: dict[str, dict[str, dict[str, dict[str, float]]]],
    flags: dict[str, str],
    args: argparse.Namespace,
) -> str:
    """The `starters` section of docs/performance.md."""
    names = {"fastapi": "FastAPI", "flask": "Flask", "django": "Django"}
    titles = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    command = (
        f"python benchmarks/starters.py --rounds {args.rounds} --seconds {args.seconds} "
        f"--database {args.database}"
    )
    served = "; ".join(
        f"{names.get(f, f)}: `{flags[f]}`" if flags[f] else f"{names.get(f, f)}: no extra flag"
        for f in flags
    )
    parts = [
        "## Requests per second of the starters",
        f"Measured by `{command}` ({machine()}): each starter's `make serve` (granian, "
        f"{WORKERS} workers, production settings) against a bare app of the same framework "
        "on the same database, doing the same SQL and nothing else (no auth, no ORM, no "
        "validation, no middleware). The bare app runs under the same granian with the same "
        f"flags as the starter's `make serve`, read from its Makefile ({served}). "
        f"wrk, 1 thread, {CONNECTIONS} connections, on loopback, sharing the cores with the "
        "servers; median of the rounds, starter and bare interleaved within each round. "
        f"The list is a page of {PAGE} of the caller's items, newest first, with their "
        "count; `POST` creates an item as a second user, so the page never grows.",
    ]
    for kind, per_framework in results.items():
        driver = (
            "the sqlite3 module, a connection per thread (FastAPI: sync routes in its thread "
            "pool; Django: its sqlite3 backend, connections kept as in the starter), with the "
            "starters' pragmas (WAL, synchronous=NORMAL)"
            if kind == "sqlite"
            else "psycopg 3 (FastAPI: async, a pool of 15 per worker opened at startup; "
            "Flask: a connection per thread; Django: its postgresql backend, a connection per "
            "thread kept across requests as in the starter, CONN_MAX_AGE 60 s)"
        )
        rows = [
            f"### {titles[kind]}",
            f"Bare apps through {driver}.",
            "| starter | endpoint | starter (req/s) | bare (req/s) | starter / bare |\n"
            "|---|---|---|---|---|",
        ]
        table = []
        for framework, result in per_framework.items():
            for endpoint, (label, *_) in ENDPOINTS.items():
                starter, bare = result[endpoint]["starter"], result[endpoint]["bare"]
                table.append(
                    f"| {names.get(framework, framework)} | {label} | {starter:.0f} "
                    f"| {bare:.0f} | {starter / bare:.2f} |"
                )
        rows[-1] += "\n" + "\n".join(table)
        ranking = [f"Starters on {titles[kind]}, fastest first (req/s):", ""]
        for endpoint, (label, *_) in ENDPOINTS.items():
            order = sorted(per_framework, key=lambda f: -per_framework[f][endpoint]["starter"])
            ranking.append(
                f"- {label}: "
                + " > ".join(
                    f"{names.get(f, f)} {per_framework[f][endpoint]['starter']:.0f}" for f in order
                )
            )
        rows.append("\n".join(ranking))
        parts += rows
    parts.append(
        "The starter's request does more than the bare one: it verifies the JWT, reads the "
        "account's password hash (a deleted account or an older password refuses the "
        "token), reads the item only among the caller's (`POST`: validates the body), "
        "serialises the response, and passes the request-id, proxy-header, security-header, "
        "CORS and body-limit middleware, with an access line per request."
    )
    return "\n\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--frameworks", default="fastapi,django,flask")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    frameworks = args.frameworks.split(",")
    unknown = [f for f in frameworks if f not in TABLES]
    if unknown:
        parser.error(f"unknown framework {unknown[0]!r} (known: {', '.join(TABLES)})")
    if args.rounds < 1 or args.seconds < 1:
        parser.error("--rounds and --seconds must be at least 1")
    kinds = DATABASES if args.database == "both" else (args.database,)
    if "postgres" in kinds and not os.environ.get(harness.POSTGRES_URL_VARIABLE, "").strip():
        parser.error(
            f"PostgreSQL needs {harness.POSTGRES_URL_VARIABLE} (an admin URL, e.g. "
            "postgresql://user:pw@127.0.0.1:5432/postgres), or use --database sqlite"
        )
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="scaffold-rps-"))
    results: dict[str, dict[str, dict[str, dict[str, float]]]] = {k: {} for k in kinds}
    flags: dict[str, str] = {}
    try:
        for framework in frameworks:
            project = harness.render(framework, work / framework)
            harness.build_venv(project)
            for kind in kinds:
                flags[framework] = " ".join(serve_flags((project / "Makefile").read_text())[1])
                result = bench(framework, project, kind, work, args.rounds, args.seconds)
                results[kind][framework] = result
                for endpoint, sides in result.items():
                    print(
                        f"{kind} {framework} {endpoint}: starter {sides['starter']:.0f} "
                        f"bare {sides['bare']:.0f} ({sides['starter'] / sides['bare']:.2f})",
                        flush=True,
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_section("starters", report(results, flags, args))


if __name__ == "__main__":
    main()
