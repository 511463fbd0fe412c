"""Core statements compiled once and run straight on the DBAPI cursor of a SQLAlchemy connection.

The hot writes (an intake save: five to seven statements per request) spend more CPU in
SQLAlchemy's per-statement execution machinery — execution context, events, result set-up —
than in SQLite itself (``benchmarks/intake_benchmark.py``, profiled with cProfile). A
:class:`PreparedStatement` keeps SQLAlchemy for what it does well: the statement is written with
Core, compiled by SQLAlchemy for the connection's dialect, and every parameter goes through the
column type's own bind processor (``UTCDateTime``, ``Code``, ``JSON``, SQLite's ``DATETIME``
spelling) — so the stored values are exactly what ``connection.execute`` would store. What is
skipped is the per-call machinery: the statement runs on the transaction's own DBAPI cursor, in
the transaction the ``Connection`` began (its ``begin`` event already ran, so ``BEGIN IMMEDIATE``
holds the write lock), and the engine's ``commit`` listeners (the write watch) still fire when
that transaction commits.

Only statements whose every value is given are accepted: a statement that needs a Python-side
column default or ``onupdate`` computed (SQLAlchemy's prefetch) is refused when compiled, so a
missing key can never silently store NULL where the model has a default.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class PreparedStatement:
    """A Core statement (``insert``, ``update``, ``select`` or ``text``) with a fixed set of parameter
    names, compiled on first use per dialect and run on the connection's DBAPI cursor.

    :meth:`execute` promises the same SQL and the same bound values as
    ``conn.execute(statement, params)`` for the given ``params`` (their keys must be ``keys``),
    and returns the DBAPI cursor (``lastrowid``, ``fetchone()``, ``fetchall()`` as sqlite3 gives
    them: plain tuples, no result processing — use it for columns without result types).
    """

    def __init__(self, statement: ClauseElement, keys: Iterable[str] = ()) -> None:
        self.statement = statement
        self.keys = tuple(keys)
        self._key_set = frozenset(self.keys)
        self._lock = threading.Lock()
        self._compiled: dict[tuple[str, str], tuple[str, Callable[[Mapping[str, Any]], Sequence[Any]]]] = {}

    def _compile(self, dialect: Dialect) -> tuple[str, Callable[[Mapping[str, Any]], Sequence[Any]]]:
        compiled = self.statement.compile(dialect=dialect, column_keys=list(self.keys))
        if not isinstance(compiled, SQLCompiler):
            raise TypeError(f"{self.statement!r} does not compile to SQL")
        prefetch = [*getattr(compiled, "insert_prefetch", ()), *getattr(compiled, "update_prefetch", ())]
        if prefetch:
            raise ValueError(f"{self.statement!r} needs Python-side defaults for {prefetch}: give every value")
        if not dialect.positional or compiled.positiontup is None:
            raise ValueError(f"a positional paramstyle is needed, not {dialect.paramstyle}")
        order = list(compiled.positiontup)
        fixed: dict[str, Any] = {}
        processors: dict[str, Callable[[Any], Any]] = {}
        for name in order:
            bind = compiled.binds[name]
            if name not in self.keys:
                if bind.callable is not None or bind.required:
                    raise ValueError(f"parameter {name!r} of {self.statement!r} is not among {self.keys}")
                fixed[name] = bind.value
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        # The fixed values (literals in the statement) are processed once, here.
        constants = {name: processors[name](value) if name in processors else value for name, value in fixed.items()}
        steps = [(name, constants.get(name), name in constants, processors.get(name)) for name in order]

        def arguments(params: Mapping[str, Any]) -> list[Any]:
            out = []
            for name, constant, is_constant, processor in steps:
                if is_constant:
                    out.append(constant)
                else:
                    value = params[name]
                    out.append(processor(value) if processor is not None else value)
            return out

        return compiled.string, arguments

    def _for(self, dialect: Dialect) -> tuple[str, Callable[[Mapping[str, Any]], Sequence[Any]]]:
        which = (dialect.name, dialect.paramstyle)
        found = self._compiled.get(which)
        if found is None:
            with self._lock:
                found = self._compiled.setdefault(which, self._compile(dialect))
        return found

    def execute(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Any:
        """Run on ``conn``'s DBAPI connection inside its current transaction; the DBAPI cursor."""
        sql, arguments = self._for(conn.dialect)
        given = params or {}
        if given.keys() != self._key_set:
            raise ValueError(f"parameters {sorted(given)} given, {sorted(self.keys)} expected")
        cursor = conn.connection.cursor()
        cursor.execute(sql, arguments(given))
        return cursor

    def executemany(self, conn: Connection, params: Sequence[Mapping[str, Any]]) -> None:
        """Run once per item of ``params`` with the DBAPI cursor's ``executemany`` (what
        ``conn.execute(statement, params)`` does, without its per-row processing), inside ``conn``'s
        current transaction."""
        if not params:
            return
        sql, arguments = self._for(conn.dialect)
        for given in params:
            if given.keys() != self._key_set:
                raise ValueError(f"parameters {sorted(given)} given, {sorted(self.keys)} expected")
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(sql, [arguments(given) for given in params])
        finally:
            cursor.close()


