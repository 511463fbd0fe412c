"""Pulling district updates: paging by the hub's cursor, field ownership, the station's clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from tests.synckit import (
    Fault,
    FaultProxy,
    HubThread,
    Seen,
    add_requests,
    assert_converged,
    edit_request,
)
from xuhui_desk.db import Database
from xuhui_desk.hub import store
from xuhui_desk.models import EventKind, Origin, Request, RequestEvent, SyncState
from xuhui_desk.services.sync import SyncOptions, SyncSummary, run_sync, sync_status

FAST = SyncOptions(read_timeout=2.0, health_timeout=1.0, connect_timeout=1.0, attempts=3, backoff_base=0.01,
                   backoff_max=0.05)


def sync(db: Database, **kw: object) -> SyncSummary:
    return run_sync(db, options=kw.pop("options", FAST), **kw)  # type: ignore[arg-type]


def tracking_of(db: Database) -> dict[str, str]:
    with db.session() as s:
        return dict(s.execute(select(Request.uuid, Request.tracking_no)).all())  # type: ignore[arg-type]


def hub_events(db: Database) -> list[tuple[str, str]]:
    with db.session() as s:
        return [(tracking, kind) for kind, tracking in s.execute(
            select(RequestEvent.kind, Request.tracking_no).join(Request)
            .where(RequestEvent.origin == Origin.HUB).order_by(RequestEvent.id))]


def pulls(proxy: FaultProxy) -> list[int]:
    return [int(parse_qs(urlparse(s.path).query)["cursor"][0]) for s in proxy.state.seen
            if s.path.startswith("/api/v1/sync/pull")]


def test_three_district_updates_across_a_page_boundary_are_pulled_once(station: Database, hub: HubThread,
                                                                       proxy: FaultProxy) -> None:
    uuids = add_requests(station, 3)
    assert sync(station).ok
    numbers = tracking_of(station)
    store.district_update(hub.db, numbers[uuids[0]], status="in_progress", actor="金融服务中心")
    store.district_update(hub.db, numbers[uuids[1]], department="legal_center", actor="区企业服务中心")
    store.district_update(hub.db, numbers[uuids[2]], reply="请携带营业执照到服务中心办理", actor="政务服务中心")
    proxy.state.seen.clear()
    # Page size 2, and the answer to the second page is lost once: it is asked for again with
    # the same cursor, because the cursor moves only in the transaction that saves the page.
    dropped = {"done": False}

    def rule(seen: Seen) -> Fault | None:
        if seen.path.startswith("/api/v1/sync/pull") and "cursor=0" not in seen.path and not dropped["done"]:
            dropped["done"] = True
            return Fault(after="drop")
        return None

    proxy.state.rule = rule
    summary = sync(station, options=SyncOptions(**{**FAST.__dict__, "pull_limit": 2}))
    assert summary.ok and summary.pulled == 3, summary
    cursors = pulls(proxy)
    assert cursors[0] == 0 and cursors[1] == cursors[2] > 0, cursors
    assert hub_events(station) == [(numbers[uuids[0]], "status_changed"), (numbers[uuids[1]], "reassigned"),
                                   (numbers[uuids[2]], "reply"), (numbers[uuids[2]], "status_changed")]
    with station.session() as s:
        rows = {r.uuid: r for r in s.scalars(select(Request))}
        assert rows[uuids[0]].status == "in_progress"
        assert rows[uuids[1]].department == "legal_center"
        assert rows[uuids[2]].status == "replied"
        # Pulled rows are the hub's: nothing to send back.
        assert {r.sync_state for r in rows.values()} == {SyncState.SYNCED}
    assert sync_status(station).cursor == 3
    again = sync(station)
    assert again.ok and again.pulled == 0 and len(hub_events(station)) == 4
    assert_converged(station, hub.db, expect=3)


def test_district_status_change_meets_an_unsynced_station_edit(station: Database, hub: HubThread) -> None:
    (uuid,) = add_requests(station, 1)
    assert sync(station).ok
    tracking = tracking_of(station)[uuid]
    # The specialist corrects the description (not yet sent) while the district takes the request.
    edit_request(station, uuid, description="想申请一笔银行信用贷款，金额约五百万元")
    store.district_update(hub.db, tracking, status="in_progress", reply="已联系合作银行", actor="金融服务中心")
    summary = sync(station)
    assert summary.ok, summary.error
    with station.session() as s:
        req = s.scalars(select(Request)).one()
        assert req.description.endswith("五百万元"), "the station's field is kept"
        assert req.status == "in_progress", "the district's status is taken"
        assert [e.kind for e in req.events] == ["created", "reply", "status_changed"]
    row = store.list_requests(hub.db)[0]
    assert (row["description"], row["status"]) == ("想申请一笔银行信用贷款，金额约五百万元", "in_progress")
    assert_converged(station, hub.db, expect=1)


def test_station_status_change_and_district_reassignment_both_kept(station: Database, hub: HubThread) -> None:
    """The station routes a request (not yet sent) while the district reassigns it: the
    station's status and the district's department are both kept."""
    from xuhui_desk.services.workflow import apply, status_from_timeline

    (uuid,) = add_requests(station, 1)
    assert sync(station).ok
    tracking = tracking_of(station)[uuid]
    apply(station, tracking, status="routed", actor="李敏")
    store.district_update(hub.db, tracking, department="talent_service", actor="人才服务中心")
    summary = sync(station)
    assert summary.ok, summary.error
    with station.session() as s:
        req = s.scalars(select(Request)).one()
        assert (req.status, req.department) == ("routed", "talent_service")
        assert status_from_timeline(req.events) == req.status
    row = store.list_requests(hub.db)[0]
    assert (row["status"], row["department"]) == ("routed", "talent_service")
    assert_converged(station, hub.db, expect=1)
    # Later district changes still reach the station.
    store.district_update(hub.db, tracking, reply="已安排人才专员对接")
    assert sync(station).ok
    assert_converged(station, hub.db, expect=1)
    with station.session() as s:
        assert s.scalars(select(Request.status)).one() == "replied"


def test_concurrent_status_changes_the_district_wins_and_the_timeline_says_so(station: Database,
                                                                              hub: HubThread) -> None:
    from xuhui_desk.services.workflow import apply, status_from_timeline

    (uuid,) = add_requests(station, 1)
    assert sync(station).ok
    tracking = tracking_of(station)[uuid]
    store.district_update(hub.db, tracking, status="in_progress", actor="金融服务中心")
    apply(station, tracking, status="cancelled", actor="李敏")  # made without knowing the district's
    summary = sync(station)
    assert summary.ok, summary.error
    with station.session() as s:
        req = s.scalars(select(Request)).one()
        assert req.status == "in_progress"
        timeline = [(e.kind, e.origin, e.data.get("status")) for e in req.events]
        assert timeline == [("created", "station", "new"), ("status_changed", "station", "cancelled"),
                            ("status_changed", "hub", "in_progress"), ("status_changed", "hub", "in_progress")]
        assert req.events[-1].data["reason"] == "district_status_kept"
        assert status_from_timeline(req.events) == req.status
    assert store.list_requests(hub.db)[0]["status"] == "in_progress"
    assert_converged(station, hub.db, expect=1)
    # Changed again from the status both now agree on, the station's change is applied.
    apply(station, tracking, status="replied", reply="已电话告知企业办理流程", actor="李敏")
    assert sync(station).ok
    assert store.list_requests(hub.db)[0]["status"] == "replied"
    assert_converged(station, hub.db, expect=1)


def test_a_station_clock_a_year_off(station: Database, hub: HubThread) -> None:
    year = timedelta(days=365)
    ahead = datetime.now(UTC) + year
    first = add_requests(station, 2, now=ahead)
    second = add_requests(station, 2, start=10)
    summary = sync(station, clock=lambda: datetime.now(UTC) + year)
    assert summary.ok
    assert summary.skew_seconds is not None and abs(summary.skew_seconds - year.total_seconds()) < 5
    assert summary.skew_warning and "365 days ahead" in summary.skew_warning
    assert sync_status(station).skew_seconds == pytest.approx(summary.skew_seconds, abs=5)
    # The hub lists in the order it received them, not by the station's times.
    assert [r["uuid"] for r in store.list_requests(hub.db)] == first + second
    numbers = tracking_of(station)
    store.district_update(hub.db, numbers[first[0]], reply="已受理")
    store.district_update(hub.db, numbers[second[0]], status="in_progress")
    pulled = sync(station, clock=lambda: datetime.now(UTC) + year)
    assert pulled.ok and pulled.pulled == 2
    # Each timeline is in arrival order (the hub's reply after the station's "created", though
    # the station's clock put "created" a year later).
    with station.session() as s:
        req = s.scalars(select(Request).where(Request.uuid == first[0])).one()
        kinds = [(e.kind, e.origin) for e in req.events]
        assert kinds == [(EventKind.CREATED, "station"), ("reply", "hub"), ("status_changed", "hub")]
        assert req.events[0].occurred_at > req.events[1].occurred_at
    assert_converged(station, hub.db, expect=4)
