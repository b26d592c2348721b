"""Business logic: keyword-only functions named `<entity>_<action>`.

Routes stay thin and call these; tests and the CLI call them too.
"""

import hmac
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .config import Settings
from .emails import Email, password_reset_email
from .models import Item, PasswordResetToken, User, utcnow
from .schemas import ItemCreate, ItemUpdate
from .security import (
    hash_password,
    hash_reset_token,
    new_reset_token,
    password_fingerprint,
    verify_password,
)

# SQLite and PostgreSQL both take a signed 64-bit OFFSET; larger ones are past the end anyway.
MAX_SQL_OFFSET = 2**62


# At most this many reset emails per account per hour.
RESET_EMAILS_PER_HOUR = 3


class EmailTakenError(Exception):
    """An account with this email already exists."""


class InvalidResetTokenError(Exception):
    """The reset token is unknown, expired, used, or older than the last password change."""


class IncorrectPasswordError(Exception):
    """The current password given to change it is wrong."""


# --- users -----------------------------------------------------------------------------------


async def user_get(*, session: AsyncSession, user_id: int) -> User | None:
    """Return the user with this id, or None."""
    return await session.get(User, user_id)


async def user_get_by_email(*, session: AsyncSession, email: str) -> User | None:
    """Return the user with this email (compared lower-cased), or None."""
    result = await session.execute(select(User).where(User.email == email.strip().lower()))
    return result.scalar_one_or_none()


async def user_create(
    *, session: AsyncSession, email: str, password: str, is_superuser: bool = False
) -> User:
    """Create an account; raise EmailTakenError when the email is registered already."""
    email = email.strip().lower()
    if await user_get_by_email(session=session, email=email) is not None:
        raise EmailTakenError(email)
    user = User(email=email, hashed_password=hash_password(password), is_superuser=is_superuser)
    session.add(user)
    try:
        await session.commit()
    except IntegrityError:  # a concurrent registration won the race
        await session.rollback()
        raise EmailTakenError(email) from None
    return user


async def user_authenticate(*, session: AsyncSession, email: str, password: str) -> User | None:
    """Return the user when the email and password match, else None (same cost either way)."""
    user = None
    if "\x00" not in email:  # no database stores NUL characters; such an email matches nobody
        user = await user_get_by_email(session=session, email=email)
    try:
        valid = verify_password(password, user.hashed_password if user else None)
    except UnicodeError:
        return None
    return user if valid else None


async def user_delete(*, session: AsyncSession, user: User) -> None:
    """Delete the account with its items and reset tokens; the email becomes free again."""
    await session.execute(delete(Item).where(Item.owner_id == user.id))
    await session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    await session.delete(user)
    await session.commit()


async def password_change(
    *, session: AsyncSession, user: User, current_password: str, new_password: str
) -> None:
    """Set a new password after checking the current one (IncorrectPasswordError if wrong).

    Every access token and reset link issued before the change stops working.
    """
    try:
        valid = verify_password(current_password, user.hashed_password)
    except UnicodeError:
        valid = False
    if not valid:
        raise IncorrectPasswordError
    user.hashed_password = hash_password(new_password)
    await session.commit()


# --- password reset ------------------------------------------------------------------------


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def password_reset_request(
    *, session: AsyncSession, email: str, settings: Settings
) -> Email | None:
    """Make a reset token for the account with this email; return the email to send.

    None (and nothing stored) for an unknown email, or when RESET_EMAILS_PER_HOUR links
    were made for the account in the last hour.
    """
    user = await user_get_by_email(session=session, email=email)
    if user is None:
        return None
    recent = await session.scalar(
        select(func.count()).where(
            PasswordResetToken.user_id == user.id,
            PasswordResetToken.created_at > utcnow() - timedelta(hours=1),
        )
    )
    if (recent or 0) >= RESET_EMAILS_PER_HOUR:
        return None
    token = new_reset_token()
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=hash_reset_token(token),
            password_fingerprint=password_fingerprint(user.hashed_password, settings=settings),
        )
    )
    await session.commit()
    return password_reset_email(to=user.email, token=token, settings=settings)


async def password_reset_confirm(
    *, session: AsyncSession, token: str, password: str, settings: Settings
) -> User:
    """Set the password of the token's account; every unused token of the account is spent.

    Raises InvalidResetTokenError unless the token is known, unused, younger than
    PASSWORD_RESET_EXPIRE_MINUTES and made for the account's current password.
    """
    row = await session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_reset_token(token))
    )
    if row is None or row.used_at is not None:
        raise InvalidResetTokenError
    expires = _as_utc(row.created_at) + timedelta(minutes=settings.password_reset_expire_minutes)
    user = await user_get(session=session, user_id=row.user_id)
    if user is None or utcnow() >= expires:
        raise InvalidResetTokenError
    current = password_fingerprint(user.hashed_password, settings=settings)
    if not hmac.compare_digest(row.password_fingerprint, current):
        raise InvalidResetTokenError
    # Spend this token first, atomically: of two concurrent uses, only one gets a row.
    spent = await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if getattr(spent, "rowcount", 0) != 1:
        await session.rollback()
        raise InvalidResetTokenError
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    user.hashed_password = hash_password(password)
    await session.commit()
    return user


# --- items -----------------------------------------------------------------------------------


async def item_create(*, session: AsyncSession, owner_id: int, data: ItemCreate) -> Item:
    """Store a new item owned by `owner_id`."""
    item = Item(owner_id=owner_id, **data.model_dump())
    session.add(item)
    await session.commit()
    return item


async def item_list(
    *, session: AsyncSession, owner_id: int, limit: int, offset: int
) -> tuple[Sequence[Item], int]:
    """Return one page of the owner's items (newest first) and their total count."""
    total = await session.scalar(select(func.count()).where(Item.owner_id == owner_id)) or 0
    if offset >= total:
        return [], total
    result = await session.scalars(
        select(Item)
        .where(Item.owner_id == owner_id)
        .order_by(Item.created_at.desc(), Item.id.desc())
        .limit(limit)
        .offset(min(offset, MAX_SQL_OFFSET))
    )
    return result.all(), total


async def item_get(*, session: AsyncSession, owner_id: int, item_id: int) -> Item | None:
    """Return the item when it exists and belongs to `owner_id`, else None."""
    item = await session.get(Item, item_id)
    return item if item is not None and item.owner_id == owner_id else None


async def item_update(*, session: AsyncSession, item: Item, data: ItemUpdate) -> Item:
    """Apply the fields that were sent; `{}` changes nothing."""
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(item, field, value)
    await session.commit()
    return item


async def item_delete(*, session: AsyncSession, item: Item) -> None:
    """Delete the item."""
    await session.delete(item)
    await session.commit()
