"""Bearer-token (JWT) authentication for the API."""

import hmac
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

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
# Characters of the user's password fingerprint a token carries in its ``pwd`` claim.
PWD_CLAIM_LENGTH = 16


def create_access_token(*, user: "User", expires_minutes: int | None = None) -> str:
    """Return a signed JWT for ``user``, expiring after the given minutes.

    ``sub`` is the user id; ``pwd`` is the start of the user's password fingerprint, so the
    token stops working when the password changes (even within the same second).
    """
    minutes = settings.ACCESS_TOKEN_EXPIRE_MINUTES if expires_minutes is None else expires_minutes
    now = datetime.now(UTC)
    payload = {
        "sub": str(user.pk),
        "pwd": user.password_fingerprint()[:PWD_CLAIM_LENGTH],
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
    }
    return jwt.encode(payload, settings.SECRET_KEY, algorithm=ALGORITHM)


class AccessClaims(NamedTuple):
    """What a valid access token says: whose it is and its password fingerprint prefix."""

    user_id: int
    pwd: str


# Checking a token's signature and claims (PyJWT: base64, JSON, HMAC) was about 7 % of an
# authenticated read under py-spy, and a client sends the same token many times: each
# process keeps the claims of the last accepted tokens (per signing key) and checks only
# their expiry again. A refused token is never kept, and nothing about the account is:
# user_for_token still reads the user on every request, so a deleted account or a changed
# password refuses the token at once. The same cache as the FastAPI and Flask starters'.
TOKEN_CACHE_SIZE = 1024


class InvalidClaimsError(jwt.InvalidTokenError):
    """A correctly signed token whose subject or password claim is not what we issue."""


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _verified_claims(token: str, secret_key: str) -> tuple[AccessClaims, int]:
    """The claims and expiry time of a valid token; ``jwt.InvalidTokenError`` otherwise."""
    payload: dict[str, Any] = jwt.decode(
        token,
        secret_key,
        algorithms=[ALGORITHM],
        options={"require": ["exp", "sub", "pwd"]},
    )
    subject, pwd = payload.get("sub"), payload.get("pwd")
    if not isinstance(subject, str) or not subject.isascii() or not subject.isdigit():
        raise InvalidClaimsError
    user_id = int(subject)
    if not 0 < user_id < 2**63:
        raise InvalidClaimsError
    if not isinstance(pwd, str) or len(pwd) != PWD_CLAIM_LENGTH:
        raise InvalidClaimsError
    # int(): how PyJWT itself reads ``exp`` before comparing it with the time.
    return AccessClaims(user_id, pwd), int(payload["exp"])


def decode_access_token(token: str) -> AccessClaims | None:
    """The claims of a valid, unexpired token, or None for any other token.

    Tokens without ``pwd`` (made before password changes revoked tokens) are refused.
    """
    try:
        claims, expires_at = _verified_claims(token, settings.SECRET_KEY)
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    # PyJWT refuses a token once ``exp <= now``: the same rule for a kept one.
    return claims if time.time() < expires_at else None


def access_token_expires_at(token: str) -> float | None:
    """When a valid token expires (Unix time, its ``exp``), or None for an invalid one."""
    try:
        return float(_verified_claims(token, settings.SECRET_KEY)[1])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None


def user_for_token(token: str) -> "User":
    """The active user a valid access token belongs to; raise ``AuthenticationFailed``.

    The bearer check of the API and the first message of the item events socket both use it.
    """
    # Imported here: DRF loads this module while Django may still be loading the apps.
    from ..users.selectors import user_get_active

    claims = decode_access_token(token)
    if claims is None:
        raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS)
    user = user_get_active(user_id=claims.user_id)
    # A token issued before the user's last password change is refused.
    if user is None or not hmac.compare_digest(
        user.password_fingerprint()[:PWD_CLAIM_LENGTH].encode(), claims.pwd.encode()
    ):
        raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS)
    return user


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <jwt>``; a 401 answers ``WWW-Authenticate: Bearer``."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> "tuple[User, str] | None":
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword:
            # No (or a malformed) header: the permission check answers "Not authenticated".
            return None
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS) from exc
        return user_for_token(token), token

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
