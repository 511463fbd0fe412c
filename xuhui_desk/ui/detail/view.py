"""One request in full: its fields, its timeline and the workflow's actions (the queue page's pane).

The actions are the :class:`~xuhui_desk.ui.detail.actions.ActionsCard`, the timeline the
:class:`~xuhui_desk.ui.detail.timeline.TimelineView`; the request is read by
:func:`xuhui_desk.services.request_detail.load_detail` in the background. The intake fields
(description, channel, urgency) can be corrected here only until the district hub has seen the
request (:func:`~xuhui_desk.services.workflow.can_edit_intake`).

The pane is usable from about 300 px wide: rows of the forms wrap their field under the label
and the status buttons flow onto more lines, rather than pushing the pane sideways.

``show_request(uuid)`` loads a request; only the newest load is shown (a click on another
request supersedes one still running). ``changed(uuid)`` is emitted after each saved change
(and ``request_signals().changed``, on which the queue refreshes). The pane follows the
queue's selection (``request_signals().selected``) unless typed input would be lost.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.codes import Channel, Status, Urgency
from xuhui_desk.db import Database
from xuhui_desk.resources import resource_path
from xuhui_desk.services import labels
from xuhui_desk.services.request_detail import DetailData, load_detail
from xuhui_desk.services.timefmt import display
from xuhui_desk.services.workflow import edit_intake
from xuhui_desk.ui.detail.actions import ActionsCard
from xuhui_desk.ui.detail.attachments import ATTACH_SHORTCUT, SCAN_SHORTCUT, AttachmentsCard
from xuhui_desk.ui.detail.contacts import CONTACT_SHORTCUT, ContactsCard
from xuhui_desk.ui.detail.forms import (
    FORM_OVERHEAD,
    ButtonRow,
    FieldRow,
    button_row,
    card,
    repolish,
    value_label,
    wrapping_form,
)
from xuhui_desk.ui.detail.timeline import TimelineView
from xuhui_desk.ui.flow_layout import FlowLayout
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.queue import model as queue_model
from xuhui_desk.ui.queue.model import request_signals, taxonomy_label
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.wheel_guard import install_wheel_guard

log = logging.getLogger(__name__)

#: Reprint the shown request's receipt (the queue beside the pane uses the same key).
REPRINT_SHORTCUT = "Ctrl+P"

#: Point size of the tracking number (resources/qss/detail.qss); smaller ("compact") when the pane is too narrow.
TRACKING_POINTS = 15


@cache
def detail_style() -> str:
    """The pane's style sheet (resources/qss/detail.qss, over the program's desk.qss)."""
    path = resource_path("qss", "detail.qss")
    if not path.is_file():  # an incomplete installation: plain widgets rather than no pane
        log.warning("style sheet missing: %s", path)
        return ""
    return path.read_text(encoding="utf-8")


class DetailView(QWidget):
    """The detail pane of the queue page (see the module documentation)."""

    changed = Signal(str)
    # A request finished loading and is shown.
    loaded = Signal(str)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The wheel scrolls this pane, never a dropdown it passes over (idempotent; audit D6).
        install_wheel_guard()
        self.db = db
        self.tasks = tasks
        self.setObjectName("page")
        self.setStyleSheet(detail_style())
        self._language = current_language()
        self._data: DetailData | None = None
        self._uuid: str | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages)

        self.empty = QLabel()
        self.empty.setObjectName("detailEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setContentsMargins(24, 24, 24, 24)
        self.pages.addWidget(self.empty)

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        # The pane is narrow beside the queue: content wraps (a sideways scroll bar only as a last resort).
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        body = self._content = QWidget()
        body.setObjectName("page")
        self.scroll_area.setWidget(body)
        self.pages.addWidget(self.scroll_area)
        self.body = QVBoxLayout(body)
        self.body.setContentsMargins(12, 14, 14, 14)
        self.body.setSpacing(10)

        self._build_header()
        self._build_fields()
        self.actions_card = ActionsCard(db, tasks)
        self.actions_card.saved.connect(self._saved)
        self.actions_card.refused.connect(self._refused)
        self.actions_card.busyChanged.connect(lambda busy: self.edit_save.setEnabled(not busy))
        self.actions_card.reveal.connect(self.scroll_area.ensureWidgetVisible)
        self.body.addWidget(self.actions_card)
        self.contacts_card = ContactsCard(db, tasks)
        self.attachments_card = AttachmentsCard(db, tasks)
        for extra in (self.contacts_card, self.attachments_card):
            extra.saved.connect(self._saved)
            extra.reveal.connect(self.scroll_area.ensureWidgetVisible)
            self.body.addWidget(extra)
        self._build_timeline()
        self.body.addStretch(1)
        self._forms = (self.form, self.edit_form, self.actions_card.form, self.contacts_card.form)
        # How much narrower than the pane's body each form is (margins, frames), once measured.
        self._form_overhead: dict[int, int] = {}
        self.scroll_area.installEventFilter(self)
        for combo in (*self.actions_card.combos, self.edit_channel, self.edit_urgency):
            combo.currentIndexChanged.connect(lambda _i, c=combo: self._choice_changed(c))

        request_signals().selected.connect(self._follow_selection)
        for edit, action in ((self.actions_card.note_edit, self.actions_card.add_note),
                             (self.actions_card.reply_edit, self.actions_card.save_reply)):
            shortcut = QShortcut(QKeySequence("Ctrl+Return"), edit)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(action)
        # The pane's own keys (while the focus is in it): record a contact, attach a file, attach a scan.
        for keys, slot in ((CONTACT_SHORTCUT, self.contacts_card.open_form),
                           (ATTACH_SHORTCUT, self.attachments_card.choose_files),
                           (SCAN_SHORTCUT, self.attachments_card.attach_offered),
                           (REPRINT_SHORTCUT, self.reprint_receipt)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        # Files dropped anywhere on the pane are attached to the request shown.
        self.setAcceptDrops(True)
        self.retranslate()
        self.pages.setCurrentWidget(self.empty)

    def reprint_receipt(self) -> QMenu | None:
        """Ctrl+P in the pane: reprint the shown request's receipt (thermal or A5, the choice
        remembered) — the queue's action and the CLI's builder (:mod:`xuhui_desk.ui.reprint`)."""
        if self._uuid is None:
            return None
        from xuhui_desk.ui.reprint import choose_and_reprint

        self.reprint_menu = choose_and_reprint(self, self.db, self.tasks, self._uuid,
                                               self.mapToGlobal(self.rect().topLeft()))
        return self.reprint_menu

    # --- building -----------------------------------------------------------------------------

    def _build_header(self) -> None:
        self.tracking = QLabel()
        self.tracking.setObjectName("detailTracking")
        self.tracking.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.tracking)
        chips = QWidget()
        head = FlowLayout(chips)
        self.status_chip = QLabel()
        self.status_chip.setObjectName("chip")
        head.addWidget(self.status_chip)
        self.overdue_chip = QLabel()
        self.overdue_chip.setObjectName("chip")
        self.overdue_chip.setProperty("tone", "overdue")
        head.addWidget(self.overdue_chip)
        self.urgent_chip = QLabel()
        self.urgent_chip.setObjectName("chip")
        self.urgent_chip.setProperty("tone", "urgent")
        head.addWidget(self.urgent_chip)
        self.body.addWidget(chips)
        self.enterprise = QLabel()
        self.enterprise.setObjectName("detailEnterprise")
        self.enterprise.setWordWrap(True)
        self.enterprise.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.enterprise)
        self.enterprise_line = QLabel()
        self.enterprise_line.setObjectName("muted")
        self.enterprise_line.setWordWrap(True)
        self.enterprise_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.enterprise_line)

    def _build_fields(self) -> None:
        self.fields_title = QLabel()
        frame, layout = card(self.fields_title)
        self.form = wrapping_form(vertical_spacing=5)
        self.field_labels: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for key in ("created", "channel", "urgency", "category", "department", "due", "specialist", "sync",
                    "linked", "rating"):
            caption = QLabel()
            caption.setObjectName("detailLabel")
            value = value_label()
            self.field_labels[key] = caption
            self.values[key] = value
            self.form.addRow(caption, value)
        layout.addLayout(self.form)
        self.description_caption = QLabel()
        self.description_caption.setWordWrap(True)
        self.description_caption.setObjectName("detailLabel")
        layout.addWidget(self.description_caption)
        self.description = value_label()
        layout.addWidget(self.description)

        self.edit_button = QPushButton()
        self.edit_button.clicked.connect(self.start_edit)
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        self.edit_hint = QLabel()
        self.edit_hint.setObjectName("muted")
        self.edit_hint.setWordWrap(True)
        # The hint wraps (down to a word a line); the button keeps its whole text.
        self.edit_hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.edit_hint, 1)
        layout.addLayout(row)

        self.edit_panel = QFrame()
        edit = QVBoxLayout(self.edit_panel)
        edit.setContentsMargins(0, 4, 0, 0)
        edit.setSpacing(6)
        self.edit_description = QPlainTextEdit()
        self.edit_description.setTabChangesFocus(True)
        self.edit_description.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 14)
        self.edit_channel = QComboBox()
        self.edit_urgency = QComboBox()
        for channel in Channel:
            self.edit_channel.addItem("", channel.value)
        for urgency in Urgency:
            self.edit_urgency.addItem("", urgency.value)
        for combo in (self.edit_channel, self.edit_urgency):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(4)
        self.edit_channel_label = QLabel()
        self.edit_urgency_label = QLabel()
        self.edit_save = QPushButton()
        self.edit_save.setProperty("primary", True)
        self.edit_save.clicked.connect(self.save_edit)
        self.edit_cancel = QPushButton()
        self.edit_cancel.clicked.connect(self.cancel_edit)
        edit.addWidget(self.edit_description)
        self.edit_form = wrapping_form()
        self.edit_form.addRow(self.edit_channel_label, self.edit_channel)
        self.edit_form.addRow(self.edit_urgency_label, self.edit_urgency)
        edit.addLayout(self.edit_form)
        edit.addWidget(button_row(self.edit_cancel, self.edit_save))
        self.edit_panel.hide()
        layout.addWidget(self.edit_panel)
        self.body.addWidget(frame)

    def _build_timeline(self) -> None:
        self.timeline_title = QLabel()
        frame, layout = card(self.timeline_title)
        self.timeline = TimelineView()
        layout.addWidget(self.timeline)
        self.body.addWidget(frame)

    def retranslate(self) -> None:
        """Every text of the pane in the current language."""
        if self._data is None and self.pages.currentWidget() is not self.scroll_area:
            self.empty.setText(self._empty_text())
        self.fields_title.setText(self.tr("Request"))
        self.timeline_title.setText(self.tr("Timeline"))
        captions = {
            "created": self.tr("Received"), "channel": self.tr("Channel"), "urgency": self.tr("Urgency"),
            "category": self.tr("Category"), "department": self.tr("Department"), "due": self.tr("Due"),
            "specialist": self.tr("Specialist"), "sync": self.tr("Sync"), "linked": self.tr("Linked to"),
            "rating": self.tr("Rating"),
        }
        for key, text in captions.items():
            self.field_labels[key].setText(text)
        self.description_caption.setText(self.tr("What the enterprise asks for"))
        self.edit_button.setText(self.tr("Correct intake…"))
        self.edit_channel_label.setText(self.tr("Channel"))
        self.edit_urgency_label.setText(self.tr("Urgency"))
        self.edit_save.setText(self.tr("Save correction"))
        self.edit_cancel.setText(self.tr("Cancel"))
        for i in range(self.edit_channel.count()):
            self.edit_channel.setItemText(i, labels.channel_label(self.edit_channel.itemData(i), self._language))
        for i in range(self.edit_urgency.count()):
            self.edit_urgency.setItemText(i, labels.urgency_label(self.edit_urgency.itemData(i), self._language))
        self.actions_card.retranslate(self._language)
        self.contacts_card.retranslate(self._language)
        self.attachments_card.retranslate(self._language)
        if self._data is not None:
            self._show(self._data)
        self._fit_forms()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll_area and event.type() == QEvent.Type.Resize:
            self._fit_forms()
        return super().eventFilter(watched, event)

    def _fit_forms(self) -> None:
        """Captions beside their fields while both fit the pane, above them when it is narrow."""
        area, body = self.scroll_area, self._content
        # As if the vertical scroll bar were shown, so that showing it never flips the layout back.
        width = area.width() - 2 * area.frameWidth() - area.verticalScrollBar().sizeHint().width()
        for form in self._forms:
            host = form.parentWidget()
            if host is not None and host.isVisible() and form.geometry().width() > 0:
                self._form_overhead[id(form)] = body.width() - form.geometry().width()
            available = width - self._form_overhead.get(id(form), FORM_OVERHEAD)
            captions = fields = 0
            rows: list[FieldRow] = []
            for row in range(form.rowCount()):
                label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
                if label is None or field is None or not form.isRowVisible(row):
                    continue
                captions = max(captions, label.sizeHint().width())
                widget = field.widget()
                # A row of a field and its button (or a box holding one) needs them side by side.
                inner = [widget] if isinstance(widget, FieldRow) else widget.findChildren(FieldRow) if widget else []
                rows += inner
                fields = max(fields, *(r.side_by_side_width() for r in inner)) if inner else max(
                    fields, field.minimumSize().width())
            wrap = captions + form.horizontalSpacing() + fields > available
            policy = QFormLayout.RowWrapPolicy.WrapAllRows if wrap else QFormLayout.RowWrapPolicy.DontWrapRows
            if form.rowWrapPolicy() != policy:
                form.setRowWrapPolicy(policy)
            field_width = available if wrap else available - captions - form.horizontalSpacing()
            for field_row in rows:
                field_row.set_stacked(field_row.side_by_side_width() > field_width)
        for buttons in self.findChildren(ButtonRow):
            buttons.set_stacked(buttons.side_by_side_width() > width - FORM_OVERHEAD)
        # The tracking number cannot wrap: a smaller font rather than a pane cut off at the right.
        margins = self.body.contentsMargins()
        compact = self._tracking_width() > width - margins.left() - margins.right()
        if bool(self.tracking.property("compact")) != compact:
            self.tracking.setProperty("compact", compact)
            repolish(self.tracking)

    def _choice_changed(self, combo: QComboBox) -> None:
        # A longer choice may need the row's button under the combo; in a very narrow pane the
        # combo shortens the text with "…", and the tooltip shows it whole.
        combo.setToolTip(combo.currentText())
        self._fit_forms()

    def _tracking_width(self) -> int:
        """The tracking number's width at its full size (TRACKING_POINTS, as in detail.qss)."""
        font = QFont(self.tracking.font())
        font.setPointSizeF(TRACKING_POINTS)
        return QFontMetrics(font).horizontalAdvance(self.tracking.text() or "XH03-20260101-001") + 2

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._language = current_language()
            self.retranslate()
        super().changeEvent(event)

    # --- loading ------------------------------------------------------------------------------

    @property
    def current_uuid(self) -> str | None:
        return self._uuid

    @property
    def data(self) -> DetailData | None:
        return self._data

    def show_request(self, uuid: str) -> None:
        """Show the request ``uuid`` (read in the background). Only the newest request asked
        for is shown: a load still running for another one is superseded (latest="detail")."""
        if uuid != self._uuid:
            self.edit_panel.hide()
        self._uuid = uuid
        self.actions_card.follow(uuid)
        self.contacts_card.follow(uuid)
        self.attachments_card.follow(uuid)

        def done(data: DetailData) -> None:
            # A newer load supersedes this one (the runner drops its answer); only clear() is left.
            if uuid != self._uuid:
                return
            self._show(data)
            self.loaded.emit(data.uuid)

        def failed(exc: BaseException) -> None:
            if uuid != self._uuid:
                return
            self._data = None
            self.empty.setText(self.tr("This request cannot be shown: {error}").format(error=exc))
            self.pages.setCurrentWidget(self.empty)

        now = queue_model.clock()
        self.tasks.run(lambda _p: load_detail(self.db, uuid, now), on_success=done, on_failure=failed,
                       owner=self, latest="detail")

    def has_unsaved_input(self) -> bool:
        """A note, a reply, a rating comment or an intake correction typed and not saved yet."""
        return (self.actions_card.has_unsaved_input() or self.contacts_card.has_unsaved_input()
                or self.edit_panel.isVisible())

    def _follow_selection(self, uuid: str) -> None:
        # The pane follows the queue's selection unless it holds typing that would be lost.
        if self.isVisible() and uuid != self._uuid and not self.has_unsaved_input():
            self.show_request(uuid)

    def reload(self) -> None:
        if self._uuid:
            self.show_request(self._uuid)

    def clear(self) -> None:
        """Show the empty state and forget the request (e.g. a new search no longer matches it).

        Typed input is discarded: a caller that must not lose it asks :meth:`has_unsaved_input`
        first. A load still running for the old request is ignored when it finishes.
        """
        self._uuid = None
        self._data = None
        self.actions_card.follow(None)
        self.contacts_card.follow(None)
        self.attachments_card.follow(None)
        self.edit_panel.hide()
        self.empty.setText(self._empty_text())
        self.pages.setCurrentWidget(self.empty)

    def _empty_text(self) -> str:
        return self.tr("Select a request in the list to see it here.\nEnter or a double click opens it.")

    def _show(self, data: DetailData) -> None:
        lang = self._language
        self._data = data
        self.tracking.setText(data.tracking_no)
        self.status_chip.setText(labels.status_label(data.status, lang))
        tone = "open" if data.is_open else "done" if data.status == Status.CLOSED else "muted"
        self.status_chip.setProperty("tone", tone)
        repolish(self.status_chip)
        if data.escalation:
            level, days = data.escalation
            self.overdue_chip.setText(self._overdue_text(days))
            self.overdue_chip.setToolTip(self.tr("Escalation level {level} of 3").format(level=level))
            self.overdue_chip.show()
        else:
            self.overdue_chip.hide()
        self.urgent_chip.setText(labels.urgency_label(data.urgency, lang))
        self.urgent_chip.setVisible(data.urgency == Urgency.URGENT)
        self.enterprise.setText(data.enterprise_name)
        details = [data.uscc or self.tr("no credit code"), data.contact_name, data.phone,
                   " ".join(p for p in (data.park, data.building) if p)]
        self.enterprise_line.setText(" · ".join(d for d in details if d))

        v = self.values
        v["created"].setText(display(data.created_at))
        v["channel"].setText(labels.channel_label(data.channel, lang))
        v["urgency"].setText(labels.urgency_label(data.urgency, lang))
        category = taxonomy_label(data.category, lang)
        if data.subcategory:
            category += " · " + taxonomy_label(data.subcategory, lang)
        v["category"].setText(category)
        v["department"].setText(taxonomy_label(data.department, lang) or "—")
        if data.sla_due_at is None:
            due = self.tr("not set (holiday calendar of that year unknown)")
        elif data.sla_provisional:
            due = self.tr("{due} (provisional: the year's official holiday calendar is not published yet)").format(
                due=display(data.sla_due_at))
        else:
            due = display(data.sla_due_at)
        v["due"].setText(due)
        v["specialist"].setText(data.specialist or "—")
        sync = labels.sync_label(data.sync_state, lang)
        if data.sync_state == "error" and data.sync_error:
            from xuhui_desk.services.sync import sync_error_message

            sync += " — " + sync_error_message(data.sync_error, lang)
        v["sync"].setText(sync)
        self._set_row_visible("linked", bool(data.linked_tracking_no))
        v["linked"].setText(data.linked_tracking_no or "")
        self._set_row_visible("rating", data.rating is not None)
        if data.rating is not None:
            rating = self.tr("{label} ({value})").format(label=labels.rating_label(data.rating, lang),
                                                         value=data.rating)
            v["rating"].setText(rating + (f" — {data.rating_comment}" if data.rating_comment else ""))
        self.description.setText(data.description)

        self.edit_button.setVisible(data.can_edit)
        self.edit_hint.setText(self.tr("Until the first sync with the district hub") if data.can_edit else "")
        self.edit_hint.setVisible(data.can_edit)
        if not data.can_edit:
            self.edit_panel.hide()

        self.actions_card.show_data(data)
        self.contacts_card.show_request(data.uuid, data.tracking_no)
        self.attachments_card.show_request(data.uuid, data.tracking_no)
        self.timeline.show_events(data.events, lang)
        self.pages.setCurrentWidget(self.scroll_area)
        self._fit_forms()

    def _overdue_text(self, days: float | None) -> str:
        # Whole working days (audit D26), counted as the queue counts them: a day begun counts.
        if days is None:
            return self.tr("⚠ Overdue")
        whole = queue_model.whole_workdays(days)
        if whole == 1:
            return self.tr("⚠ Overdue 1 workday")
        return self.tr("⚠ Overdue {days} workdays").format(days=whole)

    def _set_row_visible(self, key: str, visible: bool) -> None:
        self.form.setRowVisible(self.values[key], visible)

    @staticmethod
    def _select(combo: QComboBox, value: str | None) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(index, 0) if value else -1)

    def timeline_rows(self) -> list[str]:
        """The timeline as shown, newest first: one text (heading and body) per event."""
        return self.timeline.rows()

    # --- dropped files ------------------------------------------------------------------------

    @staticmethod
    def _dropped_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        # Only files, and only while a request is shown to attach them to.
        if self._data is not None and self._dropped_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._data is not None:
            event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        files = self._dropped_files(event)
        if self._data is None or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.attachments_card.attach_files(files)
        self.scroll_area.ensureWidgetVisible(self.attachments_card)

    # --- after a change -----------------------------------------------------------------------

    def _saved(self, uuid: str) -> None:
        if uuid == self._uuid:
            self.reload()
        self.changed.emit(uuid)
        request_signals().changed.emit(uuid)

    def _refused(self, uuid: str) -> None:
        # What was refused may rest on an outdated view of the request (another station's change).
        if uuid == self._uuid:
            self.reload()

    # --- intake correction --------------------------------------------------------------------

    def start_edit(self) -> None:
        """Open the intake correction with the request's fields (only while it may be corrected)."""
        data = self._data
        if data is None or not data.can_edit:
            return
        self.edit_description.setPlainText(data.description)
        self._select(self.edit_channel, data.channel)
        self._select(self.edit_urgency, data.urgency)
        self.edit_panel.show()
        self._fit_forms()
        self.edit_description.setFocus()

    def cancel_edit(self) -> None:
        self.edit_panel.hide()

    def save_edit(self) -> None:
        """Save what was changed in the intake correction (nothing changed: just close it)."""
        data = self._data
        if data is None:
            return
        changes = {
            "description": self.edit_description.toPlainText(),
            "channel": self.edit_channel.currentData(),
            "urgency": self.edit_urgency.currentData(),
        }
        changes = {k: v for k, v in changes.items() if v is not None and v != getattr(data, k)}
        if not changes:
            self.edit_panel.hide()
            return
        uuid = data.uuid
        self.edit_panel.hide()
        self.actions_card.write(lambda: edit_intake(self.db, uuid, **changes), self.tr("Intake corrected"))
