"""Input and output serializers of the items API."""

from typing import Any

from rest_framework import serializers

from ..api.fields import QueryIntegerField, StrictCharField, StrictFloatField
from .models import Item

MAX_PRICE = 1_000_000_000


class ItemCreateInputSerializer(serializers.Serializer[Any]):
    title = StrictCharField(min_length=1, max_length=200)
    description = StrictCharField(
        max_length=2000, allow_null=True, allow_blank=True, required=False, default=None
    )
    price = StrictFloatField(gt=0, max_value=MAX_PRICE)


class ItemUpdateInputSerializer(serializers.Serializer[Any]):
    """Every field optional; ``null`` is allowed for the description only."""

    title = StrictCharField(min_length=1, max_length=200, required=False)
    description = StrictCharField(
        max_length=2000, allow_null=True, allow_blank=True, required=False
    )
    price = StrictFloatField(gt=0, max_value=MAX_PRICE, required=False)


class ItemListQuerySerializer(serializers.Serializer[Any]):
    limit = QueryIntegerField(min_value=1, max_value=100, required=False, default=20)
    offset = QueryIntegerField(min_value=0, required=False, default=0)


# Writes created_at as every DRF DateTimeField does (ISO 8601 in UTC, "Z" for "+00:00").
CREATED_AT = serializers.DateTimeField()


def item_output(item: Item) -> dict[str, Any]:
    """The answer for one item: ``ItemOutputSerializer(item).data``, field order included.

    The views call it directly: making a serializer (and, for a page, a list serializer
    around it) for each answer was about 2 % of an item read under py-spy, for a dict.
    """
    return {
        "id": item.pk,
        "title": item.title,
        "description": item.description,
        "price": float(item.price),
        "owner_id": item.owner_id,
        "created_at": CREATED_AT.to_representation(item.created_at),
    }


# No docstring: it would become the schema's description in the OpenAPI document.
class ItemOutputSerializer(serializers.ModelSerializer[Item]):
    owner_id = serializers.IntegerField(read_only=True)
    price = serializers.FloatField()

    class Meta:
        model = Item
        fields = ("id", "title", "description", "price", "owner_id", "created_at")

    def to_representation(self, instance: Item) -> dict[str, Any]:
        """The fields above, written out (``item_output``).

        DRF's own version rebuilds every field from the model on each response
        (``ModelSerializer.get_fields``), about a tenth of an item read; the fields still
        describe the answer in the OpenAPI document, and a test holds both to the same output.
        """
        return item_output(instance)


class ItemPageOutputSerializer(serializers.Serializer[Any]):
    items = ItemOutputSerializer(many=True)
    total = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
