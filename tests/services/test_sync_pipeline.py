"""The pipelined push: the next batch is claimed while one is in flight, and sent only after the
answer; an answer that is not all accepted puts the prepared batch back (claimed again as a round
without the pipeline would claim it). A real hub behind the fault-injecting proxy."""

from __future__ import annotations

import gzip
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.synckit import Fault, FaultProxy, HubThread, Seen, add_requests, assert_converged, station_states
from xuhui_desk.db import Database
from xuhui_desk.models import Enterprise, SyncBatch
from xuhui_desk.services.sync import SyncOptions, run_sync

SMALL = SyncOptions(read_timeout=5.0, health_timeout=2.0, connect_timeout=1.0, attempts=2, backoff_base=0.01,
                    backoff_max=0.05, batch_records=5)


def _records(seen: Seen) -> list[dict[str, Any]]:
    body = gzip.decompress(seen.body) if seen.headers.get("content-encoding") == "gzip" else seen.body
    return list(json.loads(body)["records"])


def test_the_next_batch_is_claimed_while_one_is_in_flight(station: Database, hub: HubThread, proxy: FaultProxy,
                                                         tmp_path: Path) -> None:
    add_requests(station, 12, enterprises=2)
    path = tmp_path / "station" / "xuhui_desk.db"
    seen_while_in_flight: list[int] = []

    def sending_batches() -> int:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(con.execute("SELECT count(*) FROM sync_batches WHERE state = 'sending'").fetchone()[0])
        finally:
            con.close()

    def first_push_held() -> None:
        # The first batch is held here, before the hub sees it: the station prepares the next.
        deadline = time.monotonic() + 5
        while sending_batches() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        seen_while_in_flight.append(sending_batches())

    pushes = {"n": 0}

    def rule(seen: Seen) -> Fault | None:
        if not seen.path.startswith("/api/v1/sync/push"):
            return None
        pushes["n"] += 1
        return Fault(before=first_push_held) if pushes["n"] == 1 else None

    proxy.state.rule = rule
    summary = run_sync(station, options=SMALL)
    assert summary.ok, summary.error
    assert seen_while_in_flight == [2], "the next batch was not prepared while the first was in flight"
    # Sent one after the other all the same: every batch done, nothing left sending, all on the hub.
    with station.session() as s:
        assert set(s.scalars(select(SyncBatch.state))) == {"done"}
    assert "sending" not in station_states(station).values()
    assert_converged(station, hub.db, expect=12)


def test_a_refused_company_holds_back_its_requests_prepared_in_the_next_batch(station: Database, hub: HubThread,
                                                                              proxy: FaultProxy) -> None:
    add_requests(station, 6, enterprises=2)
    with station.write() as s:
        bad = s.scalars(select(Enterprise).order_by(Enterprise.id)).first()
        assert bad is not None
        bad.phone = "12"  # no one can call it: the hub refuses the company
        bad_uuid = bad.uuid
    # Two companies fill the first batch (5 records: the companies and three requests); the
    # rest of the requests were prepared while it was in flight, some of them the refused one's.
    summary = run_sync(station, options=SMALL)
    # Its three requests and their timelines wait (held back with it), everything else went.
    assert summary.rejected == 1 and summary.pending == 6 and summary.pushed == 7, summary.errors
    sent = [r for seen in proxy.pushes() for r in _records(seen)]
    after_refusal = [r for seen in proxy.pushes()[1:] for r in _records(seen)]
    assert [r["uuid"] for r in sent if r["type"] == "enterprise"].count(bad_uuid.lower()) == 1
    # What was claimed before the refusal came back was put back and claimed again: the refused
    # company's requests never went after it, as without the pipeline.
    assert not [r for r in after_refusal if r["type"] == "request" and r["enterprise_uuid"] == bad_uuid.lower()]
    with station.session() as s:
        assert "sending" not in set(s.scalars(select(SyncBatch.state)))
    assert "sending" not in station_states(station).values()
