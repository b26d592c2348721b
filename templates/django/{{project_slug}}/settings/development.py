"""Development settings: debug pages, relaxed hosts, a fallback secret."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, env

DEBUG = env.bool("DEBUG", default=True)
# `.env` holds a random per-project secret; this fallback only lets a fresh clone start.
SECRET_KEY = SECRET_KEY or "development-only-secret-key-do-not-use-in-production-0123456789"
