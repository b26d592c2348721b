"""Production settings: secrets from the environment only, HTTPS and strict cookies."""

from . import ENVIRONMENT_SECRET_KEY, MissingSecretError
from .base import *  # noqa: F403
from .base import env

DEBUG = False
# From the real environment only: the random key in .env is for development.
SECRET_KEY = ENVIRONMENT_SECRET_KEY

# Values that must never sign production tokens and sessions.
_PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "replace-me", "secret"}
if SECRET_KEY.strip().lower() in _PLACEHOLDER_SECRETS or len(SECRET_KEY) < 32:
    raise MissingSecretError(
        "SECRET_KEY is missing or too short: production needs a random secret of at least "
        "32 characters in the environment (not in .env), e.g. "
        "python -c 'import secrets; print(secrets.token_hex(32))'"
    )

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
