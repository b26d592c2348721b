"""Accounts: register, exchange an email + password for a bearer token (throttled),
and reset a forgotten password through an emailed link."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request
from werkzeug.exceptions import TooManyRequests

from .. import services, throttle
from ..security import create_access_token
from .openapi import Blueprint
from .schemas import (
    MessageSchema,
    PasswordResetConfirmSchema,
    PasswordResetRequestSchema,
    RegisterSchema,
    TokenFormSchema,
    TokenSchema,
    UserSchema,
)

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Accounts and tokens")

EMAIL_TAKEN = "Email already registered"
WRONG_CREDENTIALS = "Incorrect email or password"
TOO_MANY_FAILURES = "Too many failed login attempts; try again later"
RESET_SENT = "If the account exists, a reset link has been sent"
INVALID_RESET_TOKEN = "Invalid or expired reset token"

TOO_MANY_FAILURES_DOC: dict[str, Any] = {
    "description": "Too many failed logins for this email from this address",
    "headers": {
        "Retry-After": {
            "description": "seconds until the next attempt is allowed",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


@blp.post("/register")
@blp.arguments(RegisterSchema())
@blp.response(201, UserSchema)
@blp.alt_response(409, description="Email already registered")
def register(data: dict[str, Any]) -> Any:
    """Create an account

    Anyone may call it, without a token. Answers 201 with the new account; an email
    already registered answers 409, an invalid email or password 422.
    """
    try:
        return services.user_create(email=data["email"], password=data["password"])
    except services.EmailTakenError:
        abort(409, description=EMAIL_TAKEN)


@blp.post("/token")
@blp.arguments(TokenFormSchema(), location="form")
@blp.response(200, TokenSchema)
@blp.alt_response(401, description="Incorrect email or password")
@blp.doc(responses={"429": TOO_MANY_FAILURES_DOC})
def token(data: dict[str, Any]) -> Any:
    """Get a bearer token (OAuth2 password flow: `username` is the email)

    After too many failures for one email from one address, attempts wait (429).
    """
    email, client = data["username"], request.remote_addr
    retry_after = throttle.login_retry_after(email=email, client=client)
    if retry_after is not None:
        raise TooManyRequests(description=TOO_MANY_FAILURES, retry_after=retry_after)
    user = services.user_authenticate(email=email, password=data["password"])
    if user is None:
        throttle.login_failed(email=email, client=client)
        abort(401, description=WRONG_CREDENTIALS)
    throttle.login_succeeded(email=email, client=client)
    access_token = create_access_token(
        user_id=user.id,
        password_fingerprint=user.fingerprint(),
        secret_key=current_app.config["SECRET_KEY"],
        expire_minutes=current_app.config["ACCESS_TOKEN_EXPIRE_MINUTES"],
    )
    return {"access_token": access_token, "token_type": "bearer"}


@blp.post("/password-reset")
@blp.arguments(PasswordResetRequestSchema())
@blp.response(202, MessageSchema)
def password_reset(data: dict[str, Any]) -> Any:
    """Ask for a password reset link

    Anyone may call it, without a token. Emails a reset link when an account has this
    email; the answer is the same 202 either way, so it never reveals whether one exists.
    """
    services.password_reset_request(email=data["email"])
    return {"detail": RESET_SENT}


@blp.post("/password-reset/confirm")
@blp.arguments(PasswordResetConfirmSchema())
@blp.response(204)
@blp.alt_response(400, description=INVALID_RESET_TOKEN)
def password_reset_confirm(data: dict[str, Any]) -> None:
    """Set a new password with the token of a reset link

    Every access token issued before is refused from now on.
    """
    try:
        services.password_reset_confirm(token=data["token"], password=data["password"])
    except services.InvalidResetToken:
        abort(400, description=INVALID_RESET_TOKEN)
