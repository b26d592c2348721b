"""The WSGI entry point for production servers (granian, gunicorn).

A configuration error (say, no usable SECRET_KEY) stops every worker with one readable
line instead of a traceback.
"""

from __future__ import annotations

import sys

from . import create_app
from .config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    sys.exit(f"error: {error.format_message()}")
