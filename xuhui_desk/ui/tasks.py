"""The one way the GUI runs work in the background (after Anki's ``QueryOp`` / Picard's ``run_task``).

``TaskRunner.run(fn, on_success=..., on_failure=..., owner=widget)`` calls ``fn(progress)`` on a
worker thread and the callbacks on the GUI thread. Database writes go through a single
serialized worker (``write=True``); reads run on a small pool. A progress dialog appears
only when a task with a ``label`` lasts longer than :data:`PROGRESS_DELAY_MS`. Widgets
and models are only ever touched from the callbacks, on the GUI thread.

Two rules replace the checks every call site used to write by hand:

* **owner** — the callbacks belong to a QObject (usually the widget that asked). If it is
  destroyed before the result arrives, the result is dropped: no callback ever runs on a
  deleted widget.
* **latest** — a key (per owner) for queries where only the newest answer matters (a search
  as the user types, the request a pane shows). Starting a task with the same key supersedes
  the older one: the older one is asked to stop at its next progress report, and whatever it
  returns is dropped.

``run`` is generic: ``on_success`` receives exactly what ``fn`` returns (``Task[T]``).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

from xuhui_desk.db import DatabaseOpenCancelled

log = logging.getLogger(__name__)

PROGRESS_DELAY_MS = 500

T = TypeVar("T")


class Cancelled(Exception):
    """Raised inside a task by :meth:`Progress.check` after the user pressed Cancel.

    (A task waiting for a database the closing program never opened stops with
    :class:`xuhui_desk.db.DatabaseOpenCancelled`, handled the same way: no callback.)"""


@dataclass
class Progress:
    """Handed to the task function: report progress, check for cancellation (thread-safe)."""

    _emit: Callable[[int, int, str], None]
    _cancel: threading.Event = field(default_factory=threading.Event)

    def __call__(self, done: int, total: int = 0, text: str = "") -> None:
        self.check()
        self._emit(done, total, text)

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Signals(QObject):
    """Created on the GUI thread; its slots are bound methods of a GUI-thread object, so
    emissions from the worker are queued to the GUI thread (never run on the worker)."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)

    def __init__(self) -> None:
        super().__init__()
        self.on_succeeded: Callable[[Any], None] = lambda _r: None
        self.on_failed: Callable[[BaseException], None] = lambda _e: None
        self.on_progress: Callable[[int, int, str], None] = lambda _d, _t, _s: None
        self.succeeded.connect(self._succeeded)
        self.failed.connect(self._failed)
        self.progressed.connect(self._progressed)

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        self.on_succeeded(result)

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self.on_failed(exc)

    @Slot(int, int, str)
    def _progressed(self, done: int, total: int, text: str) -> None:
        self.on_progress(done, total, text)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], signals: _Signals, progress: Progress) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._signals = signals
        self._progress = progress

    def run(self) -> None:
        try:
            result = self._fn(self._progress)
        except BaseException as exc:  # reported on the GUI thread, never lost in a worker
            if not isinstance(exc, Cancelled):
                log.debug("background task failed:\n%s", traceback.format_exc())
            self._signals.failed.emit(exc)
        else:
            self._signals.succeeded.emit(result)


class Task(QObject, Generic[T]):
    """A running background task; ``cancel()`` asks it to stop at its next progress report.

    ``dropped`` is true once its result will not be delivered (its owner was destroyed, or a
    newer task with the same ``latest`` key superseded it)."""

    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.done = False
        self.dropped = False
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _ProgressWindow:
    """The progress box of one labelled task: created only when the task outlives
    :data:`PROGRESS_DELAY_MS`, and torn down for good the moment the task ends.

    A ``QProgressDialog`` starts its own auto-show timer when it is constructed and on
    ``setValue``; hiding it and calling ``deleteLater()`` does not stop that timer, and the
    deferred deletion waits behind any nested event loop the success callback opens (a print
    preview's ``exec()``). The box then showed itself, modal, over that loop, and the
    program froze (audit D1). So the box is built lazily, and closed with ``reset()``, which
    stops Qt's timer, before it is hidden and deleted.
    """

    def __init__(self, label: str, cancel_text: str | None, parent: QWidget | None, task: Task,
                 owner: QObject) -> None:
        self._label = label
        self._cancel_text = cancel_text
        self._parent = parent
        self._task = task
        self._dialog: QProgressDialog | None = None
        self._state = (0, 0, "")
        self._timer = QTimer(owner)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show)
        self._timer.start(PROGRESS_DELAY_MS)

    def _show(self) -> None:
        if self._task.done or (self._parent is not None and not isValid(self._parent)):
            return
        dialog = QProgressDialog(self._label, "", 0, 0, self._parent)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        if self._cancel_text is not None:
            dialog.setCancelButtonText(self._cancel_text)
            dialog.canceled.connect(self._task.cancel)
        else:
            dialog.setCancelButton(None)
        self._dialog = dialog
        self.update(*self._state)
        dialog.show()

    def update(self, done: int, total: int, text: str) -> None:
        self._state = (done, total, text or self._state[2])
        dialog = self._dialog
        if dialog is None:
            return
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        if text:
            dialog.setLabelText(text)

    def close(self) -> None:
        self._timer.stop()
        self._timer.deleteLater()
        dialog, self._dialog = self._dialog, None
        if dialog is not None and isValid(dialog):
            dialog.reset()  # stops QProgressDialog's own auto-show timer
            dialog.hide()
            dialog.setParent(None)
            dialog.deleteLater()


