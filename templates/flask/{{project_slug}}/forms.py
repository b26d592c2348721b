"""HTML forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

PASSWORD_MIN, PASSWORD_MAX = 8, 128


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    remember = BooleanField("Remember me")


class LogoutForm(FlaskForm):
    """No fields: the CSRF token is the point (logging out by GET is a CSRF hole)."""


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            "New password",
            validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
        ),
        PasswordField(
            "New password again",
            validators=[DataRequired(), EqualTo("new_password", "The passwords differ.")],
        ),
    )


class ResetPasswordForm(FlaskForm):
    new_password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)]
    )
    new_password, confirm = _new_password_fields()
