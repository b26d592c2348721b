"""Commands for `flask --app <package> ...`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from marshmallow import ValidationError

from . import services
from .api.schemas import RegisterSchema


@click.command("create-superuser")
@click.option("--email", prompt=True, help="Email of the account (created or promoted).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Password, 8 to 128 characters (prompted without echo when omitted).",
)
@with_appcontext
def create_superuser(email: str, password: str) -> None:
    """Create a superuser, or make an existing account one (with this password)."""
    try:
        data = RegisterSchema().load({"email": email, "password": password})
    except ValidationError as error:
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.messages_dict.items()
        )
        raise click.ClickException(problems) from None
    user, created = services.user_set_superuser(email=data["email"], password=data["password"])
    click.echo(f"{'Created' if created else 'Promoted'} superuser {user.email}.")


def register_commands(app: Flask) -> None:
    """Add the project's commands to `app.cli`."""
    app.cli.add_command(create_superuser)
