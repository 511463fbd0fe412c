"""Opening the workstation database: pragmas, schema checks, migrations, sessions.

Start-up is a feature: when the stored schema revision already is the program's
head (the usual case), the database is opened without importing Alembic at all.
Only when an upgrade is due is the file backed up and Alembic loaded. SQLAlchemy itself is
imported only when an engine is made: the plain-``sqlite3`` checks (:func:`check_sqlite_file`,
:func:`stored_revision`, :func:`known_revisions`) import without it, so that the GUI can check
the file and show its window before paying for that import.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from xuhui_desk.config import backup_dir
from xuhui_desk.private_files import (
    create_private_file,
    create_unique_file,
    make_private_dir,
    make_private_file,
)
from xuhui_desk.resources import migrations_dir

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine.interfaces import DBAPICursor
    from sqlalchemy.orm import Session

SQLITE_HEADER = b"SQLite format 3\x00"
#: Rows a :func:`first_column` takes from the driver at a time: few enough to keep memory flat,
#: many enough that a long id list costs no more than iterating the cursor itself.
_FETCH_CHUNK = 8192
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


class DatabaseError(Exception):
    """A database the program must not open; the message says why and what to do."""


class DatabaseTooNew(DatabaseError):
    pass


class DatabaseCorrupt(DatabaseError):
    """The file is damaged or not a database: the one case where restoring a backup is the advice."""


class DatabaseNotWritable(DatabaseError):
    """A folder or file the program may not write, or a full disk. The database is fine."""


class DatabaseBusy(DatabaseError):
    """Another program holds SQLite's lock longer than the busy timeout."""


class DatabaseInUse(DatabaseError):
    """A restore refused because another program has the database open (or the reverse)."""


IN_USE_MESSAGE = ("the database is in use by another program (the workstation window, an intake or a sync); "
                  "close it and try again")

# SQLite's primary result codes (the low byte of the extended code Python reports).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_CONSTRAINT, _SQLITE_NOTADB = 19, 26
# When an error carries no code (SQLAlchemy's own, or an old Python), its text decides.
_MESSAGE_CODES = (
    ("malformed", _SQLITE_CORRUPT), ("not a database", _SQLITE_NOTADB), ("readonly", _SQLITE_READONLY),
    ("read-only", _SQLITE_READONLY), ("unable to open", _SQLITE_CANTOPEN), ("disk is full", _SQLITE_FULL),
    ("disk i/o error", _SQLITE_IOERR), ("locked", _SQLITE_BUSY), ("constraint", _SQLITE_CONSTRAINT),
)


def _sqlite_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(exc).lower()
    return next((c for needle, c in _MESSAGE_CODES if needle in text), None)


def _nearly_full(folder: Path) -> bool:
    import shutil

    try:
        return shutil.disk_usage(folder).free < 1024 * 1024
    except OSError:
        return False


def explain_sqlite_error(exc: BaseException, path: Path) -> DatabaseError:
    """The user's message for an SQLite error on the database ``path``, naming the real cause.

    Only damage (SQLITE_CORRUPT, SQLITE_NOTADB) advises a restore: a read-only folder, a full
    disk, a lock held by another program or a refused change are not cured by an older copy,
    and replacing a healthy database with one loses what was saved since.
    """
    orig = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    detail = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    code = _sqlite_code(orig)
    folder = path.parent
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return DatabaseCorrupt(f"{path} is damaged ({detail}). It was not changed; restore a recent backup "
                               f"with `xuhui-desk restore FILE` (see {backup_dir(folder)}).")
    if code in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_PERM):
        return DatabaseNotWritable(f"cannot write: {folder} is not writable ({detail}). Nothing was changed; "
                                   "give this user write permission on the folder and its files, "
                                   "or use another --data-dir.")
    if code == _SQLITE_IOERR and _nearly_full(folder):
        code = _SQLITE_FULL  # a write that failed for want of space (e.g. growing the WAL index on tmpfs)
    if code == _SQLITE_FULL:
        return DatabaseNotWritable(f"cannot write: the disk holding {folder} is full ({detail}). Nothing was "
                                   "changed; free some space and try again.")
    if code == _SQLITE_IOERR:
        return DatabaseNotWritable(f"cannot read or write {path}: the disk reported an error ({detail}). "
                                   "Check that the disk is connected and has free space, then try again.")
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return DatabaseBusy(f"{path} is busy: another program keeps it locked ({detail}); try again in a moment.")
    if code == _SQLITE_CONSTRAINT:
        return DatabaseError(f"the database refused the change ({detail}); nothing was saved.")
    return DatabaseError(f"the database {path} reported an error ({detail}); nothing was changed.")


