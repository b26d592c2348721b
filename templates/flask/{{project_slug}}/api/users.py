"""The signed-in user: their account, their password, deleting the account."""

from __future__ import annotations

from typing import Any

from flask import abort

from .. import services
from .authentication import AUTH_DOC, current_user, token_required
from .openapi import Blueprint
from .schemas import PasswordChangeSchema, UserSchema

INCORRECT_PASSWORD = "Incorrect password"

blp = Blueprint("users", __name__, url_prefix="/api/users", description="Users")


@blp.get("/me")
@blp.doc(**AUTH_DOC)
@token_required
@blp.response(200, UserSchema)
def me() -> Any:
    """Read your account

    Needs a bearer token. Answers 200 with the account the token belongs to; a missing,
    expired or revoked token answers 401.
    """
    return current_user()


@blp.delete("/me")
@blp.doc(**AUTH_DOC)
@token_required
@blp.response(204)
def delete_me() -> None:
    """Delete your account

    Needs a bearer token. Deletes the account and all its items, then answers 204; the
    token stops working.
    """
    services.user_delete(user=current_user())


@blp.post("/me/password")
@blp.doc(**AUTH_DOC)
@token_required
@blp.arguments(PasswordChangeSchema())
@blp.response(204)
@blp.alt_response(400, description=INCORRECT_PASSWORD)
def change_password(data: dict[str, Any]) -> None:
    """Change my password

    Every access token issued before, the one of this request included, is refused from
    now on: log in again with the new password.
    """
    try:
        services.password_change(
            user=current_user(),
            current_password=data["current_password"],
            new_password=data["new_password"],
        )
    except services.IncorrectPassword:
        abort(400, description=INCORRECT_PASSWORD)
