"""Read-only queries about items; a user only ever sees their own.

The queries of the API are SQL written once (see queries.py): the ORM would build and
compile each of them anew on every request. ``item_queryset`` is the same list in the ORM,
for code that wants a QuerySet (tests hold the two to the same rows).
"""

from typing import NamedTuple, cast

from django.db import connection
from django.db.models import QuerySet

from ..queries import ModelQuery, column
from ..users.models import User
from .models import Item


class ItemPage(NamedTuple):
    items: list[Item]
    total: int


_ID, _OWNER, _CREATED_AT = column(Item, "id"), column(Item, "owner"), column(Item, "created_at")
_COUNT_SQL = f'SELECT COUNT(*) FROM "{Item._meta.db_table}" WHERE {_OWNER} = %s'  # noqa: S608
# Newest first, then highest id first (the index item_owner_newest serves it).
_PAGE = ModelQuery(
    Item, f"WHERE {_OWNER} = %s ORDER BY {_CREATED_AT} DESC, {_ID} DESC LIMIT %s OFFSET %s"
)
_OWNED_ITEM = ModelQuery(Item, f"WHERE {_ID} = %s AND {_OWNER} = %s")


def item_queryset(*, owner: User) -> QuerySet[Item]:
    """The owner's items, newest first (then highest id first)."""
    return Item.objects.filter(owner=owner).order_by("-created_at", "-id")


def item_list(*, owner: User, limit: int, offset: int) -> ItemPage:
    """One page of the owner's items and how many they have in all."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL, [owner.pk])
        (total,) = cursor.fetchone()
    if offset >= total:
        return ItemPage(items=[], total=total)
    return ItemPage(items=cast(list[Item], _PAGE.all([owner.pk, limit, offset])), total=total)


def item_get(*, owner: User, item_id: int) -> Item | None:
    """The owner's item with this id; None when missing or someone else's."""
    return cast(Item | None, _OWNED_ITEM.first([item_id, owner.pk]))
