"""The first-run wizard: the station, the specialist, and (optionally) the district hub.

Three short pages, each checked as it is typed (the message under the field says what is
wrong; Next stays disabled until the page is right). Finish saves through
:mod:`xuhui_desk.services.station` on the write worker. The hub page may be left empty:
sync can be set up later in Settings.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from xuhui_desk.db import Database
from xuhui_desk.services.station import STATION_CODE, check_hub_url, init_station, set_setting
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.widgets.field_message import FieldMessage
from xuhui_desk.validation import LIMITS, Issue, ValidationFailed, check_text, clean_text

log = logging.getLogger(__name__)


def _field(form: QFormLayout, label: str, edit: QLineEdit, message: FieldMessage, hint: str = "") -> None:
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(3)
    column.addWidget(edit)
    column.addWidget(message)
    if hint:
        note = QLabel(hint)
        note.setObjectName("hint")
        note.setWordWrap(True)
        column.addWidget(note)
    caption = QLabel(label)
    caption.setBuddy(edit)
    form.addRow(caption, box)


def _heading(text: str) -> str:
    """A page title large enough to read as one (QWizard's own title is body-sized)."""
    return f"<span style='font-size:15pt; font-weight:600; color:#102a43'>{html.escape(text)}</span>"


def _form(page: QWizardPage) -> QFormLayout:
    form = QFormLayout(page)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setHorizontalSpacing(14)
    form.setVerticalSpacing(12)
    return form


class StationPage(QWizardPage):
    """Station code, name and address."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_heading(self.tr("Your service station")))
        self.setSubTitle(self.tr("The station code starts every tracking number (for example XH03-20261126-007) "
                                 "and cannot change once requests are recorded."))
        form = _form(self)
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("station_code")
        self.code_edit.setMaxLength(12)
        self.code_edit.setPlaceholderText("XH03")
        self.code_edit.setValidator(QRegularExpressionValidator(r"[A-Za-z0-9]{0,12}", self.code_edit))
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("station_name")
        self.name_edit.setMaxLength(100)
        self.name_edit.setPlaceholderText(self.tr("e.g. Xujiahui service station"))
        self.address_edit = QLineEdit()
        self.address_edit.setObjectName("station_address")
        self.address_edit.setMaxLength(200)
        self.address_edit.setPlaceholderText(self.tr("Printed on the receipts (optional)"))
        self.code_message = FieldMessage()
        self.name_message = FieldMessage()
        self.address_message = FieldMessage()
        _field(form, self.tr("Station code"), self.code_edit, self.code_message,
               self.tr("2 to 12 capital letters or digits, as given by the district."))
        _field(form, self.tr("Station name"), self.name_edit, self.name_message)
        _field(form, self.tr("Address"), self.address_edit, self.address_message)
        self.code_edit.textEdited.connect(self._code_edited)
        self.code_edit.editingFinished.connect(lambda: self._show(self.code_message, self.code_issue()))
        self.name_edit.textChanged.connect(self.completeChanged)
        self.name_edit.editingFinished.connect(lambda: self._show(self.name_message, self.name_issue()))

    def _code_edited(self, text: str) -> None:
        upper = text.upper()
        if upper != text:
            position = self.code_edit.cursorPosition()
            self.code_edit.setText(upper)
            self.code_edit.setCursorPosition(position)
        if self.code_message.isVisible():
            self._show(self.code_message, self.code_issue())
        self.completeChanged.emit()

    def _show(self, message: FieldMessage, issue: Issue | None) -> None:
        message.say(issue.message(current_language()) if issue else None)

    def code(self) -> str:
        return clean_text(self.code_edit.text()).upper()

    def code_issue(self) -> Issue | None:
        return None if STATION_CODE.match(self.code()) else Issue("station_code", "station.code")

    def name_issue(self) -> Issue | None:
        issues = check_text(clean_text(self.name_edit.text()), "station_name", required=True)
        return issues[0] if issues else None

    def isComplete(self) -> bool:
        return self.code_issue() is None and self.name_issue() is None

    def validatePage(self) -> bool:
        self._show(self.code_message, self.code_issue())
        self._show(self.name_message, self.name_issue())
        return self.isComplete()


class SpecialistPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_heading(self.tr("Who works at this counter")))
        self.setSubTitle(self.tr("The specialist's name is recorded with every request and printed on the "
                                 "receipts. It can be changed in Settings."))
        form = _form(self)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("specialist")
        self.name_edit.setMaxLength(LIMITS["specialist"])
        self.message = FieldMessage()
        _field(form, self.tr("Specialist"), self.name_edit, self.message)
        self.name_edit.textChanged.connect(self.completeChanged)
        self.name_edit.editingFinished.connect(self._check)

    def issue(self) -> Issue | None:
        issues = check_text(clean_text(self.name_edit.text()), "specialist", required=True)
        return issues[0] if issues else None

    def _check(self) -> None:
        issue = self.issue()
        self.message.say(issue.message(current_language()) if issue else None)

    def isComplete(self) -> bool:
        return self.issue() is None

    def validatePage(self) -> bool:
        self._check()
        return self.isComplete()


class HubPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_heading(self.tr("District hub (optional)")))
        self.setSubTitle(self.tr("Requests are kept on this computer and sent to the district hub whenever "
                                 "the network allows. Leave these empty to set them up later in Settings."))
        form = _form(self)
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("hub_url")
        self.url_edit.setPlaceholderText("https://hub.example.cn")
        self.token_edit = QLineEdit()
        self.token_edit.setObjectName("hub_token")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText(self.tr("Given by the district for this station"))
        self.url_message = FieldMessage()
        self.token_message = FieldMessage()
        _field(form, self.tr("Hub address"), self.url_edit, self.url_message)
        _field(form, self.tr("Station token"), self.token_edit, self.token_message)
        self.url_edit.textChanged.connect(self._changed)
        self.token_edit.textChanged.connect(self._changed)
        self.url_edit.editingFinished.connect(self._check)

    def url_error(self) -> str | None:
        # The station trusts the hub only over TLS (an unencrypted address can be allowed later,
        # in Settings, by the lead).
        issues = check_hub_url(self.url_edit.text().strip())
        return issues[0].message(current_language()) if issues else None

    def token_error(self) -> str | None:
        if self.token_edit.text().strip() and not self.url_edit.text().strip():
            return self.tr("Enter the hub address too, or leave both empty.")
        return None

    def _changed(self) -> None:
        if self.url_message.isVisible() or self.token_message.isVisible():
            self._check()
        self.completeChanged.emit()

    def _check(self) -> None:
        self.url_message.say(self.url_error())
        self.token_message.say(self.token_error())

    def isComplete(self) -> bool:
        return self.url_error() is None and self.token_error() is None

    def validatePage(self) -> bool:
        self._check()
        return self.isComplete()


class FirstRunWizard(QWizard):
    """Set up this workstation's station on its first start."""

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self._saving = False
        self.setWindowTitle(self.tr("Set up the workstation"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setTitleFormat(Qt.TextFormat.RichText)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.station_page = StationPage()
        self.specialist_page = SpecialistPage()
        self.hub_page = HubPage()
        for page in (self.station_page, self.specialist_page, self.hub_page):
            self.addPage(page)
        self.resize(640, 500)

    def values(self) -> dict[str, Any]:
        return {
            "code": self.station_page.code(),
            "name": clean_text(self.station_page.name_edit.text()),
            "address": clean_text(self.station_page.address_edit.text()),
            "specialist": clean_text(self.specialist_page.name_edit.text()),
            "hub_url": self.hub_page.url_edit.text().strip(),
            "hub_token": self.hub_page.token_edit.text().strip(),
        }

    def typed_anything(self) -> bool:
        return any(str(v).strip() for v in self.values().values())

    def reject(self) -> None:
        """Esc or Cancel: with something typed, ask before the set-up (and the program) ends (audit D14)."""
        if self._saving:
            return
        if self.typed_anything():
            box = QMessageBox(QMessageBox.Icon.Question, self.tr("Set up the workstation"),
                              self.tr("Stop setting up? What you typed is not saved and the program closes."),
                              QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
            box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Stop and close"))
            box.button(QMessageBox.StandardButton.No).setText(self.tr("Continue setting up"))
            box.setDefaultButton(QMessageBox.StandardButton.No)
            box.setEscapeButton(QMessageBox.StandardButton.No)
            answer = box.exec()
            box.deleteLater()
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()

    def accept(self) -> None:
        """Finish: save on the write worker, close when it is saved."""
        if self._saving:
            return
        values = self.values()
        self._saving = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)

        def job(_progress: Any) -> None:
            init_station(self.db, values["code"], values["name"], values["address"], specialist=values["specialist"])
            if values["hub_url"]:
                set_setting(self.db, "hub_url", values["hub_url"])
            if values["hub_token"]:
                set_setting(self.db, "hub_token", values["hub_token"])

        self.tasks.run(job, on_success=self._saved, on_failure=self._failed, write=True, owner=self)

    def _saved(self, _result: object) -> None:
        self._saving = False
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        if isinstance(exc, ValidationFailed):
            text = "\n".join(i.message(current_language()) for i in exc.issues)
        else:
            text = str(exc)
        log.error("first-run setup failed: %s", text)
        QMessageBox.warning(self, self.tr("Not saved"), self.tr("The station could not be set up:\n{error}").format(
            error=text))
