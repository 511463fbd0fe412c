"""The intake form: a walk-in company's request typed at the counter, keyboard only.

Tab order follows the paper form: company name → credit code → contact → phone → park →
building → channel → description → category → urgency → save. Enter in a one-line field
moves on like Tab. While the name or the credit code is typed, the local directory is
searched in the background and offered in a list; choosing a company fills in the rest.
The credit code and the phone are checked when the field is left (red text under the
field; the organisation-code warning in amber, accepted on save after a confirmation).
The router's suggestion and its reasons follow the description as it is typed;
Ctrl+Enter accepts it, the category list overrides it (saved as a correction). An open
request of the same company and category within 30 days shows a banner offering to link
to it (Alt+L). Ctrl+S saves on the write worker; the tracking number then shows in large
type with "Print receipt" (Ctrl+P) and "New intake" (F2).
"""

from __future__ import annotations

import importlib
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut, QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from xuhui_desk.codes import Channel, Urgency
from xuhui_desk.db import Database
from xuhui_desk.services.timefmt import SHANGHAI, display, to_local
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.labels import category_label, channel_label, status_label, urgency_label
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.validation import (
    LIMITS,
    Issue,
    Severity,
    ValidationFailed,
    check_phone,
    check_text,
    check_uscc,
    clean_text,
    errors,
    name_key,
    normalize_uscc,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xuhui_desk.models import Enterprise
    from xuhui_desk.services.intake import IntakeInput, IntakeResult
    from xuhui_desk.services.receipts import ReceiptData
    from xuhui_desk.services.routing import Router, RoutingResult

log = logging.getLogger(__name__)

SUGGEST_DELAY_MS = 250
LOOKUP_DELAY_MS = 150
DUPLICATE_DELAY_MS = 300
LOOKUP_LIMIT = 8
# The router only needs the beginning of an over-long text (which cannot be saved anyway).
SUGGEST_MAX_CHARS = LIMITS["description"]
RECEIPT_LAYOUTS = ("thermal", "a5")
# Below this width of the form card the fields go one to a row (a 1024 px screen, or English labels).
TWO_COLUMN_MIN_WIDTH = 700
SIDE_MIN_WIDTH = 340
SIDE_MAX_WIDTH = 420
RECENT_LIMIT = 5
# In the enums' order (xuhui_desk.codes has no SQLAlchemy: the form is built before it is imported).
CHANNEL_CODES = tuple(Channel)
URGENCY_CODES = tuple(Urgency)


# --- queries (run on the read workers) ------------------------------------------------------------
# SQLAlchemy, the models and the services are imported inside them: the form shows before they are.


@dataclass(frozen=True)
class EnterpriseMatch:
    """A directory entry offered while the name or the credit code is typed."""

    name: str
    uscc: str
    contact_name: str
    phone: str
    park: str
    building: str


@dataclass(frozen=True)
class Duplicate:
    """An open request of the same enterprise and category (what the banner shows)."""

    uuid: str
    tracking_no: str
    status: str
    created_at: datetime
    description: str


def _like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _match(e: Enterprise) -> EnterpriseMatch:
    return EnterpriseMatch(e.name, e.uscc or "", e.contact_name, e.phone, e.park, e.building)


def lookup_enterprises(session: Session, typed: str, limit: int = LOOKUP_LIMIT) -> list[EnterpriseMatch]:
    """Directory entries whose name contains ``typed`` or whose credit code starts with it; best first."""
    from sqlalchemy import case, or_, select

    from xuhui_desk.models import Enterprise

    term = clean_text(typed)
    if not term:
        return []
    code = normalize_uscc(term)
    conditions = [Enterprise.name.like(f"%{_like(term)}%", escape="\\")]
    key = name_key(term)
    if key:
        conditions.append(Enterprise.name_key.like(f"%{_like(key)}%", escape="\\"))
    if code.isalnum() and code.isascii():
        conditions.append(Enterprise.uscc.like(f"{_like(code)}%", escape="\\"))
    starts = case((Enterprise.name.like(f"{_like(term)}%", escape="\\"), 0), else_=1)
    rows = session.scalars(
        select(Enterprise).where(or_(*conditions)).order_by(starts, Enterprise.updated_at.desc()).limit(limit)
    )
    return [_match(e) for e in rows]


def enterprise_by_uscc(session: Session, uscc: str) -> EnterpriseMatch | None:
    from sqlalchemy import select

    from xuhui_desk.models import Enterprise

    found = session.scalars(select(Enterprise).where(Enterprise.uscc == uscc)).first()
    return _match(found) if found is not None else None


def duplicates(session: Session, name: str, uscc: str, category: str) -> list[Duplicate]:
    from xuhui_desk.services.intake import find_duplicates_for

    return [
        Duplicate(r.uuid, r.tracking_no, r.status, r.created_at, r.description)
        for r in find_duplicates_for(session, name, uscc, category)
    ]


@dataclass(frozen=True)
class RecentIntake:
    """One of today's intakes at this workstation (the list under the suggestion)."""

    uuid: str
    tracking_no: str
    enterprise_name: str
    category: str
    created_at: datetime


def todays_intakes(session: Session, limit: int = RECENT_LIMIT) -> tuple[int, list[RecentIntake]]:
    """How many requests were received today (Shanghai calendar day) and the latest of them."""
    from sqlalchemy import func, select

    from xuhui_desk.models import Request

    start = datetime.now(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    today = Request.created_at >= start
    total = session.scalar(select(func.count()).select_from(Request).where(today)) or 0
    rows = session.scalars(select(Request).where(today).order_by(Request.created_at.desc(), Request.id.desc())
                           .limit(limit))
    return total, [RecentIntake(r.uuid, r.tracking_no, r.enterprise.name, r.category, r.created_at) for r in rows]


def receipt_data_for(db: Database, uuid: str, language: str) -> ReceiptData:
    """The receipt of a saved request (the builder ``xuhui-desk receipt`` uses too)."""
    from xuhui_desk.services.receipts import receipt_for_request

    with db.session() as session:
        return receipt_for_request(session, uuid, language)


def _load_router(db: Database) -> Router:
    # The session first: while the database is still opening after start-up this waits (on the
    # worker) before the router's modules are imported.
    with db.session() as session:
        from xuhui_desk.services.assignment import load_router

        return load_router(session)


# --- small widgets --------------------------------------------------------------------------------


class _FieldMessage(QLabel):
    """The red (error) or amber (warning) line under a field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setObjectName("fieldError")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.hide()

    def show_issue(self, issue: Issue | None, language: str) -> None:
        self.show_issues([issue] if issue is not None else [], language)

    def show_issues(self, issues: list[Issue], language: str) -> None:
        """Every issue of the field, one per line: red when one of them is an error, else amber."""
        if not issues:
            self.clear()
            self.hide()
            return
        error = any(i.severity is not Severity.WARNING for i in issues)
        self.setObjectName("fieldError" if error else "fieldWarning")
        self.style().unpolish(self)
        self.style().polish(self)
        self.setText("\n".join(i.message(language) for i in issues))
        self.show()


def _set_state(widget: QWidget, issues: list[Issue]) -> None:
    error = any(i.severity is Severity.ERROR for i in issues)
    widget.setProperty("invalid", error)
    widget.setProperty("warning", bool(issues) and not error)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class _DescriptionEdit(QPlainTextEdit):
    """Multi-line description in which Tab moves on (as in every other field) instead of typing a tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)


def _percent(confidence: float) -> int:
    """Whole percent, rounded down: 0.996 is "99%", never a certainty the router does not have."""
    return max(0, min(99, int(confidence * 100)))


def _key_text(sequence: str) -> str:
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


def _key_hint(sequence: str) -> QLabel:
    label = QLabel(_key_text(sequence))
    label.setObjectName("keyHint")
    label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return label


class IntakeForm(QWidget):
    """See the module documentation. ``saved(uuid, tracking_no)`` after each save."""

    saved = Signal(str, str)
    # Emitted when the specialist asks for the receipt of the saved request (before the preview opens).
    receipt_requested = Signal(str)
    # A request in today's list was opened (Enter or double-click): show it in the queue.
    requestActivated = Signal(str)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.setObjectName("page")
        self.router: Router | None = None
        self._router_failed = False
        self.suggestion: RoutingResult | None = None
        self.result: IntakeResult | None = None
        self.linked_uuid: str | None = None
        self._duplicates: list[Duplicate] = []
        self._dismissed_key: tuple[str, str, str] | None = None
        # (credit code, warning) when the directory has this code under another company's name;
        # shown until the code changes.
        self._uscc_conflict: tuple[str, Issue] | None = None
        self._saving = False
        self._lookup_serial = 0
        self._duplicate_serial = 0
        self.receipt_layout = RECEIPT_LAYOUTS[0]
        # A category to select once the categories are loaded (a draft restored early).
        self._pending_category: str | None = None
        self._shown_once = False

        self._build()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        self._build_timers()
        self._build_shortcuts()
        self._wire()
        self._set_tab_order()
        self.setFocusProxy(self.name_edit)
        self.reload_router()
        self.refresh_recent()

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 14)
        outer.setSpacing(12)

        header = QHBoxLayout()
        title = QLabel(self.tr("Intake"))
        title.setObjectName("pageTitle")
        header.addWidget(title)
        header.addStretch(1)
        for key, text in (("F2", self.tr("new intake")), ("F1", self.tr("all shortcuts"))):
            header.addWidget(_key_hint(key))
            hint = QLabel(text)
            hint.setObjectName("hint")
            header.addWidget(hint)
            header.addSpacing(10)
        outer.addLayout(header)

        body = QHBoxLayout()
        body.setSpacing(16)
        # On a short screen the form scrolls rather than squeezing its fields into each other.
        self.form_scroll = QScrollArea()
        self.form_scroll.setObjectName("formScroll")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll.setWidget(self._build_form_card())
        body.addWidget(self.form_scroll, 1)
        # The side column has a width of its own (a third of the page, within bounds): the form
        # takes what a wider screen adds.
        side = QWidget()
        side.setObjectName("sideColumn")
        side_layout = self._build_side()
        side_layout.setContentsMargins(0, 0, 0, 0)
        side.setLayout(side_layout)
        # Its cards scroll together when a short screen cannot hold them all.
        self.side_column = QScrollArea()
        self.side_column.setObjectName("formScroll")
        self.side_column.setWidgetResizable(True)
        self.side_column.setFrameShape(QFrame.Shape.NoFrame)
        self.side_column.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.side_column.setWidget(side)
        self.side_column.setFixedWidth(SIDE_MIN_WIDTH)
        body.addWidget(self.side_column, 0)
        outer.addLayout(body, 1)

    def _line(self, field: str, placeholder: str = "", max_length: int | None = None) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(field)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        edit.setMaxLength(max_length or LIMITS.get(field, 100))
        return edit

    def _label(self, text: str, buddy: QWidget, required: bool = False) -> QLabel:
        label = QLabel(text + (" *" if required else ""))
        label.setObjectName("fieldLabel")
        label.setBuddy(buddy)
        return label

    def _build_form_card(self) -> QWidget:
        card = QFrame()
        card.setObjectName("card")
        self.form_card = card
        layout = QVBoxLayout(card)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)

        self.name_edit = self._line("enterprise_name", self.tr("Type a name or credit code to search the directory"))
        self.uscc_edit = self._line("uscc", self.tr("18 characters; empty for a sole trader"), 40)
        self.contact_edit = self._line("contact_name")
        self.phone_edit = self._line("phone", self.tr("Mobile or Shanghai landline"), 32)
        self.park_edit = self._line("park")
        self.building_edit = self._line("building")
        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("channel")
        for code in CHANNEL_CODES:
            self.channel_combo.addItem(channel_label(code), code)

        self.messages: dict[str, _FieldMessage] = {}
        self.inputs: dict[str, QWidget] = {
            "enterprise_name": self.name_edit,
            "uscc": self.uscc_edit,
            "contact_name": self.contact_edit,
            "phone": self.phone_edit,
            "park": self.park_edit,
            "building": self.building_edit,
            "channel": self.channel_combo,
        }

        section = QLabel(self.tr("Enterprise details"))
        section.setObjectName("sectionTitle")
        layout.addWidget(section)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(2, 0)
        # Placed by _arrange(): two fields a row when the card is wide, one when it is narrow.
        self.enterprise_grid = grid
        self._enterprise_fields = [
            self._field_parts(self.tr("Enterprise name"), "enterprise_name", required=True),
            self._field_parts(self.tr("Credit code"), "uscc"),
            self._field_parts(self.tr("Contact"), "contact_name"),
            self._field_parts(self.tr("Phone"), "phone"),
            self._field_parts(self.tr("Park"), "park"),
            self._field_parts(self.tr("Building"), "building"),
            self._field_parts(self.tr("Channel"), "channel"),
        ]
        layout.addLayout(grid)

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setStyleSheet("color: #e4e8ee;")
        layout.addSpacing(4)
        layout.addWidget(rule)
        layout.addSpacing(2)

        section = QLabel(self.tr("Request details"))
        section.setObjectName("sectionTitle")
        layout.addWidget(section)
        self.description_edit = _DescriptionEdit()
        self.description_edit.setObjectName("description")
        self.description_edit.setPlaceholderText(
            self.tr("What the company asks for, in its own words (at least 4 characters)"))
        self.description_edit.setMinimumHeight(110)
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("category")
        self.category_combo.addItem(self.tr("Use the suggestion"), None)
        # The categories are added when the router (and with it the taxonomy) is loaded in the background.
        self.urgency_combo = QComboBox()
        self.urgency_combo.setObjectName("urgency")
        for code in URGENCY_CODES:
            self.urgency_combo.addItem(urgency_label(code), code)
        self.inputs.update(description=self.description_edit, category=self.category_combo,
                           urgency=self.urgency_combo)

        grid2 = QGridLayout()
        grid2.setHorizontalSpacing(10)
        grid2.setVerticalSpacing(4)
        grid2.setColumnStretch(1, 1)
        grid2.setColumnStretch(3, 1)
        label = self._label(self.tr("Description"), self.description_edit, required=True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setContentsMargins(0, 5, 0, 0)
        grid2.addWidget(label, 0, 0)
        grid2.addWidget(self.description_edit, 0, 1, 1, 3)
        below = QHBoxLayout()
        self.messages["description"] = _FieldMessage()
        below.addWidget(self.messages["description"], 1)
        self.counter = QLabel()
        self.counter.setObjectName("hint")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        below.addWidget(self.counter)
        grid2.addLayout(below, 1, 1, 1, 3)
        self.request_grid = grid2
        self._request_fields = [self._field_parts(self.tr("Category"), "category"),
                                self._field_parts(self.tr("Urgency"), "urgency")]
        self.category_note = QLabel()
        self.category_note.setObjectName("hint")
        self.category_note.setWordWrap(True)
        self._two_columns: bool | None = None
        self._arrange(two_columns=True)
        layout.addLayout(grid2, 1)

        self.form_error = QLabel()
        self.form_error.setObjectName("errorBanner")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        layout.addWidget(self.form_error)

        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        self.save_button = QPushButton(self.tr("Save intake"))
        self.save_button.setProperty("primary", True)
        self.save_button.setMinimumWidth(120)
        self.save_button.setToolTip(_key_text("Ctrl+S"))
        self.clear_button = QPushButton(self.tr("Clear"))
        buttons.addWidget(self.save_button)
        buttons.addWidget(_key_hint("Ctrl+S"))
        buttons.addSpacing(8)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        self.busy_label = QLabel()
        self.busy_label.setObjectName("hint")
        buttons.addWidget(self.busy_label)
        layout.addLayout(buttons)
        self._update_counter()
        return card

    def _field_parts(self, text: str, field: str, *, required: bool = False) -> tuple[QLabel, QWidget, _FieldMessage]:
        widget = self.inputs[field]
        message = _FieldMessage()
        self.messages[field] = message
        return self._label(text, widget, required), widget, message

    def _arrange(self, *, two_columns: bool) -> None:
        """Lay the fields out two to a row (wide) or one to a row (narrow: 1024 px screens, English labels),
        so that a credit code, a phone number or a combo's text is never cut off."""
        if two_columns == self._two_columns:
            return
        self._two_columns = two_columns
        for grid in (self.enterprise_grid, self.request_grid):
            for column in range(4):
                grid.setColumnStretch(column, 0)
            grid.setColumnStretch(1, 1)
            if two_columns:
                grid.setColumnStretch(3, 1)
        # The enterprise name always has a row of its own; then the other fields.
        first, *rest = self._enterprise_fields
        self._place(self.enterprise_grid, first, 0, 0, span=3, message_row=1)
        self._place_pairs(self.enterprise_grid, rest, start_row=2, two_columns=two_columns)
        row = self._place_pairs(self.request_grid, self._request_fields, start_row=2, two_columns=two_columns)
        self.request_grid.addWidget(self.category_note, row, 1, 1, 3)

    def _place_pairs(self, grid: QGridLayout, fields: list[tuple[QLabel, QWidget, _FieldMessage]], *,
                     start_row: int, two_columns: bool) -> int:
        """Place the fields from ``start_row``; returns the next free row. A field's message always
        takes the whole width under its row (audit D20: under one of two narrow fields it wrapped
        onto three lines, mid-word); in a pair the right field's message follows the left's."""
        row = start_row
        for index, parts in enumerate(fields):
            if not two_columns:
                self._place(grid, parts, row, 0, span=3, message_row=row + 1)
                row += 2
            elif index % 2 == 0:
                self._place(grid, parts, row, 0, message_row=row + 1)
            else:
                self._place(grid, parts, row, 2, message_row=row + 2)
                row += 3
        if two_columns and len(fields) % 2:
            row += 3
        return row

    @staticmethod
    def _place(grid: QGridLayout, parts: tuple[QLabel, QWidget, _FieldMessage], row: int, column: int, *,
               span: int = 1, message_row: int) -> None:
        label, widget, message = parts
        for item in parts:
            grid.removeWidget(item)
        grid.addWidget(label, row, column)
        grid.addWidget(widget, row, column + 1, 1, span)
        grid.addWidget(message, message_row, 1, 1, 3)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        # Tab through a form that scrolls: the field being typed in is always in view.
        if new is not None and isValid(self) and self.form_card.isAncestorOf(new):
            self.form_scroll.ensureWidgetVisible(new, 0, 24)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_side()

    def _fit_side(self) -> None:
        """Two fifths of the page for the side column (within bounds), never less than its cards
        need (the large tracking number after saving): nothing in it is cut at the right edge."""
        cards = self.side_column.widget()
        need = cards.minimumSizeHint().width() + self.side_column.verticalScrollBar().sizeHint().width() + 2
        self.side_column.setFixedWidth(max(SIDE_MIN_WIDTH, min(SIDE_MAX_WIDTH, self.width() * 2 // 5), need))
        available = self.width() - self.side_column.width() - 64  # page margins and the gap
        self._arrange(two_columns=available >= TWO_COLUMN_MIN_WIDTH)

    def _build_side(self) -> QVBoxLayout:
        side = QVBoxLayout()
        side.setSpacing(12)
        # The suggestion before saving, the tracking number after: one of the two is shown.
        self.suggestion_card = self._build_suggestion_card()
        self.saved_panel = self._build_saved_panel()
        self.saved_panel.hide()
        side.addWidget(self.suggestion_card)
        side.addWidget(self.saved_panel)
        side.addWidget(self._build_duplicate_banner())
        side.addWidget(self._build_recent_card(), 1)
        return side

    def _build_recent_card(self) -> QWidget:
        card = QFrame()
        card.setObjectName("card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(6)
        head = QHBoxLayout()
        self.recent_title = QLabel(self.tr("Received today"))
        self.recent_title.setObjectName("sectionTitle")
        head.addWidget(self.recent_title)
        head.addStretch(1)
        self.recent_count = QLabel()
        self.recent_count.setObjectName("hint")
        head.addWidget(self.recent_count)
        layout.addLayout(head)
        self.recent_list = QListWidget()
        self.recent_list.setObjectName("recentList")
        self.recent_list.setFrameShape(QFrame.Shape.NoFrame)
        self.recent_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recent_list.setToolTip(self.tr("Enter or double-click: open the request"))
        self.recent_list.itemActivated.connect(self._recent_activated)
        layout.addWidget(self.recent_list, 1)
        self.recent_empty = QLabel(self.tr("Nothing received yet today."))
        self.recent_empty.setObjectName("muted")
        self.recent_empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # The empty text sits right under the title and takes the card's free height (audit D17).
        layout.addWidget(self.recent_empty, 1)
        return card

    def refresh_recent(self) -> None:
        """Reload today's intakes in the background."""

        def done(found: tuple[int, list[RecentIntake]]) -> None:
            if isValid(self):
                self._show_recent(*found)

        self.tasks.run(lambda _p: self._read(todays_intakes), on_success=done,
                       on_failure=lambda exc: log.warning("today's intakes could not be read: %s", exc))

    def _show_recent(self, total: int, rows: list[RecentIntake]) -> None:
        self.recent_list.clear()
        for row in rows:
            time_text = to_local(row.created_at).strftime("%H:%M")
            item = QListWidgetItem(f"{row.tracking_no}   {category_label(row.category)}\n"
                                   f"{time_text}   {row.enterprise_name}")
            item.setData(Qt.ItemDataRole.UserRole, row.uuid)
            item.setToolTip(row.enterprise_name)
            self.recent_list.addItem(item)
        self.recent_count.setText(self.tr("{count} in all").format(count=total) if total else "")
        self.recent_empty.setVisible(not rows)
        self.recent_list.setVisible(bool(rows))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._shown_once:
            self.refresh_recent()  # requests may have been saved elsewhere meanwhile
        self._shown_once = True

    def _recent_activated(self, item: QListWidgetItem) -> None:
        uuid = item.data(Qt.ItemDataRole.UserRole)
        if uuid:
            self.requestActivated.emit(str(uuid))

    def _build_suggestion_card(self) -> QWidget:
        card = QFrame()
        card.setObjectName("card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(18, 14, 18, 16)
        layout.setSpacing(6)
        head = QHBoxLayout()
        title = QLabel(self.tr("Suggested category"))
        title.setObjectName("sectionTitle")
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(_key_hint("Ctrl+Return"))
        accept = QLabel(self.tr("accept"))
        accept.setObjectName("hint")
        head.addWidget(accept)
        layout.addLayout(head)

        self.suggestion_empty = QLabel(self.tr("Type the description: the suggested category and why will show here."))
        self.suggestion_empty.setObjectName("muted")
        self.suggestion_empty.setWordWrap(True)
        layout.addWidget(self.suggestion_empty)

        self.suggestion_body = QWidget()
        body = QVBoxLayout(self.suggestion_body)
        body.setContentsMargins(0, 2, 0, 0)
        body.setSpacing(6)
        line = QHBoxLayout()
        self.suggestion_category = QLabel()
        self.suggestion_category.setObjectName("suggestionCategory")
        self.suggestion_category.setWordWrap(True)
        line.addWidget(self.suggestion_category)
        line.addStretch(1)
        self.suggestion_confidence = QLabel()
        self.suggestion_confidence.setObjectName("suggestionConfidence")
        line.addWidget(self.suggestion_confidence)
        body.addLayout(line)
        self.suggestion_department = QLabel()
        self.suggestion_department.setObjectName("suggestionDepartment")
        self.suggestion_department.setWordWrap(True)
        body.addWidget(self.suggestion_department)
        why = QLabel(self.tr("Why"))
        why.setObjectName("muted")
        body.addSpacing(4)
        body.addWidget(why)
        self.suggestion_reasons = QLabel()
        self.suggestion_reasons.setObjectName("reason")
        self.suggestion_reasons.setWordWrap(True)
        self.suggestion_reasons.setTextFormat(Qt.TextFormat.PlainText)
        body.addWidget(self.suggestion_reasons)
        self.alternatives_title = QLabel(self.tr("Also possible"))
        self.alternatives_title.setObjectName("muted")
        body.addSpacing(4)
        body.addWidget(self.alternatives_title)
        # Each other category with its share and the words that point to it (audit D19: evidence
        # for another category is said to be so, not listed under the suggestion).
        self.alternatives_list = QLabel()
        self.alternatives_list.setObjectName("reason")
        self.alternatives_list.setWordWrap(True)
        self.alternatives_list.setTextFormat(Qt.TextFormat.PlainText)
        body.addWidget(self.alternatives_list)
        layout.addWidget(self.suggestion_body)
        self.suggestion_body.hide()
        return card

    def _build_saved_panel(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("successPanel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(18, 14, 18, 16)
        layout.setSpacing(6)
        self.saved_title = QLabel(self.tr("Request saved"))
        self.saved_title.setObjectName("successTitle")
        layout.addWidget(self.saved_title)
        # What the specialist confirmed before saving, said plainly (not "with a reminder", audit D18).
        self.saved_warning = QLabel()
        self.saved_warning.setObjectName("fieldWarning")
        self.saved_warning.setWordWrap(True)
        self.saved_warning.hide()
        layout.addWidget(self.saved_warning)
        caption = QLabel(self.tr("Tracking number"))
        caption.setObjectName("muted")
        layout.addWidget(caption)
        self.tracking_label = QLabel()
        self.tracking_label.setObjectName("trackingNo")
        self.tracking_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                    | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        layout.addWidget(self.tracking_label)
        details = QGridLayout()
        details.setHorizontalSpacing(12)
        details.setVerticalSpacing(4)
        self.saved_values: dict[str, QLabel] = {}
        for row, (key, text) in enumerate((
            ("enterprise", self.tr("Enterprise")),
            ("category", self.tr("Category")),
            ("department", self.tr("Department")),
            ("due", self.tr("Reply due")),
            ("linked", self.tr("Linked to")),
        )):
            caption = QLabel(text)
            caption.setObjectName("muted")
            value = QLabel()
            value.setWordWrap(True)
            details.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            details.addWidget(value, row, 1)
            self.saved_values[key] = value
            self.saved_values[key + "_caption"] = caption
        details.setColumnStretch(1, 1)
        layout.addLayout(details)
        layout.addSpacing(8)
        row1 = QHBoxLayout()
        self.print_button = QPushButton(self.tr("Print receipt"))
        self.print_button.setProperty("primary", True)
        self.print_button.setToolTip(_key_text("Ctrl+P"))
        row1.addWidget(self.print_button)
        row1.addWidget(_key_hint("Ctrl+P"))
        self.layout_combo = QComboBox()
        self.layout_combo.addItem(self.tr("80 mm slip"), "thermal")
        self.layout_combo.addItem(self.tr("A5 page"), "a5")
        self.layout_combo.setToolTip(self.tr("Receipt paper"))
        row1.addWidget(self.layout_combo)
        row1.addStretch(1)
        layout.addLayout(row1)
        row2 = QHBoxLayout()
        self.new_button = QPushButton(self.tr("New intake"))
        self.new_button.setToolTip(_key_text("F2"))
        row2.addWidget(self.new_button)
        row2.addWidget(_key_hint("F2"))
        row2.addStretch(1)
        layout.addLayout(row2)
        return panel

    def _build_duplicate_banner(self) -> QWidget:
        self.duplicate_banner = QFrame()
        self.duplicate_banner.setObjectName("warningBanner")
        layout = QVBoxLayout(self.duplicate_banner)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        self.duplicate_title = QLabel()
        self.duplicate_title.setStyleSheet("font-weight: bold;")
        self.duplicate_title.setWordWrap(True)
        layout.addWidget(self.duplicate_title)
        self.duplicate_text = QLabel()
        self.duplicate_text.setWordWrap(True)
        self.duplicate_text.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.duplicate_text)
        row = QHBoxLayout()
        self.link_button = QPushButton(self.tr("Link to it"))
        self.link_button.setToolTip(_key_text("Alt+L"))
        self.ignore_button = QPushButton(self.tr("Keep as new"))
        self.ignore_button.setToolTip(self.tr("Save as a new request"))
        row.addWidget(self.link_button)
        row.addWidget(_key_hint("Alt+L"))
        row.addStretch(1)
        row.addWidget(self.ignore_button)
        layout.addLayout(row)
        self.duplicate_banner.hide()
        return self.duplicate_banner

    # --- wiring -------------------------------------------------------------------------------

    def _build_timers(self) -> None:
        def timer(delay: int, slot: Callable[[], None]) -> QTimer:
            t = QTimer(self)
            t.setSingleShot(True)
            t.setInterval(delay)
            t.timeout.connect(slot)
            return t

        self.suggest_timer = timer(SUGGEST_DELAY_MS, self.update_suggestion)
        self.lookup_timer = timer(LOOKUP_DELAY_MS, self._run_lookup)
        self.duplicate_timer = timer(DUPLICATE_DELAY_MS, self._run_duplicate_check)
        self._lookup_source: QLineEdit = self.name_edit

    def _build_shortcuts(self) -> None:
        def shortcut(key: str, slot: Callable[[], None]) -> QShortcut:
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slot)
            return sc

        self.save_shortcut = shortcut("Ctrl+S", self.save)
        shortcut("Ctrl+Return", self.accept_suggestion)
        shortcut("Ctrl+Enter", self.accept_suggestion)
        shortcut("Alt+L", self._link_shortcut)
        shortcut("Ctrl+P", self._print_shortcut)

    def _wire(self) -> None:
        self.name_model = QStandardItemModel(self)
        self.name_completer = self._completer(self.name_model, self.name_edit)
        self.uscc_model = QStandardItemModel(self)
        self.uscc_completer = self._completer(self.uscc_model, self.uscc_edit)

        self.name_edit.textEdited.connect(lambda _t: self._schedule_lookup(self.name_edit))
        self.uscc_edit.textEdited.connect(lambda _t: self._schedule_lookup(self.uscc_edit))
        for edit in (self.name_edit, self.uscc_edit, self.contact_edit, self.phone_edit, self.park_edit,
                     self.building_edit):
            edit.returnPressed.connect(self._focus_next)
        self.name_edit.textChanged.connect(self._identity_changed)
        self.uscc_edit.textChanged.connect(self._identity_changed)
        self.uscc_edit.editingFinished.connect(self._uscc_finished)
        self.uscc_edit.textEdited.connect(self._uscc_edited)
        self.phone_edit.editingFinished.connect(lambda: self._check_field("phone"))
        self.phone_edit.textEdited.connect(lambda _t: self._recheck_if_shown("phone"))
        for field in ("enterprise_name", "contact_name", "park", "building"):
            edit = self.inputs[field]
            assert isinstance(edit, QLineEdit)
            edit.textEdited.connect(lambda _t, f=field: self._recheck_if_shown(f))
        self.description_edit.textChanged.connect(self._description_changed)
        self.category_combo.currentIndexChanged.connect(self._category_changed)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(lambda: self.start_new(confirm=True))
        self.new_button.clicked.connect(lambda: self.start_new(confirm=False))
        self.print_button.clicked.connect(self.print_receipt)
        self.layout_combo.currentIndexChanged.connect(
            lambda _i: setattr(self, "receipt_layout", self.layout_combo.currentData()))
        self.link_button.clicked.connect(self.link_to_duplicate)
        self.ignore_button.clicked.connect(self.dismiss_duplicate)

    def _completer(self, model: QStandardItemModel, edit: QLineEdit) -> QCompleter:
        completer = QCompleter(model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(LOOKUP_LIMIT)
        completer.setWidget(edit)
        completer.activated[QModelIndex].connect(self._completion_chosen)  # type: ignore[index]
        return completer

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.name_edit, self.uscc_edit, self.contact_edit, self.phone_edit, self.park_edit,
            self.building_edit, self.channel_combo, self.description_edit, self.category_combo,
            self.urgency_combo, self.save_button, self.clear_button, self.link_button, self.ignore_button,
            self.print_button, self.layout_combo, self.new_button, self.recent_list,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _focus_next(self) -> None:
        self.focusNextChild()

    # --- enterprise lookup --------------------------------------------------------------------

    def _schedule_lookup(self, source: QLineEdit) -> None:
        self._lookup_source = source
        self.lookup_timer.start()

    def _run_lookup(self) -> None:
        source = self._lookup_source
        typed = source.text()
        if len(clean_text(typed)) < (1 if source is self.name_edit else 4):
            self._fill_completions(source, [])
            return
        self._lookup_serial += 1
        serial = self._lookup_serial

        def done(matches: list[EnterpriseMatch]) -> None:
            if not isValid(self) or serial != self._lookup_serial or source.text() != typed:
                return  # the text changed meanwhile: a newer lookup is on its way
            self._fill_completions(source, matches)

        self.tasks.run(lambda _p: self._read(lambda s: lookup_enterprises(s, typed)), on_success=done,
                       on_failure=lambda exc: log.warning("directory lookup failed: %s", exc))

    def _read(self, fn: Callable[[Session], Any]) -> Any:
        with self.db.session() as session:
            return fn(session)

    def _fill_completions(self, source: QLineEdit, matches: list[EnterpriseMatch]) -> None:
        model = self.name_model if source is self.name_edit else self.uscc_model
        completer = self.name_completer if source is self.name_edit else self.uscc_completer
        model.clear()
        for match in matches:
            parts = [match.name, match.uscc or self.tr("no credit code"), " ".join(p for p in (match.park,
                                                                                             match.building) if p)]
            item = QStandardItem("  ·  ".join(p for p in parts if p))
            item.setData(match, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            model.appendRow(item)
        popup = completer.popup()
        if matches and source.hasFocus() and not source.isReadOnly():
            completer.complete()
            popup.setCurrentIndex(QModelIndex())
        elif popup.isVisible():
            popup.hide()

    def _completion_chosen(self, index: QModelIndex | QPersistentModelIndex) -> None:
        match = index.data(Qt.ItemDataRole.UserRole)
        if isinstance(match, EnterpriseMatch):
            self.fill_enterprise(match, overwrite=True)
            self.description_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def fill_enterprise(self, match: EnterpriseMatch, *, overwrite: bool) -> None:
        """Put a directory entry's details in the form (all of them, or only into empty fields)."""
        values = {
            self.name_edit: match.name, self.uscc_edit: match.uscc, self.contact_edit: match.contact_name,
            self.phone_edit: match.phone, self.park_edit: match.park, self.building_edit: match.building,
        }
        for edit, value in values.items():
            if value and (overwrite or not edit.text().strip()):
                edit.setText(value)
        for field in ("enterprise_name", "uscc", "phone"):
            self._show_issue(field, None)
        self._check_field("uscc")

    def _uscc_edited(self, text: str) -> None:
        if len(normalize_uscc(text)) >= 18:
            self._check_field("uscc")
        else:
            self._recheck_if_shown("uscc")

    def _uscc_finished(self) -> None:
        self._check_field("uscc")
        code = normalize_uscc(self.uscc_edit.text())
        # Look the code up whatever warnings it has (an organisation-code warning must not hide that
        # the code is registered to another company, audit D15); only a code in error is not looked up.
        if len(code) != 18 or any(i.severity is Severity.ERROR for i in check_uscc(code)[1]):
            return

        def done(match: EnterpriseMatch | None) -> None:
            if not isValid(self) or match is None or normalize_uscc(self.uscc_edit.text()) != code:
                return
            if self.name_edit.text().strip() and name_key(self.name_edit.text()) != name_key(match.name):
                self._uscc_conflict = (code, Issue("uscc", "enterprise.uscc_conflict", Severity.WARNING,
                                                   {"name": match.name}))
                self._check_field("uscc")
                return
            self.fill_enterprise(match, overwrite=False)

        self.tasks.run(lambda _p: self._read(lambda s: enterprise_by_uscc(s, code)), on_success=done,
                       on_failure=lambda exc: log.warning("credit code lookup failed: %s", exc))

    # --- validation ---------------------------------------------------------------------------

    def _field_issues(self, field: str) -> list[Issue]:
        """The field's own issues; for the credit code also a directory conflict found for this code."""
        if field == "uscc":
            issues = check_uscc(self.uscc_edit.text())[1]
            conflict = self._uscc_conflict
            if conflict is not None and conflict[0] == normalize_uscc(self.uscc_edit.text()):
                issues = [*issues, conflict[1]]
        elif field == "phone":
            issues = check_phone(self.phone_edit.text())[1]
        elif field == "description":
            issues = check_text(clean_text(self.description_edit.toPlainText(), multiline=True), "description")
        else:
            edit = self.inputs[field]
            assert isinstance(edit, QLineEdit)
            issues = check_text(clean_text(edit.text()), field)
        return issues

    def _field_issue(self, field: str) -> Issue | None:
        issues = self._field_issues(field)
        return issues[0] if issues else None

    def _check_field(self, field: str) -> Issue | None:
        """Check the field and show every issue it has; returns the first (None when it is fine)."""
        issues = self._field_issues(field)
        self._show_issues(field, issues)
        return issues[0] if issues else None

    def _recheck_if_shown(self, field: str) -> None:
        if self.messages[field].isVisible():
            self._show_issues(field, self._field_issues(field))

    def _show_issue(self, field: str, issue: Issue | None) -> None:
        self._show_issues(field, [issue] if issue is not None else [])

    def _show_issues(self, field: str, issues: list[Issue]) -> None:
        message = self.messages.get(field)
        if message is None:
            if issues:
                self._show_form_error(issues[0].message(current_language()))
            return
        message.show_issues(issues, current_language())
        _set_state(self.inputs[field], issues)

    def _show_form_error(self, text: str) -> None:
        self.form_error.setText(text)
        self.form_error.setVisible(bool(text))

    def issue_text(self, field: str) -> str:
        """The message shown under ``field`` ('' when none)."""
        message = self.messages[field]
        return message.text() if message.isVisible() else ""

    def clear_issues(self) -> None:
        for field in self.messages:
            self._show_issue(field, None)
        self._show_form_error("")

    # --- description, suggestion, category ----------------------------------------------------

    def _description_changed(self) -> None:
        self._update_counter()
        self._recheck_if_shown("description")
        if len(self.description_edit.toPlainText()) > LIMITS["description"]:
            self._check_field("description")
        if not self.description_edit.isReadOnly():
            self.suggest_timer.start()

    def _update_counter(self) -> None:
        length = len(clean_text(self.description_edit.toPlainText(), multiline=True))
        limit = LIMITS["description"]
        self.counter.setText(f"{length} / {limit}")
        self.counter.setStyleSheet("color: #c62828;" if length > limit else "")

    def _identity_changed(self) -> None:
        if self.suggestion is not None and not self.name_edit.isReadOnly():
            self.suggest_timer.start()
        self._schedule_duplicate_check()

    def reload_router(self) -> None:
        """Load the station's router (rules plus its own corrections) in the background."""

        def done(router: Router) -> None:
            if not isValid(self):
                return
            self.router = router
            self._router_failed = False
            if self.category_combo.count() == 1:
                for category in router.taxonomy.categories:
                    self.category_combo.addItem(category.label(current_language()), category.code.value)
                if self._pending_category:
                    self.category_combo.setCurrentIndex(max(0, self.category_combo.findData(self._pending_category)))
                    self._pending_category = None
            self.update_suggestion()

        def failed(exc: BaseException) -> None:
            if not isValid(self):
                return
            log.error("the router could not be loaded: %s", exc)
            self._router_failed = True
            self.suggestion_empty.setText(self.tr("Category suggestions are not available: {error}").format(
                error=exc))

        self.tasks.run(lambda _p: _load_router(self.db), on_success=done, on_failure=failed)

    def update_suggestion(self) -> None:
        """Ask the router about the description now (normally called 250 ms after the last keystroke)."""
        self.suggest_timer.stop()
        text = self.description_edit.toPlainText()[:SUGGEST_MAX_CHARS]
        if self.router is None or len(clean_text(text)) < 2:
            self._show_suggestion(None)
            return
        result = self.router.suggest(text, enterprise_name=clean_text(self.name_edit.text()) or None,
                                     language=current_language())
        self._show_suggestion(result)

    def _show_suggestion(self, result: RoutingResult | None) -> None:
        self.suggestion = result
        self.suggestion_body.setVisible(result is not None)
        self.suggestion_empty.setVisible(result is None)
        if result is None:
            self.category_combo.setItemText(0, self.tr("Use the suggestion"))
            self._category_changed()
            return
        language = current_language()
        label = category_label(result.category.value)
        if result.subcategory is not None:
            label = f"{label} · {result.subcategory.label(language)}"
        self.suggestion_category.setText(label)
        self.suggestion_confidence.setText(self.tr("{percent}% sure").format(percent=_percent(result.confidence)))
        self.suggestion_department.setText(self.tr("Handled by: {department}").format(
            department=result.department.label(language)))
        reasons = result.reasons_for(result.category, language)[:5]
        self.suggestion_reasons.setText("\n".join(f"· {r}" for r in reasons) if reasons else "—")
        lines = []
        for alt in result.alternatives:
            evidence = result.reasons_for(alt.category, language)[:2]
            if alt.confidence < 0.01 and not evidence:
                continue
            line = f"· {category_label(alt.category.value)} {_percent(alt.confidence)}%"
            if evidence:
                line += self.tr(": {evidence}").format(evidence=self.tr("; ").join(evidence))
            lines.append(line)
        self.alternatives_list.setText("\n".join(lines[:3]))
        self.alternatives_title.setVisible(bool(lines))
        self.alternatives_list.setVisible(bool(lines))
        self.category_combo.setItemText(0, self.tr("Suggested: {category}").format(
            category=category_label(result.category.value)))
        self._category_changed()

    def accept_suggestion(self) -> None:
        """Ctrl+Enter: choose the suggested category and move on to the urgency."""
        if self.description_edit.isReadOnly():
            return
        self.update_suggestion()
        if self.suggestion is None:
            self._status(self.tr("No suggestion yet: type the description first."))
            return
        index = self.category_combo.findData(self.suggestion.category.value)
        self.category_combo.setCurrentIndex(index)
        self.urgency_combo.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def chosen_category(self) -> str | None:
        """The category chosen in the list (None: the suggestion)."""
        data = self.category_combo.currentData()
        return str(data) if data else None

    def effective_category(self) -> str | None:
        chosen = self.chosen_category()
        if chosen:
            return chosen
        return self.suggestion.category.value if self.suggestion is not None else None

    def _category_changed(self, _index: int = 0) -> None:
        chosen = self.chosen_category()
        suggested = self.suggestion.category.value if self.suggestion is not None else None
        if chosen and suggested and chosen != suggested:
            text = self.tr("Differs from the suggestion ({category}): saved as a correction, "
                           "so that later suggestions learn from it.").format(category=category_label(suggested))
            self.category_note.setStyleSheet("color: #a15c00;")
        elif chosen and chosen == suggested:
            text = self.tr("Suggestion accepted.")
            self.category_note.setStyleSheet("")
        elif suggested:
            text = self.tr("The suggested category is used unless you choose another one.")
            self.category_note.setStyleSheet("")
        else:
            text = ""
        self.category_note.setText(text)
        self._schedule_duplicate_check()

    # --- duplicates ---------------------------------------------------------------------------

    def _duplicate_key(self) -> tuple[str, str, str] | None:
        name = clean_text(self.name_edit.text())
        category = self.effective_category()
        if not category or (len(name) < 2 and not normalize_uscc(self.uscc_edit.text())):
            return None
        return name, normalize_uscc(self.uscc_edit.text()), category

    def _schedule_duplicate_check(self) -> None:
        if self.result is None and not self._saving:
            self.duplicate_timer.start()

    def _run_duplicate_check(self) -> None:
        key = self._duplicate_key()
        if key is None:
            self._show_duplicates([], None)
            return
        self._duplicate_serial += 1
        serial = self._duplicate_serial

        def done(found: list[Duplicate]) -> None:
            if isValid(self) and serial == self._duplicate_serial and self.result is None:
                self._show_duplicates(found, key)

        name, uscc, category = key
        self.tasks.run(lambda _p: self._read(lambda s: duplicates(s, name, uscc, category)), on_success=done,
                       on_failure=lambda exc: log.warning("duplicate check failed: %s", exc))

    def _show_duplicates(self, found: list[Duplicate], key: tuple[str, str, str] | None) -> None:
        self._duplicates = found
        if self.linked_uuid and not any(d.uuid == self.linked_uuid for d in found):
            self.linked_uuid = None
        if not found or (key is not None and key == self._dismissed_key and not self.linked_uuid):
            self.duplicate_banner.hide()
            return
        self._render_duplicate_banner()

    def _render_duplicate_banner(self) -> None:
        first = next((d for d in self._duplicates if d.uuid == self.linked_uuid), self._duplicates[0])
        created = to_local(first.created_at).strftime("%Y-%m-%d")
        summary = " ".join(first.description.split())
        if len(summary) > 60:
            summary = summary[:59] + "…"
        text = self.tr("{tracking_no} · {status} · received {date}").format(
            tracking_no=first.tracking_no, status=status_label(first.status), date=created)
        text += "\n“" + summary + "”"
        if len(self._duplicates) > 1 and not self.linked_uuid:
            text += "\n" + self.tr("and {count} more open requests like it").format(count=len(self._duplicates) - 1)
        linked = self.linked_uuid is not None
        self.duplicate_banner.setObjectName("linkedBanner" if linked else "warningBanner")
        self.duplicate_banner.style().unpolish(self.duplicate_banner)
        self.duplicate_banner.style().polish(self.duplicate_banner)
        self.duplicate_title.setText(
            self.tr("This intake will be linked to the open request below.") if linked else
            self.tr("This company already has an open request of this category from the last 30 days."))
        self.duplicate_text.setText(text)
        self.link_button.setText(self.tr("Do not link") if linked else self.tr("Link to it"))
        self.ignore_button.setVisible(not linked)
        self.duplicate_banner.show()

    def duplicate_banner_shown(self) -> bool:
        return not self.duplicate_banner.isHidden()

    def _link_shortcut(self) -> None:
        if self.duplicate_banner_shown() and self.result is None:
            self.link_to_duplicate()

    def link_to_duplicate(self) -> None:
        """Link the new request to the open one shown (or undo the link)."""
        if not self._duplicates:
            return
        self.linked_uuid = None if self.linked_uuid else self._duplicates[0].uuid
        self._dismissed_key = None
        self._render_duplicate_banner()
        self._status(self.tr("Linked to {tracking_no}.").format(tracking_no=self._duplicates[0].tracking_no)
                     if self.linked_uuid else self.tr("Not linked."))

    def dismiss_duplicate(self) -> None:
        self._dismissed_key = self._duplicate_key()
        self.linked_uuid = None
        self.duplicate_banner.hide()
        self.description_edit.setFocus()

    # --- saving -------------------------------------------------------------------------------

    def collect(self) -> IntakeInput:
        """What the form holds, as the intake service's input."""
        from xuhui_desk.services.intake import EnterpriseInput, IntakeInput

        return IntakeInput(
            enterprise=EnterpriseInput(
                name=self.name_edit.text(),
                uscc=self.uscc_edit.text(),
                contact_name=self.contact_edit.text(),
                phone=self.phone_edit.text(),
                park=self.park_edit.text(),
                building=self.building_edit.text(),
            ),
            description=self.description_edit.toPlainText(),
            category=self.chosen_category(),
            channel=str(self.channel_combo.currentData()),
            urgency=str(self.urgency_combo.currentData()),
            linked_request_uuid=self.linked_uuid,
        )

    def show_issues(self, issues: list[Issue]) -> None:
        self.clear_issues()
        by_field: dict[str, list[Issue]] = {}
        for issue in issues:
            by_field.setdefault(issue.field, []).append(issue)
        for field, found in by_field.items():
            self._show_issues(field, found)
        first = next((i for i in issues if i.severity is Severity.ERROR), None)
        if first is not None and first.field in self.inputs:
            self.inputs[first.field].setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> None:
        """Ctrl+S: validate, confirm warnings, then save on the write worker."""
        if self._saving:
            return
        if self.result is not None:
            self._status(self.tr("Already saved as {tracking_no}. Press F2 for a new intake.").format(
                tracking_no=self.result.tracking_no))
            return
        from xuhui_desk.services.intake import create_request, validate

        data = self.collect()
        _, issues = validate(data)
        conflict = self._uscc_conflict
        if conflict is not None and conflict[0] == normalize_uscc(self.uscc_edit.text()):
            issues = [*issues, conflict[1]]  # the request will be filed under the directory's company
        self.show_issues(issues)
        if errors(issues):
            self._status(self.tr("Not saved: please correct the fields marked in red."))
            return
        warnings = [i for i in issues if i.severity is Severity.WARNING]
        if warnings and not self._confirm_warnings(warnings):
            return
        self._begin_saving()
        router = self.router

        def job(_progress: Any) -> IntakeResult:
            return create_request(self.db, data, router=router or _load_router(self.db), accept_warnings=True)

        self.tasks.run(job, on_success=self._saved, on_failure=self._save_failed, write=True,
                       label=self.tr("Saving…"), parent=self)

    def _confirm_warnings(self, warnings: list[Issue]) -> bool:
        language = current_language()
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Please check"))
        box.setText("\n".join(w.message(language) for w in warnings))
        box.setInformativeText(self.tr("Save the request anyway?"))
        save = box.addButton(self.tr("Save anyway"), QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton(self.tr("Check again"), QMessageBox.ButtonRole.RejectRole)
        # Enter must not save past a warning the specialist has not read: the default is to look again.
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        box.exec()
        accepted = box.clickedButton() is save
        box.deleteLater()
        if not accepted:
            first = warnings[0].field
            if first in self.inputs:
                self.inputs[first].setFocus()
        return accepted

    def _begin_saving(self) -> None:
        self._saving = True
        self.suggest_timer.stop()
        self.lookup_timer.stop()
        self.duplicate_timer.stop()
        self._set_editable(False)
        self.save_button.setEnabled(False)
        self.busy_label.setText(self.tr("Saving…"))

    def _saved(self, result: IntakeResult) -> None:
        if not isValid(self):
            return
        self._saving = False
        self.result = result
        self.busy_label.clear()
        self.clear_issues()
        language = current_language()
        self.tracking_label.setText(result.tracking_no)
        self.saved_values["enterprise"].setText(clean_text(self.name_edit.text()))
        category = category_label(result.category)
        if result.category != (self.suggestion.category.value if self.suggestion else result.category):
            category += "  " + self.tr("(your choice; correction recorded)")
        self.saved_values["category"].setText(category)
        self.saved_values["department"].setText(category_label(result.department) if result.department else "—")
        self.saved_values["due"].setText(display(result.sla_due_at, with_time=False) if result.sla_due_at else
                                         self.tr("to be set (the official calendar is not known yet)"))
        linked = next((d.tracking_no for d in self._duplicates if d.uuid == self.linked_uuid), "")
        self.saved_values["linked"].setText(linked)
        self.saved_values["linked"].setVisible(bool(linked))
        self.saved_values["linked_caption"].setVisible(bool(linked))
        self.saved_title.setText(self.tr("Request saved"))
        self.saved_warning.setText(self.tr("Saved although: {warnings}").format(
            warnings=" ".join(w.message(language) for w in result.warnings)) if result.warnings else "")
        self.saved_warning.setVisible(bool(result.warnings))
        self.duplicate_banner.hide()
        self.suggestion_card.hide()
        self.saved_panel.show()
        self._fit_side()
        self.category_note.clear()
        self.print_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self._status(self.tr("Saved {tracking_no}.").format(tracking_no=result.tracking_no))
        self.refresh_recent()
        self.saved.emit(result.uuid, result.tracking_no)

    def _save_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._saving = False
        self.busy_label.clear()
        self._set_editable(True)
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationFailed):
            self.show_issues(exc.issues)
            self._status(self.tr("Not saved: please correct the fields marked in red."))
            return
        log.error("saving the intake failed: %s", exc)
        QMessageBox.critical(self, self.tr("Not saved"),
                             self.tr("The request could not be saved. Nothing was lost from the form; "
                                     "try again.\n\n{error}").format(error=exc))

    def _set_editable(self, editable: bool) -> None:
        for edit in (self.name_edit, self.uscc_edit, self.contact_edit, self.phone_edit, self.park_edit,
                     self.building_edit):
            edit.setReadOnly(not editable)
            edit.setClearButtonEnabled(editable)
        self.description_edit.setReadOnly(not editable)
        for combo in (self.channel_combo, self.category_combo, self.urgency_combo):
            combo.setEnabled(editable)
        self.clear_button.setEnabled(editable)
        self.save_button.setEnabled(editable)

    # --- after saving -------------------------------------------------------------------------

    def _print_shortcut(self) -> None:
        if self.result is not None:
            self.print_receipt()

    def print_receipt(self) -> None:
        """Build the receipt of the saved request in the background, then open the print preview."""
        if self.result is None:
            return
        uuid = self.result.uuid
        self.receipt_requested.emit(uuid)
        language = current_language()
        layout = self.receipt_layout

        def done(data: ReceiptData) -> None:
            if not isValid(self):
                return
            render = importlib.import_module("xuhui_desk.ui.receipt_render")
            render.open_print_preview(self, data, layout)

        def failed(exc: BaseException) -> None:
            if isValid(self):
                QMessageBox.warning(self, self.tr("Receipt"),
                                    self.tr("The receipt cannot be printed: {error}").format(error=exc))

        self.tasks.run(lambda _p: receipt_data_for(self.db, uuid, language), on_success=done, on_failure=failed,
                       label=self.tr("Preparing the receipt…"), parent=self)

    def is_dirty(self) -> bool:
        """Something typed and not saved."""
        if self.result is not None:
            return False
        texts = [e.text() for e in (self.name_edit, self.uscc_edit, self.contact_edit, self.phone_edit,
                                    self.park_edit, self.building_edit)]
        return any(t.strip() for t in texts) or bool(self.description_edit.toPlainText().strip())

    def start_new(self, *, confirm: bool = True) -> bool:
        """Clear the form for the next company; asks first when typed work would be lost."""
        if self._saving:
            return False
        if confirm and self.is_dirty():
            answer = QMessageBox.question(
                self, self.tr("New intake"), self.tr("Discard what is typed in the form?"),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return False
        was_saved = self.result is not None
        self.result = None
        self.linked_uuid = None
        self._duplicates = []
        self._dismissed_key = None
        self._uscc_conflict = None
        for timer in (self.suggest_timer, self.lookup_timer, self.duplicate_timer):
            timer.stop()
        self._set_editable(True)
        for edit in (self.name_edit, self.uscc_edit, self.contact_edit, self.phone_edit, self.park_edit,
                     self.building_edit):
            edit.clear()
        self.description_edit.clear()
        for combo in (self.channel_combo, self.category_combo, self.urgency_combo):
            combo.setCurrentIndex(0)
        self.clear_issues()
        self._show_suggestion(None)
        self.duplicate_banner.hide()
        self.saved_panel.hide()
        self.suggestion_card.show()
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        if was_saved:
            self.reload_router()  # picks up corrections made elsewhere (e.g. in the detail view)
        return True

    def _status(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):  # in the workstation; standing alone it has its own line
            window.statusBar().showMessage(text, 6000)
        else:
            self.busy_label.setText(text)

    # --- drafts (kept across a language switch) -----------------------------------------------

    def draft(self) -> dict[str, Any] | None:
        if not self.is_dirty():
            return None
        return {
            "fields": {f: w.text() for f, w in self.inputs.items() if isinstance(w, QLineEdit)},
            "description": self.description_edit.toPlainText(),
            "channel": self.channel_combo.currentData(),
            "category": self.category_combo.currentData(),
            "urgency": self.urgency_combo.currentData(),
        }

    def restore_draft(self, draft: dict[str, Any]) -> None:
        for field, text in draft.get("fields", {}).items():
            widget = self.inputs.get(field)
            if isinstance(widget, QLineEdit):
                widget.setText(text)
        self.description_edit.setPlainText(draft.get("description", ""))
        for combo, key in ((self.channel_combo, "channel"), (self.urgency_combo, "urgency")):
            index = combo.findData(draft.get(key))
            if index >= 0:
                combo.setCurrentIndex(index)
        category = draft.get("category")
        if category:
            index = self.category_combo.findData(category)
            if index >= 0:
                self.category_combo.setCurrentIndex(index)
            else:
                self._pending_category = category
