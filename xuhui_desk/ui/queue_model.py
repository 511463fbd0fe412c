"""The request queue as a Qt table model that stays fast at any size (after Anki's browser model).

The model holds the **ids** of the current filter, in order, fetched in the background by
:class:`~xuhui_desk.ui.tasks.TaskRunner`; rows are read a page at a time when the view
first asks for one (one primary-key query of :data:`PAGE_SIZE` rows, about a millisecond),
kept in a bounded cache and never all at once. A long new list (the first read, a new filter
or sort; above :data:`FIRST_PAGE_FIRST_ABOVE` requests, no text search) shows its first page
first: the counts, the first :data:`PAGE_SIZE` ids and their rows are one quick read (a few
milliseconds even for 200,000 requests), and the whole id list follows in a second
background read, appended as rows (:attr:`~RequestQueueModel.refreshed` after the first,
:attr:`~RequestQueueModel.completed` after the second; :attr:`~RequestQueueModel.loading`
until then). A refresh of a list already shown re-reads the ids in the background and
applies only the difference: unchanged ids keep their rows, one inserted or removed request
is one ``rowsInserted``/``rowsRemoved``, and cached rows whose content changed get
``dataChanged``. Sorting re-runs the query; nothing is sorted in memory.

Counters for tests and the status line: :attr:`rows_loaded` (rows materialised so far),
:attr:`pages_fetched`, :attr:`total` and :attr:`overdue`.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap
from shiboken6 import isValid
from sqlalchemy.exc import SQLAlchemyError

from xuhui_desk.db import Database
from xuhui_desk.services import labels
from xuhui_desk.services.search import (
    ATTENTION,
    OPEN,
    QueueRow,
    RequestFilter,
    count,
    fetch_rows,
    find_ids,
    queue_snapshot,
)
from xuhui_desk.services.timefmt import display, to_local
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

# Rows read at once when the view scrolls to rows not read yet.
PAGE_SIZE = 100
# Rows kept in memory at most (the least recently shown are dropped first).
CACHE_LIMIT = 3000
# Above this many changed positions a refresh resets the view instead of moving rows.
DIFF_LIMIT = 2000
# A new list longer than this shows its first page before its whole id list is read (reading
# 200,000 ids takes about 100 ms, 10,000 about 5 ms; the first page and the counts a few ms).
FIRST_PAGE_FIRST_ABOVE = 20_000
# A page read on the GUI thread slower than this is logged (it should take ~1 ms).
SLOW_PAGE_MS = 50

_Index = QModelIndex | QPersistentModelIndex

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


@dataclass(frozen=True)
class _Snapshot:
    """What a background refresh hands back to the GUI thread."""

    generation: int
    ids: list[int]
    total: int
    overdue: int
    rows: dict[int, QueueRow]
    now: datetime
    # The edit turning the previous id list into this one: (start, removed, inserted), or None
    # when the lists are equal; ``reset`` when the change is too large to move rows.
    edit: tuple[int, int, int] | None
    reset: bool
    # ``ids`` is only the first page of a longer list (the rest is read next).
    partial: bool = False
    # The whole id list following a partial snapshot: ``rows`` is empty, the cached rows stay.
    ids_only: bool = False


def _diff(old: Sequence[int], new: Sequence[int]) -> tuple[tuple[int, int, int] | None, bool]:
    """The one contiguous replacement turning ``old`` into ``new`` (common prefix and suffix kept)."""
    if old == new:
        return None, False
    shortest = min(len(old), len(new))
    start = 0
    while start < shortest and old[start] == new[start]:
        start += 1
    end = 0
    while end < shortest - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    removed = len(old) - start - end
    inserted = len(new) - start - end
    if removed == 0 and start == len(old):
        # Appended at the end (the rest of a list whose first page is shown): nothing moves.
        return (start, 0, inserted), False
    return (start, removed, inserted), removed + inserted > DIFF_LIMIT


class RequestQueueModel(QAbstractTableModel):
    """All requests of a filter (see the module documentation)."""

    # (total, overdue) after each refresh.
    countsChanged = Signal(int, int)
    # True while a refresh runs in the background.
    loadingChanged = Signal(bool)
    # A refresh's result is shown (of a long new list: its first page and its counts).
    refreshed = Signal()
    # A refresh's whole id list is in (right after ``refreshed``, or once the rest of a long list is read).
    completed = Signal()
    # A refresh failed; the message says why.
    failed = Signal(str)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QObject | None = None, *,
                 flt: RequestFilter | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self._filter = flt or RequestFilter(status=OPEN, sort=ATTENTION)
        self._ids: list[int] = []
        self._rows: OrderedDict[int, QueueRow] = OrderedDict()
        self._escalation: dict[int, tuple[int, float] | None] = {}
        self._failed_pages: set[int] = set()
        self._generation = 0
        self._pending = 0
        self._now = clock()
        self._language = current_language()
        self._icons = {state: _dot(colour) for state, colour in SYNC_COLOURS.items()}
        self._urgent = urgent_badge()
        self._bold = QFont()
        self._bold.setBold(True)
        self.total = 0
        self.overdue = 0
        # Rows read from the database so far (materialised), and the page reads that did it.
        self.rows_loaded = 0
        self.pages_fetched = 0

    # --- filter, sort, refresh ----------------------------------------------------------------

    @property
    def filter(self) -> RequestFilter:
        return replace(self._filter)

    def set_filter(self, flt: RequestFilter) -> None:
        """Show another selection of requests (read in the background)."""
        self._filter = replace(flt)
        self.refresh(reset=True)

    @property
    def loading(self) -> bool:
        return self._pending > 0

    def set_language(self, language: str) -> None:
        self._language = language
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, self.columnCount() - 1))

    def refresh(self, *, reset: bool = False) -> None:
        """Read the filter's ids again in the background and show what changed.

        ``reset`` (a new filter or sort) shows the new list from its top; otherwise the
        difference is applied row by row and the view keeps its place and selection.
        """
        self._generation += 1
        generation = self._generation
        flt = replace(self._filter)
        old_ids = self._ids  # replaced, never mutated: safe to read on the worker
        keep = [] if reset else list(self._rows)

        now = clock()
        first_page_first = reset or not old_ids

        def work(_progress: Any) -> _Snapshot:
            with self.db.session() as session:
                # A long new list: its first page and counts first, the whole id list next (_read_rest).
                # Not for a text search: counting its matches costs about as much as listing them.
                if first_page_first and not flt.search:
                    total = count(session, flt, now)
                    if total > FIRST_PAGE_FIRST_ABOVE:
                        head = find_ids(session, flt, limit=PAGE_SIZE, now=now)
                        overdue = total if flt.overdue_only else count(session, replace(flt, overdue_only=True), now)
                        rows = fetch_rows(session, head)
                        return _Snapshot(generation, head, total, overdue, rows, now, (0, len(old_ids), len(head)),
                                         True, partial=True)
                snap = queue_snapshot(session, flt, now)
                ids = snap.ids
                wanted = list(dict.fromkeys([*ids[:PAGE_SIZE], *(i for i in keep)]))
                rows = fetch_rows(session, wanted) if wanted else {}
            if reset:
                edit, too_big = (0, len(old_ids), len(ids)), True
            else:
                edit, too_big = _diff(old_ids, ids)
            return _Snapshot(generation, ids, snap.total, snap.overdue, rows, now, edit, too_big)

        self._set_pending(+1)
        self.tasks.run(work, on_success=self._apply, on_failure=self._refresh_failed)

    def _set_pending(self, delta: int) -> None:
        before = self._pending > 0
        self._pending = max(0, self._pending + delta)
        if before != (self._pending > 0):
            self.loadingChanged.emit(self._pending > 0)

    def _refresh_failed(self, exc: BaseException) -> None:
        self._set_pending(-1)
        log.error("the queue could not be read: %s", exc)
        self.failed.emit(str(exc))

    def _read_rest(self, head: _Snapshot) -> None:
        """After a partial snapshot: the whole id list of the same filter and moment, in the background."""
        flt = replace(self._filter)
        first = list(head.ids)

        def work(_progress: Any) -> _Snapshot:
            with self.db.session() as session:
                snap = queue_snapshot(session, flt, head.now)
            edit, too_big = _diff(first, snap.ids)  # usually the rest appended: rows inserted, nothing moves
            return _Snapshot(head.generation, snap.ids, snap.total, snap.overdue, {}, head.now, edit, too_big,
                             ids_only=True)

        self.tasks.run(work, on_success=self._apply, on_failure=self._refresh_failed)

    def _apply(self, snap: _Snapshot) -> None:
        if snap.generation != self._generation:
            self._set_pending(-1)
            return  # a newer refresh is on its way
        if snap.partial:
            self._read_rest(snap)  # still loading: _pending stays up until the rest is in
        else:
            self._set_pending(-1)
        if snap.ids_only:
            self._apply_ids(snap)
            return
        self._now = snap.now
        self._escalation.clear()
        self._failed_pages.clear()
        self.rows_loaded += len(snap.rows)
        if snap.reset:
            self.beginResetModel()
            self._ids = snap.ids
            self._rows = OrderedDict(snap.rows)
            self.endResetModel()
        else:
            if snap.edit is not None:
                self._apply_edit(snap.ids, snap.edit)
            changed = [i for i, row in snap.rows.items() if self._rows.get(i) != row]
            stale = set(self._rows) - set(snap.rows)
            for i in stale:
                del self._rows[i]  # gone from the list, or read again when next shown
            self._rows.update(snap.rows)
            self._emit_changed(changed)
        self.total, self.overdue = snap.total, snap.overdue
        self.countsChanged.emit(self.total, self.overdue)
        self.refreshed.emit()
        if not snap.partial:
            self.completed.emit()

    def _apply_ids(self, snap: _Snapshot) -> None:
        """The whole id list after its first page was shown: the rest appended (rows already read stay)."""
        if snap.reset:
            # The first page itself changed meanwhile (rare): show the list from its top.
            self.beginResetModel()
            self._ids = snap.ids
            self.endResetModel()
        elif snap.edit is not None:
            self._apply_edit(snap.ids, snap.edit)
        self.total, self.overdue = snap.total, snap.overdue
        self.countsChanged.emit(self.total, self.overdue)
        self.completed.emit()

    def _apply_edit(self, ids: list[int], edit: tuple[int, int, int]) -> None:
        start, removed, inserted = edit
        if removed:
            self.beginRemoveRows(QModelIndex(), start, start + removed - 1)
            self._ids = self._ids[:start] + self._ids[start + removed:]
            self.endRemoveRows()
        if inserted:
            self.beginInsertRows(QModelIndex(), start, start + inserted - 1)
            self._ids = ids
            self.endInsertRows()
        self._ids = ids

    def _emit_changed(self, ids: list[int]) -> None:
        if not ids:
            return
        wanted = set(ids)
        last = self.columnCount() - 1
        # Positions of the changed ids: a scan of the id list (C speed), only when something changed.
        for row, request_id in enumerate(self._ids):
            if request_id in wanted:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))
                wanted.discard(request_id)
                if not wanted:
                    break

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

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_data(self, row: int) -> QueueRow | None:
        """The request shown in ``row`` (reads its page when needed)."""
        request_id = self.id_at(row)
        if request_id is None:
            return None
        cached = self._rows.get(request_id)
        if cached is None:
            self._fetch_page(row // PAGE_SIZE)
            cached = self._rows.get(request_id)
        else:
            self._rows.move_to_end(request_id)
        return cached

    def uuid_at(self, row: int) -> str | None:
        data = self.row_data(row)
        return data.uuid if data else None

    def row_of_id(self, request_id: int) -> int:
        try:
            return self._ids.index(request_id)
        except ValueError:
            return -1

    def row_of_uuid(self, uuid: str) -> int:
        """The row showing the request ``uuid`` (-1 when the filter does not include it)."""
        for request_id, data in self._rows.items():
            if data.uuid == uuid:
                return self.row_of_id(request_id)
        from sqlalchemy import select

        from xuhui_desk.models import Request

        with self.db.session() as session:  # one indexed lookup
            request_id = session.scalar(select(Request.id).where(Request.uuid == uuid))
        return -1 if request_id is None else self.row_of_id(request_id)

    def _fetch_page(self, page: int) -> None:
        ids = [i for i in self._ids[page * PAGE_SIZE:(page + 1) * PAGE_SIZE] if i not in self._rows]
        if not ids or page in self._failed_pages:
            return
        started = time.perf_counter()
        try:
            with self.db.session() as session:
                rows = fetch_rows(session, ids)
        except SQLAlchemyError as exc:
            # Shown once (not on every repaint); the next refresh tries again.
            self._failed_pages.add(page)
            message = str(exc)
            log.error("a page of the queue could not be read: %s", message)
            QTimer.singleShot(0, lambda: self.failed.emit(message))
            return
        elapsed = (time.perf_counter() - started) * 1000
        if elapsed > SLOW_PAGE_MS:
            log.warning("reading a page of the queue blocked the GUI for %.0f ms", elapsed)
        self._rows.update(rows)
        self.rows_loaded += len(rows)
        self.pages_fetched += 1
        while len(self._rows) > CACHE_LIMIT:
            self._rows.popitem(last=False)

    # --- Qt model interface --------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
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

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

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

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
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
            return display(row.sla_due_at)
        return row.summary or None