class TaskRunner(QObject):
    """Runs functions off the GUI thread; see the module documentation."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reads = QThreadPool(self)
        self._reads.setMaxThreadCount(2)
        self._writes = QThreadPool(self)
        self._writes.setMaxThreadCount(1)
        self._active: set[Task[Any]] = set()
        # (id of the owner or None, key) -> the newest task started with that key
        self._latest: dict[tuple[int | None, str], Task[Any]] = {}

    @property
    def busy(self) -> bool:
        return bool(self._active)

    def run(
        self,
        fn: Callable[[Progress], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        owner: QObject | None = None,
        latest: str | None = None,
        label: str | None = None,
        parent: QWidget | None = None,
        write: bool = False,
        cancellable: bool = False,
    ) -> Task[T]:
        """Run ``fn(progress)`` off the GUI thread; see the module documentation.

        ``owner``: callbacks are dropped if it is destroyed first (and it is the progress
        box's parent when ``parent`` is not given and it is a widget). ``latest``: a newer
        task with the same key and owner supersedes this one. A write (``write=True``) is
        never cancelled by being superseded — only its result is dropped.
        """
        task: Task[T] = Task(self)
        if parent is None and isinstance(owner, QWidget):
            parent = owner
        slot: tuple[int | None, str] | None = None
        if latest is not None:
            slot = (None if owner is None else id(owner), latest)
            older = self._latest.get(slot)
            if older is not None:
                older.dropped = True
                if not write:
                    older.cancel()
            self._latest[slot] = task
        signals = _Signals()  # lives on the GUI thread: its signals are queued to it
        # Owned by the task (itself held in _active until it finishes): only a reference cycle
        # would hold it otherwise, and a garbage collection could destroy it mid-delivery.
        signals.setParent(task)
        progress = Progress(signals.progressed.emit, task._cancel)
        window: _ProgressWindow | None = None
        if label is not None:
            cancel_text = self.tr("Cancel") if cancellable else None
            window = _ProgressWindow(label, cancel_text, parent, task, self)
            signals.on_progress = window.update

        def finish() -> bool:
            """Tear the task down; true when its result is still wanted."""
            task.done = True
            if window is not None:
                window.close()
            self._active.discard(task)
            if slot is not None and self._latest.get(slot) is task:
                del self._latest[slot]
            # The closure holds the owner's wrapper, so its id stays unique while the task
            # runs; isValid() tells whether the C++ object behind it still exists.
            wanted = not task.dropped and (owner is None or isValid(owner))
            task.finished.emit()
            task.deleteLater()
            return wanted

        def succeeded(result: T) -> None:
            if finish() and on_success is not None:
                on_success(result)

        def failed(exc: BaseException) -> None:
            if not finish() or isinstance(exc, Cancelled | DatabaseOpenCancelled):
                return
            if on_failure is not None:
                on_failure(exc)
            else:
                log.error("background task failed: %s", exc)

        signals.on_succeeded = succeeded
        signals.on_failed = failed
        self._active.add(task)
        (self._writes if write else self._reads).start(_Job(fn, signals, progress))
        return task

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every task finished (at shutdown and in tests)."""
        ok = self._writes.waitForDone(msecs) and self._reads.waitForDone(msecs)
        return ok
