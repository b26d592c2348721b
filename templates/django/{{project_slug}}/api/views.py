"""Base API views and request validation helpers."""

from collections.abc import Mapping
from typing import Any

from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from ..users.models import User
from .errors import RequestValidationError, body_error, flatten_errors


def current_user(request: Request) -> User:
    """The authenticated user of a protected view."""
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - IsAuthenticated ran before the handler
        raise exceptions.NotAuthenticated()
    return user


class ApiView(APIView):
    """Base view of the API: authenticated by default, JSON only, no OPTIONS handler.

    A wrong method answers 405 before authentication runs (as the other starters do).
    """

    http_method_names = ["get", "post", "put", "patch", "delete"]

    @property
    def allowed_methods(self) -> list[str]:
        """Every method the path accepts, sorted: DRF puts them in each answer's ``Allow``."""
        return sorted(method.upper() for method in self.http_method_names if hasattr(self, method))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        method = (request.method or "").lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise exceptions.MethodNotAllowed(request.method or "")
        super().initial(request, *args, **kwargs)


class PublicApiView(ApiView):
    """An API view that needs no token."""

    authentication_classes = []
    permission_classes = [AllowAny]


def validate_body(
    serializer_class: type[serializers.Serializer[Any]],
    request: Request,
    *,
    partial: bool = False,
    require_body: bool = True,
) -> dict[str, Any]:
    """Validate the request body; raise a 422 whose entries locate each problem in the body.

    With ``require_body``, an empty body is one error at ``["body"]`` (not one per field).
    """
    data = request.data
    if require_body and request.stream is None:  # DRF leaves no stream for an empty body
        raise RequestValidationError(body_error("A request body is required", "missing"))
    if not isinstance(data, Mapping):
        raise RequestValidationError(
            body_error("Input should be a JSON object", "model_attributes_type")
        )
    serializer = serializer_class(data=data, partial=partial)
    if not serializer.is_valid():
        raise RequestValidationError(list(flatten_errors(serializer.errors, ["body"])))
    return dict(serializer.validated_data)


def validate_query(
    serializer_class: type[serializers.Serializer[Any]], request: Request
) -> dict[str, Any]:
    """Validate the query string (last value of each name); raise a 422 located in the query."""
    serializer = serializer_class(data=request.query_params.dict())
    if not serializer.is_valid():
        raise RequestValidationError(list(flatten_errors(serializer.errors, ["query"])))
    return dict(serializer.validated_data)
