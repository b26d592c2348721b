"""`python manage.py create_superuser` (`make superuser`): the admin account, made or promoted.

Unlike Django's own ``createsuperuser``, an email that already has an account promotes that
account (its password is kept); a new account's password is asked twice, without echo.
"""

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from ...models import User
from ...serializers import RegisterInputSerializer
from ...services import EmailTakenError, user_create, user_promote

#: What the command says when the database refuses it (unreachable, or not migrated yet).
DATABASE_UNUSABLE = (
    "the database cannot be used ({reason}): check DATABASE_URL, and run 'make migrate' first"
)


def _checked(data: dict[str, str], *, partial: bool = False) -> dict[str, str]:
    """The answers cleaned by the registration rules, or a one-line error (exit 2)."""
    serializer = RegisterInputSerializer(data=data, partial=partial)
    if not serializer.is_valid():
        problems = "; ".join(
            f"{field}: {' '.join(str(message) for message in messages)}"
            for field, messages in serializer.errors.items()
        )
        raise CommandError(problems, returncode=2)
    return dict(serializer.validated_data)


def _ask_password() -> str:
    """Prompt without echo, twice, until both answers agree."""
    while True:
        password = getpass.getpass("Password (8 to 128 characters): ")
        if getpass.getpass("Password (again): ") == password:
            return password
        sys.stderr.write("error: the two passwords differ, try again\n")


class Command(BaseCommand):
    help = (
        "Create a superuser, or make the existing account of this email one "
        "(an existing account keeps its password)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="asked for when missing")
        parser.add_argument(
            "--password",
            help="of a new account; asked twice when missing (an existing account keeps its own)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._create_superuser(options)
        except DatabaseError as error:
            reason = next(iter(str(error).strip().splitlines()), type(error).__name__)
            raise CommandError(DATABASE_UNUSABLE.format(reason=reason)) from None

    def _create_superuser(self, options: dict[str, Any]) -> None:
        try:
            answer = options["email"] or input("Email: ")
            email = _checked({"email": answer}, partial=True)["email"]
            user = User.objects.filter(email=email).first()
            if user is not None:
                user_promote(user=user)
                self.stdout.write(
                    f"Promoted {user.email} to superuser (its password is unchanged)."
                )
                return
            password = options["password"] or _ask_password()
        except (EOFError, KeyboardInterrupt):
            raise CommandError("cancelled, no account changed", returncode=2) from None
        data = _checked({"email": email, "password": password})
        try:
            user = user_create(email=data["email"], password=data["password"], is_superuser=True)
        except EmailTakenError:  # pragma: no cover - a concurrent registration
            message = f"{email} was registered meanwhile; run again"
            raise CommandError(message, returncode=2) from None
        self.stdout.write(f"Created superuser {user.email}.")
