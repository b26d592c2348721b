"""Business logic for items."""

from typing import Any

from ..users.models import User
from .models import Item

UPDATABLE_FIELDS = ("title", "description", "price")


def item_create(*, owner: User, title: str, price: float, description: str | None = None) -> Item:
    """Create an item owned by ``owner``."""
    return Item.objects.create(owner=owner, title=title, description=description, price=price)


def item_update(*, item: Item, data: dict[str, Any]) -> Item:
    """Apply the given fields (any subset of title, description, price); others are ignored."""
    changed = [field for field in UPDATABLE_FIELDS if field in data]
    for field in changed:
        setattr(item, field, data[field])
    if changed:
        item.save(update_fields=changed)
    return item


def item_delete(*, item: Item) -> None:
    """Delete an item."""
    item.delete()
