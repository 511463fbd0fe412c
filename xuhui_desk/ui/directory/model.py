"""The enterprise directory as a lazy table model: the ids of a search in the background, rows a
page at a time (:class:`~xuhui_desk.ui.lazy_table_model.LazyIdTableModel`, as the queue)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor

from xuhui_desk.db import Database
from xuhui_desk.services import labels
from xuhui_desk.services.directory import EnterpriseRow, directory_rows, read_directory
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.lazy_table_model import IdSnapshot, Index, LazyIdTableModel
from xuhui_desk.ui.tasks import TaskRunner

IdRole = Qt.ItemDataRole.UserRole + 1


class DirColumn(IntEnum):
    NAME = 0
    USCC = 1
    CONTACT = 2
    PHONE = 3
    PARK = 4
    BUILDING = 5
    REQUESTS = 6
    SYNC = 7


DIR_SORT_KEYS = {
    DirColumn.NAME: "name", DirColumn.USCC: "uscc", DirColumn.CONTACT: "contact_name",
    DirColumn.PHONE: "phone", DirColumn.PARK: "park", DirColumn.BUILDING: "building",
    DirColumn.REQUESTS: "request_count", DirColumn.SYNC: "sync_state",
}


class EnterpriseDirectoryModel(LazyIdTableModel[EnterpriseRow]):
    """Enterprises matching a search: ids in the background, rows a page at a time."""

    what = "directory"

    def __init__(self, db: Database, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(tasks, parent)
        self.db = db
        self._query = ""
        self._sort = "name"
        self._descending = False
        self._language = current_language()

    @property
    def query(self) -> str:
        return self._query

    def set_query(self, query: str) -> None:
        """Show the enterprises matching ``query`` (read in the background), from the top."""
        self._query = query.strip()
        self.refresh(reset=True)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(DirColumn):
            return
        self._sort = DIR_SORT_KEYS[DirColumn(column)]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh(reset=True)

    def _read(self, reset: bool, keep: list[int]) -> Callable[[], IdSnapshot[EnterpriseRow]]:
        db, query, sort, descending, page_size = self.db, self._query, self._sort, self._descending, self.page_size

        def read() -> IdSnapshot[EnterpriseRow]:
            found = read_directory(db, query, sort=sort, descending=descending, page_size=page_size, rows_for=keep)
            return IdSnapshot(found.ids, found.rows, None, False)

        return read

    def _read_page(self, ids: Sequence[int]) -> dict[int, EnterpriseRow]:
        return directory_rows(self.db, ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(DirColumn)

    def column_title(self, column: DirColumn) -> str:
        return {
            DirColumn.NAME: self.tr("Enterprise"), DirColumn.USCC: self.tr("Credit code"),
            DirColumn.CONTACT: self.tr("Contact"), DirColumn.PHONE: self.tr("Phone"),
            DirColumn.PARK: self.tr("Park"), DirColumn.BUILDING: self.tr("Building"),
            DirColumn.REQUESTS: self.tr("Requests"), DirColumn.SYNC: self.tr("Sync"),
        }[column]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(DirColumn):
            return self.column_title(DirColumn(section))
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        column = DirColumn(index.column())
        if role == IdRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and column == DirColumn.NAME:
            # Everything about the company, also what a narrow window leaves out.
            place = " ".join(p for p in (row.park, row.building) if p)
            return "\n".join(t for t in (row.name, row.uscc, " ".join(p for p in (row.contact_name, row.phone) if p),
                                          place) if t)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = {
                DirColumn.NAME: row.name, DirColumn.USCC: row.uscc, DirColumn.CONTACT: row.contact_name,
                DirColumn.PHONE: row.phone, DirColumn.PARK: row.park, DirColumn.BUILDING: row.building,
                DirColumn.REQUESTS: str(row.request_count),
                DirColumn.SYNC: labels.sync_label(row.sync_state, self._language),
            }
            return values[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == DirColumn.REQUESTS:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ForegroundRole and column == DirColumn.SYNC and row.sync_state == "error":
            return QBrush(QColor("#c62828"))
        return None
