"""Due dates after 2026: provisional until the official year arrives, then recomputed and logged.

The clock is frozen by passing ``now=`` (intake, workflow, calendar updates); the 2027 calendar
used here is a made-up test arrangement, NOT the State Council's notice: the statutory days of
the 2024 rules plus a bridging Monday 4 January 2027, so that the official count differs from
the provisional one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from xuhui_desk.cli import main
from xuhui_desk.db import Database
from xuhui_desk.models import CalendarYear, EventKind, Request, RequestEvent, SyncState
from xuhui_desk.services import workflow
from xuhui_desk.services.calendar_updates import (
    apply_official_years,
    import_calendar_file,
    parse_feed,
    recompute_provisional,
    station_calendar,
)
from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
from xuhui_desk.services.workdays import (
    SHANGHAI,
    CalendarDataError,
    default_calendar,
    provisional_holidays,
    read_calendar_file,
)

USCC = "9131010452601815X3"


def sh(month_year: tuple[int, int], day: int, hour: int = 10, minute: int = 0) -> datetime:
    year, month = month_year
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


DEC26, JAN27, FEB27 = (2026, 12), (2027, 1), (2027, 2)


def official_2027_text(extra_holidays: tuple[str, ...] = ("2027-01-04",), workdays: tuple[str, ...] = ()) -> str:
    days = sorted({d.isoformat() for d in provisional_holidays(2027)} | set(extra_holidays))
    return (
        "year = 2027\n"
        'source = "测试用安排（非国务院通知）"\n'
        f"holidays = [{', '.join(days)}]\n"
        f"workdays = [{', '.join(workdays)}]\n"
    )


@pytest.fixture
def official_2027(tmp_path: Path) -> Path:
    path = tmp_path / "notice-2027.toml"
    path.write_text(official_2027_text(), encoding="utf-8")
    return path


def intake(db: Database, now: datetime, category: str = "policy", urgency: str = "normal") -> str:
    data = IntakeInput(enterprise=EnterpriseInput(name="上海示例科技有限公司", uscc=USCC),
                       description="咨询高新技术企业认定补贴的申报条件", category=category, urgency=urgency)
    return create_request(db, data, now=now).tracking_no


def request_of(db: Database, tracking_no: str) -> Request:
    with db.session() as s:
        return s.scalars(select(Request).where(Request.tracking_no == tracking_no)).one()


def events_of(db: Database, tracking_no: str, kind: str) -> list[RequestEvent]:
    with db.session() as s:
        return list(s.scalars(select(RequestEvent).join(Request).where(
            Request.tracking_no == tracking_no, RequestEvent.kind == kind).order_by(RequestEvent.id)))


# -- intake in late December 2026 and in 2027 ------------------------------------------------------


def test_intake_on_30_december_2026_gets_a_provisional_due_date_in_2027(station_db: Database) -> None:
    # Before this change the calendar raised CalendarYearUnknown for 2027 and the request was
    # saved without a due time. Policy: 10 working days. Day 0 Wednesday Dec 30; Dec 31, then
    # (元旦 off) Jan 4–8 and Jan 11–14: due Thursday 14 January 17:30, provisional.
    number = intake(station_db, sh(DEC26, 30))
    request = request_of(station_db, number)
    assert request.sla_due_at == sh(JAN27, 14, 17, 30)
    assert request.sla_provisional is True
    # A due time that stays within 2026 is official.
    short = request_of(station_db, intake(station_db, sh(DEC26, 30, 11), category="space", urgency="urgent"))
    assert short.sla_due_at == sh(DEC26, 31, 17, 30) and short.sla_provisional is False


def test_intake_in_2027_counts_the_provisional_spring_festival(station_db: Database) -> None:
    # Finance: 5 working days from Thursday 4 February 2027. Provisional 2027: 除夕 Friday Feb 5,
    # 初一–初三 Saturday–Monday, the weekend days made up Tuesday–Wednesday (补假): Feb 11, 12, 15,
    # 16, 17 → due Wednesday 17 February.
    request = request_of(station_db, intake(station_db, sh(FEB27, 4), category="finance"))
    assert request.sla_due_at == sh(FEB27, 17, 17, 30) and request.sla_provisional


def test_list_json_marks_provisional_due_dates(station_db: Database, data_dir: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    provisional = intake(station_db, sh(DEC26, 30))
    official = intake(station_db, sh(DEC26, 1))
    assert main(["--data-dir", str(data_dir), "list", "--json"]) == 0
    rows = {r["tracking_no"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[provisional]["sla_provisional"] is True
    assert rows[provisional]["sla_due_at"].startswith("2027-01-14T17:30")
    assert rows[official]["sla_provisional"] is False


# -- the official year arrives -----------------------------------------------------------------------


def test_import_recomputes_the_open_provisional_due_dates_and_logs_them(
        station_db: Database, official_2027: Path) -> None:
    number = intake(station_db, sh(DEC26, 30))
    within_2026 = intake(station_db, sh(DEC26, 30, 11), category="space", urgency="urgent")
    cancelled = intake(station_db, sh(DEC26, 30, 12))
    workflow.apply(station_db, cancelled, status="cancelled", now=sh(DEC26, 30, 13))
    revision = request_of(station_db, number).revision
    now = sh(DEC26, 31, 9)

    update = import_calendar_file(station_db, official_2027, now=now, actor="站长")

    assert update.stored == [2027] and not update.warnings
    assert [(r.tracking_no, r.old_due, r.new_due, r.provisional) for r in update.recomputed] == [
        (number, sh(JAN27, 14, 17, 30), sh(JAN27, 15, 17, 30), False)]
    request = request_of(station_db, number)
    # With Monday Jan 4 off too: Dec 31, Jan 5–8, Jan 11–15 → Friday 15 January.
    assert request.sla_due_at == sh(JAN27, 15, 17, 30) and request.sla_provisional is False
    assert request.revision == revision + 1 and request.sync_state == SyncState.PENDING
    [event] = events_of(station_db, number, EventKind.DUE_RECOMPUTED)
    assert event.origin == "station" and event.actor == "站长" and event.occurred_at == now
    assert event.sync_state == SyncState.PENDING  # goes to the hub with the next sync
    assert event.data == {"old_due": sh(JAN27, 14, 17, 30).astimezone(UTC).isoformat(),
                          "new_due": sh(JAN27, 15, 17, 30).astimezone(UTC).isoformat(),
                          "provisional": False, "via": "import", "source": "2027: 测试用安排（非国务院通知）"}
    # Not provisional, or not open: untouched.
    assert not events_of(station_db, within_2026, EventKind.DUE_RECOMPUTED)
    assert not events_of(station_db, cancelled, EventKind.DUE_RECOMPUTED)
    assert request_of(station_db, cancelled).sla_provisional  # a cancelled request keeps what it had

    # The same file again changes nothing and logs nothing.
    again = import_calendar_file(station_db, official_2027, now=now + timedelta(hours=1))
    assert again.unchanged == [2027] and not again.recomputed
    assert len(events_of(station_db, number, EventKind.DUE_RECOMPUTED)) == 1
    # New intake now counts on the official 2027.
    later = request_of(station_db, intake(station_db, sh(DEC26, 31, 10)))
    assert later.sla_provisional is False


def test_a_provisional_due_date_the_official_year_confirms_loses_its_flag_silently(
        station_db: Database, tmp_path: Path) -> None:
    number = intake(station_db, sh(DEC26, 30))
    path = tmp_path / "2027.toml"
    path.write_text(official_2027_text(extra_holidays=()), encoding="utf-8")
    update = import_calendar_file(station_db, path, now=sh(DEC26, 31))
    assert update.confirmed == 1 and not update.recomputed
    request = request_of(station_db, number)
    assert request.sla_due_at == sh(JAN27, 14, 17, 30) and not request.sla_provisional
    assert not events_of(station_db, number, EventKind.DUE_RECOMPUTED)


def test_a_rectification_due_date_is_recomputed_from_the_rating(station_db: Database, official_2027: Path) -> None:
    number = intake(station_db, sh(DEC26, 1))
    workflow.apply(station_db, number, status="routed", now=sh(DEC26, 2))
    workflow.apply(station_db, number, status="replied", now=sh(DEC26, 3))
    workflow.apply(station_db, number, rating=1, comment="没有解决", now=sh(DEC26, 28))
    # 15 working days from Monday Dec 28: Dec 29–31, Jan 4–8, 11–15, 18–19 → Tuesday 19 January.
    request = request_of(station_db, number)
    assert request.sla_due_at == sh(JAN27, 19, 17, 30) and request.sla_provisional
    import_calendar_file(station_db, official_2027, now=sh(DEC26, 29))
    assert request_of(station_db, number).sla_due_at == sh(JAN27, 20, 17, 30)


def test_a_category_change_keeps_the_flag_true(station_db: Database) -> None:
    number = intake(station_db, sh(DEC26, 1), category="space")
    assert not request_of(station_db, number).sla_provisional
    workflow.apply(station_db, number, category="policy", now=sh(DEC26, 20))
    # Policy counts 10 working days from intake on Dec 1: still in December, official.
    assert not request_of(station_db, number).sla_provisional
    late = intake(station_db, sh(DEC26, 28), category="space")
    workflow.apply(station_db, late, category="policy", now=sh(DEC26, 28, 11))
    assert request_of(station_db, late).sla_provisional


def test_recompute_after_a_program_update_shipped_the_year(station_db: Database, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    number = intake(station_db, sh(DEC26, 30))
    folder = tmp_path / "calendar"
    folder.mkdir()
    (folder / "2027.toml").write_text(official_2027_text(), encoding="utf-8")
    from xuhui_desk.services import calendar_updates, workdays

    monkeypatch.setattr(calendar_updates, "default_calendar", lambda: workdays.WorkCalendar(override_dir=folder))
    with station_db.write() as s:
        changed, _ = recompute_provisional(s, now=sh(DEC26, 31))
    assert [c.tracking_no for c in changed] == [number]
    assert events_of(station_db, number, EventKind.DUE_RECOMPUTED)[0].data["via"] == "program"


def test_station_years_stay_with_their_station(station_db: Database, official_2027: Path, tmp_path: Path) -> None:
    from xuhui_desk.db import open_database
    from xuhui_desk.services.station import init_station

    import_calendar_file(station_db, official_2027, now=sh(DEC26, 31))
    other = open_database(tmp_path / "other" / "xuhui_desk.db")
    try:
        init_station(other, "XH05", "另一个服务站", "")
        with other.session() as s:
            assert station_calendar(s) is default_calendar() and station_calendar(s).is_provisional(2027)
        with station_db.session() as s:
            assert station_calendar(s).covers(2027)
    finally:
        other.close()


# -- bad files ---------------------------------------------------------------------------------------


BAD_FILES = [
    ("year = 2027\nsource = \"x\"\nholidays = [2026-10-01]\nworkdays = []\n", "2026-10-01 is not in 2027"),
    ("year = 2027\nsource = \"x\"\nholidays = [\"2027-W01-1\"]\nworkdays = []\n", "is not a date"),
    ("year = 2027\nsource = \"x\"\nholidays = [2027-01-01]\nworkdays = [2027-01-04]\n", "Monday–Friday"),
    ("year = 2027\nsource = \"\"\nholidays = [2027-01-01]\nworkdays = []\n", "source must name"),
    ("year = 2027\nsource = \"x\"\nholidays = []\nworkdays = []\n", "holidays is empty"),
    ("year = \"2027\"\nsource = \"x\"\nholidays = [2027-01-01]\nworkdays = []\n", "not a year"),
    ("year = 2027\nsource = \"x\"\nholidays = [2027-01-01]\n", "missing key"),
    ("year = 2027\nsource = \"x\"\nholidays = [2027-01-01]\nworkdays = []\nnote = 1\n", "unknown key"),
    ("year = 2027\nholidays = [2027-01-01, 2027-01-01]\nsource = \"x\"\nworkdays = []\n", "listed twice"),
    ("year = 2027\nsource = \"x\"\nholidays = 2027-01-01\nworkdays = []\n", "must be a list"),
    ("year = [2027\n", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "problem"), BAD_FILES)
def test_bad_calendar_files_are_refused_with_the_reason(station_db: Database, data_dir: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str], text: str,
                                                        problem: str) -> None:
    number = intake(station_db, sh(DEC26, 30))
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["--data-dir", str(data_dir), "calendar", "import", str(path)]) == 3
    err = capsys.readouterr().err
    assert "refused, nothing changed" in err and problem in err and str(path) in err
    assert "Traceback" not in err
    with station_db.session() as s:
        assert s.scalars(select(CalendarYear)).all() == []
    assert request_of(station_db, number).sla_provisional


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8", b"x" * (70 * 1024), None])
def test_unreadable_files_are_refused(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "file.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CalendarDataError, match=str(path)):
        read_calendar_file(path)
    with pytest.raises(CalendarDataError, match="folder"):
        read_calendar_file(tmp_path)


def test_the_hub_feed_is_validated_like_a_file() -> None:
    good = {"year": 2027, "source": "x", "holidays": ["2027-01-01"], "workdays": [], "digest": "d"}
    assert parse_feed({"years": [good]})[0].year == 2027
    for feed in ({}, {"years": "2027"}, {"years": [1]}, {"years": [good | {"holidays": ["2027-13-01"]}]},
                 {"years": [good | {"year": True}]}):
        with pytest.raises(CalendarDataError):
            parse_feed(feed)


def test_cli_import_status_and_recompute(station_db: Database, data_dir: Path, official_2027: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    number = intake(station_db, sh(DEC26, 30))
    assert main(["--data-dir", str(data_dir), "calendar", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["years"]["2027"] == "provisional" and status["open_provisional_due_dates"] == 1
    assert main(["--data-dir", str(data_dir), "calendar", "import", str(official_2027), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["stored"] == [2027] and result["recomputed"][0]["tracking_no"] == number
    assert result["recomputed"][0]["new_due"].startswith("2027-01-15T17:30")
    assert main(["--data-dir", str(data_dir), "calendar", "status"]) == 0
    text = capsys.readouterr().out
    assert "2027: official" in text and "0 open request(s)" in text and "测试用安排" in text
    assert main(["--data-dir", str(data_dir), "calendar", "recompute"]) == 0
    assert "0 due date(s) recomputed" in capsys.readouterr().out


def test_statutory_days_missing_from_an_official_file_are_warned_about(station_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "2027.toml"
    path.write_text('year = 2027\nsource = "x"\nholidays = [2027-01-01]\nworkdays = []\n', encoding="utf-8")
    update = apply_official_years(station_db, [read_calendar_file(path)], via="import", now=sh(DEC26, 31))
    assert update.stored == [2027]
    assert update.warnings and "2027-02-05 (春节)" in update.warnings[0]
