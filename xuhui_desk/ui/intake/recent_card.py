"""The card listing today's intakes at this workstation; Enter or a double-click opens one."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from xuhui_desk.db import Database
from xuhui_desk.services.timefmt import to_local
from xuhui_desk.ui.labels import category_label
from xuhui_desk.ui.local_writes import opened
from xuhui_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from xuhui_desk.services.intake import TodaysIntakes

log = logging.getLogger(__name__)


class RecentIntakesCard(QFrame):
    """"Received today": how many, and the newest few. ``refresh()`` re-reads them in the
    background; ``requestActivated(uuid)`` when one is opened."""

    requestActivated = Signal(str)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(6)
        head = QHBoxLayout()
        self.title = QLabel(self.tr("Received today"))
        self.title.setObjectName("sectionTitle")
        head.addWidget(self.title)
        head.addStretch(1)
        self.count = QLabel()
        self.count.setObjectName("hint")
        head.addWidget(self.count)
        layout.addLayout(head)
        self.list = QListWidget()
        self.list.setObjectName("recentList")
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setToolTip(self.tr("Enter or double-click: open the request"))
        self.list.itemActivated.connect(self._activated)
        layout.addWidget(self.list, 1)
        self.empty = QLabel(self.tr("Nothing received yet today."))
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # The empty text sits right under the title and takes the card's free height (audit D17).
        layout.addWidget(self.empty, 1)

    def refresh(self) -> None:
        """Re-read today's intakes in the background (only the newest answer is shown)."""
        db = self.db

        def read(_progress: object) -> TodaysIntakes:
            opened(db)
            from xuhui_desk.services.intake import todays_intakes

            return todays_intakes(db)

        self.tasks.run(read, on_success=self.show_intakes, owner=self, latest="today",
                       on_failure=lambda exc: log.warning("today's intakes could not be read: %s", exc))

    def show_intakes(self, today: TodaysIntakes) -> None:
        self.list.clear()
        for row in today.latest:
            time_text = to_local(row.created_at).strftime("%H:%M")
            item = QListWidgetItem(f"{row.tracking_no}   {category_label(row.category)}\n"
                                   f"{time_text}   {row.enterprise_name}")
            item.setData(Qt.ItemDataRole.UserRole, row.uuid)
            item.setToolTip(row.enterprise_name)
            self.list.addItem(item)
        self.count.setText(self.tr("{count} in all").format(count=today.total) if today.total else "")
        self.empty.setVisible(not today.latest)
        self.list.setVisible(bool(today.latest))

    def _activated(self, item: QListWidgetItem) -> None:
        uuid = item.data(Qt.ItemDataRole.UserRole)
        if uuid:
            self.requestActivated.emit(str(uuid))
