"""Login throttling: too many failed logins for one email from one client address.

After LOGIN_MAX_FAILURES failures within LOGIN_LOCKOUT_MINUTES, every further attempt for
that (email, client) pair is refused, even with the right password, until the oldest
failure leaves the window. The failures live in the database (table ``login_failures``),
so the limit holds across every worker process of the server.

These three functions are the whole interface: a Redis-backed store (when REDIS_URL comes
with background work) only has to provide them again.
"""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .users.models import LoginFailure, normalize_email


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _key(*, email: str, client: str) -> dict[str, str]:
    """The columns naming one (email, client address) pair."""
    return {"email": normalize_email(email)[:320], "client_address": client[:45]}


def _failures(*, email: str, client: str, since: datetime) -> list[datetime]:
    """When this pair failed since ``since``, oldest first."""
    return list(
        LoginFailure.objects.filter(**_key(email=email, client=client), created_at__gt=since)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )


def login_retry_after(*, email: str, client: str) -> int | None:
    """Seconds to wait before this pair may try again, or None when it may try now."""
    now = timezone.now()
    failures = _failures(email=email, client=client, since=now - _window())
    if len(failures) < settings.LOGIN_MAX_FAILURES:
        return None
    # Allowed again once enough failures have left the window to go under the limit.
    frees_at = failures[len(failures) - settings.LOGIN_MAX_FAILURES] + _window()
    return max(1, math.ceil((frees_at - now).total_seconds()))


def login_failed(*, email: str, client: str) -> None:
    """Record a failed login for this pair (and forget its failures older than the window)."""
    now = timezone.now()
    key = _key(email=email, client=client)
    LoginFailure.objects.filter(**key, created_at__lte=now - _window()).delete()
    LoginFailure.objects.create(**key, created_at=now)


def login_succeeded(*, email: str, client: str) -> None:
    """A successful login clears the pair's failures."""
    LoginFailure.objects.filter(**_key(email=email, client=client)).delete()
