"""The sync state in the main window's status bar: online or not, what waits to be sent, the last
sync, a warning that opens the sync panel, the running round's progress and a "Sync now" button.

It only shows; :class:`~xuhui_desk.ui.sync_controller.SyncController` decides. The main window
wires the controller's signals to :meth:`SyncStatusBar.show_status` and friends.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCursor, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton, QWidget

from xuhui_desk.services.timefmt import to_local

if TYPE_CHECKING:  # the sync engine is imported on a worker, never at start-up
    from xuhui_desk.services.sync import SyncStatus

SYNC_SHORTCUT = "Ctrl+Shift+S"
# The warning is cut to this width (the whole text is in its tooltip and the panel).
WARNING_MAX_WIDTH = 560


class _ClickableLabel(QLabel):
    """A status-bar label that opens something when clicked."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class SyncStatusBar(QWidget):
    """The permanent widgets of the status bar that speak about sync (see the module documentation).

    ``syncRequested`` — the button was pressed; ``panelRequested`` — the warning was clicked.
    """

    syncRequested = Signal()
    panelRequested = Signal()

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.hide()  # a holder only: the labels themselves go into the status bar
        self._warning = ""
        self.state_label = QLabel()
        self.pending_label = QLabel()
        self.last_label = QLabel()
        self.warning_label = _ClickableLabel()
        self.warning_label.setObjectName("syncWarning")
        self.warning_label.setCursor(QCursor(Qt.CursorShape.PointingHandCursor))
        self.warning_label.clicked.connect(self.panelRequested)
        self.progress = QProgressBar()
        self.progress.setObjectName("syncProgress")
        self.progress.setFixedSize(110, 12)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.button = QToolButton()
        self.button.setObjectName("syncButton")
        self.button.setText(self.tr("Sync now"))
        self.button.setToolTip(self.tr("Sync with the district hub now ({shortcut})").format(
            shortcut=QKeySequence(SYNC_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)))
        self.button.setAutoRaise(True)
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.syncRequested)
        for widget in (self.warning_label, self.pending_label, self.last_label,
                       self.state_label, self.progress, self.button):
            bar.addPermanentWidget(widget)

    def _set_state(self, text: str, name: str) -> None:
        self.state_label.setText(text)
        self.state_label.setObjectName(name)
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)

    def show_state(self, online: bool | None, pending: int, last_sync: datetime | None,
                   warning: str | None, *, configured: bool | None = None) -> None:
        """Show the sync state: ``online`` None means sync is not set up (no hub address) or, with
        ``configured`` True, not known yet (no round so far).

        ``last_sync`` is an aware datetime (shown in Asia/Shanghai); ``warning`` a short sentence
        for the specialist (clicking it opens the sync panel), or None.
        """
        if online is None and configured:
            self._set_state(self.tr("○ Not synced yet"), "syncOffline")
        elif online is None:
            self._set_state(self.tr("Sync not set up"), "syncOffline")
        elif online:
            self._set_state(self.tr("● Online"), "syncOnline")
        else:
            self._set_state(self.tr("● Offline"), "syncOffline")
        self.show_pending(pending)
        if last_sync is None:
            self.last_label.setText(self.tr("Last sync: never"))
        else:
            local = to_local(last_sync)
            self.last_label.setText(self.tr("Last sync: {time}").format(time=local.strftime("%m-%d %H:%M")))
            self.last_label.setToolTip(local.strftime("%Y-%m-%d %H:%M:%S"))
        self._warning = warning or ""
        metrics = self.warning_label.fontMetrics()
        self.warning_label.setText(metrics.elidedText(self._warning, Qt.TextElideMode.ElideRight,
                                                      WARNING_MAX_WIDTH))
        self.warning_label.setToolTip((warning + "\n" + self.tr("Click for the sync panel")) if warning else "")
        self.warning_label.setVisible(bool(warning))

    def show_pending(self, pending: int) -> None:
        self.pending_label.setText(self.tr("Waiting to sync: {count}").format(count=max(0, pending)))

    def show_status(self, status: SyncStatus, online: bool | None, warnings: list[str]) -> None:
        """A status read by the controller, with the warnings it derived from it."""
        self.show_state(online, status.pending, status.last_success_at, warnings[0] if warnings else None,
                        configured=status.configured)
        if len(warnings) > 1:
            self.warning_label.setToolTip("\n".join(warnings) + "\n" + self.tr("Click for the sync panel"))
        others = status.pending - status.pending_requests
        self.pending_label.setToolTip(
            self.tr("{requests} request(s) and {others} other record(s) (companies, timeline entries) "
                    "wait to be sent").format(requests=status.pending_requests, others=others))
        self.button.setEnabled(True)

    def round_started(self) -> None:
        self._set_state(self.tr("⟳ Syncing…"), "syncOnline")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.button.setEnabled(False)

    def progressed(self, phase: str, done: int, total: int) -> None:
        if phase == "checking":
            text = self.tr("⟳ Contacting the district hub…")
        elif phase == "pushing":
            text = self.tr("⟳ Sending {done} of {total}").format(done=done, total=total) if total \
                else self.tr("⟳ Sending…")
        elif phase == "pulling":
            text = self.tr("⟳ Receiving updates: {count}").format(count=done)
        else:
            return
        self.state_label.setText(text)
        if phase == "pushing" and total:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        else:
            self.progress.setRange(0, 0)

    def round_finished(self) -> None:
        self.progress.hide()
        self.button.setEnabled(True)
