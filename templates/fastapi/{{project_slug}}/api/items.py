"""CRUD on the caller's own items."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from .. import services
from ..models import Item
from ..schemas import ItemCreate, ItemPublic, ItemsPage, ItemUpdate
from ..security import parse_id
from .deps import ApiRoute, CurrentUserId, SessionDep
from .responses import DATABASE_DOWN, NOT_FOUND, TOO_LARGE, UNAUTHORIZED

router = APIRouter(
    prefix="/items",
    tags=["items"],
    route_class=ApiRoute,
    responses={**UNAUTHORIZED, **DATABASE_DOWN},
)

_DECIMAL = re.compile(r"-?[0-9]+")


def _decimal_integer(value: Any) -> Any:
    """Query integers must be written in decimal digits (no `1.0`, `1e3` or spaces)."""
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        raise PydanticCustomError("int_parsing", "Input should be a valid integer")
    return value


Limit = Annotated[int, Query(ge=1, le=100), BeforeValidator(_decimal_integer)]
Offset = Annotated[int, Query(ge=0), BeforeValidator(_decimal_integer)]
# Kept a string: anything that is not a positive 31-bit decimal id is a 404, not a 422.
# Documented as the integer it must be to name an item.
ItemId = Annotated[
    str, Path(alias="id", description="The item's id", json_schema_extra={"type": "integer"})
]


def not_found() -> HTTPException:
    """The 404 for an item that is missing or someone else's: the two look the same."""
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Not Found")


def _path_id(raw_id: str) -> int:
    """The id in the path, or the 404 when it cannot name an item."""
    item_id = parse_id(raw_id)
    if item_id is None:
        raise not_found()
    return item_id


async def _own_item(*, session: SessionDep, user_id: int, raw_id: str) -> Item:
    item_id = _path_id(raw_id)
    item = await services.item_get(session=session, owner_id=user_id, item_id=item_id)
    if item is None:
        raise not_found()
    return item


@router.post("", status_code=status.HTTP_201_CREATED, responses=TOO_LARGE)
async def create_item(data: ItemCreate, user_id: CurrentUserId, session: SessionDep) -> ItemPublic:
    """Create an item owned by the caller."""
    item = await services.item_create(session=session, owner_id=user_id, data=data)
    return ItemPublic.model_validate(item)


@router.get("")
async def list_items(
    user_id: CurrentUserId, session: SessionDep, limit: Limit = 20, offset: Offset = 0
) -> ItemsPage:
    """The caller's items, newest first."""
    items, total = await services.item_list(
        session=session, owner_id=user_id, limit=limit, offset=offset
    )
    return ItemsPage(
        items=[ItemPublic.model_validate(item) for item in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{id}", responses=NOT_FOUND)
async def read_item(item_id: ItemId, user_id: CurrentUserId, session: SessionDep) -> ItemPublic:
    """One of the caller's items."""
    row = await services.item_read(session=session, owner_id=user_id, item_id=_path_id(item_id))
    if row is None:
        raise not_found()
    return ItemPublic.model_validate(row)


@router.patch("/{id}", responses={**NOT_FOUND, **TOO_LARGE})
async def update_item(
    item_id: ItemId, data: ItemUpdate, user_id: CurrentUserId, session: SessionDep
) -> ItemPublic:
    """Change any subset of the fields; `{}` changes nothing."""
    item = await _own_item(session=session, user_id=user_id, raw_id=item_id)
    updated = await services.item_update(session=session, item=item, data=data)
    if updated is None:  # deleted by a concurrent request
        raise not_found()
    return ItemPublic.model_validate(updated)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_item(item_id: ItemId, user_id: CurrentUserId, session: SessionDep) -> Response:
    """Delete one of the caller's items."""
    item = await _own_item(session=session, user_id=user_id, raw_id=item_id)
    await services.item_delete(session=session, item=item)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
