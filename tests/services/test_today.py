"""Today's lists (services/today.py) on a real station database: which request lands in which
list, the working-day calendar's "due within one working day", callbacks, low ratings and the
specialist filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.synckit import add_requests, open_station
from xuhui_desk.db import Database
from xuhui_desk.services.followup import complete_callbacks, record_contact
from xuhui_desk.services.timefmt import SHANGHAI
from xuhui_desk.services.today import LISTS, today
from xuhui_desk.services.workflow import apply, find_request

# Friday 2027-03-12, 10:00 in Shanghai: the next working day is Monday the 15th.
NOW = datetime(2027, 3, 12, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Database]:
    db = open_station(tmp_path / "station")
    yield db
    db.close()


def _set(db: Database, uuid: str, **values: Any) -> None:
    with db.write() as s:
        request = find_request(s, uuid)
        for key, value in values.items():
            setattr(request, key, value)


def _numbers(db: Database, uuids: list[str]) -> dict[str, str]:
    with db.session() as s:
        return {find_request(s, u).tracking_no: u for u in uuids}


def test_requests_land_in_the_list_their_due_time_says(station: Database) -> None:
    uuids = add_requests(station, 9, now=NOW - timedelta(days=3))
    dues = [at(11, 17), at(12, 9, 59), at(12, 10, 1), at(12, 23, 59), at(13, 12), at(15, 16, 59), at(16, 9),
            at(10, 9), at(12, 15)]
    for uuid, due in zip(uuids, dues, strict=True):
        _set(station, uuid, sla_due_at=due)
    _set(station, uuids[7], status="replied")  # answered: waits for its rating, due no longer counts
    _set(station, uuids[8], status="cancelled")
    result = today(station, NOW)
    numbers = _numbers(station, uuids)

    def listed(key: str) -> list[str]:
        return [numbers[line.tracking_no] for line in result[key].lines if line.tracking_no]

    assert listed("overdue") == [uuids[0], uuids[1]]  # most overdue first
    assert listed("due_today") == [uuids[2], uuids[3]]
    # Saturday, and Monday up to its close of business: within one working day of Friday.
    assert listed("due_soon") == [uuids[4], uuids[5]]
    assert result.due_soon_until == at(15, 17, 30)  # close of business
    assert result.counts() == {"overdue": 2, "due_today": 2, "due_soon": 2, "callbacks_overdue": 0,
                               "callbacks_today": 0, "low_ratings": 0, "refused": 0}
    line = result["overdue"].lines[0]
    assert line.company.startswith("上海测试") and line.request_uuid == uuids[0] and line.due_at == at(11, 17)
    payload = result.to_dict()
    assert list(payload["lists"]) == list(LISTS)
    assert payload["lists"]["overdue"]["lines"][0]["due_at"] == "2027-03-11T17:00:00+08:00"


def test_counts_are_complete_when_the_lines_are_limited(station: Database) -> None:
    uuids = add_requests(station, 5, now=NOW - timedelta(days=3))
    for i, uuid in enumerate(uuids):
        _set(station, uuid, sla_due_at=at(11, 9 + i))
    result = today(station, NOW, limit=2)
    assert result["overdue"].count == 5 and len(result["overdue"].lines) == 2


def test_callbacks_of_today_and_overdue_ones_until_done(station: Database) -> None:
    uuids = add_requests(station, 3, now=NOW - timedelta(days=5))
    earlier = NOW - timedelta(days=3)
    record_contact(station, uuids[0], "phone", "约定周二回电", "2027-03-10", now=earlier)
    record_contact(station, uuids[1], "visit", "约定今天再去", "2027-03-12", now=earlier, actor="王芳")
    record_contact(station, uuids[2], "phone", "下周一回电", "2027-03-15", now=earlier)
    result = today(station, NOW)
    assert [(line.request_uuid, line.due_on, line.detail) for line in result["callbacks_overdue"].lines] == [
        (uuids[0], "2027-03-10", "约定周二回电")]
    assert [(line.request_uuid, line.specialist) for line in result["callbacks_today"].lines] == [(uuids[1], "王芳")]
    mine = today(station, NOW, specialist="王芳")
    assert (mine["callbacks_today"].count, mine["callbacks_overdue"].count) == (1, 0)
    # Done by a later contact, or marked done: off the list.
    record_contact(station, uuids[0], "phone", "已回电", now=NOW)
    complete_callbacks(station, uuids[1], now=NOW)
    result = today(station, NOW)
    assert (result["callbacks_overdue"].count, result["callbacks_today"].count) == (0, 0)
    assert today(station, at(15, 9))["callbacks_today"].count == 1


def test_low_ratings_wait_for_rectification_until_answered_again(station: Database) -> None:
    uuids = add_requests(station, 3, now=NOW - timedelta(days=5))
    for uuid in uuids:
        apply(station, uuid, status="routed", now=NOW - timedelta(days=4))
        apply(station, uuid, status="replied", reply="已答复企业", now=NOW - timedelta(days=3))
    apply(station, uuids[0], rating=1, comment="没有解决", now=NOW - timedelta(days=2))
    apply(station, uuids[1], rating=5, now=NOW - timedelta(days=2))
    apply(station, uuids[2], rating=2, now=NOW - timedelta(days=2))
    apply(station, uuids[2], status="replied", reply="整改后再次答复", now=NOW - timedelta(days=1))
    result = today(station, NOW)
    assert [(line.request_uuid, line.rating, line.status) for line in result["low_ratings"].lines] == [
        (uuids[0], 1, "in_progress")]
    assert result["low_ratings"].lines[0].due_at is not None  # the rectification's due time


def test_the_specialist_filter_narrows_the_request_lists(station: Database) -> None:
    uuids = add_requests(station, 4, now=NOW - timedelta(days=3))
    for i, uuid in enumerate(uuids):
        _set(station, uuid, sla_due_at=at(11, 9), specialist="王芳" if i % 2 else "李敏")
    assert today(station, NOW)["overdue"].count == 4
    mine = today(station, NOW, specialist="王芳")
    assert {line.request_uuid for line in mine["overdue"].lines} == {uuids[1], uuids[3]}
    assert mine.to_dict()["specialist"] == "王芳"


def test_a_naive_time_is_refused(station: Database) -> None:
    with pytest.raises(ValueError, match="aware"):
        today(station, datetime(2027, 3, 12, 10))
