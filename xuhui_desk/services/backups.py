"""Backups of the workstation database: consistent copies, checked restores, thinning.

What this module promises:

* A backup or a kept copy is a new file with a unique name (UTC time to the microsecond, and
  a counter when even that is taken) created 0600; no copy ever overwrites another.
* A restore never swaps the database under a program that has it open: every program holds
  the database's lock shared while it has it open (:class:`xuhui_desk.db.DatabaseLock`), and
  :func:`restore` needs it alone, so it is refused while the workstation window, an
  intake or a sync runs. Every request any program saved is then either in the live database
  or in the copy kept before the restore.
* A backup carries the request attachments its database refers to, in a folder next to it
  (``xuhui_desk-LABEL-<time>.attachments/ab/cdef…``, hard links into the store where the file
  system allows, else copies); a restore brings back those missing from the store, each checked
  against its SHA-256, and says which it could not find.
* A file offered for restore is installed only when it is a whole database of this program
  whose schema is exactly what the migrations make at its revision (no extra trigger, view,
  table, column or index) and whose settings are ones the program would accept.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from xuhui_desk.config import backup_dir, database_path
from xuhui_desk.db import (
    DatabaseCorrupt,
    DatabaseError,
    DatabaseLock,
    DatabaseTooNew,
    backup_file,
    check_sqlite_file,
    explain_os_error,
    known_revisions,
    make_engine,
    open_database,
    read_only_uri,
    unique_backup_file,
    upgrade_to,
)

KEEP_BACKUPS = 30
KEEP_UPGRADE_BACKUPS = 5
#: Copies kept before a restore are thinned apart from ordinary backups, so that a burst of
#: backups after a mistaken restore never removes the only copy of what was replaced.
KEEP_RESTORE_COPIES = 10
RESTORE_COPY_STEM = "xuhui_desk-before-restore"
_REQUIRED_TABLES = {"station", "enterprises", "requests", "request_events", "alembic_version"}


def make_backup(data_dir: Path, label: str = "manual") -> Path:
    """Write a consistent copy of the live database (SQLite online backup) and thin old ones.

    The copy is a new 0600 file ``backups/xuhui_desk-LABEL-<time>.db``; it waits while a
    restore is running. Raises :class:`DatabaseNotWritable` when ``backups`` cannot be written.
    """
    source = database_path(data_dir)
    if not source.exists():
        raise DatabaseError(f"there is no database in {data_dir} to back up")
    with DatabaseLock(source).acquire_shared():  # no restore swaps the file while it is copied
        dest = backup_file(source, unique_backup_file(backup_dir(data_dir), f"xuhui_desk-{label}"))
        copy_attachments(data_dir, dest)
    thin_backups(data_dir)
    return dest


# --- attachments ------------------------------------------------------------------------------------


def attachments_folder(backup: Path) -> Path:
    """The folder of a backup's attachment files: next to it, same name, ``.attachments``."""
    return backup.with_suffix(".attachments")


def _referenced_hashes(database: Path) -> list[str]:
    from xuhui_desk.record_rules import is_sha256

    con = sqlite3.connect(read_only_uri(database), uri=True)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='attachments'").fetchone():
            return []  # a database from before attachments (revision < 0011)
        return sorted({h for (h,) in con.execute("SELECT DISTINCT sha256 FROM attachments") if is_sha256(h)})
    finally:
        con.close()


def copy_attachments(data_dir: Path, backup: Path) -> list[str]:
    """Put the attachment files ``backup`` refers to next to it (see the module doc); return the
    hashes the store lacked (they cannot be in this backup)."""
    import shutil

    from xuhui_desk.private_files import make_private_dir, make_private_file
    from xuhui_desk.services.attachments import blob_path

    hashes = _referenced_hashes(backup)
    missing: list[str] = []
    if not hashes:
        return missing
    folder = make_private_dir(attachments_folder(backup))
    for sha in hashes:
        source = blob_path(data_dir, sha)
        target = folder / sha[:2] / sha[2:]
        if not source.is_file():
            missing.append(sha)
            continue
        make_private_dir(target.parent)
        try:
            os.link(source, target)  # stored files never change: a link is a copy that costs nothing
        except FileExistsError:
            continue
        except OSError:
            shutil.copyfile(source, target)
            make_private_file(target)
    return missing


