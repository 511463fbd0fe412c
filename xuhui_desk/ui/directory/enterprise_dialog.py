"""Correcting one enterprise's details (validated like the intake form, saved on the write worker)."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from xuhui_desk.db import Database
from xuhui_desk.services.directory import enterprise_details, update_enterprise, validate_enterprise
from xuhui_desk.services.intake import EnterpriseInput
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.validation import LIMITS, Issue, Severity, ValidationFailed


class EnterpriseDialog(QDialog):
    """Correct one enterprise's details (validated like the intake form)."""

    saved = Signal(int)

    FIELDS = ("name", "uscc", "contact_name", "phone", "park", "building")
    # Validation names a field differently from the form.
    ISSUE_FIELDS: ClassVar[dict[str, str]] = {"enterprise_name": "name"}

    def __init__(self, db: Database, tasks: TaskRunner, enterprise_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.enterprise_id = enterprise_id
        self._language = current_language()
        self.setWindowTitle(self.tr("Edit enterprise"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setVerticalSpacing(4)
        self.edits: dict[str, QLineEdit] = {}
        self.messages: dict[str, QLabel] = {}
        captions = {
            "name": self.tr("Enterprise name"), "uscc": self.tr("Credit code"),
            "contact_name": self.tr("Contact"), "phone": self.tr("Phone"), "park": self.tr("Park"),
            "building": self.tr("Building"),
        }
        limits = {"name": LIMITS["enterprise_name"], "uscc": 24, "contact_name": LIMITS["contact_name"],
                  "phone": 32, "park": LIMITS["park"], "building": LIMITS["building"]}
        for key in self.FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"edit_{key}")
            edit.setMaxLength(limits[key])
            message = QLabel()
            message.setObjectName("fieldError")
            message.setWordWrap(True)
            message.hide()
            holder = QVBoxLayout()
            holder.setSpacing(2)
            holder.addWidget(edit)
            holder.addWidget(message)
            form.addRow(captions[key], holder)
            self.edits[key] = edit
            self.messages[key] = message
        layout.addLayout(form)
        self.note = QLabel(self.tr("Changes are sent to the district hub with the next sync."))
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setProperty("primary", True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.activated.connect(self.save)
        self._load()

    def _load(self) -> None:
        details = enterprise_details(self.db, self.enterprise_id)  # one row by primary key
        for key in self.FIELDS:
            self.edits[key].setText(getattr(details, key))

    def value(self) -> EnterpriseInput:
        # The details only (``profile`` None): the company file edits the profile facts.
        text = {key: self.edits[key].text() for key in self.FIELDS}
        return EnterpriseInput(name=text["name"], uscc=text["uscc"], contact_name=text["contact_name"],
                               phone=text["phone"], park=text["park"], building=text["building"])

    def show_issues(self, issues: list[Issue]) -> None:
        self._place_issues(issues)
        # Messages wrap under their fields: let the dialog grow to show them whole.
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.adjustSize()

    def _place_issues(self, issues: list[Issue]) -> None:
        for message in self.messages.values():
            message.hide()
        for issue in issues:
            key = self.ISSUE_FIELDS.get(issue.field, issue.field)
            label = self.messages.get(key)
            if label is None:
                continue
            label.setObjectName("fieldWarning" if issue.severity is Severity.WARNING else "fieldError")
            label.style().unpolish(label)
            label.style().polish(label)
            label.setText(issue.message(self._language))
            label.show()

    def save(self) -> None:
        data = self.value()
        _cleaned, issues = validate_enterprise(data)
        self.show_issues(issues)
        if any(i.severity is Severity.ERROR for i in issues):
            return
        self.buttons.setEnabled(False)
        enterprise_id = self.enterprise_id

        def done(_changed: object) -> None:
            self.buttons.setEnabled(True)
            self.saved.emit(enterprise_id)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            if isinstance(exc, ValidationFailed):
                self.show_issues(exc.issues)
            else:
                self.error.setText(self.tr("Not saved: {reason}").format(reason=exc))
                self.error.show()

        self.tasks.run(lambda _p: update_enterprise(self.db, enterprise_id, data), on_success=done,
                       on_failure=failed, write=True)
