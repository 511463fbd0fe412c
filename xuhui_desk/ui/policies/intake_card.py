"""The intake form's policy card: the policies that fit the company at the counter.

A card around a compact :class:`~xuhui_desk.ui.policies.matches.PolicyMatchesPanel` for the
form's side column. It shows as soon as the company is known (chosen from the directory, or
its known credit code typed) and follows the description as it is typed (relevant policies
first); it hides again for a new company or a new intake.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from xuhui_desk.db import Database
from xuhui_desk.ui.policies.matches import PolicyMatchesPanel
from xuhui_desk.ui.tasks import TaskRunner


class IntakePolicyCard(QFrame):
    """See the module documentation."""

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        self.panel = PolicyMatchesPanel(db, tasks, compact=True)
        layout.addWidget(self.panel)
        self.panel.loaded.connect(lambda _n: self.setVisible(self.panel.enterprise_id is not None))
        self.hide()

    def set_company(self, key: int | str | None) -> None:
        """The company typed or chosen (None: none yet, the card hides)."""
        if key is None:
            self.hide()
        self.panel.set_company(key)

    def set_text(self, text: str) -> None:
        self.panel.set_text(text)
