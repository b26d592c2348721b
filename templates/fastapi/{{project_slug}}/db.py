"""The declarative base, and the engine and session factory an application builds.

Importing this module connects to nothing and creates no engine: `create_app(settings)`
makes a `Database` from its settings (`app.state.database`), and the command line builds
its own from the environment's settings, so a test or a second app can use another one.
"""

import asyncio
import logging
import sqlite3
import weakref
from collections.abc import MutableMapping, Sequence
from functools import partial
from typing import Any

import aiosqlite
from fastapi import Request
from sqlalchemy import MetaData, event, make_url
from sqlalchemy.dialects.sqlite.aiosqlite import dialect as aiosqlite_dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.util import await_only

from .config import Settings

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# aiosqlite logs every statement with its parameters at DEBUG: keep it quiet whatever the
# root logger's level (logs never carry emails, hashes or other values).
logging.getLogger("aiosqlite").setLevel(logging.INFO)


class Base(DeclarativeBase):
    """Base class of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# SQLite under concurrent writes. SQLite lets one connection write at a time; the others
# wait in its busy handler, which sleeps and retries: first come is not first served, and
# under a burst some writers lose for seconds. So, for every SQLite engine:
# - journal_mode=WAL: readers never block the writer and the writer never blocks readers
#   (with the default rollback journal, a read in progress makes a commit wait, and two
#   connections can lock each other out at once: "database is locked").
# - synchronous=NORMAL: in WAL mode a commit no longer waits for the disk (the flush
#   happens at checkpoints); a power cut can lose the last commits but never corrupts the
#   file. A write then holds the lock for the time of its statements, not a disk flush.
# - one writer per process at a time, in arrival order (`WriteGate`): a connection about
#   to write first waits for the process's other writers in an asyncio queue, and holds
#   its turn until it goes back to the pool (after its commit or rollback). An aiosqlite
#   write spans several event-loop turns (a thread hop per statement), so without the
#   gate every pooled connection of the process would compete in the busy handler.
# - busy timeout 5 s, both for SQLite's lock (a writer of another worker process) and for
#   the gate: a write that waits longer fails and the request answers 503. Clients give up
#   sooner, so in practice it never fires.
# - reads run at once, in the event loop's thread (`OneHopCursor`, below): they take no
#   turn, and in WAL mode no writer makes them wait.
# The pool keeps up to 15 connections per process (`POOL`, below).
SQLITE_BUSY_TIMEOUT_SECONDS = 5.0
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
_READS = frozenset({"SELECT", "PRAGMA", "EXPLAIN"})


def _verb(statement: str) -> str:
    """A statement's first keyword, upper-cased: `SELECT`, `INSERT`, `PRAGMA`..."""
    return statement.lstrip().split(None, 1)[0].upper()


# The pool, for both databases: up to 15 connections per worker process, opened as
# requests need them and then kept. (SQLAlchemy's default keeps 5 and opens 10 more under
# load, but closes each of those as soon as it comes back while 5 others are idle, so a
# worker serving more than 5 requests at once kept opening and closing connections: a
# PostgreSQL connection is a new server process, an SQLite one a thread and a file.)
# `make serve` holds at most 15 x WEB_CONCURRENCY connections (30 with 2 workers;
# PostgreSQL's default max_connections is 100). A request that finds all 15 busy waits up
# to 10 s for one, then answers 503. On PostgreSQL rows are locked, not the whole
# database, so writers need no gate.
POOL = {"pool_size": 15, "max_overflow": 0, "pool_timeout": 10}


