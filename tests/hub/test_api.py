"""The hub's HTTP API over real HTTP (uvicorn on 127.0.0.1), on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.synckit import HubThread, make_uscc
from xuhui_desk import __version__
from xuhui_desk.hub import store
from xuhui_desk.sync_protocol import (
    ENTERPRISE,
    EVENT,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    REQUEST,
    push_body,
    to_wire,
)

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def enterprise(uid: str | None = None, rev: int = 1, **over: Any) -> dict[str, Any]:
    values = {"name": "上海示例科技有限公司", "uscc": make_uscc(1), "contact_name": "王先生", "phone": "13812345678",
              "park": "", "building": "", "first_seen_at": NOW, "updated_at": NOW} | over
    return to_wire(ENTERPRISE, uid or str(uuid.uuid4()), rev, values)


def request_rec(ent: str, n: int = 1, uid: str | None = None, rev: int = 1, code: str = "XH03",
                **over: Any) -> dict[str, Any]:
    values = {"tracking_no": f"{code}-20261126-{n:03d}", "enterprise_uuid": ent, "channel": "walk_in",
              "category": "finance", "subcategory": None, "department": "finance_center",
              "description": "想申请一笔银行信用贷款", "urgency": "normal", "status": "new", "sla_due_at": None,
              "specialist": "李敏", "created_at": NOW, "updated_at": NOW, "first_response_at": None,
              "resolved_at": None, "rating": None, "rating_comment": None, "linked_request_uuid": None,
              "suggested_category": "finance"} | over
    return to_wire(REQUEST, uid or str(uuid.uuid4()), rev, values)


def event_rec(req: str, kind: str = "created", uid: str | None = None, **data: Any) -> dict[str, Any]:
    return to_wire(EVENT, uid or str(uuid.uuid4()), 1, {"request_uuid": req, "kind": kind, "actor": "李敏",
                                                        "origin": "station", "occurred_at": NOW,
                                                        "data": data or {"status": "new"}})


class Station:
    def __init__(self, hub: HubThread, code: str = "XH03") -> None:
        self.code = code
        self.token = hub.add_station(code)
        self.client = httpx.Client(base_url=hub.url, timeout=10, headers={
            "Authorization": f"Bearer {self.token}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)})

    def push(self, records: list[dict[str, Any]], batch_id: str | None = None, **kw: Any) -> httpx.Response:
        body = push_body(batch_id or str(uuid.uuid4()), self.code, records)
        return self.client.post("/api/v1/sync/push", json=body, **kw)

    def results(self, records: list[dict[str, Any]], **kw: Any) -> list[dict[str, Any]]:
        resp = self.push(records, **kw)
        assert resp.status_code == 200, resp.text
        return resp.json()["results"]

    def pull(self, cursor: int = 0, limit: int = 100) -> dict[str, Any]:
        resp = self.client.get("/api/v1/sync/pull", params={"cursor": cursor, "limit": limit})
        assert resp.status_code == 200, resp.text
        return resp.json()


def seed(station: Station, n: int = 1) -> tuple[str, list[str]]:
    ent = enterprise()
    reqs = [request_rec(ent["uuid"], i + 1) for i in range(n)]
    assert {r["status"] for r in station.results([ent, *reqs])} == {"accepted"}
    return ent["uuid"], [r["uuid"] for r in reqs]


def test_health_reports_version_protocol_time_and_limits(hub: HubThread) -> None:
    resp = httpx.get(f"{hub.url}/api/v1/health", timeout=5)
    assert resp.status_code == 200
    body = resp.json()
    assert body["server_version"] == __version__
    assert body["protocol"] == PROTOCOL_VERSION and body["min_client_protocol"] == 1
    assert abs((datetime.fromisoformat(body["server_time"]) - datetime.now(UTC)).total_seconds()) < 5
    assert re.fullmatch(r"[0-9a-f-]{36}", body["hub_id"])
    assert body["limits"]["max_body_bytes"] == 256 * 1024
    doc = httpx.get(f"{hub.url}/openapi.json", timeout=5).json()
    assert {"/api/v1/health", "/api/v1/sync/push", "/api/v1/sync/pull"} <= set(doc["paths"])
    assert "requestBody" in doc["paths"]["/api/v1/sync/push"]["post"]


def test_tokens_and_protocol_are_checked(hub: HubThread, station: Station,
                                        stations: Callable[[str], Station]) -> None:
    body = push_body(str(uuid.uuid4()), "XH03", [])
    url = f"{hub.url}/api/v1/sync/push"
    proto = {PROTOCOL_HEADER: "1"}
    assert httpx.post(url, json=body, headers=proto).status_code == 401
    assert httpx.post(url, json=body, headers=proto | {"Authorization": "Bearer nope"}).status_code == 401
    missing = httpx.post(url, json=body, headers={"Authorization": f"Bearer {station.token}"})
    assert missing.status_code == 426 and missing.json()["error"] == "upgrade_required"
    hub.config.min_client_protocol = 2
    old = station.push([])
    assert old.status_code == 426 and old.json()["min_protocol"] == 2
    assert station.client.get("/api/v1/sync/pull").status_code == 426
    hub.config.min_client_protocol = 1
    assert station.push([]).status_code == 200
    other = stations("XH04")
    wrong = other.push([], batch_id=None)
    assert wrong.status_code == 200
    forged = other.client.post("/api/v1/sync/push", json=push_body(str(uuid.uuid4()), "XH03", []))
    assert forged.status_code == 403
    store.revoke_station(hub.db, "XH04")
    assert other.push([]).status_code == 401


def test_push_answers_per_record_and_is_idempotent(hub: HubThread, station: Station) -> None:
    ent = enterprise()
    req = request_rec(ent["uuid"])
    ev = event_rec(req["uuid"])
    batch = str(uuid.uuid4())
    first = station.push([ent, req, ev], batch_id=batch)
    assert [r["status"] for r in first.json()["results"]] == ["accepted"] * 3
    # The same batch again (its answer was lost): the stored answer, nothing applied twice.
    again = station.push([ent, req, ev], batch_id=batch)
    assert again.json()["results"] == first.json()["results"] and again.json()["replayed"] is True
    # The same batch id with other records is a conflict that must not be retried.
    clash = station.push([ent], batch_id=batch)
    assert clash.status_code == 409 and clash.json()["error"] == "batch_conflict"
    # The same records in a new batch: duplicates (success).
    assert [r["status"] for r in station.results([ent, req, ev])] == ["duplicate"] * 3
    # A newer revision is accepted; an older one, or the same revision with other content, is not.
    newer = request_rec(ent["uuid"], uid=req["uuid"], rev=2, description="想申请一笔银行信用贷款，金额五百万")
    assert station.results([newer])[0]["status"] == "accepted"
    for stale in (req, request_rec(ent["uuid"], uid=req["uuid"], rev=2, description="另一段不同的描述内容")):
        res = station.results([stale])[0]
        assert res["status"] == "rejected" and res["hub_revision"] == 2
        assert res["errors"][0]["code"] == "revision.conflict"
    rows = store.list_requests(hub.db)
    assert len(rows) == 1 and rows[0]["description"].endswith("五百万") and rows[0]["revision"] == 2


def test_rejections_carry_field_errors(hub: HubThread, station: Station) -> None:
    bad_ent = enterprise(uscc="91310104A00A00A013", phone="12345")
    good_ent = enterprise(name="上海另一家科技有限公司", uscc=make_uscc(2))
    orphan = request_rec(str(uuid.uuid4()), 1)
    short = request_rec(good_ent["uuid"], 2, description="贷")
    foreign = request_rec(good_ent["uuid"], 3, code="XH99")
    lost_event = event_rec(str(uuid.uuid4()))
    garbage = {"type": "request", "uuid": "x", "revision": "one"}
    results = station.results([bad_ent, good_ent, orphan, short, foreign, lost_event, garbage])
    assert [r["status"] for r in results] == ["rejected", "accepted", "rejected", "rejected", "rejected",
                                             "rejected", "rejected"]
    codes = [{e["code"] for e in r.get("errors", [])} for r in results]
    assert codes[0] == {"uscc.checksum", "phone.invalid"}
    assert codes[2] == {"enterprise.unknown"}
    assert codes[3] == {"text.too_short"} and "至少4个字" in results[3]["errors"][0]["message"]
    assert codes[4] == {"tracking_no.station"}
    assert codes[5] == {"request.unknown"}
    assert {"wire.uuid", "wire.revision"} <= codes[6]
    taken = request_rec(good_ent["uuid"], 9)
    assert station.results([taken])[0]["status"] == "accepted"
    twin = request_rec(good_ent["uuid"], 9)
    assert {e["code"] for e in station.results([twin])[0]["errors"]} == {"tracking_no.taken"}


def test_bodies_gzip_limits_and_garbage(hub: HubThread, station: Station) -> None:
    ent = enterprise()
    body = json.dumps(push_body(str(uuid.uuid4()), "XH03", [ent, request_rec(ent["uuid"])])).encode()
    zipped = station.client.post("/api/v1/sync/push", content=gzip.compress(body),
                                 headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert zipped.status_code == 200 and {r["status"] for r in zipped.json()["results"]} == {"accepted"}
    big = [request_rec(ent["uuid"], i, description="很长的描述" * 300) for i in range(2, 60)]
    too_big = station.push(big)
    assert too_big.status_code == 413 and too_big.json()["error"] == "too_large"
    many = [event_rec(str(uuid.uuid4())) for _ in range(101)]
    assert station.push(many).status_code == 413
    bomb = gzip.compress(b"[" + b" " * (70 * 1024 * 1024) + b"]")
    assert station.client.post("/api/v1/sync/push", content=bomb,
                               headers={"Content-Encoding": "gzip"}).status_code == 413
    assert station.client.post("/api/v1/sync/push", content=b"\x1f\x8bnot gzip",
                               headers={"Content-Encoding": "gzip"}).status_code == 400
    assert station.client.post("/api/v1/sync/push", content=b"{not json").status_code == 400
    assert station.client.post("/api/v1/sync/push", json={"records": []}).status_code == 400
    assert station.client.get("/api/v1/sync/pull", params={"cursor": -1}).status_code == 400


def test_pull_pages_only_the_callers_changes(hub: HubThread, station: Station,
                                            stations: Callable[[str], Station]) -> None:
    _, mine = seed(station, 3)
    other = stations("XH04")
    ent = enterprise(uscc=make_uscc(5))
    theirs = request_rec(ent["uuid"], 1, code="XH04")
    assert {r["status"] for r in other.results([ent, theirs])} == {"accepted"}
    rows = {r["uuid"]: r["tracking_no"] for r in store.list_requests(hub.db)}
    empty = station.pull()
    assert (empty["changes"], empty["next_cursor"], empty["has_more"]) == ([], 0, False)
    store.district_update(hub.db, rows[mine[0]], status="in_progress", actor="金融服务中心")
    store.district_update(hub.db, rows[theirs["uuid"]], reply="已受理")
    store.district_update(hub.db, rows[mine[1]], department="legal_center")
    store.district_update(hub.db, rows[mine[2]], reply="请携带营业执照到服务中心办理")
    page = station.pull(0, limit=2)
    assert [c["request_uuid"] for c in page["changes"]] == mine[:2] and page["has_more"] is True
    rest = station.pull(page["next_cursor"], limit=2)
    assert [c["request_uuid"] for c in rest["changes"]] == [mine[2]] and rest["has_more"] is False
    assert station.pull(rest["next_cursor"])["changes"] == []
    first, second, third = page["changes"] + rest["changes"]
    assert first["status"] == "in_progress" and first["events"][0]["data"] == {"from": "new",
                                                                              "status": "in_progress"}
    assert second["department"] == "legal_center" and second["department_by_district"] is True
    assert third["status"] == "replied" and [e["kind"] for e in third["events"]] == ["reply", "status_changed"]
    theirs_feed = other.pull()["changes"]
    assert [c["request_uuid"] for c in theirs_feed] == [theirs["uuid"]]


def test_station_status_changes_are_compare_and_set(hub: HubThread, station: Station) -> None:
    ent_uuid, (req_uuid,) = seed(station, 1)
    tracking = store.list_requests(hub.db)[0]["tracking_no"]
    # The district assigns a department (the station can no longer change it) and a status.
    store.district_update(hub.db, tracking, department="legal_center", status="in_progress")
    cursor = station.pull()["next_cursor"]
    # A station change made from the hub's current status is applied.
    rec = request_rec(ent_uuid, 1, uid=req_uuid, rev=2, status="replied", department="finance_center",
                      status_base="in_progress")
    assert station.results([rec])[0]["status"] == "accepted"
    row = store.list_requests(hub.db)[0]
    assert (row["status"], row["department"]) == ("replied", "legal_center")
    changes = station.pull(cursor)["changes"]
    assert len(changes) == 1 and (changes[0]["status"], changes[0]["department"]) == ("replied", "legal_center")
    cursor = changes[0]["seq"]
    # A record that merely carries an old status (no change made at the station) undoes nothing.
    store.district_update(hub.db, tracking, status="closed")
    stale = request_rec(ent_uuid, 1, uid=req_uuid, rev=3, status="replied", department="legal_center",
                        description="想申请一笔银行信用贷款（补充说明）")
    assert station.results([stale])[0]["status"] == "accepted"
    assert store.list_requests(hub.db)[0]["status"] == "closed"
    # A station change from a status the district has moved on from: the district's stands,
    # and a hub event records it (the station's timeline then ends in the status it will hold).
    late = request_rec(ent_uuid, 1, uid=req_uuid, rev=4, status="cancelled", status_base="replied",
                       description="想申请一笔银行信用贷款（补充说明）")
    assert station.results([late])[0]["status"] == "accepted"
    assert store.list_requests(hub.db)[0]["status"] == "closed"
    last = station.pull(cursor)["changes"][-1]
    assert last["status"] == "closed"
    assert [(e["kind"], e["data"]) for e in last["events"]] == [
        ("status_changed", {"from": "cancelled", "status": "closed", "reason": "district_status_kept"})]
    # Timeline events are history: they change no field.
    event = event_rec(req_uuid, "status_changed", **{"from": "in_progress", "status": "replied"})
    assert station.results([event])[0]["status"] == "accepted"
    assert store.list_requests(hub.db)[0]["status"] == "closed"


def test_district_update_over_http_needs_the_admin_token(hub: HubThread, station: Station) -> None:
    seed(station, 1)
    tracking = store.list_requests(hub.db)[0]["tracking_no"]
    url = f"{hub.url}/api/v1/requests/{tracking}/update"
    assert httpx.post(url, json={"status": "in_progress"}).status_code == 401
    ok = httpx.post(url, json={"status": "in_progress", "actor": "法律服务中心"},
                    headers={"Authorization": "Bearer district-secret"})
    assert ok.status_code == 200 and ok.json()["status"] == "in_progress"
    bad = httpx.post(url, json={"status": "nonsense"}, headers={"Authorization": "Bearer district-secret"})
    assert bad.status_code == 400
    missing = httpx.post(f"{hub.url}/api/v1/requests/XH03-20200101-001/update", json={"reply": "x"},
                         headers={"Authorization": "Bearer district-secret"})
    assert missing.status_code == 404
    hub.config.admin_token = None
    assert httpx.post(url, json={"status": "replied"}).status_code == 403


def test_concurrent_pushes_of_one_batch_apply_it_once(hub: HubThread, station: Station) -> None:
    ent = enterprise()
    records = [ent, *(request_rec(ent["uuid"], i + 1) for i in range(60))]
    batch = str(uuid.uuid4())
    answers: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(base_url=station.client.base_url, headers=station.client.headers, timeout=30) as c:
            answers.append(c.post("/api/v1/sync/push", json=push_body(batch, "XH03", records)))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [200] * 4
    assert all(a.json()["results"] == answers[0].json()["results"] for a in answers)
    assert len(store.list_requests(hub.db)) == 60


@pytest.mark.postgres
@pytest.mark.parametrize("hub_database_url", ["postgres"], indirect=True)
def test_feed_appends_of_one_station_commit_in_sequence_order(hub: HubThread, station: Station) -> None:
    """A change whose sequence number was drawn first must be visible before any later one:
    appenders of one station queue on its advisory lock (PostgreSQL)."""
    _, reqs = seed(station, 2)
    rows = {r["uuid"]: r["tracking_no"] for r in store.list_requests(hub.db)}
    from sqlalchemy import select

    from xuhui_desk.hub.models import HubRequest

    ref = store.authenticate(hub.db, station.token)
    assert ref is not None
    done = threading.Event()
    with hub.db.write() as s:
        hub.db.lock_station(s, ref.id)
        req = s.scalars(select(HubRequest).where(HubRequest.uuid == reqs[0])).one()
        req.status = "in_progress"
        store.append_change(s, req, [], NOW)
        s.flush()

        def later() -> None:
            store.district_update(hub.db, rows[reqs[1]], reply="稍后的答复")
            done.set()

        worker = threading.Thread(target=later)
        worker.start()
        time.sleep(0.3)
        assert not done.is_set(), "a second appender of the same station did not wait"
        assert station.pull()["changes"] == []
    worker.join(timeout=10)
    seqs = [c["seq"] for c in station.pull()["changes"]]
    assert len(seqs) == 2 and seqs == sorted(seqs)


def test_times_from_a_skewed_station_do_not_order_anything(hub: HubThread, station: Station) -> None:
    ent = enterprise()
    # As far ahead as the hub takes from a station that reports no clock skew (under a day).
    future = datetime.now(UTC) + timedelta(hours=20)
    first = request_rec(ent["uuid"], 1, created_at=future, updated_at=future)
    second = request_rec(ent["uuid"], 2)
    station.results([ent, first])
    station.results([second])
    assert [r["uuid"] for r in store.list_requests(hub.db)] == [first["uuid"], second["uuid"]]
