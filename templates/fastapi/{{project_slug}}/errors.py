"""Exception handlers: every error becomes the contract's JSON shape, never a 500."""

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.applications import Starlette

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


async def database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """503 when the database cannot be reached (or fails in a way the client cannot fix)."""
    logger.warning("database error on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        {"detail": "Database unavailable"}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE
    )


DATABASE_ERRORS = (DBAPIError, PoolTimeoutError, ConnectionError)


def register_error_handlers(app: FastAPI) -> None:
    """Install the handlers; Starlette's HTTPException already answers JSON `{"detail"}`."""
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    register_database_error_handlers(app)


def register_database_error_handlers(app: Starlette) -> None:
    """503 instead of 500 when the database fails (also for mounted apps such as the admin)."""
    for error in DATABASE_ERRORS:
        app.add_exception_handler(error, database_error_handler)
