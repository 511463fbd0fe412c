"""What the reliability tests share: running the real command line, building databases at any
schema revision with representative data, and checking that a database is whole.

A database is *whole* when SQLite's own checks pass (``integrity_check``,
``foreign_key_check``), both full-text indexes agree with the requests they index
(row for row, field for field for ``request_fts``; FTS5's content check for the
external-content ``request_bigram``), every request has exactly one ``created`` event,
and no daily tracking sequence is behind a number already handed out.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid as uuid_module
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xuhui_desk.validation import USCC_CHARSET, org_code_check_char, uscc_check_char

# --- the command line ---------------------------------------------------------------------------


def desk(data_dir: Path, *args: str | bytes, stdin: bytes | None = None,
         timeout: float = 180) -> subprocess.CompletedProcess[bytes]:
    """``xuhui-desk --data-dir DATA_DIR ARGS`` as a real process (bytes in, bytes out)."""
    env = dict(os.environ, XUHUI_DESK_DATA_DIR=str(data_dir), PYTHONFAULTHANDLER="1")
    return subprocess.run([sys.executable, "-m", "xuhui_desk", "--data-dir", str(data_dir), *args],
                          input=stdin, capture_output=True, env=env, timeout=timeout)


def text_of(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def assert_clean_refusal(proc: subprocess.CompletedProcess[bytes], *hints: str) -> str:
    """The command failed the way a user can act on: non-zero exit, a message on stderr, no traceback.

    ``hints``: at least one of them (case-insensitive) must be in the message.
    """
    err = text_of(proc.stderr)
    assert proc.returncode != 0, f"the command succeeded (stdout: {text_of(proc.stdout)[:300]!r})"
    assert "Traceback" not in err, f"a Python traceback instead of a message:\n{err[-3000:]}"
    assert err.strip().startswith("xuhui-desk:"), f"no message on stderr: {err[-1000:]!r}"
    if hints:
        assert any(h.lower() in err.lower() for h in hints), f"the message says none of {hints}: {err!r}"
    return err


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- making data --------------------------------------------------------------------------------


def make_uscc(n: int) -> str:
    """A valid unified social credit code (both check characters right) numbered ``n``."""
    org = f"{(n * 7919) % 10**8:08d}"
    body = "91" + "310104" + org + org_code_check_char(org)
    return body + uscc_check_char(body)


assert all(c in USCC_CHARSET for c in make_uscc(1))

#: Pairs of characters used nowhere else in generated descriptions: one per row, so a
#: two-character (bigram) search finds exactly that row.
MARKER_PAIRS = ("甲乙", "丙丁", "戊己", "庚辛", "壬癸", "子丑", "寅卯", "辰巳", "午未", "申酉", "戌亥", "乾坤")


def marker_pair(n: int) -> str:
    return MARKER_PAIRS[n % len(MARKER_PAIRS)]


def migration_description(n: int) -> str:
    return f"想了解知识产权质押融资，{marker_pair(n)}项目，编号MIG{n:04d}X 🏢"


def new_station_db(data_dir: Path, code: str = "XH03") -> Path:
    """An initialised workstation database (at the head revision) in ``data_dir``; returns its path."""
    from xuhui_desk.config import database_path
    from xuhui_desk.db import open_database
    from xuhui_desk.services.station import init_station

    path = database_path(data_dir)
    db = open_database(path)
    try:
        init_station(db, code, "徐家汇可靠性测试站", "徐汇区漕溪北路1号", specialist="李敏")
    finally:
        db.close()
    return path


# --- schemas at any revision ----------------------------------------------------------------


def alembic_config() -> Any:
    from alembic.config import Config

    from xuhui_desk.resources import migrations_dir

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def revision_chain() -> list[tuple[str, str | None]]:
    """``(revision, previous revision)`` of every shipped migration, oldest first, from Alembic's
    own reading of migrations/versions (so a branch or a gap is noticed, not papered over)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    chain = []
    for rev in reversed(list(script.walk_revisions())):
        down = rev.down_revision
        assert not isinstance(down, tuple | list), f"migration {rev.revision} merges branches: {down}"
        chain.append((rev.revision, down))
    return chain


