"""The detail pane beside the queue: opened when a request is chosen, at the width the user chose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QScrollArea, QSplitter, QStyle

from xuhui_desk.ui.queue.view import QueueView


class ReadingPane(QObject):
    """The detail pane beside the queue, in the main window's splitter.

    * Hidden while it shows no request, so that the list has the whole width (an empty pane
      used to take 40 % of it and squeeze the company names).
    * Opened when a request is selected or opened, at the width the user last dragged it to
      (kept in the window's settings under :data:`WIDTH_KEY`), else :data:`DEFAULT_SHARE` of
      the splitter; the list keeps at least :data:`QUEUE_MIN_SHARE`, and takes what the window
      gains when it grows.
    * Emptied and hidden when a new search or filter no longer lists the request it shows —
      unless something typed in it would be lost.

    ``detail`` is the program's ``DetailView`` (``show_request``, ``clear``, ``current_uuid``,
    ``has_unsaved_input`` and its ``loaded`` signal).
    """

    WIDTH_KEY = "queue/detailWidth"
    DEFAULT_SHARE = 0.34
    DEFAULT_MIN, DEFAULT_MAX = 320, 620
    QUEUE_MIN_SHARE = 0.4

    def __init__(self, splitter: QSplitter, queue: QueueView, detail: Any,
                 settings: Callable[[], QSettings]) -> None:
        super().__init__(splitter)
        self.splitter = splitter
        self.queue = queue
        self.detail = detail
        self._settings = settings
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 1)  # the list takes what the window gains
        splitter.setStretchFactor(1, 0)
        detail.hide()
        queue.currentRequestChanged.connect(self.open)  # before the pane follows the selection
        queue.requestActivated.connect(self.open)
        queue.table.clicked.connect(self.open)
        detail.loaded.connect(self.open)
        queue.listReplaced.connect(self._list_replaced)
        splitter.splitterMoved.connect(self._moved)

    def narrowest(self) -> int:
        """The pane's width below which its content would scroll sideways (its own minimum)."""
        scroll = self.detail.findChild(QScrollArea)
        if scroll is None or scroll.widget() is None:
            return self.DEFAULT_MIN
        bar = scroll.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return scroll.widget().minimumSizeHint().width() + bar + 2 * scroll.frameWidth() + 2

    def preferred_width(self) -> int:
        """The pane's width when it opens now: the user's, else a share of the splitter; never
        narrower than its content needs, and leaving the list :data:`QUEUE_MIN_SHARE`."""
        total = self._total()
        stored = self._settings().value(self.WIDTH_KEY)
        try:
            width = int(str(stored)) if stored is not None else 0
        except (TypeError, ValueError):
            width = 0
        if width <= 0:
            width = min(round(total * self.DEFAULT_SHARE), self.DEFAULT_MAX)
        width = max(width, self.narrowest(), self.DEFAULT_MIN)
        return max(min(width, total - round(total * self.QUEUE_MIN_SHARE)), 0)

    def open(self, *_args: object) -> None:
        if not self.detail.isHidden():
            return
        width = self.preferred_width()
        self.detail.show()
        total = self._total()
        self.splitter.setSizes([total - width, width])
        uuid = self.queue.current_uuid()
        if self.detail.current_uuid is None and uuid:
            self.detail.show_request(uuid)  # a click on the row that was already current

    def close(self) -> None:
        self.detail.clear()
        self.detail.hide()

    def _total(self) -> int:
        return max(self.splitter.width() - self.splitter.handleWidth(), 0)

    def _moved(self, _pos: int, _index: int) -> None:
        if not self.detail.isHidden():
            settings = self._settings()
            settings.setValue(self.WIDTH_KEY, self.splitter.sizes()[1])
            settings.sync()

    def _list_replaced(self) -> None:
        uuid = self.detail.current_uuid
        if uuid is None:
            if not self.detail.isHidden():
                self.close()
            return
        if self.queue.shows_request(uuid) or self.detail.has_unsaved_input():
            return
        self.close()
