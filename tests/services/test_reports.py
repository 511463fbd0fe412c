"""The weekly Excel report, checked figure by figure against the database.

A realistic week (2026-W48: Monday 2026-11-23 to Sunday 2026-11-29, Shanghai) is generated
in a real workstation database with intake and timeline events: requests received during the
week and at its edges (Sunday 23:59:59 and Monday 00:00 Shanghai time), requests received
earlier and resolved — or still open and overdue — this week, changes after the week ended,
ratings (one dissatisfied, reopened and answered again), cancellations. The expected figures
are computed here, independently, from the requests and events in the database (replaying
each timeline, with the calendar's own ``working_hours_between``); the written .xlsx is opened
with openpyxl and every figure of the summary is compared.
"""

from __future__ import annotations

import random
import statistics
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from xuhui_desk.config import database_path
from xuhui_desk.db import Database, open_database
from xuhui_desk.models import EventKind, Request, RequestEvent, Status
from xuhui_desk.resources import resource_path
from xuhui_desk.services import reports
from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
from xuhui_desk.services.labels import rating_label, status_label
from xuhui_desk.services.reports import (
    ReportError,
    ReportRow,
    WorkingClock,
    compute_weekly_report,
    export_weekly_report,
    mask_name,
    mask_phone,
    parse_week,
    timeline_facts,
    workstation_rows,
    write_weekly_report,
)
from xuhui_desk.services.station import init_station
from xuhui_desk.services.taxonomy import load_taxonomy
from xuhui_desk.services.workdays import default_calendar

SH = ZoneInfo("Asia/Shanghai")
WEEK = "2026-W48"
MONDAY = datetime(2026, 11, 23, tzinfo=SH)
WEEK_END = MONDAY + timedelta(days=7)  # Sunday 24:00 = next Monday 00:00
NOW = WEEK_END + timedelta(hours=10)  # the lead makes the report on Monday morning
CATEGORIES = ["finance", "talent", "legal", "credit", "policy", "space", "permit", "other"]
RESOLVED = {"replied", "closed"}
OPEN = {"new", "routed", "in_progress"}


def sh(day: int, hour: int = 10, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=SH)


class _Router:
    """Agrees with the category the test chooses (routing is not what is tested here)."""

    def __init__(self) -> None:
        self.category = "other"

    def suggest(self, text: str, enterprise_name: str | None = None, **_options: Any) -> Any:
        return SimpleNamespace(category=self.category, subcategory=None)

    def learn(self, text: str, category: str) -> None:
        pass


# ------------------------------------------------------------------------------ generating a week


@dataclass
class Sample:
    db: Database
    numbers: dict[str, str]  # a name in the test → tracking number


def _intake(db: Database, router: _Router, when: datetime, category: str, *, name: str, contact: str = "",
            phone: str = "", uscc: str = "") -> str:
    router.category = category
    data = IntakeInput(EnterpriseInput(name=name, uscc=uscc, contact_name=contact, phone=phone),
                       "企业来访反映的诉求，需要跟进办理", category=category)
    return create_request(db, data, router=router, now=when.astimezone(UTC)).tracking_no  # type: ignore[arg-type]


def _apply(db: Database, tracking_no: str, steps: list[tuple[str, datetime, Any]]) -> None:
    """Timeline events and the request's columns, as the workflow writes them.

    ``steps``: ("status", at, target) | ("rate", at, 1..5) | ("note", at, text).
    """
    with db.write() as s:
        request = s.scalars(select(Request).where(Request.tracking_no == tracking_no)).one()
        for kind, at, value in steps:
            at = at.astimezone(UTC)
            if kind == "status":
                s.add(RequestEvent(request_id=request.id, kind=EventKind.STATUS_CHANGED, actor="区部门",
                                   occurred_at=at, data={"from": request.status, "status": value}))
                if request.first_response_at is None:
                    request.first_response_at = at
                if value in RESOLVED and request.resolved_at is None:
                    request.resolved_at = at
                if value == "in_progress" and request.status in RESOLVED:
                    request.resolved_at = None
                request.status = value
            elif kind == "rate":
                s.add(RequestEvent(request_id=request.id, kind=EventKind.RATED, actor="企业", occurred_at=at,
                                   data={"rating": value, "comment": ""}))
                request.rating = value
                if value <= 2:
                    s.add(RequestEvent(request_id=request.id, kind=EventKind.RECTIFICATION, actor="企业",
                                       occurred_at=at, data={"from": request.status, "status": "in_progress",
                                                             "reason": "dissatisfied_rating"}))
                    request.status = "in_progress"
                    request.resolved_at = None
            else:
                s.add(RequestEvent(request_id=request.id, kind=EventKind.NOTE, actor="李敏", occurred_at=at,
                                   data={"note": value}))
            request.updated_at = at
            request.revision += 1
            s.flush()


