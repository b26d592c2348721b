"""SQL written once for the queries every API request runs.

Django builds and compiles an ORM query anew on every call (it has no statement cache), and
for the small queries of an API request that cost more than running them. A ``ModelQuery``
is the SQL of one such query, written when its module is imported, with every column of the
model in the model's order; its rows become instances as the ORM would make them (the
database backend's and the fields' converters, then ``Model.from_db``), the converters
looked up once per database connection.
"""

from collections.abc import Callable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

# (position in the row, the converters to apply in turn, the column they convert)
Converters = list[tuple[int, list[Callable[..., Any]], Any]]


def column(model: type[Model], field: str) -> str:
    """The quoted column of a model's field, for SQL written by hand."""
    return f'"{model._meta.get_field(field).column}"'  # type: ignore[union-attr]


class ModelQuery:
    """``SELECT <the model's columns> FROM <its table> <tail>``; values go in as parameters.

    Not generic (Python 3.11 has no type parameter syntax, which ruff asks for on 3.12):
    callers ``cast`` what it returns to their model.
    """

    def __init__(self, model: type[Model], tail: str) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        columns = ", ".join(f'"{field.column}"' for field in self.fields)
        self.sql = f'SELECT {columns} FROM "{model._meta.db_table}" {tail}'  # noqa: S608
        self._converters: WeakKeyDictionary[BaseDatabaseWrapper, Converters] = WeakKeyDictionary()

    def all(self, params: Sequence[Any]) -> list[Model]:
        """Every row, as model instances."""
        connection = connections[router.db_for_read(self.model)]
        converters = self._converters.get(connection)
        if converters is None:
            converters = self._converters[connection] = self._converters_of(connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        instances = []
        for row in rows:
            values = list(row)
            for position, functions, expression in converters:
                value = values[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                values[position] = value
            instances.append(self.model.from_db(connection.alias, self.attnames, values))
        return instances

    def first(self, params: Sequence[Any]) -> Model | None:
        """The first row as a model instance, or None."""
        found = self.all(params)
        return found[0] if found else None

    def _converters_of(self, connection: BaseDatabaseWrapper) -> Converters:
        """What Django's compiler applies to each column read from this connection."""
        table = self.model._meta.db_table
        converters: Converters = []
        for position, field in enumerate(self.fields):
            expression = field.get_col(table)
            functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(
                connection
            )
            if functions:
                converters.append((position, functions, expression))
        return converters
