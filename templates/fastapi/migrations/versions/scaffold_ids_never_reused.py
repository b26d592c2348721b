"""Ids are never reused: SQLite tables get AUTOINCREMENT.

Revision ID: scaffold_ids_never_reused
Revises: scaffold_account_recovery
Create Date: 2026-12-01

On SQLite a plain `INTEGER PRIMARY KEY` hands the highest id out again once its row is
deleted; with `AUTOINCREMENT` an id is never given twice, as with PostgreSQL's sequences
(and Django's SQLite tables). SQLite cannot add it to a table in place, so each table is
rebuilt: batch mode reads the live table (every column, an owner's too, its indexes and
foreign keys), copies every row into the new table and swaps it in. The next id starts
above the highest one left. On PostgreSQL there is nothing to do.
"""

from collections.abc import Sequence

from alembic import context, op
from sqlalchemy import Connection

revision: str = "scaffold_ids_never_reused"
down_revision: str | None = "scaffold_account_recovery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The template's tables (an owner's own tables are left as they are).
TABLES = ("users", "items", "password_reset_tokens", "login_failures")


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)


def _rebuild(*, autoincrement: bool) -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    if context.is_offline_mode():
        raise RuntimeError(
            f"{revision} rebuilds SQLite tables from what the database holds: it cannot be "
            "written out as SQL (--sql); run it on the database itself."
        )
    # A rebuild drops the old table. With foreign keys enforced (the starters leave them
    # off; a project may turn them on), dropping `users` would delete, by ON DELETE
    # CASCADE, every row that references it. So they are turned off for the rebuild,
    # which SQLite allows only outside a transaction (rows are copied as they are: no
    # reference can break), and on again after it.
    enforced = _foreign_keys(connection)
    if enforced:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        if _foreign_keys(connection) and any(_has_rows(connection, t) for t in TABLES):
            raise RuntimeError(
                "PRAGMA foreign_keys is on and cannot be turned off inside a transaction: "
                "rebuilding the tables would delete rows. Migrate to the revision next to "
                f"{revision!r} first, then run it on its own."
            )
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
    if enforced:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        if not _foreign_keys(connection):  # still inside the transaction: the pool
            connection.connection.invalidate(soft=True)  # opens a new connection next time


def _foreign_keys(connection: Connection) -> bool:
    return bool(connection.exec_driver_sql("PRAGMA foreign_keys").scalar())


def _has_rows(connection: Connection, table: str) -> bool:
    return connection.exec_driver_sql(f'SELECT 1 FROM "{table}" LIMIT 1').first() is not None
