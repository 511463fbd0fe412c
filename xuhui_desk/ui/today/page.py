"""The Today page (今日工作): what is due, list by list, each with its count.

It shows what :class:`~xuhui_desk.ui.today.controller.TodayController` read (the page itself
never reads: the navigation's count and the page are one read). Lists with nothing in them are
left out; a day with nothing due says so. Enter or a double-click on a line opens the request
(:attr:`TodayPage.requestActivated`); a record the hub refused opens the sync panel
(:attr:`TodayPage.refusedActivated`); the "… more" line of a long list opens the request queue.
"Only mine" (Alt+O) narrows the lists to the current specialist's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.services.timefmt import to_local

if TYPE_CHECKING:
    from xuhui_desk.services.policies import NewPolicy
    from xuhui_desk.services.today import Today, TodayLine

# The lists in the order the page shows them (services.today.LISTS, without importing it at start-up).
LIST_ORDER = ("overdue", "due_today", "due_soon", "callbacks_overdue", "callbacks_today", "low_ratings", "refused")
# Item data: what a line opens.
KIND_ROLE = Qt.ItemDataRole.UserRole
UUID_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS = 4  # tracking number, company, what is due, specialist


def _local(value: datetime) -> datetime:
    return to_local(value if value.tzinfo is not None else value.replace(tzinfo=UTC))


class _LinesTree(QTreeWidget):
    """The lines; Enter opens the current one (also on platforms where Enter does not activate)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.itemActivated.emit(self.currentItem(), 0)
            return
        super().keyPressEvent(event)


