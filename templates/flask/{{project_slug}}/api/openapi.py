"""flask-smorest, adapted to the contract: strict JSON bodies, `detail` error bodies and
an OpenAPI document that lists every error an operation can answer."""

from __future__ import annotations

import json
from typing import Any

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from flask import Request
from webargs.flaskparser import FlaskParser

from .schemas import ErrorSchema

BODY_NOT_JSON = "The request body must be JSON (Content-Type: application/json)"
BODY_MISSING = "The request body is empty: a JSON object is required"
BODY_NOT_UTF8 = "The request body must be UTF-8"
BODY_INVALID_JSON = "The request body is not valid JSON"
BODY_NOT_OBJECT = "The request body must be a JSON object"


class StrictParser(FlaskParser):
    """Loads JSON bodies strictly: the whole body must be a UTF-8 JSON object.

    Every failure is a ValidationError of the body as a whole, which the error
    handlers turn into a 422 with `loc` `["body"]` (webargs would answer 400, or
    silently treat a non-JSON body as empty).
    """

    def load_json(self, req: Request, schema: ma.Schema) -> Any:
        if not req.is_json:
            raise ma.ValidationError(BODY_NOT_JSON)
        charset = req.mimetype_params.get("charset", "utf-8").strip().lower()
        if charset not in {"utf-8", "utf8"}:
            raise ma.ValidationError(BODY_NOT_UTF8)
        raw = req.get_data(cache=True)
        if not raw.strip():
            raise ma.ValidationError(BODY_MISSING)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ma.ValidationError(BODY_NOT_UTF8) from None
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            raise ma.ValidationError(BODY_INVALID_JSON) from None
        if not isinstance(value, dict):
            raise ma.ValidationError(BODY_NOT_OBJECT)
        return value


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


# The errors that any API operation may answer, by what the operation does.
BODY_TOO_LARGE_RESPONSE = _error("Request body over 1 MiB")
DATABASE_UNAVAILABLE_RESPONSE = _error("Database unavailable")


class ErrorResponsesPlugin(BasePlugin):
    """Completes every API operation's responses in the OpenAPI document.

    413 where there is a request body, 503 everywhere (every API operation reads the
    database), and a JSON `Error` body on every 4xx/5xx that a view declared without one.
    """

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if not path or not path.startswith("/api/"):
            return
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                responses.setdefault("413", BODY_TOO_LARGE_RESPONSE)
            responses.setdefault("503", DATABASE_UNAVAILABLE_RESPONSE)
            for code, response in list(responses.items()):
                if (
                    str(code)[:1] in {"4", "5"}
                    and isinstance(response, dict)
                    and "content" not in response
                ):
                    responses[code] = _error(response.get("description", "Error"))


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint that parses arguments with StrictParser.

    Give `@blp.arguments` a schema instance, not its class: webargs builds a new
    instance of a class on every request (a tenth of a POST's time).
    """

    ARGUMENTS_PARSER = StrictParser()


class Api(flask_smorest.Api):
    """flask-smorest's Api documenting our error body; errors.py handles the errors."""

    ERROR_SCHEMA = ErrorSchema

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(spec_kwargs={"extra_plugins": [ErrorResponsesPlugin()]}, **kwargs)

    def _register_error_handlers(self) -> None:
        # The application registers its own handlers (errors.register_error_handlers).
        pass