def _generate(db: Database) -> dict[str, str]:
    init_station(db, "XH03", "徐家汇服务站", "徐汇区漕溪北路1号", specialist="李敏")
    router = _Router()
    rng = random.Random(48)
    named: dict[str, str] = {}
    contacts = [("王小明", "13812345678"), ("李娜", "021-64871234"), ("欧阳娜娜", "021-64871234转123"),
                ("Ann Lee", "13900001111"), ("", "")]

    def new(key: str | None, when: datetime, category: str, **kw: Any) -> str:
        contact, phone = contacts[len(named) % len(contacts)]
        number = _intake(db, router, when, category, name=kw.pop("name", f"上海测试{len(named) % 17}号科技有限公司"),
                         contact=kw.pop("contact", contact), phone=kw.pop("phone", phone), **kw)
        named[key or f"r{len(named)}"] = number
        return number

    # The week's edges: Sunday 23:59:59 and Monday 00:00 belong to the week that begins then.
    new("prev_sunday_last_second", sh(22, 23, 59, 59), "finance")
    new("monday_first_second", sh(23, 0, 0, 0), "talent")
    new("sunday_last_second", sh(29, 23, 59, 59), "legal")
    new("next_monday_first_second", sh(30, 0, 0, 0), "credit")

    # Received two weeks ago and still open: overdue at the week's end.
    old = new("old_overdue", sh(9, 15), "permit", name="上海老大难&<有限>公司 ")
    _apply(db, old, [("status", sh(10, 9), "routed"), ("status", sh(12, 11), "in_progress")])
    # Received in October, never touched, overdue: listed first on the overdue sheet.
    new("october_untouched", sh(20, 10, month=10), "space")
    # Received last week, resolved this week (counts as resolved, not as new).
    for i in range(6):
        number = new(f"last_week_{i}", sh(16 + i, 9 + i), CATEGORIES[i])
        _apply(db, number, [("status", sh(16 + i, 14 + i % 3), "routed"),
                            ("status", sh(23 + i, 11), "in_progress" if i % 2 else "replied")]
               + ([("status", sh(23 + i, 16), "replied")] if i % 2 else []))
    # Received last week, replied last week, rated this week: counts for satisfaction only.
    late_rating = new("rated_this_week", sh(17, 10), "policy")
    _apply(db, late_rating, [("status", sh(17, 11), "routed"), ("status", sh(18, 15), "replied"),
                             ("rate", sh(24, 9, 30), 4), ("status", sh(24, 9, 30), "closed")])
    # Rated before the week: not counted.
    earlier = new("rated_last_week", sh(16, 10), "policy")
    _apply(db, earlier, [("status", sh(16, 11), "replied"), ("rate", sh(20, 9), 5), ("status", sh(20, 9), "closed")])

    # The week itself: a working week's intake with nights and the weekend, and their fates.
    for _ in range(70):
        day = rng.choice([23, 23, 24, 24, 25, 25, 26, 26, 27, 27, 28, 29])
        when = sh(day, 0) + timedelta(seconds=rng.randrange(1 if day < 28 else 0, 24 * 3600))
        number = new(None, when, rng.choice(CATEGORIES))
        fate = rng.random()
        t = when + timedelta(hours=rng.uniform(0.2, 30))
        steps: list[tuple[str, datetime, Any]] = []
        if fate < 0.05:
            steps.append(("status", t, "cancelled"))
        elif fate < 0.85:
            for target in ("routed", "in_progress", "replied", "closed")[: 1 + int(fate * 5) % 4]:
                steps.append(("status", t, target))
                t += timedelta(hours=rng.uniform(0.5, 40))
            if steps[-1][2] in RESOLVED and rng.random() < 0.7:
                steps.append(("rate", t, rng.choice([5, 5, 5, 4, 4, 3, 2, 1])))
        if rng.random() < 0.2:
            steps.append(("note", when + timedelta(hours=1), "已电话联系企业"))
        _apply(db, number, sorted(steps, key=lambda s: s[1]))

    # A dissatisfied rating in the week reopens the request; replied again within the week.
    reopened = new("reopened", sh(23, 9, 30), "finance")
    _apply(db, reopened, [("status", sh(23, 10), "routed"), ("status", sh(24, 10), "replied"),
                          ("rate", sh(25, 10), 1), ("status", sh(27, 16), "replied")])
    # Resolved in the week, then reopened by a bad rating after the week ended: resolved at week end.
    after = new("reopened_after_week", sh(24, 9), "legal")
    _apply(db, after, [("status", sh(24, 10), "in_progress"), ("status", sh(26, 10), "replied"),
                       ("rate", sh(30, 9, month=11), 2)])
    # Still open at week end, resolved on Monday morning: open (and possibly overdue) at week end.
    monday = new("resolved_monday", sh(18, 10), "credit")
    _apply(db, monday, [("status", sh(18, 11), "routed"), ("status", sh(30, 9), "replied")])
    # Received before the week, first answered after it: no response in the week.
    silent = new("answered_after_week", sh(27, 18), "other")
    _apply(db, silent, [("status", sh(30, 9, 15), "routed")])
    return named


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("report-week")
    db = open_database(database_path(folder))
    numbers = _generate(db)
    yield Sample(db, numbers)
    db.close()


