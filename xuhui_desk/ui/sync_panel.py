"""The sync panel: the state of sync with the district hub and the records the hub refused.

Each refused (quarantined) record is listed with the hub's reason in the GUI's language
(:meth:`~xuhui_desk.services.sync.RejectedRecord.message`). The specialist opens a request to
fix it in the detail view — a correction saved there (intake correction, status, category,
note) queues it again by itself — or, when the problem was fixed at the hub, resends it
(:func:`~xuhui_desk.services.sync.resend`) and a round starts at once. A refused company opens
the directory, where saving a corrected entry queues it again.

Reached from the status bar's warning and from Sync ▸ Refused records. Not modal: the
specialist keeps working in the main window while it is open. Reads and writes run in the
background like everything else.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from xuhui_desk.codes import SyncErrorKind
from xuhui_desk.db import Database
from xuhui_desk.services import labels
from xuhui_desk.services.timefmt import to_local
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.sync_controller import SyncController, is_online
from xuhui_desk.ui.tasks import Progress, TaskRunner

if TYPE_CHECKING:
    from xuhui_desk.services.sync import RefusedRow, SyncStatus, SyncSummary

log = logging.getLogger(__name__)

RECORD_COLUMN_WIDTH = 250

PANEL_STYLE = """
QTableWidget#syncRejected {
    background: #ffffff; alternate-background-color: #f8fafc; border: 1px solid #dde2ea; border-radius: 6px;
    gridline-color: #eef1f5; selection-background-color: #cfe0f7; selection-color: #102a43;
}
QTableWidget#syncRejected QHeaderView::section {
    background: #f3f5f8; color: #334e68; border: none; border-bottom: 1px solid #dde2ea;
    border-right: 1px solid #e6eaf0; padding: 4px 6px; font-weight: bold;
}
QLabel#syncPanelState { color: #334e68; }
QLabel#syncPanelEmpty { color: #2e7d32; }
QLabel#syncPanelEmpty[state="neutral"] { color: #52606d; }
QLabel#syncPanelEmpty[state="waiting"] { color: #a15c00; }
"""


def _refused_rows(db: Database, language: str) -> list[RefusedRow]:
    """The panel's rows (on a worker): the service loads only when the panel first reads."""
    from xuhui_desk.services.sync import refused_rows

    return refused_rows(db, language)


