"""The "Contacts and callbacks" card of the detail pane (issue 14 §3).

A contact with the company — channel (phone, visit, message), a summary and, optionally, the
day of the next callback — is recorded through :func:`xuhui_desk.services.followup.record_contact`
on the write thread; a refusal (empty summary, a day in the past) is said in the card and the
form keeps what was typed. The request's open callbacks
(:func:`~xuhui_desk.services.followup.open_callbacks`) are listed with "Callback done"
(:func:`~xuhui_desk.services.followup.complete_callbacks`); a new contact closes them too.

Keyboard: Ctrl+K (anywhere in the pane) opens the form with the summary focused, Ctrl+Enter
saves it, Esc cancels it; Tab walks channel, summary, callback switch, day, buttons.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.services import labels
from xuhui_desk.services.followup import (
    CONTACT_CHANNELS,
    ContactResult,
    OpenCallback,
    complete_callbacks,
    open_callbacks,
    record_contact,
    shanghai_day,
)
from xuhui_desk.ui.detail.forms import ButtonRow, button_row, wrapping_form
from xuhui_desk.ui.detail.pane_card import PaneCard
from xuhui_desk.ui.queue import model as queue_model
from xuhui_desk.ui.tasks import TaskRunner

# Opens the contact form from anywhere in the detail pane.
CONTACT_SHORTCUT = "Ctrl+K"


class ContactsCard(PaneCard):
    """Record contacts and see / close the open callbacks (see the module documentation)."""

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.db = db
        self._callbacks: list[OpenCallback] = []
        self._tracking_no = ""
        self.callbacks_label = QLabel()
        self.callbacks_label.setObjectName("callbackLine")
        self.callbacks_label.setWordWrap(True)
        self.callbacks_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.callbacks_done = QPushButton()
        self.callbacks_done.setObjectName("callbacksDone")
        self.callbacks_done.clicked.connect(self.complete)
        self.callbacks_row = QWidget()
        row = QVBoxLayout(self.callbacks_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.callbacks_label)
        row.addWidget(button_row(self.callbacks_done))
        self.callbacks_row.hide()
        self.body.addWidget(self.callbacks_row)

        self.open_button = QPushButton()
        self.open_button.setObjectName("recordContact")
        self.open_button.clicked.connect(self.open_form)
        self.open_row = button_row(self.open_button)
        self.body.addWidget(self.open_row)

        self.form_panel = QFrame()
        self.form_panel.setObjectName("contactForm")
        panel = QVBoxLayout(self.form_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.setSpacing(6)
        self.form = wrapping_form()
        self.channel_caption = QLabel()
        self.channel_caption.setObjectName("detailLabel")
        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("contactChannel")
        for channel in CONTACT_CHANNELS:
            self.channel_combo.addItem("", channel)
        self.channel_caption.setBuddy(self.channel_combo)
        self.form.addRow(self.channel_caption, self.channel_combo)
        self.summary_caption = QLabel()
        self.summary_caption.setObjectName("detailLabel")
        self.summary_edit = QPlainTextEdit()
        self.summary_edit.setObjectName("contactSummary")
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 16)
        self.summary_caption.setBuddy(self.summary_edit)
        self.form.addRow(self.summary_caption, self.summary_edit)
        self.callback_check = QCheckBox()
        self.callback_check.setObjectName("contactCallback")
        self.callback_date = QDateEdit()
        self.callback_date.setObjectName("contactCallbackDate")
        self.callback_date.setCalendarPopup(True)
        self.callback_date.setDisplayFormat("yyyy-MM-dd")
        self.callback_date.setEnabled(False)
        self.callback_check.toggled.connect(self.callback_date.setEnabled)
        self.form.addRow(self.callback_check, self.callback_date)
        panel.addLayout(self.form)
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveContact")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel)
        self.form_buttons: ButtonRow = button_row(self.cancel_button, self.save_button)
        panel.addWidget(self.form_buttons)
        self.form_panel.hide()
        self.body.addWidget(self.form_panel)

        for keys, slot in (("Ctrl+Return", self.save), ("Ctrl+Enter", self.save), ("Escape", self.cancel)):
            shortcut = QShortcut(QKeySequence(keys), self.form_panel)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def retranslate(self, language: str) -> None:
        self._language = language
        self.title.setText(self.tr("Contacts and callbacks"))
        shortcut = QKeySequence(CONTACT_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)
        # The shortcut in the tooltip: the button must fit a 230 px pane.
        self.open_button.setText(self.tr("Record a contact…"))
        self.open_button.setToolTip(self.tr("Record a call, visit or message with the company ({shortcut})").format(
            shortcut=shortcut))
        self.channel_caption.setText(self.tr("C&hannel"))
        self.summary_caption.setText(self.tr("&Summary"))
        self.summary_edit.setPlaceholderText(self.tr("Who was reached and what was said (Ctrl+Enter saves, "
                                                     "Esc cancels)"))
        self.callback_check.setText(self.tr("Call &back on"))
        self.save_button.setText(self.tr("Save contact"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.callbacks_done.setText(self.tr("Callback done"))
        self.callbacks_done.setToolTip(self.tr("The company called in, or the call is no longer needed"))
        for i in range(self.channel_combo.count()):
            self.channel_combo.setItemText(i, labels.channel_label(self.channel_combo.itemData(i), language))
        self._show_callbacks()

    # --- the request shown --------------------------------------------------------------------

    def follow(self, uuid: str | None) -> None:
        """The pane now shows ``uuid`` (None: nothing); another request forgets typed input."""
        if uuid != self._uuid:
            self.clear_messages()
            self.cancel()
            self._callbacks = []
            self._show_callbacks()
        self._uuid = uuid

    def show_request(self, uuid: str, tracking_no: str) -> None:
        """Read the request's open callbacks (in the background)."""
        self._tracking_no = tracking_no

        def shown(callbacks: list[OpenCallback]) -> None:
            if uuid == self._uuid:
                self._callbacks = callbacks
                self._show_callbacks()

        self.tasks.run(lambda _p: open_callbacks(self.db, uuid), on_success=shown,
                       on_failure=lambda _exc: None, owner=self, latest="callbacks")

    @property
    def callbacks(self) -> list[OpenCallback]:
        return list(self._callbacks)

    def _show_callbacks(self) -> None:
        if not self._callbacks:
            self.callbacks_row.hide()
            return
        today = shanghai_day(queue_model.clock()).isoformat()
        lines = []
        for callback in self._callbacks:
            if callback.due_on < today:
                text = self.tr("⚠ Callback overdue since {day}")
            elif callback.due_on == today:
                text = self.tr("Callback due today ({day})")
            else:
                text = self.tr("Callback planned for {day}")
            text = text.format(day=callback.due_on)
            if callback.specialist:
                text += " · " + callback.specialist
            lines.append(text)
        self.callbacks_label.setText("\n".join(lines))
        self.callbacks_row.show()

    def has_unsaved_input(self) -> bool:
        return self.form_panel.isVisible() and bool(self.summary_edit.toPlainText().strip())

    # --- the form -----------------------------------------------------------------------------

    def open_form(self) -> None:
        """Ctrl+K: the contact form, the summary focused; the callback day defaults to tomorrow."""
        if self._uuid is None:
            return
        self.clear_messages()
        if not self.form_panel.isVisible():
            today = shanghai_day(queue_model.clock())
            self.callback_date.setMinimumDate(QDate(today.year, today.month, today.day))
            tomorrow = today + timedelta(days=1)
            self.callback_date.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
            self.callback_check.setChecked(False)
            self.channel_combo.setCurrentIndex(0)
        self.form_panel.show()
        self.open_row.hide()
        self.summary_edit.setFocus()
        self.reveal.emit(self.form_panel)

    def cancel(self) -> None:
        """Esc: close the form, forgetting what was typed."""
        had_focus = self.form_panel.isAncestorOf(self.focusWidget()) if self.focusWidget() else False
        self.form_panel.hide()
        self.open_row.show()
        self.summary_edit.clear()
        self.callback_check.setChecked(False)
        if had_focus:
            self.open_button.setFocus()

    def callback_day(self) -> date | None:
        if not self.callback_check.isChecked():
            return None
        day = self.callback_date.date().toPython()
        assert isinstance(day, date)  # QDate.toPython() is typed as object
        return day

    def save(self) -> None:
        """Ctrl+Enter: record the contact; the form stays open with its text when refused."""
        if self._uuid is None or not self.form_panel.isVisible():
            return
        summary = self.summary_edit.toPlainText().strip()
        if not summary:
            self.show_error(self.tr("Type a summary first: what was said with the company."))
            self.summary_edit.setFocus()
            return
        uuid, channel, day, now = self._uuid, self.channel_combo.currentData(), self.callback_day(), \
            queue_model.clock()

        def saved(result: ContactResult) -> None:
            self.cancel()
            self.open_button.setFocus()
            text = self.tr("Contact recorded")
            if result.callback_on:
                text = self.tr("Contact recorded; callback planned for {day}").format(day=result.callback_on)
            self.show_done(text)

        self.run_write(lambda: record_contact(self.db, uuid, channel, summary, day, now=now), saved,
                       on_refused=lambda _exc: self.summary_edit.setFocus())

    def complete(self) -> None:
        """Mark the request's open callbacks done (without a new contact)."""
        if self._uuid is None or not self._callbacks:
            return
        uuid, now = self._uuid, queue_model.clock()
        self.run_write(lambda: complete_callbacks(self.db, uuid, now=now),
                       lambda _n: self.show_done(self.tr("Callback marked done")))

    def set_busy(self, busy: bool) -> None:
        super().set_busy(busy)
        for button in (self.save_button, self.callbacks_done):
            button.setEnabled(not busy)
