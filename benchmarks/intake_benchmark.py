"""Intake save latency on the 200,000-request database, against a raw sqlite3 insert of the same row.

    .venv/bin/python benchmarks/intake_benchmark.py [--saves 300]

Measures ``create_request`` — validate, route (the router's suggestion when the specialist chose
no category), match or add the enterprise, number the request, insert it with its ``created``
timeline event, the full-text and bigram indexes (triggers), the sync state that queues it for
the hub, commit — on a copy of the generated database (``benchmarks/generate.py``), ``--saves``
saves after 20 warm-up saves: 70 % from companies already in the directory, 30 % new ones; half
with a category chosen, half routed. Reported: p50, p95 and the slowest save. The series below take
turns in blocks of 25 saves, each on its own connection, so that a busy moment of a shared disk
falls on all of them alike.

Floor, measured in the same run on the same file: a raw ``sqlite3`` insert of the same request
row in its own transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, the schema's triggers fire), with
the program's pragmas (WAL, ``synchronous=FULL``); for reference also the same writes intake
makes (sequence, request, event) as raw SQL in one transaction. Both sides are measured again with
``synchronous=NORMAL`` to show what FULL costs (one fsync of the WAL per save).

Target: p95 ≤ 5 ms with the program's own pragmas.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import (  # noqa: E402
    BRANDS,
    FORMS,
    PARKS,
    TRADES,
    copy_database,
    database,
    describe,
    make_phone,
    make_uscc,
)
from benchmarks.results import (  # noqa: E402
    add_result_argument,
    machine_line,
    percentile,
    verdict,
    write_result,
)

TARGET_P95_MS = 5.0
WARM_UP = 20
BLOCK = 25


@dataclass
class Timings:
    label: str
    ms: list[float]

    @property
    def p50(self) -> float:
        return percentile(self.ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.ms, 95)

    def line(self) -> str:
        return (f"{self.label:<58} p50 {self.p50:6.2f}  p95 {self.p95:6.2f}  max {max(self.ms):6.2f} ms  "
                f"(n={len(self.ms)})")


def intake_inputs(path: Path, count: int, seed: int = 11) -> list[Any]:
    """What ``count`` specialists typed: companies known and new, categories chosen or left to the router."""
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput

    rng = random.Random(seed)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    known = con.execute("SELECT name, coalesce(uscc, ''), contact_name, phone, park FROM enterprises").fetchall()
    taken = {row[1] for row in known}
    con.close()
    categories = ["finance", "talent", "legal", "credit", "policy", "space", "permit", "other"]
    inputs = []
    for i in range(count):
        if rng.random() < 0.7:
            name, uscc, contact, phone, park = rng.choice(known)
        else:
            name = f"上海{rng.choice(BRANDS)}{rng.choice(BRANDS)}{rng.choice(TRADES)}{i}号{rng.choice(FORMS)}"
            uscc, contact, phone, park = make_uscc(rng, taken), "张先生", make_phone(rng), rng.choice(PARKS)
        category = rng.choice(categories)
        _sub, text = describe(rng, category)
        inputs.append(IntakeInput(
            enterprise=EnterpriseInput(name=name, uscc=uscc, contact_name=contact, phone=phone, park=park),
            description=text, category=category if rng.random() < 0.5 else None,
            channel=rng.choice(("walk_in", "walk_in", "phone", "visit")),
            urgency="urgent" if rng.random() < 0.08 else "normal"))
    return inputs


def open_with(path: Path, synchronous: str) -> Any:
    """The program's Database on ``path``, its pragmas as the program sets them, then ``synchronous``."""
    from sqlalchemy import event

    from xuhui_desk.db import Database, make_engine

    engine = make_engine(path)
    if synchronous != "FULL":
        # Runs after the program's own "connect" listener (listeners run in the order added).
        event.listen(engine, "connect", lambda con, _record: con.execute(f"PRAGMA synchronous={synchronous}"))
    db = Database(path, engine)
    with engine.connect() as con:
        actual = con.exec_driver_sql("PRAGMA synchronous").scalar()
    assert actual == {"FULL": 2, "NORMAL": 1}[synchronous], actual
    return db


class IntakeSaver:
    """Saves through the program: ``create_request`` on its own ``Database``."""

    def __init__(self, path: Path, synchronous: str) -> None:
        self.db = open_with(path, synchronous)
        self.label = f"create_request (synchronous={synchronous})"

    def save(self, data: Any, _index: int) -> float:
        from xuhui_desk.services.intake import create_request

        started = time.perf_counter()
        create_request(self.db, data)
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.db.close()


def time_steps(inputs: list[Any]) -> list[Timings]:
    """The pure-Python steps of a save on their own: validation and the router's suggestion."""
    from xuhui_desk.services import assignment
    from xuhui_desk.services.intake import validate

    validate_ms, route_ms = [], []
    for i, data in enumerate(inputs):
        started = time.perf_counter()
        cleaned, _issues = validate(data)
        middle = time.perf_counter()
        assignment.suggest(cleaned.description, cleaned.enterprise.name)
        ended = time.perf_counter()
        if i >= WARM_UP:
            validate_ms.append((middle - started) * 1000)
            route_ms.append((ended - middle) * 1000)
    return [Timings("  of which validation (validate)", validate_ms),
            Timings("  of which the router's suggestion (assignment.suggest)", route_ms)]


