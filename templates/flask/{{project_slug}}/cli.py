"""Commands for `flask --app <package> ...`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError

from . import services
from .api.schemas import RegisterSchema

#: What the command says when the database refuses it (unreachable, or not migrated yet).
DATABASE_UNUSABLE = (
    "the database cannot be used ({reason}): check DATABASE_URL, and run 'make migrate' first"
)


class Refused(click.ClickException):
    """A one-line error and exit code 2: nothing was changed."""

    exit_code = 2


def _check(data: dict[str, str], *, fields: tuple[str, ...]) -> dict[str, str]:
    """The answers cleaned by the registration rules, or `Refused`."""
    try:
        loaded: dict[str, str] = RegisterSchema(only=fields).load(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.messages_dict.items()
        )
        raise Refused(problems) from None
    return loaded


@click.command("create-superuser")
@click.option("--email", prompt=True, help="Email of the account (created or promoted).")
@click.option(
    "--password",
    help="Password of a new account, 8 to 128 characters (asked twice, without echo, "
    "when omitted). An existing account keeps its password.",
)
@with_appcontext
def create_superuser(email: str, password: str | None) -> None:
    """Create a superuser, or make the existing account of this email one."""
    try:
        _create_superuser(email, password)
    except DBAPIError as error:
        reason = next(iter(str(error.orig).strip().splitlines()), type(error).__name__)
        raise click.ClickException(DATABASE_UNUSABLE.format(reason=reason)) from None


def _create_superuser(email: str, password: str | None) -> None:
    email = _check({"email": email}, fields=("email",))["email"]
    user = services.user_get_by_email(email=email)
    if user is not None:
        services.user_promote(user=user)
        click.echo(f"Promoted {user.email} to superuser (its password is unchanged).")
        return
    if password is None:
        password = click.prompt(
            "Password (8 to 128 characters)", hide_input=True, confirmation_prompt=True
        )
    data = _check({"email": email, "password": password}, fields=("email", "password"))
    try:
        user = services.user_create(
            email=data["email"], password=data["password"], is_superuser=True
        )
    except services.EmailTakenError:  # pragma: no cover - a concurrent registration
        raise Refused(f"{email} was registered meanwhile; run again") from None
    click.echo(f"Created superuser {user.email}.")


def register_commands(app: Flask) -> None:
    """Add the project's commands to `app.cli`."""
    app.cli.add_command(create_superuser)
