"""Pydantic schemas: one family per entity (Create, Update, Public, ...)."""

from datetime import UTC, datetime
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

MAX_PRICE = 1_000_000_000


# The schema says it: no NUL character (PostgreSQL cannot store one in text).
NO_NUL = r"^[^\x00]*$"


def _clean_text(value: str) -> str:
    """Refuse text no database can store: lone surrogates (NUL is the pattern's job)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("string_unicode", "Text must be valid Unicode") from None
    return value


def _normalise_email(value: Any) -> Any:
    """Strip and lower-case the address, then check its shape (no DNS look-up)."""
    if not isinstance(value, str):
        return value  # the str type reports the error
    value = value.strip().lower()
    try:
        if "\x00" in value:
            raise EmailNotValidError("NUL character")
        _clean_text(value)
        _check_address(value)
    except (EmailNotValidError, PydanticCustomError):
        raise PydanticCustomError("value_error", "Value is not a valid email address") from None
    return value


def _check_address(value: str) -> None:
    """The address's syntax, as `format: email` means it: reserved domains are addresses too.

    email_validator also refuses special-use domains (`.test`, `.local`, ...), which the
    document's `format: email` cannot say; they are accepted (they just receive no mail).
    """
    try:
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        if "special-use" not in str(exc):
            raise


def _reject_non_numbers(value: Any) -> Any:
    """Accept JSON numbers and numeric strings, never booleans."""
    if isinstance(value, bool):
        raise PydanticCustomError("float_type", "Input should be a valid number")
    return value


# Constraints come before the after-validators, so a long title is `string_too_long`.
Email = Annotated[
    str,
    Field(max_length=320, json_schema_extra={"format": "email"}),
    BeforeValidator(_normalise_email),
]
Password = Annotated[
    str, Field(min_length=8, max_length=128, pattern=NO_NUL), AfterValidator(_clean_text)
]
Title = Annotated[
    str, Field(min_length=1, max_length=200, pattern=NO_NUL), AfterValidator(_clean_text)
]
Description = Annotated[str, Field(max_length=2000, pattern=NO_NUL), AfterValidator(_clean_text)]
Price = Annotated[
    float,
    Field(gt=0, le=MAX_PRICE, allow_inf_nan=False),
    BeforeValidator(_reject_non_numbers),
]


def _as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes: they are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- users -----------------------------------------------------------------------------------


class UserCreate(BaseModel):
    """Registration data."""

    email: Email
    password: Password


class UserPublic(BaseModel):
    """A user as the API shows it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str


class PasswordResetRequest(BaseModel):
    """Ask for a reset link by email."""

    email: Email


class PasswordResetConfirm(BaseModel):
    """Complete a reset: the token from the emailed link and the new password."""

    token: Annotated[str, Field(min_length=1, max_length=200)]
    password: Password


class PasswordChange(BaseModel):
    """Change the password of the logged-in account."""

    current_password: Annotated[str, Field(min_length=1, max_length=128)]
    new_password: Password


class Message(BaseModel):
    """A plain answer: `{"detail": "..."}`."""

    detail: str


class Token(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"


# --- items -----------------------------------------------------------------------------------


class ItemCreate(BaseModel):
    """Fields of a new item; unknown fields are ignored."""

    title: Title
    description: Description | None = None
    price: Price


def _not_nullable(schema: dict[str, Any]) -> None:
    """Document `title` and `price` as they are enforced: optional, but never null."""
    for name in ("title", "price"):
        field = schema["properties"][name]
        (kind,) = [option for option in field.pop("anyOf") if option.get("type") != "null"]
        field.pop("default", None)
        field.update(kind)


class ItemUpdate(BaseModel):
    """Any subset of an item's fields; only `description` may be null."""

    model_config = ConfigDict(json_schema_extra=_not_nullable)

    title: Title | None = None
    description: Description | None = None
    price: Price | None = None

    @field_validator("title", "price")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        # Only runs on values that were sent: an omitted field stays unset, a null is refused.
        if value is None:
            if info.field_name == "title":
                raise PydanticCustomError("string_type", "Input should be a valid string")
            raise PydanticCustomError("float_type", "Input should be a valid number")
        return value


class ItemPublic(BaseModel):
    """An item as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str | None
    price: float
    owner_id: int
    created_at: Annotated[datetime, AfterValidator(_as_utc)]


class ItemsPage(BaseModel):
    """One page of the caller's items, newest first."""

    items: list[ItemPublic]
    total: int
    limit: int
    offset: int


# --- service -----------------------------------------------------------------------------------


class HealthStatus(BaseModel):
    """The answer of `/health`; `detail` only when the database is down."""

    status: str
    database: str
    detail: str | None = None


class ErrorMessage(BaseModel):
    """Every error answer other than a validation error: `{"detail": "..."}`."""

    detail: str
