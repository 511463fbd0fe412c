"""PreparedStatement (the intake save's statements on the DBAPI cursor) stores exactly what
``Connection.execute`` stores, inside the session's transaction, and refuses what it cannot do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, insert, select, text, update

from xuhui_desk.db import Database
from xuhui_desk.models import Channel, Enterprise, EventKind, Origin, Request, RequestEvent, Status, SyncState
from xuhui_desk.services.prepared_statements import PreparedStatement

_requests = Request.__table__
_events = RequestEvent.__table__

EVENT_KEYS = ["uuid", "request_id", "kind", "actor", "origin", "occurred_at", "sync_state", "data"]


def _request_id(db: Database) -> int:
    with db.write() as s:
        ent = Enterprise(name="上海甲乙有限公司", name_key="甲乙")
        s.add(ent)
        s.flush()
        req = Request(tracking_no="XH03-20261206-001", enterprise_id=ent.id, category="finance",
                      department="finance_service", description="贷款")
        s.add(req)
        s.flush()
        return req.id


def _raw_events(db: Database) -> list[tuple[object, ...]]:
    with db.engine.connect() as con:
        return [tuple(r) for r in con.exec_driver_sql(
            "SELECT uuid, kind, actor, origin, occurred_at, data, sync_state FROM request_events ORDER BY uuid")]


def test_stores_what_connection_execute_stores(db: Database) -> None:
    request_id = _request_id(db)
    # Aware, non-UTC time: UTCDateTime converts it; JSON with Chinese text; enum codes.
    when = datetime(2026, 12, 6, 18, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    values = {"request_id": request_id, "kind": EventKind.NOTE, "actor": "李敏", "origin": Origin.STATION,
              "occurred_at": when, "sync_state": SyncState.PENDING,
              "data": {"text": "已电话联系", "n": 1, "channel": Channel.PHONE}}
    with db.write() as s:
        s.connection().execute(insert(_events), {**values, "uuid": "a-core"})
    prepared = PreparedStatement(insert(_events), EVENT_KEYS)
    with db.write() as s:
        cursor = prepared.execute(s.connection(), {**values, "uuid": "b-prepared"})
        assert cursor.lastrowid > 0
    core, ours = _raw_events(db)
    assert core[0] == "a-core" and ours[0] == "b-prepared"
    assert core[1:] == ours[1:]
    with db.session() as s:
        event = s.scalars(select(RequestEvent).where(RequestEvent.uuid == "b-prepared")).one()
    assert event.occurred_at == when and event.occurred_at.tzinfo == UTC
    assert event.kind is EventKind.NOTE and event.data == {"text": "已电话联系", "n": 1, "channel": "phone"}


def test_literals_in_the_statement_and_returning(db: Database) -> None:
    request_id = _request_id(db)
    bump = PreparedStatement(
        update(_requests).where(_requests.c.id == bindparam("rid"))
        .values(revision=_requests.c.revision + 1, status=Status.IN_PROGRESS), ["rid"])
    returning = PreparedStatement(text("SELECT revision, status FROM requests WHERE id = :rid"), ["rid"])
    with db.write() as s:
        bump.execute(s.connection(), {"rid": request_id})
        assert returning.execute(s.connection(), {"rid": request_id}).fetchone() == (2, "in_progress")


def test_rolls_back_with_the_session(db: Database) -> None:
    request_id = _request_id(db)
    prepared = PreparedStatement(insert(_events), EVENT_KEYS)
    with pytest.raises(RuntimeError), db.write() as s:
        prepared.execute(s.connection(), {
            "uuid": "never", "request_id": request_id, "kind": EventKind.NOTE, "actor": "", "origin": Origin.STATION,
            "occurred_at": datetime.now(UTC), "sync_state": SyncState.PENDING, "data": {}})
        raise RuntimeError("the save fails after the statement")
    assert _raw_events(db) == []


def test_refuses_a_statement_that_needs_python_defaults(db: Database) -> None:
    # RequestEvent.uuid and .data have Python-side defaults: leaving them out would need them computed.
    prepared = PreparedStatement(insert(_events), ["request_id", "kind", "actor", "origin", "occurred_at",
                                                   "sync_state"])
    with db.write() as s, pytest.raises(ValueError, match="Python-side defaults"):
        prepared.execute(s.connection(), {})


def test_refuses_other_parameters(db: Database) -> None:
    prepared = PreparedStatement(text("SELECT :a"), ["a"])
    with db.session() as s:
        with pytest.raises(ValueError, match="expected"):
            prepared.execute(s.connection(), {"b": 1})
        assert prepared.execute(s.connection(), {"a": 7}).fetchone() == (7,)
