"""Typing into widgets the way a specialist does, Chinese included.

QTest can only press keys of the ASCII range (it aborts on anything else); Chinese
arrives from the input method as a committed string, so runs of non-ASCII text are
sent as ``QInputMethodEvent`` commits, exactly as an IME delivers them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def type_text(qtbot: Any, widget: QWidget, text: str) -> None:
    run = ""

    def commit() -> None:
        if run:
            event = QInputMethodEvent("", [])
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)

    for char in text:
        if char.isascii():
            commit()
            run = ""
            qtbot.keyClicks(widget, char)
        else:
            run += char
    commit()
