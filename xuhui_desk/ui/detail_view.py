"""One request in full: its fields, its timeline and the workflow's actions.

The actions follow the same rules as ``xuhui-desk update`` because they call the same
service (:func:`xuhui_desk.services.workflow.apply`): only the statuses
:func:`~xuhui_desk.services.workflow.allowed_next` allows are offered; "→ Replied" opens a
field for the reply text (what the enterprise was told), which the service requires; a rating
only for a replied or closed request, chosen on purpose (no default), and a dissatisfied one
says beforehand that it reopens the request for rectification and by when
(:func:`~xuhui_desk.services.workflow.rating_outcome`), and asks first; the category only
while the request is open, and the intake fields (description, channel, urgency) only until
the district hub has seen the request (:func:`~xuhui_desk.services.workflow.can_edit_intake`).
Every read and write runs in the background; a refused change is shown in the red line above
the actions. Questions that cannot be undone default to "No".

The pane is usable from about 300 px wide: rows of the forms wrap their field under the label
and the status buttons flow onto more lines, rather than pushing the pane sideways.

``show_request(uuid)`` loads a request; ``changed(uuid)`` is emitted after each saved change
(and ``request_signals().changed``, on which the queue refreshes). The pane follows the
queue's selection (``request_signals().selected``) unless typed input would be lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyleOptionComboBox,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

from xuhui_desk.db import Database
from xuhui_desk.models import OPEN_STATUSES, Channel, Status, Urgency, utcnow
from xuhui_desk.services import labels
from xuhui_desk.services.search import UNRESOLVED
from xuhui_desk.services.timefmt import display
from xuhui_desk.services.workflow import (
    DISSATISFIED_AT_OR_BELOW,
    RATABLE,
    RATINGS,
    RECTIFICATION_WORKDAYS,
    RatingOutcome,
    WorkflowError,
    allowed_next,
    apply,
    can_edit_intake,
    edit_intake,
    find_request,
    rating_outcome,
)
from xuhui_desk.ui import queue_model
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.queue_model import request_signals, taxonomy_label
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.wheel_guard import install_wheel_guard
from xuhui_desk.validation import LIMITS, ValidationFailed

log = logging.getLogger(__name__)

#: Point size of the tracking number (DETAIL_STYLE); smaller ("compact") when the pane is too narrow.
TRACKING_POINTS = 15
DETAIL_STYLE = """
QLabel#detailTracking { font-size: 15pt; font-weight: bold; color: #102a43; }
QLabel#detailTracking[compact="true"] { font-size: 12pt; }
QLabel#detailEnterprise { font-size: 11.5pt; font-weight: bold; color: #243b53; }
QLabel#chip { border-radius: 9px; padding: 1px 9px; background: #e8eef6; color: #243b53; }
QLabel#chip[tone="open"] { background: #e3edfb; color: #173f7a; }
QLabel#chip[tone="done"] { background: #e6f4ea; color: #1e6b34; }
QLabel#chip[tone="muted"] { background: #eceff3; color: #52606d; }
QLabel#chip[tone="overdue"] { background: #fde6e3; color: #a61b1b; font-weight: bold; }
QLabel#chip[tone="urgent"] { background: #fff1dc; color: #8a4b00; }
QLabel#detailLabel { color: #627d98; }
QLabel#detailText { color: #1f2933; }
QLabel#eventHead { color: #52606d; }
QLabel#eventText { color: #1f2933; }
QFrame#eventRow { border: none; border-left: 3px solid #c9d6e6; background: transparent; }
QFrame#eventRow[origin="hub"] { border-left: 3px solid #2e7d32; }
QLabel#actionError { color: #c62828; background: #fff5f5; border: 1px solid #f3c2c2; border-radius: 4px;
                     padding: 4px 8px; }
