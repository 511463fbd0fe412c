"""The weekly report of a week running into a new year (2026-W53: Monday 28 December 2026 to
Sunday 3 January 2027), with a frozen clock in January 2027; provisional due dates are marked."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.services.test_calendar_updates import DEC26, JAN27, intake, official_2027_text, request_of, sh
from xuhui_desk.db import Database
from xuhui_desk.services import workflow
from xuhui_desk.services.calendar_updates import import_calendar_file
from xuhui_desk.services.reports import export_weekly_report, parse_week, report_labels

AFTER_THE_WEEK = sh(JAN27, 4, 9)


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _texts(ws: Any) -> list[str]:
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]


def test_2026_has_53_iso_weeks() -> None:
    week = parse_week("2026-W53")
    assert week.days[0] == date(2026, 12, 28) and week.days[-1] == date(2027, 1, 3)
    assert date(2027, 1, 3).isocalendar()[:2] == (2026, 53)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_week_53_report_marks_provisional_due_dates(station_db: Database, tmp_path: Path, language: str) -> None:
    # Routed on Sunday 3 January 2027: the first-response time counts working hours across the
    # new year (Dec 31 16:00–17:30 only: 元旦 and the weekend are off). Before the provisional
    # calendar this report was refused (2027 unknown).
    late = intake(station_db, sh(DEC26, 31, 16))
    workflow.apply(station_db, late, status="routed", now=sh(JAN27, 3, 10))
    official = intake(station_db, sh(DEC26, 28, 10), category="space", urgency="urgent")  # due Dec 29: overdue
    labels = report_labels(language)

    report = export_weekly_report(station_db, "2026-W53", tmp_path / "w53.xlsx", language=language,
                                  now=AFTER_THE_WEEK)

    assert report.week.label == "2026-W53" and not report.partial
    assert [d.day for d in report.daily] == [date(2026, 12, 28 + i) for i in range(4)] + [
        date(2027, 1, i) for i in (1, 2, 3)]
    assert report.totals.new == 2 and report.totals.overdue == 1
    assert report.first_response.median == pytest.approx(1.5)
    assert report.summary_dict()["provisional_due_dates"] is True
    book = load_workbook(tmp_path / "w53.xlsx")
    requests = _rows(book[labels["sheet_requests"]])
    header = requests[0]
    assert header[-1] == labels["columns"]["due_basis"]
    due_column = header.index(labels["columns"]["due"])
    by_number = {r[0]: r for r in requests[1:]}
    assert by_number[late][-1] == labels["due_provisional"]
    # Policy, 10 working days from day 0 Thursday Dec 31: Jan 4–8 and 11–15 → Friday 15 January.
    assert by_number[late][due_column] == datetime(2027, 1, 15)
    assert by_number[official][-1] is None
    overdue = _rows(book[labels["sheet_overdue"]])
    assert overdue[0][-1] == labels["columns"]["due_basis"] and [r[0] for r in overdue[1:]] == [official]
    assert labels["note_provisional"] in "\n".join(_texts(book[labels["sheet_summary"]]))


def test_without_provisional_due_dates_the_workbook_keeps_its_columns(station_db: Database, tmp_path: Path) -> None:
    number = intake(station_db, sh(DEC26, 31, 16))
    notice = tmp_path / "2027.toml"
    notice.write_text(official_2027_text(), encoding="utf-8")
    import_calendar_file(station_db, notice, now=sh(JAN27, 2))
    assert not request_of(station_db, number).sla_provisional
    labels = report_labels("zh_CN")
    report = export_weekly_report(station_db, "2026-W53", tmp_path / "w53.xlsx", now=AFTER_THE_WEEK)
    assert not report.provisional_due_dates
    book = load_workbook(tmp_path / "w53.xlsx")
    header = _rows(book[labels["sheet_requests"]])[0]
    assert labels["columns"]["due_basis"] not in header and header[-1] == labels["columns"]["rating"]
    assert labels["note_provisional"] not in "\n".join(_texts(book[labels["sheet_summary"]]))
