"""Switching the specialist at the desk in two keystrokes: Ctrl+Shift+U, Enter (no password: the
station is one desk shared by its specialists).

:class:`SpecialistSwitcher` is a small popup: the specialists who worked here (most recent
first, :func:`xuhui_desk.services.followup.known_specialists`) with the one before the current
one selected, so that Enter hands the desk back to them; or type a new name. Enter stores the
choice (:func:`~xuhui_desk.services.followup.switch_specialist`, on the write worker) and emits
:attr:`~SpecialistSwitcher.switched`; every action afterwards is recorded with that name (the
services read it). A name the services refuse is said in the popup, which stays open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from xuhui_desk.db import Database
from xuhui_desk.ui.tasks import Progress, TaskRunner

SHORTCUT = "Ctrl+Shift+U"


class SpecialistSwitcher(QDialog):
    """The popup (see the module documentation); open it with :meth:`open`, never ``exec()``."""

    switched = Signal(str)

    def __init__(self, db: Database, tasks: TaskRunner, names: list[str], current: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.current = current
        self.setWindowTitle(self.tr("Switch the specialist"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        hint = QLabel(self.tr("Who works at the desk now? Pick a name or type a new one, then Enter."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.names = QComboBox()
        self.names.setObjectName("specialistNames")
        self.names.setEditable(True)
        self.names.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.names.setMinimumWidth(260)
        self.names.addItems(names)
        line_edit = self.names.lineEdit()
        assert line_edit is not None  # editable
        line_edit.setMaxLength(50)
        line_edit.setPlaceholderText(self.tr("Specialist's name"))
        # The one before the current specialist first: Enter hands the desk back at once.
        others = [i for i, name in enumerate(names) if name != current]
        self.names.setCurrentIndex(others[0] if others else (0 if names else -1))
        if not names:
            self.names.setEditText("")
        line_edit.selectAll()  # typing replaces the suggestion
        # Enter in the name switches: the combo box's inline completion would otherwise take the
        # key when the name matches a known one, and the dialog's default button never sees it.
        line_edit.returnPressed.connect(self.switch)
        layout.addWidget(self.names)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Switch"))
        ok.setDefault(True)
        self.buttons.accepted.connect(self.switch)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.names.setFocus(Qt.FocusReason.PopupFocusReason)
        self._saving = False

    def chosen(self) -> str:
        return self.names.currentText().strip()

    def switch(self) -> None:
        """Enter: store the chosen name (in the background); the popup closes when it is stored."""
        name = self.chosen()
        if self._saving:
            return
        if not name:
            self.show_error(self.tr("Enter the specialist's name."))
            return
        self._saving = True
        self.buttons.setEnabled(False)
        db = self.db

        def work(_progress: Progress) -> str:
            from xuhui_desk.services.followup import switch_specialist

            return switch_specialist(db, name)

        self.tasks.run(work, on_success=self._switched, on_failure=self._failed, owner=self, write=True)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.names.setFocus(Qt.FocusReason.OtherFocusReason)

    def _switched(self, name: str) -> None:
        self._saving = False
        self.switched.emit(name)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        from xuhui_desk.validation import ValidationFailed

        self._saving = False
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationFailed):
            self.show_error("\n".join(issue.message(_language()) for issue in exc.issues))
        else:
            self.show_error(self.tr("The specialist was not switched: {error}").format(error=exc))


def _language() -> str:
    from xuhui_desk.ui.i18n import current_language

    return current_language()