QLabel#actionDone { color: #2e7d32; }
QLabel#detailEmpty { color: #7b8794; font-size: 12pt; }
"""


# --- what is shown (read in the background) -------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    id: int
    occurred_at: datetime
    kind: str
    actor: str
    origin: str
    data: dict[str, Any]


@dataclass(frozen=True)
class DetailData:
    """A request as the detail view shows it (plain data, safe to hand between threads)."""

    uuid: str
    tracking_no: str
    status: str
    category: str
    subcategory: str | None
    department: str | None
    channel: str
    urgency: str
    description: str
    specialist: str
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime | None
    sla_provisional: bool
    resolved_at: datetime | None
    rating: int | None
    rating_comment: str | None
    sync_state: str
    sync_error: str | None
    linked_request_uuid: str | None
    enterprise_name: str
    uscc: str
    contact_name: str
    phone: str
    park: str
    building: str
    events: tuple[EventView, ...]
    allowed: tuple[str, ...]
    can_edit: bool
    ratable: bool
    #: (escalation level, working days overdue — None when the calendar cannot count them).
    escalation: tuple[int, float | None] | None = None
    linked_tracking_no: str | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_open(self) -> bool:
        return self.status in {s.value for s in OPEN_STATUSES}


def load_detail(db: Database, uuid: str, now: datetime | None = None) -> DetailData:
    """Everything the detail view shows of one request (raises ``RequestNotFound``)."""
    from xuhui_desk.services.workdays import CalendarYearUnknown, default_calendar

    now = now or utcnow()
    with db.session() as session:
        full = find_request(session, uuid)
        # In the order they were recorded, as the workflow reads the timeline (never by a clock).
        events = tuple(
            EventView(e.id, e.occurred_at, e.kind, e.actor, e.origin, dict(e.data or {}))
            for e in sorted(full.events, key=lambda e: e.id)
        )
        escalation = None
        if full.status in UNRESOLVED and full.sla_due_at is not None:
            calendar = default_calendar()
            try:
                if calendar.is_overdue(full.sla_due_at, now):
                    escalation = (calendar.escalation_level(full.sla_due_at, now),
                                  calendar.overdue_workdays(full.sla_due_at, now))
            except CalendarYearUnknown:
                escalation = (1, None)
        linked = None
        if full.linked_request_uuid:
            try:
                linked = find_request(session, full.linked_request_uuid).tracking_no
            except LookupError:
                linked = None
        e = full.enterprise
        return DetailData(
            uuid=full.uuid, tracking_no=full.tracking_no, status=full.status, category=full.category,
            subcategory=full.subcategory, department=full.department, channel=full.channel,
            urgency=full.urgency, description=full.description, specialist=full.specialist,
            created_at=full.created_at, updated_at=full.updated_at, sla_due_at=full.sla_due_at,
            sla_provisional=bool(full.sla_provisional), resolved_at=full.resolved_at, rating=full.rating,
            rating_comment=full.rating_comment,
            sync_state=full.sync_state, sync_error=full.sync_error, linked_request_uuid=full.linked_request_uuid,
            enterprise_name=e.name, uscc=e.uscc or "", contact_name=e.contact_name, phone=e.phone, park=e.park,
            building=e.building, events=events, allowed=tuple(s.value for s in allowed_next(full.status)),
            can_edit=can_edit_intake(full), ratable=Status(full.status) in RATABLE, escalation=escalation,
            linked_tracking_no=linked,
        )


# --- widgets --------------------------------------------------------------------------------------


class _FlowLayout(QLayout):
    """Items left to right, wrapping to the next line when the pane is narrow (after Qt's example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            if item.widget() is not None and item.widget().isHidden():
                continue
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y, line = rect.x(), y + line + self._spacing, 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y()



def _card(title: QLabel) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 12, 14, 12)
    layout.setSpacing(8)
    title.setObjectName("sectionTitle")
    layout.addWidget(title)
    return frame, layout


def _value_label() -> QLabel:
    label = QLabel()
    label.setObjectName("detailText")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


def _wrapping_form(vertical_spacing: int = 8) -> QFormLayout:
    """A form with captions beside their fields; :meth:`DetailView._fit_forms` puts every field
    under its caption when the pane is too narrow for both (never a sideways scroll bar).

    (Not Qt's WrapLongRows: it decides without the caption spacing and lets a row overflow.)
    """
    form = QFormLayout()
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(vertical_spacing)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return form


