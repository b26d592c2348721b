"""The application package: settings, models, services and the HTTP API (see README.md)."""

__version__ = "0.1.0"
