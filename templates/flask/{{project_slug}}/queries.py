"""The API's hot reads as SQL compiled once, run straight on the database driver.

SQLAlchemy's `Connection.execute` prepares an execution context for every statement
(parameters, result processors, a cursor wrapper, a result object): for the two small
SELECTs of an authenticated item read that cost more than the driver's own work. A `Query`
compiles its statement once per dialect and then runs it on the driver's cursor of the
session's connection: the same SQL, in the same transaction, and its values converted by
the columns' own result processors (SQLite's text datetimes become aware UTC datetimes),
so the rows are those SQLAlchemy would give (tests/test_queries.py holds them to it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Select

Processor = Callable[[Any], Any] | None


class _Compiled:
    """A statement compiled for one dialect: its SQL, how its parameters are passed, and
    each column's result processor (None where the driver's value is already right)."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        for bind in compiled.binds.values():
            if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                raise ValueError(f"{bind.key}: a Query only takes values the driver takes as is")
        self.statement = statement
        self.dialect = dialect
        self.sql = compiled.string
        # sqlite3 takes the values as a tuple in the statement's order, psycopg by name.
        self.positions = tuple(compiled.positiontup or ()) if compiled.positional else None
        self.names = tuple(statement.selected_columns.keys())
        # Known after the first execution: they depend on the types the driver reports.
        self.processors: tuple[Processor, ...] | None = None

    def resolve(self, description: Sequence[Sequence[Any]]) -> tuple[Processor, ...]:
        """Each column's processor, for the driver's type codes (`cursor.description`)."""
        self.processors = tuple(
            column.type.dialect_impl(self.dialect).result_processor(self.dialect, described[1])
            for column, described in zip(self.statement.selected_columns, description, strict=True)
        )
        return self.processors


class Query:
    """A SELECT built once at import, compiled once per dialect, run on the driver's cursor
    of a connection. Its parameters must be values the driver takes as they are (ints,
    strings): a type that converts them is refused."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _rows(
        self, connection: Connection, params: Mapping[str, Any]
    ) -> tuple[tuple[str, ...], tuple[Processor, ...], Sequence[Any]]:
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self.statement, dialect)
        positions = compiled.positions
        args = params if positions is None else tuple(params[name] for name in positions)
        # A checked-out connection always has its driver connection.
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, args)
            processors = compiled.processors or compiled.resolve(cursor.description)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return compiled.names, processors, rows

    def mappings(self, connection: Connection, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every row, as a dict of its columns by name, in the statement's column order."""
        names, processors, rows = self._rows(connection, params)
        if not any(processors):
            return [dict(zip(names, row, strict=True)) for row in rows]
        return [
            {
                name: value if processor is None else processor(value)
                for name, processor, value in zip(names, processors, row, strict=True)
            }
            for row in rows
        ]

    def scalar(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None when there is no row."""
        _, processors, rows = self._rows(connection, params)
        if not rows:
            return None
        value, processor = rows[0][0], processors[0]
        return value if processor is None else processor(value)
