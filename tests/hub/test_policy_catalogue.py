"""The district's policy catalogue: ``xuhui-hub policy publish|list|withdraw`` and the stations'
feed ``GET /api/v1/policies?since=N`` over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.hub.test_api import Station
from tests.synckit import HubThread, hub_cli
from xuhui_desk import policies
from xuhui_desk.hub import policy_catalogue as catalogue
from xuhui_desk.hub.database import open_hub_database
from xuhui_desk.hub.models import HubPolicy, HubPolicyVersion
from xuhui_desk.resources import resource_path
from xuhui_desk.sync_protocol import POLICIES_PATH

SAMPLE = Path(str(resource_path("policies", "sample_catalogue.json")))


def sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def write(tmp_path: Path, obj: Any, name: str = "catalogue.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    from xuhui_desk.hub.cli import main

    def go(url: str, *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--database-url", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return go


def test_sample_catalogue_parses_uses_every_condition_and_is_marked_sample() -> None:
    raw = sample()
    parsed = policies.parse_catalogue(raw)
    assert len(parsed) >= 20 and len(parsed) == len(raw["policies"])
    assert all(p.sample for p in parsed)
    used = {key for p in parsed for key in p.conditions}
    assert used == set(policies.CONDITION_KEYS)
    assert {p.apply for p in parsed} == set(policies.APPLY_MODES)
    assert {p.department for p in parsed} <= set(catalogue.department_codes())
    # The kinds the issue asks for are all there (by words of their titles).
    titles = " ".join(p.title for p in parsed)
    for kind in ("贷款", "担保", "租金", "人才公寓", "落户", "研发", "算力", "上市", "出口", "法律"):
        assert kind in titles, kind
    for p in parsed:  # links only to public portals' entry pages
        assert p.link in ("", "https://www.xuhui.gov.cn/") and p.apply_link in ("", "https://zwdt.sh.gov.cn/")


def test_publish_sample_with_the_real_command_then_list(hub_database_url: str) -> None:
    ran = hub_cli(hub_database_url, "policy", "publish", str(SAMPLE), "--by", "区政策科")
    count = len(sample()["policies"])
    assert ran.stdout.startswith(f"{count} created, 0 updated, 0 unchanged; catalogue version 1")
    listed = json.loads(hub_cli(hub_database_url, "policy", "list", "--json").stdout)
    assert listed["catalogue_version"] == 1 and len(listed["policies"]) == count
    first = listed["policies"][0]
    assert first["status"] == "published" and first["version"] == 1 and first["published_by"] == "区政策科"
    assert first["sample"] is True and first["pushes"] == 0


def test_publish_upserts_versions_and_counts(hub_database_url: str, tmp_path: Path,
                                            run: Callable[..., tuple[int, str, str]]) -> None:
    raw = sample()
    code, out, _ = run(hub_database_url, "policy", "publish", str(write(tmp_path, raw)))
    assert code == 0 and "catalogue version 1" in out
    # The same file again: nothing changes, not even the catalogue's version.
    code, out, _ = run(hub_database_url, "policy", "publish", str(write(tmp_path, raw)))
    assert code == 0 and out.startswith(f"0 created, 0 updated, {len(raw['policies'])} unchanged; "
                                        "catalogue version 1 (nothing changed)")
    # One policy edited, one added, one left out of the file (still published: upsert, not replace),
    # and a version number in the file is not the hub's business.
    edited = copy.deepcopy(raw)
    edited["policies"][0]["benefit"] = "按已付利息的 60% 给予贴息"
    edited["policies"][0]["version"] = 7
    edited["policies"][1]["version"] = 9  # only the version differs: unchanged
    new = dict(raw["policies"][2], id="XS-2026-099", title="新增示例政策")
    edited["policies"] = [*edited["policies"][:-1], new]
    code, out, _ = run(hub_database_url, "policy", "publish", str(write(tmp_path, edited)), "--json")
    summary = json.loads(out)
    assert (summary["created"], summary["updated"], summary["catalogue_version"]) == (1, 1, 2)
    assert summary["updated_ids"] == [raw["policies"][0]["id"]]
    db = open_hub_database(hub_database_url)
    try:
        with db.session() as s:
            row = s.get(HubPolicy, raw["policies"][0]["id"])
            assert row is not None and row.version == 2 and row.body["benefit"].endswith("60% 给予贴息")
            bodies = s.scalars(select(HubPolicyVersion).where(HubPolicyVersion.policy_id == row.id)
                               .order_by(HubPolicyVersion.version)).all()
            assert [(v.version, v.body["benefit"]) for v in bodies] == [(1, raw["policies"][0]["benefit"]),
                                                                       (2, "按已付利息的 60% 给予贴息")]
            assert s.get(HubPolicy, raw["policies"][1]["id"]).version == 1  # type: ignore[union-attr]
            assert s.get(HubPolicy, raw["policies"][-1]["id"]).status == "published"  # type: ignore[union-attr]
        assert catalogue.versions(db, row.id)[0]["version"] == 2
    finally:
        db.close()


def test_a_bad_catalogue_prints_every_problem_and_writes_nothing(
        hub_database_url: str, tmp_path: Path, run: Callable[..., tuple[int, str, str]]) -> None:
    raw = sample()
    raw["policies"][0]["conditions"]["size"] = ["tiny"]
    raw["policies"][3]["valid_from"] = "2026-13-01"
    raw["policies"][5]["department"] = "nowhere_office"
    raw["policies"][7]["id"] = raw["policies"][6]["id"]
    raw["policies"][9]["id"] = "new"
    code, out, err = run(hub_database_url, "policy", "publish", str(write(tmp_path, raw)))
    assert code == 1 and out == ""
    assert "policies[0].conditions.size" in err and "policies[3].valid_from" in err
    assert "policies[5].department" in err and "policies[7].id" in err and "policies[9].id: 'new' is reserved" in err
    assert "5 problem(s); nothing was published" in err
    for text in ("{not json", "\ufffe\x00"):
        path = tmp_path / "broken.json"
        path.write_text(text, encoding="utf-8")
        code, _, err = run(hub_database_url, "policy", "publish", str(path))
        assert code == 1 and "nothing was published" in err and "Traceback" not in err
    code, _, err = run(hub_database_url, "policy", "publish", str(tmp_path / "missing.json"))
    assert code == 1 and "cannot read" in err
    code, out, _ = run(hub_database_url, "policy", "list", "--json")
    assert json.loads(out) == {"catalogue_version": 0, "policies": []}


def test_withdraw(hub_database_url: str, run: Callable[..., tuple[int, str, str]]) -> None:
    run(hub_database_url, "policy", "publish", str(SAMPLE))
    code, _, err = run(hub_database_url, "policy", "withdraw", "XS-2026-001", "--reason", "文件废止", "--by", "张科长")
    assert code == 0 and "withdrawn; catalogue version 2" in err
    code, _, err = run(hub_database_url, "policy", "withdraw", "XS-2026-001")
    assert code == 0 and "already withdrawn" in err and "version 2" in err
    code, _, err = run(hub_database_url, "policy", "withdraw", "NOPE-1")
    assert code == 1 and "no policy 'NOPE-1'" in err
    code, out, _ = run(hub_database_url, "policy", "list", "--json", "--status", "withdrawn")
    rows = json.loads(out)["policies"]
    assert [(r["id"], r["withdrawn_by"], r["withdraw_reason"]) for r in rows] == [("XS-2026-001", "张科长", "文件废止")]
    code, out, _ = run(hub_database_url, "policy", "list")
    assert code == 0 and "XS-2026-001" in out and "withdrawn" in out and "catalogue version 2" in out
    # Publishing it again brings it back (same content: same version), and bumps the catalogue.
    code, out, _ = run(hub_database_url, "policy", "publish", str(SAMPLE))
    assert out.startswith(f"0 created, 1 updated, {len(sample()['policies']) - 1} unchanged; catalogue version 3")


def _feed(station: Station, since: int | str | None = None) -> httpx.Response:
    params = {} if since is None else {"since": since}
    return station.client.get(POLICIES_PATH, params=params)


def test_feed_serves_published_policies_by_catalogue_version(hub: HubThread, station: Station) -> None:
    assert httpx.get(f"{hub.url}{POLICIES_PATH}").status_code == 401
    assert httpx.get(f"{hub.url}{POLICIES_PATH}", headers={"Authorization": "Bearer nope"}).status_code == 401
    empty = _feed(station).json()
    assert empty == {"catalogue_version": 0, "policies": []}
    assert _feed(station, 0).json() == {"catalogue_version": 0, "unchanged": True}
    items = catalogue.check_catalogue(sample())
    catalogue.publish(hub.db, items, by="区政策科")
    body = _feed(station, 0).json()
    assert body["catalogue_version"] == 1 and len(body["policies"]) == len(items)
    # What a station receives parses with the shared core as the same policies (version 1).
    received = [policies.parse_policy(p) for p in body["policies"]]
    assert received == [replace(p, version=1) for p in sorted(items, key=lambda p: p.id)]
    expired = next(p for p in received if p.valid_to and p.valid_to.year == 2025)
    assert expired.id == "XS-2025-024"  # expired ones stay in the feed; stations hide them by date
    assert _feed(station, 1).json() == {"catalogue_version": 1, "unchanged": True}
    # An edit and a withdrawal each move the catalogue on; the withdrawn one leaves the feed.
    changed = replace(items[0], benefit="更高的贴息")
    catalogue.publish(hub.db, [changed], by="区政策科")
    catalogue.withdraw(hub.db, items[1].id, by="区政策科")
    body = _feed(station, 1).json()
    assert body["catalogue_version"] == 3
    by_id = {p["id"]: p for p in body["policies"]}
    assert items[1].id not in by_id and by_id[items[0].id]["version"] == 2
    assert by_id[items[0].id]["benefit"] == "更高的贴息"
    # A version the station holds that the hub never had (a restored hub): the whole set again.
    assert "policies" in _feed(station, 99).json()
    for bad in ("-1", "x", "1.5", "٣"):
        resp = _feed(station, bad)
        assert resp.status_code == 400 and resp.json()["error"] == "bad_request"


def test_migrations_build_the_schema_the_models_declare(hub_database_url: str) -> None:
    """Migration 0008 (and every one before it) gives the tables and columns the models say —
    the PostgreSQL-only n-gram expression indexes of 0007 are the one thing the models do not declare."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import xuhui_desk.hub.attachments
    import xuhui_desk.hub.calendar  # noqa: F401  (their tables are declared there)
    from xuhui_desk.hub.models import HubBase

    db = open_hub_database(hub_database_url)
    try:
        with db.engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), HubBase.metadata)
    finally:
        db.close()
    unexpected = [d for d in diffs if not (d[0] == "remove_index" and d[1].name.endswith("_search_ngrams"))]
    assert unexpected == []


