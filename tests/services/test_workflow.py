from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from xuhui_desk.cli.common import EXIT_INVALID_INPUT
from xuhui_desk.db import Database
from xuhui_desk.models import EventKind, Request, RoutingCorrection, Status, SyncState
from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
from xuhui_desk.services.workflow import (
    TRANSITIONS,
    RatingOutcome,
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
        reply = "已告知贴息政策的申报条件" if status == "replied" else None
        apply(station_db, no, status=status, reply=reply, actor="李敏", now=T0 + timedelta(hours=i))
    req = _request(station_db, no)
    assert req.status == "closed"
    assert req.first_response_at == T0 + timedelta(hours=1)
    assert req.resolved_at == T0 + timedelta(hours=3)
    assert [e.kind for e in req.events] == ["created"] + ["status_changed"] * 2 + ["reply"] + ["status_changed"] * 2
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
    apply(station_db, no, status="replied", reply="已告知贷款贴息的办理流程", now=T0 + timedelta(hours=2))
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
    apply(station_db, no, status="replied", reply="已答复")
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
            reply = {"reply": "已电话答复"} if (kind, value) == ("status", "replied") else {}
            apply(station_db, no, now=now, **{kind: value}, **reply)  # type: ignore[arg-type]
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


def test_replied_needs_the_reply_text_which_goes_on_the_timeline(station_db: Database) -> None:
    """Audit D11: "replied" means the enterprise was told something, and what it was told is kept."""
    no = _new(station_db)
    apply(station_db, no, status="routed", now=T0 + timedelta(hours=1))
    for missing in (None, "", "  \n "):
        with pytest.raises(ValidationFailed) as refused:
            apply(station_db, no, status="replied", reply=missing, now=T0 + timedelta(hours=2))
        assert [i.code for i in refused.value.issues] == ["reply.required"]
        assert "答复内容" in str(refused.value)
    with pytest.raises(ValidationFailed, match="2000"):
        apply(station_db, no, status="replied", reply="长" * 2001)
    # A reply belongs to the move to "replied": alone, or with another status, it is refused.
    for other in ({}, {"status": "in_progress"}):
        with pytest.raises(ValidationFailed) as refused:
            apply(station_db, no, reply="已答复", **other)
        assert [i.code for i in refused.value.issues] == ["reply.needs_replied"]
    req = _request(station_db, no)
    assert req.status == "routed" and len(req.events) == 2 and req.revision == 2  # nothing written

    apply(station_db, no, status="replied", reply="  已电话告知：贴息申请材料见区政府网站\n下周一前提交  ",
          actor="李敏", now=T0 + timedelta(hours=3))
    req = _request(station_db, no)
    reply, status = req.events[-2:]
    assert (reply.kind, reply.origin, reply.actor) == (EventKind.REPLY, "station", "李敏")
    # The same kind and data shape as a district reply (what the hub already accepts and feeds back).
    assert reply.data == {"text": "已电话告知：贴息申请材料见区政府网站\n下周一前提交"}
    assert (status.kind, status.data) == (EventKind.STATUS_CHANGED, {"from": "routed", "status": "replied"})
    assert reply.id < status.id and req.status == "replied" == status_from_timeline(req.events)
    assert req.resolved_at == T0 + timedelta(hours=3)


def test_an_impossible_move_is_refused_for_its_own_reason_first(station_db: Database) -> None:
    no = _new(station_db)
    with pytest.raises(WorkflowError, match="cannot go from new to replied"):
        apply(station_db, no, status="replied")


def test_rating_outcome_says_beforehand_what_rate_will_do(station_db: Database) -> None:
    """What the detail pane shows before a rating is saved is what saving it then does."""
    from xuhui_desk.services.workflow import rating_outcome, rectification_due

    rated_at = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # before the National Day holiday
    assert rating_outcome("replied", 4, rated_at) == RatingOutcome(reopens=False, closes=True)
    assert rating_outcome("closed", 3, rated_at) == RatingOutcome(reopens=False, closes=False)
    bad = rating_outcome("replied", 2, rated_at)
    assert bad.reopens and not bad.closes and (bad.due, bad.provisional) == rectification_due(rated_at)
    assert bad.due is not None and bad.due.date() > (rated_at + timedelta(days=21)).date()  # working days
    no = _new(station_db)
    apply(station_db, no, status="routed", now=T0)
    apply(station_db, no, status="replied", reply="已答复", now=T0 + timedelta(hours=1))
    apply(station_db, no, rating=2, now=rated_at)
    req = _request(station_db, no)
    assert req.status == "in_progress" and req.sla_due_at == bad.due


def test_update_cli_refuses_replied_without_a_reply(station_db: Database, data_dir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from xuhui_desk.cli import main

    no = _new(station_db)
    assert main(["--data-dir", str(data_dir), "update", no, "--status", "routed"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "update", no, "--status", "replied"]) == EXIT_INVALID_INPUT
    err = capsys.readouterr().err
    assert "答复内容" in err and "Traceback" not in err
    assert _request(station_db, no).status == "routed"
    assert main(["--data-dir", str(data_dir), "update", no, "--reply", "只写答复"]) == EXIT_INVALID_INPUT
    assert "已答复" in capsys.readouterr().err
    assert main(["--data-dir", str(data_dir), "update", no, "--status", "replied", "--reply",
                 "已告知企业：材料齐全后到服务中心办理", "--json"]) == 0
    assert '"events": ["reply", "status_changed"]' in capsys.readouterr().out
    req = _request(station_db, no)
    assert req.status == "replied" and req.events[-2].data == {"text": "已告知企业：材料齐全后到服务中心办理"}
