"""Items: each user sees and changes only their own."""

from __future__ import annotations

import re
from typing import Any

from flask import abort
from flask.views import MethodView

from .. import services
from ..models import Item
from .authentication import AUTH_DOC, current_user_id, token_required
from .openapi import Blueprint
from .schemas import ItemCreateSchema, ItemPageSchema, ItemSchema, ItemUpdateSchema, PageQuerySchema

blp = Blueprint("items", __name__, url_prefix="/api/items", description="Items")

_ITEM_ID = re.compile(r"[0-9]{1,10}")
MAX_ITEM_ID = 2**31 - 1


def _item_id(raw_id: str) -> int:
    """The item id of the path, or 404 when it is not one.

    Ids are matched as text so that `abc`, `1.5` or a 40-digit number are a plain 404
    that never reaches the database.
    """
    if not _ITEM_ID.fullmatch(raw_id) or not 0 < int(raw_id) <= MAX_ITEM_ID:
        abort(404)
    return int(raw_id)


def _owned_item(raw_id: str) -> Item:
    """The caller's item, or 404 for an id that is not theirs, missing or not an id."""
    item = services.item_get(owner_id=current_user_id(), item_id=_item_id(raw_id))
    if item is None:
        abort(404)
    return item


@blp.route("")
class ItemCollection(MethodView):
    @blp.doc(**AUTH_DOC)
    @token_required
    @blp.arguments(PageQuerySchema(), location="query")
    @blp.response(200, ItemPageSchema)
    def get(self, query: dict[str, int]) -> Any:
        """List your items

        Needs a bearer token. Answers 200 with one page of your own items, newest first,
        and the total; `offset` and `limit` choose the page.
        """
        items, total = services.item_list(
            owner_id=current_user_id(), limit=query["limit"], offset=query["offset"]
        )
        return {"items": items, "total": total, "limit": query["limit"], "offset": query["offset"]}

    @blp.doc(**AUTH_DOC)
    @token_required
    @blp.arguments(ItemCreateSchema())
    @blp.response(201, ItemSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create an item

        Needs a bearer token. Creates an item owned by you and answers 201 with it;
        invalid values answer 422.
        """
        return services.item_create(owner_id=current_user_id(), **data)


# The id is matched as text (see _owned_item) but documented as what it is.
@blp.route("/<id>", parameters=[{"in": "path", "name": "id", "schema": {"type": "integer"}}])
class ItemDetail(MethodView):
    @blp.doc(**AUTH_DOC)
    @token_required
    @blp.response(200, ItemSchema)
    @blp.alt_response(404, description="No such item of yours")
    def get(self, id: str) -> Any:
        """Read one of your items

        Needs a bearer token. Answers 200 with the item; an item that does not exist or
        belongs to someone else answers 404.
        """
        # The same 404 as _owned_item's, read as a row (nothing to change here).
        row = services.item_read(owner_id=current_user_id(), item_id=_item_id(id))
        if row is None:
            abort(404)
        return row

    @blp.doc(**AUTH_DOC)
    @token_required
    @blp.arguments(ItemUpdateSchema())
    @blp.response(200, ItemSchema)
    @blp.alt_response(404, description="No such item of yours")
    def patch(self, changes: dict[str, Any], id: str) -> Any:
        """Update one of your items

        Needs a bearer token. Changes the fields sent and answers 200 with the item; an
        item that does not exist or belongs to someone else answers 404, invalid values 422.
        """
        item = services.item_update(item=_owned_item(id), data=changes)
        if item is None:  # deleted by a concurrent request
            abort(404)
        return item

    @blp.doc(**AUTH_DOC)
    @token_required
    @blp.response(204)
    @blp.alt_response(404, description="No such item of yours")
    def delete(self, id: str) -> None:
        """Delete one of your items

        Needs a bearer token. Answers 204 once deleted; an item that does not exist or
        belongs to someone else answers 404.
        """
        services.item_delete(item=_owned_item(id))
