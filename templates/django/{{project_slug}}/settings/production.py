"""Production settings: secrets from the environment only, HTTPS and strict cookies."""

from ..reporting import init_error_reporting
from . import ENVIRONMENT_SECRET_KEY, require_secret_key
from .base import *  # noqa: F403
from .base import SENTRY_DSN, SENTRY_ENVIRONMENT, SENTRY_TRACES_SAMPLE_RATE, env

DEBUG = False
# From the real environment only: the random key in .env is for development.
SECRET_KEY = require_secret_key(ENVIRONMENT_SECRET_KEY, production=True)

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# HSTS on every answer to an HTTPS request (TLS itself, or X-Forwarded-Proto: https from a
# peer in FORWARDED_ALLOW_IPS): max-age=31536000; includeSubDomains.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is a commitment to submit the domain to the browsers' list: opt in.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

init_error_reporting(
    dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE
)
