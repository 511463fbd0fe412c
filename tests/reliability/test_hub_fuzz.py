"""The district hub's HTTP API fuzzed from its own OpenAPI document (hypothesis + httpx, in process).

Every operation the document lists is exercised with requests generated from its schemas —
path and query parameters, JSON bodies (push batches of records, district updates) — mixed
with malformed ones (wrong types, edge integers, times at the ends of the calendar, arbitrary
JSON, raw and gzip bytes, odd headers), under every kind of credentials: none, garbage, a
revoked station's token, station A's, station B's, the district admin's. It proves:

* no request gets a 5xx; a 4xx carries the hub's JSON error body;
* nothing but ``GET /api/v1/health`` (the one public operation) answers 2xx without a valid
  token, and the admin operation never answers 2xx to a station token;
* with station A's token nothing of station B's comes back — not in the change feed, not in
  push answers, not in errors — and nothing of B's changes (its requests, enterprises,
  timelines and feed are the same afterwards), whatever A sends (B's uuids, B's tracking
  numbers, B's station code in the batch, events on B's requests).

Operations are discovered from the document, so a new endpoint (a request listing, say) is
fuzzed and held to the same rules the day it is added. Known 5xx inputs are listed at the end
as plain regression tests.

Why not schemathesis: its pytest plugin would load into the whole suite (which runs with
``filterwarnings = error``) and brings a dozen packages; the document has four operations and
the properties that matter here (credentials, isolation of stations) are custom anyway.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import urllib.parse
import uuid as uuid_module
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("fastapi", reason="the hub's dependencies are not installed (pip install -e .[hub])")
pytest.importorskip("xuhui_desk.hub.app", reason="the district hub (xuhui_desk.hub.app) is not importable yet")

from xuhui_desk.sync_protocol import (
    ENTERPRISE,
    EVENT,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    REQUEST,
    push_body,
    to_wire,
)

ADMIN_TOKEN = "district-admin-secret"
PUBLIC_OPERATIONS = {("get", "/api/v1/health")}
ADMIN_OPERATIONS = {("post", "/api/v1/requests/{tracking_no}/update")}
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


# --- the hub, in process ------------------------------------------------------------------------


class AsgiHub:
    """The real hub app on a fresh SQLite database, called through httpx's ASGI transport."""

    def __init__(self, folder: Path) -> None:
        from xuhui_desk.hub.app import HubConfig, create_app
        from xuhui_desk.hub.database import open_hub_database

        self.db = open_hub_database(f"sqlite:///{folder / 'hub.db'}")
        self.config = HubConfig(max_body_bytes=256 * 1024, max_batch_records=40, admin_token=ADMIN_TOKEN)
        self.app = create_app(self.db, self.config)
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app, raise_app_exceptions=False),
                                        base_url="http://hub.test", timeout=60)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        self.loop.close()
        self.db.close()


@dataclass
class StationData:
    code: str
    token: str
    enterprises: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    tracking: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)

    @property
    def markers(self) -> list[str]:
        """Strings that identify this station's data (none of them can occur by chance)."""
        return [*self.enterprises, *self.requests, *self.events, *self.tracking, *self.secrets]


@dataclass
class Seeded:
    hub: AsgiHub
    a: StationData
    b: StationData
    revoked_token: str