class PreparedInsert:
    """``INSERT INTO table (columns…) VALUES (…)`` of many rows at once: compiled once per dialect by
    SQLAlchemy and run with the DBAPI cursor's ``executemany``, for SQLite's positional (``qmark``)
    and psycopg's named (``pyformat``) parameters alike.

    ``Connection.execute(insert(table), rows)`` runs each row's each value through SQLAlchemy's
    per-row parameter processing (for the hub's push: a third of its CPU per record). Here each
    column's values go through that column type's own bind processor (``UTCDateTime`` then the
    dialect's ``DATETIME`` or ``TIMESTAMP``, ``JSON``, ``Boolean`` …) once per batch, column by column,
    so the stored values are the same (``tests/hub/test_prepared_insert.py`` compares the stored
    rows on SQLite and PostgreSQL). As for :class:`PreparedStatement`, every column without a
    server-side default must be given: one that would need a Python-side default is refused.
    """

    def __init__(self, table: Any, columns: Iterable[str]) -> None:
        self.table = table
        self.columns = tuple(columns)
        self._column_set = frozenset(self.columns)
        self._lock = threading.Lock()
        self._compiled: dict[tuple[str, str], tuple[str, tuple[str, ...], tuple[Any, ...], bool]] = {}

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[str, ...], tuple[Any, ...], bool]:
        from sqlalchemy import insert

        compiled = insert(self.table).compile(dialect=dialect, column_keys=list(self.columns))
        if not isinstance(compiled, SQLCompiler):
            raise TypeError(f"an insert into {self.table} does not compile to SQL")
        if compiled.insert_prefetch:
            missing = [c.key for c in compiled.insert_prefetch]
            raise ValueError(f"an insert into {self.table} needs Python-side defaults for {missing}: give every value")
        # The bind parameters of an INSERT's VALUES are named by the columns' keys.
        names = tuple(compiled.positiontup) if dialect.positional and compiled.positiontup is not None \
            else tuple(compiled.binds)
        if set(names) != self._column_set:
            raise ValueError(f"an insert into {self.table} binds {sorted(names)}, not {sorted(self.columns)}")
        processors = tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
        # A named paramstyle takes each row as a dict keyed by the names as rendered (escaped).
        escaped: dict[str, str] = compiled.escaped_bind_names or {}
        return compiled.string, tuple(escaped.get(n, n) for n in names), processors, bool(dialect.positional)

    def parameters(self, dialect: Dialect, rows: Sequence[Mapping[str, Any]]) -> tuple[str, list[Any]]:
        """The SQL for ``dialect`` and the DBAPI parameters of ``rows`` (each a mapping with exactly
        :attr:`columns` as keys), every value through its column type's bind processor."""
        which = (dialect.name, dialect.paramstyle)
        found = self._compiled.get(which)
        if found is None:
            with self._lock:
                found = self._compiled.setdefault(which, self._compile(dialect))
        sql, names, processors, positional = found
        for row in rows:
            if row.keys() != self._column_set:
                raise ValueError(f"a row has {sorted(row)}, {sorted(self.columns)} expected")
        # Column by column: one map() of the column's processor over the batch's values, instead of
        # a processor lookup and call per value per row.
        columns: list[Any] = [[row[name] for row in rows] for name in names]
        for index, processor in enumerate(processors):
            if processor is not None:
                columns[index] = _processed(processor, columns[index])
        if positional:
            return sql, list(zip(*columns, strict=True))
        return sql, [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]

    def executemany(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows`` on ``conn``'s DBAPI connection, inside its current transaction."""
        if not rows:
            return
        sql, params = self.parameters(conn.dialect, rows)
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(sql, params)
        finally:
            cursor.close()


_NOTHING = object()


def _processed(processor: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """``[processor(v) for v in values]``, processing a value that is the very object of the one
    before it only once: a batch's rows share their receipt time (``received_at``, ``changed_at``:
    the same datetime object in every row) and many an empty optional field (``None``), and a
    datetime's processing (to UTC, then SQLite's text) is the dearest of all."""
    out = []
    last: Any = _NOTHING
    done: Any = None
    for value in values:
        if value is not last:
            last, done = value, processor(value)
        out.append(done)
    return out