def _restore_attachments(data_dir: Path, source: Path, database: Path) -> tuple[int, list[str]]:
    """Bring back the attachment files ``database`` refers to that the store lacks, from the
    folder next to ``source``; return how many came back and which are still missing."""
    from xuhui_desk.services.attachments import blob_path, install_verified

    restored, missing = 0, []
    folder = attachments_folder(source)
    for sha in _referenced_hashes(database):
        if blob_path(data_dir, sha).is_file():
            continue
        candidate = folder / sha[:2] / sha[2:]
        if candidate.is_file() and install_verified(data_dir, candidate, sha):
            restored += 1
        else:
            missing.append(sha)
    return restored, missing


def backup_if_due(data_dir: Path, every: timedelta = timedelta(hours=20)) -> Path | None:
    """The periodic backup: a copy when the newest backup is older than ``every`` (or none exists).

    The GUI calls this in the background after start; returns the new file or None.
    """
    if not database_path(data_dir).exists():
        return None
    folder = backup_dir(data_dir)
    newest = max((p.stat().st_mtime for p in folder.glob("xuhui_desk-*.db")), default=None) if folder.is_dir() else None
    if newest is not None and time.time() - newest < every.total_seconds():
        return None
    return make_backup(data_dir, label="auto")


def thin_backups(data_dir: Path, keep: int = KEEP_BACKUPS) -> list[Path]:
    """Keep the newest ``keep`` backups, a few pre-upgrade and pre-restore copies; return the removed files."""
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []

    def newest_first(pattern: str, *, exclude: str | None = None) -> list[Path]:
        found = [p for p in folder.glob(pattern) if exclude is None or not p.name.startswith(exclude)]
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

    # Copies taken before schema upgrades and restores are rarer and kept apart, a few of each.
    removed = (newest_first("xuhui_desk-*.db", exclude=RESTORE_COPY_STEM)[keep:]
               + newest_first(f"{RESTORE_COPY_STEM}-*.db")[KEEP_RESTORE_COPIES:]
               + newest_first("before-upgrade-*.db")[KEEP_UPGRADE_BACKUPS:])
    import shutil

    for path in removed:
        path.unlink(missing_ok=True)
        shutil.rmtree(attachments_folder(path), ignore_errors=True)
    return removed


# --- checking a file offered for restore -------------------------------------------------------


def _check_offered_file(path: Path) -> None:
    """A regular, non-empty file: say what it is otherwise (a folder, a device, missing)."""
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise DatabaseError(f"{path} does not exist") from exc
    except OSError as exc:
        raise DatabaseError(f"{path} cannot be read: {exc.strerror}") from exc
    if stat.S_ISDIR(st.st_mode):
        raise DatabaseError(f"{path} is a folder; give the backup file inside it (xuhui_desk-….db)")
    if not stat.S_ISREG(st.st_mode):
        raise DatabaseError(f"{path} is not a regular file (a device, pipe or socket); give a backup file")
    if st.st_size == 0:
        raise DatabaseCorrupt(f"{path} is empty")
    if not os.access(path, os.R_OK):
        raise DatabaseError(f"{path} cannot be read: permission denied")
    check_sqlite_file(path)


def verify_backup(path: Path) -> str:
    """Check a file before it may replace the live database; return its schema revision.

    Refuses (with the reason): a file that is not SQLite, fails ``PRAGMA integrity_check`` or
    FTS5's own check, lacks the workstation's tables, carries a schema newer than this program,
    has a schema that differs in any table, column, index, trigger or view from what the
    migrations make at its revision, or holds settings the program would not accept.
    """
    path = Path(path)
    _check_offered_file(path)
    try:
        con = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            result = con.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseCorrupt(f"{path} is damaged: {exc}") from exc
    if result != "ok":
        raise DatabaseCorrupt(f"{path} fails the integrity check: {result}")
    missing = _REQUIRED_TABLES - tables
    if missing:
        raise DatabaseError(f"{path} is not a workstation backup (missing {', '.join(sorted(missing))})")
    if revision not in known_revisions():
        raise DatabaseTooNew(f"{path} has schema {revision}, newer than this program ({known_revisions()[-1]})")
    _check_schema(path, revision)
    _check_search_indexes(path, tables)
    _check_contents(path)
    return revision


def _check_search_indexes(path: Path, tables: set[str]) -> None:
    """Run FTS5's own integrity check on a scratch copy (the check needs a writable file)."""
    indexes = [t for t in ("request_fts", "request_bigram") if t in tables]
    if not indexes:
        return
    with tempfile.TemporaryDirectory(prefix="xuhui-verify-") as tmp:
        copy = backup_file(path, Path(tmp) / "copy.db", read_only=True)
        con = sqlite3.connect(copy)
        try:
            for table in indexes:
                con.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            raise DatabaseCorrupt(f"{path}: its search index is damaged ({exc})") from exc
        finally:
            con.close()