def upgrade(path: Path, target: str) -> None:
    """Migrate the database at ``path`` to ``target`` the way the program does (its engine and pragmas)."""
    from alembic import command

    from xuhui_desk.db import make_engine

    engine = make_engine(path)
    try:
        cfg = alembic_config()
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, target)
    finally:
        engine.dispose()


_FTS_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")


def fts_tables(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%' "
        "ORDER BY name")]


def data_tables(con: sqlite3.Connection) -> list[str]:
    """Ordinary tables holding the program's data (not SQLite's, not FTS5 internals, not Alembic's)."""
    virtual = set(fts_tables(con)) | {r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")}
    shadows = {v + s for v in virtual for s in _FTS_SHADOWS}
    return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            if not r[0].startswith("sqlite_") and r[0] not in virtual | shadows and r[0] != "alembic_version"]


def _columns(con: sqlite3.Connection, table: str) -> list[dict[str, Any]]:
    rows = con.execute(f'PRAGMA table_info("{table}")').fetchall()
    return [{"name": r[1], "type": (r[2] or "").upper(), "notnull": bool(r[3]), "default": r[4], "pk": r[5]}
            for r in rows]


def _parents(con: sqlite3.Connection, table: str) -> dict[str, tuple[str, str]]:
    """Column → (parent table, parent column) of the table's foreign keys."""
    return {r[3]: (r[2], r[4] or "id") for r in con.execute(f'PRAGMA foreign_key_list("{table}")')}


def _insert_order(con: sqlite3.Connection, tables: Sequence[str]) -> list[str]:
    """Parents before children (a table's own self-reference does not count)."""
    order: list[str] = []
    pending = list(tables)
    while pending:
        ready = [t for t in pending
                 if all(p == t or p in order or p not in pending for p, _ in _parents(con, t).values())]
        if not ready:  # a cycle: insert the rest as they come
            return order + pending
        order += ready
        pending = [t for t in pending if t not in ready]
    return order


_TEXT_VALUES: dict[str, Any] = {
    "status": "new", "category": "finance", "suggested_category": "finance", "subcategory": "bank_loan",
    "department": "finance_center", "channel": "walk_in", "urgency": "normal", "sync_state": "pending",
    "kind": "created", "origin": "station", "state": "synced", "chosen": "finance", "suggested": "policy",
    "station_code": "XH03", "specialist": "李敏", "actor": "李敏", "contact_name": "王先生",
    "phone": "13812345678", "park": "徐汇软件园", "building": "A座",
}


def _value(table: str, col: dict[str, Any], n: int, parent_ids: dict[str, list[Any]],
           parents: dict[str, tuple[str, str]]) -> Any:
    name, ctype = col["name"], col["type"]
    if name in parents:
        ids = parent_ids.get(parents[name][0]) or [None]
        return ids[n % len(ids)]
    if name == "uuid" or name.endswith("_uuid"):
        return str(uuid_module.uuid4())
    if name == "tracking_no":
        return f"XH03-20260105-{n:03d}"
    if name in ("name", "name_key"):
        return f"上海迁移测试{n}号科技有限公司" if table == "enterprises" else f"徐家汇服务站{n}"
    if name == "uscc":
        return make_uscc(n) if n % 3 else None
    if name == "code":
        return f"XH{n:02d}"
    if name in ("description", "text"):
        return migration_description(n)
    if name == "day":
        return f"202601{n:02d}"
    if name == "key":
        return f"key_{n}"
    if name == "value":
        return f"值{n}"
    if name == "data" or ctype == "JSON":
        return json.dumps({"category": "finance", "status": "new", "n": n}, ensure_ascii=False)
    if name in _TEXT_VALUES:
        return _TEXT_VALUES[name]
    if "DATE" in ctype or "TIME" in ctype:
        return f"2026-01-05 {n % 24:02d}:{n % 60:02d}:00.000000"
    if "INT" in ctype:
        return 1 if name in ("revision", "rating") else n
    return f"{name}-{n}"


