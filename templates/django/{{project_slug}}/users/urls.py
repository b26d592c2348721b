from django.urls import path

from .apis import (
    MeApi,
    PasswordChangeApi,
    PasswordResetApi,
    PasswordResetConfirmApi,
    RegisterApi,
    TokenApi,
)

urlpatterns = [
    path("auth/register", RegisterApi.as_view(), name="register"),
    path("auth/token", TokenApi.as_view(), name="token"),
    path("auth/password-reset", PasswordResetApi.as_view(), name="password-reset"),
    path(
        "auth/password-reset/confirm",
        PasswordResetConfirmApi.as_view(),
        name="password-reset-confirm",
    ),
    path("users/me", MeApi.as_view(), name="users-me"),
    path("users/me/password", PasswordChangeApi.as_view(), name="users-me-password"),
]
