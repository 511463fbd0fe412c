"""Policies over sync, against the real hub over HTTP on 127.0.0.1 (tests/services/conftest.py):
the catalogue published with the real ``xuhui-hub policy`` command reaches the station (versions,
``unchanged``, withdrawals), the enterprise record carries the profile, a push goes to the hub
once, and a refused push is listed and can be sent again. The feed's parsing is also checked on
recorded answers (a malformed feed changes nothing; a policy the station cannot read is left out)."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from tests.synckit import FaultProxy, HubThread, add_requests, hub_cli
from xuhui_desk.db import Database
from xuhui_desk.hub.models import HubEnterprise, HubPolicyPush
from xuhui_desk.models import Enterprise, PolicyPush, SyncState, utcnow
from xuhui_desk.policies import CompanyProfile
from xuhui_desk.services import policies as svc
from xuhui_desk.services import policy_feed
from xuhui_desk.services.sync import run_sync
from xuhui_desk.services.sync.refused import refused_rows
from xuhui_desk.services.sync.state import rejected_records, resend, sync_status
from xuhui_desk.services.today import today
from xuhui_desk.sync_protocol import POLICIES_PATH

TODAY = date.today()


def policy(pid: str, conditions: dict[str, Any], title: str = "") -> dict[str, Any]:
    return {"id": pid, "title": title or f"测试政策{pid}", "department": "finance_center",
            "summary": "我们自己写的测试摘要", "valid_from": (TODAY - timedelta(days=30)).isoformat(),
            "valid_to": (TODAY + timedelta(days=300)).isoformat(), "apply": "no_application",
            "benefit": "最高10万元", "conditions": conditions, "sample": True}


def publish(hub: HubThread, tmp_path: Path, items: list[dict[str, Any]], name: str = "c.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"policies": items}, ensure_ascii=False), encoding="utf-8")
    return hub_cli(hub.db.url, "policy", "publish", str(path), "--by", "区政策科").stdout


def enterprise_id(db: Database) -> int:
    add_requests(db, 1, enterprises=1)
    with db.session() as s:
        return int(s.scalars(select(Enterprise.id)).one())


def test_a_published_catalogue_reaches_the_station_and_follows_its_versions(
        hub: HubThread, station: Database, proxy: FaultProxy, tmp_path: Path) -> None:
    eid = enterprise_id(station)
    svc.save_company_profile(station, eid, CompanyProfile(size="small", employees=20), actor="李敏")
    publish(hub, tmp_path, [policy("P-1", {"size": ["small"]}), policy("P-2", {"min_employees": 50}),
                            policy("P-3", {"registered_in_xuhui": True})])
    first = run_sync(station)
    assert first.ok and not first.errors, (first.error, first.errors)
    assert first.policies_changed
    assert [p.id for p in svc.current_policies(station, today=TODAY)] == ["P-1", "P-2", "P-3"]
    assert svc.catalogue_version(station) == 1
    news = {n.policy.id: n.companies for n in svc.new_policies(station, today=TODAY)}
    assert news == {"P-1": 1, "P-2": 0, "P-3": 1}

    # Nothing new: the hub says "unchanged" and the station keeps what it has.
    proxy.state.seen.clear()
    second = run_sync(station)
    assert second.ok and not second.policies_changed
    assert [seen.path for seen in proxy.state.seen if POLICIES_PATH in seen.path] == [f"{POLICIES_PATH}?since=1"]
    with station.session() as s:
        held = {p.id: (p.version, first_at) for p, _, first_at in svc.stored_policies(s)}

    # An edit (P-1 v2) and a withdrawal (P-3): the station holds the new set, P-1 keeps its arrival.
    publish(hub, tmp_path, [policy("P-1", {"size": ["small", "micro"]}, "改过的标题"),
                            policy("P-2", {"min_employees": 50}), policy("P-3", {"registered_in_xuhui": True})])
    hub_cli(hub.db.url, "policy", "withdraw", "P-3", "--reason", "测试撤回", "--by", "区政策科")
    third = run_sync(station)
    assert third.ok and third.policies_changed, third.errors
    with station.session() as s:
        now_held = {p.id: (p.version, p.title, first_at) for p, _, first_at in svc.stored_policies(s)}
    assert now_held["P-1"] == (2, "改过的标题", held["P-1"][1])
    assert set(now_held) == {"P-1", "P-2"}
    assert svc.catalogue_version(station) == 3


def test_the_profile_and_a_push_reach_the_hub_once(hub: HubThread, station: Database, tmp_path: Path) -> None:
    eid = enterprise_id(station)
    publish(hub, tmp_path, [policy("P-1", {"size": ["small"]}), policy("P-2", {"min_employees": 50})])
    assert run_sync(station).ok
    profile = CompanyProfile(industry_code="I6513", established=date(2020, 5, 1), registered_in_xuhui=True,
                             size="small", qualifications=frozenset({"高新技术企业"}), employees=20, revenue_wan=800.5)
    svc.save_company_profile(station, eid, profile, actor="李敏")
    with station.session() as s:
        request_id = s.scalars(select(Enterprise).where(Enterprise.id == eid)).one().requests[0].id
    push = svc.record_push(station, eid, [("P-1", 1), ("P-2", 1)], by="张伟", channel="print_thermal",
                           request_id=request_id)
    assert sync_status(station).pending == 2  # the enterprise (its profile) and the push
    summary = run_sync(station)
    assert summary.ok and summary.pushed == 2, (summary.error, summary.errors)
    assert sync_status(station).pending == 0
    with hub.db.session() as s:
        ent = s.scalars(select(HubEnterprise)).one()
        assert json.loads(ent.profile) == profile.to_json()
        pushed = s.scalars(select(HubPolicyPush)).one()
        assert (pushed.uuid, pushed.channel, pushed.pushed_by) == (push.uuid, "print_thermal", "张伟")
        assert [(i.policy_id, i.policy_version) for i in pushed.items] == [("P-1", 1), ("P-2", 1)]
        assert pushed.request_uuid is not None
    with station.session() as s:
        assert s.scalars(select(PolicyPush)).one().sync_state == SyncState.SYNCED
    # Sent once: the next round sends nothing, and a second push is a second record.
    assert run_sync(station).pushed == 0
    svc.record_push(station, eid, [("P-1", 1)], by="张伟", channel="told")
    assert run_sync(station).pushed == 1
    with hub.db.session() as s:
        assert len(s.scalars(select(HubPolicyPush)).all()) == 2

    # A profile fact set back to unknown goes as such (null profile = nothing known).
    svc.save_company_profile(station, eid, CompanyProfile(), actor="李敏")
    assert run_sync(station).pushed == 1
    with hub.db.session() as s:
        assert s.scalars(select(HubEnterprise)).one().profile in (None, "{}")


def test_a_list_held_during_an_intake_reaches_the_hub_with_its_request(hub: HubThread, station: Database,
                                                                      tmp_path: Path) -> None:
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request

    eid = enterprise_id(station)
    publish(hub, tmp_path, [policy("P-1", {"size": ["small"]}), policy("P-2", {})])
    assert run_sync(station).ok
    held = svc.record_push(station, eid, [("P-1", 1)], by="张伟", channel="print_thermal", hold=True)
    left = svc.record_push(station, eid, [("P-2", 1)], by="张伟", channel="told", hold=True)
    # A round while the intake is typed sends neither (nor counts them as waiting).
    assert sync_status(station).pending == 0
    assert run_sync(station).pushed == 0
    with hub.db.session() as s:
        assert s.scalars(select(HubPolicyPush)).all() == []

    with station.session() as s:
        name, uscc = s.execute(select(Enterprise.name, Enterprise.uscc).where(Enterprise.id == eid)).one()
    saved = create_request(station, IntakeInput(EnterpriseInput(name=name, uscc=uscc or ""), "想了解贷款贴息"),
                           held_pushes=[held.uuid])
    assert svc.release_held_pushes(station, [left.uuid]) == 1  # the other intake was left unsaved
    summary = run_sync(station)
    # The request, its first event and the two lists.
    assert summary.ok and summary.pushed == 4, (summary.error, summary.errors)
    with hub.db.session() as s:
        pushes = {p.uuid: p.request_uuid for p in s.scalars(select(HubPolicyPush))}
    assert pushes == {held.uuid: saved.uuid, left.uuid: None}


def test_a_refused_push_is_listed_and_sent_again_once_fixed(hub: HubThread, station: Database,
                                                            tmp_path: Path) -> None:
    eid = enterprise_id(station)
    publish(hub, tmp_path, [policy("P-1", {"size": ["small"]})])
    assert run_sync(station).ok
    push = svc.record_push(station, eid, [("P-1", 1)], by="张伟", channel="told")
    with station.write() as s:  # damaged in the database (the service never writes such a list)
        s.scalars(select(PolicyPush)).one().policies = [{"id": "P 1 !", "version": 0, "title": "x"}]
    summary = run_sync(station)
    assert summary.rejected == 1 and any("policy_push" in e for e in summary.errors), summary.errors
    [listed] = rejected_records(station)
    assert (listed.type, listed.uuid, listed.label) == ("policy_push", push.uuid, "上海测试00000科技有限公司")
    assert "P 1 !" in listed.message("zh_CN")  # the hub's reason, naming the faulty entry
    assert sync_status(station).in_error == 1
    [row] = refused_rows(station, "zh_CN")
    assert (row.type, row.name) == ("policy_push", "上海测试00000科技有限公司")
    refused_today = today(station, utcnow())["refused"]
    assert refused_today.count == 1 and refused_today.lines[0].company == "上海测试00000科技有限公司"
    with station.write() as s:
        s.scalars(select(PolicyPush)).one().policies = [{"id": "P-1", "version": 1, "title": "测试政策P-1"}]
    assert resend(station, [push.uuid]) == 1
    assert run_sync(station).pushed == 1
    assert rejected_records(station) == []


# --- the feed's answers, recorded -----------------------------------------------------------------


class _Feed(httpx.BaseTransport):
    """Answers the feed path with a recorded body (and records the ``since`` asked)."""

    def __init__(self, status: int, body: Any) -> None:
        self.status, self.body, self.asked = status, body, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(request.url.params.get("since"))
        content = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        return httpx.Response(self.status, content=content, headers={"Content-Type": "application/json"})


def _pull(db: Database, status: int, body: Any) -> tuple[policy_feed.FeedResult, list[str | None]]:
    transport = _Feed(status, body)
    with httpx.Client(base_url="http://hub.test", transport=transport) as client:
        return policy_feed.pull_from_hub(db, client, utcnow(), auth={"Authorization": "Bearer t"}), transport.asked


def test_recorded_feed_answers(station: Database) -> None:
    good = {"catalogue_version": 7, "policies": [policy("P-1", {"size": ["small"]}), policy("P-2", {})]}
    result, asked = _pull(station, 200, good)
    assert asked == ["0"] and result.changed and result.messages == []
    assert svc.catalogue_version(station) == 7

    # Malformed answers and hub errors change nothing, and say why.
    for status, body, words in [(200, b"not json", "refused"), (200, {"policies": []}, "catalogue_version"),
                                (200, {"catalogue_version": 8, "policies": {}}, "expected"),
                                (500, {"error": "x"}, "HTTP 500")]:
        result, asked = _pull(station, status, body)
        assert asked == ["7"] and not result.changed, body
        assert len(result.messages) == 1 and words in result.messages[0], result.messages
        assert [p.id for p in svc.current_policies(station, today=TODAY)] == ["P-1", "P-2"]
    assert _pull(station, 404, {})[0].messages == []  # an older hub without the feed
    assert not _pull(station, 200, {"catalogue_version": 7, "unchanged": True})[0].changed

    # A policy this station cannot read is left out and said; the version is not kept, so the next
    # round asks for the whole catalogue again.
    newer = copy.deepcopy(good)
    newer["catalogue_version"] = 9
    newer["policies"][1]["conditions"] = {"min_patents": 3}
    newer["policies"].append(policy("P-1", {}))
    result, _ = _pull(station, 200, newer)
    assert [p.id for p in svc.current_policies(station, today=TODAY)] == ["P-1"]
    assert len(result.messages) == 2 and "P-2" in result.messages[0] and "twice" in result.messages[1]
    assert svc.catalogue_version(station) == 0
    assert _pull(station, 200, good)[1] == ["0"]


def test_an_empty_catalogue_empties_the_station(station: Database) -> None:
    _pull(station, 200, {"catalogue_version": 2, "policies": [policy("P-1", {})]})
    result, _ = _pull(station, 200, {"catalogue_version": 3, "policies": []})
    assert result.update is not None and result.update.removed == ("P-1",)
    assert svc.current_policies(station, today=TODAY) == [] and svc.catalogue_version(station) == 3


def test_a_new_hub_gets_the_pushes_again_and_its_own_catalogue_is_fetched(
        hub: HubThread, station: Database, tmp_path: Path) -> None:
    from xuhui_desk.services.station import set_setting

    eid = enterprise_id(station)
    publish(hub, tmp_path, [policy("P-1", {"size": ["small"]}), policy("P-2", {})])
    publish(hub, tmp_path, [policy("P-1", {"size": ["small", "micro"]}), policy("P-2", {})], "c2.json")
    assert run_sync(station).ok and svc.catalogue_version(station) == 2
    push = svc.record_push(station, eid, [("P-1", 2)], by="张伟", channel="told")
    assert run_sync(station).pushed == 1
    other = HubThread(f"sqlite:///{tmp_path / 'other.db'}").start()
    try:
        # Its catalogue has the same version number as the one the station holds: only forgetting
        # the old hub's version on the change gets it.
        publish(other, tmp_path, [policy("Q-1", {})], "other.json")
        publish(other, tmp_path, [policy("Q-1", {"size": ["small"]})], "other2.json")
        set_setting(station, "hub_url", other.url)
        set_setting(station, "hub_token", other.add_station("XH03"))
        summary = run_sync(station)
        assert summary.ok and any("hub changed" in e for e in summary.errors), summary.errors
        assert [p.id for p in svc.current_policies(station, today=TODAY)] == ["Q-1"]
        assert svc.catalogue_version(station) == 2
        with other.db.session() as s:
            assert [p.uuid for p in s.scalars(select(HubPolicyPush))] == [push.uuid]
    finally:
        other.stop()