class WriteGate:
    """One writing SQLite connection per process at a time, the others queued in order."""

    def __init__(self) -> None:
        # One lock per event loop (a test may run several loops, one after the other).
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def _lock(self) -> asyncio.Lock:
        return self._locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())

    def install(self, engine: AsyncEngine) -> None:
        """Take a turn before a connection's first write; give it back at check-in."""
        sync_engine = engine.sync_engine
        event.listen(sync_engine, "connect", _sqlite_pragmas)
        event.listen(sync_engine, "before_cursor_execute", self._before_execute)
        event.listen(sync_engine.pool, "checkin", self._release)
        event.listen(sync_engine.pool, "invalidate", self._release)

    def _before_execute(self, connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        info = connection.connection.info  # kept with the pooled connection
        if "write_turn" in info or _verb(statement) in _READS:
            return
        await_only(self._take_turn(info, statement))

    async def _take_turn(self, info: dict[str, Any], statement: str) -> None:
        lock = self._lock()
        try:
            await asyncio.wait_for(lock.acquire(), SQLITE_BUSY_TIMEOUT_SECONDS)
        except TimeoutError:
            raise OperationalError(
                statement, None, sqlite3.OperationalError("database is locked")
            ) from None
        info["write_turn"] = lock

    def _release(self, _dbapi_connection: Any, record: Any, *_: Any) -> None:
        lock = record.info.pop("write_turn", None)
        if lock is not None and lock.locked():
            lock.release()


# SQLite statements in one thread hop at most. aiosqlite runs every call on a connection
# in that connection's own thread and wakes the event loop when it is done. Through
# SQLAlchemy's adapter a single SELECT makes four such round trips (open a cursor,
# execute, fetch the rows, close the cursor), and handing a connection back to the pool
# makes one more (a rollback, even when nothing is left to roll back). On SQLite the
# statements themselves take microseconds, so these round trips were most of the time a
# request spent in the database. `OneHopConnection` is an aiosqlite connection whose
# cursor does the four steps in one trip (it keeps the rows for the adapter to fetch), and
# whose rollback skips the trip when no transaction is open. A SELECT makes no trip at
# all: it runs in the event loop's own thread, because reading a few rows takes less time
# than the hop (in WAL mode a read waits for no lock; only the recovery of a database
# whose last writer crashed can hold it back, up to the busy timeout). The connection is
# opened with `check_same_thread=False` for that; two threads never use it at once, since
# a pooled connection serves one request at a time, one statement after the other. It
# relies on aiosqlite's `_execute` (run a function in the connection's thread), pinned in
# requirements.txt.
class OneHopCursor:
    """An aiosqlite-like cursor: a SELECT runs in the caller's thread, any other
    statement opens, runs, fetches and closes in one trip to the connection's thread."""

    arraysize = 1

    def __init__(self, connection: "OneHopConnection") -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    @staticmethod
    def _run(
        connection: sqlite3.Connection, many: bool, sql: str, parameters: Any
    ) -> tuple[Any, list[Any], int, int | None]:
        cursor = connection.cursor()
        try:
            if many:
                cursor.executemany(sql, parameters)
            else:
                cursor.execute(sql, parameters)
            rows = cursor.fetchall() if cursor.description else []
            return cursor.description, rows, cursor.rowcount, cursor.lastrowid
        finally:
            cursor.close()

    async def _trip(self, many: bool, sql: str, parameters: Any) -> "OneHopCursor":
        connection = self._connection._conn
        if not many and _verb(sql) == "SELECT":  # here, in the caller's thread
            done = self._run(connection, False, sql, parameters)
        else:  # in the connection's thread
            run = partial(self._run, connection, many)
            done = await self._connection._execute(run, sql, parameters)  # type: ignore[no-untyped-call]
        self.description, self._rows, self.rowcount, self.lastrowid = done
        return self

    async def execute(self, sql: str, parameters: Any = ()) -> "OneHopCursor":
        return await self._trip(False, sql, parameters)

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> "OneHopCursor":
        return await self._trip(True, sql, parameters)

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = size or self.arraysize
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []

    async def __aenter__(self) -> "OneHopCursor":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()


class OneHopConnection(aiosqlite.Connection):
    """An aiosqlite connection with `OneHopCursor`s and no empty rollbacks."""

    def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

    async def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction:
            await super().rollback()


def _one_hop_connector(url: str) -> Any:
    """An `async_creator` for SQLAlchemy: opens `OneHopConnection`s to the URL's file."""
    args, kwargs = aiosqlite_dialect().create_connect_args(make_url(url))
    kwargs["timeout"] = SQLITE_BUSY_TIMEOUT_SECONDS
    kwargs["check_same_thread"] = False  # SELECTs run in the event loop's thread

    async def connect() -> OneHopConnection:
        connection = OneHopConnection(partial(sqlite3.connect, *args, **kwargs), 64)
        connection._thread.daemon = True  # as SQLAlchemy does: never block the exit
        try:
            await connection
        except Exception:
            # The file cannot be opened. aiosqlite has asked its thread to stop without
            # waiting for it: wait here, or the thread may answer after the event loop has
            # closed (a command's `asyncio.run`), a traceback on stderr after the error.
            await asyncio.to_thread(connection._thread.join, SQLITE_BUSY_TIMEOUT_SECONDS)
            raise
        return connection

    return connect


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    await_only(_set_pragmas(dbapi_connection.driver_connection))


async def _set_pragmas(connection: aiosqlite.Connection) -> None:
    for pragma in SQLITE_PRAGMAS:
        await (await connection.execute(pragma)).close()


def make_engine(settings: Settings) -> AsyncEngine:
    """Create the engine; it connects lazily, so the app starts even when the database is down."""
    url = settings.async_database_url
    # Error messages and logs never show the values bound to a statement (emails, hashes).
    options: dict[str, Any] = {"hide_parameters": True}
    if url.startswith("postgresql"):
        # Replace connections that a server restart killed, instead of failing. (SQLite
        # has no server: a ping there would only add a thread hop to every request.)
        options["pool_pre_ping"] = True
        # Fail fast (503) instead of hanging when the server is unreachable.
        options["connect_args"] = {"connect_timeout": 5}
        return create_async_engine(url, **options, **POOL)
    engine = create_async_engine(url, async_creator=_one_hop_connector(url), **options, **POOL)
    WriteGate().install(engine)
    return engine


class Database:
    """The engine and the session factories of one application, made from its settings."""

    def __init__(self, settings: Settings) -> None:
        self.engine = make_engine(settings)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Sessions for the requests that only read (`get_session`). On PostgreSQL they run
        # in autocommit, as Django does by default: each statement stands alone, and a
        # request makes two round trips fewer (no BEGIN, no ROLLBACK). SQLite opens no
        # transaction for a SELECT anyway.
        self.read_sessions = self.sessions
        if self.engine.dialect.name == "postgresql":
            self.read_sessions = async_sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )

    async def dispose(self) -> None:
        """Close the pooled connections (a new one opens on the next use)."""
        await self.engine.dispose()


