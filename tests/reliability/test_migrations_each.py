"""Every shipped migration, one step at a time, on a database that holds data.

The migrations are discovered (Alembic's reading of migrations/versions), not listed here, so
a new migration is tested the day it is added. For each one a database is built at the
previous revision, filled with representative rows through raw SQL fitted to *that* schema
(every data table, foreign keys honoured), upgraded one step exactly as the program does it
(its engine: WAL, foreign_keys=ON), and then:

* every table, row count and value that existed before is still there;
* every full-text index present afterwards is back-filled: each request is found by a term
  of its own (a trigram term in ``request_fts``, a two-character term in ``request_bigram``)
  and FTS5's own integrity check (against the content, for external-content indexes) passes;
* the new structures keep working: more rows inserted and an enterprise renamed after the
  upgrade leave the indexes in agreement with the requests table.

A migration that drops or rewrites data on purpose must say so here, next to its revision.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.reliability.support import (
    data_tables,
    fill_schema,
    fts_tables,
    health_problems,
    marker_pair,
    preserved,
    revision_chain,
    snapshot,
    upgrade,
)

CHAIN = revision_chain()


def _revision(con: sqlite3.Connection) -> str | None:
    row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def _search_problems(con: sqlite3.Connection) -> list[str]:
    """Each request must be found by its own marker in every full-text index the schema has."""
    problems = []
    requests = con.execute("SELECT id, description FROM requests ORDER BY id").fetchall()
    for table in fts_tables(con):
        sql = con.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        trigram = "trigram" in sql
        for _id, description in requests:
            m = re.search(r"MIG\d{4}X", description)
            if m is None:
                continue
            n = int(m.group(0)[3:7])
            term = m.group(0) if trigram else marker_pair(n)
            expected = [rid for rid, d in requests if term in d]
            found = [r[0] for r in con.execute(f'SELECT rowid FROM "{table}" WHERE "{table}" MATCH ? ORDER BY rowid',
                                               (f'"{term}"',))]
            if found != expected:
                problems.append(f"{table}: {term!r} finds {found}, expected {expected}")
    return problems


def _build_at(path: Path, revision: str | None) -> dict[str, tuple[list[str], list[tuple[object, ...]]]]:
    """A database at ``revision`` (None: an empty file) with representative rows; its snapshot."""
    if revision is None:
        return {}
    upgrade(path, revision)
    con = sqlite3.connect(path)
    try:
        filled = fill_schema(con)
        assert set(filled) == set(data_tables(con)) - {"search_positions"}, filled
        return snapshot(con)
    finally:
        con.close()


@pytest.mark.parametrize(("revision", "previous"), CHAIN, ids=[f"{r}-from-{p or 'empty'}" for r, p in CHAIN])
def test_one_migration_step_keeps_and_indexes_the_data(tmp_path: Path, revision: str, previous: str | None) -> None:
    path = tmp_path / "step.db"
    before = _build_at(path, previous)

    upgrade(path, revision)

    con = sqlite3.connect(path)
    try:
        assert _revision(con) == revision
        assert preserved(before, con) == []
        if "requests" in data_tables(con):
            assert _search_problems(con) == []
    finally:
        con.close()
    assert health_problems(path, app_rules=False) == []

    # The structures the step made keep working on data written after it.
    con = sqlite3.connect(path)
    try:
        fill_schema(con, rows=2, start=50, only_empty=False)
        if "enterprises" in data_tables(con):
            con.execute("UPDATE enterprises SET name = name || '（更名）', uscc = NULL WHERE id = 1")
            con.commit()
        if "requests" in data_tables(con):
            con.execute("UPDATE requests SET description = description || ' 补充说明' WHERE id = 2")
            # Rows of every table that refers to request 3 go first (raw sqlite3: no cascades).
            for table in data_tables(con):
                for fk in con.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
                    if fk[2] == "requests":
                        con.execute(f'DELETE FROM "{table}" WHERE "{fk[3]}" = 3')
            con.execute("DELETE FROM requests WHERE id = 3")
            con.commit()
            assert _search_problems(con) == []
    finally:
        con.close()
    assert health_problems(path, app_rules=False) == []


@pytest.mark.parametrize("previous", [r for r, _ in CHAIN[:-1]])
def test_opening_an_older_database_upgrades_it_to_head_with_its_data(data_dir: Path, previous: str) -> None:
    """The program's own path (``open_database``) from every older revision: backup first, then all steps."""
    from xuhui_desk.config import backup_dir, database_path
    from xuhui_desk.db import head_revision, open_database

    path = database_path(data_dir)
    before = _build_at(path, previous)

    open_database(path).close()

    con = sqlite3.connect(path)
    try:
        assert _revision(con) == head_revision()
        assert preserved(before, con) == []
        assert _search_problems(con) == []
    finally:
        con.close()
    assert health_problems(path, app_rules=False) == []
    backups = list(backup_dir(data_dir).glob(f"before-upgrade-{previous}-*.db"))
    assert len(backups) == 1, backups
    con = sqlite3.connect(backups[0])
    try:
        assert _revision(con) == previous
        assert preserved(before, con) == []
    finally:
        con.close()
