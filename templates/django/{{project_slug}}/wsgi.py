"""WSGI entry point (``make serve`` runs granian on ``wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

from .settings import settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

application = get_wsgi_application()
