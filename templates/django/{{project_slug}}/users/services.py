"""Business logic for accounts: keyword-only functions the views and the admin can share."""

from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from .models import User, normalize_email
from .selectors import user_email_taken


class EmailAlreadyRegisteredError(Exception):
    """An account with this email exists already."""


def user_register(*, email: str, password: str) -> User:
    """Create an account; raise ``EmailAlreadyRegisteredError`` when the email is taken."""
    email = normalize_email(email)
    if user_email_taken(email=email):
        raise EmailAlreadyRegisteredError(email)
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password)
    except IntegrityError as exc:  # a concurrent registration won the race
        raise EmailAlreadyRegisteredError(email) from exc


def user_authenticate(
    *, email: str, password: str, request: HttpRequest | None = None
) -> User | None:
    """The active user with these credentials, or None (same cost whether the email exists)."""
    user = authenticate(request, username=normalize_email(email), password=password)
    return user if isinstance(user, User) else None
