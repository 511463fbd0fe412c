"""The directory offered as a company's name or credit code is typed (a completer under each field)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit

from xuhui_desk.db import Database
from xuhui_desk.ui.local_writes import opened
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.validation import clean_text

if TYPE_CHECKING:
    from xuhui_desk.services.intake import EnterpriseMatch

log = logging.getLogger(__name__)

LOOKUP_DELAY_MS = 150
# As many as :data:`xuhui_desk.services.intake.LOOKUP_LIMIT` (not imported: it pulls in SQLAlchemy).
LOOKUP_LIMIT = 8


class EnterpriseLookup(QObject):
    """Searches the directory :data:`LOOKUP_DELAY_MS` after the name or the credit code was edited
    (from 1 character of a name, 4 of a code) and offers the matches in a popup under that field;
    ``chosen(match)`` when one is picked. Only the newest search's answer is ever shown."""

    chosen = Signal(object)  # EnterpriseMatch
    # (code, match): :meth:`look_up_code` found the code in the directory.
    codeFound = Signal(str, object)

    def __init__(self, db: Database, tasks: TaskRunner, name_edit: QLineEdit, uscc_edit: QLineEdit,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.name_edit = name_edit
        self.uscc_edit = uscc_edit
        self.name_model = QStandardItemModel(self)
        self.name_completer = self._completer(self.name_model, name_edit)
        self.uscc_model = QStandardItemModel(self)
        self.uscc_completer = self._completer(self.uscc_model, uscc_edit)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(LOOKUP_DELAY_MS)
        self.timer.timeout.connect(self.run)
        self._source = name_edit
        name_edit.textEdited.connect(lambda _t: self.schedule(name_edit))
        uscc_edit.textEdited.connect(lambda _t: self.schedule(uscc_edit))

    def _completer(self, model: QStandardItemModel, edit: QLineEdit) -> QCompleter:
        completer = QCompleter(model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(LOOKUP_LIMIT)
        completer.setWidget(edit)
        completer.activated[QModelIndex].connect(self._chosen)  # type: ignore[index]
        return completer

    def schedule(self, source: QLineEdit) -> None:
        self._source = source
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def run(self) -> None:
        """Search for what the last edited field holds now."""
        source = self._source
        typed = source.text()
        if len(clean_text(typed)) < (1 if source is self.name_edit else 4):
            self._fill(source, [])
            return
        db = self.db

        def read(_progress: object) -> list[EnterpriseMatch]:
            opened(db)
            from xuhui_desk.services.intake import lookup_enterprises

            return lookup_enterprises(db, typed)

        def done(matches: list[EnterpriseMatch]) -> None:
            if source.text() == typed:  # else the field was changed back and forth: a newer search follows
                self._fill(source, matches)

        # latest=: a newer search (in either field) supersedes this one, whose answer is then dropped.
        self.tasks.run(read, on_success=done, owner=self, latest="lookup",
                       on_failure=lambda exc: log.warning("directory lookup failed: %s", exc))

    def look_up_code(self, code: str) -> None:
        """Look a complete credit code up in the background; ``codeFound`` when the directory has it."""
        db = self.db

        def read(_progress: object) -> EnterpriseMatch | None:
            opened(db)
            from xuhui_desk.services.intake import enterprise_by_uscc

            return enterprise_by_uscc(db, code)

        def done(match: EnterpriseMatch | None) -> None:
            if match is not None:
                self.codeFound.emit(code, match)

        self.tasks.run(read, on_success=done, owner=self, latest="code",
                       on_failure=lambda exc: log.warning("credit code lookup failed: %s", exc))

    def _fill(self, source: QLineEdit, matches: list[EnterpriseMatch]) -> None:
        model = self.name_model if source is self.name_edit else self.uscc_model
        completer = self.name_completer if source is self.name_edit else self.uscc_completer
        model.clear()
        for match in matches:
            place = " ".join(p for p in (match.park, match.building) if p)
            parts = [match.name, match.uscc or self.tr("no credit code"), place]
            item = QStandardItem("  ·  ".join(p for p in parts if p))
            item.setData(match, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            model.appendRow(item)
        popup = completer.popup()
        if popup is None:  # Qt always makes one; the stubs allow None
            return
        if matches and source.hasFocus() and not source.isReadOnly():
            completer.complete()
            popup.setCurrentIndex(QModelIndex())
        elif popup.isVisible():
            popup.hide()

    def _chosen(self, index: QModelIndex | QPersistentModelIndex) -> None:
        match = index.data(Qt.ItemDataRole.UserRole)
        if match is not None:
            self.chosen.emit(match)
