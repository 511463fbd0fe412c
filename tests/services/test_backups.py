from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from xuhui_desk.config import backup_dir, database_path
from xuhui_desk.db import DatabaseCorrupt, DatabaseError, DatabaseTooNew, open_database
from xuhui_desk.models import Request
from xuhui_desk.services.backups import make_backup, restore_backup, thin_backups, verify_backup
from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request


def _save(db: object, text: str) -> str:
    return create_request(db, IntakeInput(EnterpriseInput(name="上海备份测试有限公司"), text,  # type: ignore[arg-type]
                                          category="other")).tracking_no


def test_backup_restore_round_trip(station_db: object, data_dir: Path) -> None:
    first = _save(station_db, "第一条诉求内容")
    backup = make_backup(data_dir)
    assert verify_backup(backup)
    _save(station_db, "备份之后的诉求")
    station_db.close()  # type: ignore[attr-defined]

    kept = restore_backup(data_dir, backup)
    assert kept is not None and kept.exists()
    db = open_database(database_path(data_dir))
    with db.session() as s:
        assert s.scalars(select(Request.tracking_no)).all() == [first]
    db.close()
    # The replaced database (with both requests) was kept.
    con = sqlite3.connect(kept)
    assert con.execute("SELECT count(*) FROM requests").fetchone()[0] == 2
    con.close()


def test_backup_is_consistent_while_writing(station_db: object, data_dir: Path) -> None:
    for i in range(20):
        _save(station_db, f"诉求内容 {i}")
    backup = make_backup(data_dir)
    con = sqlite3.connect(backup)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM requests").fetchone()[0] == 20
    con.close()


def test_corrupt_backup_is_refused_and_nothing_replaced(station_db: object, data_dir: Path, tmp_path: Path) -> None:
    _save(station_db, "现有诉求内容")
    station_db.close()  # type: ignore[attr-defined]
    live = database_path(data_dir)
    before = live.read_bytes()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(DatabaseCorrupt):
        restore_backup(data_dir, garbage)
    good = make_backup(data_dir)
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[:5000])
    with pytest.raises(DatabaseError):
        restore_backup(data_dir, truncated)
    assert live.read_bytes() == before


def test_foreign_and_too_new_backups_are_refused(station_db: object, data_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes(x)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="not a workstation backup"):
        verify_backup(other)
    newer = make_backup(data_dir)
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(DatabaseTooNew):
        restore_backup(data_dir, newer)


def test_thinning_keeps_the_newest(station_db: object, data_dir: Path) -> None:
    import os
    import time

    paths = []
    for i in range(5):
        p = make_backup(data_dir, label=f"t{i}")
        os.utime(p, (time.time() + i, time.time() + i))
        paths.append(p)
    removed = thin_backups(data_dir, keep=2)
    assert sorted(removed) == sorted(paths[:3])
    assert sorted(backup_dir(data_dir).glob("xuhui_desk-*.db")) == sorted(paths[3:])


def test_count_after_restore_of_older_schema(station_db: object, data_dir: Path) -> None:
    _save(station_db, "旧版本备份里的诉求")
    backup = make_backup(data_dir)
    station_db.close()  # type: ignore[attr-defined]
    restore_backup(data_dir, backup)
    db = open_database(database_path(data_dir))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Request)) == 1
    db.close()


def test_periodic_backup_only_when_due(station_db: object, data_dir: Path) -> None:
    import os

    from xuhui_desk.services.backups import backup_if_due

    first = backup_if_due(data_dir)
    assert first is not None and first.name.startswith("xuhui_desk-auto-")
    assert backup_if_due(data_dir) is None  # a fresh one exists
    old = first.stat().st_mtime - 24 * 3600
    os.utime(first, (old, old))
    assert backup_if_due(data_dir) is not None
