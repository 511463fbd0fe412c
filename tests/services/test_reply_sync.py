"""A station's reply (audit D11) reaches the district hub over real HTTP, as a station ``reply``
event with ``{"text": …}`` — the kind and data shape the hub itself writes for district replies."""

from __future__ import annotations

from tests.synckit import FaultProxy, HubThread, add_requests, assert_converged
from xuhui_desk.db import Database
from xuhui_desk.hub import store
from xuhui_desk.models import Request, SyncState
from xuhui_desk.services.sync import SyncOptions, run_sync
from xuhui_desk.services.workflow import apply, find_request

FAST = SyncOptions(read_timeout=2.0, health_timeout=1.0, connect_timeout=1.0, attempts=3, backoff_base=0.01,
                   backoff_max=0.05)
REPLY = "已电话告知企业：贴息申请材料见区政府网站，下周一前提交到服务中心"


def test_the_station_s_reply_text_syncs_to_the_hub(station: Database, hub: HubThread, proxy: FaultProxy) -> None:
    (uuid,) = add_requests(station, 1)
    assert run_sync(station, options=FAST).ok
    apply(station, uuid, status="routed", actor="李敏")
    apply(station, uuid, status="replied", reply=REPLY, actor="李敏")
    summary = run_sync(station, options=FAST)
    assert summary.ok and summary.rejected == 0
    with station.session() as s:
        request: Request = find_request(s, uuid)
        tracking_no = request.tracking_no
        assert request.sync_state == SyncState.SYNCED
        assert all(e.sync_state == SyncState.SYNCED for e in request.events)
    detail = store.request_detail(hub.db, tracking_no)
    assert detail["status"] == "replied"
    replies = [e for e in detail["events"] if e["kind"] == "reply"]
    assert [(e["origin"], e["actor"], e["data"]) for e in replies] == [("station", "李敏", {"text": REPLY})]
    assert_converged(station, hub.db, expect=1)
