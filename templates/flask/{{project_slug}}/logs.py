"""Logs: one JSON object per line in production, short readable lines in development.

`configure_logging` puts one handler on the root logger (stderr), so the project's own
loggers, Flask's `app.logger`, werkzeug's development server, SQLAlchemy and the
libraries all write in the same format. Every record carries the id of the request it
was written for (`request_id`, None outside a request): RequestIdMiddleware (middleware.py) sets
it from the X-Request-ID header, or makes one.

JSON keys: time (UTC, ISO 8601 with milliseconds), level, logger, message, request_id;
the access line adds method, path, status and duration_ms; an exception adds exception
(its traceback). Never log secrets, tokens, password hashes, bodies or headers.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("json", "text")
# The access line's own fields (RequestIdMiddleware passes them as `extra`).
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# werkzeug colours some of its lines (ANSI escapes): logs keep the text only.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def request_id_from(header: str | None) -> str:
    """The incoming X-Request-ID when it is sane (1-128 of A-Z a-z 0-9 . _ : -), else a new one."""
    if header is not None and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or None) on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class WerkzeugAccessFilter(logging.Filter):
    """Drops the development server's own access lines: RequestIdMiddleware writes them already
    (without the query string, which werkzeug's lines would carry: reset tokens)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # werkzeug.serving's log_request: '<address> - - [<date>] "%s" %s %s'.
        return not (isinstance(record.msg, str) and record.msg.rstrip().endswith('] "%s" %s %s'))


def _message(record: logging.LogRecord) -> str:
    return _ANSI_ESCAPE.sub("", record.getMessage()).strip()


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, tz=UTC)
        entry: dict[str, Any] = {
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
            "request_id": getattr(record, "request_id", None),
        }
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`HH:MM:SS LEVEL logger [request_id] message` (local time), then any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        clock = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        request_id = getattr(record, "request_id", None) or "-"
        line = f"{clock} {record.levelname} {record.name} [{request_id}] {_message(record)}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def server_formatter() -> logging.Formatter:
    """The formatter of granian's own lines (`--log-config granian-logging.json`).

    granian sets up its logging before it loads the app, so this reads the app's settings
    itself, from the same places as the app (the environment, and `.env` where the app
    reads it): the server's lines and the app's come in one format. Settings the app
    refuses fall back to the environment alone; the app then stops with its own error.
    """
    from .config import ConfigError, Settings

    try:
        fmt = Settings.from_env().log_format
    except ConfigError:
        fmt = _environment_format()
    return TextFormatter() if fmt == "text" else JsonFormatter()


def _environment_format() -> str:
    """LOG_FORMAT from the environment alone, else text with DEBUG on and JSON otherwise."""
    fmt = os.environ.get("LOG_FORMAT", "").strip().lower()
    if fmt not in {"json", "text"}:
        debug = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
        fmt = "text" if debug else "json"
    return fmt


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (test runners replace it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(*, level: str, fmt: str) -> None:
    """Send every log record to stderr, as `fmt` ("json" or "text"), from `level` up.

    Idempotent: calling it again replaces the handler it installed (and nothing else).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _StderrHandler):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, WerkzeugAccessFilter) for f in werkzeug.filters):
        werkzeug.addFilter(WerkzeugAccessFilter())
