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
        summary="Create an account",
        description=(
            "Anyone may call it, without a token. Registers an email and password and answers "
            "201 with the new account. An email already registered answers 409; an invalid "
            "email or a password outside 8 to 128 characters answers 422."
        ),
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
        summary="Log in for a bearer token",
        description=(
            "Anyone may call it, without a token. Send the email as `username` and the "
            "`password`, form-encoded (the OAuth2 password flow); answers 200 with an access "
            "token for the `Authorization: Bearer` header. Wrong credentials answer 401; "
            "after too many failures for one email from one address, 429 with `Retry-After`."
        ),
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
    @extend_schema(
        operation_id="users_me",
        summary="Read your account",
        description=(
            "Needs a bearer token. Answers 200 with the account the token belongs to; a "
            "missing, expired or revoked token answers 401."
        ),
        responses={200: UserOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(current_user(request)).data)

    @extend_schema(
        operation_id="users_me_delete",
        summary="Delete your account",
        description=(
            "Needs a bearer token. Deletes the account and all its items, then answers 204; "
            "the token stops working."
        ),
        responses={204: OpenApiResponse(description="The account and its items are deleted")},
    )
    def delete(self, request: Request) -> Response:
        user_delete(user=current_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(PublicApiView):
    """Ask for a reset link by email; the answer never says whether the account exists."""

    @extend_schema(
        operation_id="password_reset",
        summary="Ask for a password reset link",
        description=(
            "Anyone may call it, without a token. Sends a reset link to the email when an "
            "account has it; the answer is the same 202 either way, so it never reveals "
            "whether an account exists."
        ),
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
        summary="Set a new password with a reset token",
        description=(
            "Anyone holding a token from a reset link may call it. Sets the new password and "
            "answers 204; tokens issued before stop working. An unknown, used or expired "
            "token answers 400."
        ),
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
        summary="Change your password",
        description=(
            "Needs a bearer token and the current password. Answers 204; every token issued "
            "before, this one included, stops working, so log in again. A wrong current "
            "password answers 400."
        ),
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
