"""The Flask extensions, created here without an app and initialised in `create_app`."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Connection, MetaData
from sqlalchemy.orm import DeclarativeBase

from .api.openapi import Api

# Stable constraint names: Alembic can then alter or drop them, on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model (typed `Mapped[...]` columns)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# SQLite under concurrent writes (`create_app` runs this on every new SQLite connection):
# - journal_mode=WAL: readers never block the writer and the writer never blocks readers
#   (with the default rollback journal, a read in progress makes a commit wait, and two
#   connections can lock each other out at once: "database is locked").
# - synchronous=NORMAL: in WAL mode a commit no longer waits for the disk (the flush
#   happens at checkpoints); a power cut can lose the last commits but never corrupts the
#   file. A write then holds the lock for microseconds instead of a disk flush.
# The busy timeout (how long a writer waits its turn) is `config.SQLITE_BUSY_TIMEOUT_SECONDS`.
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Set `SQLITE_PRAGMAS` on a new SQLite connection (a `connect` event listener)."""
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()
login_manager = LoginManager()


# The request's reads that need no transaction of their own (authenticating a GET, the
# item API's reads) run on a plain connection from the pool instead of the ORM session:
# starting a session, its transaction, and closing both at teardown cost about a tenth of
# an item read, more than the reads themselves. One connection per request, opened on
# first use and returned to the pool when the request ends (`close_read_connection`, a
# teardown of the app context). It sees what is committed, as the session's reads do; on
# PostgreSQL it runs in autocommit (no BEGIN and ROLLBACK around the reads: two round trips
# fewer, as Django runs by default). Writes, and the reads of a request that writes, stay
# in `db.session`, so a request never holds two connections for long. Once the session has
# a transaction open (the code wrote, or read through the ORM), reads run in it instead:
# they see its changes before the commit, as the ORM's own reads do.
READ_CONNECTION_KEY = "_read_connection"


def read_connection() -> Connection:
    """Where the current request's (or app context's) reads run: the session's connection
    while the session has a transaction open, else the read connection, opened on first
    use."""
    if db.session.registry.has() and db.session().in_transaction():
        return db.session.connection()
    connection: Connection | None = g.get(READ_CONNECTION_KEY)
    if connection is None:
        connection = db.engine.connect()
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        setattr(g, READ_CONNECTION_KEY, connection)
    return connection


def close_read_connection(_error: BaseException | None = None) -> None:
    """Return the read connection, if the context opened one, to the pool."""
    connection: Connection | None = g.pop(READ_CONNECTION_KEY, None)
    if connection is not None:
        connection.close()
