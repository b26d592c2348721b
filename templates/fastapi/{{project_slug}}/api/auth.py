"""Registration, the OAuth2 password flow and password reset by email."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request, Response, status

from ..db import app_database
from ..emails import send_email_in_background
from ..schemas import (
    Message,
    PasswordResetConfirm,
    PasswordResetRequest,
    Token,
    UserCreate,
    UserPublic,
)
from ..security import create_access_token
from ..services import (
    EmailTakenError,
    InvalidResetTokenError,
    password_reset_confirm,
    password_reset_request,
    user_authenticate,
    user_create,
)
from ..throttle import login_failed, login_retry_after, login_succeeded
from .deps import ApiRoute, BadRequest, SessionDep, SettingsDep, unauthorized
from .responses import (
    DATABASE_DOWN,
    EMAIL_TAKEN,
    INVALID_RESET_TOKEN,
    THROTTLED,
    TOO_LARGE,
    UNAUTHORIZED,
)

router = APIRouter(
    prefix="/auth", tags=["auth"], route_class=ApiRoute, responses={**TOO_LARGE, **DATABASE_DOWN}
)

RESET_REQUESTED = "If the account exists, a reset link has been sent"
THROTTLED_DETAIL = "Too many failed login attempts; try again later"


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=EMAIL_TAKEN,
)
async def register(data: UserCreate, session: SessionDep) -> UserPublic:
    """Create an account; the email is stored lower-cased."""
    try:
        user = await user_create(session=session, email=data.email, password=data.password)
    except EmailTakenError:
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT, detail="Email already registered"
        ) from None
    return UserPublic.model_validate(user)


# The OAuth2 password flow's form. FastAPI reads an empty field as a missing one (422),
# so the document says `minLength: 1`; other fields (grant_type, scope, ...) are ignored.
FormText = Annotated[str, Form(min_length=1)]


def client_address(request: Request) -> str:
    """The client's address, as the proxy headers middleware established it."""
    return request.client.host if request.client else "unknown"


@router.post("/token", responses={**UNAUTHORIZED, **THROTTLED})
async def token(
    username: FormText,
    password: FormText,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> Token:
    """Exchange an email (`username`) and password for a bearer token.

    After LOGIN_MAX_FAILURES failures for one email from one address within
    LOGIN_LOCKOUT_MINUTES, further attempts answer 429 (even with the right password)
    until the window has passed; `Retry-After` says how many seconds to wait.
    """
    client = client_address(request)
    sessions = app_database(request).sessions
    retry_after = await login_retry_after(sessions=sessions, email=username, client=client)
    if retry_after is not None:
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail=THROTTLED_DETAIL,
            headers={"Retry-After": str(retry_after)},
        )
    user = await user_authenticate(session=session, email=username, password=password)
    if user is None:
        await login_failed(sessions=sessions, email=username, client=client)
        raise unauthorized("Incorrect email or password")
    await login_succeeded(sessions=sessions, email=username, client=client)
    return Token(
        access_token=create_access_token(
            user_id=user.id, hashed_password=user.hashed_password, settings=settings
        )
    )


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def request_password_reset(
    data: PasswordResetRequest,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> Message:
    """Email a reset link to the account, if there is one (at most 3 per hour).

    The answer is the same whether the account exists or not, and the email is sent
    after it, so the mail server's speed tells nothing either.
    """
    email = await password_reset_request(session=session, email=data.email, settings=settings)
    if email is not None:
        send_email_in_background(background, email)
    return Message(detail=RESET_REQUESTED)


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=INVALID_RESET_TOKEN,
)
async def confirm_password_reset(
    data: PasswordResetConfirm, session: SessionDep, settings: SettingsDep
) -> Response:
    """Set a new password with the token of a reset link; every older token stops working."""
    try:
        await password_reset_confirm(
            session=session, token=data.token, password=data.password, settings=settings
        )
    except InvalidResetTokenError:
        raise BadRequest("Invalid or expired reset token") from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)
