"""Account pages: forgot password, reset password (the emailed link), change password.

Django's ``PasswordResetView`` and ``PasswordResetConfirmView`` are not used: their
``uidb64``/token links and stateless tokens cannot give the contract's
``/reset-password?token=...`` link, single-use tokens stored as hashes and the limit of 3
emails per hour. The pages call the same services as the API, with Django's password forms
(``SetPasswordForm``, ``PasswordChangeView``) for the input.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from .forms import ChangePasswordForm, ForgotPasswordForm, ResetPasswordForm
from .services import (
    InvalidResetTokenError,
    password_reset_confirm,
    password_reset_request,
    password_reset_user,
)

RESET_REQUESTED = "If the account exists, a reset link has been sent to it."
INVALID_LINK = "This reset link is invalid or has expired. Ask for a new one."
MAX_TOKEN_LENGTH = 200


@require_http_methods(["GET", "HEAD", "POST"])
def forgot_password(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link; the answer is the same whether the account exists or not."""
    form = ForgotPasswordForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        password_reset_request(email=form.cleaned_data["email"])
        messages.info(request, RESET_REQUESTED)
        return redirect("forgot-password")
    return render(request, "registration/forgot_password.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def reset_password(request: HttpRequest) -> HttpResponse:
    """The page of the emailed link: choose a new password, then log in with it."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    user = password_reset_user(token=token) if 0 < len(token) <= MAX_TOKEN_LENGTH else None
    if user is None:
        return _invalid_link(request, token)
    form = ResetPasswordForm(user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            password_reset_confirm(token=token, password=form.cleaned_data["new_password1"])
        except InvalidResetTokenError:  # used up by a concurrent request meanwhile
            return _invalid_link(request, token)
        messages.success(request, "Your password has been reset. Log in with the new one.")
        return redirect("login")
    return render(request, "registration/reset_password.html", {"form": form, "token": token})


def _invalid_link(request: HttpRequest, token: str) -> HttpResponse:
    """The form page with the error: the link cannot be used (400)."""
    context = {"form": ResetPasswordForm(None), "token": token, "invalid_link": INVALID_LINK}
    return render(request, "registration/reset_password.html", context, status=400)


class ChangePasswordView(auth_views.PasswordChangeView):
    """Django's password change (login required; the session stays logged in)."""

    form_class = ChangePasswordForm
    template_name = "registration/change_password.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response