def test_qualifying_companies_counts_all_and_words_the_first(hub_database_url: str) -> None:
    from datetime import UTC, date, datetime

    from sqlalchemy import insert

    from xuhui_desk.hub.models import HubEnterprise, HubStation

    db = open_hub_database(hub_database_url)
    try:
        items = catalogue.check_catalogue(sample())
        catalogue.publish(db, items)
        policy = next(p for p in items if p.id == "XS-2026-004")  # 专精特新 (any) and registered in Xuhui
        now = datetime.now(UTC)
        profiles = ([{"qualifications": ["专精特新"], "registered_in_xuhui": True}] * 3
                    + [{"qualifications": ["专精特新小巨人"]}] * 2
                    + [{"qualifications": [], "registered_in_xuhui": True}, None, {"size": "small"}])
        with db.write() as s:
            s.add(HubStation(code="XH03", name="", created_at=now))
            s.flush()
            station_id = s.scalars(select(HubStation.id)).one()
            s.execute(insert(HubEnterprise.__table__), [
                {"uuid": f"e-{i:04d}", "station_id": station_id, "name": f"企业{i}", "contact_name": "", "phone": "",
                 "park": "", "building": "", "first_seen_at": now, "updated_at": now, "revision": 1,
                 "content_hash": "x", "received_at": now, "changed_at": now,
                 "profile": None if p is None else json.dumps(p, ensure_ascii=False)} for i, p in enumerate(profiles)])
            # A profile stored before a rule changed (no longer readable): skipped, never a crash.
            s.execute(insert(HubEnterprise.__table__), [{
                "uuid": "e-bad", "station_id": station_id, "name": "坏画像", "contact_name": "", "phone": "",
                "park": "", "building": "", "first_seen_at": now, "updated_at": now, "revision": 1,
                "content_hash": "x", "received_at": now, "changed_at": now, "profile": '{"size": "huge"}'}])
        found = catalogue.qualifying_companies(db, policy, today=date(2026, 12, 6), limit=2)
        assert (found.eligible, found.possible, found.judged) == (3, 3, 7)
        assert [(c.name, str(c.outcome)) for c in found.companies] == [
            ("企业0", "eligible"), ("企业1", "eligible"), ("企业3", "possible"), ("企业4", "possible")]
        assert found.companies[2].missing == ("registered_in_xuhui",)
        assert all(c.reasons for c in found.companies)
        other = catalogue.qualifying_companies(db, policy, today=date(2026, 12, 6), station="XH99")
        assert (other.eligible, other.possible, other.judged) == (0, 0, 0)
    finally:
        db.close()


def test_a_change_and_its_record_commit_together(hub_database_url: str) -> None:
    db = open_hub_database(hub_database_url)
    try:
        items = catalogue.check_catalogue(sample())

        def failing(_s: Any, _done: dict[str, Any]) -> None:
            raise RuntimeError("the audit entry cannot be written")

        with pytest.raises(RuntimeError):
            catalogue.publish(db, items, record=failing)
        assert catalogue.catalogue_version(db) == 0 and catalogue.list_policies(db) == []
        seen: list[dict[str, Any]] = []
        catalogue.publish(db, items[:2], by="张三", record=lambda _s, done: seen.append(done))
        assert seen == [{"created": [items[0].id, items[1].id], "updated": [], "catalogue_version": 1,
                         "versions": {items[0].id: 1, items[1].id: 1}}]
        with pytest.raises(RuntimeError):
            catalogue.withdraw(db, items[0].id, record=failing)
        assert catalogue.list_policies(db, status="withdrawn") == [] and catalogue.catalogue_version(db) == 1
    finally:
        db.close()
