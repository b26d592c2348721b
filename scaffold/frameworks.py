"""The three frameworks: names, and the facts the `frameworks` command shows."""

from __future__ import annotations

from enum import StrEnum


class Framework(StrEnum):
    """A framework scaffold has a starter for (the value is the template folder's name)."""

    django = "django"
    flask = "flask"
    fastapi = "fastapi"

    @property
    def label(self) -> str:
        """The framework's name as people write it."""
        return _LABELS[self]


_LABELS = {Framework.django: "Django", Framework.flask: "Flask", Framework.fastapi: "FastAPI"}

# Rows of the comparison: (criterion, Django, Flask, FastAPI). Facts from the seed
# comparison and our own starters; shown by `scaffold frameworks`.
COMPARISON: tuple[tuple[str, str, str, str], ...] = (
    ("First released", "2005", "2010", "2018"),
    ("Philosophy", "batteries included", "micro-framework", "API-first, async-first"),
    ("Server interface", "WSGI, ASGI since 3.x", "WSGI", "ASGI"),
    ("Async", "views yes, ORM mostly sync", "limited", "native throughout"),
    ("Built in", "ORM, admin, auth, forms, templates", "routing, Jinja2", "validation, docs, DI"),
    ("Learning curve", "steepest", "gentlest", "moderate (type hints)"),
    ("Ecosystem", "largest, very mature", "mature", "youngest, growing fast"),
    ("Best for", "full-stack sites, CMS, SaaS", "prototypes, serverless", "APIs, ML, real time"),
)

# What each starter ships, by part: (part, Django, Flask, FastAPI).
STARTER_PARTS: tuple[tuple[str, str, str, str], ...] = (
    ("ORM", "Django ORM", "SQLAlchemy 2 (Flask-SQLAlchemy)", "SQLAlchemy 2 (async)"),
    ("Migrations", "Django migrations", "Alembic (Flask-Migrate)", "Alembic"),
    ("Auth", "custom User, JWT for the API", "Flask-Login + JWT", "OAuth2 password flow, JWT"),
    ("API and docs", "DRF + drf-spectacular", "flask-smorest", "built in"),
    ("Validation", "DRF serializers", "marshmallow", "Pydantic v2"),
    ("Admin", "Django admin", "Flask-Admin (option)", "SQLAdmin (option)"),
    ("HTML pages", "Django templates", "Jinja2", "Jinja2 (option)"),
    ("Settings", "environment + .env", "environment + .env", "pydantic-settings + .env"),
    ("Production server", "granian (WSGI)", "granian (WSGI)", "granian (ASGI)"),
)

EVERY_STARTER = (
    "Every starter serves the same HTTP API (users, bearer tokens, items, /health, /docs, /redoc), "
    "runs on SQLite or PostgreSQL, and ships pytest, ruff, mypy, a Makefile, a production "
    "profile, and optional Docker and GitHub Actions files."
)