def _normalised_sql(sql: str | None) -> str:
    # SQLite keeps a statement's text as typed, and re-quotes names when a table is renamed.
    return re.sub(r"\s+", " ", (sql or "").replace('"', "").replace("`", "")).strip().lower()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def schema_signature(con: sqlite3.Connection) -> dict[str, Any]:
    """Every schema object of an SQLite database, as comparable values.

    Tables by their columns and foreign keys (not their ``CREATE`` text, which SQLAlchemy may
    render differently from one version to the next); indexes by their columns, uniqueness and
    origin; triggers, views and virtual tables by their normalised SQL (written literally by
    the migrations). ANALYZE's statistics tables are not schema.
    """
    objects: dict[str, Any] = {}
    rows = con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    for kind, name, table, sql in rows:
        if name.startswith("sqlite_stat"):
            continue
        if kind == "table":
            virtual = (sql or "").lstrip().upper().startswith("CREATE VIRTUAL")
            columns = [tuple(r[1:]) for r in con.execute(f"PRAGMA table_xinfo({_quoted(name)})")]
            keys = sorted(tuple(r[2:]) for r in con.execute(f"PRAGMA foreign_key_list({_quoted(name)})"))
            objects[f"table {name}"] = (columns, keys, _normalised_sql(sql) if virtual else None)
        elif kind == "index":
            listed = {r[1]: tuple(r[2:]) for r in con.execute(f"PRAGMA index_list({_quoted(table)})")}
            columns = [tuple(r) for r in con.execute(f"PRAGMA index_xinfo({_quoted(name)})")]
            objects[f"index {name}"] = (table, listed.get(name), columns)
        else:
            objects[f"{kind} {name}"] = (table, _normalised_sql(sql))
    return objects


@cache
def reference_schema(revision: str) -> dict[str, Any]:
    """The schema the shipped migrations make at ``revision``: migrated into a scratch database
    once per revision and process (Alembic is imported only here)."""
    with tempfile.TemporaryDirectory(prefix="xuhui-reference-") as tmp:
        path = Path(tmp) / "reference.db"
        engine = make_engine(path)
        try:
            upgrade_to(engine, revision)
        finally:
            engine.dispose()
        con = sqlite3.connect(path)
        try:
            return schema_signature(con)
        finally:
            con.close()


def _check_schema(path: Path, revision: str) -> None:
    expected = reference_schema(revision)
    try:
        con = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            found = schema_signature(con)
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:  # e.g. a virtual table of a module this SQLite lacks
        raise DatabaseError(f"{path} is not a database of this program: its schema cannot be read ({exc})") from exc
    extra = sorted(set(found) - set(expected))
    missing = sorted(set(expected) - set(found))
    changed = sorted(k for k in set(found) & set(expected) if found[k] != expected[k])
    if extra or missing or changed:
        parts = ([f"unexpected {', '.join(extra)}"] if extra else []) + \
                ([f"missing {', '.join(missing)}"] if missing else []) + \
                ([f"different {', '.join(changed)}"] if changed else [])
        raise DatabaseError(f"{path} was not made by this program or has been altered: its schema is not the one "
                            f"of revision {revision} ({'; '.join(parts)}). It was not restored.")


def _check_contents(path: Path) -> None:
    """The station row and the settings: what the program itself would accept."""
    from xuhui_desk.services.station import STATION_CODE, UnknownSetting, validate_setting

    con = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        stations = con.execute("SELECT code, name FROM station").fetchall()
        settings = con.execute("SELECT key, value FROM settings").fetchall()
    finally:
        con.close()
    if len(stations) > 1:
        raise DatabaseError(f"{path} holds {len(stations)} stations; a workstation database has one. "
                            "It was not restored.")
    for code, name in stations:
        if not isinstance(code, str) or not STATION_CODE.match(code) or not isinstance(name, str) or not name.strip():
            raise DatabaseError(f"{path}: its station code {code!r} is not valid. It was not restored.")
    for key, value in settings:
        if not isinstance(value, str):
            raise DatabaseError(f"{path}: the setting {key!r} is not text. It was not restored.")
        try:
            # The hub address must be a usable URL; whether plain http may be used is sync's rule
            # at the time it connects (a backup from before that rule still restores).
            validate_setting(key, value, allow_insecure_hub=True)
        except UnknownSetting:
            continue  # a setting of a newer or older version: never read by this one
        except ValueError as exc:
            raise DatabaseError(f"{path}: the setting {key} = {value[:200]!r} is not acceptable ({exc}). "
                                "It was not restored.") from exc