def fill_schema(con: sqlite3.Connection, rows: int = 4, *, start: int = 1,
                only_empty: bool = True) -> dict[str, int]:
    """Insert ``rows`` representative rows (numbered from ``start``) into every data table of
    whatever schema the database has: raw SQL, columns read from the schema, foreign keys pointing
    at rows inserted before. With ``only_empty``, tables that already hold rows (a migration
    filled ``search_positions``; an earlier call filled the rest) are left as they are."""
    inserted: dict[str, int] = {}
    parent_ids: dict[str, list[Any]] = {}
    tables = data_tables(con)
    for table in _insert_order(con, tables):
        cols = _columns(con, table)
        pk = [c["name"] for c in cols if c["pk"]]
        key = pk[0] if len(pk) == 1 else "rowid"
        if con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] and (only_empty or table == "search_positions"):
            parent_ids[table] = [r[0] for r in con.execute(f'SELECT "{key}" FROM "{table}" ORDER BY rowid')]
            continue
        parents = _parents(con, table)
        count = 1 if table == "station" else rows
        for n in range(start, start + count):
            use = [c for c in cols if not (c["pk"] == 1 and "INT" in c["type"] and
                                           sum(1 for x in cols if x["pk"]) == 1)]
            values = [_value(table, c, n, parent_ids, parents) for c in use]
            names = ", ".join(f'"{c["name"]}"' for c in use)
            marks = ", ".join("?" for _ in use)
            con.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
        parent_ids[table] = [r[0] for r in con.execute(f'SELECT "{key}" FROM "{table}" ORDER BY rowid')]
        inserted[table] = count
    con.commit()
    return inserted


def snapshot(con: sqlite3.Connection) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every data table's columns and rows (in rowid order, or key order for WITHOUT ROWID)."""
    out = {}
    for table in data_tables(con):
        cols = [c["name"] for c in _columns(con, table)]
        names = ", ".join(f'"{c}"' for c in cols)
        try:
            rows = con.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid').fetchall()
        except sqlite3.OperationalError:
            rows = sorted(con.execute(f'SELECT {names} FROM "{table}"').fetchall(), key=repr)
        out[table] = (cols, rows)
    return out


def preserved(before: dict[str, tuple[list[str], list[tuple[Any, ...]]]],
              con: sqlite3.Connection, *, added_rows: bool = False) -> list[str]:
    """What a migration lost or changed of ``before``: tables, row counts, values of old columns.

    ``added_rows``: rows added after the old ones (by a program that ran on) are allowed.
    """
    problems = []
    now = data_tables(con)
    for table, (cols, rows) in before.items():
        if table not in now:
            problems.append(f"table {table} is gone")
            continue
        have = {c["name"] for c in _columns(con, table)}
        lost = [c for c in cols if c not in have]
        if lost:
            problems.append(f"{table}: columns {lost} are gone")
            continue
        names = ", ".join(f'"{c}"' for c in cols)
        try:
            after = con.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid').fetchall()
        except sqlite3.OperationalError:
            after = sorted(con.execute(f'SELECT {names} FROM "{table}"').fetchall(), key=repr)
        if added_rows and len(after) > len(rows):
            after = after[: len(rows)]
        if len(after) != len(rows):
            problems.append(f"{table}: {len(rows)} rows before, {len(after)} after")
        elif after != rows:
            diff = next(i for i, (a, b) in enumerate(zip(rows, after, strict=True)) if a != b)
            problems.append(f"{table}: row {diff} changed: {rows[diff]!r} -> {after[diff]!r}")
    return problems


