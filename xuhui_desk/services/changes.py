"""Tell the layers above that this process wrote to the station database.

The GUI keeps live figures (the status bar's "waiting to sync" count) without polling: every
commit on the database's engine — intake, workflow, directory import, a sync round — calls the
registered callbacks, on whatever thread committed. Reads never commit, so a callback that reads
in response cannot feed itself. Writes by another process (a command-line intake) are not seen;
they show at the next refresh.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from xuhui_desk.db import Database

log = logging.getLogger(__name__)


def watch_writes(db: Database, callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback()`` after each commit on ``db``; returns the function that stops it.

    The callback runs on the committing thread and must be quick and never raise (errors are
    logged and dropped: a watcher never breaks a write).
    """
    engine = db.engine

    def committed(_connection: Any) -> None:
        try:
            callback()
        except Exception:  # a watcher never breaks a write
            log.exception("a write watcher failed")

    event.listen(engine, "commit", committed)

    def stop() -> None:
        if event.contains(engine, "commit", committed):
            event.remove(engine, "commit", committed)

    return stop