@dataclass(frozen=True)
class BackupDescription:
    """What a backup holds, for the person about to restore it to check it is the right one."""

    path: Path
    revision: str
    station_code: str | None
    station_name: str | None
    requests: int
    newest_request_at: datetime | None
    hub_url: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "revision": self.revision, "station_code": self.station_code,
                "station_name": self.station_name, "requests": self.requests,
                "newest_request_at": self.newest_request_at.isoformat() if self.newest_request_at else None,
                "hub_url": self.hub_url, "size": self.size}

    def summary(self) -> str:
        station = f"{self.station_code} {self.station_name}" if self.station_code else "no station set up"
        newest = self.newest_request_at.strftime("%Y-%m-%d %H:%M UTC") if self.newest_request_at else "none"
        return (f"station {station}; {self.requests} request(s), newest {newest}; "
                f"hub {self.hub_url or '(not set)'}")


def describe_backup(path: Path) -> BackupDescription:
    """Check ``path`` as :func:`verify_backup` does (raising its refusal), then say what it holds:
    the station's code and name, the number of requests, the newest request's time and the hub URL.

    Reads the file only; the GUI's restore dialog and ``xuhui-desk restore`` show this.
    """
    path = Path(path)
    return _describe(path, verify_backup(path), shown=path)


def _describe(path: Path, revision: str, *, shown: Path) -> BackupDescription:
    con = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        station = con.execute("SELECT code, name FROM station LIMIT 1").fetchone()
        count, newest = con.execute("SELECT count(*), max(created_at) FROM requests").fetchone()
        hub = con.execute("SELECT value FROM settings WHERE key = 'hub_url'").fetchone()
    finally:
        con.close()
    newest_at = None
    if newest:
        try:
            newest_at = datetime.fromisoformat(str(newest)).replace(tzinfo=UTC)  # stored as naive UTC
        except ValueError:
            newest_at = None
    return BackupDescription(shown, revision, station[0] if station else None, station[1] if station else None,
                             int(count), newest_at, hub[0] if hub else "", path.stat().st_size)


# --- restoring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    """What :func:`restore` did: what was installed and where the replaced database is kept."""

    restored: BackupDescription
    kept: Path | None
    #: Attachment files brought back from the backup's folder into the store.
    attachments_restored: int = 0
    #: SHA-256 of attached files neither the store nor the backup has.
    attachments_missing: tuple[str, ...] = ()


def restore(data_dir: Path, source: Path) -> RestoreResult:
    """Replace the live database with a checked copy of ``source``; the replaced one is kept.

    ``source`` is checked first (:func:`verify_backup`). Refused with :class:`DatabaseInUse`
    while any other program has the database open (nothing is changed then); the lock is taken
    at once, never waited for. Under the lock: ``source``
    is copied into the data folder and the copy checked (:func:`verify_backup`) — so what is
    checked is exactly what is installed —, the live database (with its write-ahead log) is
    copied to a new ``backups/xuhui_desk-before-restore-<time>.db``, the checked copy is
    renamed over it, and an older schema is migrated. A refusal at any step leaves the live
    database as it was.
    """
    source = Path(source)
    verify_backup(source)  # a file that would be refused is refused before anything is locked or copied
    live = database_path(data_dir)
    try:
        live.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise explain_os_error(exc, live.parent) from exc
    with DatabaseLock(live).acquire_exclusive() as lock:
        staging = unique_backup_file(live.parent, ".restoring")
        try:
            backup_file(source, staging, read_only=True)
            try:
                revision = verify_backup(staging)
            except DatabaseError as exc:  # the message names the file the user gave, not the copy
                raise type(exc)(str(exc).replace(str(staging), str(source))) from exc
            description = _describe(staging, revision, shown=source)
            kept = None
            if live.exists() and live.stat().st_size:
                # Closing this last connection also checkpoints and removes the write-ahead log.
                kept = backup_file(live, unique_backup_file(backup_dir(data_dir), RESTORE_COPY_STEM))
                copy_attachments(data_dir, kept)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{live}{suffix}").unlink(missing_ok=True)
            os.replace(staging, live)
        finally:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{staging}{suffix}").unlink(missing_ok=True)
        open_database(live, lock=lock).close()  # an older backup is migrated now, under the same lock
        restored, missing = _restore_attachments(data_dir, source, live)
    thin_backups(data_dir)
    return RestoreResult(description, kept, restored, tuple(missing))


def restore_backup(data_dir: Path, source: Path) -> Path | None:
    """:func:`restore`, returning only where the replaced database was kept (None: there was none)."""
    return restore(data_dir, source).kept

