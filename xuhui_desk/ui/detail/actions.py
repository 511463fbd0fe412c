"""The "Handling" card of the detail pane: the workflow's actions on the request shown.

They follow the same rules as ``xuhui-desk update`` because they call the same service
(:func:`xuhui_desk.services.workflow.apply`): only the statuses the workflow allows are offered;
"→ Replied" opens a field for the reply text, which the service requires; a rating only for a
replied or closed request, chosen on purpose (no default), and a dissatisfied one says
beforehand that it reopens the request for rectification and by when
(:func:`~xuhui_desk.services.request_detail.rating_preview`), and asks first; the category only
while the request is open. Every write runs in the background on the runner's one write
thread; a refused change is shown in the red line at the top of the card. Questions that cannot
be undone default to "No".
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QResizeEvent, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.codes import Status
from xuhui_desk.db import Database
from xuhui_desk.services import labels
from xuhui_desk.services.followup import ReplyText, reply_templates
from xuhui_desk.services.request_detail import DetailData, rating_preview
from xuhui_desk.services.timefmt import display
from xuhui_desk.services.workflow import (
    DISSATISFIED_AT_OR_BELOW,
    RATINGS,
    RECTIFICATION_WORKDAYS,
    RatingOutcome,
    WorkflowError,
    apply,
)
from xuhui_desk.ui.detail.forms import button_row, field_row, wrapping_form
from xuhui_desk.ui.flow_layout import FlowLayout
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.queue import model as queue_model
from xuhui_desk.ui.queue.model import taxonomy_label
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.validation import LIMITS, ValidationFailed

log = logging.getLogger(__name__)


def _select(combo: QComboBox, value: str | None) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0) if value else -1)


class _GrowingPanel(QFrame):
    """A panel in a form row as tall as its content at its width: a form row does not ask a
    spanning widget for its height-for-width, and its buttons then overlapped the text above
    them once the caption wrapped (the reply panel, docs/screenshots/detail-reply-*)."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            height = layout.heightForWidth(self.width())
            if height > 0 and height != self.minimumHeight():
                self.setMinimumHeight(height)


