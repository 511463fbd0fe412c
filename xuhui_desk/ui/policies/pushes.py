"""The policy lists a company was given (推送记录), newest first, for its file's 政策 tab.

Read in the background through :func:`xuhui_desk.services.policies.pushes_for_company`
(``owner=``, ``latest=``). Each line: when, by whom, how (printed slip / A5 / told) and which
policies (titles; the full list in the tooltip).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from xuhui_desk.db import Database
from xuhui_desk.services.timefmt import display
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.policies.labels import channel_label
from xuhui_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from xuhui_desk.services.policies import PushRecord

log = logging.getLogger(__name__)
# Lines shown without scrolling.
SHOWN_LINES = 4


class PushHistory(QWidget):
    """See the module documentation."""

    loaded = Signal(int)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.enterprise_id: int | None = None
        self.records: list[PushRecord] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.title = QLabel(self.tr("Policy lists handed over"))
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.lines = QListWidget()
        self.lines.setObjectName("policyPushes")
        self.lines.setWordWrap(False)
        self.lines.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.lines.setUniformItemSizes(True)
        layout.addWidget(self.lines)

    def load(self, enterprise_id: int) -> None:
        """Read the company's pushes again (background)."""
        self.enterprise_id = enterprise_id
        db = self.db

        def read(_progress: object) -> list[PushRecord]:
            from xuhui_desk.services.policies import pushes_for_company

            return pushes_for_company(db, enterprise_id)

        self.tasks.run(read, on_success=self._show, owner=self, latest="pushes",
                       on_failure=lambda exc: log.warning("pushes could not be read: %s", exc))

    def _show(self, records: list[PushRecord]) -> None:
        self.records = list(records)
        self.lines.clear()
        separator = "、" if current_language() == "zh_CN" else "; "
        for record in self.records:
            titles = [title for _id, _version, title in record.policies]
            text = self.tr("{when} · {who} · {how} · {count} policies: {titles}").format(
                when=display(record.pushed_at), who=record.pushed_by, how=channel_label(record.channel),
                count=len(titles), titles=separator.join(titles))
            item = QListWidgetItem(text)
            item.setToolTip(text + "\n" + "\n".join(titles))
            self.lines.addItem(item)
        if not self.records:
            self.lines.addItem(QListWidgetItem(self.tr("No policy list has been handed over to this company yet.")))
        self.title.setText(self.tr("Policy lists handed over ({count})").format(count=len(self.records)))
        # As tall as its lines, at most four (the policies above keep the room).
        rows = min(max(self.lines.count(), 1), SHOWN_LINES)
        self.lines.setFixedHeight(max(self.lines.sizeHintForRow(0), self.fontMetrics().height() + 6) * rows + 6)
        self.loaded.emit(len(self.records))
