"""What start-up reads before SQLAlchemy is imported and the window shows: whether the database is at
the head revision, and the station the window's title and navigation show (plain sqlite3).

Core, no Qt: the GUI's bootstrap (``ui/app.py``) and the main window both read it, without
importing each other.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from xuhui_desk.config import DEFAULT_LANGUAGE, SETTING_DEFAULTS, normalize_language
from xuhui_desk.db import check_sqlite_file, head_revision, stored_revision


def database_at_head(path: Path) -> bool:
    """The file is an existing database of this program at its head revision (plain sqlite3, no
    SQLAlchemy); raises :class:`DatabaseError` for a file that must not be opened at all."""
    check_sqlite_file(path)
    return stored_revision(path) == head_revision()


@dataclass(frozen=True)
class StationInfo:
    """What the main window shows before the database is open: the station and the settings it needs."""

    initialised: bool
    name: str = ""
    code: str = ""
    specialist: str = ""
    language: str = DEFAULT_LANGUAGE


def read_station_file(path: Path) -> StationInfo:
    """The station and its language and specialist, read with plain sqlite3 (no SQLAlchemy):
    the same rows ``get_station`` and ``get_setting`` read, with the same defaults."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        station = con.execute("SELECT name, code FROM station LIMIT 1").fetchone()
        stored = dict(con.execute("SELECT key, value FROM settings WHERE key IN ('language', 'specialist')"))
    finally:
        con.close()
    settings = {key: stored.get(key, SETTING_DEFAULTS[key]) for key in ("language", "specialist")}
    return StationInfo(
        initialised=station is not None,
        name=station[0] if station else "",
        code=station[1] if station else "",
        specialist=settings["specialist"],
        language=normalize_language(settings["language"]),
    )
