"""Business logic: keyword-only functions that the API, the pages and the CLI share."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import cache
from typing import Any, cast
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import RowMapping, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from . import emails
from .extensions import db, read_connection
from .models import Item, PasswordResetToken, User, utcnow
from .security import hash_password, password_needs_rehash, verify_password

ITEM_FIELDS = frozenset({"title", "description", "price"})

# The item API's reads and its create are plain statements on the session's connection,
# built once, and answer rows (columns by name) that the schemas dump like entities:
# loading ORM entities (identity map, instance state) cost more than the SQL itself. The
# reads run on the request's read connection (see extensions.read_connection).
# Updates and deletes go through the ORM (`item_get`).
_items = cast(Table, Item.__table__)  # a Table: declared by the model's class
_ITEM_OF_OWNER = select(_items).where(
    _items.c.id == bindparam("item_id"), _items.c.owner_id == bindparam("owner_id")
)
_ITEMS_OF_OWNER_COUNT = (
    select(func.count()).select_from(_items).where(_items.c.owner_id == bindparam("owner_id"))
)
_ITEMS_OF_OWNER_PAGE = (
    select(_items)
    .where(_items.c.owner_id == bindparam("owner_id"))
    .order_by(_items.c.created_at.desc(), _items.c.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
# The new row comes back from the INSERT itself: no SELECT after the commit.
_INSERT_ITEM = insert(_items).returning(*_items.c)


# At most this many reset emails per account per hour; more requests send nothing.
RESET_EMAILS_PER_HOUR = 3


class EmailTakenError(Exception):
    """Another account already uses this email."""


class InvalidResetToken(Exception):
    """The reset token is unknown, used, expired, or older than the last password change."""


class IncorrectPassword(Exception):
    """The current password given to change it is wrong."""


@cache
def _unknown_user_hash() -> str:
    # Verified when the email is unknown, so that a wrong email costs as much time as
    # a wrong password and response times do not reveal which emails are registered.
    return hash_password("not the password of any account")


def normalize_email(email: str) -> str:
    """Emails are compared, stored and returned stripped and lower-cased."""
    return email.strip().lower()


def user_get_by_email(*, email: str) -> User | None:
    """The user with this email (any case), or None."""
    return db.session.execute(
        select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def user_create(*, email: str, password: str, is_superuser: bool = False) -> User:
    """Create an account; raises EmailTakenError when the email is taken."""
    email = normalize_email(email)
    if user_get_by_email(email=email) is not None:
        raise EmailTakenError(email)
    user = User(email=email, password_hash=hash_password(password), is_superuser=is_superuser)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Two registrations raced each other: the unique index decides.
        db.session.rollback()
        raise EmailTakenError(email) from None
    return user


def user_authenticate(*, email: str, password: str) -> User | None:
    """The user with these credentials, or None (the same for both kinds of mistake)."""
    user = user_get_by_email(email=email)
    if user is None:
        verify_password(password, _unknown_user_hash())
        return None
    if not verify_password(password, user.password_hash):
        return None
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def user_promote(*, user: User) -> User:
    """Make an existing account a superuser; its password and tokens stay as they are."""
    user.is_superuser = True
    db.session.commit()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# A reset token is made only while the account has fewer than RESET_EMAILS_PER_HOUR of
# the last hour, and requests for one account that arrive together must not all count
# the same tokens and each add one. So the count and the insert are one statement, and
# the account's row is locked before it runs:
# - on PostgreSQL the lock (FOR NO KEY UPDATE, which does not hold back an insert that
#   merely references the row) makes requests for the same account wait for each other;
#   each then counts what the previous ones committed. Other accounts never wait.
# - SQLite has no row locks (the clause is left out), but a statement that writes takes
#   the database's write lock before it reads anything: requests of every thread and
#   every worker process count one after the other.
_RESET_TOKENS = cast(Table, PasswordResetToken.__table__)  # a Table: declared by the model
_RECENT_RESET_TOKENS = (
    select(func.count())
    .select_from(_RESET_TOKENS)
    .where(
        _RESET_TOKENS.c.user_id == bindparam("user_id"),
        _RESET_TOKENS.c.created_at > bindparam("since"),
    )
    .scalar_subquery()
)
_NEW_RESET_TOKEN = ("user_id", "token_hash", "password_fingerprint", "created_at")
_RESET_TOKEN_INSERT_UNDER_LIMIT = (
    insert(_RESET_TOKENS)
    .from_select(
        _NEW_RESET_TOKEN,
        select(
            *(bindparam(name, type_=_RESET_TOKENS.c[name].type) for name in _NEW_RESET_TOKEN)
        ).where(_RECENT_RESET_TOKENS < RESET_EMAILS_PER_HOUR),
    )
    .returning(_RESET_TOKENS.c.id)
)


def password_reset_request(*, email: str) -> None:
    """Email a reset link to the account with this email, if there is one.

    Says nothing about whether the account exists: the caller answers the same either
    way, and the mail leaves in the background. At most RESET_EMAILS_PER_HOUR links per
    account per hour, however many requests arrive at once; further requests send nothing.
    """
    user = db.session.execute(
        select(User).where(User.email == normalize_email(email)).with_for_update(key_share=True)
    ).scalar_one_or_none()
    if user is None:
        return
    token = secrets.token_urlsafe(32)
    now = utcnow()
    made = db.session.execute(
        _RESET_TOKEN_INSERT_UNDER_LIMIT,
        {
            "user_id": user.id,
            "token_hash": _token_hash(token),
            "password_fingerprint": user.fingerprint(),
            "created_at": now,
            "since": now - timedelta(hours=1),
        },
    ).scalar_one_or_none()
    db.session.commit()  # and the lock is released
    if made is None:  # the account had its RESET_EMAILS_PER_HOUR already
        return
    config = current_app.config
    link = f"{config['PUBLIC_URL']}/reset-password?{urlencode({'token': token})}"
    message = emails.password_reset_email(
        to=user.email, link=link, expire_minutes=config["PASSWORD_RESET_EXPIRE_MINUTES"]
    )
    emails.send_email_in_background(
        to=message.to, subject=message.subject, text=message.text, html=message.html
    )


def _valid_reset_token(token: str) -> PasswordResetToken | None:
    row = db.session.execute(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    if row is None or row.used_at is not None:
        return None
    expires = row.created_at + timedelta(
        minutes=current_app.config["PASSWORD_RESET_EXPIRE_MINUTES"]
    )
    if utcnow() >= expires:
        return None
    if not hmac.compare_digest(row.password_fingerprint, row.user.fingerprint()):
        return None  # the password changed since the link was sent
    return row


def password_reset_token_valid(*, token: str) -> bool:
    """Would `password_reset_confirm` accept this token now? (The reset page asks.)"""
    return _valid_reset_token(token) is not None


def password_reset_confirm(*, token: str, password: str) -> User:
    """Set a new password with a reset token; raises InvalidResetToken.

    Every unused reset token of the account is used up, and every access token issued
    before is refused from now on (its password fingerprint no longer matches).
    """
    row = _valid_reset_token(token)
    if row is None:
        raise InvalidResetToken()
    now = utcnow()
    # Claim the token atomically: of two requests racing with it, one wins.
    claimed = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        db.session.rollback()
        raise InvalidResetToken()
    user = row.user
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    user.password_hash = hash_password(password)
    db.session.commit()
    return user


def password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Change the password; raises IncorrectPassword when `current_password` is wrong.

    Access tokens and reset links issued before the change are refused from now on.
    """
    if not verify_password(current_password, user.password_hash):
        raise IncorrectPassword()
    user.password_hash = hash_password(new_password)
    db.session.commit()


