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

    def execute(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Any:
        """Run on ``conn``'s DBAPI connection inside its current transaction; the DBAPI cursor."""
        dialect = conn.dialect
        which = (dialect.name, dialect.paramstyle)
        found = self._compiled.get(which)
        if found is None:
            with self._lock:
                found = self._compiled.setdefault(which, self._compile(dialect))
        sql, arguments = found
        given = params or {}
        if given.keys() != self._key_set:
            raise ValueError(f"parameters {sorted(given)} given, {sorted(self.keys)} expected")
        cursor = conn.connection.cursor()
        cursor.execute(sql, arguments(given))
        return cursor
