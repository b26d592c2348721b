"""Error bodies of the HTTP contract, for DRF views and for plain Django views alike.

Every error is JSON with a ``detail`` key. Validation problems answer 422 with
``{"detail": [{"loc": [...], "msg": str, "type": str}, ...]}``.
"""

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE = "Database unavailable"
NOT_AUTHENTICATED = "Not authenticated"

logger = logging.getLogger(__name__)

# DRF's error codes, renamed to the short words the other starters use.
ERROR_TYPES = {
    "required": "missing",
    "blank": "string_too_short",
    "min_length": "string_too_short",
    "max_length": "string_too_long",
    "max_string_length": "string_too_long",
    "min_value": "greater_than_equal",
    "max_value": "less_than_equal",
    "invalid": "value_error",
    "not_a_dict": "model_attributes_type",
}


class BadRequest(exceptions.APIException):
    """400 with a one-line ``detail`` (e.g. an expired reset token, a wrong password)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Bad Request"
    default_code = "bad_request"


class Conflict(exceptions.APIException):
    """409: the request clashes with the current state (e.g. an email already registered)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict"
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    """503: a service the request needs (e.g. Redis for the login throttle) cannot be reached."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Service unavailable"
    default_code = "service_unavailable"


class RequestValidationError(exceptions.APIException):
    """422 with a list of ``{"loc", "msg", "type"}`` entries, ready to be returned."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "invalid"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("Validation error")
        self.errors = errors


def flatten_errors(detail: Any, loc: list[str | int]) -> Iterator[dict[str, Any]]:
    """Turn a DRF error structure into contract entries, ``loc`` naming the field."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            is_whole_body = key in (api_settings.NON_FIELD_ERRORS_KEY, "non_field_errors")
            yield from flatten_errors(value, loc if is_whole_body else [*loc, str(key)])
    elif isinstance(detail, list):
        for value in detail:
            yield from flatten_errors(value, loc)
    else:
        code = getattr(detail, "code", None) or "value_error"
        yield {"loc": loc, "msg": str(detail), "type": ERROR_TYPES.get(code, code)}


def body_error(msg: str, error_type: str) -> list[dict[str, Any]]:
    """One entry saying the body as a whole cannot be used."""
    return [{"loc": ["body"], "msg": msg, "type": error_type}]


def json_error(detail: Any, status_code: int, **headers: str) -> JsonResponse:
    """A plain Django JSON error response (for views outside DRF)."""
    response = JsonResponse({"detail": detail}, status=status_code)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def database_unavailable(exc: BaseException) -> JsonResponse:
    """The 503 answer for an unreachable database, logged at ERROR with the traceback (the
    line reaches Sentry when SENTRY_DSN is set)."""
    logger.error("%s: %s", DATABASE_UNAVAILABLE, type(exc).__name__, exc_info=exc)
    return json_error(DATABASE_UNAVAILABLE, status.HTTP_503_SERVICE_UNAVAILABLE)


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> HttpResponse | None:
    """DRF exception handler: map every exception to the contract's status code and body.

    The answer is a plain ``JsonResponse``, so even views that render HTML (the docs) answer
    errors in JSON.
    """
    set_rollback()
    if isinstance(exc, DATABASE_ERRORS):
        return database_unavailable(exc)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return json_error("Not Found", 404)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return json_error("Method Not Allowed", 405)
    # Checked by type: DRF turns a 401 into a 403 on views without authenticators.
    if isinstance(exc, exceptions.NotAuthenticated):
        return json_error(NOT_AUTHENTICATED, 401, WWW_Authenticate="Bearer")
    if isinstance(exc, exceptions.AuthenticationFailed):
        return json_error(str(exc.detail), 401, WWW_Authenticate="Bearer")
    if isinstance(exc, RequestValidationError):
        return json_error(exc.errors, 422)
    if isinstance(exc, exceptions.ValidationError):
        return json_error(list(flatten_errors(exc.detail, ["body"])), 422)
    if isinstance(exc, exceptions.ParseError):
        return json_error(body_error("Invalid JSON body", "json_invalid"), 422)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return json_error(body_error("Unsupported content type", "content_type"), 422)
    if isinstance(exc, PermissionDenied):
        return json_error("Forbidden", 403)
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else exc.get_full_details()
        return json_error(detail, exc.status_code)
    return None
