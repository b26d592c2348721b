"""Read-only queries about items; a user only ever sees their own.

The queries of the API are SQL written once (table and column names from the model): the ORM
would build and compile each of them anew on every request (Django has no statement cache),
which cost more than running them. ``raw()`` still turns rows into Items with Django's own
converters. ``item_queryset`` is the same list in the ORM, for code that wants a QuerySet.
"""

from typing import NamedTuple

from django.db import connection
from django.db.models import QuerySet

from ..users.models import User
from .models import Item


class ItemPage(NamedTuple):
    items: list[Item]
    total: int


def _sql(template: str) -> str:
    return template.format(
        table=Item._meta.db_table,
        pk=Item._meta.pk.column,
        owner=Item._meta.get_field("owner").column,
        created_at=Item._meta.get_field("created_at").column,
    )


_COUNT_SQL = _sql('SELECT COUNT(*) FROM "{table}" WHERE "{owner}" = %s')
# Newest first, then highest id first (the index item_owner_newest serves it).
_PAGE_SQL = _sql(
    'SELECT * FROM "{table}" WHERE "{owner}" = %s '
    'ORDER BY "{created_at}" DESC, "{pk}" DESC LIMIT %s OFFSET %s'
)
_OWNED_ITEM_SQL = _sql('SELECT * FROM "{table}" WHERE "{pk}" = %s AND "{owner}" = %s')


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
    return ItemPage(items=list(Item.objects.raw(_PAGE_SQL, [owner.pk, limit, offset])), total=total)


def item_get(*, owner: User, item_id: int) -> Item | None:
    """The owner's item with this id; None when missing or someone else's."""
    return next(iter(Item.objects.raw(_OWNED_ITEM_SQL, [item_id, owner.pk])), None)
