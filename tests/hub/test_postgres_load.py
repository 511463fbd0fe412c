"""Production shape: two hub processes on one PostgreSQL database, 20 stations syncing at
once while district staff update requests. Nothing may be duplicated, lost or pulled twice."""

from __future__ import annotations

import os
import random
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.synckit import (
    POSTGRES_ENV,
    Fault,
    FaultProxy,
    HubProcess,
    Seen,
    add_requests,
    assert_converged,
    open_station,
    postgres_schema_url,
)
from xuhui_desk.hub import store
from xuhui_desk.hub.database import open_hub_database
from xuhui_desk.hub.models import HubEvent, HubRequest
from xuhui_desk.models import Origin, RequestEvent
from xuhui_desk.services.sync import SyncOptions, run_sync

pytestmark = pytest.mark.postgres

STATIONS = 20
OPTIONS = SyncOptions(batch_records=20, read_timeout=20.0, attempts=5, backoff_base=0.05, backoff_max=0.5)


@pytest.fixture
def pg_url() -> object:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set")
    with postgres_schema_url() as url:
        yield url


def test_two_hub_processes_twenty_stations(pg_url: str, tmp_path: Path) -> None:
    # Both processes start on an empty schema at once: they migrate it once, one after the other.
    hubs = [HubProcess(pg_url), HubProcess(pg_url)]
    procs = [threading.Thread(target=h.start) for h in hubs]
    for t in procs:
        t.start()
    for t in procs:
        t.join()
    admin = open_hub_database(pg_url)
    proxy = FaultProxy(hubs[0].url).start()
    drops = {"n": 0}

    def drop_some(seen: Seen) -> Fault | None:
        # Some answers to pushes through hub 0 are lost after the hub committed.
        if seen.path.startswith("/api/v1/sync/push"):
            drops["n"] += 1
            if drops["n"] % 7 == 3:
                return Fault(after="drop")
        return None

    proxy.state.rule = drop_some
    codes = [f"XS{i:02d}" for i in range(STATIONS)]
    stations = {}
    try:
        for i, code in enumerate(codes):
            db = open_station(tmp_path / code, code, token=store.add_station(admin, code))
            add_requests(db, 40, enterprises=10, start=i * 1000)
            stations[code] = db
        errors: list[str] = []
        stop = threading.Event()

        def district() -> None:
            rng = random.Random(7)
            while not stop.is_set():
                with admin.session() as s:
                    tracking = s.scalars(select(HubRequest.tracking_no).order_by(func.random()).limit(1)).first()
                if tracking:
                    store.district_update(admin, tracking, reply=f"答复{rng.randint(1, 9999)}",
                                          status=rng.choice(["in_progress", "replied", None]), actor="区平台")
                stop.wait(0.01)

        def station_work(i: int, code: str) -> None:
            db = stations[code]
            urls = [proxy.url, hubs[1].url]
            try:
                for round_no in range(2):
                    if round_no == 1:
                        add_requests(db, 10, enterprises=3, start=i * 1000 + 500)
                    summary = run_sync(db, url=urls[(i + round_no) % 2], options=OPTIONS)
                    if not summary.ok:
                        errors.append(f"{code}: {summary.error}")
            except Exception as exc:  # a thread's failure must fail the test
                errors.append(f"{code}: {exc!r}")

        district_thread = threading.Thread(target=district)
        district_thread.start()
        workers = [threading.Thread(target=station_work, args=(i, c)) for i, c in enumerate(codes)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        stop.set()
        district_thread.join()
        assert errors == []
        # A last round everywhere pulls what the district did after each station's pull.
        for i, code in enumerate(codes):
            summary = run_sync(stations[code], url=hubs[i % 2].url, options=OPTIONS)
            assert summary.ok and summary.pending == 0, summary.error
        with admin.session() as s:
            assert s.scalar(select(func.count()).select_from(HubRequest)) == STATIONS * 50
            uuids = s.scalars(select(HubRequest.uuid)).all()
            assert len(set(uuids)) == len(uuids)
            hub_side = {code: 0 for code in codes}
            for tracking, count in s.execute(
                select(HubRequest.tracking_no, func.count(HubEvent.id)).join(HubEvent)
                .where(HubEvent.origin == Origin.HUB).group_by(HubRequest.tracking_no)):
                hub_side[tracking.split("-")[0]] += count
        assert sum(hub_side.values()) > 0, "the district made no updates during the test"
        for code in codes:
            db = stations[code]
            assert_converged(db, admin, code, expect=50)
            with db.session() as s:
                pulled = s.scalar(select(func.count()).where(RequestEvent.origin == Origin.HUB))
            assert pulled == hub_side[code], f"{code}: {pulled} hub events pulled, the hub has {hub_side[code]}"
        assert drops["n"] > 3
    finally:
        for db in stations.values():
            db.close()
        proxy.stop()
        admin.close()
        for h in hubs:
            h.stop()
