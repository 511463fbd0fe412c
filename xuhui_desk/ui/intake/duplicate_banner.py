"""The banner that offers to link a new request to an open one of the same company and category."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from xuhui_desk.services.timefmt import to_local
from xuhui_desk.ui.labels import status_label
from xuhui_desk.ui.widgets.keys import key_hint, key_text

if TYPE_CHECKING:
    from xuhui_desk.services.intake import Duplicate

# What the duplicates were looked up for: (company name, credit code, category).
DuplicateKey = tuple[str, str, str]


class DuplicateBanner(QFrame):
    """Holds the open requests found for the form's company and category, the one the new request
    is linked to (``linked_uuid``) and the key the specialist dismissed (not offered again for it).

    ``linkToggled(tracking_no)`` after Link / Do not link ("" when the link was undone);
    ``dismissed`` after Keep as new.
    """

    linkToggled = Signal(str)
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duplicates: list[Duplicate] = []
        self.linked_uuid: str | None = None
        self._dismissed_key: DuplicateKey | None = None
        self._shown_key: DuplicateKey | None = None
        self.setObjectName("warningBanner")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.text)
        row = QHBoxLayout()
        self.link_button = QPushButton(self.tr("Link to it"))
        self.link_button.setToolTip(key_text("Alt+L"))
        self.ignore_button = QPushButton(self.tr("Keep as new"))
        self.ignore_button.setToolTip(self.tr("Save as a new request"))
        row.addWidget(self.link_button)
        row.addWidget(key_hint("Alt+L"))
        row.addStretch(1)
        row.addWidget(self.ignore_button)
        layout.addLayout(row)
        self.link_button.clicked.connect(lambda: self.toggle_link())
        self.ignore_button.clicked.connect(lambda: self.dismiss())
        self.hide()

    def is_offered(self) -> bool:
        return not self.isHidden()

    def linked_tracking_no(self) -> str:
        """The tracking number of the request linked to ("" when none)."""
        return next((d.tracking_no for d in self.duplicates if d.uuid == self.linked_uuid), "")

    def show_found(self, found: list[Duplicate], key: DuplicateKey | None) -> None:
        """The open requests found for ``key``; shown unless none, or the specialist dismissed this key."""
        self.duplicates = found
        self._shown_key = key
        if self.linked_uuid and not any(d.uuid == self.linked_uuid for d in found):
            self.linked_uuid = None
        if not found or (key is not None and key == self._dismissed_key and not self.linked_uuid):
            self.hide()
            return
        self._render()

    def toggle_link(self) -> None:
        """Link the new request to the first open one shown, or undo the link."""
        if not self.duplicates:
            return
        self.linked_uuid = None if self.linked_uuid else self.duplicates[0].uuid
        self._dismissed_key = None
        self._render()
        self.linkToggled.emit(self.duplicates[0].tracking_no if self.linked_uuid else "")

    def dismiss(self) -> None:
        """Keep as new: hide, and do not offer these requests again for what they were found for."""
        self._dismissed_key = self._shown_key
        self.linked_uuid = None
        self.hide()
        self.dismissed.emit()

    def reset(self) -> None:
        """Nothing found, nothing linked or dismissed (a new intake)."""
        self.duplicates = []
        self.linked_uuid = None
        self._dismissed_key = None
        self._shown_key = None
        self.hide()

    def _render(self) -> None:
        first = next((d for d in self.duplicates if d.uuid == self.linked_uuid), self.duplicates[0])
        created = to_local(first.created_at).strftime("%Y-%m-%d")
        summary = " ".join(first.description.split())
        if len(summary) > 60:
            summary = summary[:59] + "…"
        text = self.tr("{tracking_no} · {status} · received {date}").format(
            tracking_no=first.tracking_no, status=status_label(first.status), date=created)
        text += "\n“" + summary + "”"
        if len(self.duplicates) > 1 and not self.linked_uuid:
            text += "\n" + self.tr("and {count} more open requests like it").format(count=len(self.duplicates) - 1)
        linked = self.linked_uuid is not None
        self.setObjectName("linkedBanner" if linked else "warningBanner")
        self.style().unpolish(self)
        self.style().polish(self)
        self.title.setText(
            self.tr("This intake will be linked to the open request below.") if linked else
            self.tr("This company already has an open request of this category from the last 30 days."))
        self.text.setText(text)
        self.link_button.setText(self.tr("Do not link") if linked else self.tr("Link to it"))
        self.ignore_button.setVisible(not linked)
        self.show()