# ------------------------------------------------------------------- what the report must say


@dataclass
class Truth:
    request: Request
    status: str
    first_response: datetime | None
    resolved: datetime | None
    rating: int | None
    rated_at: datetime | None


def _truths(db: Database, cut_off: datetime) -> list[Truth]:
    """Replay every timeline up to the cut-off (written independently of the report's code)."""
    result = []
    with db.session() as s:
        for request in s.scalars(select(Request)):
            _ = request.enterprise
            if request.created_at >= cut_off:
                continue
            status, first, resolved, rating, rated_at = "new", None, None, None, None
            for event in sorted(request.events, key=lambda e: (e.occurred_at, e.id)):
                if event.occurred_at >= cut_off:
                    break
                if event.kind == "rated":
                    rating, rated_at = event.data["rating"], event.occurred_at
                target = event.data.get("status")
                if target is None:
                    continue
                if event.kind != "created" and first is None:
                    first = event.occurred_at
                if target in RESOLVED and status not in RESOLVED:
                    resolved = event.occurred_at
                status = target
            result.append(Truth(request, status, first, resolved if status in RESOLVED else None, rating,
                                rated_at))
    return result


def _in_week(moment: datetime | None) -> bool:
    return moment is not None and MONDAY <= moment < WEEK_END


def _local(moment: datetime) -> datetime:
    return moment.astimezone(SH).replace(tzinfo=None)


@pytest.fixture(scope="module")
def truths(sample: Sample) -> list[Truth]:
    return _truths(sample.db, WEEK_END)