#: Body and card margins around a form, until measured (see DetailView._fit_forms).
_FORM_OVERHEAD = 56


class _FieldRow(QWidget):
    """``field`` growing, ``button`` beside it at its full width — or under it when the pane is
    too narrow for both (:meth:`set_stacked`, decided by :meth:`DetailView._fit_forms`)."""

    def __init__(self, field: QWidget, button: QPushButton, *, top: bool = False) -> None:
        super().__init__()
        self.field, self.button = field, button
        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self._layout.addWidget(field, 1)
        self._layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop if top else Qt.AlignmentFlag(0))

    def field_width(self) -> int:
        """The field's width: a combo box as wide as its current choice needs (else it is cut)."""
        field = self.field
        if isinstance(field, QComboBox) and field.currentText():
            option = QStyleOptionComboBox()
            field.initStyleOption(option)
            text = field.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                                QStyle.SubControl.SC_ComboBoxEditField, field)
            chrome = field.width() - text.width()
            return max(field.minimumSizeHint().width(),
                       field.fontMetrics().horizontalAdvance(field.currentText()) + chrome + 2)
        return field.minimumSizeHint().width()

    def side_by_side_width(self) -> int:
        return self.field_width() + self._layout.spacing() + self.button.sizeHint().width()

    def set_stacked(self, stacked: bool) -> None:
        direction = QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        if self._layout.direction() != direction:
            self._layout.setDirection(direction)
            # Under the field the button keeps its own width, at the left.
            self._layout.setAlignment(self.button, Qt.AlignmentFlag.AlignLeft if stacked else Qt.AlignmentFlag(0))


def _field_row(field: QWidget, button: QPushButton, *, top: bool = False) -> _FieldRow:
    return _FieldRow(field, button, top=top)


class _ButtonRow(QWidget):
    """Buttons at the right, side by side — or one under the other when the pane is too narrow
    (:meth:`set_stacked`, decided by :meth:`DetailView._fit_forms`)."""

    def __init__(self, *buttons: QPushButton) -> None:
        super().__init__()
        self.buttons = buttons
        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self._layout.addStretch(1)
        for button in buttons:
            self._layout.addWidget(button)

    def side_by_side_width(self) -> int:
        return sum(b.sizeHint().width() for b in self.buttons) + self._layout.spacing() * (len(self.buttons) - 1)

    def set_stacked(self, stacked: bool) -> None:
        direction = QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        if self._layout.direction() != direction:
            self._layout.setDirection(direction)
            for button in self.buttons:
                self._layout.setAlignment(button, Qt.AlignmentFlag.AlignRight if stacked else Qt.AlignmentFlag(0))


