"""The signed-in user."""

from __future__ import annotations

from typing import Any

from .authentication import AUTH_DOC, current_user, token_required
from .openapi import Blueprint
from .schemas import UserSchema

blp = Blueprint("users", __name__, url_prefix="/api/users", description="Users")


@blp.get("/me")
@blp.doc(**AUTH_DOC)
@token_required
@blp.response(200, UserSchema)
def me() -> Any:
    """The account of the token's owner"""
    return current_user()
