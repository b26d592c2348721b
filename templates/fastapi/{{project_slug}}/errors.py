"""Exception handlers: every error becomes the contract's JSON shape, never a 500."""

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

logger = logging.getLogger(__name__)


def validation_entries(errors: Any) -> list[dict[str, Any]]:
    """Reshape FastAPI's validation errors into `{"loc", "msg", "type"}` entries.

    Pydantic's `input`, `ctx` and `url` are dropped: they could echo what the client sent
    (a password, say).
    """
    entries = []
    for error in errors:
        loc = list(error.get("loc", ()))
        if error.get("type") == "json_invalid" or not loc:
            loc = ["body"]  # the body as a whole is unusable (FastAPI adds a character offset)
        entries.append({"loc": loc, "msg": str(error.get("msg", "")), "type": error.get("type")})
    return entries


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """422 with one entry per problem."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        {"detail": validation_entries(exc.errors())},
        status_code=422,
    )


CONNECTION_ERRORS = (OperationalError, InterfaceError, PoolTimeoutError, ConnectionError)


def describe_database_error(exc: Exception) -> str:
    """A log-safe summary of a database error: its kind, never the values involved.

    The driver's message can quote data (PostgreSQL's `Key (email)=(...) already exists`),
    so only connection-level errors keep the first line of theirs ("database is locked",
    "connection refused"); the engine hides the statement's parameters in any case.
    """
    original = getattr(exc, "orig", None) or exc
    kind = type(original).__name__
    if isinstance(exc, CONNECTION_ERRORS):
        first_line = str(original).strip().splitlines()[:1]
        if first_line:
            return f"{kind}: {first_line[0]}"
    return kind


async def database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """503 when the database cannot be reached (or fails in a way the client cannot fix).

    Logged at ERROR, so error reporting (when SENTRY_DSN is set) gets it too. An unreachable
    database comes with its traceback; other failures name their kind only, since the
    driver's message can quote the data involved.
    """
    unreachable = isinstance(exc, CONNECTION_ERRORS)
    logger.error(
        "database error on %s %s: %s",
        request.method,
        request.url.path,
        describe_database_error(exc),
        exc_info=exc if unreachable else None,
    )
    return JSONResponse(
        {"detail": "Database unavailable"}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE
    )


# The methods a route can accept, in the order `Allow` lists them (alphabetical).
METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method the app routes for this request's path.

    FastAPI registers one route per method, and the 405 it raises names only the first
    route whose path matched: `Allow` is rebuilt by asking the router, method by method,
    whether a route fully matches the same path.
    """
    allowed = []
    for method in METHODS:
        probe: Scope = {
            "type": "http",
            "method": method,
            "path": request.scope["path"],
            "root_path": request.scope.get("root_path", ""),
            "headers": [],
            "query_string": b"",
        }
        if any(route.matches(probe)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """FastAPI's JSON `{"detail"}` answer; a 405 lists every method of the path in `Allow`."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        methods = allowed_methods(request)
        if methods:  # else the 405 came from a mounted app, which set its own header
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(methods)}
    return await http_exception_handler(request, exc)


DATABASE_ERRORS = (DBAPIError, PoolTimeoutError, ConnectionError)


def register_error_handlers(app: FastAPI) -> None:
    """Install the handlers; Starlette's HTTPException already answers JSON `{"detail"}`."""
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    register_database_error_handlers(app)


def register_database_error_handlers(app: Starlette) -> None:
    """503 instead of 500 when the database fails (also for mounted apps such as the admin)."""
    for error in DATABASE_ERRORS:
        app.add_exception_handler(error, database_error_handler)
