from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from xuhui_desk.config import backup_dir, database_path
from xuhui_desk.db import (
    DatabaseCorrupt,
    DatabaseError,
    DatabaseTooNew,
    head_revision,
    known_revisions,
    open_database,
)


def test_new_database_is_wal_with_foreign_keys(data_dir: Path) -> None:
    db = open_database(database_path(data_dir))
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    db.close()
    con = sqlite3.connect(database_path(data_dir))
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()


def test_head_matches_alembic() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from xuhui_desk.resources import migrations_dir

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    script = ScriptDirectory.from_config(cfg)
    assert script.get_current_head() == head_revision()
    chain = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert chain == list(known_revisions())


def test_models_match_migrated_schema(data_dir: Path) -> None:
    from sqlalchemy import inspect

    from xuhui_desk.models import Base

    db = open_database(database_path(data_dir))
    insp = inspect(db.engine)
    for table in Base.metadata.sorted_tables:
        columns = {c["name"] for c in insp.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
    db.close()


def _set_revision(path: Path, revision: str) -> None:
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    con.commit()
    con.close()


def test_too_new_database_is_refused_and_left_untouched(data_dir: Path) -> None:
    path = database_path(data_dir)
    open_database(path).close()
    _set_revision(path, "9999")
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNew, match="newer version"):
        open_database(path)
    assert path.read_bytes() == before
    assert not backup_dir(data_dir).exists()


def test_garbage_file_is_refused(data_dir: Path) -> None:
    path = database_path(data_dir)
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseCorrupt, match="left untouched"):
        open_database(path)
    assert path.read_bytes() == b"this is not a database" * 100


def test_truncated_database_is_refused(data_dir: Path) -> None:
    path = database_path(data_dir)
    open_database(path).close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3 + 7])
    with pytest.raises(DatabaseError):
        db = open_database(path)
        with db.session() as s:  # pragma: no cover - reached only if the header check passes
            s.execute(__import__("sqlalchemy").text("SELECT count(*) FROM requests")).scalar()


def test_foreign_sqlite_file_is_refused(data_dir: Path) -> None:
    path = database_path(data_dir)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE other(x)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="not a database of this program"):
        open_database(path)


def test_upgrade_from_first_migration_keeps_data_and_backs_up(data_dir: Path) -> None:
    """A database created by migration 0001, with data, is upgraded to head on open."""
    from alembic import command
    from alembic.config import Config

    from xuhui_desk.db import make_engine
    from xuhui_desk.resources import migrations_dir

    path = database_path(data_dir)
    engine = make_engine(path)
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO station(code, name, address, created_at) VALUES ('XH03', '徐家汇服务站', '', "
                "'2026-01-05 01:00:00')")
    con.execute("INSERT INTO enterprises(uuid, name, name_key, uscc, first_seen_at, updated_at) VALUES "
                "('e1', '上海示例科技有限公司', '上海示例科技有限公司', '9131010452601815X3', "
                "'2026-01-05 01:00:00', '2026-01-05 01:00:00')")
    con.execute("INSERT INTO requests(uuid, tracking_no, enterprise_id, channel, category, description, urgency,"
                " status, created_at, updated_at) VALUES ('r1', 'XH03-20260105-001', 1, 'walk_in', 'finance',"
                " '想了解知识产权质押融资', 'normal', 'new', '2026-01-05 01:00:00', '2026-01-05 01:00:00')")
    con.commit()
    con.close()

    db = open_database(path)
    from sqlalchemy import text

    with db.session() as s:
        assert s.execute(text("SELECT tracking_no FROM requests")).scalar() == "XH03-20260105-001"
        # Migration 0002 back-filled the full-text index from the existing rows.
        hits = s.execute(text("SELECT rowid FROM request_fts WHERE request_fts MATCH '质押融资'")).all()
        assert [h[0] for h in hits] == [1]
        assert s.execute(text("SELECT synced_revision FROM requests")).scalar() is None
    db.close()
    backups = list(backup_dir(data_dir).glob("before-upgrade-0001-*.db"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    con.close()


def test_open_at_head_does_not_import_alembic(data_dir: Path) -> None:
    import subprocess
    import sys

    open_database(database_path(data_dir)).close()
    code = (
        "import sys; from pathlib import Path; from xuhui_desk.db import open_database;"
        f"open_database(Path({str(database_path(data_dir))!r})).close();"
        "print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_programs_opening_an_old_database_at_once_upgrade_it_once(data_dir: Path) -> None:
    """After a program update the GUI and commands may open the old file together: each process
    must come up on the upgraded file (the second would otherwise repeat the first's ALTER TABLE
    and fail on a duplicate column), and the file is backed up once."""
    import subprocess
    import sys

    from xuhui_desk.db import known_revisions, make_engine, stored_revision, upgrade_to

    path = database_path(data_dir)
    engine = make_engine(path)
    old = known_revisions()[-2]
    upgrade_to(engine, old)
    engine.dispose()
    script = ("import sys, time; from pathlib import Path; from xuhui_desk.db import open_database;"
              "time.sleep(max(0.0, float(sys.argv[2]) - time.time()));"
              "db = open_database(Path(sys.argv[1])); db.close(); print('ok')")
    import time

    start = time.time() + 3.0  # every process is importing and waiting when the moment comes
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path), str(start)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err[-800:] for _, err in results]
    assert stored_revision(path) == known_revisions()[-1]
    assert len(list(backup_dir(data_dir).glob(f"before-upgrade-{old}-*.db"))) == 1
