"""Every pushed record is checked as strictly as the station checks it (audit H2, L4): event
kinds and each kind's data, statuses and the moves between them, plausible times, record size.
A bad record is refused with its reason and never reaches storage; refusals tell nothing about
other stations' data; uuids are one record whatever their case."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.hub.test_api import (
    Station,
    enterprise,
    event_rec,
    request_rec,
    seed,
)
from tests.synckit import HubThread, make_uscc
from xuhui_desk import record_rules
from xuhui_desk.hub import store
from xuhui_desk.hub.models import HubEnterprise, HubEvent, HubRequest
from xuhui_desk.models import EventKind
from xuhui_desk.sync_protocol import PROTOCOL_HEADER
from xuhui_desk.validation import Issue

_FAR = "9999-12-31T23:59:59+00:00"

# (what, event kind, data, the code it is refused with) — the audit's poison and its relatives.
POISON_EVENTS = [
    ("a rating that is not a number", "rated", {"rating": "abc"}, "rating.range"),
    ("a negative rating", "rated", {"rating": -7}, "rating.range"),
    ("a rating of six", "rated", {"rating": 6}, "rating.range"),
    ("a rating that is true", "rated", {"rating": True}, "rating.range"),
    ("a status that does not exist", "status_changed", {"status": "<hacked>", "from": "new"}, "status.unknown"),
    ("a move the status machine forbids", "status_changed", {"status": "new", "from": "closed"}, "status.transition"),
    ("a kind nobody knows", "pwned", {}, "event.kind"),
    ("a key the kind does not have", "note", {"note": "附注", "pad": [{}] * 10}, "event.data_key"),
    ("a note without its text", "note", {}, "event.data_missing"),
    ("a note longer than a note", "note", {"note": "长" * 2001}, "text.too_long"),
    ("a comment longer than a comment", "rated", {"rating": 4, "comment": "长" * 1001}, "text.too_long"),
    ("a department wider than the column", "reassigned", {"department": "=HYPERLINK(\"x\")" + "D" * 40},
     "text.too_long"),
    ("a rectification due in year 9999", "rectification",
     {"from": "replied", "status": "in_progress", "due": _FAR}, "time.range"),
    ("an edit of a field that cannot be edited", "edited", {"fields": ["status"], "before": {}}, "event.data_type"),
]


@pytest.mark.parametrize(("what", "kind", "data", "code"), POISON_EVENTS, ids=[p[0] for p in POISON_EVENTS])
def test_a_poisoned_event_is_refused_with_its_reason_and_not_stored(hub: HubThread, station: Station, what: str,
                                                                    kind: str, data: dict[str, Any],
                                                                    code: str) -> None:
    _, (req_uuid,) = seed(station)
    event = event_rec(req_uuid, kind)
    event["data"] = data
    result = station.results([event])[0]
    assert result["status"] == "rejected", what
    assert code in {e["code"] for e in result["errors"]}, result
    # The station words the reason from its own catalog; the hub's own wording is there too.
    error = next(e for e in result["errors"] if e["code"] == code)
    assert error["message"] and error["message"] != code
    assert Issue(error["field"], code, params=error.get("params", {})).message("zh_CN") != code
    with hub.db.session() as s:
        assert s.scalar(select(func.count()).select_from(HubEvent)) == 0


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59+00:00", "1970-01-01T00:00:00+00:00",
                                  "2019-12-31T23:59:59+00:00"])
def test_times_outside_the_plausible_window_are_refused(hub: HubThread, station: Station, when: str) -> None:
    ent_uuid, (req_uuid,) = seed(station)
    event = event_rec(req_uuid, "note", note="附注")
    event["occurred_at"] = when
    due = request_rec(ent_uuid, 2, sla_due_at=datetime.fromisoformat(when))
    created = request_rec(ent_uuid, 3, created_at=datetime.fromisoformat(when))
    results = station.results([event, due, created])
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert [{e["code"] for e in r["errors"]} for r in results] == [{"time.range"}] * 3
    assert [e["field"] for r in results for e in r["errors"]] == ["occurred_at", "sla_due_at", "created_at"]
    assert len(store.list_requests(hub.db)) == 1


def test_a_station_reporting_its_skew_may_be_that_far_ahead_but_no_further(hub: HubThread, station: Station) -> None:
    ent = enterprise()
    ahead = datetime.now(UTC) + timedelta(days=30)
    rec = request_rec(ent["uuid"], 1, created_at=ahead, updated_at=ahead)
    assert {r["status"] for r in station.results([ent, rec])} == {"accepted", "rejected"}
    body = {"batch_id": str(uuid.uuid4()), "station": "XH03", "clock_skew_seconds": 30 * 86400.0,
            "records": [rec]}
    assert station.client.post("/api/v1/sync/push", json=body).json()["results"][0]["status"] == "accepted"
    far = request_rec(ent["uuid"], 2, created_at=datetime(9999, 1, 1, tzinfo=UTC))
    body = {"batch_id": str(uuid.uuid4()), "station": "XH03", "clock_skew_seconds": 1e12, "records": [far]}
    assert station.client.post("/api/v1/sync/push", json=body).json()["results"][0]["status"] == "rejected"


def test_a_station_status_change_must_be_reachable_from_where_it_started(station: Station) -> None:
    ent_uuid, (req_uuid,) = seed(station)
    jump = request_rec(ent_uuid, 1, uid=req_uuid, rev=2, status="new", status_base="closed")
    result = station.results([jump])[0]
    assert result["status"] == "rejected" and {e["code"] for e in result["errors"]} == {"status.transition"}
    several = request_rec(ent_uuid, 1, uid=req_uuid, rev=2, status="closed", status_base="new")
    assert station.results([several])[0]["status"] == "accepted"  # new → routed → replied → closed


def test_every_kind_the_station_writes_is_known_to_both_ends() -> None:
    assert {k.value for k in EventKind} <= set(record_rules.EVENT_KINDS)
    from xuhui_desk.services.workflow import TRANSITIONS

    assert {s.value: {t.value for t in ts} for s, ts in TRANSITIONS.items()} == {
        s: set(ts) for s, ts in record_rules.TRANSITIONS.items()}


def test_refusals_do_not_reveal_another_stations_records(hub: HubThread,
                                                         stations: Callable[[str], Station]) -> None:
    a, b = stations("XH03"), stations("XH04")
    b_ent = enterprise(uscc=make_uscc(7))
    b_req = request_rec(b_ent["uuid"], 1, code="XH04")
    assert {r["status"] for r in b.results([b_ent, b_req])} == {"accepted"}
    a_ent = enterprise(uscc=make_uscc(8))
    a.results([a_ent])
    # B's tracking number (guessable): answered as a malformed number, as any other XH04 number.
    taken = a.results([request_rec(a_ent["uuid"], 1, code="XH04")])[0]
    free = a.results([request_rec(a_ent["uuid"], 2, code="XH04")])[0]
    assert {e["code"] for e in taken["errors"]} == {e["code"] for e in free["errors"]} == {"tracking_no.station"}
    assert [e["message"] for e in taken["errors"]] == [e["message"] for e in free["errors"]]
    # B's uuid: the same answer as a uuid A itself used for another record; no word of "another station".
    stolen = a.results([request_rec(a_ent["uuid"], 3, uid=b_req["uuid"], rev=99)])[0]
    assert {e["code"] for e in stolen["errors"]} == {"uuid.taken"}
    assert all("服务站" not in e["message"] for e in stolen["errors"])
    ev = event_rec(str(uuid.uuid4()), "note", note="附注")
    own_req = request_rec(a_ent["uuid"], 4)
    a.results([own_req, event_rec(own_req["uuid"], "note", uid=ev["uuid"], note="附注")])
    other_own = request_rec(a_ent["uuid"], 5)
    a.results([other_own])
    reused = a.results([event_rec(other_own["uuid"], "note", uid=ev["uuid"], note="附注")])[0]
    assert reused["errors"] == stolen["errors"]


def test_a_uuid_in_upper_case_is_the_same_record(hub: HubThread, station: Station) -> None:
    ent = enterprise()
    req = request_rec(ent["uuid"], 1)
    assert {r["status"] for r in station.results([ent, req])} == {"accepted"}
    upper = request_rec(ent["uuid"].upper(), 1, uid=req["uuid"].upper(), rev=2,
                        description="想申请一笔银行信用贷款，金额五百万")
    result = station.results([upper])[0]
    assert result["status"] == "accepted" and result["uuid"] == req["uuid"]
    with hub.db.session() as s:
        assert s.scalar(select(func.count()).select_from(HubRequest)) == 1
        assert s.scalar(select(func.count()).select_from(HubEnterprise)) == 1
        assert s.scalars(select(HubRequest.revision)).one() == 2


def test_docs_need_no_cdn_and_the_protocol_header_is_not_mangled(hub: HubThread, station: Station) -> None:
    assert httpx.get(f"{hub.url}/docs", timeout=5).status_code == 404
    assert httpx.get(f"{hub.url}/redoc", timeout=5).status_code == 404
    assert "cdn" not in httpx.get(f"{hub.url}/openapi.json", timeout=5).text.lower()
    resp = httpx.get(f"{hub.url}/api/v1/sync/pull",
                     headers={"Authorization": f"Bearer {station.token}", PROTOCOL_HEADER: "١".encode()},
                     timeout=5)
    assert resp.status_code == 426
    message = resp.json()["message"]
    assert "Ù" not in message and "١" in message


def test_the_admin_update_refuses_nothing_to_change(hub: HubThread, station: Station) -> None:
    seed(station)
    tracking = store.list_requests(hub.db)[0]["tracking_no"]
    admin = {"Authorization": "Bearer district-secret"}
    for body in ({}, {"actor": "区长本人"}, {"status": None}):
        resp = httpx.post(f"{hub.url}/api/v1/requests/{tracking}/update", json=body, headers=admin, timeout=5)
        assert resp.status_code == 400 and "nothing to change" in resp.json()["message"]
    assert store.request_detail(hub.db, tracking)["events"] == []
