"""The ORM models: users and their items, reset tokens and failed logins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import DateTime, Float, ForeignKey, Index, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import Base
from .security import TOKEN_FINGERPRINT_LENGTH, password_fingerprint

#: Every table's table arguments: on SQLite, `AUTOINCREMENT` (a deleted row's id is never
#: handed out again, as with PostgreSQL's sequences); other databases ignore it. The
#: migration `scaffold_ids_never_reused` gives it to the tables of an existing database.
IDS_NEVER_REUSED = {"sqlite_autoincrement": True}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    PostgreSQL keeps the offset itself; SQLite stores naive text, so values are
    converted to UTC on the way in and marked as UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use a timezone-aware value")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class User(UserMixin, Base):
    """An account: signs in to the pages with a session and to the API with a token."""

    __tablename__ = "users"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_superuser: Mapped[bool] = mapped_column(default=False)

    items: Mapped[list[Item]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True
    )
    reset_tokens: Mapped[list[PasswordResetToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # UserMixin defines __eq__, which would make instances unhashable.
    __hash__ = object.__hash__

    def fingerprint(self) -> str:
        """The current password fingerprint: what tokens and sessions are bound to."""
        return password_fingerprint(
            password_hash=self.password_hash, secret_key=current_app.config["SECRET_KEY"]
        )

    def get_id(self) -> str:
        """The login session's id: it stops matching once the password changes."""
        return f"{self.id}:{self.fingerprint()[:TOKEN_FINGERPRINT_LENGTH]}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def __str__(self) -> str:
        return self.email


class Item(Base):
    """Something a user owns: the example resource of the API."""

    __tablename__ = "items"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000), default=None)
    price: Mapped[float] = mapped_column(Float)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    owner: Mapped[User] = relationship(back_populates="items")

    def __repr__(self) -> str:
        return f"<Item {self.id} {self.title!r}>"

    def __str__(self) -> str:
        return self.title


class PasswordResetToken(Base):
    """A password reset link sent by email: only the sha256 of its token is stored.

    `password_fingerprint` is the account's password fingerprint when the link was made:
    once the password changes (by any path), the link no longer matches and is refused.
    """

    __tablename__ = "password_reset_tokens"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    user: Mapped[User] = relationship(back_populates="reset_tokens")

    def __repr__(self) -> str:
        return f"<PasswordResetToken {self.id} of user {self.user_id}>"


class LoginFailure(Base):
    """One failed login for an email from a client address (see throttle.py)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_client", "email", "client_address", "created_at"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    client_address: Mapped[str] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<LoginFailure {self.id}>"
