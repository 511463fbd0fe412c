"""A contact reaches the district hub over real HTTP as a station ``contact`` event, is stored,
is listed by ``xuhui-hub request show --json``; records the hub refuses appear on Today."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.synckit import FaultProxy, HubThread, add_requests, assert_converged, edit_request, hub_cli
from xuhui_desk import record_rules
from xuhui_desk.db import Database
from xuhui_desk.hub import store
from xuhui_desk.models import Request, SyncState
from xuhui_desk.services.followup import record_contact, switch_specialist
from xuhui_desk.services.sync import SyncOptions, run_sync
from xuhui_desk.services.today import today
from xuhui_desk.services.workflow import find_request

FAST = SyncOptions(read_timeout=2.0, health_timeout=1.0, connect_timeout=1.0, attempts=3, backoff_base=0.01,
                   backoff_max=0.05)
SUMMARY = "已电话告知企业：贴息材料下周一前提交 🙂"


def test_a_contact_syncs_to_the_hub_and_hub_show_lists_it(station: Database, hub: HubThread,
                                                          proxy: FaultProxy) -> None:
    (uuid,) = add_requests(station, 1)
    assert run_sync(station, options=FAST).ok
    switch_specialist(station, "王芳")
    callback = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    contact = record_contact(station, uuid, "phone", SUMMARY, callback)
    summary = run_sync(station, options=FAST)
    assert summary.ok and summary.rejected == 0
    with station.session() as s:
        request: Request = find_request(s, uuid)
        tracking_no = request.tracking_no
        assert all(e.sync_state == SyncState.SYNCED for e in request.events)
    detail = store.request_detail(hub.db, tracking_no)
    contacts = [e for e in detail["events"] if e["kind"] == "contact"]
    assert [(e["uuid"], e["origin"], e["actor"], e["data"]) for e in contacts] == [
        (contact.event_uuid, "station", "王芳", {"channel": "phone", "summary": SUMMARY, "callback_on": callback})]
    assert "invalid" not in contacts[0]
    assert_converged(station, hub.db, expect=1)

    shown = json.loads(hub_cli(hub.db.url, "request", "show", tracking_no, "--json").stdout)
    assert shown["contacts"] == [{"uuid": contact.event_uuid, "occurred_at": contacts[0]["occurred_at"],
                                  "actor": "王芳", "channel": "phone", "summary": SUMMARY, "callback_on": callback}]


def test_a_record_the_hub_refuses_is_on_today(station: Database, hub: HubThread, proxy: FaultProxy) -> None:
    uuids = add_requests(station, 2)
    # A due time years ahead: the hub refuses it as implausible (time.range).
    edit_request(station, uuids[0], sla_due_at=datetime.now(UTC) + timedelta(days=3000))
    summary = run_sync(station, options=FAST)
    assert summary.rejected >= 1
    refused = today(station, datetime.now(UTC))["refused"]
    assert refused.count == 1
    (line,) = refused.lines
    with station.session() as s:
        assert line.tracking_no == find_request(s, uuids[0]).tracking_no
    assert line.request_uuid == uuids[0] and line.company.startswith("上海测试") and line.detail


WINDOW = record_rules.time_window(datetime(2027, 3, 10, tzinfo=UTC))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"channel": "fax", "summary": "x"}, "code.invalid"),
        ({"summary": "x"}, "event.data_missing"),
        ({"channel": "phone"}, "event.data_missing"),
        ({"channel": "phone", "summary": "x" * 2001}, "text.too_long"),
        ({"channel": "phone", "summary": 5}, "event.data_type"),
        ({"channel": "phone", "summary": "x", "callback_on": "2027-13-01"}, "event.data_type"),
        ({"channel": "phone", "summary": "x", "callback_on": "2027-03-10T08:00:00+08:00"}, "event.data_type"),
        ({"channel": "phone", "summary": "x", "callback_on": "9999-01-01"}, "time.range"),
        ({"channel": "phone", "summary": "x", "extra": 1}, "event.data_key"),
    ],
)
def test_the_hub_s_rules_refuse_a_malformed_contact(data: dict[str, object], code: str) -> None:
    problems = record_rules.check_event_data("contact", data, origin="station", window=WINDOW)
    assert code in [p.code for p in problems]
    assert record_rules.field_error_message(problems[0]) != code


def test_the_hub_s_rules_accept_a_contact() -> None:
    ok = {"channel": "message", "summary": "已发短信", "callback_on": "2027-03-11"}
    assert record_rules.check_event_data("contact", ok, origin="station", window=WINDOW) == []
