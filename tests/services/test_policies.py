"""Policies at the station (services/policies.py): the profile stored and synced, the catalogue
replaced as a whole, matches, pushes, Today's new policies and the directory re-matched (its
counts and lists compared with ``policies.match_policy`` company by company)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.synckit import add_requests, open_station
from xuhui_desk.db import Database
from xuhui_desk.models import AuditEntry, Enterprise, PolicyPush, SyncState
from xuhui_desk.policies import (
    PROFILE_FACTS,
    CompanyProfile,
    Outcome,
    Policy,
    match_policy,
    parse_catalogue,
)
from xuhui_desk.services import policies as svc
from xuhui_desk.services.station import set_setting
from xuhui_desk.validation import ValidationFailed

TODAY = date(2027, 3, 10)
NOW = datetime(2027, 3, 10, 2, 0, tzinfo=UTC)


def policy(pid: str, conditions: dict[str, Any], *, title: str = "", valid_from: str = "2027-01-01",
           valid_to: str | None = "2027-12-31", apply: str = "online") -> dict[str, Any]:
    return {"id": pid, "title": title or f"测试政策{pid}", "department": "finance_center",
            "summary": "测试用的政策摘要",
            "valid_from": valid_from, "valid_to": valid_to, "apply": apply,
            "apply_link": "https://zwdt.sh.gov.cn/" if apply == "online" else "",
            "apply_where": "徐汇区行政服务中心" if apply == "window" else "", "benefit": "最高补贴10万元",
            "link": "https://www.xuhui.gov.cn/", "conditions": conditions, "sample": True}


CATALOGUE = [
    policy("P-001", {"size": ["small", "micro"], "min_employees": 10}),
    policy("P-002", {"registered_in_xuhui": True, "qualifications_any": ["高新技术企业", "专精特新"]}),
    policy("P-003", {"industry_prefix": ["I65"], "max_age_years": 5, "keywords_any": ["算力", "人工智能"]}),
    policy("P-004", {"min_revenue_wan": 500, "max_revenue_wan": 20000, "qualifications_all": ["专精特新"]},
           apply="no_application"),
    policy("P-OLD", {}, valid_from="2025-01-01", valid_to="2026-12-31"),
]


def catalogue(items: list[dict[str, Any]] = CATALOGUE) -> list[Policy]:
    return parse_catalogue({"policies": items})


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Database]:
    db = open_station(tmp_path / "station")
    yield db
    db.close()


def enterprise_ids(db: Database, count: int) -> list[int]:
    add_requests(db, count, enterprises=count, now=NOW - timedelta(days=3))
    with db.session() as s:
        return list(s.scalars(select(Enterprise.id).order_by(Enterprise.id)))


def test_the_profile_is_stored_unknown_stays_unknown_and_a_change_goes_to_the_hub(station: Database) -> None:
    [eid] = enterprise_ids(station, 1)
    assert svc.company_profile(station, eid) == CompanyProfile()
    with station.write() as s:
        s.get(Enterprise, eid).sync_state = SyncState.SYNCED  # as after a sync
        revision = s.get(Enterprise, eid).revision

    profile = CompanyProfile(industry_code="I6513", established=date(2022, 5, 1), registered_in_xuhui=False,
                             size="small", qualifications=frozenset(), employees=12)
    svc.save_company_profile(station, eid, profile, actor="李敏", now=NOW)
    assert svc.company_profile(station, eid) == profile
    with station.session() as s:
        ent = s.get(Enterprise, eid)
        assert (ent.revision, ent.sync_state, ent.updated_at) == (revision + 1, SyncState.PENDING, NOW)
        # Known to hold none is "[]", unknown is NULL: never the same thing.
        assert ent.qualifications == "[]" and ent.revenue_wan is None and ent.registered_in_xuhui is False
        [audit] = s.scalars(select(AuditEntry).where(AuditEntry.action == svc.PROFILE_EDITED)).all()
        assert audit.actor == "李敏" and audit.details["changed"]["established"] == [None, "2022-05-01"]
        assert set(audit.details["changed"]) == {"industry_code", "established", "registered_in_xuhui", "size",
                                                 "qualifications", "employees"}
    with station.write() as s:
        s.get(Enterprise, eid).sync_state = SyncState.SYNCED

    # Saving the same profile again changes nothing and sends nothing.
    svc.save_company_profile(station, eid, profile, actor="李敏", now=NOW + timedelta(hours=1))
    with station.session() as s:
        assert s.get(Enterprise, eid).revision == revision + 1
        assert s.get(Enterprise, eid).sync_state == SyncState.SYNCED
    # A fact set back to unknown is stored as unknown.
    svc.save_company_profile(station, eid, CompanyProfile(size="small"), actor="张伟", now=NOW + timedelta(hours=2))
    assert svc.company_profile(station, eid) == CompanyProfile(size="small")
    with pytest.raises(LookupError):
        svc.company_profile(station, 999_999)
    with pytest.raises(LookupError):
        svc.save_company_profile(station, 999_999, profile, actor="李敏")


def test_the_catalogue_is_replaced_whole_and_first_arrival_is_kept(station: Database) -> None:
    first = svc.replace_catalogue(station, 3, catalogue(), now=NOW - timedelta(days=10))
    assert sorted(first.added) == ["P-001", "P-002", "P-003", "P-004", "P-OLD"] and svc.catalogue_version(station) == 3
    assert [p.id for p in svc.current_policies(station, today=TODAY)] == ["P-001", "P-002", "P-003", "P-004"]
    assert [p.id for p in svc.current_policies(station, today=date(2026, 6, 1))] == ["P-OLD"]

    edited = [dict(CATALOGUE[0], version=2, title="改写后的标题"), *CATALOGUE[1:3],
              policy("P-005", {"size": ["large"]})]
    second = svc.replace_catalogue(station, 5, catalogue(edited), now=NOW)
    assert (second.added, second.updated, second.removed, second.unchanged) == (
        ("P-005",), ("P-001",), ("P-004", "P-OLD"), 2)
    with station.session() as s:
        held = {p.id: (p, received, first_at) for p, received, first_at in svc.stored_policies(s)}
    assert sorted(held) == ["P-001", "P-002", "P-003", "P-005"]
    p1, received, first_at = held["P-001"]
    assert (p1.version, p1.title, received, first_at) == (2, "改写后的标题", NOW, NOW - timedelta(days=10))
    assert held["P-002"][1] == NOW - timedelta(days=10)  # unchanged: its arrival stays
    assert svc.catalogue_version(station) == 5
    # Today's "new": only what first arrived in the last 7 days.
    assert [n.policy.id for n in svc.new_policies(station, today=TODAY)] == ["P-005"]
    assert next(n.policy.id for n in svc.new_policies(station, today=TODAY, days=30)) == "P-005"


def test_matches_for_a_company_use_its_profile_or_the_one_given(station: Database) -> None:
    [eid] = enterprise_ids(station, 1)
    svc.replace_catalogue(station, 1, catalogue(), now=NOW)
    svc.save_company_profile(station, eid, CompanyProfile(size="small", employees=25, registered_in_xuhui=True),
                             actor="李敏")
    found = {m.policy.id: m for m in svc.matches_for_company(station, eid, today=TODAY)}
    assert set(found) == {"P-001", "P-002", "P-003", "P-004"}  # the expired one is not offered
    assert found["P-001"].outcome is Outcome.ELIGIBLE
    assert found["P-002"].outcome is Outcome.POSSIBLE and found["P-002"].missing == ("qualifications",)
    assert found["P-003"].outcome is Outcome.POSSIBLE
    assert set(found["P-003"].missing) == {"industry_code", "established"}
    # The intake form's facts as typed override the stored ones.
    typed = CompanyProfile(size="large", employees=25)
    over = {m.policy.id: m for m in svc.matches_for_company(station, eid, today=TODAY, profile=typed)}
    assert over["P-001"].outcome is Outcome.NOT_ELIGIBLE
    alone = {m.policy.id: m for m in svc.matches_for_company(station, None, today=TODAY, profile=typed)}
    assert alone["P-001"].outcome is Outcome.NOT_ELIGIBLE
    # A request's text makes P-003 relevant; it decides relevance, never eligibility.
    with_text = {m.policy.id: m for m in svc.matches_for_company(station, eid, today=TODAY, text="想了解算力补贴")}
    assert with_text["P-003"].relevant is True and with_text["P-003"].outcome is Outcome.POSSIBLE
    nothing = svc.matches_for_company(station, None, today=TODAY)
    assert {m.outcome for m in nothing} <= {Outcome.POSSIBLE, Outcome.ELIGIBLE}
    with pytest.raises(LookupError):
        svc.matches_for_company(station, 999_999, today=TODAY)


def test_a_push_is_recorded_immutable_and_pending_for_the_hub(station: Database) -> None:
    eid, other = enterprise_ids(station, 2)
    svc.replace_catalogue(station, 1, catalogue(), now=NOW)
    first = svc.record_push(station, eid, [("P-001", 1), ("P-004", 1)], by="张伟", channel="print_a5",
                            at=NOW - timedelta(hours=1))
    second = svc.record_push(station, eid, [("P-002", 1)], by="", channel="told", at=NOW)
    assert first.policies == (("P-001", 1, "测试政策P-001"), ("P-004", 1, "测试政策P-004"))
    assert second.pushed_by == "李敏"  # the specialist setting
    assert [p.uuid for p in svc.pushes_for_company(station, eid)] == [second.uuid, first.uuid]
    assert svc.pushes_for_company(station, other) == []
    with station.session() as s:
        rows = s.scalars(select(PolicyPush)).all()
        assert {r.sync_state for r in rows} == {SyncState.PENDING}
    assert first.to_dict()["pushed_at"].endswith("+08:00")

    def refused(policies: list[tuple[str, int]], channel: str = "told", by: str = "张伟") -> set[str]:
        with pytest.raises(ValidationFailed) as caught:
            svc.record_push(station, eid, policies, by=by, channel=channel)
        return {i.code for i in caught.value.issues}

    assert refused([]) == {"policy_push.count"}
    assert refused([("P-001", 1)], channel="fax") == {"policy_push.channel"}
    assert refused([("P-001", 1), ("P-001", 1)]) == {"policy_push.repeated"}
    assert refused([("P-404", 1)]) == {"policy_push.unknown"}
    assert "policy_push.count" in refused([(f"P-{i}", 1) for i in range(51)])
    with pytest.raises(ValidationFailed) as caught:
        svc.record_push(station, eid, [("P-404", 1)], by="张伟", channel="told")
    assert "P-404" in str(caught.value)
    with station.session() as s:
        assert len(s.scalars(select(PolicyPush)).all()) == 2  # nothing written by a refusal
    with pytest.raises(LookupError):
        svc.record_push(station, 999_999, [("P-001", 1)], by="张伟", channel="told")
    set_setting(station, "specialist", "")
    assert refused([("P-001", 1)], by="") == {"text.required"}  # nobody to name: the hub would refuse it


def test_companies_for_a_policy_and_new_policies_count_this_stations_companies(station: Database) -> None:
    ids = enterprise_ids(station, 4)
    svc.replace_catalogue(station, 1, catalogue(), now=NOW - timedelta(days=1))
    profiles = [CompanyProfile(size="small", employees=20),      # P-001 eligible
                CompanyProfile(size="micro"),                    # possible: employees unknown
                CompanyProfile(size="large", employees=500),     # not eligible
                CompanyProfile()]                                # possible: both unknown
    for eid, profile in zip(ids, profiles, strict=True):
        svc.save_company_profile(station, eid, profile, actor="李敏")
    listed = svc.companies_for_policy(station, "P-001", today=TODAY)
    assert [(c.enterprise_id, c.outcome, c.missing) for c in listed] == [
        (ids[0], Outcome.ELIGIBLE, ()), (ids[1], Outcome.POSSIBLE, ("employees",)),
        (ids[3], Outcome.POSSIBLE, ("size", "employees"))]
    assert listed[0].name.startswith("上海测试")
    everyone = svc.companies_for_policy(station, "P-001", today=TODAY, include_not_eligible=True)
    assert everyone[-1].enterprise_id == ids[2] and everyone[-1].outcome is Outcome.NOT_ELIGIBLE
    assert svc.companies_for_policy(station, "P-OLD", today=TODAY) == []
    with pytest.raises(LookupError):
        svc.companies_for_policy(station, "P-404", today=TODAY)

    news = {n.policy.id: n for n in svc.new_policies(station, today=TODAY)}
    assert set(news) == {"P-001", "P-002", "P-003", "P-004"}
    assert (news["P-001"].companies, news["P-001"].eligible) == (3, 1)

    summary = svc.rematch_directory(station, today=TODAY)
    assert (summary.companies, summary.policies, summary.cancelled) == (4, 4, False)
    assert summary.counts["P-001"] == (1, 2)
    seen: list[tuple[int, int]] = []
    svc.rematch_directory(station, today=TODAY, progress=lambda d, t, _x: seen.append((d, t)))
    assert seen[-1] == (4, 4)
    stopped = svc.rematch_directory(station, today=TODAY, cancel=lambda: True)
    assert stopped.cancelled and stopped.companies == 0 and stopped.counts["P-001"] == (0, 0)


# --- the bulk matcher agrees with the core, condition by condition ---------------------------------


def _random_profile(rng: random.Random) -> CompanyProfile:
    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.25 else value

    quals = ["高新技术企业", "专精特新", "专精特新小巨人", "科技型中小企业", "外资企业", "上市企业"]
    return CompanyProfile(
        industry_code=maybe(rng.choice(["I6513", "I6520", "I65", "C3911", "M7320", "F5191", "I6311"])),
        # Birthdays around TODAY's month and day: the whole-year boundary is exercised.
        established=maybe(date(rng.randint(2010, 2027), 3, rng.choice([9, 10, 11]))),
        registered_in_xuhui=maybe(rng.random() < 0.5),
        size=maybe(rng.choice(["micro", "small", "medium", "large"])),
        qualifications=maybe(frozenset(rng.sample(quals, rng.randint(0, 3)))),
        employees=maybe(rng.choice([0, 9, 10, 11, 49, 50, 51, 300, 301])),
        revenue_wan=maybe(rng.choice([0.0, 499.99, 500.0, 500.01, 20000.0, 20000.5])),
    )


BOUNDARY_POLICIES = [
    policy("B-ind", {"industry_prefix": ["I65", "M"]}),
    policy("B-ind2", {"industry_prefix": ["6513"]}),
    policy("B-reg-t", {"registered_in_xuhui": True}),
    policy("B-reg-f", {"registered_in_xuhui": False}),
    policy("B-age", {"min_age_years": 2, "max_age_years": 5}),
    policy("B-age0", {"max_age_years": 0}),
    policy("B-size", {"size": ["micro", "small"]}),
    policy("B-qany", {"qualifications_any": ["高新技术企业", "专精特新"]}),
    policy("B-qall", {"qualifications_all": ["高新技术企业", "专精特新"]}),
    policy("B-emp", {"min_employees": 10, "max_employees": 50}),
    policy("B-rev", {"min_revenue_wan": 500, "max_revenue_wan": 20000}),
    policy("B-kw", {"keywords_any": ["贷款"], "size": ["small"]}),
    policy("B-none", {}),
    policy("B-all", {"industry_prefix": ["I"], "registered_in_xuhui": True, "min_age_years": 1, "size": ["small"],
                     "qualifications_any": ["专精特新"], "min_employees": 10, "max_revenue_wan": 20000}),
]


def test_rematch_and_the_company_lists_agree_with_the_full_match_for_every_company(
        station: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(15)
    profiles = [_random_profile(rng) for _ in range(120)] + [CompanyProfile()]
    ids = enterprise_ids(station, len(profiles))
    for eid, profile in zip(ids, profiles, strict=True):
        svc.save_company_profile(station, eid, profile, actor="李敏")
    svc.replace_catalogue(station, 1, catalogue(BOUNDARY_POLICIES), now=NOW)
    summary = svc.rematch_directory(station, today=TODAY)
    assert summary.companies == len(profiles) and summary.policies == len(BOUNDARY_POLICIES)
    for p in catalogue(BOUNDARY_POLICIES):
        full = {eid: match_policy(profile, p, today=TODAY) for eid, profile in zip(ids, profiles, strict=True)}
        eligible = sum(m.outcome is Outcome.ELIGIBLE for m in full.values())
        possible = sum(m.outcome is Outcome.POSSIBLE for m in full.values())
        assert summary.counts[p.id] == (eligible, possible), p.id
        listed = svc.companies_for_policy(station, p.id, today=TODAY, include_not_eligible=True)
        assert len(listed) == len(profiles)
        for c in listed:
            assert c.outcome is full[c.enterprise_id].outcome, (p.id, c)
            if c.outcome is Outcome.POSSIBLE:
                assert c.missing == full[c.enterprise_id].missing
    # Cancelled half-way: what was counted so far, and said so.
    monkeypatch.setattr(svc, "_REMATCH_STEP", 50)
    calls = iter([False, True])
    half = svc.rematch_directory(station, today=TODAY, cancel=lambda: next(calls))
    assert half.cancelled and half.companies == 50


def test_a_damaged_stored_profile_value_reads_as_unknown(station: Database) -> None:
    [eid] = enterprise_ids(station, 1)
    with station.write() as s:
        s.get(Enterprise, eid).qualifications = "not json"
    assert svc.company_profile(station, eid).qualifications is None
    assert set(PROFILE_FACTS) == set(svc.profile_columns(CompanyProfile()))
    assert json.loads(svc.profile_columns(CompanyProfile(qualifications=frozenset({"专精特新", "外资企业"})))
                      ["qualifications"]) == sorted(["外资企业", "专精特新"])


def test_a_list_handed_over_during_an_intake_is_held_and_saved_with_its_request(station: Database) -> None:
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request

    eid, other = enterprise_ids(station, 2)
    svc.replace_catalogue(station, 1, catalogue(), now=NOW)
    with station.session() as s:
        name, uscc = s.execute(select(Enterprise.name, Enterprise.uscc).where(Enterprise.id == eid)).one()
    held = svc.record_push(station, eid, [("P-001", 1)], by="张伟", channel="told", hold=True, uuid="held-1")
    assert (held.uuid, held.sync_state, held.request_id) == ("held-1", SyncState.HELD, None)
    of_other = svc.record_push(station, other, [("P-002", 1)], by="张伟", channel="told", hold=True)
    with pytest.raises(ValueError):
        svc.record_push(station, eid, [("P-001", 1)], by="张伟", channel="told", hold=True, request_id=1)

    # The save ties the company's held list to the new request; one of another company (the
    # intake's company was changed after it) and an unknown uuid go on their own.
    result = create_request(station, IntakeInput(EnterpriseInput(name=name, uscc=uscc or ""), "想了解贷款贴息政策"),
                            held_pushes=["held-1", of_other.uuid, "no-such-push"])
    with station.session() as s:
        rows = {p.uuid: p for p in s.scalars(select(PolicyPush))}
        from xuhui_desk.models import Request

        request_id = s.scalar(select(Request.id).where(Request.uuid == result.uuid))
        assert (rows["held-1"].request_id, rows["held-1"].sync_state) == (request_id, SyncState.PENDING)
        assert (rows[of_other.uuid].request_id, rows[of_other.uuid].sync_state) == (None, SyncState.PENDING)

    # After the save, a list is made for the request by its uuid.
    later = svc.record_push(station, eid, [("P-004", 1)], by="张伟", channel="print_a5", request_uuid=result.uuid)
    assert later.request_id == request_id and later.sync_state == SyncState.PENDING
    with pytest.raises(LookupError):
        svc.record_push(station, eid, [("P-004", 1)], by="张伟", channel="told", request_uuid="no-such-request")


def test_a_held_list_goes_on_its_own_when_the_intake_is_left_or_held_too_long(station: Database) -> None:
    [eid] = enterprise_ids(station, 1)
    svc.replace_catalogue(station, 1, catalogue(), now=NOW)
    left = svc.record_push(station, eid, [("P-001", 1)], by="张伟", channel="told", hold=True, at=NOW)
    old = svc.record_push(station, eid, [("P-002", 1)], by="张伟", channel="told", hold=True,
                          at=NOW - svc.HOLD_LIMIT - timedelta(minutes=1))
    fresh = svc.record_push(station, eid, [("P-004", 1)], by="张伟", channel="told", hold=True,
                            at=NOW - svc.HOLD_LIMIT + timedelta(minutes=1))

    def states() -> dict[str, SyncState]:
        with station.session() as s:
            return {p.uuid: p.sync_state for p in s.scalars(select(PolicyPush))}

    assert svc.release_held_pushes(station, [left.uuid]) == 1
    assert svc.release_held_pushes(station, [left.uuid]) == 0  # let go once
    assert svc.release_held_pushes(station, []) == 0
    assert states()[left.uuid] == SyncState.PENDING
    assert svc.release_stale_holds(station, NOW) == 1
    assert states() == {left.uuid: SyncState.PENDING, old.uuid: SyncState.PENDING, fresh.uuid: SyncState.HELD}
    assert svc.release_stale_holds(station, NOW) == 0
