from django.urls import path

from .apis import MeApi, RegisterApi, TokenApi

urlpatterns = [
    path("auth/register", RegisterApi.as_view(), name="register"),
    path("auth/token", TokenApi.as_view(), name="token"),
    path("users/me", MeApi.as_view(), name="users-me"),
]
