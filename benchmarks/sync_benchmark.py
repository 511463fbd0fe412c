"""Sync push of 10,000 pending requests to a hub on 127.0.0.1, end to end through the real engine.

    .venv/bin/python benchmarks/sync_benchmark.py [--requests 10000]

The station is a copy of the generated 200,000-request database (``benchmarks/generate.py``); the
hub is ``xuhui-hub serve`` (uvicorn) in its own process on 127.0.0.1 with an SQLite database,
the station registered with ``xuhui-hub station add``. A first round (timed, reported apart)
sends the station's 5,000 enterprises, as after the station's first set-up. Then the newest
``--requests`` requests and their station-made timeline events are marked never synced — a
station that was offline for a busy week — and one round of
:func:`xuhui_desk.services.sync.run_sync` is timed: health check, the push in bounded gzip
batches with the outbox bookkeeping on both sides, the pull of the change feed. The figure is
records per second over that whole round — a record as the protocol counts them in a batch
(``sync_batches.record_count``): the requests and their timeline events — with requests per second
beside it.

The floor, measured in the same run: the same rows (the hub's ``requests`` and ``events`` rows
that the round created, read back) inserted with raw ``sqlite3`` ``executemany`` in one
transaction into a copy of the hub's database as it was before the round, with the hub's
pragmas (WAL, ``synchronous=FULL``) — the best of three tries, each into a fresh copy (a busy
machine slows a short burst more than a long round; the best try is the honest floor).

Targets: end to end at least 1/15 of the floor's rate, i.e. the round takes at most 15× the
floor's time (issue 13; it took 50–70× before the pipelined push and the hub's Core inserts);
and at least 2,000 records per second.
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import copy_database, database  # noqa: E402
from benchmarks.results import add_result_argument, machine_line, verdict, write_result  # noqa: E402

TARGET_PER_S = 2000.0
#: The round may take at most this many times the floor's time (issue 13).
TARGET_RATIO = 15.0
FLOOR_TRIES = 3
STATION = "XH03"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hub_command(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "xuhui-hub"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "import sys; from xuhui_desk.hub.cli import main; sys.exit(main())", *args]


class Hub:
    """``xuhui-hub serve`` in a child process on a free port."""

    def __init__(self, database_url: str) -> None:
        self.env = {**os.environ, "XUHUI_HUB_DATABASE_URL": database_url}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def add_station(self, code: str) -> str:
        out = subprocess.run(hub_command("station", "add", code, "--rotate"), env=self.env, capture_output=True,
                             text=True, check=True, timeout=120)
        return out.stdout.strip().splitlines()[-1]

    def start(self) -> Hub:
        import httpx

        self.proc = subprocess.Popen(
            hub_command("serve", "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"),
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the hub did not start within 60 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux ``/proc``; None elsewhere). On a shared
    machine the CPU each side spends says more about the code than the wall time does."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mark(path: Path, sql: list[str]) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        for statement in sql:
            con.execute(statement)
        con.execute("COMMIT")
    finally:
        con.close()


def timed_round(db: Any, url: str, token: str, options: Any = None) -> tuple[Any, float, dict[str, float]]:
    from xuhui_desk.services.sync import SyncProgress, run_sync

    phases: dict[str, float] = {}
    started = time.perf_counter()

    def progress(p: SyncProgress) -> None:
        phases.setdefault(p.phase, time.perf_counter() - started)

    summary = run_sync(db, url=url, token=token, progress=progress, options=options)
    return summary, time.perf_counter() - started, phases


def snapshot(url_path: Path, dest: Path) -> None:
    """A consistent copy of the live hub database (SQLite's online backup)."""
    src = sqlite3.connect(f"file:{url_path}?mode=ro", uri=True)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def floor_insert(hub_db: Path, floor_db: Path, requests_after: int, events_after: int) -> tuple[float, int]:
    """Raw executemany of the round's hub rows into the hub database as it was before the round
    (the best of FLOOR_TRIES, each into a fresh copy of ``floor_db``)."""
    times = []
    for attempt in range(FLOOR_TRIES):
        target = floor_db.with_name(f"{floor_db.stem}-{attempt}{floor_db.suffix}")
        snapshot(floor_db, target)
        elapsed, rows = _floor_once(hub_db, target, requests_after, events_after)
        times.append(elapsed)
    return min(times), rows


def _floor_once(hub_db: Path, floor_db: Path, requests_after: int, events_after: int) -> tuple[float, int]:
    src = sqlite3.connect(f"file:{hub_db}?mode=ro", uri=True)
    try:
        tables = {}
        for table, after in (("requests", requests_after), ("events", events_after)):
            cursor = src.execute(f"SELECT * FROM {table} WHERE id > ? ORDER BY id", (after,))
            columns = [d[0] for d in cursor.description]
            tables[table] = (columns, cursor.fetchall())
    finally:
        src.close()
    con = sqlite3.connect(floor_db, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=FULL"):
            con.execute(f"PRAGMA {pragma}")
        started = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        for table, (columns, rows) in tables.items():
            con.executemany(f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                            rows)
        con.execute("COMMIT")
        elapsed = time.perf_counter() - started
    finally:
        con.close()
    return elapsed, sum(len(rows) for _c, rows in tables.values())


def _spent(before: float | None, after: float | None) -> str:
    return f"{after - before:.2f} s" if before is not None and after is not None else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10_000, help="pending requests to push")
    parser.add_argument("--db", type=Path, help="station database to copy (default: the generated 200,000)")
    parser.add_argument("--batch-records", type=int,
                        help="records per batch for the timed round (default: the engine's own, SyncOptions)")
    add_result_argument(parser)
    args = parser.parse_args(argv)

    from xuhui_desk.db import open_database
    from xuhui_desk.services.sync import SyncOptions

    options = SyncOptions()
    if args.batch_records:
        options.batch_records = args.batch_records
        options.batch_bytes = max(options.batch_bytes, args.batch_records * 2048)

    source = args.db or database()
    with tempfile.TemporaryDirectory(prefix="xuhui-sync-bench-") as tmp:
        folder = Path(tmp)
        station_path = copy_database(source, folder / "station" / "xuhui_desk.db")
        hub_path = folder / "hub" / "hub.db"
        hub = Hub(f"sqlite:///{hub_path}")
        token = hub.add_station(STATION)
        # Round 1: the directory (every enterprise pending, every request and event already synced).
        mark(station_path, [
            "UPDATE enterprises SET sync_state = 'pending', synced_revision = NULL",
            "UPDATE requests SET sync_state = 'synced', synced_revision = revision, sync_error = NULL "
            "WHERE sync_state != 'synced'",
            "UPDATE request_events SET sync_state = 'synced' WHERE sync_state != 'synced'",
        ])
        hub.start()
        try:
            db = open_database(station_path)
            try:
                first, first_s, _ = timed_round(db, hub.url, token)
                if not first.ok:
                    raise RuntimeError(f"the first round failed: {first.error}")
                db.close()
                # Round 2: the newest requests and the timeline events made here, never synced.
                mark(station_path, [
                    f"UPDATE requests SET sync_state = 'pending', synced_revision = NULL WHERE id > "
                    f"(SELECT max(id) - {args.requests} FROM requests)",
                    f"UPDATE request_events SET sync_state = 'pending' WHERE origin = 'station' AND request_id > "
                    f"(SELECT max(id) - {args.requests} FROM requests)",
                ])
                con = sqlite3.connect(f"file:{station_path}?mode=ro", uri=True)
                pending_events = con.execute(
                    "SELECT count(*) FROM request_events WHERE sync_state = 'pending'").fetchone()[0]
                con.close()
                floor_path = folder / "floor.db"
                snapshot(hub_path, floor_path)
                hub_con = sqlite3.connect(f"file:{floor_path}?mode=ro", uri=True)
                requests_before = hub_con.execute("SELECT coalesce(max(id), 0) FROM requests").fetchone()[0]
                events_before = hub_con.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
                hub_con.close()
                db = open_database(station_path)
                assert hub.proc is not None
                cpu_before = (cpu_seconds(os.getpid()), cpu_seconds(hub.proc.pid))
                summary, elapsed, phases = timed_round(db, hub.url, token, options)
                cpu_after = (cpu_seconds(os.getpid()), cpu_seconds(hub.proc.pid))
            finally:
                db.close()
        finally:
            hub.stop()
        if not summary.ok:
            raise RuntimeError(f"the timed round failed: {summary.error}")
        floor_s, floor_rows = floor_insert(hub_path, floor_path, requests_before, events_before)

    records = summary.pushed + summary.duplicates
    per_s = args.requests / elapsed
    records_per_s = records / elapsed
    floor_per_s = floor_rows / floor_s
    # A "record" is what the protocol counts in a batch (sync_batches.record_count): requests,
    # timeline events and enterprises alike.
    ratio = elapsed / floor_s
    met = ratio <= TARGET_RATIO and records_per_s >= TARGET_PER_S
    push_s = phases.get("pulling", elapsed) - phases.get("pushing", 0.0)
    lines = [
        f"first round (the station's {first.pushed:,} enterprises): {first_s:.2f} s, {first.batches} batches",
        f"timed round: {args.requests:,} requests + {pending_events:,} timeline events pending; pushed {records:,} "
        f"records in {summary.batches} batches (at most {options.batch_records} records, "
        f"{options.batch_bytes // 1024} KiB), pulled {summary.pulled:,}, rejected {summary.rejected}",
        f"  end to end {elapsed:6.2f} s  (check {phases.get('pushing', 0):.2f} s, push {push_s:.2f} s, "
        f"pull and bookkeeping {elapsed - phases.get('pulling', elapsed):.2f} s)",
        f"  {records_per_s:8,.0f} records/s (requests and their events)   {per_s:8,.0f} requests/s",
        f"  CPU during the round: station {_spent(cpu_before[0], cpu_after[0])}, "
        f"hub {_spent(cpu_before[1], cpu_after[1])} (load average {os.getloadavg()[0]:.1f})",
        f"floor: raw executemany of the same {floor_rows:,} hub rows, one transaction: {floor_s:.3f} s "
        f"({floor_per_s:,.0f} rows/s, best of {FLOOR_TRIES})",
        f"ratio: end to end takes {ratio:.1f}× the floor's time — 1/{ratio:.1f} of its rate "
        f"(target ≤ {TARGET_RATIO:g}×: {verdict(ratio <= TARGET_RATIO)})",
        f"sync push {records_per_s:,.0f} records/s (target ≥ {TARGET_PER_S:,.0f}/s: "
        f"{verdict(records_per_s >= TARGET_PER_S)}); counted in requests alone {per_s:,.0f}/s "
        f"({verdict(per_s >= TARGET_PER_S)} if the target meant requests)",
    ]
    print("\n".join(lines))
    print(f"machine: {machine_line()}")
    write_result(args.result_json, name="sync", figure=f"sync push of {args.requests:,} pending requests "
                 f"(+{pending_events:,} events), end to end", value=round(records_per_s), unit="records/s",
                 floor=round(floor_per_s), ratio=round(ratio, 1),
                 target=f"≤ {TARGET_RATIO:g}× the floor's time and ≥ {TARGET_PER_S:,.0f} records/s", met=met,
                 lines=lines,
                 details={"elapsed_s": elapsed, "records": records, "requests_per_s": per_s,
                          "batches": summary.batches, "phases": phases, "floor_s": floor_s, "floor_rows": floor_rows,
                          "first_round_s": first_s})
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
