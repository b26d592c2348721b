"""Accounts API: register, get a token, read the current user."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, status
from rest_framework.request import Request
from rest_framework.response import Response

from ..api.authentication import create_access_token
from ..api.errors import Conflict
from ..api.views import ApiView, PublicApiView, current_user, validate_body
from .serializers import (
    RegisterInputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
    UserOutputSerializer,
)
from .services import EmailAlreadyRegisteredError, user_authenticate, user_register


class RegisterApi(PublicApiView):
    @extend_schema(
        operation_id="register",
        request=RegisterInputSerializer,
        responses={
            201: UserOutputSerializer,
            409: OpenApiResponse(description="Email already registered"),
            422: OpenApiResponse(description="Validation error"),
        },
    )
    def post(self, request: Request) -> Response:
        data = validate_body(RegisterInputSerializer, request)
        try:
            user = user_register(email=data["email"], password=data["password"])
        except EmailAlreadyRegisteredError as exc:
            raise Conflict("Email already registered") from exc
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenApi(PublicApiView):
    """OAuth2 password flow: form-encoded ``username`` (the email) and ``password``."""

    parser_classes = [parsers.FormParser, parsers.MultiPartParser]

    @extend_schema(
        operation_id="token",
        request={"application/x-www-form-urlencoded": TokenInputSerializer},
        responses={
            200: TokenOutputSerializer,
            401: OpenApiResponse(description="Incorrect email or password"),
            422: OpenApiResponse(description="Validation error"),
        },
    )
    def post(self, request: Request) -> Response:
        data = validate_body(TokenInputSerializer, request, require_body=False)
        user = user_authenticate(
            email=data["username"], password=data["password"], request=request._request
        )
        if user is None:
            raise exceptions.AuthenticationFailed("Incorrect email or password")
        token = create_access_token(user_id=user.pk)
        return Response({"access_token": token, "token_type": "bearer"})


class MeApi(ApiView):
    @extend_schema(operation_id="users_me", responses={200: UserOutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(current_user(request)).data)
