"""Tell the layers above that this process wrote to the station database.

The GUI keeps live figures (the status bar's "waiting to sync" count) without polling: every
commit on the database's engine — intake, workflow, directory import, a sync round — calls the
registered callbacks, on whatever thread committed. Reads never commit, so a callback that reads
in response cannot feed itself. Writes by another process (a command-line intake) are not seen;
they show at the next refresh.

Watchers come and go on any thread while another thread commits (the main window removes its
watcher when it closes, perhaps during a sync round's commit). SQLAlchemy's own listener list
must not change while a commit is calling it — the commit then fails with "deque mutated during
iteration" — so each engine gets one listener, registered once and never removed, which calls a
tuple of callbacks replaced whole (under a lock) when a watcher is added or stopped: a commit
calls the tuple it found.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from xuhui_desk.db import Database

log = logging.getLogger(__name__)


class _Watchers:
    """The callbacks of one engine, called by its one ``commit`` listener."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._callbacks: tuple[Callable[[], None], ...] = ()

    def add(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._callbacks = (*self._callbacks, callback)

    def discard(self, callback: Callable[[], None]) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
            if callback in callbacks:
                callbacks.remove(callback)
                self._callbacks = tuple(callbacks)

    def __call__(self, _connection: Any) -> None:
        for callback in self._callbacks:  # the tuple as it was when the commit began
            try:
                callback()
            except Exception:  # a watcher never breaks a write
                log.exception("a write watcher failed")


# One per engine, for as long as the engine lives (the engine's listener holds it).
_WATCHERS: weakref.WeakKeyDictionary[Any, _Watchers] = weakref.WeakKeyDictionary()
_REGISTERING = threading.Lock()


def _watchers(engine: Any) -> _Watchers:
    with _REGISTERING:
        watchers = _WATCHERS.get(engine)
        if watchers is None:
            watchers = _WATCHERS[engine] = _Watchers()
            event.listen(engine, "commit", watchers)
        return watchers


def watch_writes(db: Database, callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback()`` after each commit on ``db``; returns the function that stops it (safe to
    call from any thread, and more than once).

    The callback runs on the committing thread and must be quick and never raise (errors are
    logged and dropped: a watcher never breaks a write).
    """
    watchers = _watchers(db.engine)

    def watched() -> None:  # its own object, so the same callback may be watched twice
        callback()

    watchers.add(watched)

    def stop() -> None:
        watchers.discard(watched)

    return stop
