"""The hub's push inserts its new rows with ``PreparedInsert`` (the DBAPI cursor's executemany,
each column through its type's bind processor once per batch): the rows it stores are byte for
byte the rows ``Connection.execute(insert(table), rows)`` stores, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select, text

from xuhui_desk.hub import store
from xuhui_desk.hub.database import HubDatabase, open_hub_database
from xuhui_desk.hub.models import HubEnterprise, HubEvent, HubRequest, HubStation
from xuhui_desk.services.prepared_statements import PreparedInsert

CST = timezone(timedelta(hours=8))
#: One receipt time shared by every row (as a batch's are) and times of other offsets and precisions.
RECEIVED = datetime(2026, 12, 6, 13, 30, 0, 123456, tzinfo=UTC)
TIMES = [datetime(2026, 12, 6, 21, 30, 15, 1, tzinfo=CST), datetime(2020, 1, 1, tzinfo=UTC),
         datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5)))]


@pytest.fixture
def db(hub_database_url: str) -> Any:
    database = open_hub_database(hub_database_url)
    try:
        yield database
    finally:
        database.close()


def _station(db: HubDatabase) -> int:
    store.add_station(db, "XH03")
    with db.session() as s:
        return s.scalars(select(HubStation.id).where(HubStation.code == "XH03")).one()


def _enterprises(station_id: int, prefix: str) -> list[dict[str, Any]]:
    return [{"uuid": f"{prefix}-e{i}", "station_id": station_id, "revision": i + 1, "content_hash": "ab" * 32,
             "received_at": RECEIVED, "changed_at": RECEIVED, "name": name, "uscc": uscc,
             "contact_name": "李敏", "phone": "13800000000", "park": "", "building": "漕河泾 1 号楼",
             "first_seen_at": TIMES[i % 3], "updated_at": TIMES[(i + 1) % 3], "profile": profile}
            for i, (name, uscc, profile) in enumerate([
                ("上海徐汇😀科技有限公司", "91310104MA1FL0000X", '{"size": "small"}'),
                ("O'Brien \"& Co\" \\", None, None),
                ("零" * 200, "", "{}")])]


def _requests(station_id: int, enterprise_ids: list[int], prefix: str) -> list[dict[str, Any]]:
    rows = []
    for i, enterprise_id in enumerate(enterprise_ids):
        rows.append({
            "uuid": f"{prefix}-r{i}", "station_id": station_id, "enterprise_id": enterprise_id,
            "tracking_no": f"XH03-{prefix}-{i:03d}", "channel": "walk_in", "category": "finance",
            "subcategory": None if i else "loan", "department": "finance_service" if i else None,
            "description": "贷款贴息申请\n第二行\t😀" * (i + 1), "urgency": "normal", "status": "routed",
            "station_status": "routed", "station_department": None, "department_by_district": bool(i % 2),
            "reply": None, "sla_due_at": TIMES[i % 3] if i else None, "specialist": "王",
            "created_at": TIMES[i % 3], "updated_at": TIMES[(i + 2) % 3], "first_response_at": None,
            "resolved_at": TIMES[0] if i == 2 else None, "rating": i or None, "rating_comment": "好" if i else None,
            "linked_request_uuid": None, "suggested_category": "tax" if i else None, "revision": 2,
            "content_hash": "cd" * 32, "received_at": RECEIVED, "changed_at": RECEIVED})
    return rows


def _events(request_ids: list[int], prefix: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = [{}, {"text": "已电话联系😀", "n": 1.5, "nested": {"b": [1, None, True]}},
                                  {"from": "new", "status": "routed", "quote": "\"\\\u2028"}]
    return [{"uuid": f"{prefix}-v{i}", "request_id": request_ids[i % len(request_ids)], "kind": "note",
             "actor": "李敏" if i else "", "origin": "station", "occurred_at": TIMES[i % 3],
             "data": data[i % 3], "received_at": RECEIVED} for i in range(7)]


def _stored(conn: Connection, table: str, columns: list[str], prefix: str) -> list[tuple[Any, ...]]:
    """The rows as the database holds them: every column read back as text."""
    listed = ", ".join(f"CAST({c} AS TEXT)" for c in columns)
    return [tuple(row) for row in conn.execute(
        text(f"SELECT {listed} FROM {table} WHERE uuid LIKE :p ORDER BY uuid"), {"p": f"{prefix}-%"})]


def _ids(conn: Connection, table: str, prefix: str) -> list[int]:
    return [row[0] for row in conn.execute(text(f"SELECT id FROM {table} WHERE uuid LIKE :p ORDER BY uuid"),
                                           {"p": f"{prefix}-%"})]


def _insert_both_ways(conn: Connection, model: Any, core_rows: list[dict[str, Any]],
                      our_rows: list[dict[str, Any]]) -> None:
    conn.execute(insert(model.__table__), core_rows)
    PreparedInsert(model.__table__, our_rows[0]).executemany(conn, our_rows)


def test_stores_what_core_executemany_stores(db: HubDatabase) -> None:
    station_id = _station(db)
    with db.engine.begin() as conn:
        _insert_both_ways(conn, HubEnterprise, _enterprises(station_id, "a"), _enterprises(station_id, "b"))
        _insert_both_ways(conn, HubRequest, _requests(station_id, _ids(conn, "enterprises", "a"), "a"),
                          _requests(station_id, _ids(conn, "enterprises", "b"), "b"))
        _insert_both_ways(conn, HubEvent, _events(_ids(conn, "requests", "a"), "a"),
                          _events(_ids(conn, "requests", "b"), "b"))
    with db.engine.connect() as conn:
        for model, table, differ in ((HubEnterprise, "enterprises", {"id", "uuid"}),
                                     (HubRequest, "requests", {"id", "uuid", "enterprise_id", "tracking_no"}),
                                     (HubEvent, "events", {"id", "uuid", "request_id"})):
            columns = [c.name for c in model.__table__.columns if c.name not in differ]
            core, ours = _stored(conn, table, columns, "a"), _stored(conn, table, columns, "b")
            assert len(core) == len(ours) > 2
            assert ours == core, table
        # The stored times are UTC: 21:30 at +08:00 is 13:30.
        assert "13:30:15" in conn.execute(text("SELECT CAST(occurred_at AS TEXT) FROM events "
                                               "WHERE uuid = 'b-v0'")).scalar_one()


def test_refuses_rows_it_cannot_store_as_given(db: HubDatabase) -> None:
    station_id = _station(db)
    rows = _enterprises(station_id, "c")
    # A column left out that has a Python-side default (``received_at``): refused, never NULL or a guess.
    without = [{k: v for k, v in row.items() if k != "received_at"} for row in rows]
    with db.engine.begin() as conn, pytest.raises(ValueError, match="Python-side defaults"):
        PreparedInsert(HubEnterprise.__table__, without[0]).executemany(conn, without)
    # Rows of another shape than the statement's columns.
    with db.engine.begin() as conn, pytest.raises(ValueError, match="expected"):
        PreparedInsert(HubEnterprise.__table__, rows[0]).executemany(conn, [rows[0], without[1]])
    with db.engine.connect() as conn:
        assert _ids(conn, "enterprises", "c") == []


def test_a_pushed_batch_stores_its_rows_with_it(db: HubDatabase) -> None:
    """Through the push itself: a batch's enterprise, request and events are stored with their
    parents' ids, and the ids of the rows are those read back by uuid."""
    from xuhui_desk.sync_protocol import ENTERPRISE, EVENT, REQUEST, to_wire

    token = store.add_station(db, "XH04")
    station = store.authenticate(db, token)
    assert station is not None
    now = datetime.now(UTC)
    ent = to_wire(ENTERPRISE, "f0000000-0000-4000-8000-000000000001", 1, {
        "name": "上海测试有限公司", "uscc": None, "contact_name": "", "phone": "13800000000", "park": "",
        "building": "", "first_seen_at": now, "updated_at": now})
    req = to_wire(REQUEST, "f0000000-0000-4000-8000-000000000002", 1, {
        "tracking_no": "XH04-20261206-001", "enterprise_uuid": ent["uuid"], "channel": "walk_in",
        "category": "finance", "description": "贷款贴息申请", "urgency": "normal", "status": "new",
        "specialist": "王", "created_at": now, "updated_at": now})
    events = [to_wire(EVENT, f"f0000000-0000-4000-8000-00000000001{i}", 1, {
        "request_uuid": req["uuid"], "kind": "note", "actor": "李", "origin": "station", "occurred_at": now,
        "data": {"note": f"第{i}次联系"}}) for i in range(3)]
    answer = store.apply_push(db, station, "f0000000-0000-4000-8000-0000000000ff", [ent, req, *events], "0" * 64)
    assert [r["status"] for r in answer["results"]] == ["accepted"] * 5
    with db.engine.connect() as conn:
        request_id, enterprise_id = conn.execute(text(
            "SELECT r.id, e.id FROM requests r JOIN enterprises e ON e.id = r.enterprise_id "
            "WHERE r.uuid = :u"), {"u": req["uuid"]}).one()
        assert conn.execute(text("SELECT uuid FROM enterprises WHERE id = :i"), {"i": enterprise_id}).scalar_one() \
            == ent["uuid"]
        assert sorted(conn.execute(text("SELECT uuid FROM events WHERE request_id = :i"), {"i": request_id})
                      .scalars()) == sorted(e["uuid"] for e in events)
