"""A compact strip of one company's open requests, for the intake form to show beside it.

API: ``set_company(key)`` (an enterprise id, a credit code or a name; ``None`` or "" empties
it) reads the company's file in the background — a newer key supersedes an older one still
being read (``latest=``) — and lists its open requests, most pressing first, one line each
(tracking number · category · status · due). Enter or a double click on a line emits
:attr:`CompanyStrip.requestActivated` (its uuid); :attr:`CompanyStrip.loaded` says how many
open requests it shows (0 for a new or unknown company: the strip then hides itself).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from xuhui_desk.db import Database
from xuhui_desk.services import labels
from xuhui_desk.services.company_file import CompanyFile, CompanyNotFound, company_file
from xuhui_desk.services.timefmt import display
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.queue.model import taxonomy_label
from xuhui_desk.ui.tasks import TaskRunner

#: Open requests listed (the title gives the full count).
STRIP_LINES = 8
UuidRole = Qt.ItemDataRole.UserRole + 2


class _Lines(QListWidget):
    activated_uuid = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.activated_uuid.emit(str(self.currentItem().data(UuidRole)))
            event.accept()
            return
        super().keyPressEvent(event)


class CompanyStrip(QWidget):
    """The open requests of one company (see the module documentation)."""

    requestActivated = Signal(str)
    #: Open requests shown after a ``set_company`` (0: none, or no such company).
    loaded = Signal(int)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.key: str | int | None = None
        self.file: CompanyFile | None = None
        self.setObjectName("companyStrip")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.title = QLabel()
        self.title.setObjectName("companyStripTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.lines = _Lines()
        self.lines.setObjectName("companyStripLines")
        self.lines.setMaximumHeight(self.fontMetrics().height() * 5 + 12)
        self.lines.activated_uuid.connect(self.requestActivated)
        self.lines.itemDoubleClicked.connect(lambda item: self.requestActivated.emit(str(item.data(UuidRole))))
        layout.addWidget(self.lines)
        self.setFocusProxy(self.lines)
        self.hide()

    def set_company(self, key: str | int | None) -> None:
        """Show the open requests of the company ``key`` (read in the background)."""
        self.key = key
        if key is None or (isinstance(key, str) and not key.strip()):
            self.tasks.run(lambda _p: None, owner=self, latest="company")  # drops a read under way
            self._clear()
            return
        db = self.db

        def read(_progress: object) -> CompanyFile | None:
            try:
                return company_file(db, key, limit=STRIP_LINES)
            except CompanyNotFound:
                return None  # a new company: nothing to show (several matches: LookupError too)
            except LookupError:
                return None

        self.tasks.run(read, on_success=self._show, on_failure=lambda _e: self._clear(), owner=self,
                       latest="company")

    def _clear(self) -> None:
        self.file = None
        self.lines.clear()
        self.hide()
        self.loaded.emit(0)

    def _show(self, found: CompanyFile | None) -> None:
        if found is None or not found.open_count:
            self._clear()
            return
        self.file = found
        lang = current_language()
        self.lines.clear()
        for request in found.requests:
            if not request.is_open:
                continue
            due = display(request.sla_due_at, with_time=False) if request.sla_due_at else ""
            parts = [request.tracking_no, taxonomy_label(request.category, lang),
                     labels.status_label(request.status, lang)]
            if due:
                parts.append(self.tr("due {day}").format(day=due))
            item = QListWidgetItem(" · ".join(parts))
            item.setData(UuidRole, request.uuid)
            item.setToolTip(request.description)
            self.lines.addItem(item)
        self.title.setText(self.tr("Open requests of this company: {count}").format(count=found.open_count))
        self.show()
        self.loaded.emit(self.lines.count())
