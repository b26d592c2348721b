"""Management commands: `python -m <package>.cli create-superuser --email ...`."""

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable, Sequence

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import DBAPIError

from .config import Settings, load_settings
from .db import Database
from .schemas import Email, Password
from .services import EmailTakenError, user_create, user_get_by_email, user_promote

#: What the command says when the database refuses it (unreachable, or not migrated yet).
DATABASE_UNUSABLE = (
    "the database cannot be used ({reason}): check DATABASE_URL, and run 'make migrate' first"
)

EMAIL: TypeAdapter[str] = TypeAdapter(Email)
PASSWORD: TypeAdapter[str] = TypeAdapter(Password)


async def create_superuser(*, email: str, password: Callable[[], str], settings: Settings) -> str:
    """Promote the account of this email, or create it as a superuser.

    `password` is called only to create the account: an existing one keeps its password.
    """
    database = Database(settings)
    try:
        async with database.sessions() as session:
            user = await user_get_by_email(session=session, email=email)
            if user is not None:
                await user_promote(session=session, user=user)
                return f"Promoted {user.email} to superuser (its password is unchanged)."
            try:
                user = await user_create(
                    session=session, email=email, password=password(), is_superuser=True
                )
            except EmailTakenError:  # pragma: no cover - a concurrent registration
                return f"{email} was registered meanwhile; run the command again"
            return f"Created superuser {user.email}."
    finally:
        await database.dispose()


def _ask_password() -> str:
    """Prompt without echo, twice, until both answers agree (as Django and Flask do)."""
    while True:
        password = getpass.getpass("Password (8 to 128 characters): ")
        if getpass.getpass("Password (again): ") == password:
            return password
        print("error: the two passwords differ, try again", file=sys.stderr)


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Parse the command line and run the command; returns the exit code.

    `settings` defaults to the environment's (a test passes its own database's).
    """
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-superuser", help="create or promote a superuser")
    create.add_argument("--email", help="prompted for when missing")
    create.add_argument(
        "--password",
        help="of a new account; asked twice when missing (an existing account keeps its own)",
    )
    args = parser.parse_args(argv)

    def password() -> str:
        return PASSWORD.validate_python(args.password or _ask_password())

    field = "email"
    try:
        email = EMAIL.validate_python(args.email or input("Email: "))
        field = "password"  # asked (and checked) only when the account is created
        message = asyncio.run(
            create_superuser(email=email, password=password, settings=settings or load_settings())
        )
    except (EOFError, KeyboardInterrupt):
        print("\nerror: cancelled, no account changed", file=sys.stderr)
        return 2
    except ValidationError as exc:
        problems = "; ".join(error["msg"] for error in exc.errors())
        print(f"error: {field}: {problems}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        reason = next(iter(str(exc.orig).strip().splitlines()), type(exc).__name__)
        print(f"error: {DATABASE_UNUSABLE.format(reason=reason)}", file=sys.stderr)
        return 1
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
