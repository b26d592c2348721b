"""Validation of project names, package names (slugs) and destination folders."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from scaffold.errors import BadInput

# Names a generated package must not take: it would shadow the standard library, the
# framework or a library every starter depends on, or a folder of the generated project.
# The templates' copier.yml validators carry the same list (a test keeps them in step).
LIBRARY_NAMES = frozenset(
    """
    aiosqlite alembic argon2 django drf_spectacular fastapi flask flask_admin flask_cors
    flask_login flask_migrate flask_smorest flask_sqlalchemy flask_wtf granian gunicorn jinja2
    jwt marshmallow migrations pip psycopg pydantic pydantic_settings pytest rest_framework
    setuptools sqladmin sqlalchemy starlette test tests uvicorn werkzeug
    """.split()
)
RESERVED_NAMES = LIBRARY_NAMES | {
    name for name in sys.stdlib_module_names if not name.startswith("_")
}

_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_FOLDER = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")


def slugify(name: str) -> str:
    """Derive a package name from a project name, as the templates do by default."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _why_reserved(slug: str) -> str:
    """Why a reserved name cannot name the package, in words true for every starter."""
    if slug in sys.stdlib_module_names:
        return "it is a standard library module, which the package would shadow"
    if slug in {"migrations", "tests"}:
        return "it is the name of a folder the starters create"
    return (
        "scaffold reserves the import names of the frameworks and of the libraries its "
        "three starters use, in every starter"
    )


def check_slug(slug: str) -> str:
    """Return `slug` if it can name the generated Python package, else raise `BadInput`."""
    if not _SLUG.match(slug):
        raise BadInput(
            f"invalid project slug {slug!r}: it must start with a lower-case letter and "
            "contain only lower-case letters, digits and underscores",
            hint="pass another with --data project_slug=NAME",
        )
    if slug in RESERVED_NAMES:
        raise BadInput(
            f"invalid project slug {slug!r}: {_why_reserved(slug)}",
            hint="pass another with --data project_slug=NAME, e.g. my_" + slug,
        )
    return slug


def check_folder(dest: Path) -> Path:
    """`check_destination`, and the package name the folder's name leads to must be usable.

    The folder's name is the default project name and the package name is derived from it,
    so a folder such as `json` is refused at once rather than after every question.
    """
    absolute = check_destination(dest)
    slug = slugify(absolute.name)
    try:
        check_slug(slug)
    except BadInput as exc:
        reason = exc.message.partition(": ")[2]
        raise BadInput(
            f"the folder name {absolute.name!r} gives the package name {slug!r}, "
            f"which cannot be used: {reason}",
            hint=f"choose another folder name, e.g. my-{absolute.name}, "
            "or keep it and pass --data project_slug=NAME",
        ) from None
    return absolute


def check_project_name(name: str) -> str:
    """Return `name` stripped if it is a usable project name, else raise `BadInput`."""
    stripped = name.strip()
    if not stripped:
        raise BadInput("the project name cannot be empty")
    if "/" in stripped or "\\" in stripped or stripped.startswith("."):
        raise BadInput(
            f"invalid project name {name!r}: a project name is not a path",
            hint="give the folder as DEST and the name with --data project_name=NAME",
        )
    return stripped


def check_destination(dest: Path) -> Path:
    """Check that DEST names a folder we may create a project in; return it absolute.

    The folder's name becomes the default project name, so it must look like one. It may
    exist only as an empty folder: scaffold never writes into someone else's files.
    """
    if ".." in dest.parts:
        raise BadInput(
            f"refusing destination {str(dest)!r}: it climbs out of the current folder",
            hint="cd to the parent folder first and give a plain folder name",
        )
    absolute = Path.cwd() / dest
    if not _FOLDER.match(absolute.name):
        raise BadInput(
            f"invalid project folder name {absolute.name!r}: use letters, digits, '-', '_' "
            "and '.', starting with a letter",
            hint="for example: scaffold new my-app",
        )
    if absolute.exists():
        if not absolute.is_dir():
            raise BadInput(f"{str(dest)!r} exists and is not a folder")
        if any(absolute.iterdir()):
            raise BadInput(
                f"destination {str(dest)!r} exists and is not empty; nothing was written",
                hint="choose a new folder name, or use `scaffold update` inside a project",
            )
    return absolute
