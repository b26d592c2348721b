"""ASGI entry point, for ASGI servers (``make serve`` uses the WSGI one)."""

import os
import sys

from django.core.asgi import get_asgi_application

from .settings import MissingSecretError, settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

try:
    application = get_asgi_application()
except MissingSecretError as exc:  # one line per worker, not a traceback
    sys.exit(f"error: {exc}")
