"""The navigation column of the main window: the station, one row per page with its shortcut,
and the specialist at the foot."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

NAV_WIDTH = 188


class Page(IntEnum):
    INTAKE = 0
    QUEUE = 1
    DIRECTORY = 2
    REPORTS = 3
    SETTINGS = 4


PAGE_SHORTCUTS: dict[Page, str] = {
    Page.INTAKE: "Ctrl+1",
    Page.QUEUE: "Ctrl+2",
    Page.DIRECTORY: "Ctrl+3",
    Page.REPORTS: "Ctrl+4",
    Page.SETTINGS: "Ctrl+,",
}


class _NavDelegate(QStyledItemDelegate):
    """Navigation item: its label, and its shortcut in a quieter colour on the right."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        hint = index.data(Qt.ItemDataRole.UserRole + 1)
        if not hint:
            return
        painter.save()
        font = option.font
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        painter.setPen(QColor("#8fa6c1"))
        rect = option.rect.adjusted(0, 0, -12, 0)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), str(hint))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), 40))


class NavPanel(QFrame):
    """The left column; ``pageChosen`` when the user picks a row (not when set_current is called)."""

    pageChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("navPanel")
        self.setFixedWidth(NAV_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 16, 0, 12)
        layout.setSpacing(2)
        self.station = QLabel()
        self.station.setObjectName("navStation")
        self.station.setWordWrap(True)
        self.code = QLabel()
        self.code.setObjectName("navStationCode")
        for label in (self.station, self.code):
            label.setContentsMargins(16, 0, 12, 0)
            layout.addWidget(label)
        layout.addSpacing(14)
        self.list = QListWidget()
        self.list.setObjectName("nav")
        self.list.setItemDelegate(_NavDelegate(self.list))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for page in Page:
            shortcut = QKeySequence(PAGE_SHORTCUTS[page]).toString(QKeySequence.SequenceFormat.NativeText)
            item = QListWidgetItem(page_title(page))
            item.setData(Qt.ItemDataRole.UserRole, int(page))
            item.setData(Qt.ItemDataRole.UserRole + 1, shortcut)
            item.setToolTip(self.tr("{page} ({shortcut})").format(page=page_title(page), shortcut=shortcut))
            self.list.addItem(item)
        self.list.currentRowChanged.connect(self._row_changed)
        layout.addWidget(self.list, 1)
        self.footer = QLabel()
        self.footer.setObjectName("navFooter")
        self.footer.setContentsMargins(16, 0, 12, 0)
        self.footer.setWordWrap(True)
        layout.addWidget(self.footer)

    def set_station(self, name: str, code: str, specialist: str) -> None:
        self.station.setText(name)
        self.code.setText(self.tr("Station {code}").format(code=code))
        self.footer.setText(self.tr("Specialist: {name}").format(name=specialist) if specialist
                            else self.tr("Specialist not set"))

    def set_current(self, page: Page) -> None:
        """Highlight ``page`` without emitting ``pageChosen``."""
        if self.list.currentRow() != int(page):
            self.list.blockSignals(True)
            self.list.setCurrentRow(int(page))
            self.list.blockSignals(False)

    def _row_changed(self, row: int) -> None:
        if row >= 0:
            self.pageChosen.emit(row)


def page_title(page: Page) -> str:
    """The page's name as the navigation, the Go menu and the shortcut list show it."""
    titles = {
        Page.INTAKE: QCoreApplication.translate("MainWindow", "Intake"),
        Page.QUEUE: QCoreApplication.translate("MainWindow", "Requests"),
        Page.DIRECTORY: QCoreApplication.translate("MainWindow", "Directory"),
        Page.REPORTS: QCoreApplication.translate("MainWindow", "Reports"),
        Page.SETTINGS: QCoreApplication.translate("MainWindow", "Settings"),
    }
    return titles[page]
