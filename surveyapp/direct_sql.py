"""The few statements of a resident's every request, run straight on the driver's connection.

SQLAlchemy still builds each statement, compiles it for the database in use (once per
process) and converts every value both ways with the columns' own types, exactly as it does
inside a Session; what is left out is its per-execution machinery (execution context, result
objects, the Session's transaction bookkeeping, a pool checkout through a Connection), which
cost more than the statement itself: the statement alone took 194–230 µs of CPU through a new
Session and 139–178 µs through ``engine.connect()``, while the whole of respondent_context
(statement, conversions, hash, value objects) takes 102–140 µs this way on SQLite
(``bench/direct_sql_bench.py``). Everything else keeps using the Session.

A statement here takes only explicit bind parameters and values for every column it
writes; one that would need SQLAlchemy to compute a column's default is refused when it is
built, so nothing is ever written differently from the ORM.
"""
from __future__ import annotations

from functools import cache


class DirectStatement:
    """A Core statement compiled for ``dialect``, with the converters of its parameters and
    of its result columns taken from their SQLAlchemy types."""

    def __init__(self, statement, dialect, column_keys: list[str] | None = None):
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            raise ValueError("a direct statement must be given every value it writes")
        self.sql = compiled.string
        self.positional = compiled.positional
        # Parameters by the names the SQL uses (an anonymous bind's is made up when compiling).
        rendered = {compiled.bind_names[bind]: bind for bind in compiled.binds.values()}
        self.names = list(compiled.positiontup) if compiled.positional else list(rendered)
        self.binders = {}
        for name, bind in rendered.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.binders[name] = process
        columns = getattr(statement, "selected_columns", ())
        readers = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        #: (position, converter) of the result columns that need converting (most need none).
        self.readers = [(position, read) for position, read in enumerate(readers) if read is not None]

    def parameters(self, values: dict):
        binders = self.binders

        def bound(name):
            value = values[name]
            process = binders.get(name)
            return value if process is None or value is None else process(value)

        if self.positional:
            return tuple(bound(name) for name in self.names)
        return {name: bound(name) for name in self.names}

    def first(self, connection, values: dict) -> tuple | None:
        """The first row, its values converted as SQLAlchemy would; None without a row."""
        row = self._execute(connection, values, fetch=True)
        if row is None or not self.readers:
            return row if row is None else tuple(row)
        values = list(row)
        for position, read in self.readers:
            if values[position] is not None:
                values[position] = read(values[position])
        return tuple(values)

    def run(self, connection, values: dict) -> None:
        self._execute(connection, values, fetch=False)

    def run_many(self, connection, rows: list[dict]) -> None:
        """The statement once per parameter set of ``rows`` (the driver's executemany)."""
        cursor = connection.cursor()
        try:
            cursor.executemany(self.sql, [self.parameters(values) for values in rows])
        finally:
            cursor.close()

    def _execute(self, connection, values: dict, fetch: bool):
        cursor = connection.cursor()
        try:
            cursor.execute(self.sql, self.parameters(values))
            return cursor.fetchone() if fetch else None
        finally:
            cursor.close()


@cache
def prepared(build, dialect) -> DirectStatement:
    """``build(dialect_name)``'s statement (and the columns it is given values for) as a
    DirectStatement, once per process and dialect."""
    statement, column_keys = build(dialect.name)
    return DirectStatement(statement, dialect, column_keys)
