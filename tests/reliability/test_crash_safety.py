"""Crash safety: processes saving requests are SIGKILLed at random moments, again and again.

``crash_writer.py`` saves requests through the real intake service and prints each tracking
number only after the save returned. Two writers run at once on the same database (so kills
also land while one holds the write lock and the other waits for it); each is killed at a
random moment — sometimes during start-up, mostly in the middle of saving — and restarted on
the same file. Afterwards:

* every tracking number a writer reported saved is in the database, with the same uuid;
* no tracking number or uuid was ever handed out twice;
* at most one request per kill was saved without being reported (the kill fell between the
  commit and the print) — nothing else appeared;
* ``PRAGMA integrity_check`` and ``foreign_key_check`` pass, both full-text indexes agree
  with the requests table, every request has its ``created`` event, and the daily sequence
  is ahead of every number handed out;
* the program opens the database and keeps saving.

A second test kills the program while it upgrades an old database at start (backup, then
Alembic): the file is left either at its old revision or at the head — never in between —
with its data, and the next start finishes the upgrade.

The default run is bounded for CI (15 rounds of two writers); set ``XUHUI_CRASH_LOOPS=200``
for a long run and ``XUHUI_CRASH_SEED`` to replay one.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.reliability.support import fill_schema, health_problems, new_station_db, preserved, snapshot, upgrade

LOOPS = int(os.environ.get("XUHUI_CRASH_LOOPS", "15"))
SEED = os.environ.get("XUHUI_CRASH_SEED") or str(random.SystemRandom().randrange(10**9))
WRITERS = 2
WRITER_SCRIPT = Path(__file__).with_name("crash_writer.py")
FIRST_SAVE_TIMEOUT = 90.0


class Writer:
    """One crash_writer process and the lines it printed (complete lines only)."""

    def __init__(self, db_path: Path, tag: str, count: int = -1) -> None:
        self.tag = tag
        self.started = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, str(WRITER_SCRIPT), str(db_path), tag, str(count)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.saved: list[tuple[str, str]] = []
        self.first_save = threading.Event()
        self.killed = False
        self._stderr = b""
        self._out = threading.Thread(target=self._read_stdout, daemon=True)
        self._err = threading.Thread(target=self._read_stderr, daemon=True)
        self._out.start()
        self._err.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            if not raw.endswith(b"\n"):
                continue  # torn by the kill mid-write: not a report of a save
            tracking, uuid = raw.decode("utf-8").split()
            self.saved.append((tracking, uuid))
            self.first_save.set()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        self._stderr = self.proc.stderr.read()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.killed = True

    def finish(self, timeout: float = 120) -> None:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait(timeout=10)
            raise AssertionError(f"writer {self.tag} did not finish in {timeout} s") from None
        self._out.join(timeout=10)
        self._err.join(timeout=10)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()

    @property
    def stderr(self) -> str:
        return self._stderr.decode("utf-8", errors="replace")

    def assert_killed_not_failed(self) -> None:
        """The writer ended by our SIGKILL, not by an error of its own (a crash on restart, a lock timeout)."""
        assert self.proc.returncode == -signal.SIGKILL, (
            f"writer {self.tag} exited with {self.proc.returncode} before it was killed "
            f"(seed {SEED}):\n{self.stderr[-3000:]}")


def _kill_at_random(writer: Writer, rng: random.Random, failures: list[str]) -> None:
    if rng.random() < 0.2:
        # During start-up: imports, opening the database, WAL recovery after the last kill.
        time.sleep(rng.uniform(0.0, 1.2))
    else:
        if not writer.first_save.wait(FIRST_SAVE_TIMEOUT):
            failures.append(f"writer {writer.tag} saved nothing in {FIRST_SAVE_TIMEOUT} s:\n{writer.stderr[-2000:]}")
        time.sleep(rng.uniform(0.0, 0.5))
    writer.kill()


def _stored(path: Path) -> dict[str, str]:
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT tracking_no, uuid FROM requests").fetchall())
    finally:
        con.close()


@pytest.mark.slow
def test_killed_writers_lose_nothing_they_reported_saved(data_dir: Path) -> None:
    path = new_station_db(data_dir)
    rng = random.Random(SEED)
    reported: list[tuple[str, str]] = []
    kills = 0
    for round_no in range(LOOPS):
        writers = [Writer(path, f"s{SEED}r{round_no}w{k}") for k in range(WRITERS)]
        failures: list[str] = []
        killers = [threading.Thread(target=_kill_at_random, args=(w, random.Random(rng.random()), failures))
                   for w in writers]
        for t in killers:
            t.start()
        for t in killers:
            t.join(timeout=FIRST_SAVE_TIMEOUT + 30)
        for w in writers:
            w.kill()
            w.finish()
        assert not failures, failures
        for w in writers:
            w.assert_killed_not_failed()
            reported += w.saved
            kills += 1

    # After all the kills the program still opens the database and saves.
    last = Writer(path, f"s{SEED}final", count=3)
    last.finish()
    assert last.proc.returncode == 0, last.stderr[-3000:]
    assert len(last.saved) == 3
    reported += last.saved

    numbers = [t for t, _ in reported]
    assert len(numbers) == len(set(numbers)), f"a tracking number was reported twice (seed {SEED})"
    assert len({u for _, u in reported}) == len(reported), f"a uuid was reported twice (seed {SEED})"
    stored = _stored(path)
    lost = [(t, u) for t, u in reported if stored.get(t) != u]
    assert not lost, f"reported saved but missing or different after the kills (seed {SEED}): {lost[:10]}"
    unreported = len(stored) - len(reported)
    assert 0 <= unreported <= kills, f"{unreported} requests nobody reported, after {kills} kills (seed {SEED})"
    assert len(reported) >= LOOPS, f"too few saves to mean anything: {len(reported)} (seed {SEED})"
    assert health_problems(path) == [], f"seed {SEED}"

    from xuhui_desk.db import open_database
    from xuhui_desk.services.search import RequestFilter, count

    db = open_database(path)
    try:
        with db.session() as s:
            assert count(s, RequestFilter()) == len(stored)
    finally:
        db.close()
    print(f"seed {SEED}: {kills} kills, {len(reported)} saves reported, {unreported} saved but not yet reported")


def _revision(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(con.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        con.close()


@pytest.mark.slow
def test_kill_during_the_upgrade_at_start_leaves_old_or_new_schema(tmp_path: Path) -> None:
    from xuhui_desk.config import database_path
    from xuhui_desk.db import head_revision, known_revisions, open_database

    oldest = known_revisions()[0]
    if oldest == head_revision():
        pytest.skip("only one migration: nothing to upgrade")
    template = tmp_path / "template.db"
    upgrade(template, oldest)
    con = sqlite3.connect(template)
    fill_schema(con, rows=30)
    before = snapshot(con)
    con.close()

    # How long a start with an upgrade takes here, to aim the kills at it.
    calibration = tmp_path / "calibration"
    calibration.mkdir()
    shutil.copy(template, database_path(calibration))
    probe = Writer(database_path(calibration), "calibrate", count=1)
    probe.finish()
    assert probe.proc.returncode == 0, probe.stderr[-3000:]
    startup = time.monotonic() - probe.started

    rng = random.Random(SEED)
    outcomes: dict[str, int] = {}
    for round_no in range(max(4, LOOPS // 2)):
        folder = tmp_path / f"round{round_no}"
        folder.mkdir()
        path = database_path(folder)
        shutil.copy(template, path)
        writer = Writer(path, f"s{SEED}u{round_no}")
        time.sleep(rng.uniform(0.25, 1.0) * startup)
        writer.kill()
        writer.finish()
        if writer.proc.returncode != -signal.SIGKILL:
            writer.assert_killed_not_failed()
        revision = _revision(path)
        outcomes[revision] = outcomes.get(revision, 0) + 1
        assert revision in (oldest, head_revision()), f"left half-migrated at {revision} (seed {SEED})"
        con = sqlite3.connect(path)
        try:
            # Rows saved after an upgrade that completed come after the old ones.
            assert preserved(before, con, added_rows=True) == [], f"seed {SEED}"
        finally:
            con.close()
        assert health_problems(path, app_rules=False) == [], f"seed {SEED}"

        # The next start finishes the job.
        open_database(path).close()
        assert _revision(path) == head_revision()
        con = sqlite3.connect(path)
        try:
            assert preserved(before, con, added_rows=True) == [], f"seed {SEED}"
        finally:
            con.close()
        assert health_problems(path, app_rules=False) == [], f"seed {SEED}"
    print(f"kills during start-up with an upgrade (seed {SEED}, start-up {startup:.2f} s): "
          f"revision after the kill {outcomes}")
