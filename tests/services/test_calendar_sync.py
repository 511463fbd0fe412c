"""The district publishes an official year on the hub; a real station gets it with its next sync.

Real hub over HTTP on 127.0.0.1 (tests/services/conftest.py), the real ``xuhui-hub`` command for
publishing, a frozen clock (``now=``/``clock=``) in late December 2026. The 2027 calendar is a
made-up test arrangement (see test_calendar_updates.py), not the State Council's notice.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from sqlalchemy import select

from tests.services.test_calendar_updates import DEC26, JAN27, events_of, intake, official_2027_text, request_of, sh
from tests.synckit import HubThread, hub_cli
from xuhui_desk.db import Database
from xuhui_desk.hub import store
from xuhui_desk.models import CalendarYear, EventKind
from xuhui_desk.services.calendar_updates import CALENDAR_PATH
from xuhui_desk.services.sync import run_sync


def test_published_calendar_reaches_the_station_and_recomputes_its_due_dates(
        hub: HubThread, station: Database, tmp_path: Path) -> None:
    number = intake(station, sh(DEC26, 30))
    assert request_of(station, number).sla_provisional
    first = run_sync(station, clock=lambda: sh(DEC26, 30, 11))
    assert first.ok, first.error
    assert store.request_detail(hub.db, number)["sla_due_at"].startswith("2027-01-14T17:30")

    notice = tmp_path / "2027.toml"
    notice.write_text(official_2027_text(), encoding="utf-8")
    published = hub_cli(hub.db.url, "calendar", "publish", str(notice), "--actor", "区营商办", "--json")
    assert json.loads(published.stdout)["changed"] is True
    listed = json.loads(hub_cli(hub.db.url, "calendar", "list", "--json").stdout)
    assert [y["year"] for y in listed] == [2027] and listed[0]["published_by"] == "区营商办"

    second = run_sync(station, clock=lambda: sh(DEC26, 31, 9))
    # (The frozen clock is weeks away from the hub's real one: the round warns about the skew.)
    assert second.ok and not [e for e in second.errors if "calendar" in e], (second.error, second.errors)
    with station.session() as s:
        [held] = s.scalars(select(CalendarYear)).all()
        assert (held.year, held.origin) == (2027, "hub")
    request = request_of(station, number)
    assert request.sla_due_at == sh(JAN27, 15, 17, 30) and not request.sla_provisional
    [event] = events_of(station, number, EventKind.DUE_RECOMPUTED)
    assert event.data["via"] == "hub" and event.origin == "station"

    # The next round carries the new due time and its timeline event to the district.
    third = run_sync(station, clock=lambda: sh(DEC26, 31, 10))
    assert third.ok, third.error
    detail = store.request_detail(hub.db, number)
    assert detail["sla_due_at"].startswith("2027-01-15T17:30")
    assert [e["kind"] for e in detail["events"]].count("due_recomputed") == 1
    # Rounds after that change nothing.
    assert run_sync(station, clock=lambda: sh(DEC26, 31, 11)).ok
    assert len(events_of(station, number, EventKind.DUE_RECOMPUTED)) == 1


def test_the_feed_needs_a_station_token_and_publishing_refuses_bad_files(hub: HubThread, tmp_path: Path) -> None:
    token = hub.add_station("XH07")
    url = hub.url + CALENDAR_PATH
    assert httpx.get(url, timeout=10).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer nope"}, timeout=10).status_code == 401
    ok = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert ok.status_code == 200 and ok.json() == {"years": []}

    bad = tmp_path / "2027.toml"
    bad.write_text('year = 2027\nsource = "x"\nholidays = [2027-01-01]\nworkdays = [2027-01-04]\n', encoding="utf-8")
    result = hub_cli(hub.db.url, "calendar", "publish", str(bad), check=False)
    assert result.returncode == 1
    assert "nothing published" in result.stderr and "Monday–Friday" in result.stderr
    assert "Traceback" not in result.stderr
    missing = hub_cli(hub.db.url, "calendar", "publish", str(tmp_path / "none.toml"), check=False)
    assert missing.returncode == 1 and "no such file" in missing.stderr
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).json() == {"years": []}


def test_a_malformed_feed_is_refused_by_the_station_and_changes_nothing(
        hub: HubThread, station: Database) -> None:
    number = intake(station, sh(DEC26, 30))
    from xuhui_desk.hub.calendar import HubCalendarYear

    # A row a faulty hub might serve: a date outside its year.
    with hub.db.write() as s:
        s.add(HubCalendarYear(year=2027, source="x", holidays=["2026-10-01"], workdays=[], digest="0" * 64,
                              published_at=sh(DEC26, 1)))
    summary = run_sync(station, clock=lambda: sh(DEC26, 31, 9))
    assert summary.ok
    assert any("calendar was refused" in e and "2026-10-01 is not in 2027" in e for e in summary.errors)
    assert request_of(station, number).sla_provisional
    with station.session() as s:
        assert s.scalars(select(CalendarYear)).all() == []
