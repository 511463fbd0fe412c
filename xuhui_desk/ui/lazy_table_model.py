"""A table model over a list of ids that stays fast at any size (after Anki's browser model).

The request queue and the enterprise directory are both this model: it holds the **ids** of
the current selection, in order, as a compact ``array('q')``, read in the background by the
:class:`~xuhui_desk.ui.tasks.TaskRunner`; rows are read a page at a time when the view first
asks for one (one primary-key query of :attr:`~LazyIdTableModel.page_size` rows, about a
millisecond), kept in a bounded least-recently-shown cache and never all at once.

A refresh of a list already shown re-reads the ids in the background and applies only the
difference: unchanged ids keep their rows, one inserted or removed row is one
``rowsInserted``/``rowsRemoved``, and cached rows whose content changed get ``dataChanged``.
A new list (``refresh(reset=True)``: a new filter, search or sort) replaces the old one.
A long new list may come as its first page first (:class:`IdSnapshot` ``partial``), the
whole id list following in a second read (:meth:`LazyIdTableModel._read_rest`).

Only the newest read counts: each runs with ``owner=`` the model and ``latest=`` one key, so a
newer refresh supersedes (and cancels) an older one, and nothing is delivered to a model that
is gone. Subclasses say how to read (:meth:`~LazyIdTableModel._read`,
:meth:`~LazyIdTableModel._read_page`) and how to show a row (``columnCount``, ``data``).
"""

from __future__ import annotations

import logging
import time
from abc import abstractmethod
from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal

from xuhui_desk.services.read_errors import ReadFailed
from xuhui_desk.ui.tasks import Progress, TaskRunner

log = logging.getLogger(__name__)

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

# A page read on the GUI thread slower than this is logged (it should take ~1 ms).
SLOW_PAGE_MS = 50


@dataclass(frozen=True, slots=True)
class IdSnapshot(Generic[R]):
    """What a background read hands back to the GUI thread."""

    ids: array[int]
    rows: dict[int, R]
    # The edit turning the previous id list into this one: (start, removed, inserted), or None
    # when the lists are equal; ``reset`` when the change is too large to move rows.
    edit: tuple[int, int, int] | None
    reset: bool
    # Whatever else the subclass read with the ids (the queue's counts and clock).
    info: Any = None
    # ``ids`` is only the first page of a longer list (the rest is read next by _read_rest).
    partial: bool = False
    # The whole id list following a partial snapshot: ``rows`` is empty, the cached rows stay.
    ids_only: bool = False


def diff_ids(old: Sequence[int], new: Sequence[int], limit: int) -> tuple[tuple[int, int, int] | None, bool]:
    """The one contiguous replacement turning ``old`` into ``new`` (common prefix and suffix
    kept), and whether it moves more than ``limit`` positions (then a reset is cheaper)."""
    if len(old) == len(new) and old == new:
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
    return (start, removed, inserted), removed + inserted > limit


