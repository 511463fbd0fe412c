"""Sync with the district hub from the GUI: one round at a time, in the background, every few
minutes and on demand.

:class:`SyncController` belongs to the main window. It never touches the network on the GUI
thread: a round (:func:`xuhui_desk.services.sync.run_sync`) and every read of the sync state
(:func:`~xuhui_desk.services.sync.sync_status`) run through the :class:`TaskRunner`, and the
results come back as signals. Start-up never waits for the hub: :meth:`start` (called once the
window shows) only reads the state; the first round follows :data:`FIRST_ROUND_DELAY_MS` later,
then one every :data:`SYNC_INTERVAL_MS` — both only when a hub address and token are set.

Rounds run on the read pool, not the single write worker: the engine takes its own
per-database lease and short write transactions, so intake and edits keep saving while a
long backlog is sent. :meth:`shutdown` (window closing) cancels a running round and waits for
it; what was sent is kept and the rest waits for the next round.

The engine's modules are imported on the worker when the first round runs, never at start-up;
the first read of the sync state waits on its worker until the database is open (it opens after
the window shows), and imports :mod:`xuhui_desk.services.sync` only then.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

from xuhui_desk.codes import SyncErrorKind
from xuhui_desk.db import Database
from xuhui_desk.ui.local_writes import LocalWrites, opened
from xuhui_desk.ui.tasks import Progress, Task, TaskRunner

if TYPE_CHECKING:
    from xuhui_desk.services.sync import SyncOptions, SyncProgress, SyncStatus, SyncSummary

log = logging.getLogger(__name__)

# A round every five minutes while a hub is configured (rounds that find nothing to do are two
# small HTTP calls); the first one a few seconds after the window shows.
SYNC_INTERVAL_MS = 5 * 60 * 1000
FIRST_ROUND_DELAY_MS = 3000
# How long closing the window waits for a cancelled round (a request in flight finishes first).
SHUTDOWN_WAIT_MS = 15000
# The engine warns about the station's clock beyond this (SyncOptions.skew_warning_seconds).
SKEW_WARNING_SECONDS = 120.0
# After a local write, the sync state is read again this long after the last of a burst of writes.
WRITE_REFRESH_MS = 300

# Kinds of failed rounds (SyncSummary.error_kind): xuhui_desk.codes.SyncErrorKind says which mean
# the hub could not be reached (offline) and which say nothing about it (neutral).
OFFLINE_KINDS = frozenset(k for k in SyncErrorKind if k.offline)
NEUTRAL_KINDS = frozenset(k for k in SyncErrorKind if k.neutral)


def is_online(status: SyncStatus) -> bool | None:
    """Whether the hub answered the last round: None when sync is not set up or not tried yet."""
    if not status.configured or status.last_attempt_at is None:
        return None
    kind = status.last_error_kind
    if kind is None:
        return True
    if kind in NEUTRAL_KINDS:
        return None
    return kind not in OFFLINE_KINDS


class SyncController(QObject):
    """Runs sync rounds for the main window (see the module documentation)."""

    # The sync state as read from the database, after every round and read: a SyncStatus (the
    # engine's types load only once the database is open, so the Qt signature says object; the
    # slots connected to it take SyncStatus).
    statusChanged = Signal(object)
    roundStarted = Signal()
    # phase ("checking", "pushing", "pulling", "finished"), done, total
    progressed = Signal(str, int, int)
    # The round's SyncSummary (object to Qt, for the same reason).
    roundFinished = Signal(object)
    # A round changed requests on this station (sent, refused or updated by the district).
    requestsChanged = Signal()
    # Emitted on the worker; connected to a method of this GUI-thread object, so queued to it.
    _workerProgress = Signal(str, int, int)
    # A commit on the database by this process (any thread); queued to the GUI thread.

    def __init__(self, db: Database, tasks: TaskRunner, parent: QObject | None = None, *,
                 interval_ms: int | None = None, first_delay_ms: int | None = None,
                 options: SyncOptions | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.options = options
        self._status: SyncStatus | None = None
        self._summary: SyncSummary | None = None
        self._task: Task | None = None
        self._started = False
        self._closed = False
        self._rounds = 0
        self._timer = QTimer(self)
        self._timer.setInterval(SYNC_INTERVAL_MS if interval_ms is None else interval_ms)
        self._timer.timeout.connect(self._tick)
        self._first = QTimer(self)
        self._first.setSingleShot(True)
        self._first.setInterval(FIRST_ROUND_DELAY_MS if first_delay_ms is None else first_delay_ms)
        self._first.timeout.connect(self._tick)
        self._workerProgress.connect(self._progressed)
        # Live "waiting to sync" count: every local write re-reads the state, at most every
        # WRITE_REFRESH_MS (a roster import commits many times in a row).
        self.local_writes = LocalWrites(db, tasks, WRITE_REFRESH_MS, self)
        self.local_writes.written.connect(self.refresh_status)

    # --- state --------------------------------------------------------------------------------

    @property
    def status(self) -> SyncStatus | None:
        """The last sync state read (None until the first read finished)."""
        return self._status

    @property
    def last_summary(self) -> SyncSummary | None:
        """The summary of the last round this controller ran."""
        return self._summary

    @property
    def running(self) -> bool:
        return self._task is not None

    @property
    def configured(self) -> bool:
        return self._status is not None and self._status.configured

    @property
    def rounds(self) -> int:
        """Rounds finished since the controller was made."""
        return self._rounds

    @property
    def timer_active(self) -> bool:
        return self._timer.isActive()

    # --- public -------------------------------------------------------------------------------

    def start(self) -> None:
        """Read the sync state in the background and, when a hub is set up, schedule the rounds."""
        if self._started or self._closed:
            return
        self._started = True
        self.refresh_status()
        self.local_writes.start("the sync state")

    def refresh_status(self) -> None:
        """Read the sync state again (background) and emit :attr:`statusChanged`."""
        if self._closed:
            return

        def read(_progress: Progress) -> SyncStatus:
            db = opened(self.db)  # the engine's modules only once the database is open
            from xuhui_desk.services.sync import sync_status

            return sync_status(db)

        self.tasks.run(read, on_success=self._status_read, owner=self, latest="status",
                       on_failure=lambda exc: log.warning("the sync state could not be read: %s", exc))

    def settings_changed(self) -> None:
        """The hub address or token may have changed: read the state again and (re)schedule."""
        self.refresh_status()

    def sync_now(self) -> bool:
        """Start a round now; False when one is already running (never two at once) or closing."""
        if self._closed or self._task is not None:
            return False
        self._first.stop()
        options = self.options

        def work(progress: Progress) -> tuple[SyncSummary, SyncStatus]:
            opened(self.db)
            from xuhui_desk.services.sync import run_sync, sync_status

            def report(p: SyncProgress) -> None:
                if progress.cancelled:
                    return
                # The window may have gone away mid-round: the round itself goes on.
                with contextlib.suppress(RuntimeError):
                    self._workerProgress.emit(p.phase, p.done, p.total)

            summary = run_sync(self.db, progress=report, cancel=lambda: progress.cancelled, options=options)
            return summary, sync_status(self.db)

        task = self.tasks.run(work, on_success=self._round_done, on_failure=self._round_failed, owner=self)
        self._task = task
        # Connected to the task, not the runner: progress of this round only.
        task.finished.connect(lambda: self._task_finished(task))
        self.roundStarted.emit()
        return True

    def cancel(self) -> None:
        """Ask a running round to stop (it stops between batches; nothing sent is lost)."""
        if self._task is not None and isValid(self._task):
            self._task.cancel()

    def shutdown(self, wait_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Stop the timers, cancel a running round and wait for it; True when nothing is left running."""
        self._closed = True
        self._timer.stop()
        self._first.stop()
        self.local_writes.stop()
        if self._task is None:
            return True
        self.cancel()
        done = self.tasks.wait(wait_ms)
        if not done:
            log.warning("the sync round did not stop within %d ms; it ends on its own", wait_ms)
        return done

    # --- wording ------------------------------------------------------------------------------

    def warnings(self, status: SyncStatus | None = None, *, refused: bool = True) -> list[str]:
        """What the specialist should know about sync now, most important first (may be empty);
        ``refused`` False leaves out the count of refused records (the sync panel lists them)."""
        status = status or self._status
        if status is None or not status.configured:
            return []
        out: list[str] = []
        if status.insecure:
            out.append(self.tr("Sync uses an unencrypted hub address (http://): the station token and the "
                               "requests can be read on the network. Ask the district for its https:// address."))
        if status.paused:
            out.append(self.tr("Sync paused: the district hub needs a newer version of this program. "
                               "Intake keeps working."))
        kind = status.last_error_kind
        if self._summary is not None and self._summary.error_kind == SyncErrorKind.INTERNAL:
            out.append(self.tr("Sync failed: {error}").format(error=self._summary.error or ""))
        elif kind and kind not in NEUTRAL_KINDS and kind != SyncErrorKind.UPGRADE:
            out.append(self.error_text(kind))
        if status.in_error and refused:
            out.append(self.tr("{count} record(s) refused by the hub: click to review").format(count=status.in_error))
        if status.skew_seconds is not None and abs(status.skew_seconds) > SKEW_WARNING_SECONDS:
            out.append(self.skew_text(status.skew_seconds))
        return out

    def error_text(self, kind: SyncErrorKind | str) -> str:
        """A failed round, in words, by its kind (a SyncErrorKind; its values key this table)."""
        texts = {
            "auth": self.tr("The hub refused this station's token: ask the district for a new one and "
                            "enter it in Settings"),
            "unreachable": self.tr("Cannot reach the district hub: requests are kept here and sent later"),
            "timeout": self.tr("The district hub is not answering: requests are kept here and sent later"),
            "server": self.tr("The district hub reported a problem: sync is tried again later"),
            "protocol": self.tr("Something answers at the hub address, but not as the district hub: check the "
                                "address in Settings"),
            "conflict": self.tr("The hub refused a batch as a conflict: sync is tried again later"),
            "config": self.tr("Sync is not set up: enter the hub address and the station token in Settings"),
            "upgrade": self.tr("Sync paused: the district hub needs a newer version of this program. "
                               "Intake keeps working."),
        }
        return texts.get(kind, self.tr("The last sync did not finish: it is tried again later"))

    def skew_text(self, seconds: float) -> str:
        unit, n = skew_amount(seconds)
        amount = {"days": self.tr("{n} days"), "hours": self.tr("{n} hours"),
                  "minutes": self.tr("{n} minutes")}[unit].format(n=n)
        if seconds > 0:
            return self.tr("This computer's clock is {amount} ahead of the district hub's: "
                           "correct the system time").format(amount=amount)
        return self.tr("This computer's clock is {amount} behind the district hub's: "
                       "correct the system time").format(amount=amount)

    # --- internals ----------------------------------------------------------------------------

    def _progressed(self, phase: str, done: int, total: int) -> None:
        if not self._closed and self._task is not None:
            self.progressed.emit(phase, done, total)

    def _task_finished(self, task: Task) -> None:
        if self._task is task:
            self._task = None

    def _tick(self) -> None:
        if self.configured and not self.running and not self._closed:
            self.sync_now()

    def _status_read(self, status: SyncStatus) -> None:
        if self._closed:
            return
        self._status = status
        self.statusChanged.emit(status)
        self._arm()

    def _arm(self) -> None:
        """Rounds on a timer only while a hub is set up; the first one soon after start."""
        if self._closed:
            return
        if self.configured:
            if not self._timer.isActive():
                self._timer.start()
            if self._rounds == 0 and self._task is None and not self._first.isActive():
                self._first.start()
        else:
            self._timer.stop()
            self._first.stop()

    def _round_done(self, result: tuple[SyncSummary, SyncStatus]) -> None:
        summary, status = result
        self._task = None
        self._rounds += 1
        self._summary = summary
        self._status = status
        if summary.error_kind is not None and summary.error_kind not in NEUTRAL_KINDS:
            log.info("sync round failed (%s): %s", summary.error_kind, summary.error)
        if self._closed:
            return
        self.roundFinished.emit(summary)
        self.statusChanged.emit(status)
        if summary.pushed or summary.pulled or summary.rejected or summary.rebased or summary.duplicates:
            self.requestsChanged.emit()
        self._arm()

    def _round_failed(self, exc: BaseException) -> None:
        # run_sync never raises for the network or the hub: this is a bug or a broken database.
        from xuhui_desk.services.sync import SyncSummary

        self._task = None
        self._rounds += 1
        log.error("sync round failed unexpectedly: %s", exc, exc_info=exc)
        summary = SyncSummary(ok=False, error=str(exc) or type(exc).__name__, error_kind=SyncErrorKind.INTERNAL)
        self._summary = summary
        if self._closed:
            return
        self.roundFinished.emit(summary)
        self.refresh_status()


def skew_amount(seconds: float) -> tuple[str, int]:
    """``("days"|"hours"|"minutes", n)``: how far off the station's clock is, rounded for people."""
    amount = abs(seconds)
    if amount >= 2 * 86400:
        return "days", round(amount / 86400)
    if amount >= 2 * 3600:
        return "hours", round(amount / 3600)
    return "minutes", max(1, round(amount / 60))
