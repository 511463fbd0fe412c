"""Inputs that once made the hub answer 500 (found by tests/reliability/test_hub_fuzz.py), over
real HTTP on SQLite and PostgreSQL: each gets a 4xx with the hub's error body, or a per-record
rejection, and what the hub stores is what it validated."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.hub.test_api import Station, enterprise, event_rec, request_rec, seed
from tests.synckit import HubThread
from xuhui_desk.hub import store
from xuhui_desk.sync_protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, push_body


@pytest.fixture
def station(hub: HubThread) -> Iterator[Station]:
    made = Station(hub, "XH03")
    with made.client:
        yield made


def _raw_push(station: Station, records_json: str, code: str | None = None) -> httpx.Response:
    body = {"batch_id": str(uuid.uuid4()), "station": station.code if code is None else code}
    text = json.dumps(body)[:-1] + ', "records": ' + records_json + "}"
    return station.client.post("/api/v1/sync/push", content=text.encode("utf-8", "surrogatepass"),
                               headers={"Content-Type": "application/json"})


def _refused(resp: httpx.Response, status: int = 400) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"] and body["message"], body
    return body


def _codes(result: dict[str, Any]) -> set[str]:
    assert result["status"] == "rejected", result
    return {e["code"] for e in result["errors"]}


@pytest.mark.parametrize("cursor", [2**63, 2**64, 10**30])
def test_a_cursor_beyond_64_bits_is_a_400(station: Station, cursor: int) -> None:
    _refused(station.client.get("/api/v1/sync/pull", params={"cursor": cursor}))
    assert station.client.get("/api/v1/sync/pull", params={"cursor": 2**63 - 1}).status_code == 200


@pytest.mark.parametrize("revision", [2**31, 2**63, 2**64, 10**30])
def test_a_revision_beyond_the_hubs_integers_is_a_field_error(station: Station, revision: int) -> None:
    ent = enterprise()
    resp = _raw_push(station, json.dumps([{**ent, "revision": revision}]))
    assert resp.status_code == 200, resp.text
    assert _codes(resp.json()["results"][0]) == {"wire.revision"}
    assert station.results([{**ent, "revision": 2**31 - 1}])[0]["status"] == "accepted"


@pytest.mark.parametrize("record_type", ["[]", "{}", '["enterprise"]', '{"a": 1}', "1", "null"])
def test_a_record_type_that_is_no_string_is_a_field_error(station: Station, record_type: str) -> None:
    resp = _raw_push(station, '[{"type": ' + record_type + ', "uuid": "abcdefgh1", "revision": 1}]')
    assert resp.status_code == 200, resp.text
    assert _codes(resp.json()["results"][0]) == {"wire.choice"}


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_time_that_overflows_in_utc_is_a_field_error(station: Station, when: str) -> None:
    for field in ("first_seen_at", "updated_at"):
        result = station.results([enterprise(**{field: None}) | {field: when}])[0]
        assert _codes(result) == {"wire.time"}


@pytest.mark.parametrize("content", [
    '{"records": [], "clock_skew_seconds": ' + "1" * 5000 + "}",  # more digits than int() takes
    "[" * 100_000 + "]" * 100_000,  # deeper than json.loads recurses
    "[" * 500 + "]" * 500,  # parses, but deeper than the hub takes
    '{"records": [], "clock_skew_seconds": 1e400}',  # infinite
    '{"records": [], "clock_skew_seconds": NaN}',
    '{"records": [], "clock_skew_seconds": -Infinity}',
])
def test_numbers_and_nesting_json_cannot_hold_are_a_400(station: Station, content: str) -> None:
    resp = station.client.post("/api/v1/sync/push", content=content, headers={"Content-Type": "application/json"})
    _refused(resp)


def test_lone_surrogates_anywhere_in_a_body_are_a_400(hub: HubThread, station: Station) -> None:
    ent_uuid, (req_uuid,) = seed(station)
    escaped = enterprise(name="上海\\ud800有限公司")  # the JSON escape, as most clients send it
    raw_utf8 = enterprise(name="上海\ud800有限公司")  # the UTF-8 bytes of a surrogate
    assert "ud800" in _refused(_raw_push(station, json.dumps([escaped]).replace("\\\\", "\\")))["message"]
    _refused(_raw_push(station, json.dumps([raw_utf8], ensure_ascii=False)))
    _refused(_raw_push(station, json.dumps([event_rec(req_uuid, "note", text="\udcff")])))
    _refused(_raw_push(station, json.dumps([event_rec(req_uuid, "note", **{"\udcff": "key"})])))
    _refused(_raw_push(station, "[]", code="\ud800"))  # the station code is echoed in the 403 message
    admin = httpx.Client(base_url=hub.url, timeout=10, headers={"Authorization": "Bearer district-secret"})
    with admin:
        row = store.list_requests(hub.db)[0]
        _refused(admin.post(f"/api/v1/requests/{row['tracking_no']}/update", content='{"reply": "\\ud800 已受理"}'))
        _refused(admin.post(f"/api/v1/requests/{row['tracking_no']}/update", content="[" * 100_000))
        _refused(admin.post(f"/api/v1/requests/{row['tracking_no']}/update", json={"actor": ["x"]}))
        # A NUL in the path finds no request (PostgreSQL refuses NUL in text parameters).
        _refused(admin.post("/api/v1/requests/XH03-20261126-001%00/update", json={"reply": "已受理"}), 404)
    assert store.request_detail(hub.db, row["tracking_no"])["events"] == []
    assert ent_uuid


def test_the_hub_stores_the_cleaned_texts_it_validated(hub: HubThread, station: Station) -> None:
    ent = enterprise(name="  上海\x07控制\x00字符\n有限公司 ", contact_name="王\x1b先生", park="漕河泾\x7f园区",
                     building="\t1号楼 ")
    req = request_rec(ent["uuid"], description="想申请\x00一笔\r\n银行贷款\x08", specialist="李\x00敏",
                      rating=5, rating_comment="很\x0b满意", department="finance\x00_center",
                      subcategory="loan\x1f", suggested_category="finance\x00")
    results = station.results([ent, req])
    assert [r["status"] for r in results] == ["accepted", "accepted"], results
    ev = event_rec(req["uuid"], "note", note="附注")
    ev["actor"] = "李\x00敏\x1b"
    assert station.results([ev])[0]["status"] == "accepted"
    detail = store.request_detail(hub.db, req["tracking_no"])
    assert detail["enterprise_name"] == "上海控制字符 有限公司"
    assert detail["contact_name"] == "王先生"
    assert detail["description"] == "想申请一笔\r\n银行贷款"
    assert detail["specialist"] == "李敏"
    assert detail["department"] == "finance_center"
    assert detail["subcategory"] == "loan"
    assert [e["actor"] for e in detail["events"]] == ["李敏"]
    # Enterprise names that are only control characters are too short once cleaned.
    assert _codes(station.results([enterprise(name="\x00\x01上")])[0]) == {"text.too_short"}


def test_values_longer_than_the_hubs_columns_are_field_errors(station: Station) -> None:
    ent = enterprise()
    assert station.results([ent])[0]["status"] == "accepted"
    cases = {
        "tracking_no": {"tracking_no": "XH03-20261126-" + "1" * 30},
        "category": {"category": "a" * 17},
        "linked_request_uuid": {"linked_request_uuid": "x" * 37},
    }
    for n, (field, over) in enumerate(cases.items(), start=1):
        result = station.results([request_rec(ent["uuid"], n, **over)])[0]
        assert result["status"] == "rejected" and field in {e["field"] for e in result["errors"]}, result
    newline_kind = event_rec(str(uuid.uuid4()), "a" * 24 + "\n")
    assert "event.kind" in _codes(station.results([newline_kind])[0])
    trailing = {**ent, "uuid": str(uuid.uuid4()) + "\n"}
    assert _codes(station.results([trailing])[0]) == {"wire.uuid"}


def test_the_openapi_document_declares_the_token_and_protocol_header(hub: HubThread) -> None:
    doc = httpx.get(f"{hub.url}/openapi.json", timeout=5).json()
    schemes = doc["components"]["securitySchemes"]
    assert {s["scheme"] for s in schemes.values()} == {"bearer"}
    for path, method in (("/api/v1/sync/push", "post"), ("/api/v1/sync/pull", "get"),
                         ("/api/v1/requests/{tracking_no}/update", "post")):
        op = doc["paths"][path][method]
        assert op["security"], path
    for path, method in (("/api/v1/sync/push", "post"), ("/api/v1/sync/pull", "get")):
        headers = [p for p in doc["paths"][path][method]["parameters"] if p["in"] == "header"]
        assert [p["name"] for p in headers] == [PROTOCOL_HEADER], path
    assert "security" not in doc["paths"]["/api/v1/health"]["get"]
    # Declaring them changes nothing: a missing header is still the hub's 426, a missing token its 401.
    anonymous = httpx.post(f"{hub.url}/api/v1/sync/push", json=push_body(str(uuid.uuid4()), "XH03", []),
                           headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)}, timeout=5)
    assert _refused(anonymous, 401)["error"] == "unauthorized"
    assert _refused(httpx.get(f"{hub.url}/api/v1/sync/pull", timeout=5), 426)["error"] == "upgrade_required"


def test_nul_characters_never_reach_the_database(hub: HubThread, station: Station) -> None:
    """PostgreSQL stores no NUL in text: references holding one are unknown, texts are cleaned."""
    ent_uuid, (req_uuid,) = seed(station)
    orphan = request_rec("a\x00b", 5)
    bad_tracking = request_rec(ent_uuid, 6, tracking_no="XH03-20261126-\x00")
    lost = event_rec("x\x00", "note", note="附注")
    data = event_rec(req_uuid, "note", note="a\x00b")
    odd_key = event_rec(req_uuid, "note", note="附注", **{"k\x00": "v"})
    results = station.results([orphan, bad_tracking, lost, data, odd_key])
    assert _codes(results[0]) == {"enterprise.unknown"}
    assert _codes(results[1]) == {"tracking_no.station"}
    assert _codes(results[2]) == {"request.unknown"}
    assert results[3]["status"] == "accepted", results[3]
    assert _codes(results[4]) == {"event.data_key"}
