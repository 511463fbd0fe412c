"""The table of a company's requests in its file: open ones first (as the service orders them),
each with its status, department and rating."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from xuhui_desk.services import labels
from xuhui_desk.services.company_file import CompanyRequest
from xuhui_desk.services.timefmt import display
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.queue.model import MUTED_TEXT, taxonomy_label

UuidRole = Qt.ItemDataRole.UserRole + 2
OPEN_TEXT = QColor("#1d4f91")

Index = QModelIndex | QPersistentModelIndex


class FileColumn(IntEnum):
    TRACKING_NO = 0
    CREATED = 1
    CATEGORY = 2
    DEPARTMENT = 3
    STATUS = 4
    RATING = 5
    DUE = 6


class CompanyRequestsModel(QAbstractTableModel):
    """The requests of one company file (a plain list: the service reads at most a hundred)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[CompanyRequest, ...] = ()
        self._language = current_language()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_requests(self, rows: tuple[CompanyRequest, ...]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._language = current_language()
        self.endResetModel()

    def request_at(self, row: int) -> CompanyRequest | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FileColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(FileColumn):
            return None
        return {
            FileColumn.TRACKING_NO: self.tr("Tracking no."),
            FileColumn.CREATED: self.tr("Received"),
            FileColumn.CATEGORY: self.tr("Category"),
            FileColumn.DEPARTMENT: self.tr("Department"),
            FileColumn.STATUS: self.tr("Status"),
            FileColumn.RATING: self.tr("Rating"),
            FileColumn.DUE: self.tr("Due"),
        }[FileColumn(section)]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.request_at(index.row())
        if row is None:
            return None
        column = FileColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == UuidRole:
            return row.uuid
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.description or None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(OPEN_TEXT if row.is_open else MUTED_TEXT) if column == FileColumn.STATUS else (
                None if row.is_open else QBrush(MUTED_TEXT))
        if role == Qt.ItemDataRole.FontRole and column == FileColumn.STATUS and row.is_open:
            return self._bold
        return None

    def _display(self, row: CompanyRequest, column: FileColumn) -> str:
        lang = self._language
        if column == FileColumn.TRACKING_NO:
            return row.tracking_no
        if column == FileColumn.CREATED:
            return display(row.created_at, with_time=False)
        if column == FileColumn.CATEGORY:
            return taxonomy_label(row.category, lang)
        if column == FileColumn.DEPARTMENT:
            return taxonomy_label(row.department, lang)
        if column == FileColumn.STATUS:
            return labels.status_label(row.status, lang)
        if column == FileColumn.RATING:
            return labels.rating_label(row.rating, lang) if row.rating is not None else "—"
        return display(row.sla_due_at, with_time=False) if row.sla_due_at and row.is_open else ""
