"""Settings: one module per environment, all built on ``base``.

``manage.py``, ``wsgi.py`` and ``asgi.py`` pick the module named by ENVIRONMENT
(``development`` by default, ``test`` or ``production``); pytest uses ``settings.test``.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

ENVIRONMENTS = ("development", "test", "production")

# Read before any .env is loaded: production takes its secret from the real environment
# only, never from the development .env.
ENVIRONMENT_SECRET_KEY = os.environ.get("SECRET_KEY", "")


class MissingSecretError(ImproperlyConfigured):
    """Production was started without a usable SECRET_KEY in the environment."""


def settings_module() -> str:
    """Return the dotted settings module for ENVIRONMENT (real environment first, then .env)."""
    env_file = Path(__file__).resolve().parent.parent.parent / ".env"
    if env_file.is_file():
        environ.Env.read_env(env_file, overwrite=False)
    environment = os.environ.get("ENVIRONMENT", "development").strip().lower() or "development"
    if environment not in ENVIRONMENTS:
        raise SystemExit(
            f"ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}"
        )
    return f"{__name__}.{environment}"
