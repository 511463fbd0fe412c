"""The request queue as a Qt table model that stays fast at any size.

A :class:`~xuhui_desk.ui.lazy_table_model.LazyIdTableModel` (the ids of the filter in the
background, rows a page at a time, a bounded cache, refreshes applied as differences) whose
reads are :func:`~xuhui_desk.services.search.read_queue` and
:func:`~xuhui_desk.services.search.queue_rows`. A long new list (the first read, a new filter
or sort; above :data:`FIRST_PAGE_FIRST_ABOVE` requests, no text search) shows its first page
first: the counts, the first page of ids and their rows are one quick read (a few milliseconds
even for 200,000 requests), and the whole id list follows in a second background read,
appended as rows (:attr:`~RequestQueueModel.refreshed` after the first,
:attr:`~RequestQueueModel.completed` after the second; :attr:`~RequestQueueModel.loading`
until then). Sorting re-runs the query; nothing is sorted in memory.

Counters for tests and the status line: :attr:`rows_loaded` (rows materialised so far),
:attr:`pages_fetched`, :attr:`total` and :attr:`overdue`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap
from shiboken6 import isValid

from xuhui_desk.db import Database
from xuhui_desk.services import labels
from xuhui_desk.services.read_errors import ReadFailed
from xuhui_desk.services.search import (
    ATTENTION,
    OPEN,
    QueueRow,
    RequestFilter,
    queue_rows,
    read_queue,
    read_queue_ids,
    request_id_of,
)
from xuhui_desk.services.timefmt import display, to_local
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.lazy_table_model import IdSnapshot, Index, LazyIdTableModel
from xuhui_desk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

# Rows read at once when the view scrolls to rows not read yet.
PAGE_SIZE = LazyIdTableModel.page_size
# A new list longer than this shows its first page before its whole id list is read (reading
# 200,000 ids takes about 100 ms, 10,000 about 5 ms; the first page and the counts a few ms).
FIRST_PAGE_FIRST_ABOVE = 20_000

IdRole = Qt.ItemDataRole.UserRole + 1
UuidRole = Qt.ItemDataRole.UserRole + 2
OverdueRole = Qt.ItemDataRole.UserRole + 3
EscalationRole = Qt.ItemDataRole.UserRole + 4
TrackingRole = Qt.ItemDataRole.UserRole + 5


class Column(IntEnum):
    TRACKING_NO = 0
    CREATED = 1
    ENTERPRISE = 2
    CATEGORY = 3
    DEPARTMENT = 4
    STATUS = 5
    DUE = 6
    URGENCY = 7
    SYNC = 8


SORT_KEYS: dict[Column, str] = {
    Column.TRACKING_NO: "tracking_no",
    Column.CREATED: "created_at",
    Column.ENTERPRISE: "enterprise_name",
    Column.CATEGORY: "category",
    Column.DEPARTMENT: "department",
    Column.STATUS: "status",
    Column.DUE: "sla_due_at",
    Column.URGENCY: "urgency",
    Column.SYNC: "sync_state",
}

OVERDUE_TEXT = QColor("#a61b1b")
# A tint that deepens with the escalation level; the due date itself carries the red.
OVERDUE_BACKGROUND = {1: QColor("#fff7f5"), 2: QColor("#ffefec"), 3: QColor("#fde3df")}
URGENT_TEXT = QColor("#b45309")
MUTED_TEXT = QColor("#7b8794")
SYNC_COLOURS = {"synced": "#2e7d32", "pending": "#c77c02", "sending": "#1d5fbf", "error": "#c62828"}


class RequestSignals(QObject):
    """Notices about requests within the program, so that the queue and the detail pane keep
    in step however the main window wires them (see :func:`request_signals`)."""

    # A request was changed and saved (its uuid).
    changed = Signal(str)
    # The queue's current row moved to this request.
    selected = Signal(str)


_signals: RequestSignals | None = None


def request_signals() -> RequestSignals:
    """The program's one :class:`RequestSignals` (lives as long as the application)."""
    global _signals
    if _signals is None or not isValid(_signals):
        _signals = RequestSignals(QCoreApplication.instance())
    return _signals


