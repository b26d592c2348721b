"""ASGI entry point, for ASGI servers (``make serve`` uses the WSGI one)."""

import os
import sys

from django.core.asgi import get_asgi_application

from .settings import BadSettingError, settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

try:
    application = get_asgi_application()
except BadSettingError as exc:  # a bad setting: one line per worker, no traceback
    sys.exit(f"error: {exc}")