@pytest.fixture(scope="module")
def workbook(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("out") / "report.xlsx"
    export_weekly_report(sample.db, WEEK, path, now=NOW.astimezone(UTC))
    return load_workbook(path)


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    return list(ws.iter_rows(values_only=True))


def _find(ws: Any, label: str, after: int = 0) -> int:
    """Row number (1-based) of the first row after ``after`` whose column A is ``label``."""
    for number, row in enumerate(ws.iter_rows(min_row=after + 1, max_col=1, values_only=True), start=after + 1):
        if row[0] == label:
            return number
    raise AssertionError(f"{label!r} not found in column A of {ws.title}")


def _labels(language: str = "zh_CN") -> dict[str, Any]:
    with resource_path("reports", "labels.toml").open("rb") as fh:
        return tomllib.load(fh)[language]


# ------------------------------------------------------------------------------ the summary


def test_summary_header(workbook: Any) -> None:
    labels = _labels()
    assert workbook.sheetnames == [labels["sheet_summary"], labels["sheet_requests"], labels["sheet_overdue"]]
    ws = workbook[labels["sheet_summary"]]
    assert ws["A1"].value == f"XH03 徐家汇服务站 {labels['title']}"
    week_row = _find(ws, labels["week"])
    assert ws.cell(week_row, 2).value == "2026-W48（2026-11-23 至 2026-11-29，北京时间）"
    as_of = ws.cell(_find(ws, labels["as_of"]), 2)
    assert as_of.is_date and as_of.value == datetime(2026, 11, 30, 0, 0)
    generated = ws.cell(_find(ws, labels["generated_at"]), 2)
    assert generated.is_date and generated.value == _local(NOW)
    assert labels["privacy_masked"] in [r[0] for r in _rows(ws)]


def test_totals(workbook: Any, truths: list[Truth]) -> None:
    labels = _labels()
    ws = workbook[labels["sheet_summary"]]
    new = [t for t in truths if t.request.created_at >= MONDAY]
    resolved = [t for t in truths if _in_week(t.resolved)]
    still_open = [t for t in truths if t.status in OPEN]
    overdue = [t for t in still_open if t.request.sla_due_at and t.request.sla_due_at < WEEK_END]
    assert len(new) > 60 and len(resolved) > 20 and len(overdue) >= 2  # the sample is a real week
    expected = {"total_new": len(new), "total_resolved": len(resolved), "total_open": len(still_open),
                "total_overdue": len(overdue)}
    for key, value in expected.items():
        row = _find(ws, labels[key])
        assert ws.cell(row, 2).value == value, key
    # Received last week and resolved this week: resolved, not new.
    last_week = [t for t in resolved if t.request.created_at < MONDAY]
    assert len(last_week) >= 6


def test_category_status_table(workbook: Any, truths: list[Truth]) -> None:
    labels = _labels()
    taxonomy = load_taxonomy()
    ws = workbook[labels["sheet_summary"]]
    header = _find(ws, labels["category"])
    statuses = [s.value for s in Status]
    assert [c.value for c in ws[header]][:8] == [labels["category"], *(status_label(s) for s in statuses),
                                                 labels["total"]]
    new = [t for t in truths if t.request.created_at >= MONDAY]
    counts = Counter((t.request.category, t.status) for t in new)
    for offset, category in enumerate(taxonomy.categories, start=1):
        row = [c.value for c in ws[header + offset]][:8]
        assert row[0] == category.label("zh_CN")
        expected = [counts[(category.code.value, s)] for s in statuses]
        assert row[1:7] == expected, category.code
        assert row[7] == sum(expected)
    total_row = [c.value for c in ws[header + len(taxonomy.categories) + 1]][:8]
    assert total_row[0] == labels["total"]
    assert total_row[1:7] == [sum(counts[(c, s)] for c in CATEGORIES) for s in statuses]
    assert total_row[7] == len(new)


def test_daily_intake_table(workbook: Any, truths: list[Truth]) -> None:
    labels = _labels()
    ws = workbook[labels["sheet_summary"]]
    header = _find(ws, labels["day"])
    new_by_day = Counter(t.request.created_at.astimezone(SH).date() for t in truths if t.request.created_at >= MONDAY)
    resolved_by_day = Counter(t.resolved.astimezone(SH).date() for t in truths if _in_week(t.resolved)
                              and t.resolved is not None)
    for i in range(7):
        day = date(2026, 11, 23) + timedelta(days=i)
        label, new, resolved = (c.value for c in ws[header + 1 + i][:3])
        assert label == f"{labels['weekdays'][i]} 11/{day.day}"
        assert (new, resolved) == (new_by_day[day], resolved_by_day[day]), day
    # Sunday 23:59:59 is Sunday's; Monday 00:00 of the next week is not in the table at all.
    assert new_by_day[date(2026, 11, 29)] >= 1


def test_response_times_in_working_hours(workbook: Any, truths: list[Truth]) -> None:
    labels = _labels()
    calendar = default_calendar()
    ws = workbook[labels["sheet_summary"]]
    assert labels["timing_title"] == "四、办理时效（单位：工作小时）"
    assert "工作小时" in labels["median"] and "工作小时" in labels["mean"]

    def figures(key: str, pairs: list[tuple[datetime, datetime]]) -> None:
        hours = [max(0.0, calendar.working_hours_between(a, b)) for a, b in pairs]
        count, median, mean = (c.value for c in ws[_find(ws, labels[key])][1:4])
        assert count == len(hours) > 10
        assert median == pytest.approx(statistics.median(hours), abs=1e-9)
        assert mean == pytest.approx(statistics.fmean(hours), abs=1e-9)
        assert ws.cell(_find(ws, labels[key]), 3).number_format == "0.0"

    figures("timing_first_response", [(t.request.created_at, t.first_response) for t in truths
                                      if _in_week(t.first_response) and t.first_response is not None])
    figures("timing_resolution", [(t.request.created_at, t.resolved) for t in truths
                                  if _in_week(t.resolved) and t.resolved is not None])
    resolved = [t for t in truths if _in_week(t.resolved) and t.request.sla_due_at is not None]
    on_time = [t for t in resolved if t.resolved is not None and t.resolved <= t.request.sla_due_at]
    count, share = (c.value for c in ws[_find(ws, labels["on_time"])][1:3])
    assert count == len(on_time)
    assert share == pytest.approx(len(on_time) / len(resolved))
    assert ws.cell(_find(ws, labels["on_time"]), 3).number_format == "0.0%"


def test_satisfaction(workbook: Any, truths: list[Truth]) -> None:
    labels = _labels()
    ws = workbook[labels["sheet_summary"]]
    rated = [t for t in truths if _in_week(t.rated_at)]
    levels = Counter(t.rating for t in rated)
    assert len(rated) >= 8 and levels[1] + levels[2] >= 1
    for level in (5, 4, 3, 2, 1):
        text = labels["rating_level"].format(label=rating_label(level), score=level)
        count, share = (c.value for c in ws[_find(ws, text)][1:3])
        assert count == levels[level]
        assert share == pytest.approx(levels[level] / len(rated))
    assert ws.cell(_find(ws, labels["rating_total"]), 2).value == len(rated)
    satisfied = levels[4] + levels[5]
    count, share = (c.value for c in ws[_find(ws, labels["satisfied"])][1:3])
    assert count == satisfied
    assert share == pytest.approx(satisfied / len(rated))
    # The rating given last week is not this week's; the one given this week to an older request is.
    numbers = {t.request.tracking_no: t for t in rated}
    assert all(t.request.created_at < WEEK_END for t in rated)
    assert any(t.request.created_at < MONDAY for t in numbers.values())


def test_definitions_are_stated(workbook: Any) -> None:
    labels = _labels()
    ws = workbook[labels["sheet_summary"]]
    notes = [r[0] for r in _rows(ws)[_find(ws, labels["notes_title"]):] if r[0]]
    assert len(notes) == len(labels["notes"])
    text = "\n".join(notes)
    for phrase in ("答复办结", "已答复", "已办结", "首次响应", "09:00–17:30", "4 分和 5 分", "周一 00:00 至周日 24:00"):
        assert phrase in text


def test_charts_point_at_the_summary_cells(workbook: Any) -> None:
    labels = _labels()
    ws = workbook[labels["sheet_summary"]]
    assert len(ws._charts) == 2
    bar, line = sorted(ws._charts, key=lambda c: c.tagname)
    assert (bar.tagname, line.tagname) == ("barChart", "lineChart")
    sheet = f"'{ws.title}'"
    header = _find(ws, labels["category"])
    last = header + len(CATEGORIES)
    (series,) = bar.series
    assert series.val.numRef.f == f"{sheet}!$H${header + 1}:$H${last}"
    assert series.tx.strRef.f.replace("$", "") == f"{sheet}!H{header}"
    assert (series.cat.strRef or series.cat.numRef).f == f"{sheet}!$A${header + 1}:$A${last}"
    assert ws.cell(header, 8).value == labels["total"]
    assert [ws.cell(r, 8).value for r in range(header + 1, last + 1)] == [
        sum(ws.cell(r, c).value for c in range(2, 8)) for r in range(header + 1, last + 1)]
    day = _find(ws, labels["day"])
    refs = [(s.val.numRef.f, s.tx.strRef.f.replace("$", "")) for s in line.series]
    assert refs == [(f"{sheet}!$B${day + 1}:$B${day + 7}", f"{sheet}!B{day}"),
                    (f"{sheet}!$C${day + 1}:$C${day + 7}", f"{sheet}!C{day}")]
    cats = line.series[0].cat
    assert (cats.strRef or cats.numRef).f == f"{sheet}!$A${day + 1}:$A${day + 7}"
    assert ws.cell(day, 2).value == labels["daily_new"] and ws.cell(day, 3).value == labels["daily_resolved"]


def test_summary_prints_portrait_fitted_to_width(workbook: Any) -> None:
    ws = workbook[_labels()["sheet_summary"]]
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)


