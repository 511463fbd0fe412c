"""Issue 15 on the wire: the enterprise ``profile`` and the ``policy_push`` record — the shared
rules (record_rules) and the hub accepting them over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from tests.hub.test_api import NOW, Station, enterprise, request_rec
from tests.synckit import HubThread
from xuhui_desk import record_rules
from xuhui_desk.hub.models import HubEnterprise, HubPolicyPush
from xuhui_desk.sync_protocol import (
    ENTERPRISE_FIELDS,
    POLICY_PUSH,
    POLICY_PUSH_FIELDS,
    FieldError,
    content_hash,
    from_wire,
    to_wire,
)

WINDOW = record_rules.time_window(NOW)


def push_rec(ent: str, uid: str | None = None, rev: int = 1, **over: Any) -> dict[str, Any]:
    values = {"enterprise_uuid": ent, "pushed_by": "李敏", "pushed_at": NOW, "channel": "print_a5",
              "policies": [{"id": "P-2027-001", "version": 1}, {"id": "P-2027-002", "version": 3}],
              "request_uuid": None} | over
    return to_wire(POLICY_PUSH, uid or str(uuid.uuid4()), rev, values)


def codes(errors: list[FieldError]) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in errors}


def test_profile_is_an_optional_object_field_that_keeps_old_hashes() -> None:
    assert ENTERPRISE_FIELDS["profile"] == "dict?"
    old = enterprise("e-0000001")
    # A record without a profile hashes as it did before the field existed (stored hashes stay valid).
    without = {k: v for k, v in old.items() if k != "profile"}
    assert old["profile"] is None and content_hash(old) == content_hash(without)
    withp = enterprise("e-0000001", profile={"size": "small"})
    assert withp["profile"] == {"size": "small"} and content_hash(withp) != content_hash(old)
    assert from_wire(withp).values["profile"] == {"size": "small"}
    assert from_wire(old).values["profile"] is None


def test_profile_rules_name_each_bad_fact() -> None:
    assert record_rules.check_profile(None) == []
    assert record_rules.check_profile({"industry_code": "6513", "size": "small", "employees": 12,
                                       "qualifications": ["高新技术企业"], "established": "2019-05-20"}) == []
    bad = record_rules.check_profile({"size": "tiny", "employees": -1, "colour": "red"})
    assert {e.field for e in bad} == {"size", "employees", "colour"}
    assert codes(record_rules.check_profile("small")) == {("profile", "profile.not_object")}
    msg = record_rules.field_error_message(bad[0])
    assert "profile." not in msg and msg  # worded from the catalog


def test_policy_push_rules() -> None:
    good = from_wire(push_rec("e-0000001")).values
    assert set(POLICY_PUSH_FIELDS) == set(good) and good["policies"][1] == {"id": "P-2027-002", "version": 3}
    assert record_rules.check_policy_push(good, window=WINDOW) == []
    assert codes(record_rules.check_policy_push(good | {"channel": "fax"}, window=WINDOW)) == {
        ("channel", "policy_push.channel")}
    assert codes(record_rules.check_policy_push(good | {"policies": []}, window=WINDOW)) == {
        ("policies", "policy_push.count")}
    many = [{"id": f"P-{i}", "version": 1} for i in range(51)]
    assert codes(record_rules.check_policy_push(good | {"policies": many}, window=WINDOW)) == {
        ("policies", "policy_push.count")}
    for item in ({"id": "P 1", "version": 1}, {"id": "P-1", "version": 0}, {"id": "P-1", "version": True},
                 {"id": "P-1"}, {"id": "P-1", "version": 1, "title": "x"}, "P-1"):
        found = record_rules.check_policy_push(good | {"policies": [item]}, window=WINDOW)
        assert codes(found) == {("policies", "policy_push.item")}, item
    twice = [{"id": "P-1", "version": 1}, {"id": "P-1", "version": 2}]
    assert codes(record_rules.check_policy_push(good | {"policies": twice}, window=WINDOW)) == {
        ("policies", "policy_push.repeated")}
    late = good | {"pushed_at": NOW + timedelta(days=3)}
    assert codes(record_rules.check_policy_push(late, window=WINDOW)) == {("pushed_at", "time.range")}
    assert codes(record_rules.check_policy_push(good | {"pushed_by": ""}, window=WINDOW)) == {
        ("pushed_by", "text.too_long")}
    for err in record_rules.check_policy_push(good | {"channel": "fax", "policies": twice}, window=WINDOW):
        assert record_rules.field_error_message(err, "en") != f"{err.field}: {err.code}"


def _now_records(station: Station) -> tuple[dict[str, Any], dict[str, Any]]:
    now = datetime.now(UTC)
    ent = enterprise(first_seen_at=now, updated_at=now,
                     profile={"industry_code": "i6513", "size": "small", "registered_in_xuhui": True})
    req = request_rec(ent["uuid"], created_at=now, updated_at=now, code=station.code)
    return ent, req


def test_hub_stores_the_profile_normalised_and_refuses_a_bad_one(hub: HubThread, station: Station) -> None:
    ent, _ = _now_records(station)
    bad = dict(ent, uuid=str(uuid.uuid4()), profile={"size": "huge", "employees": "many"})
    results = station.results([ent, bad])
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert {e["field"] for e in results[1]["errors"]} == {"size", "employees"}
    assert all(e["message"] and "profile." not in e["message"] for e in results[1]["errors"])
    with hub.db.session() as s:
        row = s.scalars(select(HubEnterprise).where(HubEnterprise.uuid == ent["uuid"])).one()
        stored = json.loads(row.profile or "null")
        assert stored == {"industry_code": "I6513", "size": "small", "registered_in_xuhui": True}
        assert s.scalars(select(HubEnterprise).where(HubEnterprise.uuid == bad["uuid"])).first() is None
    # A newer revision without a profile clears it (nothing known any more).
    cleared = dict(ent, revision=2, profile=None)
    assert station.results([cleared])[0]["status"] == "accepted"
    with hub.db.session() as s:
        assert s.scalars(select(HubEnterprise.profile).where(HubEnterprise.uuid == ent["uuid"])).one() is None


def test_hub_accepts_policy_pushes_idempotently_for_its_own_enterprises(
        hub: HubThread, stations: Any) -> None:
    xh03, xh04 = stations("XH03"), stations("XH04")
    ent, req = _now_records(xh03)
    now = datetime.now(UTC)
    push = push_rec(ent["uuid"], pushed_at=now, request_uuid=req["uuid"])
    # Parents first in one batch: the enterprise, the request, then the push naming both.
    assert [r["status"] for r in xh03.results([ent, req, push])] == ["accepted"] * 3
    assert xh03.results([push])[0]["status"] == "duplicate"
    # Same uuid, other content: refused (pushes are immutable), and nothing changes.
    other = dict(push, channel="told")
    assert xh03.results([other])[0]["errors"][0]["code"] == "uuid.taken"
    assert xh03.results([dict(push, revision=2)])[0]["status"] == "rejected"
    # Another station can neither push for this station's enterprise nor reuse the uuid.
    foreign = push_rec(ent["uuid"], pushed_at=now)
    answer = xh04.results([foreign])[0]
    assert answer["status"] == "rejected" and answer["errors"][0]["code"] == "enterprise.unknown"
    assert xh04.results([dict(push)])[0]["status"] == "rejected"
    # An unknown enterprise / request: the station retries later (parent unknown).
    orphan = push_rec(str(uuid.uuid4()), pushed_at=now)
    assert xh03.results([orphan])[0]["errors"][0]["code"] == "enterprise.unknown"
    lost = push_rec(ent["uuid"], pushed_at=now, request_uuid=str(uuid.uuid4()))
    assert xh03.results([lost])[0]["errors"][0]["code"] == "request.unknown"
    bad = push_rec(ent["uuid"], pushed_at=now, channel="fax", policies=[])
    assert {e["code"] for e in xh03.results([bad])[0]["errors"]} == {"policy_push.channel", "policy_push.count"}
    with hub.db.session() as s:
        rows = s.scalars(select(HubPolicyPush)).all()
        assert [r.uuid for r in rows] == [push["uuid"]]
        assert rows[0].channel == "print_a5" and rows[0].request_uuid == req["uuid"]
        assert rows[0].enterprise.uuid == ent["uuid"] and rows[0].pushed_by == "李敏"
        assert [(i.policy_id, i.policy_version, i.state) for i in rows[0].items] == [
            ("P-2027-001", 1, "pushed"), ("P-2027-002", 3, "pushed")]
