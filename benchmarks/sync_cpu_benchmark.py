"""CPU per record of each end of a sync push, in one process, without the network or a second process.

    .venv/bin/python benchmarks/sync_cpu_benchmark.py [--requests 4000] [--repeat 3]

``sync_benchmark.py`` measures the round end to end against its floor; on a shared 2-core machine
its wall time follows the CPU the station and the hub get, and a busy moment moves it by tens of
percent. This one measures the CPU (``time.thread_time``) each end spends per record, which
other processes' load moves much less, so that two versions of the code can be compared:

* **station**: the newest ``--requests`` requests of the generated 200,000-request database, their
  enterprises and their station-made timeline events, read as Core rows (the columns the claim
  reads) and encoded as the push encodes them (``services/sync/wire.WIRE`` and ``compact_json``,
  each record once) — the clock covers the encoding only;
* **hub**: those records in batches of 200 (enterprises first, as a round sends them), each
  applied by the hub's own push handler (``hub/routes/sync._apply``: canonical JSON and body
  hash, ``store.apply_push`` — parsing, checks, content hashes, inserts, commit) to a fresh
  SQLite hub database with the hub's pragmas.

Best of ``--repeat`` runs for each end (a fresh hub database each run). ``--profile hub`` (or
``station``) runs that end once more under cProfile and prints its 40 dearest functions (by own
time; ``--sort cumulative`` for the other view): where a record's CPU goes.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import copy_database, database  # noqa: E402
from benchmarks.results import machine_line  # noqa: E402

BATCH = 200


def station_rows(path: Path, requests: int) -> list[tuple[str, list[Any]]]:
    """(kind, rows) per stage: the enterprises of the newest requests, the requests, their station events."""
    from sqlalchemy import create_engine, select

    from xuhui_desk.models import Enterprise, Origin, Request, RequestEvent

    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    last = con.execute("SELECT max(id) FROM requests").fetchone()[0]
    con.close()
    engine = create_engine(f"sqlite:///{path}")
    e, r, ev = Enterprise.__table__, Request.__table__, RequestEvent.__table__
    first = last - requests
    with engine.connect() as c:
        enterprises = list(c.execute(select(e).where(e.c.id.in_(
            select(r.c.enterprise_id).where(r.c.id > first))).order_by(e.c.id)))
        reqs = list(c.execute(select(r, e.c.uuid.label("enterprise_uuid")).join(e, e.c.id == r.c.enterprise_id)
                              .where(r.c.id > first).order_by(r.c.id)))
        events = list(c.execute(select(ev, r.c.uuid.label("request_uuid")).join(r, r.c.id == ev.c.request_id)
                                .where(r.c.id > first, ev.c.origin == Origin.STATION).order_by(ev.c.id)))
    engine.dispose()
    return [("enterprise", enterprises), ("request", reqs), ("event", events)]


def encode(stages: list[tuple[str, list[Any]]]) -> tuple[float, list[tuple[dict[str, Any], bytes]]]:
    from xuhui_desk.services.sync.wire import WIRE
    from xuhui_desk.sync_protocol import compact_json

    out = []
    started = time.thread_time()
    for kind, rows in stages:
        wire_of = WIRE[kind]
        for row in rows:
            wire = wire_of(row)
            out.append((wire, compact_json(wire)))
    return time.thread_time() - started, out


def apply_all(records: list[dict[str, Any]], folder: Path) -> float:
    from xuhui_desk.hub import store
    from xuhui_desk.hub.database import open_hub_database
    from xuhui_desk.hub.http import HubConfig
    from xuhui_desk.hub.routes.sync import _apply
    from xuhui_desk.models import new_uuid
    from xuhui_desk.sync_protocol import parse_push_body, push_body

    db = open_hub_database(f"sqlite:///{folder / 'hub.db'}")
    try:
        token = store.add_station(db, "XH03", rotate=True)
        station = store.authenticate(db, token)
        assert station is not None
        cfg = HubConfig()
        spent = 0.0
        for start in range(0, len(records), BATCH):
            batch = parse_push_body(push_body(new_uuid(), "XH03", records[start:start + BATCH]), BATCH)
            began = time.thread_time()
            answer = _apply(db, station, batch, cfg)
            spent += time.thread_time() - began
            refused = [r for r in answer["results"] if r["status"] not in ("accepted", "duplicate")]
            if refused:
                raise RuntimeError(f"the hub refused records: {refused[:3]}")
        return spent
    finally:
        db.close()


def profile(end: str, order: str, stages: list[tuple[str, list[Any]]], records: list[dict[str, Any]],
            folder: Path) -> None:
    """One more run of ``end`` under cProfile; its dearest functions printed."""
    import cProfile
    import pstats

    folder.mkdir()
    profiler = cProfile.Profile()
    profiler.enable()
    if end == "hub":
        apply_all(records, folder)
    else:
        encode(stages)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(order).print_stats(40)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=4000, help="newest requests to push (with their records)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each end; the best is shown")
    parser.add_argument("--profile", choices=("hub", "station"), help="then profile this end once (cProfile)")
    parser.add_argument("--sort", default="tottime", help="the profile's order (pstats: tottime, cumulative …)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="xuhui-sync-cpu-") as tmp:
        folder = Path(tmp)
        path = copy_database(database(), folder / "station.db")
        stages = station_rows(path, args.requests)
        count = sum(len(rows) for _k, rows in stages)
        station_s, encoded = min((encode(stages) for _ in range(args.repeat)), key=lambda pair: pair[0])
        records = [wire for wire, _bytes in encoded]
        hub_s = []
        for run in range(args.repeat):
            run_dir = folder / f"hub{run}"
            run_dir.mkdir()
            hub_s.append(apply_all(records, run_dir))
        if args.profile:
            profile(args.profile, args.sort, stages, records, folder / "profiled")
    best_hub = min(hub_s)
    print(f"records: {count:,} ({', '.join(f'{len(rows):,} {kind}s' for kind, rows in stages)})")
    print(f"station, encoding for the push: {station_s:.3f} s CPU = {station_s / count * 1e6:.1f} µs a record "
          f"(best of {args.repeat})")
    print(f"hub, applying batches of {BATCH}: {best_hub:.3f} s CPU = {best_hub / count * 1e6:.1f} µs a record "
          f"(best of {args.repeat}: {', '.join(f'{s:.3f}' for s in hub_s)} s)")
    print(f"machine: {machine_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
