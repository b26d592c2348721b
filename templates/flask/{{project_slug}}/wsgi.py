"""The WSGI entry point for production servers (granian, gunicorn).

A configuration error (say, no SECRET_KEY in production) stops the server with one
readable line instead of a traceback per worker.
"""

from __future__ import annotations

import sys

from . import create_app
from .config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    sys.exit(f"error: {error}")
