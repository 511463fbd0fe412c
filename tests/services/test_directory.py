"""The enterprise directory: search, edits, and the Excel roster import (preview, apply, re-import)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.bulk_data import add_request, make_uscc
from xuhui_desk.db import Database
from xuhui_desk.models import Enterprise, SyncState
from xuhui_desk.services.directory import (
    RosterError,
    RosterErrorCode,
    RowAction,
    apply_roster,
    count_enterprises,
    fetch_enterprises,
    find_enterprise_ids,
    match_header,
    preview_roster,
    update_enterprise,
)
from xuhui_desk.services.intake import EnterpriseInput
from xuhui_desk.validation import ValidationFailed

USCC_A = "9131010452601815X3"
USCC_B = "91310104MA1FL0QX48"


def roster(path: Path, rows: list[list[Any]], *, title_rows: int = 0, sheet: str = "租户名册") -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for i in range(title_rows):
        ws.append([f"漕河泾科技绿洲租户名册（第{i + 1}行标题）"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


HEADER = ["序号", "企业名称", "统一社会信用代码", "联系人", "联系电话", "所属园区", "楼宇"]


def _count(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(Enterprise.id))) or 0


def test_header_recognition() -> None:
    assert match_header(HEADER) == {"name": 1, "uscc": 2, "contact_name": 3, "phone": 4, "park": 5, "building": 6}
    assert match_header(["Company Name", "Credit code", "Contact person", "Mobile", "Address"]) == {
        "name": 0, "uscc": 1, "contact_name": 2, "phone": 3, "building": 4}
    # The longest or exact name wins: 联系人电话 is a phone, 企业地址 a building, 企业名称（全称） a name.
    assert match_header(["企业名称（全称）", "联系人", "联系人电话", "企业地址"]) == {
        "name": 0, "contact_name": 1, "phone": 2, "building": 3}
    assert match_header(["公司名称", "税号", "手机号码", "园区名称", "办公地址"]) == {
        "name": 0, "uscc": 1, "phone": 2, "park": 3, "building": 4}
    assert match_header(["漕河泾科技绿洲租户名册", None, None]) == {}
    assert match_header(["联系人", "电话"]) == {}  # no name column: not a roster header


def test_preview_says_what_each_row_would_do(station_db: Database, tmp_path: Path) -> None:
    db = station_db
    add_request(db, "已经来过的企业", name="上海星河科技有限公司", uscc=USCC_A, contact_name="王先生")
    add_request(db, "没有信用代码的老客户", name="徐汇区老王餐饮店")
    path = roster(tmp_path / "r.xlsx", [
        HEADER,
        [1, "上海云启生物医药有限公司", USCC_B, "陈晓峰", "13816620451", "漕河泾开发区", "科技绿洲三期5号楼"],
        [2, "上海星河科技有限公司", USCC_A, "王先生", None, None, None],  # known, nothing new
        [3, "上海星河科技有限公司", USCC_A, "李女士", "021 6487 1234", "", ""],  # repeated in the file
        [4, "上海错码科技有限公司", "9131010452601815X4", "张三", "13900000000", "", ""],  # bad check character
        [5, "徐汇区老王餐饮店", None, "老王", 13524418876, "", "天钥桥路328号"],  # phone typed as a number
        [6, "", "", "", "", "", ""],  # empty: skipped
        [7, "上海坏电话有限公司", None, None, "12345", None, None],
        [8, "上海云启生物医药有限公司 ", None, None, None, None, None],  # same name as row 1
    ], title_rows=2)
    preview = preview_roster(db, path)
    assert preview.header_line == 3 and preview.sheet == "租户名册"
    assert preview.columns["name"] == "企业名称" and preview.columns["phone"] == "联系电话"
    by_line = {r.line: r for r in preview.rows}
    assert sorted(by_line) == [4, 5, 6, 7, 8, 10, 11]
    assert by_line[4].action is RowAction.NEW
    assert by_line[5].action is RowAction.UNCHANGED and by_line[5].enterprise_id is not None
    assert by_line[6].action is RowAction.DUPLICATE and by_line[6].duplicate_of == 5
    assert by_line[7].action is RowAction.INVALID and [i.code for i in by_line[7].errors] == ["uscc.checksum"]
    assert "校验位" in by_line[7].errors[0].message("zh_CN")
    assert by_line[8].action is RowAction.UPDATE
    assert set(by_line[8].changes) == {"contact_name", "phone", "building"}
    assert by_line[8].data.phone == "13524418876"
    assert by_line[10].action is RowAction.INVALID and by_line[10].errors[0].field == "phone"
    assert by_line[11].action is RowAction.DUPLICATE and by_line[11].duplicate_of == 4
    assert preview.importable == 2
    assert _count(db) == 2  # a preview writes nothing


def test_apply_imports_once(station_db: Database, tmp_path: Path) -> None:
    db = station_db
    rows = [HEADER] + [
        [i, f"上海第{i}号科技有限公司", make_uscc(random.Random(i)), "联系人", "13800000000", "园区", ""]
        for i in range(1, 41)
    ] + [[99, "上海错码科技有限公司", "9131010452601815X4", "", "", "", ""]]
    path = roster(tmp_path / "big.xlsx", rows)
    seen: list[tuple[int, int]] = []
    result = apply_roster(db, preview_roster(db, path), progress=lambda d, t, _s: seen.append((d, t)))
    assert (result.created, result.updated, result.unchanged, result.skipped) == (40, 0, 0, 1)
    assert _count(db) == 40
    with db.session() as s:
        assert {e.sync_state for e in s.scalars(select(Enterprise))} == {SyncState.PENDING}
    again = preview_roster(db, path)
    assert again.importable == 0 and again.count(RowAction.UNCHANGED) == 40
    result = apply_roster(db, again)
    assert (result.created, result.updated, result.unchanged, result.skipped) == (0, 0, 40, 1)
    assert _count(db) == 40


def test_apply_matches_again_at_import_time(station_db: Database, tmp_path: Path) -> None:
    """A company saved at the counter after the preview is updated, not added a second time."""
    db = station_db
    path = roster(tmp_path / "r.xlsx", [HEADER, [1, "上海云启生物医药有限公司", USCC_B, "陈晓峰", "", "", ""]])
    preview = preview_roster(db, path)
    assert preview.rows[0].action is RowAction.NEW
    add_request(db, "预览之后来登记的", name="上海云启生物医药有限公司", uscc=USCC_B)
    result = apply_roster(db, preview)
    assert (result.created, result.updated) == (0, 1)
    assert _count(db) == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"name,uscc\n", RosterErrorCode.NOT_XLSX),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, RosterErrorCode.OLD_EXCEL),
        (b"PK\x03\x04 not really a zip", RosterErrorCode.NOT_XLSX),
    ],
)
def test_malformed_files_are_refused_clearly(station_db: Database, tmp_path: Path, content: bytes,
                                            code: RosterErrorCode) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(RosterError) as info:
        preview_roster(station_db, path)
    assert info.value.code is code and "bad.xlsx" in str(info.value)


def test_empty_and_headerless_workbooks(station_db: Database, tmp_path: Path) -> None:
    with pytest.raises(RosterError) as info:
        preview_roster(station_db, roster(tmp_path / "empty.xlsx", []))
    assert info.value.code is RosterErrorCode.EMPTY
    with pytest.raises(RosterError) as info:
        preview_roster(station_db, roster(tmp_path / "nohead.xlsx", [["上海星河科技有限公司", USCC_A]] * 30))
    assert info.value.code is RosterErrorCode.NO_HEADER
    with pytest.raises(RosterError) as info:
        preview_roster(station_db, tmp_path / "missing.xlsx")
    assert info.value.code is RosterErrorCode.NOT_FOUND
    only_header = preview_roster(station_db, roster(tmp_path / "header.xlsx", [HEADER]))
    assert only_header.rows == [] and only_header.importable == 0


def test_header_on_a_second_sheet(station_db: Database, tmp_path: Path) -> None:
    wb = Workbook()
    notes = wb.active
    assert notes is not None
    notes.title = "说明"
    notes.append(["本表由楼宇物业提供"])
    data = wb.create_sheet("名单")
    data.append(["Company", "USCC"])
    data.append(["上海星河科技有限公司", USCC_A])
    wb.save(tmp_path / "two.xlsx")
    preview = preview_roster(station_db, tmp_path / "two.xlsx")
    assert preview.sheet == "名单" and preview.rows[0].data.uscc == USCC_A


def test_update_enterprise_validates_and_marks_for_sync(station_db: Database) -> None:
    db = station_db
    add_request(db, "诉求一", name="上海星河科技有限公司", uscc=USCC_A)
    add_request(db, "诉求二", name="上海云启生物医药有限公司", uscc=USCC_B)
    with db.session() as s:
        star = s.scalars(select(Enterprise).where(Enterprise.uscc == USCC_A)).one()
        star_id, revision = star.id, star.revision
    assert update_enterprise(db, star_id, EnterpriseInput(name="上海星河科技有限公司", uscc=USCC_A,
                                                          contact_name="王先生", phone="021 6487 1234"))
    with db.session() as s:
        star = s.get_one(Enterprise, star_id)
        assert (star.phone, star.revision, star.sync_state) == ("021-64871234", revision + 1, SyncState.PENDING)
    assert not update_enterprise(db, star_id, EnterpriseInput(name="上海星河科技有限公司", uscc=USCC_A,
                                                              contact_name="王先生", phone="02164871234"))
    with pytest.raises(ValidationFailed) as info:
        update_enterprise(db, star_id, EnterpriseInput(name="上海星河科技有限公司", uscc=USCC_B))
    assert [i.code for i in info.value.issues] == ["enterprise.uscc_conflict"]
    assert "上海云启生物医药有限公司" in info.value.issues[0].message("zh_CN")
    with pytest.raises(ValidationFailed) as info:
        update_enterprise(db, star_id, EnterpriseInput(name="", uscc="123", phone="abc"))
    assert {i.field for i in info.value.issues} == {"enterprise_name", "uscc", "phone"}


def test_search_sort_and_rows(station_db: Database) -> None:
    db = station_db
    add_request(db, "诉求一", name="上海星河科技有限公司", uscc=USCC_A, contact_name="王先生")
    add_request(db, "诉求二", name="上海星河科技有限公司", uscc=USCC_A)
    add_request(db, "诉求三", name="徐汇区老王餐饮店", contact_name="老王", phone="13524418876")
    with db.session() as s:
        assert count_enterprises(s) == 2
        assert count_enterprises(s, "星河") == 1 and count_enterprises(s, "老王") == 1
        assert count_enterprises(s, "9131010452") == 1 and count_enterprises(s, "9131 星河") == 1
        assert count_enterprises(s, "1352441") == 1 and count_enterprises(s, "星河 老王") == 0
        ids = find_enterprise_ids(s, sort="request_count", descending=True)
        rows = fetch_enterprises(s, ids)
        assert [rows[i].request_count for i in ids] == [2, 1]
        assert rows[ids[0]].name == "上海星河科技有限公司" and rows[ids[1]].uscc == ""
        assert find_enterprise_ids(s, limit=1, offset=1) == find_enterprise_ids(s)[1:]


# --- every problem of a roster row, Traditional names, export for correction (D23) ---------------


def test_every_problem_of_a_row_is_listed_and_traditional_names_are_warned(station_db: Database,
                                                                           tmp_path: Path) -> None:
    from xuhui_desk.services.directory import row_problems

    path = roster(tmp_path / "r.xlsx", [
        HEADER,
        [1, "上海坏代码有限公司", "91310104MA1FR00039", "孙亮", "1370000", "西岸智塔", "A座"],
        [2, "上海\u6771方\u570b\u969b\u8cbf易有限公司", "", "周\u5091", "13800009999", "西岸智塔", "C座"],
        [3, "上海\u4e7e隆\u8457作文化有限公司", "", "", "", "", ""],  # U+4E7E and U+8457 are Simplified characters too
    ])
    rows = {r.line: r for r in preview_roster(station_db, path).rows}
    bad = rows[2]
    assert bad.action is RowAction.INVALID
    assert sorted(i.field for i in bad.errors) == ["phone", "uscc"]
    problems = row_problems(bad)
    assert len(problems) == 2 and "校验位" in problems[0] and "联系电话" in problems[1]
    assert len(row_problems(bad, "en")) == 2 and "Phone" in row_problems(bad, "en")[1]
    traditional = rows[3]
    assert traditional.action is RowAction.NEW  # a warning: imported if the person agrees
    assert [(i.code, i.severity.value) for i in traditional.issues] == [("enterprise.traditional", "warning")]
    assert "\u6771→东" in row_problems(traditional)[0] and "\u570b→国" in row_problems(traditional)[0]
    assert rows[4].issues == []


def test_rows_with_problems_export_to_a_workbook(station_db: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from xuhui_desk.services.directory import export_problem_rows
    from xuhui_desk.validation import org_code_check_char, uscc_check_char

    first17 = "91310104" + "31245671" + org_code_check_char("31245671")
    good = first17 + uscc_check_char(first17)  # no warning at all
    path = roster(tmp_path / "r.xlsx", [
        HEADER,
        [1, "上海云启生物医药有限公司", good, "陈晓峰", "13816620451", "", ""],  # fine
        [2, "上海坏代码有限公司", "91310104MA1FR00039", "孙亮", "1370000", "", ""],  # two errors
        [3, "上海云启生物医药有限公司", good, "", "", "", ""],  # repeated
        [4, "上海\u6771方\u570b\u969b\u8cbf易有限公司", "", "", "", "", ""],  # a warning
        [5, "", "", "李四", "13700005678", "", ""],  # no name
    ], title_rows=1)
    preview = preview_roster(station_db, path)
    out = tmp_path / "out" / "要更正的行.xlsx"
    assert export_problem_rows(preview, out) == 4
    ws = load_workbook(out).active
    assert ws is not None
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][:4] == ["行号", "导入结果", "问题", "企业名称"]
    by_line = {r[0]: r for r in rows[1:]}
    assert sorted(by_line) == [4, 5, 6, 7]  # the spreadsheet's own row numbers
    assert by_line[4][1] == "不导入" and len(by_line[4][2].split("\n")) == 2
    assert by_line[4][3:7] == ["上海坏代码有限公司", "91310104MA1FR00039", "孙亮", "1370000"]
    assert by_line[5][1] == "重复" and "第3行" in by_line[5][2]
    assert by_line[6][1] == "新增" and "繁体" in by_line[6][2]
    assert by_line[7][2] == "请填写企业名称"
    english = tmp_path / "en.xlsx"
    export_problem_rows(preview, english, "en")
    header = next(load_workbook(english).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert header[:3] == ("Row", "Import", "Problems")


def test_names_written_anywhere_get_their_pinyin_sort_key(station_db: Database, tmp_path: Path) -> None:
    from xuhui_desk.services.pinyin_order import pinyin_sort_key

    add_request(station_db, "柜台登记", name="上海乐意科技有限公司")
    apply_roster(station_db, preview_roster(station_db, roster(tmp_path / "r.xlsx", [
        HEADER, [1, "上海光启科技有限公司", USCC_B, "", "", "", ""]])))
    with station_db.session() as s:
        ids = {e.name: e.id for e in s.scalars(select(Enterprise))}
    update_enterprise(station_db, ids["上海乐意科技有限公司"], EnterpriseInput(name="上海东方乐意科技有限公司"))
    with station_db.session() as s:
        stored = {e.name: e.name_sort for e in s.scalars(select(Enterprise))}
        assert stored == {n: pinyin_sort_key(n) for n in ("上海东方乐意科技有限公司", "上海光启科技有限公司")}
        assert [e.name for e in s.scalars(select(Enterprise).order_by(Enterprise.name_sort))] == [
            "上海东方乐意科技有限公司", "上海光启科技有限公司"]
def test_a_roster_that_unpacks_to_too_much_is_refused_before_parsing(station_db: Database, tmp_path: Path) -> None:
    """Audit L1: a 1 MB xlsx whose sheet held 1 GiB of whitespace was parsed (1.1 GB of memory)."""
    import resource
    import time
    import zipfile

    plain = roster(tmp_path / "plain.xlsx",
                   [HEADER, [1, "上海正常科技有限公司", USCC_A, "王先生", "13812345678", "", ""]])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", b" " * (60 * 1024 * 1024) + b"</worksheet>")
            dst.writestr(item.filename, data)
    assert bomb.stat().st_size < 1024 * 1024
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(RosterError) as refused:
        preview_roster(station_db, bomb)
    assert refused.value.code is RosterErrorCode.TOO_LARGE
    assert "xl/worksheets/sheet1.xml" in str(refused.value) and "60 MB" in str(refused.value)
    assert time.perf_counter() - started < 5
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kb < 30 * 1024, f"the process grew by {grown_kb} kB"
    assert preview_roster(station_db, plain).importable == 1  # an ordinary roster still imports


def test_a_formula_cell_without_a_saved_value_is_named_as_such(station_db: Database, tmp_path: Path) -> None:
    """Audit L4: formula cells with no cached value imported as empty: "请填写企业名称" for the row."""
    path = roster(tmp_path / "formulas.xlsx", [
        HEADER,
        [1, "上海正常科技有限公司", USCC_A, "王先生", "13812345678", "", ""],
        [2, '="上海"&"公式科技有限公司"', "", "李女士", "13912345678", "", ""],
        [3, "上海电话公式有限公司", "", "赵先生", "=CONCAT(\"139\",\"12345679\")", "", ""],
        [4, '="只有公式"', "", "", "", "", ""],
    ])
    preview = preview_roster(station_db, path)
    by_line = {r.line: r for r in preview.rows}
    assert set(by_line) == {2, 3, 4, 5}, "a row whose only cell is a formula was silently dropped"
    assert by_line[2].action is RowAction.NEW
    for line in (3, 5):
        assert by_line[line].action is RowAction.INVALID
        assert [(i.field, i.code) for i in by_line[line].errors] == [("enterprise_name", "cell.formula_without_value")]
        assert "公式" in by_line[line].errors[0].message("zh_CN")
        assert "请填写" not in by_line[line].errors[0].message("zh_CN")
    assert by_line[4].action is RowAction.NEW
    assert [(i.field, i.code) for i in by_line[4].warnings] == [("phone", "cell.formula_without_value")]
