"""Development settings: debug pages for `make dev` (`make serve` turns them off)."""

from . import require_secret_key
from .base import *  # noqa: F403
from .base import SECRET_KEY, env

# `make serve` exports DEBUG=false, whatever .env says: debug pages belong to `make dev`.
DEBUG = env.bool("DEBUG", default=True)
# From the environment or .env (`make install` writes one); there is no fallback.
SECRET_KEY = require_secret_key(SECRET_KEY, production=False)