_REQUEST_SQL = (
    "INSERT INTO requests(uuid, tracking_no, enterprise_id, channel, category, subcategory, department, description,"
    " urgency, status, sla_due_at, specialist, created_at, updated_at, suggested_category, revision, sync_state)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
_EVENT_SQL = ("INSERT INTO request_events(uuid, request_id, kind, actor, origin, occurred_at, data, sync_state)"
              " VALUES (?,?,?,?,?,?,?,?)")
_SEQUENCE_SQL = ("INSERT INTO daily_sequences(station_code, day, last) VALUES ('XH03', ?, 1) "
                 "ON CONFLICT(station_code, day) DO UPDATE SET last = last + 1 RETURNING last")


class RawSaver:
    """Raw sqlite3 with the program's pragmas: the request row alone, or all of intake's writes."""

    def __init__(self, path: Path, synchronous: str, *, full_intake: bool) -> None:
        self.con = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=15000", f"synchronous={synchronous}"):
            self.con.execute(f"PRAGMA {pragma}")
        self.enterprise_ids = [row[0] for row in self.con.execute(
            "SELECT id FROM enterprises ORDER BY random() LIMIT 500")]
        self.rng = random.Random(5)
        self.full_intake = full_intake
        self.day = f"R{synchronous[0]}{int(full_intake)}"  # a sequence of its own, never a real day
        what = "sequence + request + event" if full_intake else "the request row (floor)"
        self.label = f"raw sqlite3: {what} (synchronous={synchronous})"

    def save(self, data: Any, index: int) -> float:
        con = self.con
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        category = data.category or "policy"
        row = (str(uuid.uuid4()), f"XH03-RAW{self.day}-{index:05d}", self.rng.choice(self.enterprise_ids),
               data.channel, category, None, "policy_service", data.description, data.urgency, "new", now, "李敏", now,
               now, category, 1, "pending")
        event = (str(uuid.uuid4()), 0, "created", "李敏", "station", now,
                 json.dumps({"category": category, "status": "new"}), "pending")
        started = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        if self.full_intake:
            con.execute(_SEQUENCE_SQL, (self.day,)).fetchone()
        request_id = con.execute(_REQUEST_SQL, row).lastrowid
        if self.full_intake:
            con.execute(_EVENT_SQL, (event[0], request_id, *event[2:]))
        con.execute("COMMIT")
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.con.close()


def measure(savers: dict[str, Any], inputs: dict[str, list[Any]], saves: int) -> dict[str, Timings]:
    """Every saver saves its inputs, the series taking turns in blocks of :data:`BLOCK` saves, so that
    all see the same moments of a busy disk. Each saver's first :data:`WARM_UP` saves are not
    counted, nor the first save of each block (it re-reads the pages the other connections changed
    meanwhile, which one program writing alone never has to)."""
    ms: dict[str, list[float]] = {key: [] for key in savers}
    for key, saver in savers.items():
        for i in range(WARM_UP):
            saver.save(inputs[key][i], i)
    for start in range(WARM_UP, WARM_UP + saves, BLOCK):
        for key, saver in savers.items():
            for i in range(start, min(start + BLOCK, WARM_UP + saves)):
                elapsed = saver.save(inputs[key][i], i)
                if i > start:
                    ms[key].append(elapsed)
    return {key: Timings(saver.label, ms[key]) for key, saver in savers.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saves", type=int, default=300, help="measured saves per series (after 20 warm-up)")
    parser.add_argument("--db", type=Path, help="database to copy (default: the generated 200,000 requests)")
    add_result_argument(parser)
    args = parser.parse_args(argv)

    source = args.db or database()
    with tempfile.TemporaryDirectory(prefix="xuhui-intake-bench-") as tmp:
        path = copy_database(source, Path(tmp) / "xuhui_desk.db")
        inputs = intake_inputs(path, args.saves + WARM_UP)
        other = intake_inputs(path, args.saves + WARM_UP, seed=12)
        savers = {
            "intake_full": IntakeSaver(path, "FULL"),
            "raw_full": RawSaver(path, "FULL", full_intake=False),
            "raw_intake_full": RawSaver(path, "FULL", full_intake=True),
            "intake_normal": IntakeSaver(path, "NORMAL"),
            "raw_normal": RawSaver(path, "NORMAL", full_intake=False),
        }
        try:
            series = measure(savers, {key: other if key == "intake_normal" else inputs for key in savers},
                             args.saves)
        finally:
            for saver in savers.values():
                saver.close()
        steps = time_steps(inputs)

    full, floor, normal = series["intake_full"], series["raw_full"], series["raw_normal"]
    met = full.p95 <= TARGET_P95_MS
    ratio = full.p95 / floor.p95
    lines = [
        series["intake_full"].line(),
        *(s.line() for s in steps),
        series["raw_full"].line(),
        series["raw_intake_full"].line(),
        series["intake_normal"].line(),
        series["raw_normal"].line(),
        f"p95 ratio to the floor (FULL): {ratio:.2f}×; what FULL costs: intake p95 "
        f"{full.p95 - series['intake_normal'].p95:+.2f} ms, raw insert p95 {floor.p95 - normal.p95:+.2f} ms",
        f"intake save p95 {full.p95:.2f} ms (target ≤ {TARGET_P95_MS:g} ms: {verdict(met)})",
    ]
    print("\n".join(lines))
    print(f"machine: {machine_line()}")
    details = {key: {"p50": round(t.p50, 3), "p95": round(t.p95, 3), "max": round(max(t.ms), 3), "n": len(t.ms)}
               for key, t in series.items()}
    details.update({"validate_p95": round(steps[0].p95, 3), "route_p95": round(steps[1].p95, 3)})
    write_result(args.result_json, name="intake", figure="intake save p95 (create_request, synchronous=FULL)",
                 value=round(full.p95, 2), unit="ms", floor=round(floor.p95, 2), ratio=round(ratio, 2),
                 target=f"p95 ≤ {TARGET_P95_MS:g} ms", met=met, lines=lines, details=details)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
