"""Password hashing (argon2), password fingerprints and bearer tokens (JWT, HS256)."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
JWT_ALGORITHM = "HS256"
# User ids are database integers; anything else in `sub` is not one of our tokens.
MAX_USER_ID = 2**63 - 1
# How much of the password fingerprint an access token carries (its `pwd` claim).
TOKEN_FINGERPRINT_LENGTH = 16


def hash_password(password: str) -> str:
    """Return a salted argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True when `password` matches `password_hash`; never raises on a bad hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def password_fingerprint(*, password_hash: str, secret_key: str) -> str:
    """A keyed digest of the stored password hash (64 hex characters).

    It changes whenever the password does (by any path: reset, change, admin, CLI), so
    whatever was issued before a change (access tokens, reset links) can be refused.
    """
    return hmac.new(
        secret_key.encode("utf-8"), password_hash.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def token_fingerprint_matches(claimed: str, fingerprint: str) -> bool:
    """Constant-time: does a token's `pwd` claim match the current password fingerprint?"""
    expected = fingerprint[:TOKEN_FINGERPRINT_LENGTH]
    return hmac.compare_digest(claimed.encode("utf-8"), expected.encode("utf-8"))


@dataclass(frozen=True)
class AccessClaims:
    """What a valid access token says: whose it is, and which password it was made for."""

    user_id: int
    password_fingerprint: str


def create_access_token(
    *, user_id: int, password_fingerprint: str, secret_key: str, expire_minutes: int
) -> str:
    """A signed token for `user_id`, bound to the password it was issued for.

    `pwd` holds the start of the password fingerprint: once the password changes, the
    token no longer matches it and is refused, even within the same second.
    """
    now = int(time.time())
    claims = {
        "sub": str(user_id),
        "pwd": password_fingerprint[:TOKEN_FINGERPRINT_LENGTH],
        "iat": now,
        "exp": now + expire_minutes * 60,
    }
    return jwt.encode(claims, secret_key, algorithm=JWT_ALGORITHM)


# Checking a token's signature and claims costs a good part of an API request, and a client
# sends the same token many times: each process keeps the claims of the last accepted
# tokens (per signing key) and checks only their expiry again. A refused token is never
# kept, and nothing about the account is: the caller still reads the password hash on
# every request (a deleted account or a changed password refuses the token at once).
TOKEN_CACHE_SIZE = 1024


class InvalidClaimsError(jwt.InvalidTokenError):
    """A correctly signed token whose subject or password claim is not what we issue."""


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _verified_claims(token: str, secret_key: str) -> tuple[AccessClaims, float]:
    """The claims and expiry time of a valid token; jwt.InvalidTokenError otherwise."""
    claims = jwt.decode(
        token,
        secret_key,
        algorithms=[JWT_ALGORITHM],
        options={"require": ["exp", "sub", "pwd"]},
    )
    subject, fingerprint = claims.get("sub"), claims.get("pwd")
    if not isinstance(subject, str) or not subject.isascii() or not subject.isdigit():
        raise InvalidClaimsError
    if not isinstance(fingerprint, str) or len(fingerprint) != TOKEN_FINGERPRINT_LENGTH:
        raise InvalidClaimsError
    user_id = int(subject)
    if not 0 < user_id <= MAX_USER_ID:
        raise InvalidClaimsError
    return AccessClaims(user_id=user_id, password_fingerprint=fingerprint), float(claims["exp"])


def decode_access_token(token: str, *, secret_key: str) -> AccessClaims | None:
    """The claims of a valid token, or None for a malformed, tampered or expired one.

    Tokens without `pwd` (made before password changes revoked tokens) are refused.
    """
    try:
        claims, expires_at = _verified_claims(token, secret_key)
    except jwt.PyJWTError:
        return None
    return claims if time.time() < expires_at else None