# ---------------------------------------------------------------------------- the request sheets


def _expected_request_row(t: Truth, labels: dict[str, Any], masked: bool = True) -> tuple[Any, ...]:
    taxonomy = load_taxonomy()
    r = t.request
    contact, phone = r.enterprise.contact_name, r.enterprise.phone
    if masked:
        contact, phone = mask_name(contact), mask_phone(phone)
    due = r.sla_due_at
    return (
        r.tracking_no, _local(r.created_at), r.enterprise.name, r.enterprise.uscc, contact or None, phone or None,
        taxonomy.category(r.category).label("zh_CN"),
        taxonomy.department(r.department).label("zh_CN") if r.department else None,
        status_label(t.status),
        datetime.combine(due.astimezone(SH).date(), datetime.min.time()) if due else None,
        datetime.combine(t.resolved.astimezone(SH).date(), datetime.min.time()) if t.resolved else None,
        t.rating,
    )


def test_requests_sheet(workbook: Any, truths: list[Truth], sample: Sample) -> None:
    labels = _labels()
    ws = workbook[labels["sheet_requests"]]
    rows = _rows(ws)
    assert rows[0] == tuple(labels["columns"][k] for k in (
        "tracking_no", "created_at", "enterprise", "uscc", "contact", "phone", "category", "department", "status",
        "due", "resolved", "rating"))
    new = sorted((t for t in truths if t.request.created_at >= MONDAY),
                 key=lambda t: (t.request.created_at, t.request.tracking_no))
    assert [r[0] for r in rows[1:]] == [t.request.tracking_no for t in new]
    for got, truth in zip(rows[1:], new, strict=True):
        assert got == _expected_request_row(truth, labels), truth.request.tracking_no
    # The week's edges.
    numbers = [r[0] for r in rows[1:]]
    assert numbers[0] == sample.numbers["monday_first_second"]
    assert numbers[-1] == sample.numbers["sunday_last_second"]
    assert sample.numbers["prev_sunday_last_second"] not in numbers
    assert sample.numbers["next_monday_first_second"] not in numbers
    assert rows[-1][1] == datetime(2026, 11, 29, 23, 59, 59)


def test_requests_sheet_cells_and_print_set_up(workbook: Any) -> None:
    labels = _labels()
    ws = workbook[labels["sheet_requests"]]
    n = ws.max_row
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:L{n}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$1"
    created, due = ws["B2"], ws["J2"]
    assert created.is_date and created.number_format == "yyyy-mm-dd hh:mm" and isinstance(created.value, datetime)
    assert due.is_date and due.number_format == "yyyy-mm-dd"
    resolved = [ws.cell(r, 11) for r in range(2, n + 1) if ws.cell(r, 11).value is not None]
    assert resolved and all(c.is_date and c.number_format == "yyyy-mm-dd" for c in resolved)
    assert all(ws.cell(1, c).font.b for c in range(1, 13))
    # Column widths fit the widest value (Chinese characters count double) and the header.
    for column in "ACHI":
        values = [str(ws[f"{column}{r}"].value or "") for r in range(1, n + 1)]
        widest = max(reports.text_width(v) for v in values)
        assert widest <= ws.column_dimensions[column].width <= widest * 1.1 + 3, column
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width


