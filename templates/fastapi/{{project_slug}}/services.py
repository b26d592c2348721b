"""Business logic: keyword-only functions named `<entity>_<action>`.

Routes stay thin and call these; tests and the CLI call them too.
"""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Item, User
from .schemas import ItemCreate, ItemUpdate
from .security import hash_password, verify_password

# SQLite and PostgreSQL both take a signed 64-bit OFFSET; larger ones are past the end anyway.
MAX_SQL_OFFSET = 2**62


class EmailTakenError(Exception):
    """An account with this email already exists."""


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
