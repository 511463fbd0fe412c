from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from xuhui_desk.db import Database
from xuhui_desk.models import EventKind, Request, RoutingCorrection, Status, SyncState
from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
from xuhui_desk.services.workflow import (
    TRANSITIONS,
    WorkflowError,
    allowed_next,
    apply,
    can_edit_intake,
    edit_intake,
    find_request,
    status_from_timeline,
)
from xuhui_desk.validation import ValidationFailed

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 Shanghai


def _new(db: Database, text: str = "想申请一笔银行贷款，需要担保", category: str | None = None) -> str:
    return create_request(db, IntakeInput(EnterpriseInput(name="上海流程测试有限公司"), text, category=category),
                          now=T0).tracking_no


def _request(db: Database, tracking_no: str) -> Request:
    with db.session() as s:
        req = find_request(s, tracking_no)
        _ = req.events
        return req


def test_happy_path_with_timeline(station_db: Database) -> None:
    no = _new(station_db)
    for i, status in enumerate(["routed", "in_progress", "replied", "closed"], start=1):
        apply(station_db, no, status=status, actor="李敏", now=T0 + timedelta(hours=i))
    req = _request(station_db, no)
    assert req.status == "closed"
    assert req.first_response_at == T0 + timedelta(hours=1)
    assert req.resolved_at == T0 + timedelta(hours=3)
    assert [e.kind for e in req.events] == ["created"] + ["status_changed"] * 4
    assert status_from_timeline(req.events) == "closed"
    assert req.revision == 5 and req.sync_state == SyncState.PENDING


def test_invalid_transition_refused_with_reason(station_db: Database) -> None:
    no = _new(station_db)
    with pytest.raises(WorkflowError, match="cannot go from new to closed; allowed: routed, in_progress, cancelled"):
        apply(station_db, no, status="closed")
    with pytest.raises(WorkflowError, match="unknown status"):
        apply(station_db, no, status="nonsense")
    assert _request(station_db, no).status == "new"


def test_all_changes_or_none(station_db: Database) -> None:
    no = _new(station_db)
    with pytest.raises(WorkflowError):
        apply(station_db, no, note="先记一笔", status="closed")
    req = _request(station_db, no)
    assert [e.kind for e in req.events] == ["created"] and req.revision == 1


def test_category_change_moves_department_and_records_correction(station_db: Database) -> None:
    from xuhui_desk.services.taxonomy import load_taxonomy

    no = _new(station_db)
    apply(station_db, no, category="legal", actor="李敏")
    req = _request(station_db, no)
    assert req.category == "legal"
    assert req.department == load_taxonomy().department_for("legal").code
    assert req.events[-1].kind == EventKind.ROUTED
    with station_db.session() as s:
        assert s.scalars(select(RoutingCorrection.chosen)).all() == ["legal"]


def test_reassign_department(station_db: Database) -> None:
    from xuhui_desk.services.taxonomy import load_taxonomy

    no = _new(station_db)
    other = next(d.code for d in load_taxonomy().departments if d.code != _request(station_db, no).department)
    apply(station_db, no, department=other)
    assert _request(station_db, no).department == other
    with pytest.raises(WorkflowError, match="unknown department"):
        apply(station_db, no, department="nowhere")


def test_rating_closes_and_dissatisfied_opens_rectification(station_db: Database) -> None:
    no = _new(station_db)
    with pytest.raises(WorkflowError, match="only a replied or closed"):
        apply(station_db, no, rating=5)
    apply(station_db, no, status="routed", now=T0 + timedelta(hours=1))
    apply(station_db, no, status="replied", now=T0 + timedelta(hours=2))
    apply(station_db, no, rating=5, comment="很满意", now=T0 + timedelta(hours=3))
    req = _request(station_db, no)
    assert (req.status, req.rating) == ("closed", 5)

    rated_at = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # Tuesday before the National Day week
    apply(station_db, no, rating=1, comment="答复没有解决问题", now=rated_at)
    req = _request(station_db, no)
    assert req.status == "in_progress" and req.resolved_at is None
    assert req.events[-1].kind == EventKind.RECTIFICATION
    # 15 working days from 29 Sep 2026 with the 1–7 Oct holiday (make-up days per the calendar).
    from xuhui_desk.services.workdays import default_calendar

    assert req.sla_due_at == default_calendar().add_workdays(rated_at, 15)
    assert req.sla_due_at > rated_at + timedelta(days=21)
    assert status_from_timeline(req.events) == "in_progress"


def test_rating_range_and_comment_length(station_db: Database) -> None:
    no = _new(station_db)
    apply(station_db, no, status="routed")
    apply(station_db, no, status="replied")
    with pytest.raises(ValidationFailed):
        apply(station_db, no, rating=6)
    with pytest.raises(ValidationFailed):
        apply(station_db, no, rating=4, comment="长" * 2000)


def test_intake_edit_only_before_sync(station_db: Database) -> None:
    no = _new(station_db)
    edit_intake(station_db, no, description="更正后的诉求内容：想了解贴息政策", urgency="urgent")
    req = _request(station_db, no)
    assert req.description.startswith("更正后") and req.events[-1].kind == EventKind.EDITED
    with station_db.write() as s:
        r = find_request(s, no)
        r.synced_revision = r.revision
    assert not can_edit_intake(_request(station_db, no))
    with pytest.raises(WorkflowError, match="already sent"):
        edit_intake(station_db, no, description="再次修改诉求内容")


actions = st.lists(
    st.one_of(
        st.tuples(st.just("status"), st.sampled_from([s.value for s in Status])),
        st.tuples(st.just("rating"), st.integers(min_value=1, max_value=5)),
        st.tuples(st.just("note"), st.just("跟进记录")),
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions)
def test_random_actions_never_reach_an_invalid_state(station_db: Database, steps: list[tuple[str, object]]) -> None:
    no = _new(station_db)
    now = T0
    for kind, value in steps:
        now += timedelta(minutes=7)
        before = _request(station_db, no).status
        try:
            apply(station_db, no, now=now, **{kind: value})  # type: ignore[arg-type]
        except (WorkflowError, ValidationFailed):
            assert _request(station_db, no).status == before
            continue
        after = _request(station_db, no).status
        if kind == "status":
            assert Status(after) in TRANSITIONS[Status(before)]
    req = _request(station_db, no)
    assert req.status == status_from_timeline(req.events)
    assert req.status in {s.value for s in Status}
    assert allowed_next(req.status) == sorted(TRANSITIONS[Status(req.status)], key=list(Status).index)