def test_overdue_sheet(workbook: Any, truths: list[Truth], sample: Sample) -> None:
    labels = _labels()
    taxonomy = load_taxonomy()
    calendar = default_calendar()
    ws = workbook[labels["sheet_overdue"]]
    rows = _rows(ws)
    assert rows[0] == tuple(labels["columns"][k] for k in (
        "tracking_no", "created_at", "enterprise", "contact", "phone", "category", "department", "status", "due",
        "overdue_days", "escalation"))
    overdue = sorted((t for t in truths if t.status in OPEN and t.request.sla_due_at
                      and t.request.sla_due_at < WEEK_END),
                     key=lambda t: (t.request.sla_due_at, t.request.created_at, t.request.tracking_no))
    assert len(rows) - 1 == len(overdue)
    for got, t in zip(rows[1:], overdue, strict=True):
        r = t.request
        assert got == (
            r.tracking_no, _local(r.created_at), r.enterprise.name, mask_name(r.enterprise.contact_name) or None,
            mask_phone(r.enterprise.phone) or None, taxonomy.category(r.category).label("zh_CN"),
            taxonomy.department(r.department).label("zh_CN"), status_label(t.status),
            datetime.combine(r.sla_due_at.astimezone(SH).date(), datetime.min.time()),
            round(calendar.overdue_workdays(r.sla_due_at, WEEK_END), 1),
            calendar.escalation_level(r.sla_due_at, WEEK_END),
        )
    numbers = [r[0] for r in rows[1:]]
    # Oldest first, whenever received; an untouched request from October is the oldest.
    assert numbers[0] == sample.numbers["october_untouched"]
    assert sample.numbers["old_overdue"] in numbers
    # Open at week end, resolved on Monday: still listed (the report is as at the week's end).
    monday = next(t for t in truths if t.request.tracking_no == sample.numbers["resolved_monday"])
    assert monday.status == "routed" and (monday.request.tracking_no in numbers) == (
        monday.request.sla_due_at < WEEK_END)
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == f"A1:K{len(rows)}"
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
    assert ws["I2"].is_date and ws["J2"].number_format == "0.0"


def test_special_characters_survive(workbook: Any, sample: Sample) -> None:
    ws = workbook[_labels()["sheet_overdue"]]
    names = [r[2] for r in _rows(ws)[1:]]
    assert "上海老大难&<有限>公司" in names  # intake trims the trailing space; &, < and > are kept


def test_cut_off_is_the_end_of_the_week(sample: Sample, workbook: Any, truths: list[Truth]) -> None:
    """Changes made on Monday after the week are not in the week's report."""
    labels = _labels()
    rows = {r[0]: r for r in _rows(workbook[labels["sheet_requests"]])[1:]}
    after = sample.numbers["reopened_after_week"]
    assert rows[after][8] == status_label("replied")  # reopened on Monday: replied at week end
    with sample.db.session() as s:
        assert s.scalars(select(Request.status).where(Request.tracking_no == after)).one() == "in_progress"
    reopened = sample.numbers["reopened"]
    assert rows[reopened][8] == status_label("replied")
    assert rows[reopened][10] == datetime(2026, 11, 27)  # answered again on Friday: resolved then
    silent = next(t for t in truths if t.request.tracking_no == sample.numbers["answered_after_week"])
    assert silent.first_response is None and rows[silent.request.tracking_no][8] == status_label("new")


# ------------------------------------------------------------------------------------ privacy


def test_masking_by_default_and_unmasked_on_request(sample: Sample, tmp_path: Path) -> None:
    masked, full = tmp_path / "masked.xlsx", tmp_path / "full.xlsx"
    export_weekly_report(sample.db, WEEK, masked, now=NOW)
    export_weekly_report(sample.db, WEEK, full, now=NOW, unmasked=True)

    def cells(path: Path) -> set[str]:
        wb = load_workbook(path)
        return {str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None}

    hidden = {"王小明", "13812345678", "021-64871234", "021-64871234转123", "欧阳娜娜", "Ann Lee", "李娜"}
    masked_cells, full_cells = cells(masked), cells(full)
    assert not hidden & masked_cells
    assert {"王**", "138****5678", "021-****1234", "021-****1234转***", "欧**", "A**", "李**"} <= masked_cells
    assert hidden <= full_cells
    labels = _labels()
    assert labels["privacy_unmasked"] in full_cells and labels["privacy_masked"] in masked_cells


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    ("+8613812345678", "138****5678"),
    ("021-64871234", "021-****1234"),
    ("021-64871234转123", "021-****1234转***"),
    ("0571-8888777", "0571-****8777"),
    ("12345", "*2345"),
    ("", ""),
])
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("name", "masked"), [("王小明", "王**"), ("李娜", "李**"), ("欧阳娜娜", "欧**"),
                                              ("Ann Lee", "A**"), ("", ""), ("  ", ""),
                                              ("x", "**"), ("王", "**")])  # audit L4: one character is all
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


