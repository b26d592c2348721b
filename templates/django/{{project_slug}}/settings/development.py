"""Development settings: debug pages for `make dev` (`make serve` turns them off)."""

from .. import logs
from ..reporting import init_error_reporting
from . import require_secret_key
from .base import *  # noqa: F403
from .base import (
    LOG_LEVEL,
    SECRET_KEY,
    SENTRY_DSN,
    SENTRY_TRACES_SAMPLE_RATE,
    env,
    log_format,
    sentry_environment,
)

# `make serve` exports DEBUG=false, whatever .env says: debug pages belong to `make dev`.
DEBUG = env.bool("DEBUG", default=True)
# From the environment or .env (`make install` writes one); there is no fallback.
SECRET_KEY = require_secret_key(SECRET_KEY, production=False)

# Text logs and the "development" Sentry environment while DEBUG is on (unless set).
LOG_FORMAT = log_format(debug=DEBUG)
LOGGING = logs.logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT)
SENTRY_ENVIRONMENT = sentry_environment(debug=DEBUG)
init_error_reporting(
    dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE
)
