"""Today's lists, read in the background and kept live for the navigation's count and the page.

:class:`TodayController` belongs to the main window. It reads
:func:`xuhui_desk.services.today.today` on a worker (never on the GUI thread: at start-up the
database opens after the window shows, and the service's modules are imported only then) and
emits :attr:`~TodayController.updated` with the result. It reads again

* after the program writes to the database (:func:`xuhui_desk.services.changes.watch_writes`,
  as the status bar's "waiting to sync" count does), once per burst of writes;
* when the day changes (a timer set to the next midnight in Shanghai; a minute tick also
  notices a day that changed while the computer slept);
* when "only mine" or the current specialist changes.

Every minute it emits :attr:`~TodayController.ticked` (the notifier looks at the last lists
again: a deadline comes within the hour as time passes, without any write).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from xuhui_desk.db import Database
from xuhui_desk.services.timefmt import SHANGHAI
from xuhui_desk.ui.local_writes import LocalWrites, opened
from xuhui_desk.ui.tasks import Progress, TaskRunner

if TYPE_CHECKING:
    from xuhui_desk.services.policies import NewPolicy
    from xuhui_desk.services.today import Today

log = logging.getLogger(__name__)

# After a local write the lists are read again this long after the last write of a burst.
WRITE_REFRESH_MS = 400
TICK_MS = 60_000


def next_midnight(now: datetime) -> datetime:
    """The next midnight in Shanghai after the aware moment ``now``."""
    local = now.astimezone(SHANGHAI)
    return datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI)


class TodayController(QObject):
    """Reads the Today lists for the main window (see the module documentation)."""

    # The lists as read (a services.today.Today).
    updated = Signal(object)
    # A minute passed (the notifier looks at the last lists again).
    ticked = Signal()
    # The policies received in the last days, with how many companies may qualify (a list of
    # services.policies.NewPolicy), read with the lists.
    policiesUpdated = Signal(object)
    # A commit on the database by this process (any thread); queued to the GUI thread.

    def __init__(self, db: Database, tasks: TaskRunner, parent: QObject | None = None, *,
                 clock: Callable[[], datetime] | None = None, write_refresh_ms: int = WRITE_REFRESH_MS,
                 tick_ms: int = TICK_MS) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.clock = clock or (lambda: datetime.now(UTC))
        self._specialist = ""
        self._only_mine = False
        self._today: Today | None = None
        self.new_policies: list[NewPolicy] = []
        self._started = False
        self._closed = False
        self._reads = 0
        self.local_writes = LocalWrites(db, tasks, write_refresh_ms, self)
        self.local_writes.written.connect(self.refresh)
        self._midnight = QTimer(self)
        self._midnight.setSingleShot(True)
        self._midnight.timeout.connect(self.refresh)
        self._tick = QTimer(self)
        self._tick.setInterval(tick_ms)
        self._tick.timeout.connect(self._ticked)

    # --- state --------------------------------------------------------------------------------

    @property
    def today(self) -> Today | None:
        """The last lists read (None until the first read finished)."""
        return self._today

    @property
    def reads(self) -> int:
        """Reads finished since the controller was made."""
        return self._reads

    @property
    def only_mine(self) -> bool:
        return self._only_mine

    @property
    def specialist(self) -> str:
        return self._specialist

    def midnight_in_ms(self) -> int:
        """How long until the day-change read (-1 when not armed)."""
        return self._midnight.remainingTime()

    # --- public -------------------------------------------------------------------------------

    def start(self) -> None:
        """Read the lists in the background and keep them live from now on."""
        if self._started or self._closed:
            return
        self._started = True
        self._tick.start()
        self.refresh()
        self.local_writes.start("Today")

    def set_filter(self, specialist: str, only_mine: bool) -> None:
        """Whose lists: everyone's, or (``only_mine``) those of ``specialist``; read again when it changes."""
        changed = only_mine != self._only_mine or (only_mine and specialist != self._specialist)
        self._specialist, self._only_mine = specialist, only_mine
        if changed and self._started:
            self.refresh()

    def refresh(self) -> None:
        """Read the lists again (background); :attr:`updated` follows."""
        if self._closed:
            return
        specialist = self._specialist if self._only_mine and self._specialist else None
        now = self.clock()

        def read(_progress: Progress) -> Today:
            db = opened(self.db)  # the service's modules only once the database is open
            from xuhui_desk.services.today import today

            return today(db, now, specialist)

        self.tasks.run(read, on_success=self._read, owner=self, latest="today",
                       on_failure=lambda exc: log.warning("Today's lists could not be read: %s", exc))

    def shutdown(self) -> None:
        """Stop the timers and stop following writes (the window is closing)."""
        self._closed = True
        for timer in (self._midnight, self._tick):
            timer.stop()
        self.local_writes.stop()

    # --- internals ----------------------------------------------------------------------------

    def _read(self, today: Today) -> None:
        if self._closed:
            return
        self._today = today
        self._reads += 1
        # The day-change read: one second after midnight (a timer never fires early).
        wait = next_midnight(self.clock()) - self.clock()
        self._midnight.start(max(1000, int(wait.total_seconds() * 1000) + 1000))
        self.updated.emit(today)
        self._read_policies()

    def _read_policies(self) -> None:
        """The new policies, read after the lists (never before or beside them: start-up and the
        lists come first; a failure here never touches them)."""
        day = self.clock().astimezone(SHANGHAI).date()

        def read(_progress: Progress) -> list[NewPolicy]:
            db = opened(self.db)
            from xuhui_desk.services.policies import new_policies

            return new_policies(db, today=day)

        self.tasks.run(read, on_success=self._policies_read, owner=self, latest="policies",
                       on_failure=lambda exc: log.warning("Today's new policies could not be read: %s", exc))

    def _policies_read(self, items: list[NewPolicy]) -> None:
        if not self._closed:
            self.new_policies = list(items)
            self.policiesUpdated.emit(self.new_policies)

    def _ticked(self) -> None:
        if self._closed:
            return
        today = self._today
        if today is not None and self.clock().astimezone(SHANGHAI).date() != today.day:
            self.refresh()  # the computer slept through midnight
        self.ticked.emit()
