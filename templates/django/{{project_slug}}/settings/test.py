"""Settings for the test suite (pytest-django points DJANGO_SETTINGS_MODULE here)."""

from .base import *  # noqa: F403
from .base import SECRET_KEY

ENVIRONMENT = "test"
DEBUG = False
SECRET_KEY = SECRET_KEY or "test-only-secret-key-0123456789-0123456789-0123456789-0123456789"
ACCESS_TOKEN_EXPIRE_MINUTES = 60

# argon2 is slow on purpose; tests that check the real hasher override this.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No collectstatic before the tests: look the files up where they are.
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
