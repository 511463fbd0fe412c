"""The navigation column of the main window: the station, one row per page with its shortcut
(and, on Today, the count of what is due), and the specialist at the foot (click it to switch)."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QKeySequence, QMouseEvent, QPainter
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
# Where a row's label starts (the style sheet's border and padding, and the item's text margin).
LABEL_INSET = 18


class Page(IntEnum):
    TODAY = 0
    INTAKE = 1
    QUEUE = 2
    DIRECTORY = 3
    REPORTS = 4
    SETTINGS = 5


PAGE_SHORTCUTS: dict[Page, str] = {
    Page.TODAY: "Ctrl+1",
    Page.INTAKE: "Ctrl+2",
    Page.QUEUE: "Ctrl+3",
    Page.DIRECTORY: "Ctrl+4",
    Page.REPORTS: "Ctrl+5",
    Page.SETTINGS: "Ctrl+,",
}

# Item data roles of the navigation rows.
SHORTCUT_ROLE = Qt.ItemDataRole.UserRole + 1
BADGE_ROLE = Qt.ItemDataRole.UserRole + 2


class _NavDelegate(QStyledItemDelegate):
    """Navigation item: its label, a count badge after it (Today), and its shortcut in a quieter
    colour on the right."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        hint = index.data(SHORTCUT_ROLE)
        badge = index.data(BADGE_ROLE)
        painter.save()
        font = option.font
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        if hint:
            painter.setPen(QColor("#8fa6c1"))
            rect = option.rect.adjusted(0, 0, -12, 0)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), str(hint))
        if badge:
            # A rounded pill just after the label: the count of what is due today.
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            # The label starts after the style sheet's left border and padding (desk.qss: 3 + 12 px).
            text_left = option.rect.left() + LABEL_INSET
            label_width = QFontMetrics(opt.font).horizontalAdvance(opt.text)
            metrics = QFontMetrics(font)
            width = max(metrics.horizontalAdvance(str(badge)) + 12, metrics.height() + 4)
            pill = QRect(text_left + label_width + 8,
                         option.rect.center().y() - metrics.height() // 2 - 1, width, metrics.height() + 2)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#d9534f"))
            painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), str(badge))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), 40))


class _Footer(QLabel):
    """The specialist at the foot of the column: a click asks to switch (as Ctrl+Shift+U does)."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class NavPanel(QFrame):
    """The left column; ``pageChosen`` when the user picks a row (not when set_current is called),
    ``specialistClicked`` when the specialist at the foot is clicked."""

    pageChosen = Signal(int)
    specialistClicked = Signal()

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
            item.setData(SHORTCUT_ROLE, shortcut)
            item.setToolTip(self.tr("{page} ({shortcut})").format(page=page_title(page), shortcut=shortcut))
            self.list.addItem(item)
        self.list.currentRowChanged.connect(self._row_changed)
        layout.addWidget(self.list, 1)
        self.footer = _Footer()
        self.footer.setObjectName("navFooter")
        self.footer.setContentsMargins(16, 0, 12, 0)
        self.footer.setWordWrap(True)
        self.footer.setCursor(Qt.CursorShape.PointingHandCursor)
        self.footer.setToolTip(self.tr("Switch the specialist (Ctrl+Shift+U)"))
        self.footer.clicked.connect(self.specialistClicked)
        layout.addWidget(self.footer)

    def set_station(self, name: str, code: str, specialist: str) -> None:
        self.station.setText(name)
        self.code.setText(self.tr("Station {code}").format(code=code))
        self.footer.setText(self.tr("Specialist: {name}").format(name=specialist) if specialist
                            else self.tr("Specialist not set"))

    def set_badge(self, page: Page, count: int) -> None:
        """Show ``count`` beside the page's name (nothing when it is 0)."""
        item = self.list.item(int(page))
        item.setData(BADGE_ROLE, str(count) if count else None)
        shortcut = item.data(SHORTCUT_ROLE)
        title = page_title(page)
        item.setToolTip(self.tr("{page} ({shortcut})").format(page=title, shortcut=shortcut) if not count else
                        self.tr("{page}: {count} to do ({shortcut})").format(page=title, count=count,
                                                                             shortcut=shortcut))
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{title} {count}" if count else title)

    def badge(self, page: Page) -> str:
        """The count shown beside the page's name ("" when none)."""
        return str(self.list.item(int(page)).data(BADGE_ROLE) or "")

    def row_text(self, page: Page) -> str:
        """The row as it reads: its name and its count (e.g. "今日工作 12")."""
        badge = self.badge(page)
        return f"{page_title(page)} {badge}" if badge else page_title(page)

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
        Page.TODAY: QCoreApplication.translate("MainWindow", "Today"),
        Page.INTAKE: QCoreApplication.translate("MainWindow", "Intake"),
        Page.QUEUE: QCoreApplication.translate("MainWindow", "Requests"),
        Page.DIRECTORY: QCoreApplication.translate("MainWindow", "Directory"),
        Page.REPORTS: QCoreApplication.translate("MainWindow", "Reports"),
        Page.SETTINGS: QCoreApplication.translate("MainWindow", "Settings"),
    }
    return titles[page]
