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

# A SECRET_KEY signs tokens and sessions: no default exists, and none of these is accepted.
MIN_SECRET_KEY_LENGTH = 32
PLACEHOLDER_SECRETS = frozenset(
    {
        "change-me",
        "changeme",
        "changethis",
        "secret",
        "secret-key",
        "dev",
        "development",
        "insecure",
        "test",
    }
)
_KEYGEN_HINT = "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
WEAK_SECRET_MESSAGE = (
    "SECRET_KEY is missing or too weak: run 'make install' to write a .env with a fresh one, "
    f"or {_KEYGEN_HINT}"
)
WEAK_PRODUCTION_SECRET_MESSAGE = (
    "SECRET_KEY is missing or too weak: production needs a random value of at least 32 "
    f"characters in the environment, e.g. {_KEYGEN_HINT}"
)


class BadSettingError(ImproperlyConfigured):
    """A setting has a value the app cannot use: the entry points print one line and stop."""


class MissingSecretError(BadSettingError):
    """The app was started without a usable SECRET_KEY (every environment refuses to)."""


def int_setting(name: str, *, default: int, minimum: int = 0) -> int:
    """The environment variable ``name`` as a whole number >= ``minimum`` (else one-line error)."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9) or int(text) < minimum:
        raise BadSettingError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return int(text)


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def bool_setting(name: str, *, default: bool) -> bool:
    """The environment variable ``name`` as true or false (else one-line error)."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadSettingError(f"{name} must be true or false, not {value!r}")


def choice_setting(name: str, choices: tuple[str, ...], *, default: str) -> str:
    """The environment variable ``name`` as one of ``choices`` (any case; else one-line error)."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    for choice in choices:
        if value.strip().lower() == choice.lower():
            return choice
    raise BadSettingError(f"{name} must be one of {', '.join(choices)}, not {value!r}")


def fraction_setting(name: str, *, default: float) -> float:
    """The environment variable ``name`` as a number from 0 to 1 (else one-line error)."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = float(value.strip())
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:  # also refuses nan
        raise BadSettingError(f"{name} must be a number from 0 to 1, not {value!r}")
    return number


def require_secret_key(secret: str, *, production: bool) -> str:
    """Return ``secret`` when it can sign tokens; raise ``MissingSecretError`` otherwise."""
    if len(secret) < MIN_SECRET_KEY_LENGTH or secret.strip().lower() in PLACEHOLDER_SECRETS:
        raise MissingSecretError(
            WEAK_PRODUCTION_SECRET_MESSAGE if production else WEAK_SECRET_MESSAGE
        )
    return secret


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
