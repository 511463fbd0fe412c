"""The line of text under a form field that says what is wrong with it (red) or what to check (amber)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from xuhui_desk.validation import Issue, Severity


class FieldMessage(QLabel):
    """The red (error) or amber (warning) line under a field; hidden while the field is fine.

    ``say(text)`` shows a plain error text; ``show_issues(issues, language)`` shows every issue of
    the field, one per line, red when one of them is an error, else amber.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setObjectName("fieldError")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.hide()

    def say(self, text: str | None, *, warning: bool = False) -> None:
        """Show ``text`` (an error, or a warning), or hide the line when it is empty or None."""
        if not text:
            self.clear()
            self.hide()
            return
        self._set_kind(warning=warning)
        self.setText(text)
        self.show()

    def show_issues(self, issues: Sequence[Issue], language: str) -> None:
        """Every issue of the field, one per line: red when one of them is an error, else amber."""
        error = any(i.severity is not Severity.WARNING for i in issues)
        self.say("\n".join(i.message(language) for i in issues), warning=not error)

    def _set_kind(self, *, warning: bool) -> None:
        name = "fieldWarning" if warning else "fieldError"
        if self.objectName() != name:
            self.setObjectName(name)
            # The style sheet picks the colour by object name: re-polish for it to apply.
            self.style().unpolish(self)
            self.style().polish(self)


def mark_field(widget: QWidget, issues: Sequence[Issue]) -> None:
    """Give the field itself the look of its issues: ``invalid`` (red frame) or ``warning`` (amber)."""
    error = any(i.severity is Severity.ERROR for i in issues)
    widget.setProperty("invalid", error)
    widget.setProperty("warning", bool(issues) and not error)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
