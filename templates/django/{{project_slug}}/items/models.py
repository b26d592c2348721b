"""The example resource: items that belong to a user."""

from django.conf import settings
from django.db import models


class Item(models.Model):
    title = models.CharField(max_length=200)
    # null (not "") is the contract's "no description", so the field is nullable.
    description = models.TextField(max_length=2000, null=True, blank=True)  # noqa: DJ001
    price = models.FloatField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="items"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("owner", "-created_at", "-id"), name="item_owner_newest"),)

    def __str__(self) -> str:
        return self.title