def explain_os_error(exc: OSError, what: Path) -> DatabaseError:
    """The user's message for a file-system error while writing ``what`` (a file or folder)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DatabaseNotWritable(f"cannot write: the disk holding {what} is full. Nothing was changed; "
                                   "free some space and try again.")
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return DatabaseNotWritable(f"cannot write: {exc.filename or what} is a file where a folder is needed; "
                                   "move it away and try again")
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return DatabaseNotWritable(f"cannot write: {what} is not writable ({exc.strerror}). Nothing was changed; "
                                   "give this user write permission on it, or use another --data-dir.")
    return DatabaseNotWritable(f"cannot write {what}: {exc.strerror or exc}")


# --- the lock that keeps a restore away from a database in use ------------------------------------

#: How long opening the database waits while a restore holds the lock.
SHARED_LOCK_WAIT_S = 30.0
# Windows has no shared file locks: each opener locks one byte of this range, a restore all of it.
_WIN_LOCK_BYTES = 1 << 20


#: How long an opener waits for another process's upgrade of the same file (a large database's
#: upgrade copies tables; minutes are possible, an hour is not).
UPGRADE_LOCK_WAIT_S = 600.0


def lock_path(path: Path) -> Path:
    """The lock file of the database ``path`` (beside it, in the data folder)."""
    return Path(f"{path}.lock")


class DatabaseLock:
    """An advisory lock on ``DATABASE.lock``: every process that opens the database holds it
    shared; :func:`restore` needs it exclusive, so it cannot swap the file under a live writer.

    POSIX: ``flock`` (released by the kernel when the process dies, even by ``kill -9``).
    Windows: ``msvcrt.locking`` byte ranges — an opener locks one byte of a 1 MiB range, a
    restore the whole range (Windows also refuses to replace a file another process has open).
    """

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = lock_path(database)
        self._fd: int | None = None
        self._byte: int | None = None
        self.exclusive = False

    @property
    def held(self) -> bool:
        return self._fd is not None

    def _open(self) -> int:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            try:  # a read-only folder: the lock file may still be there to lock (flock needs no write access)
                fd = os.open(self.path, os.O_RDONLY)
            except OSError:
                raise explain_os_error(exc, self.path.parent) from exc
        make_private_file(self.path)
        return fd

    def acquire_shared(self, wait: float = SHARED_LOCK_WAIT_S) -> DatabaseLock:
        """Hold the lock shared (with every other user of the database); wait for a running restore."""
        fd = self._open()
        deadline = time.monotonic() + wait
        while True:
            if _try_lock(fd, exclusive=False, lock=self):
                self._fd, self.exclusive = fd, False
                return self
            if time.monotonic() >= deadline:
                os.close(fd)
                raise DatabaseInUse(f"{self.database} is being restored from a backup by another program; "
                                    "try again when it has finished")
            time.sleep(0.05)

    def acquire_exclusive(self) -> DatabaseLock:
        """Hold the lock alone, or raise :class:`DatabaseInUse` at once (never waits)."""
        fd = self._open()
        if not _try_lock(fd, exclusive=True, lock=self):
            os.close(fd)
            raise DatabaseInUse(IN_USE_MESSAGE)
        self._fd, self.exclusive = fd, True
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd, self)
        finally:
            os.close(fd)

    def __enter__(self) -> DatabaseLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _try_lock(fd: int, *, exclusive: bool, lock: DatabaseLock) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt
        import random

        if exclusive:
            spans = [(0, _WIN_LOCK_BYTES + 1)]
        else:
            spans = [(random.randrange(1, _WIN_LOCK_BYTES + 1), 1) for _ in range(8)]
        for start, length in spans:
            os.lseek(fd, start, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, length)
            except OSError:
                continue
            lock._byte = start
            return True
        return False
    import fcntl

    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int, lock: DatabaseLock) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        if lock._byte is not None:
            os.lseek(fd, lock._byte, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, _WIN_LOCK_BYTES + 1 if lock.exclusive else 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def first_column(cursor: DBAPICursor) -> Iterator[Any]:
    """The first value of each row of a DB-API ``cursor``, in order, straight from the driver
    (no ORM row objects on the way: 200,000 ids through them cost twice the query itself).
    Reads in chunks: iterating a cursor is an optional DB-API extension."""
    while chunk := cursor.fetchmany(_FETCH_CHUNK):
        for row in chunk:
            yield row[0]


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
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except IsADirectoryError as exc:
        raise DatabaseError(f"{path} is a folder, not a database file") from exc
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
        con = sqlite3.connect(read_only_uri(path), uri=True)
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
        raise explain_sqlite_error(exc, path) from exc
    return row[0] if row else None


def read_only_uri(path: Path) -> str:
    """An SQLite URI that opens ``path`` read-only (any characters in the name are escaped)."""
    return f"{path.resolve().as_uri()}?mode=ro"


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


def backup_file(source: Path, dest: Path, *, read_only: bool = False) -> Path:
    """A consistent copy of a live database with SQLite's online backup API, into ``dest``.

    ``dest`` is a new file: either absent (then created 0600 here) or the empty file
    :func:`unique_backup_file` made; a file with content is never overwritten. ``read_only``
    opens the source read-only, for files that are not ours (a backup offered for restore).
    Raises :class:`DatabaseNotWritable` when the copy cannot be written, and removes a partial copy.
    """
    folder = dest.parent
    try:
        make_private_dir(folder)
        if not dest.exists():
            create_private_file(dest)
        elif not dest.is_file() or dest.stat().st_size:
            raise DatabaseError(f"{dest} already exists; a copy never overwrites a file")
    except OSError as exc:
        raise explain_os_error(exc, folder) from exc
    try:
        src = sqlite3.connect(read_only_uri(source), uri=True) if read_only else sqlite3.connect(source)
        try:
            dst = sqlite3.connect(dest)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        _remove_with_journals(dest)
        if isinstance(exc, sqlite3.OperationalError) and _sqlite_code(exc) in (
            _SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_FULL, _SQLITE_IOERR, _SQLITE_PERM
        ):
            raise explain_sqlite_error(exc, dest) from exc
        raise explain_sqlite_error(exc, source) from exc
    except BaseException:
        _remove_with_journals(dest)
        raise
    return dest


def _remove_with_journals(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def unique_backup_file(folder: Path, stem: str) -> Path:
    """A new, empty 0600 file ``folder/stem-<UTC time to the microsecond>Z.db`` (``-2``, ``-3``… when
    taken): two copies made in the same second, even by two processes, never share a name."""
    try:
        make_private_dir(folder)
        return create_unique_file(folder, f"{stem}-{timestamp()}", ".db")
    except OSError as exc:
        raise explain_os_error(exc, folder) from exc


def timestamp() -> str:
    """UTC time for file names, to the microsecond: ``20261206T032213.123456Z``."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def upgrade_to(engine: Engine, revision: str) -> None:
    """Run the Alembic migrations up to ``revision`` (Alembic is imported here, only when needed)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def upgrade_to_head(engine: Engine) -> None:
    """Run the Alembic migrations up to the newest revision."""
    upgrade_to(engine, "head")


class Database(Protocol):
    """What the services and the GUI need of the workstation database: its file, its engine,
    sessions for reading and a write transaction. :class:`SqliteDatabase` is the open database;
    the GUI's ``DeferredDatabase`` (``ui/app.py``) opens one on first use after the window shows."""

    @property
    def path(self) -> Path: ...

    @property
    def engine(self) -> Engine: ...

    def session(self) -> Session:
        """A session for reading (deferred transaction)."""
        ...

    def write(self) -> AbstractContextManager[Session]:
        """A write transaction that holds the write lock from its first statement; commits on success."""
        ...

    def close(self) -> None: ...