def user_delete(*, user: User) -> None:
    """Delete the account with its items and reset tokens; its email is free again.

    The rows that belong to the account are deleted explicitly: SQLite enforces the
    foreign keys' ON DELETE CASCADE only when asked to.
    """
    db.session.execute(delete(Item).where(Item.owner_id == user.id))
    db.session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    db.session.delete(user)
    db.session.commit()


def item_create(
    *, owner_id: int, title: str, price: float, description: str | None = None
) -> RowMapping:
    """Create an item owned by `owner_id`; the stored row."""
    values = {"owner_id": owner_id, "title": title, "description": description, "price": price}
    row = db.session.connection().execute(_INSERT_ITEM, values).mappings().one()
    db.session.commit()
    return row


def item_list(*, owner_id: int, limit: int, offset: int) -> tuple[list[RowMapping], int]:
    """A page of the owner's items (rows), newest first, and how many they have in all."""
    connection = read_connection()
    total: int = connection.execute(_ITEMS_OF_OWNER_COUNT, {"owner_id": owner_id}).scalar_one()
    if offset >= total:
        # Also keeps offsets too big for the database's integers away from it.
        return [], total
    page = {"owner_id": owner_id, "limit": limit, "offset": offset}
    return list(connection.execute(_ITEMS_OF_OWNER_PAGE, page).mappings()), total


def item_read(*, owner_id: int, item_id: int) -> RowMapping | None:
    """The owner's item with this id, as a row; None when it is missing or someone else's."""
    ids = {"item_id": item_id, "owner_id": owner_id}
    return read_connection().execute(_ITEM_OF_OWNER, ids).mappings().one_or_none()


def item_get(*, owner_id: int, item_id: int) -> Item | None:
    """The owner's item with this id, to change or delete it; None when it is missing or
    someone else's."""
    item = db.session.get(Item, item_id)
    return item if item is not None and item.owner_id == owner_id else None


def item_update(*, item: Item, data: dict[str, Any]) -> Item | None:
    """Apply the given fields (title, description, price); others are ignored.

    None when a concurrent request deleted the item before the change was written.
    """
    for field, value in data.items():
        if field in ITEM_FIELDS:
            setattr(item, field, value)
    try:
        db.session.commit()
        db.session.refresh(item)  # the committed row, or the news that it is gone
    except (StaleDataError, ObjectDeletedError, InvalidRequestError):
        db.session.rollback()
        return None
    return item


def item_delete(*, item: Item) -> None:
    """Delete an item."""
    db.session.delete(item)
    db.session.commit()