def _headers(token: str | None) -> dict[str, str]:
    headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _seed_station(hub: AsgiHub, code: str, secret: str) -> StationData:
    from xuhui_desk.hub import store

    data = StationData(code, store.add_station(hub.db, code))
    records: list[dict[str, Any]] = []
    for e in range(2):
        ent = str(uuid_module.uuid4())
        data.enterprises.append(ent)
        records.append(to_wire(ENTERPRISE, ent, 1, {
            "name": f"上海{secret}{e}号科技有限公司", "uscc": None, "contact_name": "王先生", "phone": "13812345678",
            "park": "", "building": "", "first_seen_at": NOW, "updated_at": NOW}))
    for n in range(3):
        req = str(uuid_module.uuid4())
        tracking = f"{code}-20261126-{n + 1:03d}"
        data.requests.append(req)
        data.tracking.append(tracking)
        records.append(to_wire(REQUEST, req, 1, {
            "tracking_no": tracking, "enterprise_uuid": data.enterprises[n % 2], "channel": "walk_in",
            "category": "finance", "subcategory": None, "department": "finance_center",
            "description": f"{secret}诉求：想申请一笔银行贷款（{n}）", "urgency": "normal", "status": "new",
            "sla_due_at": None, "specialist": "李敏", "created_at": NOW, "updated_at": NOW,
            "first_response_at": None, "resolved_at": None, "rating": None, "rating_comment": None,
            "linked_request_uuid": None, "suggested_category": "finance"}))
        ev = str(uuid_module.uuid4())
        data.events.append(ev)
        records.append(to_wire(EVENT, ev, 1, {"request_uuid": req, "kind": "created", "actor": "李敏",
                                              "origin": "station", "occurred_at": NOW, "data": {"status": "new"}}))
    resp = hub.request("POST", "/api/v1/sync/push", json=push_body(str(uuid_module.uuid4()), code, records),
                       headers=_headers(data.token))
    assert resp.status_code == 200, resp.text
    assert {r["status"] for r in resp.json()["results"]} == {"accepted"}, resp.text
    reply = f"给{secret}的答复"
    store.district_update(hub.db, data.tracking[0], reply=reply, actor="金融服务中心")
    store.district_update(hub.db, data.tracking[1], status="in_progress", department="legal_center")
    data.secrets += [f"{secret}", reply]
    return data


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    from xuhui_desk.hub import store

    hub = AsgiHub(tmp_path)
    try:
        a = _seed_station(hub, "XH03", "甲站机密")
        b = _seed_station(hub, "XH04", "乙站机密")
        revoked = store.add_station(hub.db, "XH05")
        store.revoke_station(hub.db, "XH05")
        yield Seeded(hub, a, b, revoked)
    finally:
        hub.close()


def _state_of(hub: AsgiHub, station: StationData) -> Any:
    """Everything the hub holds of one station: requests with timelines, enterprises, change feed."""
    from sqlalchemy import select

    from xuhui_desk.hub import store
    from xuhui_desk.hub.models import HubEnterprise, HubStation

    requests = [store.request_detail(hub.db, r["tracking_no"]) for r in store.list_requests(hub.db, station.code)]
    with hub.db.session() as s:
        sid = s.scalars(select(HubStation.id).where(HubStation.code == station.code)).one()
        enterprises = sorted((e.uuid, e.name, e.revision, e.content_hash) for e in s.scalars(
            select(HubEnterprise).where(HubEnterprise.station_id == sid)))
    ref = store.authenticate(hub.db, station.token)
    assert ref is not None
    feed = store.pull(hub.db, ref, 0, 100_000)
    feed.pop("server_time", None)
    return {"requests": requests, "enterprises": enterprises, "feed": feed}


# --- requests generated from the OpenAPI document -------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    body_schema: dict[str, Any] | None


def _resolve(doc: dict[str, Any], schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        target: Any = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def operations(doc: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            body = (((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}).get("schema")
            found.append(Operation(method, path, tuple(_resolve(doc, p) for p in op.get("parameters", [])),
                                   _resolve(doc, body) if body else None))
    return found


NASTY_STRINGS = ["", " ", "\x00", "\ud800", "\udcff\udcfe", "'); DROP TABLE requests;--", "<script>x</script>",
                 "../../etc/passwd", "%00", "😀" * 20, "贷" * 5000, "null", "{}", "XH04", "XH03-20261126-001",
                 "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-11-26T10:00:00", "nan"]
EDGE_INTS = [0, -1, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30]
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(EDGE_INTS),
                        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                        st.sampled_from(NASTY_STRINGS))
any_json = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=10)


def _times() -> st.SearchStrategy[str]:
    return st.one_of(
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
        st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1)).map(
            lambda d: d.replace(tzinfo=UTC).isoformat()),
        st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-11-26T10:00:00",
                         "2026-13-45T99:99:99+08:00", ""]),
    )


