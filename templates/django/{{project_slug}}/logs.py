"""Logs: one line per event on stderr, as JSON or as text, each with the request id.

The LOGGING setting is ``logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT)``: Django applies it
at start-up (``configure_logging`` does the same for code that runs without Django's setup).
``middleware.RequestIdMiddleware`` sets the request id of each request and writes its
access line. Standard library only: the settings import this module before the apps load.
"""

import json
import logging
import logging.config
import os
import re
import sys
import time
import uuid
from contextvars import ContextVar
from typing import IO, Any

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("json", "text")
ACCESS_LOGGER = f"{__name__.rpartition('.')[0]}.access"
#: Extra fields of an access line, in the order the JSON line shows them.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")
REQUEST_ID_HEADER = "X-Request-ID"

# The id of the request being handled (None outside a request).
current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_from(header: str | None) -> str:
    """An incoming X-Request-ID when sane (1-128 of ``A-Za-z0-9._:-``), else a new one."""
    if header is not None and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Put the current request id (or None) on every record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class RefusedHost(logging.Filter):
    """One fixed line for a refused Host header: no traceback, no attacker-chosen text."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = "Refused a request whose Host header is not in ALLOWED_HOSTS"
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True


class DropServerAccessLines(logging.Filter):
    """Drop the development server's request lines (``runserver``): they repeat the access
    line of ``RequestIdMiddleware`` with the query string, where reset tokens travel."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Its fixed messages (no arguments, e.g. "HTTPS on an HTTP server") stay.
        return not (hasattr(record, "request") and record.args)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id (and more)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        line: dict[str, Any] = {
            "time": f"{stamp}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``HH:MM:SS LEVEL logger [request_id] message`` (UTC), a traceback below when any."""

    def format(self, record: logging.LogRecord) -> str:
        clock = time.strftime("%H:%M:%S", time.gmtime(record.created))
        request_id = getattr(record, "request_id", None) or "-"
        line = f"{clock} {record.levelname} {record.name} [{request_id}] {record.getMessage()}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def server_formatter() -> logging.Formatter:
    """The formatter of granian's own lines (`--log-config granian-logging.json`).

    granian sets up its logging before it loads the app, so this reads the app's settings
    itself, from the same places as the app (the environment, and `.env` where the app
    reads it): the server's lines and the app's come in one format. Settings the app
    refuses fall back to the environment alone; the app then stops with its own error.
    """
    from .settings import BadSettingError, bool_setting, choice_setting, settings_module

    try:
        # As the settings modules: .env fills in the environment, DEBUG can be on in
        # development only (on by default), and LOG_FORMAT defaults to text with DEBUG on.
        development = settings_module().endswith(".development")
        debug = development and bool_setting("DEBUG", default=True)
        fmt = choice_setting("LOG_FORMAT", FORMATS, default="text" if debug else "json")
    except (BadSettingError, SystemExit):
        fmt = _environment_format()
    return TextFormatter() if fmt == "text" else JsonFormatter()


def _environment_format() -> str:
    """LOG_FORMAT from the environment alone, else text with DEBUG on and JSON otherwise."""
    fmt = os.environ.get("LOG_FORMAT", "").strip().lower()
    if fmt not in {"json", "text"}:
        debug = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
        fmt = "text" if debug else "json"
    return fmt


def make_handler(fmt: str, stream: IO[str] | None = None) -> logging.Handler:
    """The one handler: ``stream`` (stderr by default), the chosen format, the request id."""
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    return handler


def logging_config(*, level: str, fmt: str) -> dict[str, Any]:
    """The LOGGING setting: everything goes through one handler on the root logger."""
    if level not in LEVELS:
        raise ValueError(f"LOG_LEVEL must be one of {', '.join(LEVELS)}, not {level!r}")
    make_handler(fmt)  # refuses an unknown format now, not at the first line
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "refused_host": {"()": RefusedHost},
            "server_access": {"()": DropServerAccessLines},
        },
        "handlers": {"stderr": {"()": make_handler, "fmt": fmt, "level": level}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Django's own handlers (console when DEBUG, mail to admins) are replaced: its
            # lines go to the root handler like every other line.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "filters": ["server_access"], "propagate": True},
            # Refused Host headers: one line without the header's text.
            "django.security.DisallowedHost": {"filters": ["refused_host"]},
            # Never the SQL and its parameters, even with LOG_LEVEL=DEBUG.
            "django.db.backends": {"level": "INFO"},
        },
    }


def configure_logging(*, level: str, fmt: str) -> None:
    """Apply ``logging_config``: calling it again replaces the handler, never adds one."""
    logging.config.dictConfig(logging_config(level=level, fmt=fmt))
