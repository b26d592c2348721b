"""flask-smorest, adapted to the contract: strict JSON bodies and `detail` error bodies."""

from __future__ import annotations

import json
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Request
from webargs.flaskparser import FlaskParser

from .schemas import ErrorSchema

BODY_NOT_JSON = "The request body must be JSON (Content-Type: application/json)"
BODY_MISSING = "The request body is empty: a JSON object is required"
BODY_NOT_UTF8 = "The request body is not valid UTF-8"
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


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint that parses arguments with StrictParser."""

    ARGUMENTS_PARSER = StrictParser()


class Api(flask_smorest.Api):
    """flask-smorest's Api documenting our error body; errors.py handles the errors."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        # The application registers its own handlers (errors.register_error_handlers).
        pass
