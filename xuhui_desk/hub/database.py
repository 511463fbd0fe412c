"""Opening the hub's database (SQLite by default, PostgreSQL in production) and migrating it.

Several hub processes may serve one database: nothing is cached in a process except the
engine. Writers serialise per station (:meth:`HubDatabase.lock_station`); SQLite writers
take the database lock up front (``BEGIN IMMEDIATE``) so two processes never deadlock on a
lock upgrade.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from xuhui_desk.db import begin_sqlite_transaction, configure_sqlite_connection, make_private_database_files
from xuhui_desk.private_files import create_private_file, make_private_dir

DATABASE_URL_ENV = "XUHUI_HUB_DATABASE_URL"
HUB_APP_NAME = "xuhui_hub"
#: Namespace of the hub's PostgreSQL advisory locks (``pg_advisory_xact_lock(ns, key)``).
_LOCK_NAMESPACE = 0x5848  # "XH"
_MIGRATION_LOCK_KEY = 0


class HubDatabaseError(RuntimeError):
    """A hub database that cannot be used; the message says why."""


def default_database_url() -> str:
    """An SQLite file in the hub's per-user data folder."""
    from platformdirs import user_data_dir

    folder = make_private_dir(Path(user_data_dir(HUB_APP_NAME, appauthor=False)))
    return f"sqlite:///{folder / 'hub.db'}"


def resolve_database_url(explicit: str | None = None) -> str:
    """``--database-url`` wins, then ``XUHUI_HUB_DATABASE_URL``, then the default SQLite file."""
    url = explicit or os.environ.get(DATABASE_URL_ENV) or default_database_url()
    if url.startswith("postgresql://"):
        # The psycopg (3) driver is the one installed with the hub.
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_sqlite_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        # Several hub processes may share the file: a longer busy timeout than the workstation's.
        event.listen(engine, "connect", partial(configure_sqlite_connection, busy_timeout_ms=30000))
        event.listen(engine, "begin", begin_sqlite_transaction)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, pool_timeout=30)
    raise HubDatabaseError(f"unsupported database URL {parsed.render_as_string(hide_password=True)}: "
                           "use sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DB")


def _private_sqlite_file(path: Path) -> None:
    """The hub's SQLite file holds every station's requests and token hashes: 0600 (and its -wal
    and -shm, which SQLite creates with the file's mode); a folder made here is 0700."""
    if not path.parent.exists():
        make_private_dir(path.parent)
    with suppress(FileExistsError):
        create_private_file(path)
    make_private_database_files(path)


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent / "migrations"


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision. Safe when several processes start at once:
    on PostgreSQL they queue on an advisory lock, on SQLite on the write lock."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    writer = engine.execution_options(sqlite_begin="IMMEDIATE")
    with writer.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"),
                               {"ns": _LOCK_NAMESPACE, "key": _MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


@dataclass
class HubDatabase:
    url: str
    engine: Engine

    def __post_init__(self) -> None:
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self.engine.execution_options(sqlite_begin="IMMEDIATE"),
                                    expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self._reader()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (SQLite: holding the write lock from the start); commits on success."""
        with self._writer() as session, session.begin():
            yield session

    def lock_station(self, session: Session, station_id: int) -> None:
        """Serialise writers of one station's data until the transaction ends (see HubChange)."""
        if self.dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"),
                            {"ns": _LOCK_NAMESPACE, "key": int(station_id) & 0x7FFFFFFF})

    def close(self) -> None:
        self.engine.dispose()


def open_hub_database(url: str | None = None, *, migrate: bool = True) -> HubDatabase:
    """Open (and, by default, migrate) the hub database at ``url`` (see :func:`resolve_database_url`)."""
    resolved = resolve_database_url(url)
    engine = make_engine(resolved)
    try:
        if migrate:
            upgrade_to_head(engine)
    except Exception as exc:
        engine.dispose()
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            shown = make_url(resolved).render_as_string(hide_password=True)
            raise HubDatabaseError(f"cannot open the hub database {shown}: {exc.orig}") from exc
        raise
    return HubDatabase(resolved, engine)
