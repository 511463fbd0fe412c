"""Damaged files: each is refused with a clear message and nothing is overwritten.

Not repeated here (see tests/core/test_db.py, tests/services/test_backups.py): garbage,
foreign, too-new and one-third-truncated database files given to ``open_database``, and
garbage or truncated backups given to ``restore_backup``. This file covers, through the real
command line (no traceback, a message on stderr, the file byte-identical afterwards):

* a database truncated mid-page, or with a page zeroed or overwritten, given to ``list``;
* a damaged backup given to ``restore``: the live database and the backups folder unchanged;

and, through the services:

* malformed rosters given to the directory import: a clear :class:`RosterError`, nothing imported;
* malformed JSON-lines files given to ``intake``: every line reported, valid lines kept,
  nothing half-saved.
"""

from __future__ import annotations

import json
import random
import sqlite3
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.reliability.support import (
    assert_clean_refusal,
    count_rows,
    desk,
    health_problems,
    new_station_db,
    sha256,
    text_of,
)
from xuhui_desk.config import backup_dir, database_path

PAGE_HINTS = ("damaged", "malformed", "corrupt", "truncated", "incomplete", "cannot be read", "not a database")


@pytest.fixture(scope="module")
def populated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A healthy workstation database with 300 requests (about 350 pages), checkpointed into one file."""
    from xuhui_desk.db import open_database
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request

    data_dir = tmp_path_factory.mktemp("populated")
    path = new_station_db(data_dir)
    db = open_database(path)
    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    try:
        for i in range(300):
            create_request(db, IntakeInput(EnterpriseInput(name=f"上海损坏测试{i % 40}号有限公司"),
                                           f"想申请知识产权质押融资和银行贷款，第{i}次咨询。" + "详细说明" * 20,
                                           category="finance"), now=now)
    finally:
        db.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    assert health_problems(path) == []
    return path


def _page_size(data: bytes) -> int:
    size = int.from_bytes(data[16:18], "big")
    return 65536 if size == 1 else size


def _root_page(path: Path, name: str) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0])
    finally:
        con.close()


def _leaf_page(path: Path, table: str) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                           (table,)).fetchall()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table")
    finally:
        con.close()
    return int(rows[len(rows) // 2][0])


def _overwrite_page(path: Path, page: int, filler: bytes | None = None) -> None:
    data = bytearray(path.read_bytes())
    size = _page_size(bytes(data))
    data[(page - 1) * size: page * size] = filler or bytes(size)
    path.write_bytes(bytes(data))


def _truncate(fraction: float, extra: int) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction) + extra])
    return damage


DAMAGES: dict[str, tuple[Callable[[Path], None], tuple[str, ...]]] = {
    # (how to damage the file, extra arguments of `list`)
    "truncated mid-page near the end": (_truncate(1.0, -100), ()),
    "truncated mid-page in the middle": (_truncate(0.5, 1234), ()),
    "zeroed root page of requests": (lambda p: _overwrite_page(p, _root_page(p, "requests")), ()),
    "zeroed leaf page of requests": (lambda p: _overwrite_page(p, _leaf_page(p, "requests")), ()),
    "random bytes over a leaf page of requests": (
        lambda p: _overwrite_page(p, _leaf_page(p, "requests"), random.Random(7).randbytes(_page_size(p.read_bytes()))),
        ()),
    "zeroed page of the search index, then a search": (
        lambda p: _overwrite_page(p, _root_page(p, "request_fts_data")), ("--search", "质押融资")),
}


@pytest.mark.parametrize("damage", list(DAMAGES), ids=list(DAMAGES))
def test_list_refuses_a_damaged_database_and_leaves_it_as_it_was(populated_db: Path, data_dir: Path,
                                                                 damage: str) -> None:
    path = database_path(data_dir)
    path.write_bytes(populated_db.read_bytes())
    spoil, extra = DAMAGES[damage]
    spoil(path)
    before = sha256(path)

    proc = desk(data_dir, "list", "--json", *extra)

    assert_clean_refusal(proc, *PAGE_HINTS)
    assert sha256(path) == before, "the damaged database was written to"
    assert not backup_dir(data_dir).exists()


# --- restore --------------------------------------------------------------------------------------

BACKUP_DAMAGES: dict[str, Callable[[Path], None]] = {
    "truncated mid-page near the end": _truncate(1.0, -100),
    "truncated to its header": _truncate(0.0, 100),
    "zeroed root page of requests": lambda p: _overwrite_page(p, _root_page(p, "requests")),
    "random bytes over a leaf page of requests": lambda p: _overwrite_page(
        p, _leaf_page(p, "requests"), random.Random(11).randbytes(_page_size(p.read_bytes()))),
    "zeroed last page": lambda p: _overwrite_page(p, len(p.read_bytes()) // _page_size(p.read_bytes())),
    "a text file named .db": lambda p: p.write_text("这不是数据库备份\n" * 100, encoding="utf-8"),
}


@pytest.mark.parametrize("damage", list(BACKUP_DAMAGES), ids=list(BACKUP_DAMAGES))
def test_restore_refuses_a_damaged_backup_and_keeps_the_live_database(populated_db: Path, data_dir: Path,
                                                                      tmp_path: Path, damage: str) -> None:
    live = new_station_db(data_dir)
    ok = desk(data_dir, "intake", "--json-lines", "-", stdin=json.dumps(
        {"enterprise": {"name": "上海现有数据有限公司"}, "description": "现有的诉求内容"}, ensure_ascii=False).encode())
    assert ok.returncode == 0, text_of(ok.stderr)
    con = sqlite3.connect(live)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    backup = tmp_path / "xuhui_desk-manual-20261126T000000Z.db"
    backup.write_bytes(populated_db.read_bytes())
    BACKUP_DAMAGES[damage](backup)
    live_before, backup_before = sha256(live), sha256(backup)
    backups_before = sorted(backup_dir(data_dir).glob("*")) if backup_dir(data_dir).exists() else []

    proc = desk(data_dir, "restore", str(backup))

    assert_clean_refusal(proc, *PAGE_HINTS, "not a workstation backup", "empty")
    assert sha256(live) == live_before, "the live database was replaced or written to"
    assert sha256(backup) == backup_before, "the backup was written to"
    after = sorted(backup_dir(data_dir).glob("*")) if backup_dir(data_dir).exists() else []
    assert after == backups_before, f"files appeared in the backups folder: {set(after) - set(backups_before)}"
    listed = desk(data_dir, "list", "--json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 1


# --- rosters -------------------------------------------------------------------------------------


def _workbook(path: Path, rows: list[list[object]], *, extra_sheet: bool = False) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    if extra_sheet:
        wb.create_sheet("说明")
    wb.save(path)
    return path


def _rezip(source: Path, dest: Path, member: str, content: bytes) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, content if item.filename == member else zin.read(item.filename))
    return dest


GOOD_ROSTER = [["企业名称", "统一社会信用代码", "联系电话"], ["上海名册测试有限公司", "", "13812345678"]]

ROSTERS: dict[str, tuple[Callable[[Path], Path], str]] = {
    # name: (make the file in a folder, expected RosterError code)
    "a text file named .xlsx": (lambda d: _write(d / "名册.xlsx", "企业名称,电话\n上海甲公司,13812345678\n".encode()),
                                "not_xlsx"),
    "an empty file": (lambda d: _write(d / "empty.xlsx", b""), "not_xlsx"),
    "random bytes": (lambda d: _write(d / "noise.xlsx", random.Random(3).randbytes(5000)), "not_xlsx"),
    "a zip that is not a workbook": (lambda d: _zip(d / "archive.xlsx"), "not_xlsx"),
    "a truncated workbook": (lambda d: _write(d / "cut.xlsx", _workbook(d / "full.xlsx", GOOD_ROSTER)
                                              .read_bytes()[:1500]), "not_xlsx"),
    "an old .xls workbook": (lambda d: _write(d / "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000)),
                             "old_excel"),
    "an empty workbook": (lambda d: _workbook(d / "blank.xlsx", [], extra_sheet=True), "empty"),
    "a workbook with no recognisable header": (
        lambda d: _workbook(d / "nohead.xlsx", [["序号", "备注", "日期"], [1, "上海甲公司", "2026-01-01"]]),
        "no_header"),
    "a header below the first 20 rows": (
        lambda d: _workbook(d / "deep.xlsx", [[f"说明第{i}行"] for i in range(25)] + GOOD_ROSTER), "no_header"),
    "damaged worksheet XML": (
        lambda d: _rezip(_workbook(d / "src.xlsx", GOOD_ROSTER), d / "badsheet.xlsx", "xl/worksheets/sheet1.xml",
                         '<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>企业'.encode()), "unreadable"),
    "damaged workbook XML": (
        lambda d: _rezip(_workbook(d / "src.xlsx", GOOD_ROSTER), d / "badbook.xlsx", "xl/workbook.xml",
                         b"not xml at all"), "unreadable"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "这是一个压缩包")
    return path


@pytest.mark.parametrize("kind", list(ROSTERS), ids=list(ROSTERS))
def test_malformed_roster_is_refused_and_nothing_imported(station_db: object, tmp_path: Path, kind: str) -> None:
    from sqlalchemy import select

    from xuhui_desk.models import Enterprise
    from xuhui_desk.services.directory import RosterError, preview_roster
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request

    create_request(station_db, IntakeInput(EnterpriseInput(name="上海已有企业有限公司"), "想申请一笔银行贷款"))  # type: ignore[arg-type]
    with station_db.session() as s:  # type: ignore[attr-defined]
        before = [(e.id, e.name, e.revision) for e in s.scalars(select(Enterprise))]
    folder = tmp_path / "rosters"
    folder.mkdir()
    make, code = ROSTERS[kind]
    path = make(folder)

    with pytest.raises(RosterError) as info:
        preview_roster(station_db, path)  # type: ignore[arg-type]

    # Several codes are acceptable for damaged XML; a generic exception is not.
    expected = {code} | ({"not_xlsx", "unreadable"} if code in ("not_xlsx", "unreadable") else set())
    assert str(info.value.code) in expected, (info.value.code, str(info.value))
    assert path.name in str(info.value)
    with station_db.session() as s:  # type: ignore[attr-defined]
        assert [(e.id, e.name, e.revision) for e in s.scalars(select(Enterprise))] == before


# --- JSON-lines files ----------------------------------------------------------------------------


def _line(name: str, text: str = "想申请一笔银行贷款") -> bytes:
    return json.dumps({"enterprise": {"name": name}, "description": text}, ensure_ascii=False).encode()


def _intake(data_dir: Path, content: bytes, tmp_path: Path) -> tuple[list[dict[str, object]], str, int]:
    f = tmp_path / "input.jsonl"
    f.write_bytes(content)
    proc = desk(data_dir, "intake", "--json-lines", str(f), "--json")
    err = text_of(proc.stderr)
    assert "Traceback" not in err, err[-3000:]
    return [json.loads(x) for x in text_of(proc.stdout).split("\n") if x.strip()], err, proc.returncode


def _assert_all_or_each(data_dir: Path, results: list[dict[str, object]]) -> None:
    """What the output says was saved is exactly what the database holds, whole."""
    path = database_path(data_dir)
    saved = [r for r in results if r["ok"]]
    assert count_rows(path, "requests") == len(saved)
    assert count_rows(path, "request_events") == len(saved)
    assert health_problems(path) == []


def test_binary_garbage_file_is_refused_and_nothing_saved(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    new_station_db(data_dir)
    garbage = random.Random(5).randbytes(64 * 1024)
    results, err, code = _intake(data_dir, garbage, tmp_path)
    assert code != 0
    assert not any(r["ok"] for r in results)
    assert err.strip() or results, "refused without saying why"
    _assert_all_or_each(data_dir, results)


def test_one_megabyte_lines_are_reported_and_the_next_line_kept(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    new_station_db(data_dir)
    long_valid_json = _line("上海超长有限公司", "贷" * 300_000)  # 900 kB: read, and its field refused
    huge_valid_json = _line("上海超长有限公司", "贷" * (1024 * 1024))  # 3 MB: over the line limit
    huge_not_json = b"{" + b"x" * (1024 * 1024)
    content = b"\n".join([long_valid_json, huge_valid_json, huge_not_json, _line("上海正常有限公司")]) + b"\n"
    results, err, code = _intake(data_dir, content, tmp_path)
    assert [(r["line"], r["ok"]) for r in results] == [(1, False), (2, False), (3, False), (4, True)], err
    assert {e["field"] for e in results[0]["errors"]} == {"description"}  # type: ignore[attr-defined]
    assert [e["code"] for e in results[1]["errors"]] == ["line.too_long"]  # type: ignore[attr-defined]
    assert {e["field"] for e in results[2]["errors"]} == {"line"}  # type: ignore[attr-defined]
    assert code == 3
    _assert_all_or_each(data_dir, results)


@pytest.mark.parametrize("valid_before", [1, 400], ids=["bad line early", "bad line after 40 kB"])
def test_invalid_utf8_line_is_reported_and_the_other_lines_kept(tmp_path: Path, valid_before: int) -> None:
    """DESIGN §6: invalid lines are reported with the reason, valid ones kept — a line that is not
    UTF-8 too, wherever it is in the file (a file decoded in 8 kB chunks would otherwise lose the
    lines around it depending on where the chunk boundaries fall)."""
    data_dir = tmp_path / "data"
    new_station_db(data_dir)
    lines = [_line(f"上海前面第{i}有限公司") for i in range(valid_before)]
    lines.append(b'{"enterprise": {"name": "\xe4\xb8\x8a\xff\xfe"}, "description": "\xc3\x28 bad"}')
    lines += [_line("上海后面第一有限公司"), b"\x00\x01 not json \xc0\xaf", _line("上海后面第二有限公司")]
    results, err, code = _intake(data_dir, b"\n".join(lines) + b"\n", tmp_path)
    bad = valid_before + 1
    oks = [r["ok"] for r in results]
    assert [r["line"] for r in results] == list(range(1, len(lines) + 1)), (results[-5:], err)
    assert oks == [True] * valid_before + [False, True, False, True], err
    assert {e["field"] for e in results[bad - 1]["errors"]} == {"line"}  # type: ignore[attr-defined]
    assert code == 3
    _assert_all_or_each(data_dir, results)


def test_bom_crlf_nul_and_blank_lines(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    new_station_db(data_dir)
    content = (b"\xef\xbb\xbf" + _line("上海带BOM有限公司") + b"\r\n\r\n   \r\n"
               + b'{"enterprise": {"name": "\x00"}, "description": "x"}\r\n'
               + _line("上海CRLF有限公司", "想申请贷款\\u0000内含NUL") + b"\r\n")
    results, err, code = _intake(data_dir, content, tmp_path)
    assert [(r["line"], r["ok"]) for r in results] == [(1, True), (4, False), (5, True)], (results, err)
    assert code == 3
    _assert_all_or_each(data_dir, results)
