"""Contacts, callbacks, reply texts and the current specialist (services/followup.py), on a real
station database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.synckit import add_requests, open_station
from xuhui_desk import record_rules
from xuhui_desk.db import Database
from xuhui_desk.models import Callback, ReplyTemplate, Request, RequestEvent, SyncState
from xuhui_desk.services.followup import (
    FollowupError,
    complete_callbacks,
    current_specialist,
    known_specialists,
    open_callbacks,
    record_contact,
    reply_templates,
    set_reply_templates,
    switch_specialist,
)
from xuhui_desk.services.search import RequestFilter, find_ids
from xuhui_desk.services.workflow import RequestNotFound, apply, edit_intake, find_request
from xuhui_desk.validation import ValidationFailed

# 2027-03-10 10:00 in Shanghai (a Wednesday).
NOW = datetime(2027, 3, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Database]:
    db = open_station(tmp_path / "station")
    yield db
    db.close()


def _state(db: Database, uuid: str) -> tuple[int, int, int, str]:
    """What a refused contact must leave unchanged: events, callbacks, revision, sync state."""
    with db.session() as s:
        request = find_request(s, uuid)
        callbacks = s.scalar(select(func.count()).select_from(Callback)) or 0
        return len(request.events), callbacks, request.revision, str(request.sync_state)


def test_a_contact_is_a_timeline_event_by_the_current_specialist(station: Database) -> None:
    (uuid,) = add_requests(station, 1, now=NOW - timedelta(days=1))
    result = record_contact(station, uuid, "phone", "  已电话告知企业申报材料清单 👍🏻\n下周再确认  ", "2027-03-12",
                            now=NOW)
    assert result.actor == "李敏" and result.channel == "phone" and result.callback_on == "2027-03-12"
    assert result.summary == "已电话告知企业申报材料清单 👍🏻\n下周再确认"  # emoji kept, outer space trimmed
    with station.session() as s:
        request = find_request(s, uuid)
        event = request.events[-1]
        assert (event.kind, event.actor, event.origin) == ("contact", "李敏", "station")
        assert event.data == {"channel": "phone", "summary": result.summary, "callback_on": "2027-03-12"}
        assert event.sync_state == SyncState.PENDING and request.sync_state == SyncState.PENDING
        assert request.revision == 2
    # What the station writes is what the hub accepts.
    window = record_rules.time_window(NOW)
    assert record_rules.check_event_data("contact", event.data, origin="station", window=window) == []
    assert [(c.due_on, c.specialist) for c in open_callbacks(station, uuid)] == [("2027-03-12", "李敏")]


def test_a_later_contact_closes_the_open_callback_and_may_plan_the_next(station: Database) -> None:
    (uuid,) = add_requests(station, 1, now=NOW - timedelta(days=1))
    first = record_contact(station, uuid, "phone", "约定周五回电", "2027-03-12", now=NOW)
    switch_specialist(station, "王芳")
    second = record_contact(station, uuid, "visit", "上门核实情况", "2027-03-20", now=NOW + timedelta(hours=1))
    assert second.callbacks_closed == 1 and second.actor == "王芳"
    with station.session() as s:
        rows = {c.event_uuid: c for c in s.scalars(select(Callback))}
    assert rows[first.event_uuid].done_event_uuid == second.event_uuid
    assert rows[first.event_uuid].done_by == "王芳"
    assert rows[second.event_uuid].done_at is None
    third = record_contact(station, uuid, "message", "已发短信确认", now=NOW + timedelta(hours=2))
    assert third.callbacks_closed == 1 and third.callback_on is None
    assert open_callbacks(station, uuid) == []


def test_a_callback_can_be_marked_done_without_a_contact(station: Database) -> None:
    (uuid,) = add_requests(station, 1, now=NOW - timedelta(days=1))
    record_contact(station, uuid, "phone", "约定回电", "2027-03-11", now=NOW)
    assert complete_callbacks(station, uuid, actor="王芳", now=NOW) == 1
    assert open_callbacks(station, uuid) == []
    with pytest.raises(FollowupError, match="no open callback"):
        complete_callbacks(station, uuid, now=NOW)


@pytest.mark.parametrize(
    ("channel", "summary", "callback", "field", "code"),
    [
        ("phone", "", None, "summary", "text.required"),
        ("phone", " \n\t\u200b ", None, "summary", "text.required"),
        ("phone", "长" * 2001, None, "summary", "text.too_long"),
        ("fax", "已联系", None, "contact_channel", "choice.invalid"),
        ("", "已联系", None, "contact_channel", "choice.invalid"),
        ("phone", "已联系", "2027-02-30", "callback_on", "date.invalid"),
        ("phone", "已联系", "next friday", "callback_on", "date.invalid"),
        ("phone", "已联系", "2027-03-09", "callback_on", "callback.past"),
        ("phone", "已联系", "2029-01-01", "callback_on", "callback.too_far"),
    ],
)
def test_bad_contact_input_is_refused_with_a_message_and_writes_nothing(
        station: Database, channel: str, summary: str, callback: str | None, field: str, code: str) -> None:
    (uuid,) = add_requests(station, 1, now=NOW - timedelta(days=1))
    record_contact(station, uuid, "phone", "先前的联系", "2027-03-15", now=NOW)
    before = _state(station, uuid)
    with pytest.raises(ValidationFailed) as caught:
        record_contact(station, uuid, channel, summary, callback, now=NOW)
    assert [(i.field, i.code) for i in caught.value.issues] == [(field, code)]
    message = caught.value.issues[0].message("zh_CN")
    assert message and code not in message  # a sentence from the catalogue, not the code
    assert _state(station, uuid) == before
    assert len(open_callbacks(station, uuid)) == 1  # the planned callback is still open


def test_every_problem_is_listed_at_once(station: Database) -> None:
    (uuid,) = add_requests(station, 1, now=NOW - timedelta(days=1))
    with pytest.raises(ValidationFailed) as caught:
        record_contact(station, uuid, "fax", "", "yesterday", now=NOW)
    assert {i.field for i in caught.value.issues} == {"contact_channel", "summary", "callback_on"}


def test_contact_on_an_unknown_request_is_refused(station: Database) -> None:
    add_requests(station, 1, now=NOW - timedelta(days=1))
    with pytest.raises(RequestNotFound, match="XH03-20990101-001"):
        record_contact(station, "XH03-20990101-001", "phone", "已联系", now=NOW)
    with station.session() as s:
        assert s.scalar(select(func.count()).select_from(RequestEvent).where(RequestEvent.kind == "contact")) == 0


def test_today_is_a_valid_callback_day_and_a_date_object_is_accepted(station: Database) -> None:
    (uuid,) = add_requests(station, 1, now=NOW - timedelta(days=1))
    assert record_contact(station, uuid, "phone", "今天下午再打", "2027-03-10", now=NOW).callback_on == "2027-03-10"
    assert record_contact(station, uuid, "phone", "改约", date(2027, 3, 11), now=NOW).callback_on == "2027-03-11"


def test_reply_texts_come_from_resources_until_the_lead_edits_them(station: Database) -> None:
    shipped = reply_templates(station, "finance")
    assert shipped and all(not t.edited for t in shipped)
    assert "银行" in shipped[0].text
    assert reply_templates(station, "finance", language="en")[0].text.startswith("Hello")
    every = reply_templates(station)
    assert {t.category for t in every} >= {"finance", "talent", "legal", "credit", "policy", "space", "permit", "other"}

    texts = [("贴息已受理 ✅", "您好，贴息申请已受理。"), ("补材料", "请补充财务报表。")]
    edited = set_reply_templates(station, "finance", texts, actor="张组长")
    assert [(t.title, t.edited) for t in edited] == [("贴息已受理 ✅", True), ("补材料", True)]
    with station.session() as s:
        assert {r.updated_by for r in s.scalars(select(ReplyTemplate))} == {"张组长"}
    assert reply_templates(station, "talent") == [t for t in every if t.category == "talent"]  # others untouched

    for bad in ([("", "内容")], [("标题", "")], [("标" * 51, "内容")], [("标题", "字" * 2001)]):
        with pytest.raises(ValidationFailed):
            set_reply_templates(station, "finance", bad)
        assert reply_templates(station, "finance") == edited  # nothing lost
    with pytest.raises(ValidationFailed) as caught:
        set_reply_templates(station, "no_such", [("a", "b")])
    assert caught.value.issues[0].code == "choice.invalid"

    assert set_reply_templates(station, "finance", []) == shipped  # back to the shipped texts


def test_switching_the_specialist_changes_who_every_action_records(station: Database) -> None:
    (uuid,) = add_requests(station, 1, now=NOW - timedelta(days=1))
    assert current_specialist(station) == "李敏"
    assert switch_specialist(station, "  王芳 ") == "王芳"
    assert known_specialists(station) == ["王芳", "李敏"]
    switch_specialist(station, "李敏")
    assert known_specialists(station) == ["李敏", "王芳"]
    switch_specialist(station, "王芳")
    apply(station, uuid, status="routed", now=NOW)
    apply(station, uuid, note="已电话联系", now=NOW)
    edit_intake(station, uuid, urgency="urgent", now=NOW)
    record_contact(station, uuid, "phone", "已联系", now=NOW)
    with station.session() as s:
        actors = [(e.kind, e.actor) for e in find_request(s, uuid).events]
    assert actors == [("created", "李敏"), ("status_changed", "王芳"), ("note", "王芳"), ("edited", "王芳"),
                      ("contact", "王芳")]
    for bad in ("", "   ", "名" * 51):
        with pytest.raises(ValidationFailed):
            switch_specialist(station, bad)
    assert current_specialist(station) == "王芳"


def test_my_requests_filter(station: Database) -> None:
    uuids = add_requests(station, 4, now=NOW - timedelta(days=1))
    with station.write() as s:
        for uuid in uuids[:3]:
            find_request(s, uuid).specialist = "王芳"
    with station.session() as s:
        mine = find_ids(s, RequestFilter(specialist="王芳"), now=NOW)
        ids = {find_request(s, u).id: u for u in uuids}
        assert {ids[i] for i in mine} == set(uuids[:3])
        assert len(find_ids(s, RequestFilter(specialist=None), now=NOW)) == 4
        assert s.scalar(select(func.count()).select_from(Request)) == 4
