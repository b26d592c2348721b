"""Logging: one handler on stderr, JSON lines in production, readable lines in development.

Every record carries the id of the request being served (`request_id`, None outside a
request), set by `RequestIdMiddleware`. The access line of a request adds `method`,
`path` (never the query string), `status` and `duration_ms`.
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

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
LOG_FORMATS = ("json", "text")
# The extra fields of an access line, in the order JSON lines show them.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Libraries that log whole URLs, query strings (tokens) included, at INFO: warnings only.
QUIET_LOGGERS = ("httpx", "httpcore")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_from(header: str | None) -> str:
    """The incoming X-Request-ID when it is sane (1-128 of `A-Za-z0-9._:-`), else a new one."""
    if header is not None and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id (and more)."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, tz=UTC)
        line: dict[str, Any] = {
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    """`HH:MM:SS LEVEL logger [request_id] message`, for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s", "%H:%M:%S"
        )

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return super().format(record)


def server_formatter() -> logging.Formatter:
    """The formatter of granian's own lines (`--log-config granian-logging.json`).

    granian sets up its logging before it loads the app, so this reads the app's settings
    itself, from the same places as the app (the environment, and `.env` where the app
    reads it): the server's lines and the app's come in one format. Settings the app
    refuses fall back to the environment alone; the app then stops with its own error.
    """
    from .config import ConfigError, get_settings

    try:
        fmt: str = get_settings().log_fmt
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


def configure_logging(*, level: str, fmt: str) -> None:
    """Send every logger's records to one handler on stderr (calling it again replaces it)."""
    if level.upper() not in LOG_LEVELS:
        raise ValueError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    if fmt not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "scaffold_handler", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.scaffold_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
