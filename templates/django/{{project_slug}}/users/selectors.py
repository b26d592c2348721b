"""Read-only queries about users."""

from typing import cast

from ..queries import ModelQuery, column
from .models import User, normalize_email

# The user of every authenticated request: SQL written once (see queries.py).
_ACTIVE_USER = ModelQuery(User, f"WHERE {column(User, 'id')} = %s AND {column(User, 'is_active')}")


def user_get_active(*, user_id: int) -> User | None:
    """The active user with this id, or None."""
    return cast(User | None, _ACTIVE_USER.first([user_id]))


def user_email_taken(*, email: str) -> bool:
    """Whether an account already uses this email (case-insensitive)."""
    return User.objects.filter(email__iexact=normalize_email(email)).exists()
