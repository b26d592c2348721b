"""Password hashing (argon2) and JWT access tokens (HS256)."""

import re
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash

from .config import Settings

ALGORITHM = "HS256"
MAX_ID = 2**31 - 1
_DECIMAL_ID = re.compile(r"[0-9]{1,10}")

password_hash = PasswordHash.recommended()
# Verified when the email is unknown, so both failures take the same time.
_DUMMY_HASH = password_hash.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """Return a salted argon2 hash of the password."""
    return password_hash.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    """Check a password against a hash; `None` burns the same time and fails."""
    if hashed is None:
        password_hash.verify(password, _DUMMY_HASH)
        return False
    return password_hash.verify(password, hashed)


def parse_id(value: str) -> int | None:
    """Return a positive decimal id below 2**31, or None for anything else."""
    if not _DECIMAL_ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def create_access_token(*, user_id: int, settings: Settings) -> str:
    """Sign a token for the user that expires after ACCESS_TOKEN_EXPIRE_MINUTES."""
    now = datetime.now(UTC)
    payload = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_expire_minutes),
    }
    return jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM)


def decode_access_token(token: str, *, settings: Settings) -> int | None:
    """Return the user id of a valid, unexpired token, or None."""
    try:
        payload = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
        )
    except jwt.InvalidTokenError:
        return None
    subject = payload.get("sub")
    return parse_id(subject) if isinstance(subject, str) else None
