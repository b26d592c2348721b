"""Bearer-token authentication for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, g, request
from sqlalchemy import Connection, bindparam, select

from ..extensions import db, read_connection
from ..models import User
from ..security import decode_access_token, password_fingerprint, token_fingerprint_matches

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NOT_AUTHENTICATED = "Not authenticated"
INVALID_CREDENTIALS = "Could not validate credentials"
# OpenAPI documentation of a protected operation: `@blp.doc(**AUTH_DOC)`.
AUTH_DOC: dict[str, Any] = {
    "security": [{"OAuth2PasswordBearer": []}],
    "responses": {
        "401": {
            "description": "Missing, malformed, invalid or expired token",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string", "example": "Bearer"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    },
}

View = Callable[..., Any]

# What authentication reads of the token's user: the password hash, which the token's
# fingerprint must match. One column as a plain row on the session's connection, not the
# whole account through the ORM (a third of an item read's time went to loading it).
_users = User.__table__
PASSWORD_HASH_OF_USER = select(_users.c.password_hash).where(_users.c.id == bindparam("user_id"))


def _bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        abort(401, description=NOT_AUTHENTICATED)
    return token


def _connection() -> Connection:
    """Where authentication reads: the read connection when the request only reads (its
    other reads use it too), else the session's, which the request's writes will use."""
    return read_connection() if request.method in READ_METHODS else db.session.connection()


def authenticate_request() -> int:
    """The id of the user whose valid bearer token came with the request, or a 401."""
    secret_key = current_app.config["SECRET_KEY"]
    claims = decode_access_token(_bearer_token(), secret_key=secret_key)
    if claims is None:
        abort(401, description=INVALID_CREDENTIALS)
    password_hash = (
        _connection()
        .execute(PASSWORD_HASH_OF_USER, {"user_id": claims.user_id})
        .scalar_one_or_none()
    )
    # A deleted account's token is refused, and so is a token issued before the last
    # password change (or reset): see User.fingerprint.
    if password_hash is None or not token_fingerprint_matches(
        claims.password_fingerprint,
        password_fingerprint(password_hash=password_hash, secret_key=secret_key),
    ):
        abort(401, description=INVALID_CREDENTIALS)
    return claims.user_id


def token_required(view: View) -> View:
    """Reject the request with 401 unless it carries a valid bearer token.

    Put it ABOVE `@blp.arguments`: authentication then runs before the body is parsed,
    so a caller without a token never learns anything about the body's validity.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.current_user_id = authenticate_request()
        return view(*args, **kwargs)

    return wrapper


def current_user_id() -> int:
    """The id of the user authenticated by `token_required` (all that the item views need)."""
    user_id: int = g.current_user_id
    return user_id


def current_user() -> User:
    """The whole account authenticated by `token_required`, loaded for views that need it.

    401 when it was deleted since (by a concurrent request).
    """
    user = db.session.get(User, current_user_id())
    if user is None:
        abort(401, description=INVALID_CREDENTIALS)
    return user
