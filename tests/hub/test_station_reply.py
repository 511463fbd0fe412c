"""A reply the station recorded reaches the hub's request list: the hub copies the text of a pushed
``reply`` timeline event into the request's reply column (``HubRequest.reply``), and the column
follows the newest reply of the timeline, the district's included — over real HTTP, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.hub.test_api import Station, enterprise, request_rec
from tests.synckit import HubThread
from xuhui_desk.hub import store
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.sync_protocol import EVENT, to_wire


def reply_event(request_uuid: str, text: str, at: datetime, uid: str | None = None) -> dict[str, Any]:
    import uuid

    return to_wire(EVENT, uid or str(uuid.uuid4()), 1, {
        "request_uuid": request_uuid, "kind": "reply", "actor": "李敏", "origin": "station", "occurred_at": at,
        "data": {"text": text}})


def reply_column(db: HubDatabase, tracking_no: str) -> str | None:
    rows = {r["tracking_no"]: r for r in store.list_requests(db)}
    return rows[tracking_no]["reply"]


def test_a_pushed_station_reply_fills_the_reply_column(station: Station, hub: HubThread) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    ent = enterprise()
    req = request_rec(ent["uuid"], 7, status="in_progress", created_at=now - timedelta(hours=5),
                      updated_at=now - timedelta(hours=5))
    tracking = "XH03-20261126-007"
    # A new request and its reply in one batch.
    first = reply_event(req["uuid"], "已联系银行，下周一上门对接", now - timedelta(hours=3))
    assert {r["status"] for r in station.results([ent, req, first])} == {"accepted"}
    assert reply_column(hub.db, tracking) == "已联系银行，下周一上门对接"
    # A later reply of a request the hub already holds replaces it; the same event again changes nothing.
    second = reply_event(req["uuid"], "银行已审批，请企业准备材料", now - timedelta(hours=2))
    assert [r["status"] for r in station.results([second])] == ["accepted"]
    assert reply_column(hub.db, tracking) == "银行已审批，请企业准备材料"
    assert [r["status"] for r in station.results([second])] == ["duplicate"]
    # The district replies later than both: its reply is the newest.
    store.district_update(hub.db, tracking, reply="区金融服务中心已答复", now=now - timedelta(hours=1))
    assert reply_column(hub.db, tracking) == "区金融服务中心已答复"
    # A station reply recorded before the district's (pushed late, after an offline day) does not
    # hide the newer one; a note is no reply at all.
    late = reply_event(req["uuid"], "（离线时记录的答复）", now - timedelta(minutes=150))
    note = to_wire(EVENT, "5f0c3f5e-8a54-4d7a-9a55-000000000001", 1, {
        "request_uuid": req["uuid"], "kind": "note", "actor": "李敏", "origin": "station",
        "occurred_at": now - timedelta(minutes=20), "data": {"note": "电话回访"}})
    assert {r["status"] for r in station.results([late, note])} == {"accepted"}
    assert reply_column(hub.db, tracking) == "区金融服务中心已答复"
    # Two replies in one batch: the later one (by time, not by order in the batch) is shown.
    newest = reply_event(req["uuid"], "企业已确认收到，问题解决", now - timedelta(minutes=10))
    older = reply_event(req["uuid"], "补充说明：材料清单见附件", now - timedelta(minutes=30))
    assert {r["status"] for r in station.results([newest, older])} == {"accepted"}
    assert reply_column(hub.db, tracking) == "企业已确认收到，问题解决"
