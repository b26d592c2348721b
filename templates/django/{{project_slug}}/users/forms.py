"""Forms of the account pages: Django's own password forms, with the API's length limits."""

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.validators import MaxLengthValidator

# The API refuses longer passwords (422): the pages must not set one the API cannot use.
MAX_PASSWORD_LENGTH = 128


def _limit_new_passwords(form: forms.Form) -> None:
    for name in ("new_password1", "new_password2"):
        field = form.fields[name]
        field.validators.append(MaxLengthValidator(MAX_PASSWORD_LENGTH))
        field.widget.attrs["maxlength"] = str(MAX_PASSWORD_LENGTH)


class ForgotPasswordForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class ResetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """New password twice, checked by AUTH_PASSWORD_VALIDATORS like Django's own reset."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_new_passwords(self)


class ChangePasswordForm(PasswordChangeForm):
    """Current password, then the new one twice."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_new_passwords(self)
