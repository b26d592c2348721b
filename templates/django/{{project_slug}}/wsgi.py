"""WSGI entry point (``make serve`` and the Docker image run granian on ``wsgi:application``)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from .settings import BadSettingError, settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

try:
    application = get_wsgi_application()
except BadSettingError as exc:  # a bad setting: one line per worker, no traceback
    sys.exit(f"error: {exc}")
