"""The company file dialog (企业档案): profile, contacts and every earlier request of one company,
open ones first, read in the background through :func:`~xuhui_desk.services.company_file.company_file`.

Keyboard: the requests table has the focus; Enter (or a double click) on a request — or on a
contact — opens that request (:attr:`CompanyFileDialog.requestActivated`, the dialog closes);
Ctrl+Tab switches between the requests and the contacts; Esc closes. Opened with ``open()``
(window-modal, returns at once); it deletes itself when closed.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.services import labels
from xuhui_desk.services.company_file import CompanyAmbiguous, CompanyFile, CompanyNotFound, company_file
from xuhui_desk.services.timefmt import display
from xuhui_desk.ui.company_file.model import CompanyRequestsModel, FileColumn, UuidRole
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.open_table import OpenOnEnterTable
from xuhui_desk.ui.tasks import TaskRunner

STYLE = """
QLabel#companyName { font-size: 17px; font-weight: 600; color: #1f2933; }
QLabel#companyFacts { color: #52606d; }
QLabel#companyCounts { color: #1d4f91; font-weight: 600; }
QLabel#companyMessage { color: #a61b1b; }
"""


class CompanyFileDialog(QDialog):
    """The file of the company ``key`` (an enterprise id, a credit code or a name)."""

    #: A request of the file was opened (its uuid).
    requestActivated = Signal(str)
    #: The file was read and shown (or its error shown): the time from the dialog's creation.
    loaded = Signal()

    def __init__(self, db: Database, tasks: TaskRunner, key: str | int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._started = time.perf_counter()
        #: Milliseconds from the creation of the dialog to the file shown (for the benchmark).
        self.open_ms: float | None = None
        self.db = db
        self.tasks = tasks
        self.key = key
        self.file: CompanyFile | None = None
        self._language = current_language()
        self.setObjectName("companyFile")
        self.setStyleSheet(STYLE)
        self.setWindowTitle(self.tr("Company file"))
        self.resize(860, 560)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        self.name = QLabel()
        self.name.setObjectName("companyName")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name.setWordWrap(True)
        self.facts = QLabel()
        self.facts.setObjectName("companyFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.name, 1)
        self.counts = QLabel()
        self.counts.setObjectName("companyCounts")
        top.addWidget(self.counts, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self.facts)
        self.message = QLabel()
        self.message.setObjectName("companyMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.tabs = QTabWidget()
        self.requests = OpenOnEnterTable()
        self.requests.setObjectName("companyRequests")
        self.model = CompanyRequestsModel(self)
        self.requests.setModel(self.model)
        self.contacts = QTableWidget(0, 5)
        self.contacts.setObjectName("companyContacts")
        for table in (self.requests, self.contacts):
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setAlternatingRowColors(True)
            table.setShowGrid(False)
            table.setWordWrap(False)
            table.verticalHeader().hide()
            table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
            table.horizontalHeader().setHighlightSections(False)
        self.requests.horizontalHeader().setStretchLastSection(False)
        self.contacts.horizontalHeader().setStretchLastSection(True)
        self.tabs.addTab(self.requests, "")
        self.tabs.addTab(self.contacts, "")
        self._add_policy_tabs()
        layout.addWidget(self.tabs, 1)
        self.callbacks = QLabel()
        self.callbacks.setWordWrap(True)
        layout.addWidget(self.callbacks)

        self.buttons = QDialogButtonBox()
        self.open_button = QPushButton()
        self.open_button.setDefault(False)
        self.open_button.setAutoDefault(False)
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self.open_current)
        layout.addWidget(self.buttons)

        self.requests.opened.connect(self._open_index)
        self.requests.doubleClicked.connect(self._open_index)
        self.contacts.cellDoubleClicked.connect(lambda row, _c: self._open_contact(row))
        self.contacts.installEventFilter(self)
        for keys in ("Ctrl+Tab", "Ctrl+PgDown", "Ctrl+Shift+Tab", "Ctrl+PgUp"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.next_tab)
        self.setFocusProxy(self.requests)
        self.retranslate()
        self.message.setText(self.tr("Reading the company file…"))
        self.tasks.run(lambda _p: company_file(db, key), on_success=self._show, on_failure=self._failed,
                       owner=self, latest="file")

    def next_tab(self) -> None:
        """Ctrl+Tab: the next tab (requests, contacts, policies, profile), with the focus in it."""
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + 1) % self.tabs.count())
        table = self.tabs.currentWidget()
        table.setFocus(Qt.FocusReason.TabFocusReason)
        if isinstance(table, QTableWidget) and table.currentRow() < 0 and table.rowCount():
            table.selectRow(0)

    def _add_policy_tabs(self) -> None:
        """The 政策 tab (the policies that fit, to hand over, and the lists handed over before) and
        the profile they are matched on (issue 15): filled once the file is read."""
        from xuhui_desk.ui.policies.matches import PolicyMatchesPanel
        from xuhui_desk.ui.policies.profile_editor import ProfileEditor
        from xuhui_desk.ui.policies.pushes import PushHistory

        page = QWidget()
        page.setObjectName("companyPolicies")
        column = QVBoxLayout(page)
        column.setContentsMargins(6, 6, 6, 6)
        self.policies = PolicyMatchesPanel(self.db, self.tasks)
        self.pushes = PushHistory(self.db, self.tasks)
        column.addWidget(self.policies, 1)
        column.addWidget(self.pushes)
        self.profile_editor = ProfileEditor(self.db, self.tasks)
        profile_page = QScrollArea()
        profile_page.setObjectName("companyProfilePage")
        profile_page.setWidgetResizable(True)
        profile_page.setFrameShape(QScrollArea.Shape.NoFrame)
        profile_page.setWidget(self.profile_editor)
        self.tabs.addTab(page, "")
        self.tabs.addTab(profile_page, "")
        self.policies.pushed.connect(lambda _channel: self._reload_pushes())
        self.profile_editor.saved.connect(self.policies.refresh)

    def _reload_pushes(self) -> None:
        if self.file is not None:
            self.pushes.load(self.file.profile.id)

    def show_policies_tab(self) -> None:
        """Show the 政策 tab (opened from Today's new policy)."""
        self.tabs.setCurrentIndex(2)

    def retranslate(self) -> None:
        self.open_button.setText(self.tr("Open request"))
        self.open_button.setToolTip(self.tr("Open the selected request (Enter)"))
        self.close_button.setText(self.tr("Close"))
        self.contacts.setHorizontalHeaderLabels(
            [self.tr("When"), self.tr("Channel"), self.tr("Who"), self.tr("Request"), self.tr("Summary")])
        self._tab_titles()

    def _tab_titles(self) -> None:
        found = self.file
        self.tabs.setTabText(0, self.tr("Requests ({count})").format(count=found.total if found else 0))
        self.tabs.setTabText(1, self.tr("Contacts ({count})").format(count=len(found.contacts) if found else 0))
        self.tabs.setTabText(2, self.tr("Policies"))
        self.tabs.setTabText(3, self.tr("Profile"))

    # --- loading --------------------------------------------------------------------------------

    def _done(self) -> None:
        self.open_ms = (time.perf_counter() - self._started) * 1000
        self.loaded.emit()

    def _show(self, found: CompanyFile) -> None:
        self.file = found
        lang = self._language
        profile = found.profile
        self.setWindowTitle(self.tr("Company file — {name}").format(name=profile.name))
        self.name.setText(profile.name)
        facts = [
            self.tr("Credit code: {code}").format(code=profile.uscc) if profile.uscc else self.tr("No credit code"),
            " ".join(p for p in (profile.contact_name, profile.phone) if p),
            " ".join(p for p in (profile.park, profile.building) if p),
            self.tr("First seen {day}").format(day=display(profile.first_seen_at, with_time=False)),
        ]
        self.facts.setText("  ·  ".join(f for f in facts if f))
        self.counts.setText(self.tr("{total} requests, {open} open").format(
            total=self.locale().toString(found.total), open=self.locale().toString(found.open_count)))
        self.message.setText("" if found.total <= len(found.requests) else self.tr(
            "The {shown} most pressing and most recent requests are listed; all are counted.").format(
                shown=len(found.requests)))
        self.message.setVisible(bool(self.message.text()))
        self.model.set_requests(found.requests)
        self._size_columns()
        self.contacts.setRowCount(len(found.contacts))
        for row, contact in enumerate(found.contacts):
            values = [display(contact.occurred_at), labels.channel_label(contact.channel, lang), contact.actor,
                      contact.tracking_no, contact.summary]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(UuidRole, contact.request_uuid)
                if column == 4:
                    item.setToolTip(contact.summary)
                self.contacts.setItem(row, column, item)
        self.contacts.resizeColumnsToContents()
        if found.open_callbacks:
            self.callbacks.setText(self.tr("Callbacks planned: {list}").format(
                list="；".join(f"{day} {tracking}" for tracking, day in found.open_callbacks)
                if lang == "zh_CN" else "; ".join(f"{day} {tracking}" for tracking, day in found.open_callbacks)))
        self.callbacks.setVisible(bool(found.open_callbacks))
        self._tab_titles()
        self.policies.set_company(profile.id)
        self.pushes.load(profile.id)
        self.profile_editor.load(profile.id)
        if found.requests:
            self.requests.selectRow(0)
        self.requests.setFocus(Qt.FocusReason.OtherFocusReason)
        self._done()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, CompanyAmbiguous):
            text = self.tr("Several companies match “{key}”: {names}. Open the file from the directory.").format(
                key=self.key, names="、".join(exc.candidates))
        elif isinstance(exc, CompanyNotFound):
            text = self.tr("No company matches “{key}”.").format(key=self.key)
        else:
            text = self.tr("The company file could not be read: {error}").format(error=exc)
        self.message.setText(text)
        self.message.show()
        self.callbacks.hide()
        self.close_button.setFocus()
        self._done()

    def _size_columns(self) -> None:
        header = self.requests.horizontalHeader()
        self.requests.resizeColumnsToContents()
        header.setSectionResizeMode(int(FileColumn.DEPARTMENT), QHeaderView.ResizeMode.Stretch)

    # --- opening a request ---------------------------------------------------------------------------

    def open_current(self) -> None:
        """Open the selected request of the tab shown (the button; Enter in a table)."""
        if self.tabs.currentWidget() is self.contacts:
            self._open_contact(self.contacts.currentRow())
        else:
            self._open_index(self.requests.currentIndex())

    def _open_index(self, index: QModelIndex) -> None:
        uuid = self.model.data(index, UuidRole) if index.isValid() else None
        self._activate(uuid)

    def _open_contact(self, row: int) -> None:
        item = self.contacts.item(row, 0) if row >= 0 else None
        self._activate(item.data(UuidRole) if item is not None else None)

    def _activate(self, uuid: Any) -> None:
        if uuid:
            self.requestActivated.emit(str(uuid))
            self.accept()

    def eventFilter(self, watched: Any, event: Any) -> bool:
        from PySide6.QtCore import QEvent

        if (watched is self.contacts and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self._open_contact(self.contacts.currentRow())
            return True
        return super().eventFilter(watched, event)


def open_company_file(parent: QWidget, db: Database, tasks: TaskRunner, key: str | int) -> CompanyFileDialog:
    """Open the file of the company ``key`` window-modal with ``open()`` (never ``exec()``); it
    deletes itself when closed. Connect :attr:`CompanyFileDialog.requestActivated`."""
    dialog = CompanyFileDialog(db, tasks, key, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