def _button_row(*buttons: QPushButton) -> _ButtonRow:
    return _ButtonRow(*buttons)


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


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
        self.setStyleSheet(DETAIL_STYLE)
        self._language = current_language()
        self._data: DetailData | None = None
        self._uuid: str | None = None
        self._generation = 0
        self._busy = False
        self.status_buttons: dict[str, QPushButton] = {}
        self._timeline_texts: list[str] = []

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
        body = QWidget()
        body.setObjectName("page")
        self.scroll_area.setWidget(body)
        self.pages.addWidget(self.scroll_area)
        self.body = QVBoxLayout(body)
        self.body.setContentsMargins(12, 14, 14, 14)
        self.body.setSpacing(10)

        self._build_header()
        self._build_fields()
        self._build_actions()
        self._build_timeline()
        self.body.addStretch(1)
        self._forms = (self.form, self.edit_form, self.action_form)
        # How much narrower than the pane's body each form is (margins, frames), once measured.
        self._form_overhead: dict[int, int] = {}
        self.scroll_area.installEventFilter(self)
        for combo in (self.category_combo, self.department_combo, self.rating_combo, self.edit_channel,
                      self.edit_urgency):
            combo.currentIndexChanged.connect(lambda _i, c=combo: self._choice_changed(c))

        request_signals().selected.connect(self._follow_selection)
        for edit, action in ((self.note_edit, self.add_note), (self.reply_edit, self.save_reply)):
            shortcut = QShortcut(QKeySequence("Ctrl+Return"), edit)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(action)
        self.retranslate()
        self.pages.setCurrentWidget(self.empty)

    # --- building -----------------------------------------------------------------------------

    def _build_header(self) -> None:
        self.tracking = QLabel()
        self.tracking.setObjectName("detailTracking")
        self.tracking.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.tracking)
        chips = QWidget()
        head = _FlowLayout(chips)
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
        card, layout = _card(self.fields_title)
        self.form = _wrapping_form(vertical_spacing=5)
        self.field_labels: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for key in ("created", "channel", "urgency", "category", "department", "due", "specialist", "sync",
                    "linked", "rating"):
            caption = QLabel()
            caption.setObjectName("detailLabel")
            value = _value_label()
            self.field_labels[key] = caption
            self.values[key] = value
            self.form.addRow(caption, value)
        layout.addLayout(self.form)
        self.description_caption = QLabel()
        self.description_caption.setWordWrap(True)
        self.description_caption.setObjectName("detailLabel")
        layout.addWidget(self.description_caption)
        self.description = _value_label()
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
        self.edit_form = _wrapping_form()
        self.edit_form.addRow(self.edit_channel_label, self.edit_channel)
        self.edit_form.addRow(self.edit_urgency_label, self.edit_urgency)
        edit.addLayout(self.edit_form)
        edit.addWidget(_button_row(self.edit_cancel, self.edit_save))
        self.edit_panel.hide()
        layout.addWidget(self.edit_panel)
        self.body.addWidget(card)

    def _build_actions(self) -> None:
        from xuhui_desk.services.taxonomy import load_taxonomy

        self.actions_title = QLabel()
        card, layout = _card(self.actions_title)
        self.actions_card = card
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
        self.action_form = form = _wrapping_form()
        self.status_caption = QLabel()
        self.status_caption.setObjectName("detailLabel")
        status_holder = QWidget()
        self.status_row = _FlowLayout(status_holder)
        self.no_status_change = QLabel()
        self.no_status_change.setObjectName("muted")
        self.no_status_change.setWordWrap(True)
        self.status_row.addWidget(self.no_status_change)
        form.addRow(self.status_caption, status_holder)

        # "→ Replied" opens this: the reply is what makes a request replied (audit D11).
        self.reply_panel = QFrame()
        self.reply_panel.setObjectName("replyPanel")
        reply = QVBoxLayout(self.reply_panel)
        reply.setContentsMargins(0, 0, 0, 4)
        reply.setSpacing(6)
        self.reply_caption = QLabel()
        self.reply_caption.setObjectName("detailLabel")
        self.reply_caption.setWordWrap(True)
        reply.addWidget(self.reply_caption)
        self.reply_edit = QPlainTextEdit()
        self.reply_edit.setTabChangesFocus(True)
        self.reply_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 16)
        self.reply_caption.setBuddy(self.reply_edit)
        reply.addWidget(self.reply_edit)
        self.reply_save = QPushButton()
        self.reply_save.setProperty("primary", True)
        self.reply_save.clicked.connect(self.save_reply)
        self.reply_cancel = QPushButton()
        self.reply_cancel.clicked.connect(self.cancel_reply)
        reply.addWidget(_button_row(self.reply_cancel, self.reply_save))
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
        form.addRow(self.category_caption, _field_row(self.category_combo, self.category_button))

        self.department_caption = QLabel()
        self.department_caption.setObjectName("detailLabel")
        self.department_combo = QComboBox()
        for department in taxonomy.departments:
            self.department_combo.addItem("", department.code)
        self.department_button = QPushButton()
        self.department_button.clicked.connect(self.reassign)
        form.addRow(self.department_caption, _field_row(self.department_combo, self.department_button))

        self.note_caption = QLabel()
        self.note_caption.setObjectName("detailLabel")
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 16)
        self.note_button = QPushButton()
        self.note_button.clicked.connect(self.add_note)
        form.addRow(self.note_caption, _field_row(self.note_edit, self.note_button, top=True))

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
        self.rating_row = _field_row(self.rating_combo, self.rating_button)
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
        self.body.addWidget(card)

    def _build_timeline(self) -> None:
        self.timeline_title = QLabel()
        card, layout = _card(self.timeline_title)
        self.timeline = QVBoxLayout()
        self.timeline.setSpacing(6)
        layout.addLayout(self.timeline)
        self.body.addWidget(card)

    def retranslate(self) -> None:
        if self._data is None and self.pages.currentWidget() is not self.scroll_area:
            self.empty.setText(self._empty_text())
        self.fields_title.setText(self.tr("Request"))
        self.actions_title.setText(self.tr("Handling"))
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
        self.status_caption.setText(self.tr("Status"))
        self.no_status_change.setText(self.tr("Final status: no further change"))
        self.reply_caption.setText(self.tr("&Reply to the enterprise (required for “Replied”)"))
        self.reply_edit.setPlaceholderText(self.tr("What the enterprise was told: the answer, the next step, "
                                                   "who to contact (Ctrl+Enter saves)"))
        self.reply_save.setText(self.tr("Save reply"))
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
        for i in range(self.edit_channel.count()):
            self.edit_channel.setItemText(i, labels.channel_label(self.edit_channel.itemData(i), self._language))
        for i in range(self.edit_urgency.count()):
            self.edit_urgency.setItemText(i, labels.urgency_label(self.edit_urgency.itemData(i), self._language))
        for i in range(self.category_combo.count()):
            self.category_combo.setItemText(i, taxonomy_label(self.category_combo.itemData(i), self._language))
        for i in range(self.department_combo.count()):
            self.department_combo.setItemText(i, taxonomy_label(self.department_combo.itemData(i), self._language))
        for i in range(self.rating_combo.count()):
            value = self.rating_combo.itemData(i)
            self.rating_combo.setItemText(
                i, self.tr("{label} ({value})").format(label=labels.rating_label(value, self._language), value=value))
        self._rating_chosen()
        if self._data is not None:
            self._show(self._data)
        self._fit_forms()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll_area and event.type() == QEvent.Type.Resize:
            self._fit_forms()
        return super().eventFilter(watched, event)

    def _fit_forms(self) -> None:
        """Captions beside their fields while both fit the pane, above them when it is narrow."""
        area = self.scroll_area
        body = area.widget()
        # As if the vertical scroll bar were shown, so that showing it never flips the layout back.
        width = area.width() - 2 * area.frameWidth() - area.verticalScrollBar().sizeHint().width()
        for form in self._forms:
            host = form.parentWidget()
            if host is not None and host.isVisible() and form.geometry().width() > 0:
                self._form_overhead[id(form)] = body.width() - form.geometry().width()
            available = width - self._form_overhead.get(id(form), _FORM_OVERHEAD)
            captions = fields = 0
            rows: list[_FieldRow] = []
            for row in range(form.rowCount()):
                label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
                if label is None or field is None or not form.isRowVisible(row):
                    continue
                captions = max(captions, label.sizeHint().width())
                widget = field.widget()
                # A row of a field and its button (or a box holding one) needs them side by side.
                inner = [widget] if isinstance(widget, _FieldRow) else widget.findChildren(_FieldRow) if widget else []
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
        for buttons in self.findChildren(_ButtonRow):
            buttons.set_stacked(buttons.side_by_side_width() > width - _FORM_OVERHEAD)
        # The tracking number cannot wrap: a smaller font rather than a pane cut off at the right.
        margins = self.body.contentsMargins()
        compact = self._tracking_width() > width - margins.left() - margins.right()
        if bool(self.tracking.property("compact")) != compact:
            self.tracking.setProperty("compact", compact)
            _repolish(self.tracking)

    def _choice_changed(self, combo: QComboBox) -> None:
        # A longer choice may need the row's button under the combo; in a very narrow pane the
        # combo shortens the text with "…", and the tooltip shows it whole.
        combo.setToolTip(combo.currentText())
        self._fit_forms()

    def _tracking_width(self) -> int:
        """The tracking number's width at its full size (TRACKING_POINTS, as in DETAIL_STYLE)."""
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
        """Show the request ``uuid`` (read in the background)."""
        if uuid != self._uuid:
            self._forget_input()
        self._uuid = uuid
        self._generation += 1
        generation = self._generation

        def done(data: DetailData) -> None:
            if generation == self._generation:
                self._show(data)
                self.loaded.emit(data.uuid)

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._data = None
            self.empty.setText(self.tr("This request cannot be shown: {error}").format(error=exc))
            self.pages.setCurrentWidget(self.empty)

        now = queue_model.clock()
        self.tasks.run(lambda _p: load_detail(self.db, uuid, now), on_success=done, on_failure=failed)

    def has_unsaved_input(self) -> bool:
        """A note, a reply, a rating comment or an intake correction typed and not saved yet."""
        return bool(self.note_edit.toPlainText().strip() or self.rating_comment.text().strip()
                    or self.reply_edit.toPlainText().strip() or self.edit_panel.isVisible())

    def _forget_input(self) -> None:
        """Messages, open panels and typed input of the request shown before."""
        self._clear_messages()
        self.edit_panel.hide()
        self.reply_panel.hide()
        self.reply_edit.clear()
        self.note_edit.clear()
        self.rating_comment.clear()
        self.rating_combo.setCurrentIndex(-1)

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
        self._generation += 1
        self._forget_input()
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
        _repolish(self.status_chip)
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

        self._show_status_buttons(data)
        self._select(self.category_combo, data.category)
        self._select(self.department_combo, data.department)
        self.category_combo.setEnabled(data.is_open)
        self.category_button.setEnabled(data.is_open and not self._busy)
        self.department_button.setEnabled(not self._busy)
        self.action_form.setRowVisible(self.rating_box, data.ratable)
        if not data.ratable:
            self.rating_combo.setCurrentIndex(-1)
        if Status.REPLIED.value not in data.allowed:
            self.reply_panel.hide()
        self._rating_chosen()
        self._show_timeline(data)
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

    def _show_status_buttons(self, data: DetailData) -> None:
        for button in self.status_buttons.values():
            self.status_row.removeWidget(button)
            button.deleteLater()
        self.status_buttons = {}
        self.no_status_change.setVisible(not data.allowed)
        for position, status in enumerate(data.allowed):
            button = QPushButton(self.tr("→ {status}").format(status=labels.status_label(status, self._language)))
            button.setObjectName(f"status_{status}")
            button.setToolTip(self.tr("Change the status to “{status}”").format(
                status=labels.status_label(status, self._language)))
            button.setEnabled(not self._busy)
            button.clicked.connect(lambda _checked=False, s=status: self.change_status(s))
            self.status_row.insertWidget(position, button)
            self.status_buttons[status] = button

    def timeline_rows(self) -> list[str]:
        """The timeline as shown, newest first: one text (heading and body) per event."""
        return list(self._timeline_texts)

    def _show_timeline(self, data: DetailData) -> None:
        self._timeline_texts = []
        while self.timeline.count():
            item = self.timeline.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for event in reversed(data.events):  # newest first: the latest reply is seen without scrolling
            row = QFrame()
            row.setObjectName("eventRow")
            row.setProperty("origin", event.origin)
            inner = QVBoxLayout(row)
            inner.setContentsMargins(10, 2, 4, 2)
            inner.setSpacing(1)
            head = QLabel(" · ".join(p for p in (
                display(event.occurred_at), labels.event_label(event.kind, self._language), event.actor,
                labels.origin_label(event.origin, self._language)) if p))
            head.setObjectName("eventHead")
            head.setWordWrap(True)
            inner.addWidget(head)
            text = self.event_text(event)
            self._timeline_texts.append(head.text() + ("\n" + text if text else ""))
            if text:
                body = QLabel(text)
                body.setObjectName("eventText")
                body.setWordWrap(True)
                body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                inner.addWidget(body)
            self.timeline.addWidget(row)

    def event_text(self, event: EventView) -> str:
        """What an event changed, in words."""
        lang = self._language
        d = event.data
        status = labels.status_label
        parts: list[str] = []
        if event.kind == "created":
            if d.get("department"):
                parts.append(self.tr("Category {category}, department {department}").format(
                    category=taxonomy_label(d.get("category"), lang) or "—",
                    department=taxonomy_label(d.get("department"), lang)))
            elif d.get("category"):
                parts.append(self.tr("Category {category}").format(category=taxonomy_label(d["category"], lang)))
        elif event.kind == "routed":
            parts.append(self.tr("Category {old} → {new}").format(
                old=taxonomy_label(d.get("from_category"), lang) or "—",
                new=taxonomy_label(d.get("category"), lang) or "—"))
            if d.get("department") != d.get("from_department"):
                parts.append(self.tr("department {old} → {new}").format(
                    old=taxonomy_label(d.get("from_department"), lang) or "—",
                    new=taxonomy_label(d.get("department"), lang) or "—"))
        elif event.kind == "reassigned":
            parts.append(self.tr("Department {old} → {new}").format(
                old=taxonomy_label(d.get("from_department"), lang) or "—",
                new=taxonomy_label(d.get("department"), lang) or "—"))
        elif event.kind == "rated":
            rating = d.get("rating")
            parts.append(self.tr("{label} ({value})").format(label=labels.rating_label(rating, lang), value=rating))
            if d.get("comment"):
                parts.append(str(d["comment"]))
        elif event.kind == "rectification":
            due = d.get("due")
            when = display(datetime.fromisoformat(due)) if isinstance(due, str) else ""
            parts.append(self.tr("Reopened after a dissatisfied rating; rectification due {due}").format(due=when))
        elif event.kind == "due_recomputed":
            def when(value: object) -> str:
                return display(datetime.fromisoformat(value)) if isinstance(value, str) else "—"

            text = self.tr("Due date recounted on the official calendar: {old} → {new}") if not d.get("provisional") \
                else self.tr("Due date recounted: {old} → {new} (still provisional)")
            parts.append(text.format(old=when(d.get("old_due")), new=when(d.get("new_due"))))
        elif event.kind == "edited":
            names = {"description": self.tr("description"), "channel": self.tr("channel"),
                     "urgency": self.tr("urgency")}
            fields = [names.get(f, f) for f in d.get("fields", [])]
            parts.append(self.tr("Corrected: {fields}").format(fields=self.tr(", ").join(fields)))
        if "status" in d and event.kind not in ("created", "rectification"):
            parts.append(self.tr("Status {old} → {new}").format(
                old=status(d.get("from"), lang) or "—", new=status(d.get("status"), lang)))
        for key in ("text", "reply"):
            if d.get(key):
                parts.append(str(d[key]))
        note = d.get("note")
        if note and note != "rated":
            parts.append(str(note))
        elif note == "rated":
            parts.append(self.tr("(closed by the enterprise's rating)"))
        return "\n".join(parts)

    # --- actions ------------------------------------------------------------------------------

    def _clear_messages(self) -> None:
        self.error.hide()
        self.done.hide()

    def _show_error(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationFailed):
            message = "; ".join(issue.message(self._language) for issue in exc.issues)
        else:
            message = str(exc)
        self.error.setText(self.tr("Not saved: {reason}").format(reason=message))
        self.error.show()
        self.done.hide()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (*self.status_buttons.values(), self.category_button, self.department_button,
                       self.note_button, self.rating_button, self.edit_save, self.reply_save):
            button.setEnabled(not busy)
        if not busy and self._data is not None:
            self.category_button.setEnabled(self._data.is_open)
        self._enable_rating_button()

    def _write(self, work: Callable[[], object], done_text: str,
               on_saved: Callable[[], None] | None = None) -> None:
        uuid = self._uuid
        if uuid is None or self._busy:
            return
        self._clear_messages()
        self._set_busy(True)

        def succeeded(_result: object) -> None:
            self._set_busy(False)
            if on_saved is not None and uuid == self._uuid:
                on_saved()
            self.done.setText(done_text)
            self.done.show()
            if uuid == self._uuid:
                self.reload()
            self.changed.emit(uuid)
            request_signals().changed.emit(uuid)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            if not isinstance(exc, WorkflowError | ValidationFailed | LookupError):
                # A refusal is the user's to read; anything else is also the log's.
                log.error("saving a change to %s failed: %s", uuid, exc)
            self._show_error(exc)
            if uuid == self._uuid:
                self.reload()

        self.tasks.run(lambda _p: work(), on_success=succeeded, on_failure=failed, write=True)

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
        self._write(lambda: apply(self.db, uuid, status=status),
                    self.tr("Status changed to “{status}”").format(status=label))

    def open_reply(self) -> None:
        """Show the reply field ("→ Replied" was chosen)."""
        self._clear_messages()
        self.reply_panel.show()
        self.reply_edit.setFocus()
        self.scroll_area.ensureWidgetVisible(self.reply_panel)

    def cancel_reply(self) -> None:
        self.reply_panel.hide()
        self.reply_edit.clear()

    def save_reply(self) -> None:
        """Mark the request replied with the reply typed (refused, and said so, when empty)."""
        data = self._data
        if data is None or not self.reply_panel.isVisible():
            return
        text = self.reply_edit.toPlainText().strip()
        if not text:
            self.error.setText(self.tr("Type the reply first: what the enterprise was told. "
                                       "“Replied” is saved together with it."))
            self.error.show()
            self.done.hide()
            self.reply_edit.setFocus()
            return
        uuid = data.uuid
        # The text stays until the save is through: a refused reply is still there to correct.
        self._write(lambda: apply(self.db, uuid, status=Status.REPLIED.value, reply=text),
                    self.tr("Reply saved; status changed to “{status}”").format(
                        status=labels.status_label(Status.REPLIED, self._language)),
                    on_saved=self.cancel_reply)

    def change_category(self) -> None:
        data = self._data
        category = self.category_combo.currentData()
        if data is None or not category or category == data.category:
            return
        uuid = data.uuid
        self._write(lambda: apply(self.db, uuid, category=category),
                    self.tr("Re-routed to “{category}”").format(category=taxonomy_label(category, self._language)))

    def reassign(self) -> None:
        data = self._data
        department = self.department_combo.currentData()
        if data is None or not department or department == data.department:
            return
        uuid = data.uuid
        self._write(lambda: apply(self.db, uuid, department=department),
                    self.tr("Reassigned to “{department}”").format(
                        department=taxonomy_label(department, self._language)))

    def add_note(self) -> None:
        data = self._data
        note = self.note_edit.toPlainText().strip()
        if data is None:
            return
        if not note:
            self.error.setText(self.tr("Type the note first."))
            self.error.show()
            self.note_edit.setFocus()
            return
        uuid = data.uuid
        # Cleared once saved: a refused note is still there to correct.
        self._write(lambda: apply(self.db, uuid, note=note), self.tr("Note added"), on_saved=self.note_edit.clear)

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
            self._write(lambda: apply(self.db, uuid, rating=rating, comment=comment),
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
        now = queue_model.clock()
        self.tasks.run(lambda _p: self._rating_outcome(data.status, rating, now), on_success=ask,
                       on_failure=self._show_error)

    def _rating_outcome(self, status: str, rating: int, now: datetime) -> RatingOutcome:
        """(Worker thread) what saving ``rating`` will do, on this station's calendar."""
        with self.db.session() as session:
            return rating_outcome(status, rating, now, session)

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
            if uuid == self._uuid and self.rating_combo.currentData() == value:
                self.rating_hint.setText(self._reopen_text(outcome))

        self.tasks.run(lambda _p: self._rating_outcome(status, int(value), now), on_success=shown,
                       on_failure=lambda _exc: None)

    # --- intake correction --------------------------------------------------------------------

    def start_edit(self) -> None:
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
        self._write(lambda: edit_intake(self.db, uuid, **changes), self.tr("Intake corrected"))
