"""Today's lists and the company file on 200,000 generated requests.

    .venv/bin/python benchmarks/today_benchmark.py [--source DB] [--runs N] [--companies N]

On a copy of the generated database (``benchmarks/generate.py``; ``--source`` takes another
generated file, e.g. one of an earlier schema revision, migrated here as the program would),
with follow-up data added the way the program stores it — 6,000 ``contact`` events on random
requests, 2,000 of them with a callback still open (spread from ten days before "now" to twenty
after) and the rest closed — it measures:

* ``today(db, now)`` for every specialist and for one specialist: median and p95 of ``--runs``;
* ``company_file(db, key)`` for the company with the most requests (by name) and for
  ``--companies`` random companies (half by credit code, half by name): median, p95 and max.

"now" is the generated database's own (its newest request). Targets: the company file p95 under
50 ms (issue 14 §1); Today under 50 ms too (it is the page the program opens on). The floor
printed beside them (a session reading 50 requests and their companies by primary key) shows
how busy the machine was.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import copy_database, database  # noqa: E402
from benchmarks.results import add_result_argument, machine_line, verdict, write_result  # noqa: E402

TARGET_MS = 50.0
CONTACTS = 6_000
OPEN_CALLBACKS = 2_000


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()  # warm the page cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def add_followup(path: Path, now: datetime, seed: int = 14) -> None:
    """Contacts and callbacks as services/followup.py writes them, in raw SQL (fast)."""
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM requests")]
        chosen = rng.sample(ids, CONTACTS)
        naive_now = now.astimezone(UTC).replace(tzinfo=None)
        events, callbacks = [], []
        for n, request_id in enumerate(chosen):
            event_uuid = str(uuid.UUID(int=rng.getrandbits(128)))
            at = naive_now - timedelta(days=rng.uniform(0, 60))
            specialist = rng.choice(("李敏", "王芳", "陈思远", "周婷"))
            data: dict[str, Any] = {"channel": rng.choice(("phone", "visit", "message")), "summary": "已电话联系企业"}
            if n < OPEN_CALLBACKS * 2:
                due = (now + timedelta(days=rng.randint(-10, 20))).astimezone(UTC).date().isoformat()
                data["callback_on"] = due
                done = None if n < OPEN_CALLBACKS else at + timedelta(days=1)
                callbacks.append((request_id, event_uuid, due, specialist, at, done, specialist if done else None))
            events.append((event_uuid, request_id, "contact", specialist, "station", at,
                           json.dumps(data, ensure_ascii=False), "synced"))
        con.executemany("INSERT INTO request_events (uuid, request_id, kind, actor, origin, occurred_at, data, "
                        "sync_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", events)
        con.executemany("INSERT INTO callbacks (request_id, event_uuid, due_on, specialist, planned_at, done_at, "
                        "done_by) VALUES (?, ?, ?, ?, ?, ?, ?)", callbacks)
        con.commit()
        con.execute("ANALYZE")
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, help="a generated database to copy (default: benchmarks/generate.py)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--companies", type=int, default=100)
    add_result_argument(parser)
    args = parser.parse_args(argv)

    from xuhui_desk.db import open_database
    from xuhui_desk.services.company_file import company_file
    from xuhui_desk.services.today import today

    source = args.source or database()
    with tempfile.TemporaryDirectory(prefix="xuhui-today-") as tmp:
        path = copy_database(source, Path(tmp) / "xuhui_desk.db")
        started = time.perf_counter()
        open_database(path).close()  # migrates an older generated file (0010 adds the follow-up tables)
        migrate_s = time.perf_counter() - started
        con = sqlite3.connect(path)
        newest = con.execute("SELECT max(created_at) FROM requests").fetchone()[0]
        requests = con.execute("SELECT count(*) FROM requests").fetchone()[0]
        top = con.execute("SELECT e.name, count(*) AS n FROM requests r JOIN enterprises e ON e.id = r.enterprise_id "
                          "GROUP BY e.id ORDER BY n DESC LIMIT 1").fetchone()
        rng = random.Random(7)
        companies = con.execute("SELECT name, uscc FROM enterprises").fetchall()
        con.close()
        now = datetime.fromisoformat(str(newest)).replace(tzinfo=UTC) + timedelta(minutes=1)
        add_followup(path, now)

        db = open_database(path)
        try:
            every = timed(lambda: today(db, now), args.runs)
            one = timed(lambda: today(db, now, "王芳"), args.runs)
            counts = today(db, now).counts()
            top_times = timed(lambda: company_file(db, top[0]), args.runs)
            picks = rng.sample(companies, min(args.companies, len(companies)))
            keys = [uscc if i % 2 and uscc else name for i, (name, uscc) in enumerate(picks)]
            random_times = [timed(lambda k=key: company_file(db, k), 1)[0] for key in keys]
            # The floor, measured alongside: a session reading 50 requests with their company by primary key.
            from sqlalchemy import select

            from xuhui_desk.models import Enterprise, Request

            def floor_read() -> None:
                with db.session() as s:
                    s.execute(select(Request.uuid, Request.tracking_no, Enterprise.name)
                              .join(Enterprise, Enterprise.id == Request.enterprise_id)
                              .where(Request.id.in_(range(1000, 1050)))).all()

            floor = timed(floor_read, args.runs)
        finally:
            db.close()

    print(machine_line())
    print(f"database: {requests:,} requests; now {now.isoformat(timespec='minutes')}; migration to head "
          f"{migrate_s:.1f} s; +{CONTACTS:,} contacts, {OPEN_CALLBACKS:,} open callbacks")
    print(f"today counts: {counts}")
    rows = [("today (every specialist)", every), ("today (one specialist)", one),
            (f"company file, busiest company ({top[1]} requests, by name)", top_times),
            (f"company file, {len(keys)} random companies (code or name)", random_times)]
    for label, values in rows:
        print(f"{label:<58} median {statistics.median(values):7.2f} ms   p95 {p95(values):7.2f} ms   "
              f"max {max(values):7.2f} ms")
    print(f"{'floor: a session reading 50 requests by primary key':<58} median {statistics.median(floor):7.2f} ms")
    worst_company = max(p95(top_times), p95(random_times))
    worst_today = max(p95(every), p95(one))
    print(f"worst p95: today {worst_today:.2f} ms ({verdict(worst_today <= TARGET_MS)}, target ≤ {TARGET_MS:.0f} ms); "
          f"company file {worst_company:.2f} ms ({verdict(worst_company <= TARGET_MS)}, target ≤ {TARGET_MS:.0f} ms)")
    write_result(args.result_json, name="today", figure="Today lists and company file, 200k DB: worst p95",
                 value=round(max(worst_today, worst_company), 2), unit="ms", target=f"p95 ≤ {TARGET_MS:.0f} ms",
                 met=max(worst_today, worst_company) <= TARGET_MS,
                 floor=round(statistics.median(floor), 2),
                 ratio=round(max(worst_today, worst_company) / max(statistics.median(floor), 0.01), 1),
                 details={"today_p95_ms": round(worst_today, 2), "company_file_p95_ms": round(worst_company, 2)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