class Generator:
    """Hypothesis strategies for one hub: schema-shaped values drawn from the stations' identifiers."""

    def __init__(self, doc: dict[str, Any], seeded: Seeded) -> None:
        self.doc = doc
        self.s = seeded
        ids = [*seeded.a.markers[:-2], *seeded.b.markers[:-2]]
        self.identifiers = st.one_of(
            st.uuids().map(str), st.sampled_from(ids),
            st.integers(1, 999).map(lambda n: f"XH03-20261126-{n:03d}"),
            st.sampled_from(["XH03", "XH04", "XH05", "finance", "legal", "new", "in_progress", "replied", "closed",
                             "created", "status_changed", "note", "station", "hub", "walk_in", "normal", "enterprise",
                             "request", "event", "上海模糊测试科技有限公司", "想申请一笔银行贷款，需要担保"]))
        self.strings = st.one_of(self.identifiers, st.text(max_size=40), st.sampled_from(NASTY_STRINGS))

    def value(self, schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
        """A value that fits ``schema`` most of the time, and sometimes any JSON at all."""
        fitting = self._fitting(_resolve(self.doc, schema) or {}, depth)
        return st.one_of(fitting, fitting, fitting, any_json) if depth else fitting

    def _fitting(self, schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return st.one_of([self.value(s, depth + 1) for s in schema[key]])
        kind = schema.get("type")
        if isinstance(kind, list):
            return st.one_of([self._fitting({**schema, "type": k}, depth) for k in kind])
        if kind == "string":
            return _times() if schema.get("format") == "date-time" else self.strings
        if kind == "integer":
            low, high = schema.get("minimum"), schema.get("maximum")
            return st.one_of(st.integers(low, high), st.sampled_from(EDGE_INTS))
        if kind == "number":
            return st.floats(allow_nan=False, allow_infinity=False)
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        if kind == "array":
            return st.lists(self.value(schema.get("items", {}), depth + 1), max_size=6 if depth == 0 else 3)
        if kind == "object" or "properties" in schema:
            props = schema.get("properties", {})
            required = set(schema.get("required", ()))
            if not props:
                return st.dictionaries(st.text(max_size=8), any_json, max_size=3)
            return st.fixed_dictionaries(
                {k: self.value(v, depth + 1) for k, v in props.items() if k in required},
                optional={k: self.value(v, depth + 1) for k, v in props.items() if k not in required})
        return any_json

    def credentials(self, kinds: list[str]) -> st.SearchStrategy[tuple[str, str | None]]:
        tokens = {"none": None, "garbage": "xh1_" + "A" * 43, "revoked": self.s.revoked_token, "a": self.s.a.token,
                  "b": self.s.b.token, "admin": ADMIN_TOKEN}
        return st.sampled_from([(k, tokens[k]) for k in kinds])

    def request(self, op: Operation, credential_kinds: list[str]) -> st.SearchStrategy[dict[str, Any]]:
        @st.composite
        def build(draw: Any) -> dict[str, Any]:
            kind, token = draw(self.credentials(credential_kinds))
            path = op.path
            params: dict[str, Any] = {}
            for p in op.parameters:
                fit = self.value(p.get("schema", {}))
                value = draw(st.one_of(fit, fit, fit, self.strings, st.sampled_from(EDGE_INTS)))
                if isinstance(value, str):
                    value = value[:500]  # a URL stays under httpx's 64 kB limit
                if p["in"] == "path":
                    path = path.replace("{" + p["name"] + "}", _quote(value))
                elif p["in"] == "query" and draw(st.booleans()):
                    params[p["name"]] = value if not isinstance(value, bool) else str(value).lower()
            headers: dict[str, str] = {}
            protocol = draw(st.sampled_from([str(PROTOCOL_VERSION)] * 12 + [None, "0", "2", "abc", "9" * 30]))
            if protocol is not None:
                headers[PROTOCOL_HEADER] = protocol
            if token is not None:
                scheme = draw(st.sampled_from(["Bearer ", "Bearer ", "bearer ", "Basic ", "Bearer  "]))
                headers["Authorization"] = scheme + token
            content: bytes | None = None
            plain = b""  # the body before any gzip: what the answer may echo back
            if op.body_schema is not None or op.method != "get":
                body = draw(st.one_of(self.value(op.body_schema or {}), self.value(op.body_schema or {}), any_json))
                if op.path.endswith("/sync/push") and isinstance(body, dict) and draw(st.booleans()):
                    body = {**body, "station": draw(st.sampled_from(["XH03", "XH04", "XH05"])),
                            "batch_id": str(draw(st.uuids()))}
                form = draw(st.sampled_from(["json", "json", "json", "gzip", "bytes"]))
                if form == "bytes":
                    content = draw(st.binary(max_size=200))
                else:
                    content = json.dumps(body, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
                    plain = content
                    if form == "gzip":
                        content = gzip.compress(content)
                        headers["Content-Encoding"] = "gzip"
                headers["Content-Type"] = "application/json"
            return {"method": op.method.upper(), "url": path, "params": params, "headers": headers,
                    "content": content, "plain": plain, "credential": kind, "operation": (op.method, op.path)}

        return build()


def _quote(value: Any) -> str:
    # Percent-encoded UTF-8, lone surrogates included (as a careless client would send them).
    return urllib.parse.quote(str(value).encode("utf-8", "surrogatepass"), safe="")


def _send(hub: AsgiHub, req: dict[str, Any]) -> httpx.Response:
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in req["params"].items())
    url = req["url"] + ("?" + query if query else "")
    return hub.request(req["method"], url, headers=req["headers"], content=req["content"])


def _sent(req: dict[str, Any]) -> str:
    """Everything the request itself said (an answer may echo it back: that is no leak)."""
    body = req.get("plain") or req["content"] or b""
    return (urllib.parse.unquote(req["url"]) + json.dumps(req["params"], ensure_ascii=False)
            + body.decode("utf-8", "replace") + json.dumps(body.decode("utf-8", "replace")))


def _describe(req: dict[str, Any], resp: httpx.Response) -> str:
    content = req["content"]
    return (f"{req['method']} {req['url']} params={req['params']} credential={req['credential']} "
            f"headers={ {k: v for k, v in req['headers'].items() if k != 'Authorization'} } "
            f"body={content[:300] if content else None!r} -> {resp.status_code} {resp.text[:300]}")


def _check_no_server_error(req: dict[str, Any], resp: httpx.Response) -> None:
    assert resp.status_code < 500, _describe(req, resp)
    if 400 <= resp.status_code < 500 and resp.status_code not in (404, 405):
        body = resp.json()
        assert isinstance(body, dict) and body.get("error") and body.get("message"), _describe(req, resp)


def _document(seeded: Seeded) -> dict[str, Any]:
    resp = seeded.hub.request("GET", "/openapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["paths"], "the OpenAPI document lists no operations"
    return doc


# --- the properties -------------------------------------------------------------------------------


def test_the_document_lists_the_sync_operations_and_health_is_the_only_public_one(seeded: Seeded) -> None:
    ops = {(o.method, o.path) for o in operations(_document(seeded))}
    assert {("post", "/api/v1/sync/push"), ("get", "/api/v1/sync/pull"), ("get", "/api/v1/health")} <= ops
    health = seeded.hub.request("GET", "/api/v1/health")
    assert health.status_code == 200
    assert not any(m in health.text for m in seeded.a.markers + seeded.b.markers)


@pytest.mark.parametrize("credentials", ["valid", "any"])
def test_no_server_error_for_any_request_the_document_allows_or_not(seeded: Seeded, credentials: str) -> None:
    """Each operation in turn; with valid credentials most requests get past authentication."""
    doc = _document(seeded)
    gen = Generator(doc, seeded)
    for op in operations(doc):
        if credentials == "any":
            kinds = ["none", "garbage", "revoked", "a", "b", "admin"]
        else:
            kinds = ["admin"] if (op.method, op.path) in ADMIN_OPERATIONS else ["a", "a", "b"]

        @settings(max_examples=150 if credentials == "valid" else 60, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(req=gen.request(op, kinds))
        def run(req: dict[str, Any]) -> None:
            _check_no_server_error(req, _send(seeded.hub, req))

        run()


def test_nothing_but_health_answers_without_a_valid_token(seeded: Seeded) -> None:
    doc = _document(seeded)
    gen = Generator(doc, seeded)
    guarded = [o for o in operations(doc) if (o.method, o.path) not in PUBLIC_OPERATIONS]
    assert guarded

    @settings(max_examples=250, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(req=st.sampled_from(guarded).flatmap(
        lambda op: gen.request(op, ["none", "garbage", "revoked", "a", "b"] if (op.method, op.path) in ADMIN_OPERATIONS
                               else ["none", "garbage", "revoked", "admin"])))
    def run(req: dict[str, Any]) -> None:
        resp = _send(seeded.hub, req)  # 5xx are the business of the test above
        assert not 200 <= resp.status_code < 300, "answered without valid credentials: " + _describe(req, resp)
        leaked = [m for m in seeded.a.markers + seeded.b.markers if m in resp.text and m not in _sent(req)]
        assert not leaked, f"station data in an unauthenticated answer {leaked}: " + _describe(req, resp)

    run()


def test_station_a_can_neither_see_nor_change_station_b(seeded: Seeded) -> None:
    doc = _document(seeded)
    gen = Generator(doc, seeded)
    b_before = _state_of(seeded.hub, seeded.b)
    station_ops = [o for o in operations(doc) if (o.method, o.path) not in PUBLIC_OPERATIONS]

    @settings(max_examples=300, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(req=st.sampled_from(station_ops).flatmap(lambda op: gen.request(op, ["a"])))
    def run(req: dict[str, Any]) -> None:
        resp = _send(seeded.hub, req)  # 5xx are the business of the no-server-error test
        leaked = [m for m in seeded.b.markers if m in resp.text and m not in _sent(req)]
        assert not leaked, f"station B's data in an answer to station A {leaked}: " + _describe(req, resp)
        if req["operation"] == ("get", "/api/v1/sync/pull") and resp.status_code == 200:
            assert not {c["request_uuid"] for c in resp.json()["changes"]} & set(seeded.b.requests)

    run()
    assert _state_of(seeded.hub, seeded.b) == b_before, "station A's requests changed station B's data"
    # And A, pulling its whole feed, sees only its own requests.
    feed = seeded.hub.request("GET", "/api/v1/sync/pull", params={"limit": 1000}, headers=_headers(seeded.a.token))
    assert feed.status_code == 200
    assert {c["request_uuid"] for c in feed.json()["changes"]} <= set(seeded.a.requests) | {
        r["uuid"] for r in _a_requests(seeded)}


def _a_requests(seeded: Seeded) -> list[dict[str, Any]]:
    from xuhui_desk.hub import store

    return store.list_requests(seeded.hub.db, seeded.a.code)


_TIMES = st.sampled_from(["0001-01-01T00:00:00+00:00", "1970-01-01T00:00:00+00:00", "2019-12-31T23:59:59+00:00",
                          NOW.isoformat(), "2026-11-27T01:59:59+00:00", "2099-01-01T00:00:00+00:00",
                          "9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-01:00"])
_VALUES = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10, max_value=10),
                    st.integers(min_value=-2**70, max_value=2**70), st.sampled_from(
                        ["new", "routed", "in_progress", "replied", "closed", "cancelled", "<hacked>", "abc",
                         "finance", "legal_center", "description", "status", "D" * 40, "长" * 2001, ""]),
                    _TIMES, st.text(max_size=30), st.lists(st.sampled_from(["description", "channel", "status"]),
                                                            max_size=3),
                    st.dictionaries(st.sampled_from(["description", "channel", "pad"]), st.text(max_size=5),
                                    max_size=2))


@st.composite
def _event_data(draw: Any) -> tuple[str, dict[str, Any], str]:
    from xuhui_desk.record_rules import EVENT_KINDS

    kind = draw(st.one_of(st.sampled_from(sorted(EVENT_KINDS)), st.sampled_from(["pwned", "Note", "reply\n"])))
    keys = [*EVENT_KINDS.get(kind, {}), "pad", "rating", "status", "from"]
    data = draw(st.dictionaries(st.sampled_from(keys), _VALUES, max_size=5))
    return kind, data, draw(_TIMES)


def test_no_poisoned_event_reaches_the_hub_whatever_its_data(seeded: Seeded) -> None:
    """Events of every kind with data drawn from good and poisonous values (the audit's ratings,
    statuses, far times, unknown keys, long texts): each is accepted exactly when the shared rules
    accept it, and everything stored afterwards passes them."""
    from sqlalchemy import select

    from xuhui_desk import record_rules
    from xuhui_desk.hub.models import HubEvent
    from xuhui_desk.sync_protocol import parse_time

    hub = seeded.hub
    request_uuid = seeded.a.requests[2]

    @settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(drawn=_event_data())
    def run(drawn: tuple[str, dict[str, Any], str]) -> None:
        kind, data, when = drawn
        record = {"type": "event", "uuid": str(uuid_module.uuid4()), "revision": 1, "request_uuid": request_uuid,
                  "kind": kind, "actor": "李敏", "origin": "station", "occurred_at": when, "data": data}
        resp = hub.request("POST", "/api/v1/sync/push", headers=_headers(seeded.a.token),
                           json=push_body(str(uuid_module.uuid4()), "XH03", [record]))
        assert resp.status_code == 200, resp.text
        (result,) = resp.json()["results"]
        try:
            occurred = parse_time(when)
        except ValueError:
            occurred = None
        window = record_rules.time_window(datetime.now(UTC))
        expected = [] if occurred is None else record_rules.check_event(
            {**record, "occurred_at": occurred}, origin="station", window=window)
        if result["status"] == "accepted":
            assert occurred is not None and expected == [], (record, expected)
        else:
            assert result["status"] == "rejected" and result["errors"], result
            assert occurred is None or expected, (record, result)

    run()
    window = record_rules.time_window(datetime.now(UTC))
    with hub.db.session() as s:
        stored = s.scalars(select(HubEvent).where(HubEvent.origin == "station")).all()
        for e in stored:
            values = {"kind": e.kind, "actor": e.actor, "origin": e.origin, "occurred_at": e.occurred_at,
                      "data": e.data}
            assert record_rules.check_event(values, origin="station", window=window) == [], values


def test_targeted_cross_station_attempts_are_refused(seeded: Seeded) -> None:
    """The obvious attacks, spelled out (the fuzzer above finds them only by chance)."""
    hub, a, b = seeded.hub, seeded.a, seeded.b
    before = _state_of(hub, b)

    def push(records: list[dict[str, Any]], station: str = "XH03") -> httpx.Response:
        return hub.request("POST", "/api/v1/sync/push", json=push_body(str(uuid_module.uuid4()), station, records),
                           headers=_headers(a.token))

    assert push([], station="XH04").status_code == 403
    hijack = to_wire(ENTERPRISE, b.enterprises[0], 9, {
        "name": "上海劫持有限公司", "uscc": None, "contact_name": "", "phone": "", "park": "", "building": "",
        "first_seen_at": NOW, "updated_at": NOW})
    rename = to_wire(REQUEST, b.requests[0], 9, {
        "tracking_no": "XH03-20261126-900", "enterprise_uuid": a.enterprises[0], "channel": "walk_in",
        "category": "legal", "subcategory": None, "department": None, "description": "被A站改写的诉求内容",
        "urgency": "normal", "status": "closed", "sla_due_at": None, "specialist": "", "created_at": NOW,
        "updated_at": NOW, "first_response_at": None, "resolved_at": None, "rating": None, "rating_comment": None,
        "linked_request_uuid": None, "suggested_category": None})
    borrow = {**rename, "uuid": str(uuid_module.uuid4()), "revision": 1, "enterprise_uuid": b.enterprises[0],
              "tracking_no": "XH03-20261126-901"}
    steal = to_wire(EVENT, str(uuid_module.uuid4()), 1, {
        "request_uuid": b.requests[0], "kind": "status_changed", "actor": "A", "origin": "station",
        "occurred_at": NOW, "data": {"status": "closed"}})
    reuse = to_wire(EVENT, b.events[0], 1, {
        "request_uuid": a.requests[0], "kind": "note", "actor": "A", "origin": "station", "occurred_at": NOW,
        "data": {"text": "x"}})
    resp = push([hijack, rename, borrow, steal, reuse])
    assert resp.status_code == 200, resp.text
    assert [r["status"] for r in resp.json()["results"]] == ["rejected"] * 5, resp.text
    assert not any(m in resp.text for m in b.secrets)
    admin_as_a = hub.request("POST", f"/api/v1/requests/{b.tracking[0]}/update", json={"status": "closed"},
                             headers=_headers(a.token))
    assert admin_as_a.status_code in (401, 403)
    assert _state_of(hub, b) == before


# --- known inputs that answered 500 ---------------------------------------------------------------


def _record(kind: str, **over: Any) -> dict[str, Any]:
    base = {
        ENTERPRISE: {"type": ENTERPRISE, "uuid": str(uuid_module.uuid4()), "revision": 1,
                     "name": "上海边界测试有限公司", "uscc": None, "contact_name": "", "phone": "", "park": "",
                     "building": "",
                     "first_seen_at": "2026-11-26T02:00:00+00:00", "updated_at": "2026-11-26T02:00:00+00:00"},
        EVENT: {"type": EVENT, "uuid": str(uuid_module.uuid4()), "revision": 1, "request_uuid": "PLACEHOLDER",
                "kind": "note", "actor": "", "origin": "station", "occurred_at": "2026-11-26T02:00:00+00:00",
                "data": {}},
    }[kind]
    return {**base, **over}


def _push_text(records_json: str) -> str:
    return ('{"protocol": 1, "batch_id": "' + str(uuid_module.uuid4()) + '", "station": "XH03", "records": '
            + records_json + "}")


REGRESSIONS: list[tuple[str, str, str, dict[str, Any]]] = [
    # (name, method, url, request keyword arguments; "TOKEN" is station A's token, "ADMIN" the admin's)
    ("pull cursor beyond 64 bits", "GET", "/api/v1/sync/pull", {"params": {"cursor": str(2**63)}}),
    ("push revision beyond 64 bits", "POST", "/api/v1/sync/push",
     {"content": _push_text(json.dumps([_record(ENTERPRISE, revision=2**63)]))}),
    ("push a name with a lone surrogate", "POST", "/api/v1/sync/push",
     {"content": _push_text(json.dumps([_record(ENTERPRISE, name="上海\ud800有限公司")]))}),
    ("push event data with a lone surrogate", "POST", "/api/v1/sync/push",
     {"content": _push_text(json.dumps([_record(EVENT, data={"text": "\udcff"})]))}),
    ("push a time that overflows in UTC (year 1)", "POST", "/api/v1/sync/push",
     {"content": _push_text(json.dumps([_record(ENTERPRISE, first_seen_at="0001-01-01T00:00:00+01:00")]))}),
    ("push a time that overflows in UTC (year 9999)", "POST", "/api/v1/sync/push",
     {"content": _push_text(json.dumps([_record(ENTERPRISE, updated_at="9999-12-31T23:59:59-01:00")]))}),
    ("push a station code with a lone surrogate (echoed in the 403 message)", "POST", "/api/v1/sync/push",
     {"content": '{"batch_id": "' + str(uuid_module.uuid4()) + '", "station": "\\ud800", "records": []}'}),
    ("push a record whose type is a list", "POST", "/api/v1/sync/push",
     {"content": _push_text('[{"type": [], "uuid": "abcdefgh1", "revision": 1}]')}),
    ("push a record whose type is an object", "POST", "/api/v1/sync/push",
     {"content": _push_text('[{"type": {}, "uuid": "abcdefgh1", "revision": 1}]')}),
    ("push a 5000-digit number", "POST", "/api/v1/sync/push",
     {"content": _push_text("[]")[:-1] + ', "clock_skew_seconds": ' + "1" * 5000 + "}"}),
    ("push deeply nested JSON", "POST", "/api/v1/sync/push", {"content": "[" * 100_000 + "]" * 100_000}),
    ("update with deeply nested JSON", "POST", "/api/v1/requests/XH03-20261126-001/update",
     {"content": "[" * 100_000 + "]" * 100_000, "admin": True}),
    ("update with a lone surrogate in the reply", "POST", "/api/v1/requests/XH03-20261126-001/update",
     {"content": '{"reply": "\\ud800 已受理"}', "admin": True}),
]


@pytest.mark.parametrize(("name", "method", "url", "kwargs"), REGRESSIONS, ids=[r[0] for r in REGRESSIONS])
def test_known_bad_inputs_get_a_4xx_not_a_500(seeded: Seeded, name: str, method: str, url: str,
                                            kwargs: dict[str, Any]) -> None:
    kwargs = dict(kwargs)
    token = ADMIN_TOKEN if kwargs.pop("admin", False) else seeded.a.token
    headers = {**_headers(token), "Content-Type": "application/json"}
    if isinstance(kwargs.get("content"), str):
        kwargs["content"] = kwargs["content"].replace("PLACEHOLDER", seeded.a.requests[0]).encode()
    req = {"method": method, "url": url, "params": kwargs.get("params", {}), "headers": headers,
           "content": kwargs.get("content"), "credential": "admin" if token == ADMIN_TOKEN else "a",
           "operation": (method.lower(), url)}
    _check_no_server_error(req, _send(seeded.hub, req))
