from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from xuhui_desk.config import backup_dir, database_path
from xuhui_desk.db import DatabaseCorrupt, DatabaseError, DatabaseTooNew, known_revisions, open_database
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


# --- audit M3: unique names, nothing overwritten ----------------------------------------------------


def _station_code(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT code FROM station").fetchone()[0]
    finally:
        con.close()


def _other_station_backup(tmp_path: Path, code: str) -> Path:
    from xuhui_desk.services.station import init_station

    folder = tmp_path / f"other-{code}"
    db = open_database(database_path(folder))
    init_station(db, code, f"{code}服务站")
    db.close()
    return make_backup(folder)


def test_two_restores_in_the_same_second_keep_both_safety_copies(station_db: object, data_dir: Path,
                                                                 tmp_path: Path) -> None:
    """Audit M3: the second restore's safety copy overwrote the first, and XH03's database was gone."""
    _save(station_db, "只在原数据库里的诉求")
    station_db.close()  # type: ignore[attr-defined]
    wrong1, wrong2 = _other_station_backup(tmp_path, "XH05"), _other_station_backup(tmp_path, "XH06")
    first = restore_backup(data_dir, wrong1)
    second = restore_backup(data_dir, wrong2)
    assert first is not None and second is not None and first != second
    assert first.exists() and second.exists()
    assert (_station_code(first), _station_code(second)) == ("XH03", "XH05")
    assert _station_code(database_path(data_dir)) == "XH06"


def test_backup_names_are_unique_even_with_one_timestamp(station_db: object, data_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import xuhui_desk.db as db_module

    monkeypatch.setattr(db_module, "timestamp", lambda: "20261206T032213.000000Z")
    paths = [make_backup(data_dir) for _ in range(3)]
    assert len(set(paths)) == 3
    assert [p.name for p in paths] == ["xuhui_desk-manual-20261206T032213.000000Z.db",
                                       "xuhui_desk-manual-20261206T032213.000000Z-2.db",
                                       "xuhui_desk-manual-20261206T032213.000000Z-3.db"]
    assert all(sqlite3.connect(p).execute("SELECT count(*) FROM station").fetchone()[0] == 1 for p in paths)


def test_restore_copies_are_thinned_apart_from_backups(station_db: object, data_dir: Path, tmp_path: Path) -> None:
    station_db.close()  # type: ignore[attr-defined]
    kept = restore_backup(data_dir, _other_station_backup(tmp_path, "XH05"))
    assert kept is not None
    for _ in range(4):
        make_backup(data_dir)
    thin_backups(data_dir, keep=2)
    assert kept.exists(), "ordinary backups pushed out the copy kept before a restore"


# --- audit M4: what a restore accepts ------------------------------------------------------------


def _tampered(tmp_path: Path, data_dir: Path, name: str, *sql: str) -> Path:
    path = tmp_path / f"{name}.db"
    path.write_bytes(make_backup(data_dir).read_bytes())
    con = sqlite3.connect(path)
    for statement in sql:
        con.execute(statement)
    con.commit()
    con.close()
    return path


TAMPERING = {
    "extra trigger": ("CREATE TRIGGER trojan AFTER INSERT ON requests BEGIN "
                      "SELECT RAISE(ABORT, 'constraint failed'); END", "trigger trojan"),
    "extra view": ("CREATE VIEW leak AS SELECT * FROM settings", "view leak"),
    "extra table": ("CREATE TABLE exfil(x)", "table exfil"),
    "extra index": ("CREATE INDEX ix_sneaky ON requests(description)", "index ix_sneaky"),
    "extra column": ("ALTER TABLE requests ADD COLUMN payload TEXT", "table requests"),
    "dropped trigger": ("DROP TRIGGER request_fts_ai", "trigger request_fts_ai"),
}


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_a_backup_whose_schema_was_altered_is_refused(station_db: object, data_dir: Path, tmp_path: Path,
                                                      kind: str) -> None:
    """Audit M4: an extra trigger (or any other change of the schema) was restored without a word."""
    statement, named = TAMPERING[kind]
    _save(station_db, "现有诉求内容")
    tampered = _tampered(tmp_path, data_dir, kind.replace(" ", "_"), statement)
    station_db.close()  # type: ignore[attr-defined]
    live_before = database_path(data_dir).read_bytes()
    with pytest.raises(DatabaseError, match="altered") as refused:
        restore_backup(data_dir, tampered)
    assert named in str(refused.value)
    assert database_path(data_dir).read_bytes() == live_before
    assert list(backup_dir(data_dir).glob("xuhui_desk-before-restore-*")) == []


def test_a_backup_with_the_right_tables_but_wrong_columns_is_refused(station_db: object, data_dir: Path,
                                                                     tmp_path: Path) -> None:
    """Audit M4 (fake.db): right table names and revision, wrong columns; every command failed after it."""
    fake = tmp_path / "fake.db"
    con = sqlite3.connect(fake)
    for table in ("station", "enterprises", "requests", "request_events"):
        con.execute(f"CREATE TABLE {table}(x)")
    con.execute("CREATE TABLE alembic_version(version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    con.execute("INSERT INTO alembic_version VALUES (?)", (known_revisions()[-1],))
    con.commit()
    con.close()
    station_db.close()  # type: ignore[attr-defined]
    with pytest.raises(DatabaseError, match="not the one of revision"):
        restore_backup(data_dir, fake)


@pytest.mark.parametrize(("key", "value"), [("hub_url", "javascript:alert(1)"), ("hub_url", "not a url"),
                                            ("language", "xx"), ("tracking_url_template", "ftp://x/{tracking_no}")])
def test_a_backup_with_unacceptable_settings_is_refused(station_db: object, data_dir: Path, tmp_path: Path,
                                                        key: str, value: str) -> None:
    bad = _tampered(tmp_path, data_dir, "settings",
                    f"INSERT OR REPLACE INTO settings(key, value) VALUES ('{key}', '{value}')")
    station_db.close()  # type: ignore[attr-defined]
    with pytest.raises(DatabaseError, match=f"the setting {key}"):
        restore_backup(data_dir, bad)


def test_a_backup_at_an_older_revision_is_checked_against_that_revision_and_migrated(data_dir: Path,
                                                                                     tmp_path: Path) -> None:
    from tests.reliability.support import upgrade

    old = tmp_path / "old.db"
    upgrade(old, "0004")
    con = sqlite3.connect(old)
    con.execute("INSERT INTO station(code, name, address, created_at) VALUES ('XH07', '旧站', '', '2026-01-01')")
    con.commit()
    con.close()
    kept = restore_backup(data_dir, old)
    assert kept is None
    db = open_database(database_path(data_dir))
    db.close()
    con = sqlite3.connect(database_path(data_dir))
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == known_revisions()[-1]
    con.close()


def test_describe_backup_says_what_the_file_holds(station_db: object, data_dir: Path) -> None:
    from xuhui_desk.services.backups import describe_backup
    from xuhui_desk.services.station import set_setting

    set_setting(station_db, "hub_url", "https://hub.example.cn")  # type: ignore[arg-type]
    _save(station_db, "第一条诉求内容")
    _save(station_db, "第二条诉求内容")
    about = describe_backup(make_backup(data_dir))
    assert (about.station_code, about.station_name, about.requests) == ("XH03", "徐家汇服务站", 2)
    assert about.hub_url == "https://hub.example.cn"
    assert about.newest_request_at is not None and about.newest_request_at.tzinfo is not None
    assert "XH03" in about.summary() and "2 request(s)" in about.summary()
    assert about.to_dict()["requests"] == 2


def test_restore_refuses_while_this_program_has_the_database_open(station_db: object, data_dir: Path) -> None:
    """The GUI must close its database before restoring: the same lock, the same refusal."""
    from xuhui_desk.db import DatabaseInUse

    backup = make_backup(data_dir)
    with pytest.raises(DatabaseInUse, match="in use by another program"):
        restore_backup(data_dir, backup)
    station_db.close()  # type: ignore[attr-defined]
    assert restore_backup(data_dir, backup) is not None


def test_restore_names_what_the_path_really_is(data_dir: Path, tmp_path: Path) -> None:
    """Audit L4: ``restore /dev/zero`` and ``restore <folder>`` said "does not exist"."""
    with pytest.raises(DatabaseError, match="is a folder"):
        restore_backup(data_dir, tmp_path)
    with pytest.raises(DatabaseError, match="not a regular file"):
        restore_backup(data_dir, Path("/dev/zero"))
    with pytest.raises(DatabaseError, match="does not exist"):
        restore_backup(data_dir, tmp_path / "nope.db")


def test_a_backup_with_a_plain_http_hub_still_restores_and_says_so(station_db: object, data_dir: Path,
                                                                   tmp_path: Path) -> None:
    """Whether http may be used is sync's rule when it connects; the restore shows the address."""
    from xuhui_desk.services.backups import describe_backup

    old = _tampered(tmp_path, data_dir, "http_hub",
                    "INSERT OR REPLACE INTO settings(key, value) VALUES ('hub_url', 'http://hub.example.cn')")
    station_db.close()  # type: ignore[attr-defined]
    assert describe_backup(old).hub_url == "http://hub.example.cn"
    assert restore_backup(data_dir, old) is not None
