"""The company profile in the directory (services/directory.py): a roster's profile columns
(行业代码, 成立日期, 注册在徐汇, 企业规模, 资质, 从业人数, 营业收入(万元)) read from real .xlsx files
— date, TRUE/FALSE and number cells included — imported once, a bad cell refusing its row with
the reason and kept in the rows-with-problems file; and the profile edited with the details."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from tests.services.test_directory import roster
from xuhui_desk.db import Database
from xuhui_desk.models import Enterprise, SyncState
from xuhui_desk.policies import CompanyProfile
from xuhui_desk.services.directory import (
    RowAction,
    apply_roster,
    enterprise_details,
    export_problem_rows,
    match_header,
    preview_roster,
    row_problems,
    update_enterprise,
)
from xuhui_desk.services.policies import company_profile

HEADER = ["企业名称", "统一社会信用代码", "行业代码", "成立日期", "注册在徐汇", "企业规模", "资质", "从业人数",
          "营业收入(万元)"]


def _id(db: Database, name: str) -> int:
    with db.session() as s:
        return int(s.scalars(select(Enterprise.id).where(Enterprise.name == name)).one())


def test_the_profile_columns_are_recognised() -> None:
    columns = match_header(HEADER)
    assert {f: HEADER[c] for f, c in columns.items()} == {
        "name": "企业名称", "uscc": "统一社会信用代码", "industry_code": "行业代码", "established": "成立日期",
        "registered_in_xuhui": "注册在徐汇", "size": "企业规模", "qualifications": "资质", "employees": "从业人数",
        "revenue_wan": "营业收入(万元)"}


def test_a_roster_with_profile_columns_imports_the_facts_once(station_db: Database, tmp_path: Path) -> None:
    path = roster(tmp_path / "r.xlsx", [
        HEADER,
        ["上海甲科技有限公司", "", "6513", datetime(2019, 5, 20), True, "小型", "高新技术企业、专精特新", 35, 1200.5],
        ["上海乙科技有限公司", "", "I6520", "2021-03-01", "否", "micro", "", "", ""],
        ["上海丙科技有限公司", "", "", "", "", "", "", "", ""],
        ["上海丁科技有限公司", "", "99999", "2019-02-30", "也许", "巨型", "", -1, "很多"],
    ])
    preview = preview_roster(station_db, path)
    rows = {r.data.name: r for r in preview.rows}
    assert [r.action for r in preview.rows] == [RowAction.NEW, RowAction.NEW, RowAction.NEW, RowAction.INVALID]
    bad = rows["上海丁科技有限公司"]
    assert {i.field for i in bad.errors} == {"industry_code", "established", "registered_in_xuhui", "size",
                                             "employees", "revenue_wan"}
    problems = " ".join(row_problems(bad))
    for label in ("行业代码", "成立日期", "企业规模", "从业人数"):
        assert label in problems, problems

    result = apply_roster(station_db, preview)
    assert (result.created, result.skipped) == (3, 1)
    assert company_profile(station_db, _id(station_db, "上海甲科技有限公司")) == CompanyProfile(
        industry_code="I6513", established=date(2019, 5, 20), registered_in_xuhui=True, size="small",
        qualifications=frozenset({"高新技术企业", "专精特新"}), employees=35, revenue_wan=1200.5)
    # An empty cell is unknown, never "no" or zero.
    assert company_profile(station_db, _id(station_db, "上海乙科技有限公司")) == CompanyProfile(
        industry_code="I6520", established=date(2021, 3, 1), registered_in_xuhui=False, size="micro")
    assert company_profile(station_db, _id(station_db, "上海丙科技有限公司")) == CompanyProfile()
    with station_db.session() as s:
        assert s.scalars(select(Enterprise).where(Enterprise.name == "上海丁科技有限公司")).first() is None

    # The same roster again changes nothing; a new fact for a known company is an update of it alone,
    # and an empty cell erases nothing.
    again = preview_roster(station_db, path)
    assert [r.action for r in again.rows][:3] == [RowAction.UNCHANGED] * 3
    more = roster(tmp_path / "more.xlsx", [HEADER, ["上海甲科技有限公司", "", "", "", "", "中型", "", "", ""]])
    update = preview_roster(station_db, more)
    assert update.rows[0].action is RowAction.UPDATE and update.rows[0].changes == ("size",)
    apply_roster(station_db, update)
    kept = company_profile(station_db, _id(station_db, "上海甲科技有限公司"))
    assert kept.size == "medium" and kept.employees == 35 and kept.established == date(2019, 5, 20)

    # The rows with problems keep the profile cells as they were typed, to correct and import again.
    out = tmp_path / "problems.xlsx"
    assert export_problem_rows(preview, out) == 1
    ws = load_workbook(out).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    values = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert values["成立日期"] == "2019-02-30" and values["企业规模"] == "巨型" and values["从业人数"] == "-1"


def test_the_profile_is_edited_with_the_details(station_db: Database, tmp_path: Path) -> None:
    apply_roster(station_db, preview_roster(station_db, roster(tmp_path / "r.xlsx", [
        HEADER, ["上海甲科技有限公司", "", "6513", "2019-05-20", "是", "小型", "", 35, ""]])))
    eid = _id(station_db, "上海甲科技有限公司")
    with station_db.write() as s:
        s.get(Enterprise, eid).sync_state = SyncState.SYNCED
    details = enterprise_details(station_db, eid)
    assert details.profile is not None and details.profile.employees == 35
    assert update_enterprise(station_db, eid, details, actor="李敏") is False  # nothing changed
    details.profile = CompanyProfile(industry_code="I6513", size="small", employees=40)
    assert update_enterprise(station_db, eid, details, actor="李敏") is True
    assert company_profile(station_db, eid) == CompanyProfile(industry_code="I6513", size="small", employees=40)
    with station_db.session() as s:
        assert s.get(Enterprise, eid).sync_state == SyncState.PENDING
