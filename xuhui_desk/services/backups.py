"""Backups of the workstation database: consistent copies, checked restores, thinning."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from xuhui_desk.config import backup_dir, database_path
from xuhui_desk.db import (
    DatabaseCorrupt,
    DatabaseError,
    DatabaseTooNew,
    backup_file,
    check_sqlite_file,
    known_revisions,
    timestamp,
)

KEEP_BACKUPS = 30
KEEP_UPGRADE_BACKUPS = 5
_REQUIRED_TABLES = {"station", "enterprises", "requests", "request_events", "alembic_version"}


def make_backup(data_dir: Path, label: str = "manual") -> Path:
    """Write a consistent copy of the live database (SQLite online backup) and thin old ones."""
    source = database_path(data_dir)
    if not source.exists():
        raise DatabaseError(f"there is no database in {data_dir} to back up")
    dest = backup_dir(data_dir) / f"xuhui_desk-{label}-{timestamp()}.db"
    backup_file(source, dest)
    thin_backups(data_dir)
    return dest


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
    """Keep the newest ``keep`` manual backups and a few pre-upgrade ones; return the removed files."""
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    def newest_first(pattern: str) -> list[Path]:
        return sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)

    # Copies taken before schema upgrades are rarer and kept apart, a few of them.
    removed = newest_first("xuhui_desk-*.db")[keep:] + newest_first("before-upgrade-*.db")[KEEP_UPGRADE_BACKUPS:]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def verify_backup(path: Path) -> str:
    """Check a file before it may replace the live database; return its schema revision.

    Refuses: a file that is not SQLite, fails ``PRAGMA integrity_check``, lacks the
    workstation's tables, or carries a schema newer than this program.
    """
    if not path.is_file():
        raise DatabaseError(f"{path} does not exist")
    check_sqlite_file(path)
    if path.stat().st_size == 0:
        raise DatabaseCorrupt(f"{path} is empty")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
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
    _check_search_indexes(path, tables)
    missing = _REQUIRED_TABLES - tables
    if missing:
        raise DatabaseError(f"{path} is not a workstation backup (missing {', '.join(sorted(missing))})")
    if revision not in known_revisions():
        raise DatabaseTooNew(f"{path} has schema {revision}, newer than this program ({known_revisions()[-1]})")
    return revision


def _check_search_indexes(path: Path, tables: set[str]) -> None:
    """Run FTS5's own integrity check on a scratch copy (the check needs a writable file)."""
    indexes = [t for t in ("request_fts", "request_bigram") if t in tables]
    if not indexes:
        return
    with tempfile.TemporaryDirectory(prefix="xuhui-verify-") as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copyfile(path, copy)
        con = sqlite3.connect(copy)
        try:
            for table in indexes:
                con.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            raise DatabaseCorrupt(f"{path}: its search index is damaged ({exc})") from exc
        finally:
            con.close()


def restore_backup(data_dir: Path, source: Path) -> Path | None:
    """Replace the live database with a checked backup; the replaced one is kept as a backup.

    Returns the path where the replaced database was kept (None when there was none).
    The program must not hold the database open while this runs.
    """
    verify_backup(source)
    live = database_path(data_dir)
    kept = None
    if live.exists():
        kept = backup_file(live, backup_dir(data_dir) / f"xuhui_desk-before-restore-{timestamp()}.db")
    live.parent.mkdir(parents=True, exist_ok=True)
    staging = live.with_suffix(".restoring")
    shutil.copyfile(source, staging)
    for suffix in ("-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    staging.replace(live)
    return kept
