"""The declarative base, and the engine and session factory an application builds.

Importing this module connects to nothing and creates no engine: `create_app(settings)`
makes a `Database` from its settings (`app.state.database`), and the command line builds
its own from the environment's settings, so a test or a second app can use another one.
"""

import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

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
    return create_async_engine(url, **options)


class Database:
    """The engine and the session factory of one application, made from its settings."""

    def __init__(self, settings: Settings) -> None:
        self.engine = make_engine(settings)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def dispose(self) -> None:
        """Close the pooled connections (a new one opens on the next use)."""
        await self.engine.dispose()


def app_database(request: Request) -> Database:
    """The `Database` of the application serving this request."""
    database: Database = request.app.state.database
    return database


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Yield one session per request (a FastAPI dependency)."""
    async with app_database(request).sessions() as session:
        yield session
