"""Password hashing (argon2), JWT access tokens (HS256) and reset tokens."""

import hashlib
import hmac
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import NamedTuple

import jwt
from pwdlib import PasswordHash

from .config import Settings

ALGORITHM = "HS256"
# An access token carries the first 16 hex characters of its account's password fingerprint.
PWD_CLAIM_LENGTH = 16
MAX_ID = 2**31 - 1
_DECIMAL_ID = re.compile(r"[0-9]{1,10}")

password_hash = PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    """The hash checked when the email is unknown, so both failures take the same time.

    Made on first use, not at import: hashing at argon2's cost takes a good part of a
    second, which every worker, command and test process would pay at start-up.
    """
    return password_hash.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """Return a salted argon2 hash of the password."""
    return password_hash.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    """Check a password against a hash; `None` burns the same time and fails."""
    if hashed is None:
        password_hash.verify(password, _dummy_hash())
        return False
    return password_hash.verify(password, hashed)


def parse_id(value: str) -> int | None:
    """Return a positive decimal id below 2**31, or None for anything else."""
    if not _DECIMAL_ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def password_fingerprint(hashed_password: str, *, settings: Settings) -> str:
    """HMAC-SHA256 of the password hash: changes whenever the password does."""
    return _fingerprint(hashed_password, settings.secret_key)


# Every authenticated request compares its token with the account's fingerprint: each
# process keeps the last ones it computed (a function of the hash and the key alone, so a
# new password, with its new hash, gets a new fingerprint at once).
@lru_cache(maxsize=1024)
def _fingerprint(hashed_password: str, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), hashed_password.encode(), hashlib.sha256).hexdigest()


def new_reset_token() -> str:
    """A fresh password reset token: 43 URL-safe characters (256 random bits)."""
    return secrets.token_urlsafe(32)


def hash_reset_token(token: str) -> str:
    """The SHA-256 (hex) of a reset token: only this is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class AccessClaims(NamedTuple):
    """What a valid access token says: whose it is and its password fingerprint prefix."""

    user_id: int
    pwd: str


def create_access_token(*, user_id: int, hashed_password: str, settings: Settings) -> str:
    """Sign a token for the user that expires after ACCESS_TOKEN_EXPIRE_MINUTES.

    The `pwd` claim ties it to the current password: after a change or a reset, every
    token issued before it is refused.
    """
    now = datetime.now(UTC)
    fingerprint = password_fingerprint(hashed_password, settings=settings)
    payload = {
        "sub": str(user_id),
        "pwd": fingerprint[:PWD_CLAIM_LENGTH],
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_expire_minutes),
    }
    return jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM)


# A client sends the same token with every request, and checking it (the signature, the
# claims) gives the same answer for the same token and key until it expires. So each
# process keeps the claims of the last tokens it accepted, and checks only their expiry
# again. Refused tokens are not kept, and nothing about the account is: the caller still
# checks on every request that the account exists and the password has not changed.
TOKEN_CACHE_SIZE = 1024


class InvalidClaimsError(jwt.InvalidTokenError):
    """A correctly signed token whose subject or password claim is not what we issue."""


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _verified_claims(token: str, secret_key: str) -> tuple[AccessClaims, float]:
    """The claims and expiry time of a valid token; jwt.InvalidTokenError otherwise."""
    payload = jwt.decode(
        token, secret_key, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "pwd"]}
    )
    subject, pwd = payload.get("sub"), payload.get("pwd")
    user_id = parse_id(subject) if isinstance(subject, str) else None
    if user_id is None or not isinstance(pwd, str):
        raise InvalidClaimsError
    return AccessClaims(user_id, pwd), float(payload["exp"])


def decode_access_token(token: str, *, settings: Settings) -> AccessClaims | None:
    """Return the claims of a valid, unexpired token, or None."""
    try:
        claims, expires_at = _verified_claims(token, settings.secret_key)
    except jwt.InvalidTokenError:
        return None
    return claims if time.time() < expires_at else None


def access_token_expires_at(token: str, *, settings: Settings) -> float | None:
    """When a valid token expires (Unix time, its `exp`), or None for an invalid one."""
    try:
        return _verified_claims(token, settings.secret_key)[1]
    except jwt.InvalidTokenError:
        return None


def token_matches_password(
    claims: AccessClaims, hashed_password: str, *, settings: Settings
) -> bool:
    """True when the token was issued for the account's current password."""
    current = password_fingerprint(hashed_password, settings=settings)[:PWD_CLAIM_LENGTH]
    return hmac.compare_digest(claims.pwd.encode(), current.encode())
