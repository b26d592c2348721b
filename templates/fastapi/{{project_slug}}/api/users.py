"""The current user: read it, change its password, delete it."""

from fastapi import APIRouter, Response, status

from ..schemas import PasswordChange, UserPublic
from ..services import IncorrectPasswordError, password_change, user_delete
from .deps import ApiRoute, BadRequest, CurrentUser, SessionDep
from .responses import DATABASE_DOWN, INCORRECT_PASSWORD, TOO_LARGE, UNAUTHORIZED

router = APIRouter(
    prefix="/users",
    tags=["users"],
    route_class=ApiRoute,
    responses={**UNAUTHORIZED, **DATABASE_DOWN},
)


@router.get("/me")
async def read_me(user: CurrentUser) -> UserPublic:
    """The account the bearer token belongs to."""
    return UserPublic.model_validate(user)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**INCORRECT_PASSWORD, **TOO_LARGE},
)
async def change_password(data: PasswordChange, user: CurrentUser, session: SessionDep) -> Response:
    """Change the password; every token issued before (this one too) stops working."""
    try:
        await password_change(
            session=session,
            user=user,
            current_password=data.current_password,
            new_password=data.new_password,
        )
    except IncorrectPasswordError:
        raise BadRequest("Incorrect password") from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
async def delete_me(user: CurrentUser, session: SessionDep) -> Response:
    """Delete the account, its items and its reset links; the email may register again."""
    await user_delete(session=session, user=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
