"""Alembic environment: runs inside the Flask app, with the app's engine and models."""

from __future__ import annotations

import logging
from logging.config import fileConfig
from typing import Any

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def _options() -> dict[str, Any]:
    # Flask-Migrate passes its own options (render_as_batch for SQLite, compare_type...).
    return dict(current_app.extensions["migrate"].configure_args)


def run_migrations_offline() -> None:
    """Write the SQL to stdout (`flask db upgrade --sql`)."""
    context.configure(
        url=str(db.engine.url.render_as_string(hide_password=False)),
        target_metadata=target_metadata,
        literal_binds=True,
        **_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Apply the migrations through the application's engine."""
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **_options())
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
