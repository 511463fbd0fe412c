"""Today's "new policy" entries: a policy that arrived in the last days, and how many companies
of this station may qualify for it ("新政策：本站 N 家企业可能符合").

:class:`NewPoliciesCard` shows what :func:`xuhui_desk.services.policies.new_policies` returned
(read by the Today controller); Enter or a double click emits :attr:`policyActivated` (the id
and title), which opens the list of those companies
(:mod:`xuhui_desk.ui.policies.companies`). Hidden while there is no new policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from xuhui_desk.services.policies import NewPolicy

# Lines shown without scrolling; "new" is what arrived in the last NEW_DAYS days (the service's default).
SHOWN_LINES = 5
NEW_DAYS = 7
ID_ROLE = Qt.ItemDataRole.UserRole + 1
TITLE_ROLE = Qt.ItemDataRole.UserRole + 2


class _Lines(QListWidget):
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.itemActivated.emit(self.currentItem())
            return
        super().keyPressEvent(event)


class NewPoliciesCard(QFrame):
    """See the module documentation."""

    policyActivated = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.items: list[NewPolicy] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.lines = _Lines()
        self.lines.setObjectName("newPolicies")
        self.lines.setFrameShape(QFrame.Shape.NoFrame)
        self.lines.itemActivated.connect(self._activated)
        layout.addWidget(self.lines)
        self.hide()

    def line_text(self, item: NewPolicy) -> str:
        return self.tr("New policy: {title} — {count} companies of this station may qualify").format(
            title=item.policy.title, count=item.companies)

    def show_new(self, items: list[NewPolicy]) -> None:
        """Show the new policies (hidden when there are none)."""
        self.items = list(items)
        self.lines.clear()
        for entry in self.items:
            line = QListWidgetItem(self.line_text(entry))
            line.setData(ID_ROLE, entry.policy.id)
            line.setData(TITLE_ROLE, entry.policy.title)
            line.setToolTip(entry.policy.benefit or entry.policy.title)
            self.lines.addItem(line)
        shown = min(len(self.items), SHOWN_LINES)
        frame = 2 * self.lines.frameWidth()
        self.lines.setFixedHeight(self.lines.sizeHintForRow(0) * shown + frame + 2 if shown else 0)
        self.title.setText(self.tr("New policies in the last {days} days ({count})").format(
            days=NEW_DAYS, count=len(self.items)))
        self.setVisible(bool(self.items))

    def texts(self) -> list[str]:
        return [self.lines.item(r).text() for r in range(self.lines.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        self.policyActivated.emit(str(item.data(ID_ROLE)), str(item.data(TITLE_ROLE)))
