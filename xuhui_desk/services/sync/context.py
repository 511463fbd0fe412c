"""What the steps of one round share (:class:`RoundContext`): the database, the options and the
limits the hub lowered them to, the hub connection, the summary being filled, the clock, the
progress and cancel callbacks, and the round's lease (one round at a time per station
database, across threads and processes)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from xuhui_desk.codes import SyncErrorKind
from xuhui_desk.db import Database
from xuhui_desk.models import new_uuid
from xuhui_desk.services.sync.client import HubClient
from xuhui_desk.services.sync.errors import SyncFailure
from xuhui_desk.services.sync.options import SyncOptions, SyncProgress, SyncSummary
from xuhui_desk.services.sync.state import META_LEASE, get_meta, lease_holder_alive, put_meta, write_meta

if TYPE_CHECKING:
    import httpx


class RoundContext:
    """One round's shared state; the check, the push and the pull each take it."""

    def __init__(self, db: Database, url: str, token: str, options: SyncOptions,
                 progress: Callable[[SyncProgress], None], cancel: Callable[[], bool],
                 transport: httpx.BaseTransport | None, clock: Callable[[], datetime],
                 sleep: Callable[[float], None]) -> None:
        self.db = db
        self.options = options
        self.progress = progress
        self.cancel = cancel
        self.clock = clock
        self.summary = SyncSummary(started_at=clock())
        self.hub = HubClient(url, token, options, transport, sleep, cancel)
        #: The batch limits: the options', lowered by the hub's advertised limits and by a 413.
        self.max_records = options.batch_records
        self.max_bytes = options.batch_bytes
        #: Set by the check (the station's own code goes in every batch).
        self.station_code = ""
        self.owner = new_uuid()

    # -- lease: one round at a time per station database, across threads and processes
    def acquire(self) -> None:
        """Take the lease, or raise ``SyncFailure(BUSY)`` when a live round holds it."""
        now = self.clock()
        with self.db.write() as s:
            if lease_holder_alive(s, now):
                raise SyncFailure(SyncErrorKind.BUSY, "another sync of this station is running; try again when it ends")
            self.write_lease(s, now)

    def write_lease(self, s: Session, now: datetime) -> None:
        """Write (or extend) this round's lease in the caller's transaction."""
        expires = now + timedelta(seconds=self.options.lease_seconds)
        write_meta(s, META_LEASE, json.dumps({"owner": self.owner, "pid": os.getpid(),
                                              "expires": expires.isoformat()}))

    def release(self) -> None:
        """Give the lease back (only if it is still this round's)."""
        with self.db.write() as s:
            raw = get_meta(s, META_LEASE)
            if raw and self.owner in raw:
                put_meta(s, META_LEASE, None)

    def report(self, phase: str, done: int = 0, total: int = 0, message: str = "") -> None:
        self.progress(SyncProgress(phase, done, total, message))

    def check_cancel(self) -> None:
        """Raise ``SyncFailure(CANCELLED)`` when the caller asked to stop."""
        if self.cancel():
            raise SyncFailure(SyncErrorKind.CANCELLED, "sync was cancelled; what was sent is kept, the rest waits")
