"""The login throttle: after LOGIN_MAX_FAILURES failed logins for one email from one
client address within LOGIN_LOCKOUT_MINUTES, further attempts wait until the window has
passed (429 with Retry-After), even with the right password.

The failures live in the database (table `login_failures`), so the limit holds across
every worker process of the server. The seam for another store (Redis, when REDIS_URL
arrives with background work) is `_FailureStore`: the three public functions only talk
to it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from .extensions import db
from .models import LoginFailure, utcnow

EMAIL_MAX = 320
CLIENT_MAX = 45


def _key(email: str, client: str | None) -> tuple[str, str]:
    return email.strip().lower()[:EMAIL_MAX], (client or "unknown")[:CLIENT_MAX]


class _FailureStore:
    """Failed logins in the database: one row per failure, per (email, client)."""

    def recent(self, email: str, client: str, *, since: datetime, limit: int) -> list[datetime]:
        """The times of the newest `limit` failures after `since`, newest first."""
        rows = db.session.execute(
            select(LoginFailure.created_at)
            .where(
                LoginFailure.email == email,
                LoginFailure.client_address == client,
                LoginFailure.created_at > since,
            )
            .order_by(LoginFailure.created_at.desc())
            .limit(limit)
        ).scalars()
        return list(rows)

    def add(self, email: str, client: str, *, at: datetime, prune_before: datetime) -> None:
        db.session.execute(
            delete(LoginFailure).where(
                LoginFailure.email == email,
                LoginFailure.client_address == client,
                LoginFailure.created_at <= prune_before,
            )
        )
        db.session.add(LoginFailure(email=email, client_address=client, created_at=at))
        db.session.commit()

    def clear(self, email: str, client: str) -> None:
        db.session.execute(
            delete(LoginFailure).where(
                LoginFailure.email == email, LoginFailure.client_address == client
            )
        )
        db.session.commit()


_store = _FailureStore()


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


def login_retry_after(*, email: str, client: str | None) -> int | None:
    """Seconds to wait before the next attempt for (email, client), or None: go ahead."""
    email, client = _key(email, client)
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    now = utcnow()
    failures = _store.recent(email, client, since=now - _window(), limit=limit)
    if len(failures) < limit:
        return None
    # Allowed again once the failure that completes the count leaves the window.
    wait = failures[-1] + _window() - now
    return max(1, math.ceil(wait.total_seconds()))


def login_failed(*, email: str, client: str | None) -> None:
    """Count one failed login (and forget this key's failures older than the window)."""
    email, client = _key(email, client)
    now = utcnow()
    _store.add(email, client, at=now, prune_before=now - _window())


def login_succeeded(*, email: str, client: str | None) -> None:
    """A successful login clears the count of (email, client)."""
    email, client = _key(email, client)
    _store.clear(email, client)