class ActionsCard(QFrame):
    """The actions on the request the pane shows (see the module documentation).

    The pane tells the card which request it follows (:meth:`follow`, at once, before the
    request is read) and what it read (:meth:`show_data`). After a write the card emits
    ``saved(uuid)`` or ``refused(uuid)``; the pane reads the request again.
    """

    # A change to this request was saved.
    saved = Signal(str)
    # A change to this request was refused or failed (the reason is shown in the card).
    refused = Signal(str)
    # A write started (True) or ended (False).
    busyChanged = Signal(bool)
    # This widget should be scrolled into view (a panel that just opened).
    reveal = Signal(QWidget)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self._language = current_language()
        self._data: DetailData | None = None
        self._uuid: str | None = None
        self._busy = False
        self.status_buttons: dict[str, QPushButton] = {}
        self._build()

    # --- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        from xuhui_desk.services.taxonomy import load_taxonomy

        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.error = QLabel()
        self.error.setObjectName("actionError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        layout.addWidget(self.error)
        self.done = QLabel()
        self.done.setObjectName("actionDone")
        self.done.setWordWrap(True)
        self.done.hide()
        layout.addWidget(self.done)

        # A form whose rows put the field under its caption when the pane is narrow.
        self.form = form = wrapping_form()
        self.status_caption = QLabel()
        self.status_caption.setObjectName("detailLabel")
        status_holder = QWidget()
        self.status_row = FlowLayout(status_holder)
        # Shown only when no status button is: their order in the row does not matter.
        self.no_status_change = QLabel()
        self.no_status_change.setObjectName("muted")
        self.no_status_change.setWordWrap(True)
        self.status_row.addWidget(self.no_status_change)
        form.addRow(self.status_caption, status_holder)

        # "→ Replied" opens this: the reply is what makes a request replied (audit D11).
        self.reply_panel = _GrowingPanel()
        self.reply_panel.setObjectName("replyPanel")
        reply = QVBoxLayout(self.reply_panel)
        reply.setContentsMargins(0, 0, 0, 4)
        reply.setSpacing(6)
        self.reply_caption = QLabel()
        self.reply_caption.setObjectName("detailLabel")
        self.reply_caption.setWordWrap(True)
        reply.addWidget(self.reply_caption)
        # Ready-made texts of the request's category (services.followup.reply_templates): the
        # one chosen fills the reply, which stays editable.
        self.template_caption = QLabel()
        self.template_caption.setObjectName("detailLabel")
        self.template_combo = QComboBox()
        self.template_combo.setObjectName("replyTemplate")
        self.template_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.template_combo.setMinimumContentsLength(4)
        self.template_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.template_combo.activated.connect(self.use_template)
        self.template_caption.setBuddy(self.template_combo)
        self.template_row = QWidget()
        template_form = QVBoxLayout(self.template_row)
        template_form.setContentsMargins(0, 0, 0, 0)
        template_form.setSpacing(4)
        template_form.addWidget(self.template_caption)
        template_form.addWidget(self.template_combo)
        self.template_row.hide()
        reply.addWidget(self.template_row)
        self._templates: list[ReplyText] = []
        self._template_used = ""
        self.reply_edit = QPlainTextEdit()
        self.reply_edit.setTabChangesFocus(True)
        self.reply_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 16)
        self.reply_caption.setBuddy(self.reply_edit)
        reply.addWidget(self.reply_edit)
        reply.addSpacing(2)
        self.reply_save = QPushButton()
        self.reply_save.setProperty("primary", True)
        self.reply_save.clicked.connect(self.save_reply)
        self.reply_cancel = QPushButton()
        self.reply_cancel.clicked.connect(self.cancel_reply)
        reply.addWidget(button_row(self.reply_cancel, self.reply_save))
        form.addRow(self.reply_panel)
        self.reply_panel.hide()

        taxonomy = load_taxonomy()
        self.category_caption = QLabel()
        self.category_caption.setObjectName("detailLabel")
        self.category_combo = QComboBox()
        for category in taxonomy.categories:
            self.category_combo.addItem("", str(category.code))
        self.category_button = QPushButton()
        self.category_button.clicked.connect(self.change_category)
        form.addRow(self.category_caption, field_row(self.category_combo, self.category_button))

        self.department_caption = QLabel()
        self.department_caption.setObjectName("detailLabel")
        self.department_combo = QComboBox()
        for department in taxonomy.departments:
            self.department_combo.addItem("", department.code)
        self.department_button = QPushButton()
        self.department_button.clicked.connect(self.reassign)
        form.addRow(self.department_caption, field_row(self.department_combo, self.department_button))

        self.note_caption = QLabel()
        self.note_caption.setObjectName("detailLabel")
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 16)
        self.note_button = QPushButton()
        self.note_button.clicked.connect(self.add_note)
        form.addRow(self.note_caption, field_row(self.note_edit, self.note_button, top=True))

        self.rating_caption = QLabel()
        self.rating_caption.setObjectName("detailLabel")
        self.rating_combo = QComboBox()
        # No default: the enterprise's answer is chosen on purpose, never assumed (audit D10).
        for value in sorted(RATINGS, reverse=True):
            self.rating_combo.addItem("", value)
        self.rating_combo.setCurrentIndex(-1)
        self.rating_comment = QLineEdit()
        self.rating_comment.setMaxLength(LIMITS["comment"])
        self.rating_button = QPushButton()
        self.rating_button.clicked.connect(self.rate)
        self.rating_hint = QLabel()
        self.rating_hint.setObjectName("fieldWarning")
        self.rating_hint.setWordWrap(True)
        self.rating_combo.currentIndexChanged.connect(self._rating_chosen)
        self.rating_box = QWidget()
        rating = QVBoxLayout(self.rating_box)
        rating.setContentsMargins(0, 0, 0, 0)
        rating.setSpacing(6)
        self.rating_row = field_row(self.rating_combo, self.rating_button)
        rating.addWidget(self.rating_row)
        rating.addWidget(self.rating_comment)
        form.addRow(self.rating_caption, self.rating_box)
        self.category_combo.setObjectName("categoryCombo")
        self.department_combo.setObjectName("departmentCombo")
        self.rating_combo.setObjectName("ratingCombo")
        for combo in (self.category_combo, self.department_combo, self.rating_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            # Narrow enough for a ~300 px pane; wider panes give the combo the room (it expands).
            combo.setMinimumContentsLength(4)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout.addLayout(form)
        # Below the form, not in it: a form row does not grow with a label that wraps onto more
        # lines in a narrow pane (its height-for-width is asked at the wrong width).
        layout.addWidget(self.rating_hint)

    @property
    def combos(self) -> tuple[QComboBox, ...]:
        """The card's choices (the pane re-fits its forms when one changes)."""
        return self.category_combo, self.department_combo, self.rating_combo

    def retranslate(self, language: str) -> None:
        """Every text of the card in ``language`` (the pane calls it on a language change)."""
        self._language = language
        self.title.setText(self.tr("Handling"))
        self.status_caption.setText(self.tr("Status"))
        self.no_status_change.setText(self.tr("Final status: no further change"))
        self.reply_caption.setText(self.tr("&Reply to the enterprise (required for “Replied”)"))
        self.reply_edit.setPlaceholderText(self.tr("What the enterprise was told: the answer, the next step, "
                                                   "who to contact (Ctrl+Enter saves)"))
        self.reply_save.setText(self.tr("Save reply"))
        self.template_caption.setText(self.tr("Ready-made &text"))
        self.template_combo.setToolTip(self.tr("The text chosen fills the reply; edit it before saving"))
        self.template_combo.setPlaceholderText(self.tr("Choose a text…"))
        self.reply_cancel.setText(self.tr("Cancel"))
        self.category_caption.setText(self.tr("Category"))
        self.category_button.setText(self.tr("Re-route"))
        self.category_button.setToolTip(self.tr("Move the request to this category (its department follows)"))
        self.department_caption.setText(self.tr("Department"))
        self.department_button.setText(self.tr("Reassign"))
        self.note_caption.setText(self.tr("Note"))
        self.note_edit.setPlaceholderText(self.tr("What was done or agreed (Ctrl+Enter adds it)"))
        self.note_button.setText(self.tr("Add note"))
        self.rating_caption.setText(self.tr("Rating"))
        self.rating_combo.setPlaceholderText(self.tr("Choose…"))
        self.rating_comment.setPlaceholderText(self.tr("Comment (optional)"))
        self.rating_button.setText(self.tr("Save rating"))
        for i in range(self.category_combo.count()):
            self.category_combo.setItemText(i, taxonomy_label(self.category_combo.itemData(i), language))
        for i in range(self.department_combo.count()):
            self.department_combo.setItemText(i, taxonomy_label(self.department_combo.itemData(i), language))
        for i in range(self.rating_combo.count()):
            value = self.rating_combo.itemData(i)
            self.rating_combo.setItemText(
                i, self.tr("{label} ({value})").format(label=labels.rating_label(value, language), value=value))
        self._rating_chosen()

    # --- the request shown --------------------------------------------------------------------

    def follow(self, uuid: str | None) -> None:
        """The pane now shows ``uuid`` (None: nothing); another request forgets typed input."""
        if uuid != self._uuid:
            self.forget_input()
        self._uuid = uuid
        if uuid is None:
            self._data = None

    def show_data(self, data: DetailData) -> None:
        """Offer what the workflow allows for ``data``."""
        self._data = data
        self._show_status_buttons(data)
        _select(self.category_combo, data.category)
        _select(self.department_combo, data.department)
        self.category_combo.setEnabled(data.is_open)
        self.category_button.setEnabled(data.is_open and not self._busy)
        self.department_button.setEnabled(not self._busy)
        self.form.setRowVisible(self.rating_box, data.ratable)
        if not data.ratable:
            self.rating_combo.setCurrentIndex(-1)
        if Status.REPLIED.value not in data.allowed:
            self.reply_panel.hide()
        self._rating_chosen()

    def has_unsaved_input(self) -> bool:
        """A note, a reply or a rating comment typed and not saved yet."""
        return bool(self.note_edit.toPlainText().strip() or self.rating_comment.text().strip()
                    or self.reply_edit.toPlainText().strip())

    def forget_input(self) -> None:
        """Messages, the reply field and typed input of the request shown before."""
        self.clear_messages()
        self.reply_panel.hide()
        self.reply_edit.clear()
        self.note_edit.clear()
        self.rating_comment.clear()
        self.rating_combo.setCurrentIndex(-1)

    def _show_status_buttons(self, data: DetailData) -> None:
        for button in self.status_buttons.values():
            self.status_row.removeWidget(button)
            button.deleteLater()
        self.status_buttons = {}
        self.no_status_change.setVisible(not data.allowed)
        for status in data.allowed:
            button = QPushButton(self.tr("→ {status}").format(status=labels.status_label(status, self._language)))
            button.setObjectName(f"status_{status}")
            button.setToolTip(self.tr("Change the status to “{status}”").format(
                status=labels.status_label(status, self._language)))
            button.setEnabled(not self._busy)
            button.clicked.connect(lambda _checked=False, s=status: self.change_status(s))
            self.status_row.addWidget(button)
            self.status_buttons[status] = button

    # --- writing ------------------------------------------------------------------------------

    def clear_messages(self) -> None:
        self.error.hide()
        self.done.hide()

    def show_error(self, exc: BaseException) -> None:
        """Say why a change was not saved (a refusal in the user's words)."""
        if isinstance(exc, ValidationFailed):
            message = "; ".join(issue.message(self._language) for issue in exc.issues)
        else:
            message = str(exc)
        self.error.setText(self.tr("Not saved: {reason}").format(reason=message))
        self.error.show()
        self.done.hide()

    def _refuse(self, text: str, focus: QWidget) -> None:
        self.error.setText(text)
        self.error.show()
        self.done.hide()
        focus.setFocus()

    @property
    def busy(self) -> bool:
        """A write is running (the buttons are disabled until it ends)."""
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (*self.status_buttons.values(), self.category_button, self.department_button,
                       self.note_button, self.rating_button, self.reply_save):
            button.setEnabled(not busy)
        if not busy and self._data is not None:
            self.category_button.setEnabled(self._data.is_open)
        self._enable_rating_button()
        self.busyChanged.emit(busy)

    def write(self, work: Callable[[], object], done_text: str, on_saved: Callable[[], None] | None = None) -> None:
        """Run ``work`` (a write through a service) in the background, one at a time; say
        ``done_text`` when it is saved, and call ``on_saved`` if the pane still shows the same
        request. Nothing happens while another write runs or no request is shown."""
        uuid = self._uuid
        if uuid is None or self._busy:
            return
        self.clear_messages()
        self._set_busy(True)

        def succeeded(_result: object) -> None:
            self._set_busy(False)
            if on_saved is not None and uuid == self._uuid:
                on_saved()
            self.done.setText(done_text)
            self.done.show()
            self.saved.emit(uuid)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            if not isinstance(exc, WorkflowError | ValidationFailed | LookupError):
                # A refusal is the user's to read; anything else is also the log's.
                log.error("saving a change to %s failed: %s", uuid, exc)
            self.show_error(exc)
            self.refused.emit(uuid)

        # owner=self: a pane closed meanwhile gets no callback (the write itself still completes).
        self.tasks.run(lambda _p: work(), on_success=succeeded, on_failure=failed, owner=self, write=True)

    def confirm(self, title: str, text: str, yes: str, no: str) -> bool:
        """Ask before something that cannot be undone; "No" is the default and Esc (audit D21)."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("detailConfirm")
        yes_button = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
        no_button = box.addButton(no, QMessageBox.ButtonRole.NoRole)
        yes_button.setObjectName("confirmYes")
        no_button.setObjectName("confirmNo")
        box.setDefaultButton(no_button)
        box.setEscapeButton(no_button)
        box.exec()
        answer = box.clickedButton() is yes_button
        box.deleteLater()
        return answer

    def change_status(self, status: str) -> None:
        data = self._data
        if data is None or status not in data.allowed:
            return
        if status == Status.REPLIED:
            # The reply text is required; typing it is the confirmation.
            self.open_reply()
            return
        label = labels.status_label(status, self._language)
        if status == Status.CANCELLED and not self.confirm(
                self.tr("Cancel the request"),
                self.tr("Cancel {tracking_no}? A cancelled request cannot be reopened.").format(
                    tracking_no=data.tracking_no),
                self.tr("Cancel the request"), self.tr("Keep it")):
            return
        uuid = data.uuid
        self.write(lambda: apply(self.db, uuid, status=status),
                   self.tr("Status changed to “{status}”").format(status=label))

    def open_reply(self) -> None:
        """Show the reply field ("→ Replied" was chosen)."""
        self.clear_messages()
        self.reply_panel.show()
        # Lay the panel out now, so that scrolling it into view (and a click) meets its real place.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.reply_edit.setFocus()
        self.reveal.emit(self.reply_panel)
        self._load_templates()

    def _load_templates(self) -> None:
        """The ready-made texts of the request's category, in the pane's language (background)."""
        data = self._data
        if data is None:
            return
        uuid, category, language = data.uuid, data.category, self._language

        def shown(texts: list[ReplyText]) -> None:
            if uuid != self._uuid:
                return
            self._templates = texts
            self.template_combo.clear()
            for entry in texts:
                self.template_combo.addItem(entry.title)
                self.template_combo.setItemData(self.template_combo.count() - 1, entry.text,
                                                Qt.ItemDataRole.ToolTipRole)
            self.template_combo.setCurrentIndex(-1)
            self.template_row.setVisible(bool(texts))

        self.tasks.run(lambda _p: reply_templates(self.db, category, language), on_success=shown,
                       on_failure=lambda _exc: self.template_row.hide(), owner=self, latest="reply-templates")

    @property
    def templates(self) -> list[ReplyText]:
        return list(self._templates)

    def use_template(self, index: int) -> None:
        """Fill the reply with the chosen text. What the specialist typed is kept: the text
        replaces only an empty reply or an unchanged ready-made one, else it is added below."""
        if not 0 <= index < len(self._templates):
            return
        text = self._templates[index].text
        typed = self.reply_edit.toPlainText()
        if typed.strip() and typed != self._template_used:
            text = typed.rstrip() + "\n\n" + text
        self.reply_edit.setPlainText(text)
        self._template_used = text
        self.reply_edit.setFocus()
        self.reply_edit.moveCursor(QTextCursor.MoveOperation.End)

    def cancel_reply(self) -> None:
        self.reply_panel.hide()
        self.reply_edit.clear()
        self._template_used = ""
        self.template_combo.setCurrentIndex(-1)

    def save_reply(self) -> None:
        """Mark the request replied with the reply typed (refused, and said so, when empty)."""
        data = self._data
        if data is None or not self.reply_panel.isVisible():
            return
        text = self.reply_edit.toPlainText().strip()
        if not text:
            self._refuse(self.tr("Type the reply first: what the enterprise was told. "
                                 "“Replied” is saved together with it."), self.reply_edit)
            return
        uuid = data.uuid
        # The text stays until the save is through: a refused reply is still there to correct.
        self.write(lambda: apply(self.db, uuid, status=Status.REPLIED.value, reply=text),
                   self.tr("Reply saved; status changed to “{status}”").format(
                       status=labels.status_label(Status.REPLIED, self._language)),
                   on_saved=self.cancel_reply)

    def change_category(self) -> None:
        data = self._data
        category = self.category_combo.currentData()
        if data is None or not category or category == data.category:
            return
        uuid = data.uuid
        self.write(lambda: apply(self.db, uuid, category=category),
                   self.tr("Re-routed to “{category}”").format(category=taxonomy_label(category, self._language)))

    def reassign(self) -> None:
        data = self._data
        department = self.department_combo.currentData()
        if data is None or not department or department == data.department:
            return
        uuid = data.uuid
        self.write(lambda: apply(self.db, uuid, department=department),
                   self.tr("Reassigned to “{department}”").format(
                       department=taxonomy_label(department, self._language)))

    def add_note(self) -> None:
        data = self._data
        note = self.note_edit.toPlainText().strip()
        if data is None:
            return
        if not note:
            self._refuse(self.tr("Type the note first."), self.note_edit)
            return
        uuid = data.uuid
        # Cleared once saved: a refused note is still there to correct.
        self.write(lambda: apply(self.db, uuid, note=note), self.tr("Note added"), on_saved=self.note_edit.clear)

    # --- rating -------------------------------------------------------------------------------

    def rate(self) -> None:
        """Save the chosen rating; a dissatisfied one first says what follows and asks."""
        data = self._data
        value = self.rating_combo.currentData()
        if data is None or value is None or not data.ratable or self._busy:
            return
        rating, comment, uuid = int(value), self.rating_comment.text().strip(), data.uuid
        label = labels.rating_label(rating, self._language)

        def saved() -> None:
            self.rating_comment.clear()
            self.rating_combo.setCurrentIndex(-1)

        def save() -> None:
            self.write(lambda: apply(self.db, uuid, rating=rating, comment=comment),
                       self.tr("Rating saved: {label}").format(label=label), on_saved=saved)

        if rating > DISSATISFIED_AT_OR_BELOW:
            save()
            return

        def ask(outcome: RatingOutcome) -> None:
            if uuid != self._uuid or self.rating_combo.currentData() != rating:
                return  # another request or another choice meanwhile: nothing is saved
            text = self.tr("Save the rating “{label} ({value})” for {tracking_no}?").format(
                label=label, value=rating, tracking_no=data.tracking_no) + "\n\n" + self._reopen_text(outcome)
            if self.confirm(self.tr("Dissatisfied rating"), text, self.tr("Save and reopen"),
                            self.tr("Do not save")):
                save()

        # The due date comes from the workflow service's calendar, read off the GUI thread.
        now, status = queue_model.clock(), data.status
        self.tasks.run(lambda _p: rating_preview(self.db, status, rating, now), on_success=ask,
                       on_failure=self.show_error, owner=self, latest="rating-question")

    def _reopen_text(self, outcome: RatingOutcome) -> str:
        if outcome.due is None:
            return self.tr("The request will be reopened for rectification ({days} working days; the due date "
                           "is set when the holiday calendar of that year is known).").format(
                days=RECTIFICATION_WORKDAYS)
        text = self.tr("The request will be reopened for rectification (back to “{status}”), due {due} "
                       "({days} working days).").format(
            status=labels.status_label(Status.IN_PROGRESS, self._language), due=display(outcome.due),
            days=RECTIFICATION_WORKDAYS)
        if outcome.provisional:
            text += " " + self.tr("The due date is provisional: the official holiday calendar of that year "
                                  "is not published yet.")
        return text

    def _enable_rating_button(self) -> None:
        # Saving needs a choice: there is no default rating (audit D10).
        ratable = self._data is not None and self._data.ratable
        self.rating_button.setEnabled(self.rating_combo.currentIndex() >= 0 and ratable and not self._busy)

    def _rating_chosen(self) -> None:
        """The save button only once a rating is chosen; a dissatisfied one says what follows."""
        self._enable_rating_button()
        value = self.rating_combo.currentData()
        if value is None or value > DISSATISFIED_AT_OR_BELOW or self._data is None or not self._data.ratable:
            self.rating_hint.clear()
            self.rating_hint.hide()
            return
        self.rating_hint.setText(self.tr("A dissatisfied rating reopens the request for rectification "
                                         "({days} working days)…").format(days=RECTIFICATION_WORKDAYS))
        self.rating_hint.show()
        uuid, status, now = self._data.uuid, self._data.status, queue_model.clock()

        def shown(outcome: RatingOutcome) -> None:
            # latest= drops an older answer; this drops one for a choice changed back and forth.
            if uuid == self._uuid and self.rating_combo.currentData() == value:
                self.rating_hint.setText(self._reopen_text(outcome))

        self.tasks.run(lambda _p: rating_preview(self.db, status, int(value), now), on_success=shown,
                       on_failure=lambda _exc: None, owner=self, latest="rating-hint")