def app_database(request: Request) -> Database:
    """The `Database` of the application serving this request."""
    database: Database = request.app.state.database
    return database


# The methods HTTP calls safe: their requests read and never change data.
READ_METHODS = frozenset({"GET", "HEAD"})
# Where a request keeps its session, in its ASGI scope.
REQUEST_SESSION = "app.session"


async def get_session(request: Request) -> AsyncSession:
    """The request's session (a FastAPI dependency), opened on first use.

    `RequestSessionMiddleware` closes it once the request is answered, whatever happened.
    It is a plain dependency rather than a `yield` one: FastAPI runs those in an exit
    stack under a cancel scope, which cost about a tenth of a request's time.

    GET and HEAD get a session from `Database.read_sessions` (autocommit on PostgreSQL):
    a route for them must not change data, as HTTP expects of those methods.
    """
    session: AsyncSession | None = request.scope.get(REQUEST_SESSION)
    if session is None:
        database = app_database(request)
        factory = database.read_sessions if request.method in READ_METHODS else database.sessions
        session = request.scope[REQUEST_SESSION] = factory()
    return session


async def close_request_session(scope: MutableMapping[str, Any]) -> None:
    """Close the session `get_session` opened for this request, if it opened one."""
    session: AsyncSession | None = scope.pop(REQUEST_SESSION, None)
    if session is not None:
        await session.close()
