"""The async engine, the session factory and the declarative base."""

import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from .config import Settings, load_settings

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


engine = make_engine(load_settings())
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    """Yield one session per request (a FastAPI dependency)."""
    async with SessionLocal() as session:
        yield session
