"""Read-only queries about items; a user only ever sees their own."""

from typing import NamedTuple

from django.db.models import QuerySet

from ..users.models import User
from .models import Item


class ItemPage(NamedTuple):
    items: list[Item]
    total: int


def item_queryset(*, owner: User) -> QuerySet[Item]:
    """The owner's items, newest first (then highest id first)."""
    return Item.objects.filter(owner=owner).order_by("-created_at", "-id")


def item_list(*, owner: User, limit: int, offset: int) -> ItemPage:
    """One page of the owner's items and how many they have in all."""
    queryset = item_queryset(owner=owner)
    total = queryset.count()
    if offset >= total:
        return ItemPage(items=[], total=total)
    return ItemPage(items=list(queryset[offset : offset + limit]), total=total)


def item_get(*, owner: User, item_id: int) -> Item | None:
    """The owner's item with this id; None when missing or someone else's."""
    try:  # one row at most: no sort (see users.selectors.user_get_active)
        return Item.objects.get(owner=owner, pk=item_id)
    except Item.DoesNotExist:
        return None
