"""Bearer-token (JWT) authentication for the API."""

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import jwt
from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

if TYPE_CHECKING:
    from ..users.models import User

ALGORITHM = "HS256"
INVALID_CREDENTIALS = "Could not validate credentials"


def create_access_token(*, user_id: int, expires_minutes: int | None = None) -> str:
    """Return a signed JWT whose ``sub`` is the user id, expiring after the given minutes."""
    minutes = settings.ACCESS_TOKEN_EXPIRE_MINUTES if expires_minutes is None else expires_minutes
    now = datetime.now(UTC)
    payload = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(payload, settings.SECRET_KEY, algorithm=ALGORITHM)


def decode_access_token(token: str) -> int:
    """Return the user id carried by a valid token; raise ``AuthenticationFailed`` otherwise."""
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            settings.SECRET_KEY,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
        )
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS) from exc
    subject = payload.get("sub")
    if not isinstance(subject, str) or not subject.isascii() or not subject.isdigit():
        raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS)
    user_id = int(subject)
    if not 0 < user_id < 2**63:
        raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS)
    return user_id


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <jwt>``; a 401 answers ``WWW-Authenticate: Bearer``."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> "tuple[User, str] | None":
        # Imported here: DRF loads this class while Django may still be loading the apps.
        from ..users.selectors import user_get_active

        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword:
            # No (or a malformed) header: the permission check answers "Not authenticated".
            return None
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS) from exc
        user = user_get_active(user_id=decode_access_token(token))
        if user is None:
            raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describe the bearer token in the OpenAPI document (the "Authorize" button)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 - a scheme name, not a secret
            bearer_format="JWT",
        )
