"""Login throttling: after LOGIN_MAX_FAILURES failed logins for one email from one client
address within LOGIN_LOCKOUT_MINUTES, further attempts wait until the window has passed.

The failures live in the database (table `login_failures`), so the limit holds across
every worker process. The three functions below are the whole interface: a faster store
(Redis, say) can replace the database by reimplementing them.
"""

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from .config import get_settings
from .db import SessionLocal
from .models import LoginFailure, utcnow

MAX_EMAIL_LENGTH = 320
MAX_CLIENT_LENGTH = 45  # the longest textual IPv6 address


def _key(email: str, client: str) -> tuple[str, str]:
    """The stored form of (email, client): lower-cased, storable in any database, bounded."""

    def storable(text: str) -> str:
        return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")

    return storable(email.strip().lower())[:MAX_EMAIL_LENGTH], storable(client)[:MAX_CLIENT_LENGTH]


def _window() -> timedelta:
    return timedelta(minutes=get_settings().login_lockout_minutes)


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def login_retry_after(*, email: str, client: str) -> int | None:
    """Seconds to wait before (email, client) may try again, or None when it may now."""
    settings = get_settings()
    key_email, key_client = _key(email, client)
    now = utcnow()
    window = _window()
    async with SessionLocal() as session:
        times = (
            await session.scalars(
                select(LoginFailure.created_at)
                .where(
                    LoginFailure.email == key_email,
                    LoginFailure.client_address == key_client,
                    LoginFailure.created_at > now - window,
                )
                .order_by(LoginFailure.created_at)
            )
        ).all()
    excess = len(times) - settings.login_max_failures
    if excess < 0:
        return None
    # The attempt is allowed again once enough failures have left the window.
    frees_at = _as_utc(times[excess]) + window
    return max(1, math.ceil((frees_at - now).total_seconds()))


async def login_failed(*, email: str, client: str) -> None:
    """Count a failed login; forget this key's failures that have left the window."""
    key_email, key_client = _key(email, client)
    now = utcnow()
    async with SessionLocal() as session:
        await session.execute(
            delete(LoginFailure).where(
                LoginFailure.email == key_email,
                LoginFailure.client_address == key_client,
                LoginFailure.created_at <= now - _window(),
            )
        )
        session.add(LoginFailure(email=key_email, client_address=key_client, created_at=now))
        await session.commit()


async def login_succeeded(*, email: str, client: str) -> None:
    """A successful login clears the failures of (email, client)."""
    key_email, key_client = _key(email, client)
    async with SessionLocal() as session:
        await session.execute(
            delete(LoginFailure).where(
                LoginFailure.email == key_email, LoginFailure.client_address == key_client
            )
        )
        await session.commit()
