"""Following this program's own commits, for what the GUI keeps live (the status bar's "waiting
to sync" count, the Today lists).

:class:`LocalWrites` asks :func:`xuhui_desk.services.changes.watch_writes` (on a worker, once the
database is open) to be told of every commit, and emits :attr:`LocalWrites.written` on the GUI
thread once per burst: a roster import commits many times in a row, the listeners read once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

from xuhui_desk.db import Database
from xuhui_desk.ui.tasks import Progress, TaskRunner

log = logging.getLogger(__name__)


def opened(db: Database) -> Database:
    """``db``, open: on a worker, waits for a database still opening after start-up
    (:class:`xuhui_desk.db.DeferredDatabase`); at once for any other."""
    resolve = getattr(db, "resolve", None)
    return resolve() if callable(resolve) else db


class LocalWrites(QObject):
    """``written`` at most once per ``debounce_ms`` after the program commits (see the module)."""

    written = Signal()
    _committed = Signal()  # emitted on the committing thread, delivered queued to this object's

    def __init__(self, db: Database, tasks: TaskRunner, debounce_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self._closed = False
        self._stop: Callable[[], None] | None = None
        self._burst = QTimer(self)
        self._burst.setSingleShot(True)
        self._burst.setInterval(debounce_ms)
        self._burst.timeout.connect(self.written)
        self._committed.connect(self._on_commit)

    def start(self, what: str) -> None:
        """Begin following commits (``what`` names the listener in the log if that fails)."""
        db = self.db

        def watch(_progress: Progress) -> Any:
            database = opened(db)  # first: SQLAlchemy is imported only once the window has shown
            from xuhui_desk.services.changes import watch_writes

            return watch_writes(database, self._wrote)

        # No owner= on this task: a watch that arrives for a watcher already gone must still be
        # stopped, so the callback always runs and checks for itself.
        self.tasks.run(watch, on_success=self._watching,
                       on_failure=lambda exc: log.warning("%s does not follow local writes: %s", what, exc))

    def stop(self) -> None:
        """Stop following commits (the window is closing); nothing is emitted afterwards."""
        self._closed = True
        self._burst.stop()
        if self._stop is not None:
            self._stop()
            self._stop = None

    def _wrote(self) -> None:
        # On the committing thread: only a queued signal (the watcher may be gone).
        with contextlib.suppress(RuntimeError):
            self._committed.emit()

    def _watching(self, stop: Callable[[], None]) -> None:
        if self._closed or not isValid(self):
            stop()
        else:
            self._stop = stop

    def _on_commit(self) -> None:
        if not self._closed:
            self._burst.start()