# ------------------------------------------------------------------------------- English, weeks


def test_english_workbook(sample: Sample, tmp_path: Path) -> None:
    path = tmp_path / "en.xlsx"
    export_weekly_report(sample.db, WEEK, path, language="en", now=NOW)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "Requests", "Overdue"]
    ws = wb["Summary"]
    assert ws["A1"].value == "XH03 徐家汇服务站 Enterprise Service Station Weekly Report"
    assert ws.cell(_find(ws, "Week"), 2).value == "2026-W48 (2026-11-23 to 2026-11-29, Shanghai time)"
    header = _find(ws, "Category")
    assert [c.value for c in ws[header]][:8] == ["Category", "New", "Routed", "In progress", "Replied", "Closed",
                                                 "Cancelled", "Total"]
    assert ws.cell(header + 1, 1).value == load_taxonomy().category("finance").label("en")
    assert _find(ws, "Time to first response") and "working hours" in ws.cell(_find(ws, "Measure", header), 3).value
    requests = wb["Requests"]
    assert requests["A1"].value == "Tracking No." and requests["I1"].value == "Status (week end)"
    assert requests["G2"].value in {c.label("en") for c in load_taxonomy().categories}


def test_partial_week_is_as_of_now(sample: Sample, tmp_path: Path) -> None:
    now = sh(26, 12)
    with sample.db.session() as s:
        report = reports.build_weekly_report(s, WEEK, now=now)
    assert report.partial and report.as_of == now
    truths = _truths(sample.db, now)
    assert report.totals.new == sum(1 for t in truths if t.request.created_at >= MONDAY)
    assert report.totals.open == sum(1 for t in truths if t.status in OPEN)
    path = write_weekly_report(report, tmp_path / "partial.xlsx")
    ws = load_workbook(path)[_labels()["sheet_summary"]]
    row = _find(ws, _labels()["as_of"])
    assert ws.cell(row, 2).value == datetime(2026, 11, 26, 12, 0)
    assert ws.cell(row, 6).value == _labels()["as_of_partial"]


@pytest.mark.parametrize("text", ["2026-48", "2026W48", "W48", "", "2026-W00", "2026-W54", "2025-W53", "abcd-W01"])
def test_bad_weeks_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(ReportError, match=r"2026-W48|has weeks"):
        parse_week(text)


def test_weeks_are_iso_weeks_in_shanghai() -> None:
    week = parse_week("2026-W53")
    assert week.days[0] == date(2026, 12, 28) and week.days[-1] == date(2027, 1, 3)
    assert parse_week(" 2026-w1 ").label == "2026-W01"
    assert parse_week("2026-W48").start == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert reports.week_of(datetime(2026, 11, 29, 15, 59, 59, tzinfo=UTC)).label == "2026-W48"
    assert reports.week_of(datetime(2026, 11, 29, 16, 0, 0, tzinfo=UTC)).label == "2026-W49"
    assert reports.last_complete_week(datetime(2026, 12, 1, tzinfo=UTC)).label == "2026-W48"


def test_a_week_not_begun_is_refused(station_db: Database) -> None:
    with station_db.session() as s, pytest.raises(ReportError, match="has not begun"):
        reports.build_weekly_report(s, "2026-W49", now=sh(29, 23, 59))


def test_an_empty_week(station_db: Database, tmp_path: Path) -> None:
    report = export_weekly_report(station_db, WEEK, tmp_path / "empty.xlsx", now=NOW)
    assert report.totals.new == report.totals.resolved == report.totals.open == 0
    wb = load_workbook(tmp_path / "empty.xlsx")
    labels = _labels()
    ws = wb[labels["sheet_summary"]]
    assert ws.cell(_find(ws, labels["timing_first_response"]), 3).value == labels["none"]
    assert ws.cell(_find(ws, labels["satisfied"]), 3).value == labels["none"]
    assert len(ws._charts) == 2
    assert wb[labels["sheet_requests"]].max_row == 1


# ---------------------------------------------------------------------------- the building blocks


def test_sql_rows_follow_the_timeline_rule(sample: Sample) -> None:
    """workstation_rows (SQL over columns and timelines) says what timeline_facts says."""
    with sample.db.session() as s:
        rows = {r.tracking_no: r for r in workstation_rows(s, MONDAY, WEEK_END)}
        requests = list(s.scalars(select(Request)))
        for request in requests:
            facts = timeline_facts([(e.occurred_at, e.kind, e.data) for e in request.events], WEEK_END)
            relevant = request.created_at < WEEK_END and (
                request.created_at >= MONDAY or facts.status in OPEN
                or any(_in_week(m) for m in (facts.first_response_at, facts.resolved_at, facts.rated_at)))
            row = rows.get(request.tracking_no)
            if not relevant:
                continue
            assert row is not None, request.tracking_no
            assert (row.status, row.first_response_at, row.resolved_at) == (
                facts.status, facts.first_response_at, facts.resolved_at), request.tracking_no
            if _in_week(facts.rated_at):
                assert (row.rating, row.rated_at) == (facts.rating, facts.rated_at)


_moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 11, 20),
                        timezones=st.just(SH))


@settings(max_examples=300, deadline=None)
@given(_moments, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)))
def test_working_clock_is_the_calendars_arithmetic(start: datetime, length: timedelta) -> None:
    calendar = default_calendar()
    clock = WorkingClock(calendar)
    end = start + length
    assert clock.hours_between(start, end) == pytest.approx(calendar.working_hours_between(start, end), abs=1e-6)
    assert clock.overdue_workdays(start, end) == pytest.approx(calendar.overdue_workdays(start, end), abs=1e-9)
    assert clock.escalation_level(start, end) == calendar.escalation_level(start, end)


def test_district_roll_up_with_a_station_column(tmp_path: Path) -> None:
    """The hub hands in rows of several stations; the writer adds a station column."""
    created = sh(24, 10).astimezone(UTC)
    rows = [
        ReportRow("XH01-20261124-001", created, "上海甲公司", "", "张三", "13812345678", "finance", "finance_center",
                  "replied", created + timedelta(days=2), created + timedelta(hours=1), created + timedelta(hours=5),
                  5, created + timedelta(hours=6), station="XH01"),
        ReportRow("XH02-20261124-001", created, " 上海乙公司\x01🚀 & <Co> ", "", "", "", "unknown_code", "",
                  "new", created - timedelta(days=1), station="XH02"),
    ]
    report = compute_weekly_report(rows, WEEK, station_code=None, now=NOW)
    assert report.show_station and report.totals == reports.Totals(new=2, resolved=1, open=1, overdue=1)
    assert report.categories[-1] == "unknown_code"
    path = write_weekly_report(report, tmp_path / "district.xlsx")
    wb = load_workbook(path)
    labels = _labels()
    assert wb[labels["sheet_summary"]]["A1"].value == f"{labels['all_stations']} {labels['title']}"
    requests = _rows(wb[labels["sheet_requests"]])
    assert requests[0][0] == labels["columns"]["station"]
    assert [r[0] for r in requests[1:]] == ["XH01", "XH02"]
    assert requests[2][7] == "unknown_code"  # an unknown category is shown by its code
    assert requests[2][3] == " 上海乙公司🚀 & <Co> "  # XML-invalid characters dropped, spaces kept
    assert wb[labels["sheet_requests"]].auto_filter.ref == "A1:M3"


def test_labels_have_the_same_keys_in_both_languages() -> None:
    with resource_path("reports", "labels.toml").open("rb") as fh:
        data = tomllib.load(fh)

    def keys(table: dict[str, Any], prefix: str = "") -> set[str]:
        found = set()
        for key, value in table.items():
            found.add(prefix + key)
            if isinstance(value, dict):
                found |= keys(value, f"{prefix}{key}.")
        return found

    assert keys(data["zh_CN"]) == keys(data["en"])
    assert len(data["zh_CN"]["notes"]) == len(data["en"]["notes"])
    for language in ("zh_CN", "en"):
        for key in ("sheet_summary", "sheet_requests", "sheet_overdue"):
            name = data[language][key]
            assert len(name) <= 31 and not set(name) & set(":\\/?*[]")
        assert {status_label(s.value, language) for s in Status}.isdisjoint({s.value for s in Status})


def test_written_file_appears_whole(sample: Sample, tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    export_weekly_report(sample.db, WEEK, target, now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]
    with pytest.raises(FileNotFoundError):
        export_weekly_report(sample.db, WEEK, tmp_path / "missing" / "report.xlsx", now=NOW)


def test_the_workflow_s_own_changes_are_reported(station_db: Database, tmp_path: Path) -> None:
    """Statuses and ratings made through services.workflow, as the GUI and `update` make them."""
    from xuhui_desk.services.workflow import apply

    router = _Router()
    first = _intake(station_db, router, sh(23, 10), "finance", name="上海流程一号有限公司")
    second = _intake(station_db, router, sh(24, 10), "legal", name="上海流程二号有限公司")
    apply(station_db, first, status="routed", now=sh(23, 11).astimezone(UTC))
    apply(station_db, first, status="replied", now=sh(24, 15).astimezone(UTC))
    apply(station_db, first, rating=5, now=sh(25, 9).astimezone(UTC))
    apply(station_db, second, status="in_progress", now=sh(24, 12).astimezone(UTC))
    apply(station_db, second, status="replied", now=sh(26, 12).astimezone(UTC))
    apply(station_db, second, rating=2, now=sh(30, 9).astimezone(UTC))  # after the week: reopens it
    with station_db.session() as s:
        report = reports.build_weekly_report(s, WEEK, now=NOW)
    assert report.totals == reports.Totals(new=2, resolved=2, open=0, overdue=0)
    assert report.satisfaction.count == 1 and report.satisfaction.by_level[5] == 1
    assert [r.status for r in report.requests] == ["closed", "replied"]
    assert report.first_response.count == 2
