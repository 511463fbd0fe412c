"""The console's scale parts: the dashboard's figures kept in ``console_dashboard_cache`` (JSON,
schema-versioned, shared through the database, recomputed when the hub changes), the n-gram
search of a rare term over the whole district (PostgreSQL), and the SLA countdown in whole
working days — on SQLite and, with ``XUHUI_TEST_POSTGRES_URL``, on PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select, text, update

from tests.synckit import HubThread, add_requests, open_station
from xuhui_desk.hub import store
from xuhui_desk.hub.console import accounts, casework, dashboard, dashboard_cache
from xuhui_desk.hub.console.accounts import Principal
from xuhui_desk.hub.database import HubDatabase, open_hub_database
from xuhui_desk.hub.models import ConsoleDashboardCache, HubEnterprise, HubEvent, HubRequest, HubStation
from xuhui_desk.services.reports import last_complete_week, week_of
from xuhui_desk.services.sync import run_sync

COORDINATOR = Principal(1, "coord", "张伟", "coordinator")
PASSWORD = "Xuhui-console-2026"


@pytest.fixture
def db(hub_database_url: str) -> Iterator[HubDatabase]:
    hub = open_hub_database(hub_database_url)
    yield hub
    hub.close()


def _seed(db: HubDatabase, created: datetime, count: int, *, due: datetime | None = None,
          descriptions: list[str] | None = None) -> None:
    with db.write() as s:
        st = HubStation(code="XH03", name="漕河泾服务站", created_at=created)
        s.add(st)
        s.flush()
        # A Core insert naming its columns: the migration test seeds a schema older than the
        # model (later migrations add enterprise columns, e.g. 0008's profile).
        ent_id = s.execute(insert(HubEnterprise.__table__).values(
            uuid="e-1", station_id=st.id, name="上海云帆科技有限公司", contact_name="", phone="", park="",
            building="", first_seen_at=created, updated_at=created, revision=1, content_hash="x",
            received_at=created, changed_at=created).returning(HubEnterprise.__table__.c.id)).scalar_one()
        for i in range(count):
            text = descriptions[i] if descriptions else "想申请贷款"
            _add_request(s, st.id, ent_id, i, created, due=due, description=text)


def _add_request(s: Any, station_id: int, enterprise_id: int, i: int, created: datetime, *,
                 due: datetime | None = None, description: str = "想申请贷款") -> HubRequest:
    req = HubRequest(uuid=f"r-{i}", station_id=station_id, tracking_no=f"XH03-20261124-{i:03d}",
                     enterprise_id=enterprise_id, channel="walk_in", category="finance", description=description,
                     urgency="normal", created_at=created, updated_at=created, sla_due_at=due,
                     station_status="routed", status="routed", department="finance_center", content_hash="x")
    s.add(req)
    s.flush()
    s.add(HubEvent(uuid=f"ev-{i}", request_id=req.id, kind="created", origin="station", occurred_at=created,
                   data={"status": "new"}))
    return req


def _count_computes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    compute = dashboard_cache.compute_figures

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return compute(*args, **kwargs)

    monkeypatch.setattr(dashboard_cache, "compute_figures", counted)
    return calls


# --- the dashboard cache ---------------------------------------------------------------------------

def test_figures_round_trip_through_json_unchanged(db: HubDatabase) -> None:
    now = datetime.now(UTC)
    week = last_complete_week(now)
    _seed(db, week.start + timedelta(days=1, hours=2), 3)
    with db.write() as s:  # a reply and a rating, so medians and satisfaction are not empty
        req = s.scalars(select(HubRequest).where(HubRequest.uuid == "r-0")).one()
        at = week.start + timedelta(days=2, hours=3)
        s.add(HubEvent(uuid="ev-r", request_id=req.id, kind="status", origin="district", occurred_at=at,
                       data={"status": "replied", "from": "routed"}))
        s.add(HubEvent(uuid="ev-s", request_id=req.id, kind="rated", origin="district",
                       occurred_at=at + timedelta(hours=1), data={"rating": 4}))
    figures = dashboard.compute_figures(db, week, None, "zh_CN", now)
    assert figures.totals.resolved == 1 and figures.resolution.median is not None
    assert figures.satisfaction.by_level[4] == 1 and figures.by_station_category == {("XH03", "finance"): 3}
    text = json.dumps(figures.to_dict())  # plain JSON, no pickled objects
    assert dashboard.DashboardFigures.from_dict(json.loads(text)) == figures
    for broken in ({**figures.to_dict(), "totals": [1, 2, 3]}, {**figures.to_dict(), "rectifications": "1"},
                   {k: v for k, v in figures.to_dict().items() if k != "daily"}):
        with pytest.raises((KeyError, TypeError, ValueError)):
            dashboard.DashboardFigures.from_dict(broken)


def test_a_finished_week_is_served_from_the_table_until_something_changes(
        db: HubDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    week = last_complete_week(now)
    created = week.start + timedelta(days=1, hours=2)
    _seed(db, created, 3)
    calls = _count_computes(monkeypatch)

    first = dashboard.build_dashboard(db, week, COORDINATOR, now=now)
    assert first.report.totals.new == 3 and len(calls) == 1
    with db.session() as s:
        entry = s.scalars(select(ConsoleDashboardCache)).one()
        assert json.loads(entry.figures)["totals"][0] == 3 and entry.schema_version == dashboard_cache.SCHEMA_VERSION
    again = dashboard.build_dashboard(db, week, COORDINATOR, now=now + timedelta(seconds=5))
    assert len(calls) == 1, "nothing changed: the figures come from the table"
    assert again.report == first.report == dashboard.build_dashboard(db, week, COORDINATOR, now=now,
                                                                     use_cache=False).report
    calls.clear()

    # A station pushes a request received in that week (late, as an offline station does).
    with db.write() as s:
        st = s.scalars(select(HubStation)).one()
        ent = s.scalars(select(HubEnterprise)).one()
        _add_request(s, st.id, ent.id, 3, created)
    after_push = dashboard.build_dashboard(db, week, COORDINATOR, now=now + timedelta(seconds=6))
    assert len(calls) == 1 and after_push.report.totals.new == 4

    # A reply recorded on the hub (an event of an existing request) moves the token as well.
    with db.write() as s:
        req = s.scalars(select(HubRequest).where(HubRequest.uuid == "r-0")).one()
        s.add(HubEvent(uuid="ev-reply", request_id=req.id, kind="status", origin="district",
                       occurred_at=created + timedelta(hours=3), data={"status": "replied", "from": "routed"}))
    after_reply = dashboard.build_dashboard(db, week, COORDINATOR, now=now + timedelta(seconds=7))
    assert len(calls) == 2 and after_reply.report.totals.resolved == 1
    assert after_reply.report == dashboard.build_dashboard(db, week, COORDINATOR, now=now + timedelta(seconds=7),
                                                           use_cache=False).report
    calls.clear()

    # An old entry is recomputed even when the token still matches.
    dashboard.build_dashboard(db, week, COORDINATOR, now=now + dashboard_cache.CACHE_MAX_AGE + timedelta(seconds=8))
    assert len(calls) == 1


def test_an_entry_of_another_schema_version_or_unreadable_is_recomputed_not_read(
        db: HubDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    week = last_complete_week(now)
    _seed(db, week.start + timedelta(days=1), 2)
    right = dashboard.build_dashboard(db, week, COORDINATOR, now=now).report
    calls = _count_computes(monkeypatch)
    # An entry written by another version of the hub, with a figure that would be wrong here.
    wrong = {**right.to_dict(), "totals": [99, 0, 0, 0]}
    for version, figures in ((dashboard_cache.SCHEMA_VERSION + 1, json.dumps(wrong)),
                             (dashboard_cache.SCHEMA_VERSION, '{"totals": [99'),
                             (dashboard_cache.SCHEMA_VERSION, json.dumps({"totals": [99, 0, 0, 0]}))):
        with db.write() as s:
            s.execute(update(ConsoleDashboardCache).values(schema_version=version, figures=figures))
        shown = dashboard.build_dashboard(db, week, COORDINATOR, now=now + timedelta(seconds=1)).report
        assert shown == right and shown.totals.new == 2
    assert len(calls) == 3
    with db.session() as s:  # … and the entry is current again
        assert s.scalars(select(ConsoleDashboardCache)).one().schema_version == dashboard_cache.SCHEMA_VERSION


def test_each_scope_and_language_has_its_own_entry(db: HubDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    week = last_complete_week(now)
    _seed(db, week.start + timedelta(days=2), 2)
    calls = _count_computes(monkeypatch)
    viewer = Principal(2, "xh03", "李敏", "viewer", station_code="XH03")
    district = dashboard.build_dashboard(db, week, COORDINATOR, now=now)
    station = dashboard.build_dashboard(db, week, viewer, now=now)
    english = dashboard.build_dashboard(db, week, COORDINATOR, language="en", now=now)
    assert len(calls) == 3
    assert district.report.station_code is None and station.report.station_code == "XH03"
    assert english.report.language == "en" and district.report.language == "zh_CN"
    with db.session() as s:
        keys = set(s.execute(select(ConsoleDashboardCache.period, ConsoleDashboardCache.scope,
                                    ConsoleDashboardCache.language)))
    assert keys == {(week.label, "", "zh_CN"), (week.label, "XH03", "zh_CN"), (week.label, "", "en")}
    # A day later the old entries go when another is stored (each date range is an entry).
    later = now + dashboard_cache.PRUNE_AFTER + timedelta(minutes=1)
    dashboard.build_dashboard(db, dashboard.Period(week.monday, week.monday), COORDINATOR, now=later)
    with db.session() as s:
        assert s.scalars(select(ConsoleDashboardCache.period)).all() == [f"{week.monday}..{week.monday}"]


def test_a_running_period_is_recomputed_after_a_minute(db: HubDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    period = dashboard.Period((now - timedelta(days=2)).date(), (now + timedelta(days=3)).date())
    _seed(db, now - timedelta(hours=30), 2)
    calls = _count_computes(monkeypatch)
    dashboard.build_dashboard(db, period, COORDINATOR, now=now)
    dashboard.build_dashboard(db, period, COORDINATOR, now=now + timedelta(seconds=30))
    assert len(calls) == 1
    dashboard.build_dashboard(db, period, COORDINATOR, now=now + dashboard_cache.RUNNING_MAX_AGE + timedelta(seconds=1))
    assert len(calls) == 2


def _figures_shown(client: httpx.Client, week: str) -> dict[str, str]:
    page = client.get("/console/dashboard", params={"week": week})
    assert page.status_code == 200, page.text[:300]
    return dict(re.findall(r'data-figure="([a-z_]+)"[^>]*>([^<]*)<', page.text))


def test_a_pushed_request_and_a_reply_change_the_shown_figures(hub_database_url: str, tmp_path: Path) -> None:
    """Through the real sync API and the real pages: a view, then a station's push, then a view
    again — the second shows the pushed request (the cache entry of the first is not served)."""
    hub = HubThread(hub_database_url).start()
    try:
        station = open_station(tmp_path / "station", "XH03", hub.url, hub.add_station("XH03"))
        add_requests(station, 2)
        assert run_sync(station).ok
        accounts.create_user(hub.db, "coord", PASSWORD, "coordinator")
        token, _ = accounts.login(hub.db, "coord", PASSWORD)
        week = week_of(datetime.now(UTC)).label
        with httpx.Client(base_url=hub.url, cookies={"xuhui_console": token}, timeout=30) as client:
            before = _figures_shown(client, week)
            assert before["new"] == "2" and before["resolved"] == "0"
            assert _figures_shown(client, week) == before
            with hub.db.session() as s:
                assert s.scalar(select(func.count()).select_from(ConsoleDashboardCache)) == 1
            add_requests(station, 1, start=2)
            assert run_sync(station).ok
            assert _figures_shown(client, week)["new"] == "3"
            with hub.db.session() as s:
                number = s.scalars(select(HubRequest.tracking_no).order_by(HubRequest.id)).first()
            assert number is not None
            store.district_update(hub.db, number, reply="已答复", actor="王芳")
            assert _figures_shown(client, week)["resolved"] == "1"
    finally:
        hub.stop()


# --- the SLA countdown -------------------------------------------------------------------------------

def test_the_countdown_is_in_whole_working_days_as_the_station_says_them() -> None:
    from xuhui_desk.ui.queue.model import whole_workdays as station_rule

    for days in (0.0, 0.2, 0.999999, 1.0, 1.0000001, 2.5, 5.99, 6.0, 6.0000000001, 13.4):
        assert casework.whole_workdays(days) == station_rule(days)
        assert casework.whole_workdays(-days) == station_rule(days)


def test_the_inbox_and_request_page_show_whole_working_days(db: HubDatabase, hub_database_url: str) -> None:
    from xuhui_desk.services.workdays import default_calendar

    now = datetime.now(UTC)
    due = default_calendar().add_workdays(now, 6)
    _seed(db, now - timedelta(hours=1), 1, due=due)
    with db.write() as s:
        st = s.scalars(select(HubStation)).one()
        ent = s.scalars(select(HubEnterprise)).one()
        late = _add_request(s, st.id, ent.id, 1, now - timedelta(days=20), due=now - timedelta(days=9))
        late_no = late.tracking_no
    accounts.create_user(db, "fin", PASSWORD, "handler", departments=["finance_center"])
    token, who = accounts.login(db, "fin", PASSWORD)
    rows = {r.tracking_no: r for r in casework.inbox(db, who, casework.InboxFilter()).rows}
    hub = HubThread(hub_database_url).start()
    try:
        with httpx.Client(base_url=hub.url, cookies={"xuhui_console": token}, timeout=30) as client:
            inbox = client.get("/console/").text
            page = client.get("/console/requests/XH03-20261124-000").text
            late_page = client.get(f"/console/requests/{late_no}").text
    finally:
        hub.stop()
    left = rows["XH03-20261124-000"].workdays_left
    overdue = rows[late_no].workdays_left
    assert left is not None and left > 0 and overdue is not None and overdue < 0
    shown_left = f"剩 {casework.whole_workdays(left)} 个工作日"
    assert shown_left in inbox and shown_left in page
    counts = (re.findall(r"剩 ([0-9.]+) 个工作日", inbox + page)
              + re.findall(r"已超期 ([0-9.]+) 个工作日", inbox + late_page))
    assert counts and all("." not in c for c in counts), counts
    assert str(casework.whole_workdays(overdue)) in re.findall(r"已超期 ([0-9.]+) 个工作日", late_page)


# --- the rare-term search (PostgreSQL's n-gram indexes) ------------------------------------------------

TEXTS = ["想申请一笔银行信用贷款，编号1203", "新招的博士想办理人才引进落户", "和供应商的合同出现违约纠纷需要调解 ABC",
         "咨询房租补贴的申报条件，编号99912", "申请创业担保贷款被退回", "楼宇的宽带信号太差 Wi-Fi"]


@pytest.mark.parametrize("term", ["贷款", "编号999", "999", "abc", "wi-fi", "云帆", "XH03-20261124-004", "纠",
                                  "落户 博士",
                                  "不存在的词"])
def test_the_coordinators_search_finds_what_the_plain_match_finds(db: HubDatabase, term: str) -> None:
    now = datetime.now(UTC)
    _seed(db, now - timedelta(days=3), len(TEXTS), descriptions=TEXTS)
    with db.write() as s:  # a second company whose name is the only place a term appears
        st = s.scalars(select(HubStation)).one()
        other = HubEnterprise(uuid="e-2", station_id=st.id, name="上海落户博士咨询有限公司", uscc="91310104MA1FL0XXXX",
                              first_seen_at=now, updated_at=now, content_hash="x")
        s.add(other)
        s.flush()
        _add_request(s, st.id, other.id, 50, now - timedelta(days=1), description="其他事项")
    f = casework.InboxFilter(status="all", q=term)
    found = [r.tracking_no for r in casework.inbox(db, COORDINATOR, f).rows]
    handler = Principal(3, "fin", "王芳", "handler", ("finance_center",))  # the plain match only
    assert found == [r.tracking_no for r in casework.inbox(db, handler, f).rows]
    expected = {"贷款": {0, 4}, "编号999": {3}, "999": {3}, "abc": {2}, "wi-fi": {5}, "云帆": {0, 1, 2, 3, 4, 5},
                "XH03-20261124-004": {4}, "纠": {2}, "落户 博士": {1, 50}, "不存在的词": set()}[term]
    assert {int(n[-3:]) for n in found} == expected
    if db.dialect == "postgresql":
        from xuhui_desk.hub.console import search_index

        with db.session() as s:
            condition = search_index.rare_term_condition(s, term.split()[0])
            assert (condition is None) == (len(term.split()[0]) < 2)  # a one-character term: the plain match
            assert search_index.term_keys(s, "贷款") == ["贷款"]
            assert search_index.term_keys(s, "Wi-Fi") == ["-fi", "i-f", "wi-"]
            # The search's expression is the indexed one (PostgreSQL matches it by its form).
            s.execute(text("SET LOCAL enable_seqscan = off"))
            for sql in (f"SELECT 1 FROM requests WHERE {search_index._REQUEST_NGRAMS} @> ARRAY['贷款']",
                        f"SELECT 1 FROM enterprises WHERE {search_index._ENTERPRISE_NGRAMS} @> ARRAY['云帆']"):
                plan = "\n".join(s.scalars(text("EXPLAIN " + sql)))
                assert "_search_ngrams" in plan, plan


def test_a_term_postgresql_estimates_frequent_takes_the_plain_match(
        db: HubDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    if db.dialect != "postgresql":
        pytest.skip("the n-gram indexes are PostgreSQL's")
    from xuhui_desk.hub.console import search_index

    _seed(db, datetime.now(UTC) - timedelta(days=3), len(TEXTS), descriptions=TEXTS)
    with db.session() as s:
        assert search_index.rare_term_condition(s, "贷款") is not None
        monkeypatch.setattr(search_index, "COMMON_ESTIMATE", 0)
        assert search_index.rare_term_condition(s, "贷款") is None
    found = casework.inbox(db, COORDINATOR, casework.InboxFilter(status="all", q="贷款")).rows
    assert {int(r.tracking_no[-3:]) for r in found} == {0, 4}


# --- migration 0007 on a hub that already has requests ---------------------------------------------------

def test_migration_0007_upgrades_a_hub_with_requests(hub_database_url: str) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from xuhui_desk.hub.database import make_engine, migrations_dir

    engine = make_engine(hub_database_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0004_hub_console")
    assert "console_dashboard_cache" not in inspect(engine).get_table_names()
    engine.dispose()
    old = open_hub_database(hub_database_url, migrate=False)
    _seed(old, datetime.now(UTC) - timedelta(days=2), 2, descriptions=["想申请知识产权质押融资", "咨询房租补贴"])
    old.close()

    db = open_hub_database(hub_database_url)  # upgrades to the head, as a hub starting does
    try:
        assert "console_dashboard_cache" in inspect(db.engine).get_table_names()
        found = casework.inbox(db, COORDINATOR, casework.InboxFilter(status="all", q="质押融资")).rows
        assert [r.tracking_no for r in found] == ["XH03-20261124-000"]
        if db.dialect == "postgresql":  # the indexes cover the requests stored before the upgrade
            from xuhui_desk.hub.console import search_index

            with db.session() as s:
                assert search_index.rare_term_condition(s, "质押融资") is not None
                s.execute(text("SET LOCAL enable_seqscan = off"))
                counted = text(f"SELECT count(*) FROM requests WHERE {search_index._REQUEST_NGRAMS} @> ARRAY['房租']")
                assert "_search_ngrams" in "\n".join(s.scalars(text("EXPLAIN " + str(counted))))
                assert s.scalar(counted) == 1
        week = last_complete_week(datetime.now(UTC))
        assert dashboard.build_dashboard(db, week, COORDINATOR).report.period_label == week.label
    finally:
        db.close()
