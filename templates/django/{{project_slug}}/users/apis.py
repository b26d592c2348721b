"""Accounts API: register, get a token, the current user, password reset and change."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, status
from rest_framework.request import Request
from rest_framework.response import Response

from ..api.authentication import create_access_token
from ..api.errors import BadRequest, Conflict
from ..api.views import ApiView, PublicApiView, current_user, validate_body
from ..throttle import login_failed, login_retry_after, login_succeeded
from .serializers import (
    DetailOutputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    RegisterInputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
    UserOutputSerializer,
)
from .services import (
    EmailTakenError,
    IncorrectPasswordError,
    InvalidResetTokenError,
    password_change,
    password_reset_confirm,
    password_reset_request,
    user_authenticate,
    user_create,
    user_delete,
)

TOO_MANY_FAILURES = "Too many failed login attempts; try again later"
RESET_REQUESTED = "If the account exists, a reset link has been sent"
INVALID_RESET_TOKEN = "Invalid or expired reset token"  # noqa: S105 - a message
INCORRECT_PASSWORD = "Incorrect password"  # noqa: S105 - a message


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
            user = user_create(email=data["email"], password=data["password"])
        except EmailTakenError as exc:
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
            429: OpenApiResponse(description=TOO_MANY_FAILURES),
        },
    )
    def post(self, request: Request) -> Response:
        data = validate_body(TokenInputSerializer, request, require_body=False)
        # The address ProxyHeadersMiddleware settled on (X-Forwarded-For only from proxies).
        key = {"email": data["username"], "client": str(request.META.get("REMOTE_ADDR", ""))}
        retry_after = login_retry_after(**key)
        if retry_after is not None:
            return Response(
                {"detail": TOO_MANY_FAILURES},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(retry_after)},
            )
        user = user_authenticate(
            email=data["username"], password=data["password"], request=request._request
        )
        if user is None:
            login_failed(**key)
            raise exceptions.AuthenticationFailed("Incorrect email or password")
        login_succeeded(**key)
        token = create_access_token(user=user)
        return Response({"access_token": token, "token_type": "bearer"})


class MeApi(ApiView):
    @extend_schema(operation_id="users_me", responses={200: UserOutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(current_user(request)).data)

    @extend_schema(
        operation_id="users_me_delete",
        responses={204: OpenApiResponse(description="The account and its items are deleted")},
    )
    def delete(self, request: Request) -> Response:
        user_delete(user=current_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(PublicApiView):
    """Ask for a reset link by email; the answer never says whether the account exists."""

    @extend_schema(
        operation_id="password_reset",
        request=PasswordResetInputSerializer,
        responses={202: DetailOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validate_body(PasswordResetInputSerializer, request)
        password_reset_request(email=data["email"])
        return Response({"detail": RESET_REQUESTED}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(PublicApiView):
    """Set a new password with the token from a reset link."""

    @extend_schema(
        operation_id="password_reset_confirm",
        request=PasswordResetConfirmInputSerializer,
        responses={
            204: OpenApiResponse(description="Password changed; older tokens no longer work"),
            400: OpenApiResponse(description=INVALID_RESET_TOKEN),
        },
    )
    def post(self, request: Request) -> Response:
        data = validate_body(PasswordResetConfirmInputSerializer, request)
        try:
            password_reset_confirm(token=data["token"], password=data["password"])
        except InvalidResetTokenError as exc:
            raise BadRequest(INVALID_RESET_TOKEN) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(ApiView):
    """Change the password; every token issued before (this one too) stops working."""

    @extend_schema(
        operation_id="users_me_password",
        request=PasswordChangeInputSerializer,
        responses={
            204: OpenApiResponse(description="Password changed; log in again for a new token"),
            400: OpenApiResponse(description=INCORRECT_PASSWORD),
        },
    )
    def post(self, request: Request) -> Response:
        data = validate_body(PasswordChangeInputSerializer, request)
        try:
            password_change(
                user=current_user(request),
                current_password=data["current_password"],
                new_password=data["new_password"],
            )
        except IncorrectPasswordError as exc:
            raise BadRequest(INCORRECT_PASSWORD) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
