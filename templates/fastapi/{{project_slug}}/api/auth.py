"""Registration and the OAuth2 password flow."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, status

from ..schemas import Token, UserCreate, UserPublic
from ..security import create_access_token
from ..services import EmailTakenError, user_authenticate, user_create
from .deps import ApiRoute, SessionDep, SettingsDep, unauthorized
from .responses import DATABASE_DOWN, EMAIL_TAKEN, TOO_LARGE, UNAUTHORIZED

router = APIRouter(
    prefix="/auth", tags=["auth"], route_class=ApiRoute, responses={**TOO_LARGE, **DATABASE_DOWN}
)


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


@router.post("/token", responses=UNAUTHORIZED)
async def token(
    username: FormText, password: FormText, session: SessionDep, settings: SettingsDep
) -> Token:
    """Exchange an email (`username`) and password for a bearer token."""
    user = await user_authenticate(session=session, email=username, password=password)
    if user is None:
        raise unauthorized("Incorrect email or password")
    return Token(access_token=create_access_token(user_id=user.id, settings=settings))
