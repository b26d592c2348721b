"""Management commands: `python -m <package>.cli create-superuser --email ...`."""

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from .config import Settings, load_settings
from .db import Database
from .schemas import UserCreate
from .services import EmailTakenError, user_create, user_get_by_email


async def create_superuser(*, email: str, password: str, settings: Settings) -> str:
    """Create a superuser, or promote the existing account with this email."""
    database = Database(settings)
    try:
        async with database.sessions() as session:
            user = await user_get_by_email(session=session, email=email)
            if user is not None:
                user.is_superuser = True
                await session.commit()
                return f"{user.email} is now a superuser"
            try:
                user = await user_create(
                    session=session, email=email, password=password, is_superuser=True
                )
            except EmailTakenError:  # pragma: no cover - a concurrent registration
                return f"{email} was registered meanwhile; run the command again"
            return f"superuser {user.email} created"
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
    create.add_argument("--password", help="prompted for when missing (new accounts only)")
    args = parser.parse_args(argv)

    try:
        email = args.email or input("Email: ")
        password = args.password or _ask_password()
    except (EOFError, KeyboardInterrupt):
        print("\nerror: cancelled, no account changed", file=sys.stderr)
        return 2
    try:
        data = UserCreate(email=email, password=password)
    except ValidationError as exc:
        problems = "; ".join(f"{error['loc'][0]}: {error['msg']}" for error in exc.errors())
        print(f"error: {problems}", file=sys.stderr)
        return 2
    settings = settings or load_settings()
    print(
        asyncio.run(create_superuser(email=data.email, password=data.password, settings=settings))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