# --- checking a database ------------------------------------------------------------------------


def _fts_check(con: sqlite3.Connection, table: str) -> str | None:
    external = con.execute(f"SELECT count(*) FROM sqlite_master WHERE name = '{table}_content'").fetchone()[0] == 0
    try:
        if external:
            # rank 1: also compare the index with its external content (here a view over requests).
            con.execute(f"INSERT INTO \"{table}\"(\"{table}\", rank) VALUES ('integrity-check', 1)")
        else:
            con.execute(f"INSERT INTO \"{table}\"(\"{table}\") VALUES ('integrity-check')")
    except sqlite3.DatabaseError as exc:
        return f"{table}: FTS5 integrity-check failed: {exc}"
    return None


def health_problems(path: Path, *, app_rules: bool = True) -> list[str]:
    """Everything that is not whole about the database at ``path`` (empty list: it is whole).

    ``app_rules``: also the program's own rules (one ``created`` event per request, daily
    sequences ahead of every tracking number) — off for synthetic data made by :func:`fill_schema`.
    Opens the file read-write (FTS5's checks are INSERT commands that change nothing), so use it
    only on databases that may be touched, never on a file that must stay byte-identical.
    """
    problems: list[str] = []
    con = sqlite3.connect(path, isolation_level=None)
    try:
        result = [r[0] for r in con.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            return [f"integrity_check: {result[:10]}"]
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:10]}")
        fts = fts_tables(con)
        for table in fts:
            if (msg := _fts_check(con, table)) is not None:
                problems.append(msg)
        tables = set(data_tables(con))
        if "requests" not in tables:
            return problems
        requests = con.execute(
            "SELECT r.id, r.tracking_no, e.name, coalesce(e.uscc, ''), r.description "
            "FROM requests r JOIN enterprises e ON e.id = r.enterprise_id ORDER BY r.id").fetchall()
        if "request_fts" in fts:
            indexed = {r[0]: r for r in con.execute(
                "SELECT rowid, tracking_no, enterprise_name, uscc, description FROM request_fts")}
            missing = [r[0] for r in requests if r[0] not in indexed]
            extra = sorted(set(indexed) - {r[0] for r in requests})
            differ = [r[0] for r in requests if r[0] in indexed and indexed[r[0]] != r]
            if missing or extra or differ:
                problems.append(f"request_fts disagrees with requests: ids missing {missing[:10]}, "
                                f"extra {extra[:10]}, with other content {differ[:10]}")
        if "request_bigram" in fts and "request_bigram_docsize" in {
                r[0] for r in con.execute("SELECT name FROM sqlite_master")}:
            ids = [r[0] for r in con.execute("SELECT id FROM request_bigram_docsize ORDER BY id")]
            if ids != [r[0] for r in requests]:
                problems.append(f"request_bigram indexes {len(ids)} rows, requests has {len(requests)}")
        if app_rules and "request_events" in tables:
            bad = con.execute(
                "SELECT r.id, count(e.id) FROM requests r LEFT JOIN request_events e "
                "ON e.request_id = r.id AND e.kind = 'created' GROUP BY r.id HAVING count(e.id) != 1").fetchall()
            if bad:
                problems.append(f"requests without exactly one 'created' event: {bad[:10]}")
        if app_rules and "daily_sequences" in tables:
            last = {(c, d): n for c, d, n in con.execute("SELECT station_code, day, last FROM daily_sequences")}
            for (tracking,) in con.execute("SELECT tracking_no FROM requests"):
                m = re.fullmatch(r"(\w+)-(\d{8})-(\d+)", tracking)
                if m and int(m.group(3)) > last.get((m.group(1), m.group(2)), 0):
                    problems.append(f"daily sequence of {m.group(1)} {m.group(2)} is behind {tracking}")
                    break
    finally:
        con.close()
    return problems


def count_rows(path: Path, table: str) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    finally:
        con.close()
