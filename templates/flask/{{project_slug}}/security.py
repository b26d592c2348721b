"""Password hashing (argon2) and bearer tokens (JWT, HS256)."""

from __future__ import annotations

import time

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
JWT_ALGORITHM = "HS256"
# User ids are database integers; anything else in `sub` is not one of our tokens.
MAX_USER_ID = 2**63 - 1


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


def create_access_token(*, user_id: int, secret_key: str, expire_minutes: int) -> str:
    """A signed token whose `sub` is the user id; it expires after `expire_minutes`."""
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + expire_minutes * 60}
    return jwt.encode(claims, secret_key, algorithm=JWT_ALGORITHM)


def read_access_token(token: str, *, secret_key: str) -> int | None:
    """The user id in a valid token, or None for a malformed, tampered or expired one."""
    try:
        claims = jwt.decode(
            token, secret_key, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.isascii() or not subject.isdigit():
        return None
    user_id = int(subject)
    return user_id if 0 < user_id <= MAX_USER_ID else None