class TodayPage(QWidget):
    """What is due today (see the module documentation)."""

    requestActivated = Signal(str)
    refusedActivated = Signal()
    moreActivated = Signal(str)
    onlyMineToggled = Signal(bool)
    # A new policy's line was opened: its id and title (the companies that may qualify).
    policyActivated = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.today: Today | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        header = QHBoxLayout()
        header.setSpacing(14)
        self.title = QLabel(self.tr("Today"))
        self.title.setObjectName("pageTitle")
        header.addWidget(self.title)
        self.date_label = QLabel()
        self.date_label.setObjectName("muted")
        header.addWidget(self.date_label, 0, Qt.AlignmentFlag.AlignBottom)
        header.addStretch(1)
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        header.addWidget(self.summary, 0, Qt.AlignmentFlag.AlignBottom)
        self.only_mine = QCheckBox(self.tr("Only mine"))
        self.only_mine.setToolTip(self.tr("Only the requests I took in and the callbacks I planned (Alt+O)"))
        self.only_mine.toggled.connect(self.onlyMineToggled)
        # An explicit shortcut (a mnemonic in the label is not dependable on every platform).
        toggle = QShortcut(QKeySequence("Alt+O"), self)  # (only while the page shows)
        toggle.activated.connect(self.only_mine.toggle)
        header.addWidget(self.only_mine, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(header)
        from xuhui_desk.ui.policies.today_card import NewPoliciesCard

        self.new_policies = NewPoliciesCard()
        self.new_policies.policyActivated.connect(self.policyActivated)
        layout.addWidget(self.new_policies)

        self.stack = QStackedWidget()
        self.tree = _LinesTree()
        self.tree.setObjectName("todayLines")
        self.tree.setColumnCount(COLUMNS)
        self.tree.setHeaderLabels([self.tr("Tracking no."), self.tr("Company"), self.tr("What is due"),
                                   self.tr("Specialist")])
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAllColumnsShowFocus(True)
        head = self.tree.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(self._activated)
        self.stack.addWidget(self.tree)
        self.empty = QLabel()
        self.empty.setObjectName("placeholder")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        self.setFocusProxy(self.tree)
        self.empty.setText(self.tr("Reading today's lists…"))
        self.stack.setCurrentWidget(self.empty)

    # --- showing ------------------------------------------------------------------------------

    def set_specialist(self, name: str) -> None:
        """The current specialist, as "Only mine" names them."""
        self.only_mine.setText(self.tr("Only mine ({name})").format(name=name) if name else self.tr("Only mine"))
        self.only_mine.setEnabled(bool(name))

    def section_title(self, key: str) -> str:
        titles = {
            "overdue": self.tr("Overdue"),
            "due_today": self.tr("Due today"),
            "due_soon": self.tr("Due by the end of the next working day"),
            "callbacks_overdue": self.tr("Callbacks not made yet"),
            "callbacks_today": self.tr("Callbacks planned for today"),
            "low_ratings": self.tr("Low ratings to rectify"),
            "refused": self.tr("Refused by the district hub"),
        }
        return titles[key]

    def due_text(self, line: TodayLine) -> str:
        """What is due on this line, and when (Shanghai time)."""
        what = line.what
        if what == "overdue" and line.due_at is not None:
            return self.tr("Overdue since {time}").format(time=_local(line.due_at).strftime("%m-%d %H:%M"))
        if what == "due_today" and line.due_at is not None:
            return self.tr("Due today at {time}").format(time=_local(line.due_at).strftime("%H:%M"))
        if what == "due_soon" and line.due_at is not None:
            return self.tr("Due {time}").format(time=_local(line.due_at).strftime("%m-%d %H:%M"))
        if what in ("callbacks_overdue", "callbacks_today"):
            day = (line.due_on or "")[5:]  # MM-DD
            text = (self.tr("Call back (planned for {day})").format(day=day) if what == "callbacks_overdue"
                    else self.tr("Call back today"))
            return self.tr("{what}: {detail}").format(what=text, detail=line.detail) if line.detail else text
        if what == "low_ratings":
            text = self.tr("Rated {rating}: rectify").format(rating=line.rating or "")
            if line.due_at is not None:
                text = self.tr("Rated {rating}: rectify by {time}").format(
                    rating=line.rating or "", time=_local(line.due_at).strftime("%m-%d %H:%M"))
            return text
        return line.detail

    def show_today(self, today: Today) -> None:
        """Show ``today``'s lists (keeping the line that was current)."""
        self.today = today
        self.date_label.setText(QLocale().toString(QDate(today.day.year, today.day.month, today.day.day),
                                                   QLocale.FormatType.LongFormat))
        current = self.tree.currentItem()
        keep = current.data(0, KEY_ROLE) if current is not None else None
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        total = 0
        restore: QTreeWidgetItem | None = None
        for key in LIST_ORDER:
            lst = today[key]
            if not lst.count:
                continue
            total += lst.count
            section = QTreeWidgetItem([f"{self.section_title(key)} · {lst.count}"])
            section.setFont(0, bold)
            section.setFlags(Qt.ItemFlag.ItemIsEnabled)
            section.setData(0, KIND_ROLE, "section")
            section.setData(0, KEY_ROLE, f"section:{key}")
            section.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{self.section_title(key)} {lst.count}")
            self.tree.addTopLevelItem(section)
            section.setFirstColumnSpanned(True)
            for line in lst.lines:
                item = QTreeWidgetItem([line.tracking_no or "—", line.company, self.due_text(line), line.specialist])
                item.setToolTip(2, self.due_text(line))
                item.setData(0, KIND_ROLE, "refused" if key == "refused" else "request")
                item.setData(0, UUID_ROLE, line.request_uuid or "")
                line_key = f"{key}:{line.request_uuid or line.tracking_no or line.company}:{line.due_on or ''}"
                item.setData(0, KEY_ROLE, line_key)
                if key in ("overdue", "callbacks_overdue"):
                    item.setForeground(2, Qt.GlobalColor.darkRed)
                self.tree.addTopLevelItem(item)
                if line_key == keep:
                    restore = item
            if lst.count > len(lst.lines):
                more = QTreeWidgetItem([self.tr("… and {count} more: see the request queue (Ctrl+3)").format(
                    count=lst.count - len(lst.lines))])
                more.setData(0, KIND_ROLE, "more")
                more.setData(0, KEY_ROLE, f"more:{key}")
                more.setForeground(0, Qt.GlobalColor.darkGray)
                self.tree.addTopLevelItem(more)
                more.setFirstColumnSpanned(True)
        self.summary.setText(self.tr("{count} to do").format(count=total) if total else "")
        if not total:
            self.empty.setText(self.tr(
                "Nothing is due today: no deadlines, no callbacks, no low ratings waiting.\n"
                "A calm day — a new intake starts with F2."))
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.tree)
        target = restore or self.first_line()
        if target is not None:
            self.tree.setCurrentItem(target)

    def show_new_policies(self, items: list[NewPolicy]) -> None:
        """The policies received lately, each with the companies that may qualify (issue 15)."""
        self.new_policies.show_new(items)

    def first_line(self) -> QTreeWidgetItem | None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item is not None and item.data(0, KIND_ROLE) in ("request", "refused"):
                return item
        return None

    def lines(self) -> list[tuple[str, ...]]:
        """The page as it reads, row by row (sections, lines and "more" rows; for tests and checks)."""
        out = []
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item is not None:
                out.append(tuple(item.text(c) for c in range(COLUMNS) if item.text(c)))
        return out

    # --- acting -------------------------------------------------------------------------------

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        kind = item.data(0, KIND_ROLE)
        uuid = item.data(0, UUID_ROLE)
        if kind == "request" and uuid:
            self.requestActivated.emit(str(uuid))
        elif kind == "refused":
            self.refusedActivated.emit()
        elif kind == "more":
            self.moreActivated.emit(str(item.data(0, KEY_ROLE)).removeprefix("more:"))
