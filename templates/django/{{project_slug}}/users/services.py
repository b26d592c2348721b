"""Business logic for accounts: keyword-only functions the views and the admin can share."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from ..emails import password_reset_email, send_email_in_background
from .models import PasswordResetToken, User, normalize_email
from .selectors import user_email_taken


class EmailTakenError(Exception):
    """An account with this email exists already."""


def user_create(*, email: str, password: str, is_superuser: bool = False) -> User:
    """Create an account; raise ``EmailTakenError`` when the email is taken.

    A superuser may also log into the admin (``is_staff``).
    """
    email = normalize_email(email)
    if user_email_taken(email=email):
        raise EmailTakenError(email)
    create = User.objects.create_superuser if is_superuser else User.objects.create_user
    try:
        with transaction.atomic():
            return create(email=email, password=password)
    except IntegrityError as exc:  # a concurrent registration won the race
        raise EmailTakenError(email) from exc


def user_promote(*, user: User) -> User:
    """Make an existing account a superuser; its password and tokens stay as they are."""
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def user_authenticate(
    *, email: str, password: str, request: HttpRequest | None = None
) -> User | None:
    """The active user with these credentials, or None (same cost whether the email exists)."""
    user = authenticate(request, username=normalize_email(email), password=password)
    return user if isinstance(user, User) else None


class InvalidResetTokenError(Exception):
    """A reset token that is unknown, expired, used, or older than the current password."""


class IncorrectPasswordError(Exception):
    """The current password given to change it is wrong."""


# At most this many reset emails per account per hour.
RESET_EMAILS_PER_HOUR = 3


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_reset_request(*, email: str) -> None:
    """Email a reset link to the account with this address, if there is one.

    Nothing tells the caller whether the account exists. An account gets at most
    RESET_EMAILS_PER_HOUR links per hour, however many requests arrive at once; further
    requests send nothing. The email leaves in the background
    (``emails.send_email_in_background``).
    """
    # Requests for one account that arrive together must not all count the same tokens
    # and each add one: they count and insert one after the other. On PostgreSQL the
    # account's row is locked (FOR NO KEY UPDATE, which does not hold back an insert that
    # merely references the row; other accounts never wait). SQLite has no row locks, but
    # the block takes the database's write lock when it begins (transaction_mode
    # IMMEDIATE in the settings), in every thread and worker process.
    with transaction.atomic():
        user = (
            User.objects.select_for_update(no_key=True)
            .filter(email=normalize_email(email), is_active=True)
            .first()
        )
        if user is None:
            return
        now = timezone.now()
        recent = PasswordResetToken.objects.filter(
            user=user, created_at__gt=now - timedelta(hours=1)
        ).count()
        if recent >= RESET_EMAILS_PER_HOUR:
            return
        token = secrets.token_urlsafe(32)
        PasswordResetToken.objects.create(
            user=user,
            token_hash=_token_hash(token),
            password_fingerprint=user.password_fingerprint(),
            created_at=now,
        )
    expire_minutes = settings.PASSWORD_RESET_EXPIRE_MINUTES
    send_email_in_background(
        password_reset_email(to=user.email, token=token, expire_minutes=expire_minutes)
    )


def password_reset_user(*, token: str) -> User | None:
    """The account a reset token may still reset, or None (see ``password_reset_confirm``)."""
    row = (
        PasswordResetToken.objects.select_related("user")
        .filter(token_hash=_token_hash(token), used_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    expires_at = row.created_at + timedelta(minutes=settings.PASSWORD_RESET_EXPIRE_MINUTES)
    if timezone.now() >= expires_at or not hmac.compare_digest(
        row.password_fingerprint, row.user.password_fingerprint()
    ):
        return None
    return row.user


def password_reset_confirm(*, token: str, password: str) -> User:
    """Set a new password with a reset token; raise ``InvalidResetTokenError`` if it is not valid.

    Valid means: known, unused, younger than PASSWORD_RESET_EXPIRE_MINUTES, and made for the
    account's current password. Success uses up every outstanding token of the account.
    """
    with transaction.atomic():
        # Locked (on PostgreSQL) so that two requests cannot both use one token.
        list(
            PasswordResetToken.objects.select_for_update()
            .filter(token_hash=_token_hash(token))
            .values_list("pk", flat=True)
        )
        user = password_reset_user(token=token)
        if user is None:
            raise InvalidResetTokenError
        user.set_password(password)
        user.save(update_fields=["password"])
        PasswordResetToken.objects.filter(user=user, used_at__isnull=True).update(
            used_at=timezone.now()
        )
    return user


def password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Change the password; raise ``IncorrectPasswordError`` when ``current_password`` is wrong.

    Every access token and reset link issued before the change stops working.
    """
    if not user.check_password(current_password):
        raise IncorrectPasswordError
    user.set_password(new_password)
    user.save(update_fields=["password"])


def user_delete(*, user: User) -> None:
    """Delete the account, its items and its reset tokens; the email can register again."""
    user.delete()