class LazyIdTableModel(QAbstractTableModel, Generic[R]):
    """Ids in the background, rows a page at a time (see the module documentation)."""

    # True while a read runs in the background.
    loadingChanged = Signal(bool)
    # A read's result is shown (of a long new list: its first page).
    refreshed = Signal()
    # A read's whole id list is in (right after ``refreshed``, or once the rest of a long list is read).
    completed = Signal()
    # A read failed; the message says why.
    failed = Signal(str)

    #: Rows read at once when the view scrolls to rows not read yet.
    page_size = 100
    #: Rows kept in memory at most (the least recently shown are dropped first). A screen shows
    #: about 30; ten pages cover scrolling back and forth without re-reading.
    cache_limit = 1000
    #: Above this many changed positions a refresh resets the view instead of moving rows.
    diff_limit = 2000
    #: What the logs call the list.
    what = "list"

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._ids: array[int] = array("q")
        self._rows: OrderedDict[int, R] = OrderedDict()
        self._failed_pages: set[int] = set()
        self._loading = False
        # Rows read from the database so far (materialised), and the page reads that did it.
        self.rows_loaded = 0
        self.pages_fetched = 0

    # --- what a subclass provides -------------------------------------------------------------

    # Declared abstract for readers and the type checker (Qt's metaclass is not ABCMeta, so
    # Python does not enforce it); RequestQueueModel and DirectoryModel provide both.
    @abstractmethod
    def _read(self, reset: bool, keep: list[int]) -> Callable[[], IdSnapshot[R]]:
        """A function (run on a worker) reading the ids: an :class:`IdSnapshot` whose ``edit``
        is still to be worked out (:meth:`refresh` does it). ``keep``: ids whose cached rows are
        shown and should be read again with the ids."""

    @abstractmethod
    def _read_page(self, ids: Sequence[int]) -> dict[int, R]:
        """The rows of ``ids`` (on the GUI thread; raises ``ReadFailed``)."""

    def _read_rest(self, head: IdSnapshot[R]) -> Callable[[], IdSnapshot[R]] | None:
        """After a partial snapshot: a function reading the whole id list (``ids_only``)."""
        return None

    def _applied(self, snap: IdSnapshot[R]) -> None:
        """Called after a snapshot is shown (the queue updates its counts here)."""

    # --- reading ------------------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        return self._loading

    def _set_loading(self, on: bool) -> None:
        if on != self._loading:
            self._loading = on
            self.loadingChanged.emit(on)

    def refresh(self, *, reset: bool = False) -> None:
        """Read the ids again in the background and show what changed.

        ``reset`` (a new filter, search or sort) shows the new list from its top; otherwise the
        difference is applied row by row and the view keeps its place and selection.
        """
        old_ids = self._ids  # replaced, never mutated: safe to read on the worker
        keep = [] if reset else list(self._rows)
        read = self._read(reset, keep)
        limit = self.diff_limit

        def work(_progress: Progress) -> IdSnapshot[R]:
            snap = read()
            edit: tuple[int, int, int] | None
            if reset or snap.partial:
                edit, too_big = (0, len(old_ids), len(snap.ids)), True
            else:
                edit, too_big = diff_ids(old_ids, snap.ids, limit)
            return IdSnapshot(snap.ids, snap.rows, edit, too_big, snap.info, partial=snap.partial)

        self._start(work)

    def _start(self, work: Callable[[Progress], IdSnapshot[R]]) -> None:
        self._set_loading(True)
        # owner: nothing arrives for a destroyed model; latest: a newer read supersedes this one.
        self.tasks.run(work, on_success=self._apply, on_failure=self._read_failed, owner=self, latest="ids")

    def _read_failed(self, exc: BaseException) -> None:
        self._set_loading(False)
        log.error("the %s could not be read: %s", self.what, exc)
        self.failed.emit(str(exc))

    def _apply(self, snap: IdSnapshot[R]) -> None:
        rest = self._read_rest(snap) if snap.partial else None
        if rest is not None:
            first = snap.ids
            limit = self.diff_limit

            def work(_progress: Progress) -> IdSnapshot[R]:
                whole = rest()
                edit, too_big = diff_ids(first, whole.ids, limit)  # usually the rest appended
                return IdSnapshot(whole.ids, {}, edit, too_big, whole.info, ids_only=True)

            self._start(work)  # still loading until the rest is in
        else:
            self._set_loading(False)
        if snap.ids_only:
            self._apply_ids(snap)
            return
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
            for i in set(self._rows) - set(snap.rows):
                del self._rows[i]  # gone from the list, or read again when next shown
            self._rows.update(snap.rows)
            self._emit_changed(changed)
        self._applied(snap)
        self.refreshed.emit()
        if rest is None:
            self.completed.emit()

    def _apply_ids(self, snap: IdSnapshot[R]) -> None:
        """The whole id list after its first page was shown: the rest appended (rows already read stay)."""
        if snap.reset:
            # The first page itself changed meanwhile (rare): show the list from its top.
            self.beginResetModel()
            self._ids = snap.ids
            self.endResetModel()
        elif snap.edit is not None:
            self._apply_edit(snap.ids, snap.edit)
        self._applied(snap)
        self.completed.emit()

    def _apply_edit(self, ids: array[int], edit: tuple[int, int, int]) -> None:
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
        for row, row_id in enumerate(self._ids):
            if row_id in wanted:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))
                wanted.discard(row_id)
                if not wanted:
                    break

    # --- rows ---------------------------------------------------------------------------------

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of_id(self, row_id: int) -> int:
        try:
            return self._ids.index(row_id)
        except ValueError:
            return -1

    def cached_rows(self) -> list[R]:
        """The rows read and kept so far (for a lookup before asking the database)."""
        return list(self._rows.values())

    def row_data(self, row: int) -> R | None:
        """The row shown in ``row`` (reads its page when needed)."""
        row_id = self.id_at(row)
        if row_id is None:
            return None
        cached = self._rows.get(row_id)
        if cached is None:
            self._fetch_page(row // self.page_size)
            cached = self._rows.get(row_id)
        else:
            self._rows.move_to_end(row_id)
        return cached

    def _fetch_page(self, page: int) -> None:
        size = self.page_size
        ids = [i for i in self._ids[page * size:(page + 1) * size] if i not in self._rows]
        if not ids or page in self._failed_pages:
            return
        started = time.perf_counter()
        try:
            rows = self._read_page(ids)
        except ReadFailed as exc:
            # Shown once (not on every repaint); the next refresh tries again.
            self._failed_pages.add(page)
            message = str(exc)
            log.error("a page of the %s could not be read: %s", self.what, message)
            QTimer.singleShot(0, self, lambda: self.failed.emit(message))
            return
        elapsed = (time.perf_counter() - started) * 1000
        if elapsed > SLOW_PAGE_MS:
            log.warning("reading a page of the %s blocked the GUI for %.0f ms", self.what, elapsed)
        self._rows.update(rows)
        self.rows_loaded += len(rows)
        self.pages_fetched += 1
        while len(self._rows) > self.cache_limit:
            self._rows.popitem(last=False)

    # --- Qt model interface --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
