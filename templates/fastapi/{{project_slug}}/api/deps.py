"""Dependencies shared by the routes, as `Annotated` aliases."""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..config import Settings, get_settings
from ..db import app_database, get_session
from ..models import User
from ..security import decode_access_token, token_matches_password
from ..services import user_get, user_password_hash

NOT_AUTHENTICATED = "Not authenticated"
INVALID_CREDENTIALS = "Could not validate credentials"

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


async def current_settings() -> Settings:
    """`get_settings()` as a dependency. It is async so that FastAPI calls it on the event
    loop: a plain `def` dependency runs in a worker thread, a round trip per request."""
    return get_settings()


SettingsDep = Annotated[Settings, Depends(current_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]


def unauthorized(detail: str) -> HTTPException:
    """A 401 with the `WWW-Authenticate: Bearer` challenge."""
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def authenticate_id(*, session: AsyncSession, token: str | None, settings: Settings) -> int:
    """Return the id of the user a bearer token belongs to, or raise a 401.

    The token must be valid and unexpired, its account must still exist, and it must have
    been issued for the account's current password. One narrow query (the password hash)
    checks the last two, so the routes that only need the caller's id load no `User`.
    """
    if not token:
        raise unauthorized(NOT_AUTHENTICATED)
    claims = decode_access_token(token, settings=settings)
    if claims is None:
        raise unauthorized(INVALID_CREDENTIALS)
    hashed_password = await user_password_hash(session=session, user_id=claims.user_id)
    if hashed_password is None:  # the account was deleted after the token was issued
        raise unauthorized(INVALID_CREDENTIALS)
    if not token_matches_password(claims, hashed_password, settings=settings):
        raise unauthorized(INVALID_CREDENTIALS)  # issued before a password change or reset
    return claims.user_id


async def authenticate(*, session: AsyncSession, token: str | None, settings: Settings) -> User:
    """Return the user a bearer token belongs to, or raise a 401 (as `authenticate_id`)."""
    user_id = await authenticate_id(session=session, token=token, settings=settings)
    user = await user_get(session=session, user_id=user_id)
    if user is None:  # deleted between the two queries
        raise unauthorized(INVALID_CREDENTIALS)
    return user


# The two below read the settings themselves rather than through `SettingsDep`: every
# dependency FastAPI solves costs each request its share of the solving.


async def get_current_user(session: SessionDep, token: TokenDep) -> User:
    """The authenticated user (a dependency of the routes that read or change the account)."""
    return await authenticate(session=session, token=token, settings=get_settings())


async def get_current_user_id(session: SessionDep, token: TokenDep) -> int:
    """The authenticated user's id (a dependency of the routes that need no more)."""
    return await authenticate_id(session=session, token=token, settings=get_settings())


CurrentUser = Annotated[User, Depends(get_current_user)]
CurrentUserId = Annotated[int, Depends(get_current_user_id)]


def _needs_user(route: APIRoute) -> bool:
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        if dependant.call in {get_current_user, get_current_user_id}:
            return True
        pending.extend(dependant.dependencies)
    return False


class BadRequest(HTTPException):
    """A 400 a route raises itself (a wrong token or password), not a body it cannot read."""

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=status.HTTP_400_BAD_REQUEST, detail=detail)


def body_not_json() -> RequestValidationError:
    """The 422 for a body that cannot be decoded at all."""
    return RequestValidationError(
        [{"type": "json_invalid", "loc": ("body",), "msg": "The body is not valid JSON"}]
    )


def declares_utf8(content_type: str) -> bool:
    """True unless the Content-Type names a charset other than UTF-8."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower() in {"utf-8", "utf8"}
    return True


class ApiRoute(APIRoute):
    """A route that checks authentication before it looks at the body.

    FastAPI decodes the JSON body before it resolves dependencies, so a protected route
    would answer 422 to a malformed body sent without a token. The contract wants 401:
    when the body is unusable, the token is checked first. (FastAPI reports an unreadable
    body as a 400; the routes' own 400s are `BadRequest`s.) A JSON body that is not UTF-8,
    or says another charset (a 400 in FastAPI, or silently decoded as UTF-16), becomes the
    same 422 as malformed JSON.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        needs_user = _needs_user(self)
        takes_body = self.body_field is not None

        async def check_user(request: Request) -> None:
            if needs_user:
                async with app_database(request).sessions() as session:
                    await authenticate_id(
                        session=session,
                        token=await oauth2_scheme(request),
                        settings=get_settings(),
                    )

        async def route_handler(request: Request) -> Response:
            content_type = request.headers.get("content-type", "")
            if takes_body and "json" in content_type:
                try:  # JSON is UTF-8 (RFC 8259); json.loads would also guess UTF-16 and 32
                    if not declares_utf8(content_type):
                        raise UnicodeError("a charset other than UTF-8")
                    (await request.body()).decode("utf-8")
                except UnicodeError:
                    await check_user(request)
                    raise body_not_json() from None
            try:
                return await handler(request)
            except RequestValidationError:
                await check_user(request)
                raise
            except StarletteHTTPException as exc:
                if exc.status_code != status.HTTP_400_BAD_REQUEST or isinstance(exc, BadRequest):
                    raise
                await check_user(request)
                raise body_not_json() from exc

        return route_handler
