"""The queue's list to Excel: the filter's rows in its order, labels, Shanghai times, the phone
masked; a cancelled export leaves no file; the printed list's rows and count. Also the new
filters behind saved views (urgency, channel, "my requests") and a request's company."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from tests.bulk_data import add_request
from xuhui_desk.db import Database
from xuhui_desk.models import Request
from xuhui_desk.services.list_export import ExportError, export_requests_xlsx, list_rows
from xuhui_desk.services.request_company import company_id_of_request
from xuhui_desk.services.search import ATTENTION, OPEN, RECENT, RequestFilter, read_queue_ids

NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)
COLUMNS = [("tracking_no", "受理编号"), ("created_at", "受理时间"), ("enterprise_name", "企业"),
           ("phone", "电话"), ("category", "类别"), ("status", "状态"), ("urgency", "紧急程度")]


@pytest.fixture
def listed(station_db: Database) -> dict[str, str]:
    db = station_db
    made = {
        "closed": add_request(db, "咨询融资担保费率", name="上海星河科技有限公司", status="closed",
                              phone="13812345678", created_at=NOW - timedelta(days=10)),
        "talent": add_request(db, "博士人才引进落户", name="上海云启生物医药有限公司", category="talent",
                              phone="021-64871234", created_at=NOW - timedelta(days=3)),
        "urgent": add_request(db, "营业执照地址变更", name="徐汇区老王餐饮店", category="permit",
                              urgency="urgent", phone="13524418876", created_at=NOW - timedelta(hours=5)),
    }
    with db.write() as session:
        session.execute(update(Request).where(Request.tracking_no == made["talent"])
                        .values(channel="phone", specialist="王芳"))
    return made


def test_the_workbook_has_the_filtered_rows_in_order(station_db: Database, listed: dict[str, str],
                                                     tmp_path: Path) -> None:
    target = tmp_path / "list.xlsx"
    reported: list[tuple[int, int]] = []
    flt = RequestFilter(status=OPEN, sort=RECENT)
    count = export_requests_xlsx(station_db, flt, target, COLUMNS, language="zh_CN", now=NOW,
                                 progress=lambda done, total: reported.append((done, total)))
    assert count == 2 and reported[-1] == (2, 2)
    workbook = load_workbook(target, read_only=True)
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    assert rows[0] == [title for _key, title in COLUMNS]
    assert [r[0] for r in rows[1:]] == [listed["urgent"], listed["talent"]]
    urgent = rows[1]
    # Shanghai time (UTC+8) as a real date-time, labels not codes, the phone masked.
    assert urgent[1] == (NOW - timedelta(hours=5) + timedelta(hours=8)).replace(tzinfo=None)
    assert urgent[2:] == ["徐汇区老王餐饮店", "135****8876", "政务办事", "新受理", "紧急"]
    assert rows[2][3] == "021-****1234"
    assert "13524418876" not in str(rows)


def test_the_new_filters_narrow_the_export(station_db: Database, listed: dict[str, str], tmp_path: Path) -> None:
    def exported(flt: RequestFilter) -> list[str]:
        export_requests_xlsx(station_db, flt, tmp_path / "f.xlsx", COLUMNS[:1], now=NOW)
        workbook = load_workbook(tmp_path / "f.xlsx", read_only=True)
        found = [r[0] for r in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
        workbook.close()
        return found

    assert exported(RequestFilter(urgency="urgent")) == [listed["urgent"]]
    assert exported(RequestFilter(channel="phone")) == [listed["talent"]]
    assert exported(RequestFilter(specialist="李敏", sort=RECENT)) == [listed["urgent"], listed["closed"]]
    assert exported(RequestFilter(specialist="nobody")) == []
    ids = read_queue_ids(station_db, RequestFilter(channel="walk_in", urgency="normal", sort=ATTENTION), NOW).ids
    assert len(ids) == 1


def test_a_cancelled_export_leaves_no_file(station_db: Database, listed: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "list.xlsx"
    target.write_bytes(b"the previous export")

    class Stop(Exception):
        """What the GUI's progress raises after Cancel (tasks.Cancelled)."""

    def cancel(_done: int, _total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        export_requests_xlsx(station_db, RequestFilter(), target, COLUMNS, now=NOW, progress=cancel)
    assert target.read_bytes() == b"the previous export"
    assert [p.name for p in out.iterdir()] == ["list.xlsx"]
    with pytest.raises(ExportError, match="unknown columns"):
        export_requests_xlsx(station_db, RequestFilter(), target, [("password", "x")], now=NOW)
    with pytest.raises(ExportError, match="no such folder"):
        export_requests_xlsx(station_db, RequestFilter(), tmp_path / "missing" / "x.xlsx", COLUMNS, now=NOW)


def test_the_printed_list(station_db: Database, listed: dict[str, str]) -> None:
    printed = list_rows(station_db, RequestFilter(sort=RECENT), ["tracking_no", "created_at", "phone", "channel"],
                        language="en", now=NOW, limit=2)
    assert printed.total == 3
    assert printed.rows == [[listed["urgent"], "2026-03-20 05:00", "135****8876", "Walk-in"],
                            [listed["talent"], "2026-03-17 10:00", "021-****1234", "Phone"]]


def test_the_company_of_a_request(station_db: Database, listed: dict[str, str]) -> None:
    from xuhui_desk.services.company_file import company_file

    company = company_id_of_request(station_db, listed["talent"])
    assert company is not None
    assert company_file(station_db, company).profile.name == "上海云启生物医药有限公司"
    assert company_id_of_request(station_db, "XH03-nothing") is None
