"""Accounts: register, and exchange an email + password for a bearer token."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app

from .. import services
from ..security import create_access_token
from .openapi import Blueprint
from .schemas import RegisterSchema, TokenFormSchema, TokenSchema, UserSchema

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Accounts and tokens")

EMAIL_TAKEN = "Email already registered"
WRONG_CREDENTIALS = "Incorrect email or password"


@blp.post("/register")
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, description="Email already registered")
def register(data: dict[str, Any]) -> Any:
    """Create an account"""
    try:
        return services.user_create(email=data["email"], password=data["password"])
    except services.EmailAlreadyRegistered:
        abort(409, description=EMAIL_TAKEN)


@blp.post("/token")
@blp.arguments(TokenFormSchema, location="form")
@blp.response(200, TokenSchema)
@blp.alt_response(401, description="Incorrect email or password")
def token(data: dict[str, Any]) -> Any:
    """Get a bearer token (OAuth2 password flow: `username` is the email)"""
    user = services.user_authenticate(email=data["username"], password=data["password"])
    if user is None:
        abort(401, description=WRONG_CREDENTIALS)
    access_token = create_access_token(
        user_id=user.id,
        secret_key=current_app.config["SECRET_KEY"],
        expire_minutes=current_app.config["ACCESS_TOKEN_EXPIRE_MINUTES"],
    )
    return {"access_token": access_token, "token_type": "bearer"}
