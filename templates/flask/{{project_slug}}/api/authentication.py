"""Bearer-token authentication for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, g, request

from ..extensions import db
from ..models import User
from ..security import decode_access_token, token_fingerprint_matches

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


def _bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        abort(401, description=NOT_AUTHENTICATED)
    return token


def authenticate_request() -> User:
    """The user whose valid bearer token came with the request, or a 401."""
    claims = decode_access_token(_bearer_token(), secret_key=current_app.config["SECRET_KEY"])
    if claims is None:
        abort(401, description=INVALID_CREDENTIALS)
    user = db.session.get(User, claims.user_id)
    # A token issued before the last password change (or reset) is refused.
    if user is None or not token_fingerprint_matches(
        claims.password_fingerprint, user.fingerprint()
    ):
        abort(401, description=INVALID_CREDENTIALS)
    return user


def token_required(view: View) -> View:
    """Reject the request with 401 unless it carries a valid bearer token.

    Put it ABOVE `@blp.arguments`: authentication then runs before the body is parsed,
    so a caller without a token never learns anything about the body's validity.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.current_user = authenticate_request()
        return view(*args, **kwargs)

    return wrapper


def current_user() -> User:
    """The user authenticated by `token_required` for this request."""
    user: User = g.current_user
    return user
