from django.urls import path

from .apis import ItemDetailApi, ItemListCreateApi

urlpatterns = [
    path("items", ItemListCreateApi.as_view(), name="items"),
    # A str converter: a non-integer id must answer the same 404 as a missing item.
    path("items/<str:id>", ItemDetailApi.as_view(), name="item-detail"),
]
