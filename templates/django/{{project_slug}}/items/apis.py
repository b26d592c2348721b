"""Items API: every route needs a token, and a user only reaches their own items."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from ..api.views import ApiView, current_user, validate_body, validate_query
from .models import Item
from .selectors import item_get, item_list
from .serializers import (
    ItemCreateInputSerializer,
    ItemListQuerySerializer,
    ItemOutputSerializer,
    ItemPageOutputSerializer,
    ItemUpdateInputSerializer,
    item_output,
)
from .services import item_create, item_delete, item_update

MAX_ITEM_ID = 2**31 - 1
ITEM_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def parse_item_id(raw: str) -> int:
    """A positive decimal id below 2**31, else 404 (before any database query)."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) <= MAX_ITEM_ID:
        return int(raw)
    raise exceptions.NotFound()


class ItemListCreateApi(ApiView):
    @extend_schema(
        operation_id="items_list",
        summary="List your items",
        description=(
            "Needs a bearer token. Answers 200 with one page of your own items, newest first, "
            "and the total; `offset` and `limit` choose the page."
        ),
        parameters=[ItemListQuerySerializer],
        responses={200: ItemPageOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        query = validate_query(ItemListQuerySerializer, request)
        page = item_list(owner=current_user(request), limit=query["limit"], offset=query["offset"])
        return Response(
            {
                "items": [item_output(item) for item in page.items],
                "total": page.total,
                "limit": query["limit"],
                "offset": query["offset"],
            }
        )

    @extend_schema(
        operation_id="items_create",
        summary="Create an item",
        description=(
            "Needs a bearer token. Creates an item owned by you and answers 201 with it; an "
            "invalid title or price answers 422."
        ),
        request=ItemCreateInputSerializer,
        responses={201: ItemOutputSerializer, 422: OpenApiResponse(description="Invalid item")},
    )
    def post(self, request: Request) -> Response:
        data = validate_body(ItemCreateInputSerializer, request)
        item = item_create(owner=current_user(request), **data)
        return Response(item_output(item), status=status.HTTP_201_CREATED)


class ItemDetailApi(ApiView):
    def get_item(self, request: Request, raw_id: str) -> Item:
        item = item_get(owner=current_user(request), item_id=parse_item_id(raw_id))
        if item is None:  # missing and someone else's look the same
            raise exceptions.NotFound()
        return item

    @extend_schema(
        operation_id="items_get",
        summary="Read one of your items",
        description=(
            "Needs a bearer token. Answers 200 with the item; an item that does not exist or "
            "belongs to someone else answers 404."
        ),
        parameters=[ITEM_ID],
        responses={200: ItemOutputSerializer, 404: OpenApiResponse(description="Not Found")},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(item_output(self.get_item(request, id)))

    @extend_schema(
        operation_id="items_update",
        summary="Update one of your items",
        description=(
            "Needs a bearer token. Changes the fields sent and answers 200 with the item; an "
            "item that does not exist or belongs to someone else answers 404, invalid values "
            "422."
        ),
        parameters=[ITEM_ID],
        request=ItemUpdateInputSerializer,
        responses={200: ItemOutputSerializer, 404: OpenApiResponse(description="Not Found")},
    )
    def patch(self, request: Request, id: str) -> Response:
        item_id = parse_item_id(id)
        data = validate_body(ItemUpdateInputSerializer, request, partial=True)
        item = self.get_item(request, str(item_id))
        updated = item_update(item=item, data=data)
        if updated is None:  # deleted by a concurrent request
            raise exceptions.NotFound()
        return Response(item_output(updated))

    @extend_schema(
        operation_id="items_delete",
        summary="Delete one of your items",
        description=(
            "Needs a bearer token. Answers 204 once deleted; an item that does not exist or "
            "belongs to someone else answers 404."
        ),
        parameters=[ITEM_ID],
        responses={204: None, 404: OpenApiResponse(description="Not Found")},
    )
    def delete(self, request: Request, id: str) -> Response:
        item_delete(item=self.get_item(request, id))
        return Response(status=status.HTTP_204_NO_CONTENT)
