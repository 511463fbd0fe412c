"""Intake save latency on the 200,000-request database, against raw SQL of the same writes.

    .venv/bin/python benchmarks/intake_benchmark.py [--saves 300]

Measures ``create_request`` — validate, route (the router's suggestion when the specialist chose
no category), match or add the enterprise, number the request, insert it with its ``created``
timeline event, the full-text and bigram indexes (triggers), the sync state that queues it for
the hub, commit — on a copy of the generated database (``benchmarks/generate.py``), ``--saves``
saves after 20 warm-up saves: 70 % from companies already in the directory, 30 % new ones; half
with a category chosen, half routed. Reported: p50, p95 and the slowest save. The series below take
turns in blocks of 25 saves, each on its own connection, so that a busy moment of a shared disk
falls on all of them alike.

Floor, measured in the same run on the same file: the same writes as raw ``sqlite3`` statements
in one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, the schema's triggers fire), with the
program's pragmas (WAL, ``synchronous=FULL``) — the station's code and default specialist read,
the enterprise looked up by credit code (by name without one), updated when its details changed or
added, the day's sequence bumped, the request and its ``created`` event inserted — with every
parameter (uuids, times, the pinyin sort key, the JSON) prepared before the clock starts: what
SQLite itself costs for this save. The floor's saves use companies of their own (another seed),
so that neither side finds the other's new companies. For reference also the request row alone
in its own transaction (the floor before 2026-12), and both sides again with
``synchronous=NORMAL`` to show what FULL costs (one fsync of the WAL per save).

Target (issue 13): p95 ≤ 2.5× the floor of the same writes, measured in the same run; also shown
against the absolute 5 ms of the first target.
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
from dataclasses import dataclass, field
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
TARGET_RATIO = 2.5
WARM_UP = 20
BLOCK = 25


@dataclass
class Timings:
    label: str
    ms: list[float]
    #: CPU time of the saving thread per save (``time.thread_time``), over the same span as ``ms``.
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.ms, 95)

    def line(self) -> str:
        return (f"{self.label:<68} p50 {self.p50:6.2f}  p95 {self.p95:6.2f}  max {max(self.ms):6.2f} ms  "
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

    from xuhui_desk.db import SqliteDatabase, make_engine

    engine = make_engine(path)
    if synchronous != "FULL":
        # Runs after the program's own "connect" listener (listeners run in the order added).
        event.listen(engine, "connect", lambda con, _record: con.execute(f"PRAGMA synchronous={synchronous}"))
    db = SqliteDatabase(path, engine)
    with engine.connect() as con:
        actual = con.exec_driver_sql("PRAGMA synchronous").scalar()
    assert actual == {"FULL": 2, "NORMAL": 1}[synchronous], actual
    return db


class IntakeSaver:
    """Saves through the program: ``create_request`` on its own ``Database``."""

    def __init__(self, path: Path, synchronous: str) -> None:
        self.db = open_with(path, synchronous)
        self.label = f"create_request (synchronous={synchronous})"
        self.cpu_ms = 0.0

    def save(self, data: Any, _index: int) -> float:
        from xuhui_desk.services.intake import create_request

        cpu, started = time.thread_time(), time.perf_counter()
        create_request(self.db, data)
        ended = time.perf_counter()
        self.cpu_ms = (time.thread_time() - cpu) * 1000
        return (ended - started) * 1000

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
    " urgency, status, sla_due_at, sla_provisional, specialist, created_at, updated_at, suggested_category,"
    " linked_request_uuid, revision, sync_state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
_EVENT_SQL = ("INSERT INTO request_events(uuid, request_id, kind, actor, origin, occurred_at, data, sync_state)"
              " VALUES (?,?,?,?,?,?,?,?)")
_SEQUENCE_SQL = ("INSERT INTO daily_sequences(station_code, day, last) VALUES (?, ?, 1) "
                 "ON CONFLICT(station_code, day) DO UPDATE SET last = last + 1 RETURNING last")
_STATION_SQL = ("SELECT (SELECT code FROM station LIMIT 1), "
                "(SELECT value FROM settings WHERE key = 'specialist')")
_ENTERPRISE_BY_USCC = "SELECT id, contact_name, phone, park, building FROM enterprises WHERE uscc = ? LIMIT 1"
_ENTERPRISE_BY_KEY = "SELECT id, contact_name, phone, park, building FROM enterprises WHERE name_key = ? LIMIT 1"
_ENTERPRISE_INSERT = (
    "INSERT INTO enterprises(uuid, name, name_key, name_sort, uscc, contact_name, phone, park, building,"
    " first_seen_at, updated_at, revision, sync_state) VALUES (?,?,?,?,?,?,?,?,?,?,?,1,'pending')")


class RawSaver:
    """Raw sqlite3 with the program's pragmas: all of intake's writes (the floor), or the request row alone."""

    def __init__(self, path: Path, synchronous: str, *, full_intake: bool) -> None:
        self.con = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=15000", f"synchronous={synchronous}"):
            self.con.execute(f"PRAGMA {pragma}")
        self.enterprise_ids = [row[0] for row in self.con.execute(
            "SELECT id FROM enterprises ORDER BY random() LIMIT 500")]
        self.rng = random.Random(5)
        self.full_intake = full_intake
        self.cpu_ms = 0.0
        self.day = f"R{synchronous[0]}{int(full_intake)}"  # a sequence of its own, never a real day
        what = "the same writes as intake (floor)" if full_intake else "the request row alone"
        self.label = f"raw sqlite3: {what} (synchronous={synchronous})"

    def save(self, data: Any, index: int) -> float:
        return self._same_writes(data, index) if self.full_intake else self._request_row(data, index)

    def _request_row(self, data: Any, index: int) -> float:
        con = self.con
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        category = data.category or "policy"
        row = (str(uuid.uuid4()), f"XH03-RAW{self.day}-{index:05d}", self.rng.choice(self.enterprise_ids),
               data.channel, category, None, "policy_service", data.description, data.urgency, "new", now, 0, "李敏",
               now, now, category, None, 1, "pending")
        cpu, started = time.thread_time(), time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute(_REQUEST_SQL, row)
        con.execute("COMMIT")
        ended = time.perf_counter()
        self.cpu_ms = (time.thread_time() - cpu) * 1000
        return (ended - started) * 1000

    def _same_writes(self, data: Any, index: int) -> float:
        from xuhui_desk.services.pinyin_order import pinyin_sort_key
        from xuhui_desk.validation import name_key

        con = self.con
        ent = data.enterprise
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        key, sort_key = name_key(ent.name), pinyin_sort_key(ent.name)
        category = data.category or "policy"
        new_enterprise = (str(uuid.uuid4()), ent.name, key, sort_key, ent.uscc or None, ent.contact_name, ent.phone,
                          ent.park, ent.building, now, now)
        event_uuid, request_uuid = str(uuid.uuid4()), str(uuid.uuid4())
        event_data = json.dumps({"category": category, "department": "policy_service", "channel": data.channel,
                                 "suggested_category": category, "status": "new"})
        cpu, started = time.thread_time(), time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        _code, specialist = con.execute(_STATION_SQL).fetchone()
        found = (con.execute(_ENTERPRISE_BY_USCC, (ent.uscc,)) if ent.uscc else
                 con.execute(_ENTERPRISE_BY_KEY, (key,))).fetchone()
        if found is None:
            enterprise_id = con.execute(_ENTERPRISE_INSERT, new_enterprise).lastrowid
        else:
            enterprise_id = found[0]
            if (ent.contact_name, ent.phone, ent.park) != found[1:4]:
                con.execute("UPDATE enterprises SET contact_name = ?, phone = ?, park = ?, updated_at = ?,"
                            " revision = revision + 1, sync_state = 'pending' WHERE id = ?",
                            (ent.contact_name, ent.phone, ent.park, now, enterprise_id))
        seq = con.execute(_SEQUENCE_SQL, ("XH03", self.day)).fetchone()[0]
        request_id = con.execute(_REQUEST_SQL, (
            request_uuid, f"XH03-{self.day}-{seq:05d}", enterprise_id, data.channel, category, None, "policy_service",
            data.description, data.urgency, "new", now, 0, specialist or "", now, now, category, None, 1,
            "pending")).lastrowid
        con.execute(_EVENT_SQL, (event_uuid, request_id, "created", specialist or "", "station", now, event_data,
                                 "pending"))
        con.execute("COMMIT")
        ended = time.perf_counter()
        self.cpu_ms = (time.thread_time() - cpu) * 1000
        return (ended - started) * 1000

    def close(self) -> None:
        self.con.close()


def measure(savers: dict[str, Any], inputs: dict[str, list[Any]], saves: int) -> dict[str, Timings]:
    """Every saver saves its inputs, the series taking turns in blocks of :data:`BLOCK` saves, so that
    all see the same moments of a busy disk. Each saver's first :data:`WARM_UP` saves are not
    counted, nor the first save of each block (it re-reads the pages the other connections changed
    meanwhile, which one program writing alone never has to)."""
    ms: dict[str, list[float]] = {key: [] for key in savers}
    cpu: dict[str, list[float]] = {key: [] for key in savers}
    for key, saver in savers.items():
        for i in range(WARM_UP):
            saver.save(inputs[key][i], i)
    for start in range(WARM_UP, WARM_UP + saves, BLOCK):
        for key, saver in savers.items():
            for i in range(start, min(start + BLOCK, WARM_UP + saves)):
                elapsed = saver.save(inputs[key][i], i)
                if i > start:
                    ms[key].append(elapsed)
                    cpu[key].append(saver.cpu_ms)
    return {key: Timings(saver.label, ms[key], cpu[key]) for key, saver in savers.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saves", type=int, default=300, help="measured saves per series (after 20 warm-up)")
    parser.add_argument("--db", type=Path, help="database to copy (default: the generated 200,000 requests)")
    add_result_argument(parser)
    args = parser.parse_args(argv)

    source = args.db or database()
    with tempfile.TemporaryDirectory(prefix="xuhui-intake-bench-") as tmp:
        path = copy_database(source, Path(tmp) / "xuhui_desk.db")
        # Each series that adds companies has its own (seeded) inputs: none finds another's new companies.
        inputs = {seed: intake_inputs(path, args.saves + WARM_UP, seed=seed) for seed in (11, 12, 13, 14)}
        savers = {
            "intake_full": IntakeSaver(path, "FULL"),
            "raw_full": RawSaver(path, "FULL", full_intake=True),
            "raw_row_full": RawSaver(path, "FULL", full_intake=False),
            "intake_normal": IntakeSaver(path, "NORMAL"),
            "raw_normal": RawSaver(path, "NORMAL", full_intake=True),
        }
        seeds = {"intake_full": 11, "raw_full": 13, "raw_row_full": 11, "intake_normal": 12, "raw_normal": 14}
        try:
            series = measure(savers, {key: inputs[seeds[key]] for key in savers}, args.saves)
        finally:
            for saver in savers.values():
                saver.close()
        steps = time_steps(inputs[11])

    full, floor, normal = series["intake_full"], series["raw_full"], series["raw_normal"]
    ratio = full.p95 / floor.p95
    met = ratio <= TARGET_RATIO
    cpu_full, cpu_floor = percentile(full.cpu_ms, 50), percentile(floor.cpu_ms, 50)
    lines = [
        series["intake_full"].line(),
        *(s.line() for s in steps),
        series["raw_full"].line(),
        series["raw_row_full"].line(),
        series["intake_normal"].line(),
        series["raw_normal"].line(),
        f"ratio to the floor of the same writes (FULL): p95 {ratio:.2f}×, p50 {full.p50 / floor.p50:.2f}×; "
        f"(NORMAL): p95 {series['intake_normal'].p95 / normal.p95:.2f}×; to the request row alone (FULL): "
        f"p95 {full.p95 / series['raw_row_full'].p95:.2f}×",
        f"CPU per save (the saving thread, median; load moves it least): intake {cpu_full:.2f} ms, "
        f"floor {cpu_floor:.2f} ms ({cpu_full / cpu_floor:.2f}×)",
        f"what FULL costs: intake p95 {full.p95 - series['intake_normal'].p95:+.2f} ms, "
        f"floor p95 {floor.p95 - normal.p95:+.2f} ms",
        f"intake save p95 {full.p95:.2f} ms = {ratio:.2f}× the floor (target ≤ {TARGET_RATIO:g}×: {verdict(met)}; "
        f"≤ {TARGET_P95_MS:g} ms: {verdict(full.p95 <= TARGET_P95_MS)})",
    ]
    print("\n".join(lines))
    print(f"machine: {machine_line()}")
    details = {key: {"p50": round(t.p50, 3), "p95": round(t.p95, 3), "max": round(max(t.ms), 3), "n": len(t.ms)}
               for key, t in series.items()}
    details.update({"validate_p95": round(steps[0].p95, 3), "route_p95": round(steps[1].p95, 3),
                    "cpu_p50_ms": round(cpu_full, 3), "floor_cpu_p50_ms": round(cpu_floor, 3)})
    write_result(args.result_json, name="intake", figure="intake save p95 (create_request, synchronous=FULL)",
                 value=round(full.p95, 2), unit="ms", floor=round(floor.p95, 2), ratio=round(ratio, 2),
                 target=f"p95 ≤ {TARGET_RATIO:g}× the same writes in raw SQL", met=met, lines=lines,
                 details=details)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
