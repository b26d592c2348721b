"""Settings for the test suite (pytest-django points DJANGO_SETTINGS_MODULE here)."""

from . import require_secret_key
from .base import *  # noqa: F403
from .base import SECRET_KEY

ENVIRONMENT = "test"
DEBUG = False
# tests/conftest.py puts a random one in the environment before the settings load.
SECRET_KEY = require_secret_key(SECRET_KEY, production=False)
ACCESS_TOKEN_EXPIRE_MINUTES = 60
# The suite reads mail.outbox (pytest-django's locmem backend) right after each request.
EMAILS_IN_BACKGROUND = False

# argon2 is slow on purpose; tests that check the real hasher override this.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No collectstatic before the tests: look the files up where they are.
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
