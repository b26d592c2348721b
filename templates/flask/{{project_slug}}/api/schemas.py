"""marshmallow schemas: one family per entity (input, update, output)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
PRICE_MAX = 1_000_000_000
PASSWORD_MIN, PASSWORD_MAX = 8, 128
LIMIT_MAX = 100

_DECIMAL_INTEGER = re.compile(r"-?[0-9]+")


class BaseSchema(Schema):
    """Unknown and read-only fields in a request are ignored, as the contract says."""

    class Meta:
        unknown = EXCLUDE


NUL_CHARACTER = "String must not contain NUL characters"
NOT_UNICODE = "String must be valid Unicode (no lone surrogates)"
EMAIL_LOCAL_MAX, EMAIL_MAX = 64, 254
# The OpenAPI document says that strings may not hold NUL (no database stores it).
NO_NUL_PATTERN = "^[^\\u0000]*$"


def min_length(minimum: int) -> validate.Length:
    unit = "character" if minimum == 1 else "characters"
    # marshmallow fills in {min}.
    return validate.Length(min=minimum, error="String should have at least {min} " + unit)


def max_length(maximum: int) -> validate.Length:
    return validate.Length(max=maximum, error="String should have at most {max} characters")


class GreaterThan(validate.Validator):
    """`value > bound`, documented as OpenAPI 3.1's `exclusiveMinimum: bound`.

    (A marshmallow Range would be documented as `minimum`, inclusive: not what is
    enforced.)
    """

    def __init__(self, bound: float) -> None:
        self.bound = bound
        self._range = validate.Range(min=bound, min_inclusive=False)

    def __call__(self, value: Any) -> Any:
        return self._range(value)


def _storable(value: str) -> str:
    """Refuse what no database column can hold: NUL and lone UTF-16 surrogates."""
    if "\x00" in value:
        raise ValidationError(NUL_CHARACTER)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(NOT_UNICODE) from None
    return value


class Text(fields.String):
    """A JSON string that a database can store (documented: no NUL character)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": NO_NUL_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return _storable(str(super()._deserialize(value, attr, data, **kwargs)))


class EmailField(fields.Email):
    """An email address, stripped and lower-cased before it is checked (RFC 5321 sizes)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        email = _storable(value.strip().lower())
        local, _, _ = email.rpartition("@")
        if len(local) > EMAIL_LOCAL_MAX or len(email) > EMAIL_MAX:
            raise self.make_error("invalid")
        return str(super()._deserialize(email, attr, data, **kwargs))


class DecimalInteger(fields.Integer):
    """An integer written in decimal digits only (no `1e3`, `+5`, ` 7` or `1_000`)."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, str) and not _DECIMAL_INTEGER.fullmatch(value):
            raise self.make_error("invalid")
        return super()._validated(value)


def _price(**kwargs: Any) -> fields.Float:
    return fields.Float(
        allow_nan=False,
        validate=[GreaterThan(0), validate.Range(max=PRICE_MAX)],
        metadata={"exclusiveMinimum": 0, "description": f"greater than 0, at most {PRICE_MAX}"},
        **kwargs,
    )


def _title(**kwargs: Any) -> fields.String:
    return Text(validate=[min_length(1), max_length(TITLE_MAX)], **kwargs)


def _description(**kwargs: Any) -> fields.String:
    return Text(allow_none=True, validate=max_length(DESCRIPTION_MAX), **kwargs)


class ErrorSchema(Schema):
    """Every error body: `detail` is a message, or a list of validation problems."""

    detail = fields.Raw(
        required=True,
        metadata={"description": 'a sentence, or a list of {"loc", "msg", "type"} objects'},
    )


class RegisterSchema(BaseSchema):
    email = EmailField(required=True, validate=max_length(EMAIL_MAX))
    password = Text(
        required=True,
        load_only=True,
        validate=[min_length(PASSWORD_MIN), max_length(PASSWORD_MAX)],
    )


RESET_TOKEN_MAX = 200


class PasswordResetRequestSchema(BaseSchema):
    email = EmailField(required=True, validate=max_length(EMAIL_MAX))


class PasswordResetConfirmSchema(BaseSchema):
    token = Text(
        required=True,
        validate=[min_length(1), max_length(RESET_TOKEN_MAX)],
        metadata={"description": "the `token` of the emailed link"},
    )
    password = Text(
        required=True,
        load_only=True,
        validate=[min_length(PASSWORD_MIN), max_length(PASSWORD_MAX)],
        metadata={"description": "the new password"},
    )


class PasswordChangeSchema(BaseSchema):
    current_password = Text(
        required=True, load_only=True, validate=[min_length(1), max_length(PASSWORD_MAX)]
    )
    new_password = Text(
        required=True,
        load_only=True,
        validate=[min_length(PASSWORD_MIN), max_length(PASSWORD_MAX)],
    )


class MessageSchema(Schema):
    detail = fields.String(required=True)


class UserSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)


class TokenFormSchema(BaseSchema):
    """OAuth2 password form: `username` is the email."""

    username = Text(
        required=True,
        validate=max_length(EMAIL_MAX),
        metadata={"description": "the account's email"},
    )
    password = Text(required=True, validate=max_length(PASSWORD_MAX))


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "bearer"})


class ItemCreateSchema(BaseSchema):
    title = _title(required=True)
    description = _description(load_default=None)
    price = _price(required=True)


class ItemUpdateSchema(BaseSchema):
    """Any subset of the fields; null is allowed for `description` only."""

    title = _title()
    description = _description()
    price = _price()


class ItemSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)
    price = fields.Float(required=True)
    owner_id = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True, format="iso")


class PageQuerySchema(BaseSchema):
    limit = DecimalInteger(
        load_default=20, validate=[validate.Range(min=1), validate.Range(max=LIMIT_MAX)]
    )
    offset = DecimalInteger(load_default=0, validate=validate.Range(min=0))


class ItemPageSchema(Schema):
    items = fields.List(fields.Nested(ItemSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


__all__ = ["ValidationError"]
