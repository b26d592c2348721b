"""The current user."""

from fastapi import APIRouter

from ..schemas import UserPublic
from .deps import ApiRoute, CurrentUser
from .responses import DATABASE_DOWN, UNAUTHORIZED

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
