"""Business logic: keyword-only functions that the API, the pages and the CLI share."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .models import Item, User
from .security import hash_password, password_needs_rehash, verify_password

ITEM_FIELDS = frozenset({"title", "description", "price"})


class EmailAlreadyRegistered(Exception):
    """Another account already uses this email."""


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
    """Create an account; raises EmailAlreadyRegistered when the email is taken."""
    email = normalize_email(email)
    if user_get_by_email(email=email) is not None:
        raise EmailAlreadyRegistered(email)
    user = User(email=email, password_hash=hash_password(password), is_superuser=is_superuser)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Two registrations raced each other: the unique index decides.
        db.session.rollback()
        raise EmailAlreadyRegistered(email) from None
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


def user_set_superuser(*, email: str, password: str) -> tuple[User, bool]:
    """Create a superuser, or promote an existing account and reset its password.

    Returns the user and True when it was created.
    """
    user = user_get_by_email(email=email)
    if user is None:
        return user_create(email=email, password=password, is_superuser=True), True
    user.is_superuser = True
    user.password_hash = hash_password(password)
    db.session.commit()
    return user, False


def item_create(*, owner: User, title: str, price: float, description: str | None = None) -> Item:
    """Create an item owned by `owner`."""
    item = Item(owner_id=owner.id, title=title, description=description, price=price)
    db.session.add(item)
    db.session.commit()
    return item


def item_list(*, owner: User, limit: int, offset: int) -> tuple[list[Item], int]:
    """A page of the owner's items, newest first, and how many they have in all."""
    total = db.session.execute(
        select(func.count()).select_from(Item).where(Item.owner_id == owner.id)
    ).scalar_one()
    if offset >= total:
        # Also keeps offsets too big for the database's integers away from it.
        return [], total
    items = db.session.execute(
        select(Item)
        .where(Item.owner_id == owner.id)
        .order_by(Item.created_at.desc(), Item.id.desc())
        .limit(limit)
        .offset(offset)
    ).scalars()
    return list(items), total


def item_get(*, owner: User, item_id: int) -> Item | None:
    """The owner's item with this id; None when it is missing or someone else's."""
    return db.session.execute(
        select(Item).where(Item.id == item_id, Item.owner_id == owner.id)
    ).scalar_one_or_none()


def item_update(*, item: Item, changes: dict[str, Any]) -> Item:
    """Apply the given fields (title, description, price); others are ignored."""
    for field, value in changes.items():
        if field in ITEM_FIELDS:
            setattr(item, field, value)
    db.session.commit()
    return item


def item_delete(*, item: Item) -> None:
    """Delete an item."""
    db.session.delete(item)
    db.session.commit()
