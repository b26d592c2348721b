"""Error handlers: every error is JSON with a `detail` key, and nothing is a 500.

- werkzeug's HTTP errors (404, 405, 401, 413...) -> `{"detail": "<reason>"}`, never
  echoing what the client sent (an untrusted Host is "Invalid Host header");
- webargs' validation errors -> 422 with a list of `{"loc", "msg", "type"}` entries;
- a database that cannot be reached -> 503 `{"detail": "Database unavailable"}`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    RequestEntityTooLarge,
    SecurityError,
)

from ..extensions import db
from .openapi import (
    BODY_INVALID_JSON,
    BODY_MISSING,
    BODY_NOT_JSON,
    BODY_NOT_OBJECT,
    BODY_NOT_UTF8,
)
from .schemas import NOT_UNICODE, NUL_CHARACTER

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = "Database unavailable"
# Redis (REDIS_URL) cannot be reached where it is needed: the login throttle, /health.
SERVICE_UNAVAILABLE = "Service unavailable"
REDIS_UNAVAILABLE = "Redis unavailable"
BODY_TOO_LARGE = "Request body is too large"
INVALID_HOST = "Invalid Host header"

# Where webargs found a value -> the first element of `loc`.
_LOCATIONS = {
    "json": "body",
    "form": "body",
    "json_or_form": "body",
    "files": "body",
    "query": "query",
    "querystring": "query",
    "view_args": "path",
    "headers": "header",
    "cookies": "cookie",
}

_EXACT_TYPES = {
    "Missing data for required field.": "missing",
    "Field may not be null.": "null_forbidden",
    "Not a valid string.": "string_type",
    "Not a valid number.": "float_parsing",
    "Not a valid integer.": "int_parsing",
    "Number too large.": "finite_number",
    "Special numeric values (nan or infinity) are not permitted.": "finite_number",
    "Not a valid email address.": "value_error",
    "Invalid input type.": "model_type",
    NUL_CHARACTER: "string_nul",
    NOT_UNICODE: "string_unicode",
    BODY_NOT_JSON: "content_type",
    BODY_MISSING: "missing",
    BODY_NOT_UTF8: "json_invalid",
    BODY_INVALID_JSON: "json_invalid",
    BODY_NOT_OBJECT: "model_type",
}
# marshmallow's validator messages carry numbers: recognised by their start.
_PREFIX_TYPES = (
    ("String should have at least", "string_too_short"),
    ("String should have at most", "string_too_long"),
    ("Shorter than minimum length", "string_too_short"),
    ("Longer than maximum length", "string_too_long"),
    ("Must be greater than or equal to", "greater_than_equal"),
    ("Must be greater than", "greater_than"),
    ("Must be less than or equal to", "less_than_equal"),
    ("Must be less than", "less_than"),
)


def error_type(message: str) -> str:
    """A short machine word for a validation message."""
    if message in _EXACT_TYPES:
        return _EXACT_TYPES[message]
    for prefix, kind in _PREFIX_TYPES:
        if message.startswith(prefix):
            return kind
    return "value_error"


def validation_detail(messages: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Reshape webargs' `{location: {field: [message, ...]}}` into the contract's list."""
    detail: list[dict[str, Any]] = []
    for location, errors in messages.items():
        _collect(detail, [_LOCATIONS.get(location, location)], errors)
    return detail


def _collect(detail: list[dict[str, Any]], loc: list[str | int], errors: Any) -> None:
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            # `_schema` holds errors about the object as a whole.
            _collect(detail, loc if key == "_schema" else [*loc, key], value)
    elif isinstance(errors, list | tuple):
        for error in errors:
            _collect(detail, loc, error)
    else:
        message = str(errors)
        detail.append({"loc": loc, "msg": message, "type": error_type(message)})


def _describe(error: HTTPException) -> str:
    if isinstance(error, SecurityError):
        # werkzeug's message quotes the Host header: never echo what the client sent.
        return INVALID_HOST
    if isinstance(error, RequestEntityTooLarge):
        return BODY_TOO_LARGE
    # werkzeug's default descriptions are paragraphs; the contract wants the reason.
    if error.description and error.description != type(error).description:
        return error.description
    return error.name


def handle_http_exception(error: HTTPException) -> Response | HTTPException:
    """Turn any werkzeug HTTP error into a JSON body with `detail`."""
    if error.code is None:
        return error
    data = getattr(error, "data", None) or {}
    body: dict[str, Any]
    if error.code == 422 and isinstance(data.get("messages"), Mapping):
        body = {"detail": validation_detail(data["messages"])}
    else:
        body = {"detail": _describe(error)}
    response = jsonify(body)
    response.status_code = error.code
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        # Every method the path accepts, in a stable order.
        response.headers["Allow"] = ", ".join(sorted(set(error.valid_methods)))
    if error.code == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def handle_database_unavailable(error: Exception) -> tuple[Response, int]:
    """The database cannot be reached: 503, and the session is reset for next time.

    Logged at ERROR with the exception (whose SQL parameters the engine hides), so that
    error reporting (SENTRY_DSN) hears of it too.
    """
    logger.error("database unavailable: %s", error.__class__.__name__, exc_info=error)
    with contextlib.suppress(sa_exc.SQLAlchemyError):
        db.session.rollback()
    return jsonify(detail=DATABASE_UNAVAILABLE), 503


def handle_unexpected_error(error: Exception) -> tuple[Response, int]:
    """A bug: log it with its traceback, and still answer JSON."""
    logger.exception("unhandled error", exc_info=error)
    return jsonify(detail=InternalServerError().name), 500


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on the whole app (API, pages, docs and unknown paths)."""
    app.register_error_handler(HTTPException, handle_http_exception)
    for database_error in (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError):
        app.register_error_handler(database_error, handle_database_unavailable)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected_error)
