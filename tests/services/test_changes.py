"""Write watchers (services/changes.py): called after each commit, and never able to break one —
not even when a watcher is added or removed on another thread while a commit is calling them
(closing the main window removes its watcher while a sync round may be committing)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from xuhui_desk.db import SqliteDatabase
from xuhui_desk.services.changes import watch_writes


def _commit(db: SqliteDatabase) -> None:
    with db.write() as session:
        session.execute(text("UPDATE settings SET value = value WHERE key = 'language'"))


def test_each_commit_calls_each_watcher_until_it_is_stopped(db: SqliteDatabase) -> None:
    calls: list[str] = []
    stop_a = watch_writes(db, lambda: calls.append("a"))
    stop_b = watch_writes(db, lambda: calls.append("b"))
    _commit(db)
    assert sorted(calls) == ["a", "b"]
    stop_a()
    stop_a()  # stopping twice is harmless
    calls.clear()
    _commit(db)
    assert calls == ["b"]
    stop_b()
    calls.clear()
    _commit(db)
    assert calls == []


def test_a_failing_watcher_does_not_break_the_write(db: SqliteDatabase) -> None:
    def broken() -> None:
        raise RuntimeError("watcher bug")

    stop = watch_writes(db, broken)
    _commit(db)  # logged, not raised
    stop()


def test_watchers_come_and_go_while_another_thread_commits(db: SqliteDatabase) -> None:
    """The race that failed ``test_closing_cancels_and_waits_for_the_round``: SQLAlchemy's own
    listener list was changed while a commit on another thread was iterating it ("deque mutated
    during iteration"), and the commit raised."""
    failures: list[BaseException] = []
    done = threading.Event()

    def committer() -> None:
        try:
            for _ in range(150):
                _commit(db)
        except BaseException as exc:  # the test reports whatever broke the commit
            failures.append(exc)
        finally:
            done.set()

    # A watcher that takes a moment, as the GUI's does (it posts to the GUI thread): the commit
    # is inside the listener list while the other thread changes it.
    stop_slow = watch_writes(db, lambda: time.sleep(0.002))
    thread = threading.Thread(target=committer)
    thread.start()
    churned = 0
    while not done.is_set():
        stops = [watch_writes(db, lambda: None) for _ in range(5)]
        for stop in stops:
            stop()
        churned += 1
    thread.join()
    stop_slow()
    assert failures == []
    assert churned > 0
