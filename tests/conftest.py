"""Test isolation: every test gets its own data folder; nothing touches the user's profile."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the database module is imported inside the fixtures (start-up tests time imports)
    from xuhui_desk.db import SqliteDatabase

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUHUI_DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def db(data_dir: Path) -> Iterator[SqliteDatabase]:
    from xuhui_desk.config import database_path
    from xuhui_desk.db import open_database

    database = open_database(database_path(data_dir))
    yield database
    database.close()


@pytest.fixture
def station_db(db: SqliteDatabase) -> SqliteDatabase:
    """A database with the station set up."""
    from xuhui_desk.services.station import init_station

    init_station(db, "XH03", "徐家汇服务站", "徐汇区漕溪北路1号", specialist="李敏")
    return db