class SyncPanel(QDialog):
    """The sync panel (see the module documentation)."""

    # Open this request (uuid) in the detail view to fix it.
    openRequest = Signal(str)
    # Open the directory at this company (its name).
    openEnterprise = Signal(str)
    # Open the Settings page (sync is not set up).
    openSettings = Signal()

    def __init__(self, db: Database, tasks: TaskRunner, controller: SyncController,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.controller = controller
        self.rows: list[RefusedRow] = []
        self.status: SyncStatus | None = None
        self._loaded = False
        self.setObjectName("syncPanel")
        self.setStyleSheet(PANEL_STYLE)
        self.setWindowTitle(self.tr("Sync with the district hub"))
        self.setModal(False)
        self.resize(900, 460)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        self.title = QLabel(self.tr("Records the district hub refused"))
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.state_label = QLabel()
        self.state_label.setObjectName("syncPanelState")
        self.state_label.setWordWrap(True)
        layout.addWidget(self.state_label)
        self.warning_label = QLabel()
        self.warning_label.setObjectName("syncWarning")
        self.warning_label.setWordWrap(True)
        layout.addWidget(self.warning_label)
        self.help = QLabel(self.tr(
            "A refused record stays on this computer and is not sent again until it is corrected. Open it, "
            "correct what the hub names and save: it is sent with the next sync. Use Resend when the "
            "problem was solved at the hub."))
        self.help.setObjectName("muted")
        self.help.setWordWrap(True)
        layout.addWidget(self.help)

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("syncRejected")
        self.table.setAlternatingRowColors(True)
        # Reasons are sentences: they wrap instead of being cut off.
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.setHorizontalHeaderLabels([self.tr("Record"), self.tr("Type"), self.tr("Problem"),
                                              self.tr("Reason given by the hub")])
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, RECORD_COLUMN_WIDTH)
        header.sectionResized.connect(lambda *_args: self.table.resizeRowsToContents())
        self.table.itemActivated.connect(lambda _item: self.open_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)
        self.empty = QLabel()
        self.empty.setObjectName("syncPanelEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)

        buttons = QHBoxLayout()
        self.open_button = QPushButton(self.tr("Open to correct"))
        self.open_button.setProperty("primary", True)
        self.open_button.clicked.connect(self.open_selected)
        self.resend_button = QPushButton(self.tr("Resend selected"))
        self.resend_button.clicked.connect(self.resend_selected)
        self.resend_all_button = QPushButton(self.tr("Resend all"))
        self.resend_all_button.clicked.connect(self.resend_all)
        self.sync_button = QPushButton(self.tr("Sync now"))
        self.sync_button.clicked.connect(self.controller.sync_now)
        self.settings_button = QPushButton(self.tr("Open settings"))
        self.settings_button.setProperty("primary", True)
        self.settings_button.clicked.connect(self._open_settings)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.close)
        for button in (self.open_button, self.resend_button, self.resend_all_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.settings_button)
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setObjectName("muted")
        layout.addWidget(self.message)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self).activated.connect(self.reload)

        controller.statusChanged.connect(self._status_changed)
        controller.roundStarted.connect(self._round_started)
        controller.roundFinished.connect(self._round_finished)
        self._status_changed(controller.status)
        self._show_rows([])

    # --- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the refused records again (background)."""
        language = current_language()

        def done(rows: list[RefusedRow]) -> None:
            self._loaded = True
            self._show_rows(rows)

        self.tasks.run(lambda _p: _refused_rows(self.db, language), on_success=done, owner=self, latest="rows",
                       on_failure=lambda exc: self._say(self.tr("The refused records could not be read: {error}")
                                                        .format(error=exc)))

    @property
    def loaded(self) -> bool:
        return self._loaded

    def _show_rows(self, rows: list[RefusedRow]) -> None:
        self.rows = rows
        self.table.clearContents()
        self.table.setRowCount(len(rows))
        language = current_language()
        for index, row in enumerate(rows):
            texts = [self.record_text(row, language), self.type_text(row.type), self.problem_text(row.kind),
                     row.reason]
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, index)
                item.setToolTip(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                self.table.setItem(index, column, item)
        self.table.resizeRowsToContents()
        if rows:
            self.table.selectRow(0)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self._show_empty_text()
        self.resend_all_button.setEnabled(bool(rows))
        self._update_buttons()

    def record_text(self, row: RefusedRow, language: str) -> str:
        if row.type == "enterprise":
            return row.name
        text = "\n".join(p for p in (row.tracking_no, row.name) if p)
        if row.type == "event" and row.event_kind:
            text += " · " + labels.event_label(row.event_kind, language)
        return text

    def type_text(self, record_type: str) -> str:
        return {"request": self.tr("Request"), "enterprise": self.tr("Company"),
                "event": self.tr("Timeline entry"), "policy_push": self.tr("Policies handed over"),
                "change": self.tr("Update from the district")}.get(record_type, record_type)

    def problem_text(self, kind: str) -> str:
        return {"rejected": self.tr("Refused"), "too_large": self.tr("Too large for the hub"),
                "timeout": self.tr("The hub timed out on it"),
                "pulled": self.tr("Not applied (invalid)")}.get(kind, kind)

    def selected_rows(self) -> list[RefusedRow]:
        out = []
        for model_index in self.table.selectionModel().selectedRows():
            index = model_index.row()
            if 0 <= index < len(self.rows):
                out.append(self.rows[index])
        return out

    def _update_buttons(self) -> None:
        selected = self.selected_rows()
        self.open_button.setEnabled(len(selected) == 1)
        self.resend_button.setEnabled(bool(selected))

    # --- actions ------------------------------------------------------------------------------

    def open_selected(self) -> None:
        """Open the selected record where it can be corrected (the request's detail, or the directory)."""
        selected = self.selected_rows()
        if len(selected) != 1:
            return
        row = selected[0]
        if row.request_uuid:
            self.openRequest.emit(row.request_uuid)
        elif row.type == "enterprise":
            self.openEnterprise.emit(row.name)

    def resend_selected(self) -> None:
        self._resend([r.uuid for r in self.selected_rows()])

    def resend_all(self) -> None:
        self._resend(None)

    def _resend(self, uuids: list[str] | None) -> None:
        if uuids is not None and not uuids:
            return

        def work(_progress: Progress) -> int:
            from xuhui_desk.services.sync import resend

            return resend(self.db, uuids)

        def done(count: int) -> None:
            self._say(self.tr("{count} record(s) queued again.").format(count=count))
            self.reload()
            self.controller.refresh_status()
            self.controller.sync_now()

        self.tasks.run(work, on_success=done, write=True, owner=self,
                       on_failure=lambda exc: self._say(self.tr("Not queued again: {error}").format(error=exc)))

    def _say(self, text: str) -> None:
        if isValid(self):
            self.message.setText(text)

    # --- the state ----------------------------------------------------------------------------

    def _status_changed(self, status: SyncStatus | None) -> None:
        # This slot and the round slots below hang on the long-lived controller's signals, not on
        # a task (tasks are dropped by the runner's owner rule): the panel closes with
        # WA_DeleteOnClose, and a signal already queued may still arrive for it.
        if not isValid(self):
            return
        self.status = status
        self.state_label.setText(self.state_text(status))
        warnings = self.controller.warnings(status, refused=False)
        self.warning_label.setText("\n".join(warnings))
        self.warning_label.setVisible(bool(warnings))
        configured = status is not None and status.configured
        # Without a hub there is nothing to sync with: the way forward is Settings.
        self.settings_button.setVisible(status is not None and not configured)
        self.sync_button.setVisible(configured)
        self.sync_button.setEnabled(configured and not self.controller.running)
        self._show_empty_text()

    def _show_empty_text(self) -> None:
        """What an empty list means depends on the state: all clear only when records did reach the hub."""
        status = self.status
        if status is None:
            text, state = "", "neutral"
        elif not status.configured:
            text = self.tr("Nothing is sent while sync is not set up: {count} record(s) wait on this computer. "
                           "Enter the hub address and the station token in Settings.").format(count=status.pending)
            state = "waiting"
        elif status.last_success_at is None:
            text = self.tr("No refused records. Nothing has reached the district hub yet: {count} record(s) "
                           "wait to be sent.").format(count=status.pending)
            state = "waiting" if status.pending else "neutral"
        elif status.pending:
            text = self.tr("No refused records. {count} record(s) wait to be sent with the next sync.").format(
                count=status.pending)
            state = "neutral"
        else:
            text, state = self.tr("No refused records: everything the hub received was accepted."), "ok"
        self.empty.setText(text)
        self.empty.setProperty("state", state)
        self.empty.style().unpolish(self.empty)
        self.empty.style().polish(self.empty)

    def _open_settings(self) -> None:
        self.openSettings.emit()
        self.close()

    def state_text(self, status: SyncStatus | None) -> str:
        if status is None:
            return self.tr("Reading the sync state…")
        if not status.configured:
            return self.tr("Sync is not set up: enter the hub address and the station token in Settings.")
        online = is_online(status)
        state = (self.tr("Online") if online else self.tr("Offline") if online is False
                 else self.tr("Not synced yet"))
        last = self.tr("never") if status.last_success_at is None else _time(status.last_success_at)
        return self.tr("{state} · last successful sync: {last} · waiting to be sent: {pending}").format(
            state=state, last=last, pending=status.pending)

    def _round_started(self) -> None:
        if isValid(self):
            self.sync_button.setEnabled(False)
            self._say(self.tr("Syncing…"))

    def _round_finished(self, summary: SyncSummary) -> None:
        if not isValid(self):
            return
        self.sync_button.setEnabled(self.status is not None and self.status.configured)
        if summary.ok:
            self._say(self.tr("Sync finished: {pushed} sent, {pulled} updates received, {rejected} refused.")
                      .format(pushed=summary.pushed, pulled=summary.pulled, rejected=summary.rejected))
        elif summary.error_kind not in (SyncErrorKind.BUSY, SyncErrorKind.CANCELLED):
            self._say(self.controller.error_text(summary.error_kind or ""))
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()
        self.controller.refresh_status()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.table.resizeRowsToContents()  # wrapped reasons take the lines the new width needs


def _time(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")
