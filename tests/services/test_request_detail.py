"""The detail pane's read model, without Qt: a real station database, the real workflow and the
real working-day calendar."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tests.bulk_data import add_request
from xuhui_desk.db import Database
from xuhui_desk.models import Request
from xuhui_desk.services.request_detail import DetailData, escalation_at, load_detail, rating_preview
from xuhui_desk.services.workflow import RequestNotFound, apply, find_request

# Monday 2 November 2026, 10:00 in Shanghai; 2026 is on the official calendar.
T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
# Friday 30 October 2026, 17:30 in Shanghai.
FRIDAY_DUE = datetime(2026, 10, 30, 9, 30, tzinfo=UTC)


def _uuid(db: Database, tracking_no: str) -> str:
    with db.session() as s:
        return find_request(s, tracking_no).uuid


def test_a_new_request_in_full(station_db: Database) -> None:
    no = add_request(station_db, "想申请一笔银行贷款，需要担保", name="上海星河科技有限公司", uscc="9131010452601815X3",
                     contact_name="王先生", phone="13812345678", created_at=T0 - timedelta(days=3),
                     sla_due_at=T0 + timedelta(days=5), urgency="urgent")
    data = load_detail(station_db, _uuid(station_db, no), now=T0)
    assert isinstance(data, DetailData)
    assert (data.tracking_no, data.status, data.urgency, data.category) == (no, "new", "urgent", "finance")
    assert (data.enterprise_name, data.uscc, data.contact_name, data.phone) == (
        "上海星河科技有限公司", "9131010452601815X3", "王先生", "13812345678")
    assert data.description == "想申请一笔银行贷款，需要担保"
    # What the workflow allows next, never straight to replied or closed.
    assert data.allowed == ("routed", "in_progress", "cancelled")
    assert data.is_open and data.can_edit and not data.ratable
    assert data.escalation is None  # not due yet
    assert [e.kind for e in data.events] == ["created"]
    # Plain frozen data: safe to hand to the GUI thread.
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.status = "closed"  # type: ignore[misc]


def test_a_tracking_number_finds_it_too_and_an_unknown_one_is_refused(station_db: Database) -> None:
    no = add_request(station_db, "咨询人才公寓申请条件", category="talent")
    assert load_detail(station_db, no, now=T0).tracking_no == no
    with pytest.raises(RequestNotFound):
        load_detail(station_db, "XH03-20260101-999", now=T0)


def test_events_in_recorded_order_and_what_follows_a_reply(station_db: Database) -> None:
    no = add_request(station_db, "新招的博士想办理人才引进落户", category="talent", created_at=T0)
    apply(station_db, no, status="in_progress", now=T0 + timedelta(hours=1))
    apply(station_db, no, note="已电话联系", now=T0 + timedelta(hours=2))
    # A clock that went backwards does not reorder the timeline: the record order is the truth.
    apply(station_db, no, status="replied", reply="已告知所需材料", now=T0 - timedelta(days=1))
    data = load_detail(station_db, no, now=T0 + timedelta(hours=3))
    kinds = [e.kind for e in data.events]
    assert kinds[0] == "created" and kinds[-1] in ("status_changed", "reply")
    assert [e.id for e in data.events] == sorted(e.id for e in data.events)
    assert data.status == "replied" and data.ratable and data.is_open
    assert "closed" in data.allowed


def test_escalation_counts_working_days_not_calendar_days(station_db: Database) -> None:
    # Due Friday 17:30; Monday 10:00 is only 1.5 business hours late (the weekend counts nothing).
    no = add_request(station_db, "企业想了解稳岗补贴", created_at=FRIDAY_DUE - timedelta(days=10),
                     sla_due_at=FRIDAY_DUE)
    level, days = load_detail(station_db, no, now=T0).escalation or (0, None)
    assert level == 1 and days is not None and 0 < days < 1
    # A week later it is past five working days: level 3.
    level, days = load_detail(station_db, no, now=T0 + timedelta(days=7)).escalation or (0, None)
    assert level == 3 and days is not None and days > 5


def test_a_resolved_request_is_never_overdue(station_db: Database) -> None:
    no = add_request(station_db, "企业想了解稳岗补贴", status="closed", created_at=FRIDAY_DUE - timedelta(days=10),
                     sla_due_at=FRIDAY_DUE)
    assert load_detail(station_db, no, now=T0 + timedelta(days=30)).escalation is None


def test_overdue_in_a_year_without_a_calendar_is_still_marked(station_db: Database) -> None:
    # 2003 has no official working-day calendar here: overdue at level 1, days unknown.
    due = datetime(2003, 6, 2, 9, 30, tzinfo=UTC)
    assert escalation_at(due, "in_progress", datetime(2003, 6, 20, tzinfo=UTC)) == (1, None)
    assert escalation_at(due, "in_progress", due - timedelta(hours=1)) is None
    assert escalation_at(None, "in_progress", T0) is None


def test_a_link_to_a_request_this_station_does_not_hold(station_db: Database) -> None:
    first = add_request(station_db, "想申请一笔银行贷款，需要担保")
    second = add_request(station_db, "贷款的后续问题")
    with station_db.write() as s:
        s.execute(update(Request).where(Request.tracking_no == second)
                  .values(linked_request_uuid=_uuid(station_db, first)))
    assert load_detail(station_db, second, now=T0).linked_tracking_no == first
    with station_db.write() as s:
        s.execute(update(Request).where(Request.tracking_no == second)
                  .values(linked_request_uuid="00000000-0000-4000-8000-000000000000"))
    data = load_detail(station_db, second, now=T0)
    assert data.linked_tracking_no is None and data.linked_request_uuid is not None


def test_a_synced_request_cannot_be_corrected_any_more(station_db: Database) -> None:
    no = add_request(station_db, "企业想了解稳岗补贴", synced=True)
    assert not load_detail(station_db, no, now=T0).can_edit


def test_rating_preview_says_what_a_rating_will_do(station_db: Database) -> None:
    dissatisfied = rating_preview(station_db, "replied", 1, T0)
    assert dissatisfied.reopens and not dissatisfied.closes
    assert dissatisfied.due is not None and dissatisfied.due > T0
    satisfied = rating_preview(station_db, "replied", 5, T0)
    assert satisfied.closes and not satisfied.reopens