@dataclass
class SqliteDatabase:
    """The open workstation database: one engine, sessions for reading and writing.

    ``lock`` is its shared :class:`DatabaseLock`, held until :meth:`close`.
    """

    path: Path
    engine: Engine
    lock: DatabaseLock | None = None

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
        """Close every connection, then let a restore have the file (the lock is released last)."""
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()


class DatabaseOpenCancelled(Exception):
    """A task waiting for a :class:`DeferredDatabase` stops: the program closes before it opened."""


class DeferredDatabase:
    """A database whose file was checked (it is at the head revision) but whose engine opens later
    (the GUI's start-up, ``ui/app.py``; Qt-free, so it lives here).

    Start-up builds and shows the main window around it, then :meth:`release` lets it open (on
    the next turn of the event loop, on a worker). Until then a worker thread that needs it
    waits in :meth:`resolve`; the GUI thread never waits for the release: it opens the database
    itself (a page read on the GUI thread before the worker got to it). :meth:`cancel_waiting`
    (the program is closing before it opened) makes waiting tasks stop with
    :class:`DatabaseOpenCancelled` (the GUI's task runner treats it as a cancelled task).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: Database | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._cancelled = False

    def __repr__(self) -> str:
        return f"DeferredDatabase({str(self.path)!r}, open={self._db is not None})"

    @property
    def is_open(self) -> bool:
        return self._db is not None

    def release(self) -> None:
        """Let waiting workers open the database (the window is shown)."""
        self._released.set()

    def cancel_waiting(self) -> None:
        """The program is closing: tasks still waiting for the database stop (as cancelled)."""
        self._cancelled = True
        self._released.set()

    def resolve(self) -> Database:
        """The open database: opened here on first use; on a worker, only once released."""
        db = self._db
        if db is not None:
            return db
        if threading.current_thread() is threading.main_thread():
            self._released.set()
        else:
            self._released.wait()
        with self._lock:
            if self._db is None:
                if self._cancelled:
                    raise DatabaseOpenCancelled(f"{self.path} was not opened: the program is closing")
                if self._error is None:
                    try:
                        self._db = open_database(self.path)
                    except BaseException as exc:
                        self._error = exc
                if self._error is not None:
                    raise self._error
            assert self._db is not None
            return self._db

    @property
    def engine(self) -> Engine:
        return self.resolve().engine

    def session(self) -> Session:
        return self.resolve().session()

    def write(self) -> AbstractContextManager[Session]:
        return self.resolve().write()

    def close(self) -> None:
        self.cancel_waiting()
        with self._lock:
            if self._db is not None:
                self._db.close()


def make_private_database_files(path: Path) -> None:
    """The database, its WAL and shared-memory files: 0600 (SQLite gives new -wal/-shm files the
    database file's own mode, so a database made private stays private)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        make_private_file(Path(f"{path}{suffix}"))


def open_database(path: Path, *, migrate: bool = True, lock: DatabaseLock | None = None) -> SqliteDatabase:
    """Open (creating if needed) and migrate the database at ``path``.

    Refuses, without changing the file, a database that is damaged, of another
    program, or newer than this program. Backs the file up before any upgrade.
    The data folder is made 0700 and the files 0600. The returned database holds the
    shared :class:`DatabaseLock` until it is closed (waiting while a restore runs);
    ``lock``: one the caller already holds (a restore migrating what it put in place).
    """
    try:
        make_private_dir(path.parent)
    except OSError as exc:
        raise explain_os_error(exc, path.parent) from exc
    own_lock = DatabaseLock(path).acquire_shared() if lock is None else None
    try:
        return _open_locked(path, migrate=migrate, own_lock=own_lock)
    except BaseException:
        if own_lock is not None:
            own_lock.release()
        raise


def _open_locked(path: Path, *, migrate: bool, own_lock: DatabaseLock | None) -> SqliteDatabase:
    check_sqlite_file(path)
    current = stored_revision(path)
    revisions = known_revisions()
    if current is not None and current not in revisions:
        raise DatabaseTooNew(
            f"{path} was written by a newer version of xuhui_desk (schema {current}; this program knows "
            f"up to {revisions[-1]}). It was not opened and is unchanged: install the newer program."
        )
    try:
        if not path.exists():
            create_private_file(path)
        make_private_database_files(path)
    except FileExistsError:
        pass  # another process created it first
    except OSError as exc:
        raise explain_os_error(exc, path.parent) from exc
    engine = make_engine(path)
    if current != revisions[-1]:
        if not migrate:
            engine.dispose()
            raise DatabaseError(f"{path} needs an upgrade from {current} to {revisions[-1]}")
        try:
            _upgrade_alone(path, engine, revisions[-1])
        except Exception:
            engine.dispose()
            raise
    return SqliteDatabase(path, engine, own_lock)


def _upgrade_alone(path: Path, engine: Engine, head: str) -> None:
    """Back up and upgrade ``path`` to ``head`` — one process at a time.

    After a program update the GUI and a command (or two commands) may open the old file at
    once; each would run the same ``ALTER TABLE`` and the second fail on the first's columns.
    The upgrade lock (``DATABASE.upgrade.lock``) makes them take turns, and the revision is read
    again under it: whoever comes second finds the work done.
    """
    lock = DatabaseLock(path)
    lock.path = Path(f"{path}.upgrade.lock")
    deadline = time.monotonic() + UPGRADE_LOCK_WAIT_S
    while True:
        try:
            lock.acquire_exclusive()
            break
        except DatabaseInUse:
            if time.monotonic() >= deadline:
                raise DatabaseInUse(f"{path} is being upgraded by another program of this station; "
                                    "try again when it has finished") from None
            time.sleep(0.05)
    try:
        current = stored_revision(path)
        if current == head:
            return
        if current is not None:
            backup_file(path, unique_backup_file(backup_dir(path.parent), f"before-upgrade-{current}"))
        upgrade_to_head(engine)
    finally:
        lock.release()