def clock() -> datetime:
    """The time overdue marks are measured against; a screenshot script may replace it for
    reproducible pictures (``queue_model.clock = lambda: FIXED``)."""
    return datetime.now(UTC)


def _dot(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(2, 2, 8, 8)
    painter.end()
    return QIcon(pixmap)


URGENT_BADGE = "#d97706"


def urgent_badge(size: int = 14) -> QIcon:
    """The mark of an urgent request in the queue: an amber disc with a white "!" (any language)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(URGENT_BADGE))
    painter.drawEllipse(0, 0, size, size)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(size - 3)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "!")
    painter.end()
    return QIcon(pixmap)


def sync_dot(state: str) -> QIcon:
    """The coloured dot the queue shows for a sync state (also drawn in the legend)."""
    return _dot(SYNC_COLOURS[state])


def whole_workdays(days: float) -> int:
    """Working days late as the queue says them: a day begun counts (0.2 → 1, 2.0 → 2, 2.5 → 3), so
    the number agrees with the escalation levels (level 2 beyond 2 days, level 3 beyond 5)."""
    return max(1, math.ceil(round(days, 6)))


def taxonomy_label(code: str | None, language: str) -> str:
    """A category's or department's label from the taxonomy (the code itself if unknown)."""
    if not code:
        return ""
    from xuhui_desk.services.taxonomy import load_taxonomy

    try:
        return load_taxonomy().label(code, language)
    except KeyError:
        return code


@dataclass(frozen=True, slots=True)
class _Counts:
    """What the queue reads with its ids besides rows: the counts and the moment they hold for."""

    total: int
    overdue: int
    now: datetime


class RequestQueueModel(LazyIdTableModel[QueueRow]):
    """All requests of a filter (see the module documentation)."""

    # (total, overdue) after each refresh.
    countsChanged = Signal(int, int)

    what = "queue"
    #: A new list longer than this shows its first page first (see the module documentation).
    first_page_first_above = FIRST_PAGE_FIRST_ABOVE

    def __init__(self, db: Database, tasks: TaskRunner, parent: QObject | None = None, *,
                 flt: RequestFilter | None = None) -> None:
        super().__init__(tasks, parent)
        self.db = db
        self._filter = flt or RequestFilter(status=OPEN, sort=ATTENTION)
        self._escalation: dict[int, tuple[int, float] | None] = {}
        self._now = clock()
        self._language = current_language()
        self._icons = {state: _dot(colour) for state, colour in SYNC_COLOURS.items()}
        self._urgent = urgent_badge()
        self._bold = QFont()
        self._bold.setBold(True)
        self.total = 0
        self.overdue = 0

    # --- filter, sort, refresh ----------------------------------------------------------------

    @property
    def filter(self) -> RequestFilter:
        return replace(self._filter)

    def set_filter(self, flt: RequestFilter) -> None:
        """Show another selection of requests (read in the background)."""
        self._filter = replace(flt)
        self.refresh(reset=True)

    def set_language(self, language: str) -> None:
        self._language = language
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, self.columnCount() - 1))

    def _read(self, reset: bool, keep: list[int]) -> Callable[[], IdSnapshot[QueueRow]]:
        db, flt, now = self.db, replace(self._filter), clock()
        page_size = self.page_size
        # A long new list: its first page and counts first, the whole id list next (_read_rest).
        above = self.first_page_first_above if reset or not self._ids else None

        def read() -> IdSnapshot[QueueRow]:
            found = read_queue(db, flt, now, page_size=page_size, first_page_above=above, rows_for=keep)
            return IdSnapshot(found.ids, found.rows, None, False, _Counts(found.total, found.overdue, now),
                              partial=found.partial)

        return read

    def _read_rest(self, head: IdSnapshot[QueueRow]) -> Callable[[], IdSnapshot[QueueRow]]:
        """The whole id list of the same filter and moment as the first page shown."""
        db, flt, now = self.db, replace(self._filter), head.info.now

        def read() -> IdSnapshot[QueueRow]:
            found = read_queue_ids(db, flt, now)
            return IdSnapshot(found.ids, {}, None, False, _Counts(found.total, found.overdue, now))

        return read

    def _read_page(self, ids: Sequence[int]) -> dict[int, QueueRow]:
        return queue_rows(self.db, ids)

    def _applied(self, snap: IdSnapshot[QueueRow]) -> None:
        counts: _Counts = snap.info
        if not snap.ids_only:
            self._now = counts.now
            self._escalation.clear()
        self.total, self.overdue = counts.total, counts.overdue
        self.countsChanged.emit(self.total, self.overdue)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column: the query runs again in that order (nothing is sorted in memory)."""
        key = SORT_KEYS.get(Column(column)) if 0 <= column < len(Column) else None
        if key is None:
            return
        self._filter = replace(self._filter, sort=key, descending=order == Qt.SortOrder.DescendingOrder)
        self.refresh(reset=True)

    def reset_sort(self) -> None:
        """Back to the queue's own order: overdue first (most overdue on top), then newest first."""
        self._filter = replace(self._filter, sort=ATTENTION, descending=True)
        self.refresh(reset=True)

    # --- rows ---------------------------------------------------------------------------------

    def uuid_at(self, row: int) -> str | None:
        data = self.row_data(row)
        return data.uuid if data else None

    def row_of_uuid(self, uuid: str) -> int:
        """The row showing the request ``uuid`` (-1 when the filter does not include it)."""
        for data in self.cached_rows():
            if data.uuid == uuid:
                return self.row_of_id(data.id)
        try:
            request_id = request_id_of(self.db, uuid)
        except ReadFailed as exc:
            log.error("the request %s could not be looked up: %s", uuid, exc)
            return -1
        return -1 if request_id is None else self.row_of_id(request_id)

    # --- Qt model interface --------------------------------------------------------------------

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.column_title(Column(section))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Click to sort by this column; click a third time for the queue's own order")
        return None

    def column_title(self, column: Column) -> str:
        return {
            Column.TRACKING_NO: self.tr("Tracking no."),
            Column.CREATED: self.tr("Received"),
            Column.ENTERPRISE: self.tr("Enterprise"),
            Column.CATEGORY: self.tr("Category"),
            Column.DEPARTMENT: self.tr("Department"),
            Column.STATUS: self.tr("Status"),
            Column.DUE: self.tr("Due"),
            Column.URGENCY: self.tr("Urgency"),
            Column.SYNC: self.tr("Sync"),
        }[column]

    def is_overdue(self, data: QueueRow) -> bool:
        return data.is_unresolved and data.sla_due_at is not None and data.sla_due_at < self._now

    def escalation(self, data: QueueRow) -> tuple[int, float] | None:
        """(level 1–3, working days late) of an overdue request; None when it is not overdue."""
        if not self.is_overdue(data) or data.sla_due_at is None:
            return None
        if data.id not in self._escalation:
            from xuhui_desk.services.workdays import CalendarYearUnknown, default_calendar

            calendar = default_calendar()
            try:
                found: tuple[int, float] | None = (
                    calendar.escalation_level(data.sla_due_at, self._now),
                    calendar.overdue_workdays(data.sla_due_at, self._now),
                )
            except CalendarYearUnknown:
                found = (1, 0.0)
            self._escalation[data.id] = found
        return self._escalation[data.id]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == IdRole:
            return row.id
        if role == UuidRole:
            return row.uuid
        if role == TrackingRole:
            return row.tracking_no
        if role == OverdueRole:
            return self.is_overdue(row)
        if role == EscalationRole:
            found = self.escalation(row)
            return found[0] if found else 0
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column in (Column.DUE, Column.TRACKING_NO) and self.is_overdue(row):
                return QBrush(OVERDUE_TEXT)
            if column == Column.URGENCY and row.urgency == "urgent":
                return QBrush(URGENT_TEXT)
            if not row.is_open:
                return QBrush(MUTED_TEXT)
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            found = self.escalation(row)
            return QBrush(OVERDUE_BACKGROUND[min(found[0], 3)]) if found else None
        if role == Qt.ItemDataRole.FontRole:
            overdue_due = column == Column.DUE and self.is_overdue(row)
            return self._bold if overdue_due or (column == Column.URGENCY and row.urgency == "urgent") else None
        if role == Qt.ItemDataRole.DecorationRole:
            if column == Column.SYNC:
                return self._icons.get(row.sync_state)
            if column == Column.STATUS and row.urgency == "urgent":
                return self._urgent
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column == Column.STATUS and row.urgency == "urgent":
                return f"{self._display(row, column)} {labels.urgency_label(row.urgency, self._language)}"
            return self._display(row, column) or labels.sync_label(row.sync_state, self._language)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.SYNC:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def _display(self, row: QueueRow, column: Column) -> str:
        lang = self._language
        if column == Column.TRACKING_NO:
            return row.tracking_no
        if column == Column.CREATED:
            return self.short_time(row.created_at)
        if column == Column.ENTERPRISE:
            return row.enterprise_name
        if column == Column.CATEGORY:
            return taxonomy_label(row.category, lang)
        if column == Column.DEPARTMENT:
            return taxonomy_label(row.department, lang)
        if column == Column.STATUS:
            return labels.status_label(row.status, lang)
        if column == Column.DUE:
            if row.sla_due_at is None:
                return "—"
            text = self.short_time(row.sla_due_at)
            if row.sla_provisional:
                text += "*"  # counted on the provisional calendar (its tooltip says so)
            return f"⚠ {text}" if self.is_overdue(row) else text
        if column == Column.URGENCY:
            return labels.urgency_label(row.urgency, lang)
        return ""  # the sync state is a coloured dot; its words are in the tooltip

    def short_time(self, value: datetime) -> str:
        """``11-26 14:03`` within this year, ``2025-03-01`` before: dense, and unambiguous with its tooltip."""
        local = to_local(value)
        if local.year == to_local(self._now).year:
            return local.strftime("%m-%d %H:%M")
        return local.strftime("%Y-%m-%d")

    def _tooltip(self, row: QueueRow, column: Column) -> str | None:
        if column == Column.STATUS and row.urgency == "urgent":
            return self.tr("{status} — urgent").format(status=labels.status_label(row.status, self._language))
        if column == Column.DUE or (column != Column.SYNC and self.is_overdue(row)):
            found = self.escalation(row)
            if found:
                level, days = found
                late = whole_workdays(days)
                text = (self.tr("Overdue by 1 working day — escalation level {level} of 3") if late == 1 else
                        self.tr("Overdue by {days} working days — escalation level {level} of 3"))
                return text.format(days=late, level=level)
        if column == Column.SYNC:
            if row.sync_state == "error" and row.sync_error:
                return self.tr("Sync failed: {error}").format(error=row.sync_error)
            return labels.sync_label(row.sync_state, self._language)
        if column == Column.ENTERPRISE:
            return f"{row.enterprise_name}\n{row.uscc}" if row.uscc else row.enterprise_name
        if column in (Column.CATEGORY, Column.DEPARTMENT):
            category = taxonomy_label(row.category, self._language)
            department = taxonomy_label(row.department, self._language)
            return f"{category}\n{department}" if department else category
        if column == Column.CREATED:
            return display(row.created_at)
        if column == Column.DUE and row.sla_due_at is not None:
            if row.sla_provisional:
                return self.tr("{due} — provisional: counted on the statutory holidays until the official "
                               "calendar of the year is published").format(due=display(row.sla_due_at))
            return display(row.sla_due_at)
        return row.summary or None

