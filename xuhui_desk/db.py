"""Opening the workstation database: pragmas, schema checks, migrations, sessions.

Start-up is a feature: when the stored schema revision already is the program's
head (the usual case), the database is opened without importing Alembic at all.
Only when an upgrade is due is the file backed up and Alembic loaded. SQLAlchemy itself is
imported only when an engine is made: the plain-``sqlite3`` checks (:func:`check_sqlite_file`,
:func:`stored_revision`, :func:`known_revisions`) import without it, so that the GUI can check
the file and show its window before paying for that import.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xuhui_desk.config import backup_dir
from xuhui_desk.resources import migrations_dir

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

SQLITE_HEADER = b"SQLite format 3\x00"
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


class DatabaseError(Exception):
    """A database the program must not open; the message says why and what to do."""


class DatabaseTooNew(DatabaseError):
    pass


class DatabaseCorrupt(DatabaseError):
    pass


@cache
def known_revisions() -> tuple[str, ...]:
    """Revision ids of the shipped migrations, oldest first (files are named ``NNNN_slug.py``)."""
    found = sorted(
        m.group(1) for p in (migrations_dir() / "versions").iterdir() if (m := _REVISION_FILE.match(p.name))
    )
    if not found:
        raise DatabaseError(f"no migrations found in {migrations_dir()}")
    return tuple(found)


def head_revision() -> str:
    return known_revisions()[-1]


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database before SQLite gets to touch it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(100)
    if header[: len(SQLITE_HEADER)] != SQLITE_HEADER:
        raise DatabaseCorrupt(
            f"{path} is not a database of this program (the file is damaged or of another kind). "
            "It was left untouched; restore a backup with `xuhui-desk restore FILE`."
        )
    expected = _expected_size(header)
    wal = Path(f"{path}-wal")
    wal_has_frames = wal.exists() and wal.stat().st_size > 32
    if expected is not None and not wal_has_frames and path.stat().st_size < expected:
        raise DatabaseCorrupt(
            f"{path} is shorter than its own header says ({path.stat().st_size} of {expected} bytes): "
            "the file was cut off. It was left untouched; restore a backup with `xuhui-desk restore FILE`."
        )


def _expected_size(header: bytes) -> int | None:
    """File size the SQLite header promises, when the header's page count is valid."""
    if len(header) < 100:
        return None
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The in-header page count is only valid when these two change counters agree.
    if header[24:28] != header[92:96] or not pages:
        return None
    return page_size * pages


def stored_revision(path: Path) -> str | None:
    """The Alembic revision recorded in the file, read with plain sqlite3 (no Alembic import)."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            has_table = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            if not has_table:
                tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if tables:
                    raise DatabaseError(f"{path} is an SQLite file but not a database of this program.")
                return None
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseCorrupt(
            f"{path} cannot be read ({exc}). It was left untouched; "
            "restore a backup with `xuhui-desk restore FILE`."
        ) from exc
    return row[0] if row else None


def configure_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: Any = None, *,
                                busy_timeout_ms: int = 15000) -> None:
    """Pragmas of every SQLite connection (workstation and hub): WAL, foreign keys, busy
    timeout, synchronous=FULL; and transactions left to :func:`begin_sqlite_transaction`."""
    # Python's sqlite3 opens transactions on its own; hand that to SQLAlchemy's
    # "begin" event so that writers can take the lock up front (BEGIN IMMEDIATE).
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    # FULL: a request the specialist saw saved survives a power cut (benchmarks/README.md
    # shows the cost is affordable at intake rates).
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def begin_sqlite_transaction(conn: Any) -> None:
    """SQLAlchemy "begin" hook: ``BEGIN IMMEDIATE`` for engines with ``sqlite_begin="IMMEDIATE"``."""
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path) -> Engine:
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", configure_sqlite_connection)
    event.listen(engine, "begin", begin_sqlite_transaction)
    return engine


def backup_file(source: Path, dest: Path) -> Path:
    """A consistent copy of a live database with SQLite's online backup API."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return dest


def timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def upgrade_to_head(engine: Engine) -> None:
    """Run the Alembic migrations (imported here, only when needed)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


@dataclass
class Database:
    """The open workstation database: one engine, sessions for reading and writing."""

    path: Path
    engine: Engine

    def __post_init__(self) -> None:
        from sqlalchemy.orm import sessionmaker

        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )

    def session(self) -> Session:
        """A session for reading (deferred transaction)."""
        return self._sessions()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction that holds the write lock from its first statement; commits on success."""
        with self._writer() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_database(path: Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) and migrate the database at ``path``.

    Refuses, without changing the file, a database that is damaged, of another
    program, or newer than this program. Backs the file up before any upgrade.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    check_sqlite_file(path)
    current = stored_revision(path)
    revisions = known_revisions()
    if current is not None and current not in revisions:
        raise DatabaseTooNew(
            f"{path} was written by a newer version of xuhui_desk (schema {current}; this program knows "
            f"up to {revisions[-1]}). It was not opened and is unchanged: install the newer program."
        )
    if current != revisions[-1] and current is not None:
        backup_file(path, backup_dir(path.parent) / f"before-upgrade-{current}-{timestamp()}.db")
    engine = make_engine(path)
    if current != revisions[-1]:
        if not migrate:
            engine.dispose()
            raise DatabaseError(f"{path} needs an upgrade from {current} to {revisions[-1]}")
        upgrade_to_head(engine)
    return Database(path, engine)
