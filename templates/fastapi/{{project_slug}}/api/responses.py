"""The error answers each operation documents in /openapi.json (FastAPI adds the 422s)."""

from typing import Any

from ..schemas import ErrorMessage

Responses = dict[int | str, dict[str, Any]]


def error(description: str) -> dict[str, Any]:
    """A documented `{"detail": str}` answer."""
    return {"model": ErrorMessage, "description": description}


UNAUTHORIZED: Responses = {
    401: {
        **error("Missing, invalid or expired bearer token"),
        "headers": {
            "WWW-Authenticate": {
                "description": "The authentication scheme: `Bearer`",
                "schema": {"type": "string"},
            }
        },
    }
}
NOT_FOUND: Responses = {404: error("No such item among the caller's items")}
EMAIL_TAKEN: Responses = {409: error("Email already registered")}
TOO_LARGE: Responses = {413: error("Request body over 1 MiB")}
DATABASE_DOWN: Responses = {503: error("The database cannot be reached")}
INVALID_RESET_TOKEN: Responses = {400: error("Invalid or expired reset token")}
INCORRECT_PASSWORD: Responses = {400: error("Incorrect password")}
THROTTLED: Responses = {
    429: {
        **error("Too many failed logins for this email from this address"),
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before trying again",
                "schema": {"type": "integer", "minimum": 1},
            }
        },
    }
}
