"""A card of the detail pane that writes through a service: its title, a red line saying why a
change was refused and a green one saying what was saved, and :meth:`PaneCard.run_write`, which
runs one write at a time on the runner's write thread (the contacts and attachments cards)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.validation import ValidationFailed

log = logging.getLogger(__name__)


def refusal_text(exc: BaseException, language: str) -> str:
    """Why a service refused, in the user's words (a ValidationFailed lists every issue)."""
    if isinstance(exc, ValidationFailed):
        return "; ".join(issue.message(language) for issue in exc.issues)
    return str(exc)


class PaneCard(QFrame):
    """A titled card (``#card``) with an error line and a done line; ``saved(uuid)`` after a write."""

    saved = Signal(str)
    # This widget should be scrolled into view (a panel that just opened, a message).
    reveal = Signal(QWidget)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._language = current_language()
        self._uuid: str | None = None
        self._busy = False
        self.setObjectName("card")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(14, 12, 14, 12)
        self.body.setSpacing(8)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.body.addWidget(self.title)
        self.error = QLabel()
        self.error.setObjectName("actionError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.body.addWidget(self.error)
        self.done = QLabel()
        self.done.setObjectName("actionDone")
        self.done.setWordWrap(True)
        self.done.hide()
        self.body.addWidget(self.done)

    @property
    def busy(self) -> bool:
        return self._busy

    def clear_messages(self) -> None:
        self.error.hide()
        self.done.hide()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.done.hide()
        self.reveal.emit(self.error)

    def show_done(self, text: str) -> None:
        self.done.setText(text)
        self.done.show()
        self.error.hide()

    def set_busy(self, busy: bool) -> None:
        """A write started or ended (subclasses disable their buttons)."""
        self._busy = busy

    def run_write(self, work: Callable[[], Any], on_saved: Callable[[Any], None],
                  on_refused: Callable[[BaseException], None] | None = None) -> bool:
        """Run ``work`` (a service write) in the background; ``on_saved(result)`` afterwards if the
        pane still shows the same request, then ``saved(uuid)``. A refusal is shown in the error
        line (``on_refused`` first). False (nothing started) while another write runs or no
        request is shown."""
        uuid = self._uuid
        if uuid is None or self._busy:
            return False
        self.clear_messages()
        self.set_busy(True)

        def succeeded(result: Any) -> None:
            self.set_busy(False)
            if uuid == self._uuid:
                on_saved(result)
            self.saved.emit(uuid)

        def failed(exc: BaseException) -> None:
            self.set_busy(False)
            if not isinstance(exc, ValidationFailed | LookupError | ValueError):
                log.error("saving a change to %s failed: %s", uuid, exc)
            if on_refused is not None:
                on_refused(exc)
            if uuid == self._uuid:
                self.show_error(self.tr("Not saved: {reason}").format(reason=refusal_text(exc, self._language)))

        self.tasks.run(lambda _p: work(), on_success=succeeded, on_failure=failed, owner=self, write=True)
        return True
