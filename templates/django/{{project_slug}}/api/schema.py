"""The OpenAPI document: every error an operation can answer, and the exact field rules.

``ContractAutoSchema`` adds to each operation the error answers the server really gives
(401 with ``WWW-Authenticate`` where a token is needed, 404 where an id is looked up, 413
and 422 where there is a body, 422 where there are query parameters, 503 everywhere; a 429
that a view declares gets ``Retry-After``), each with a JSON body that has ``detail``. The
field extensions state what the strict fields enforce: ``exclusiveMinimum`` for prices, no
NUL characters in strings.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

from .fields import NO_NUL_PATTERN, StrictCharField, StrictFloatField

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
                "required": ["loc", "msg", "type"],
            },
        }
    },
    "required": ["detail"],
}
DESCRIPTIONS = {
    "400": "Bad Request",
    "401": "Not authenticated: a missing, invalid or expired token",
    "404": "Not Found",
    "409": "Conflict",
    "413": "Request body is too large (over 1 MiB)",
    "422": "Validation error",
    "429": "Too many requests",
    "503": "Database unavailable",
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": "Always `Bearer`",
        "required": True,
        "schema": {"type": "string"},
    }
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again (at least 1)",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


class ContractAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the contract's error answers on every operation."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:  # pragma: no cover - every route is documented
            return None
        responses: dict[str, Any] = operation.setdefault("responses", {})
        codes = {code for code in responses if code >= "400"}
        if self.is_protected():
            codes.add("401")
        if "{id}" in self.path:
            codes.add("404")
        if "requestBody" in operation:
            # Every body is required (a PATCH too: ``{}`` is the empty change, no body a 422).
            operation["requestBody"]["required"] = True
            codes.update({"413", "422"})
        if any(parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
            codes.add("422")
        codes.add("503")
        for code in sorted(codes):
            responses[code] = self.error_response(code, responses.get(code, {}))
        return operation

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)  # type: ignore[no-untyped-call]
        # drf-spectacular writes a blank-allowed string with a pattern as oneOf [pattern, ""];
        # the NUL pattern matches "" already, and oneOf would then call "" invalid (two match).
        one_of = schema.get("oneOf")
        if (
            isinstance(field, StrictCharField)
            and isinstance(one_of, list)
            and len(one_of) == 2
            and one_of[1] == {"type": "string", "maxLength": 0}
            and "minLength" not in one_of[0]
        ):
            schema.update(schema.pop("oneOf")[0])

    def is_protected(self) -> bool:
        """Whether the operation needs a token (any permission but AllowAny)."""
        return not all(isinstance(check, AllowAny) for check in self.view.get_permissions())

    def error_response(self, code: str, declared: dict[str, Any]) -> dict[str, Any]:
        """The response object of an error code, keeping a description the view gave."""
        name, schema = (
            ("ValidationError", VALIDATION_ERROR_SCHEMA)
            if code == "422"
            else ("Error", ERROR_SCHEMA)
        )
        component = ResolvedComponent(  # type: ignore[no-untyped-call]
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
        )
        self.registry.register_on_missing(component)
        response: dict[str, Any] = {
            "description": declared.get("description") or DESCRIPTIONS.get(code, "Error"),
            "content": {"application/json": {"schema": component.ref}},
        }
        if code == "401":
            response["headers"] = WWW_AUTHENTICATE
        elif code == "429":
            response["headers"] = RETRY_AFTER
        return response


class StrictCharFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """A string without NUL characters (lengths come from the field's validators)."""

    target_class = StrictCharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"type": "string", "pattern": NO_NUL_PATTERN}


class StrictFloatFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """A number with the field's exclusive lower bound and inclusive upper bound."""

    target_class = StrictFloatField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        field: StrictFloatField = self.target
        schema: dict[str, Any] = {"type": "number"}
        if field.gt is not None:
            schema["exclusiveMinimum"] = field.gt
        if field.max_value is not None:
            schema["maximum"] = field.max_value
        return schema
