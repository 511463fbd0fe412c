"""Settings: the station's name and address, the specialist, the district hub, receipts, the language.

:class:`SettingsForm` is the Settings page of the main window; :class:`SettingsDialog`
wraps the same form in a dialog. Values are read and saved on the background workers
(saving through :mod:`xuhui_desk.services.station`). A new language takes effect at once:
``saved(values, language_changed=True)`` makes the main window rebuild itself in it.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.config import SETTING_DEFAULTS
from xuhui_desk.db import Database
from xuhui_desk.services.station import (
    check_hub_url,
    load_settings_page,
    save_settings_page,
    validate_setting,
)
from xuhui_desk.ui.i18n import LANGUAGE_NAMES, current_language
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.widgets.field_message import FieldMessage
from xuhui_desk.validation import LIMITS, ValidationFailed, check_text, clean_text

log = logging.getLogger(__name__)

# Below this width of the page the two cards stand one above the other.
SIDE_BY_SIDE_MIN_WIDTH = 1000



class SettingsForm(QWidget):
    """The settings page. ``saved(values, language_changed)`` after a successful save."""

    saved = Signal(dict, bool)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None, *,
                 embedded: bool = True) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.loaded: dict[str, str] = {}
        self._saving = False
        self.setObjectName("page")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 14) if embedded else outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(12)
        if embedded:
            header = QHBoxLayout()
            title = QLabel(self.tr("Settings"))
            title.setObjectName("pageTitle")
            header.addWidget(title)
            header.addStretch(1)
            outer.addLayout(header)

        self.code_edit = QLineEdit()
        self.code_edit.setReadOnly(True)
        self.code_edit.setToolTip(self.tr("The station code is part of every tracking number and cannot change."))
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(100)
        self.address_edit = QLineEdit()
        self.address_edit.setMaxLength(200)
        self.specialist_edit = QLineEdit()
        self.specialist_edit.setMaxLength(LIMITS["specialist"])
        self.hub_url_edit = QLineEdit()
        self.hub_url_edit.setPlaceholderText("https://hub.example.cn")
        # The station trusts the hub only over TLS; the lead may allow an unencrypted address, and the
        # sync status then warns about it for as long as it is in use.
        self.insecure_check = QCheckBox(self.tr("Allow an unencrypted (http://) hub address — not recommended"))
        self.hub_token_edit = QLineEdit()
        self.hub_token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_token = QCheckBox(self.tr("Show"))
        self.tracking_edit = QLineEdit()
        self.tracking_edit.setPlaceholderText(SETTING_DEFAULTS["tracking_url_template"])
        self.language_combo = QComboBox()
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(name, code)

        self.messages = {key: FieldMessage() for key in ("station_name", "specialist", "hub_url",
                                                     "tracking_url_template")}

        # Side by side on a wide page, one above the other on a narrow one (see resizeEvent); the
        # cards scroll when the screen is short.
        cards = QWidget()
        cards.setObjectName("cards")
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight, cards)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        self.cards_layout = row
        station_card, station_form = self._card(self.tr("Station"))
        self._row(station_form, self.tr("Station code"), self.code_edit)
        self._row(station_form, self.tr("Station name"), self.name_edit, "station_name")
        self._row(station_form, self.tr("Address"), self.address_edit,
                  hint=self.tr("Printed on the receipts."))
        self._row(station_form, self.tr("Specialist"), self.specialist_edit, "specialist",
                  hint=self.tr("Recorded with every request and printed on the receipts."))
        self._row(station_form, self.tr("Language"), self.language_combo,
                  hint=self.tr("Takes effect as soon as the settings are saved."))
        row.addWidget(station_card, 1)

        hub_card, hub_form = self._card(self.tr("District hub and receipts"))
        self._row(hub_form, self.tr("Hub address"), self.hub_url_edit, "hub_url",
                  hint=self.tr("Leave empty to work without sync."))
        self._row(hub_form, "", self.insecure_check)
        token_box = QWidget()
        token_row = QHBoxLayout(token_box)
        token_row.setContentsMargins(0, 0, 0, 0)
        token_row.addWidget(self.hub_token_edit, 1)
        token_row.addWidget(self.show_token)
        self._row(hub_form, self.tr("Station token"), token_box)
        self._row(hub_form, self.tr("Tracking address"), self.tracking_edit, "tracking_url_template",
                  hint=self.tr("The QR code on the receipt opens this address; {tracking_no} is replaced "
                               "by the tracking number."))
        row.addWidget(hub_card, 1)
        scroll = QScrollArea()
        scroll.setObjectName("formScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(cards)
        outer.addWidget(scroll, 1)

        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save settings"))
        self.save_button.setProperty("primary", True)
        self.save_button.setToolTip(QKeySequence("Ctrl+S").toString(QKeySequence.SequenceFormat.NativeText))
        self.revert_button = QPushButton(self.tr("Undo changes"))
        buttons.addWidget(self.save_button)
        hint = QLabel(QKeySequence("Ctrl+S").toString(QKeySequence.SequenceFormat.NativeText))
        hint.setObjectName("keyHint")
        buttons.addWidget(hint)
        buttons.addSpacing(8)
        buttons.addWidget(self.revert_button)
        buttons.addSpacing(8)
        # The lead's texts for the replies (issue 14 §3), edited in their own window.
        self.reply_texts_button = QPushButton(self.tr("Ready-made reply texts…"))
        buttons.addWidget(self.reply_texts_button)
        buttons.addStretch(1)
        self.status = QLabel()
        self.status.setObjectName("hint")
        buttons.addWidget(self.status)
        outer.addLayout(buttons)

        self.show_token.toggled.connect(lambda on: self.hub_token_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.reload)
        self.reply_texts_button.clicked.connect(self.edit_reply_texts)
        shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(self.save)
        self.insecure_check.toggled.connect(lambda _on: self._check("hub_url"))
        for edit, key in ((self.hub_url_edit, "hub_url"), (self.tracking_edit, "tracking_url_template"),
                          (self.name_edit, "station_name"), (self.specialist_edit, "specialist")):
            edit.editingFinished.connect(lambda k=key: self._check(k))
        self.setFocusProxy(self.name_edit)
        for first, second in zip(
            [self.name_edit, self.address_edit, self.specialist_edit, self.language_combo, self.hub_url_edit,
             self.insecure_check, self.hub_token_edit, self.show_token, self.tracking_edit, self.save_button],
            [self.address_edit, self.specialist_edit, self.language_combo, self.hub_url_edit, self.insecure_check,
             self.hub_token_edit, self.show_token, self.tracking_edit, self.save_button, self.revert_button],
            strict=True,
        ):
            QWidget.setTabOrder(first, second)
        QWidget.setTabOrder(self.revert_button, self.reply_texts_button)
        self.reload()

    def edit_reply_texts(self) -> QDialog:
        """The ready-made reply texts of each category (the detail pane offers them for replies)."""
        from xuhui_desk.ui.reply_texts_dialog import ReplyTextsDialog

        dialog = ReplyTextsDialog(self.db, self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        wide = self.width() >= SIDE_BY_SIDE_MIN_WIDTH
        self.cards_layout.setDirection(QBoxLayout.Direction.LeftToRight if wide
                                       else QBoxLayout.Direction.TopToBottom)

    def is_dirty(self) -> bool:
        """Something changed on the page and not saved."""
        if not self.loaded:
            return False
        values = self.values()
        return any(values[key] != self.loaded.get(key, "") for key in values
                   if key != "tracking_url_template" or self.tracking_edit.text().strip())

    def _card(self, title: str) -> tuple[QFrame, QGridLayout]:
        card = QFrame()
        card.setObjectName("card")
        column = QVBoxLayout(card)
        column.setContentsMargins(20, 16, 20, 18)
        column.setSpacing(10)
        heading = QLabel(title)
        heading.setObjectName("sectionTitle")
        column.addWidget(heading)
        form = QGridLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(10)
        form.setColumnStretch(1, 1)
        column.addLayout(form)
        column.addStretch(1)
        return card, form

    def _row(self, form: QGridLayout, label: str, widget: QWidget, key: str | None = None, hint: str = "") -> None:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(widget)
        if key is not None:
            column.addWidget(self.messages[key])
        if hint:
            note = QLabel(hint)
            note.setObjectName("hint")
            note.setWordWrap(True)
            column.addWidget(note)
        caption = QLabel(label)
        caption.setObjectName("fieldLabel")
        caption.setBuddy(widget)
        # Level with the box, not with the box and its hint together (audit D24): the caption is
        # as tall as the field and centred on it, at the top of the row.
        caption.setMinimumHeight(widget.sizeHint().height())
        caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        row = form.rowCount()
        form.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
        form.addWidget(box, row, 1)

    # --- load / check / save ------------------------------------------------------------------

    def reload(self) -> None:
        self.tasks.run(lambda _p: load_settings_page(self.db), on_success=self.show_values, owner=self,
                       latest="load", on_failure=lambda exc: log.error("settings could not be read: %s", exc))

    def show_values(self, values: dict[str, str]) -> None:
        self.loaded = dict(values)
        self.code_edit.setText(values.get("station_code", ""))
        self.name_edit.setText(values.get("station_name", ""))
        self.address_edit.setText(values.get("station_address", ""))
        self.specialist_edit.setText(values.get("specialist", ""))
        self.hub_url_edit.setText(values.get("hub_url", ""))
        self.hub_token_edit.setText(values.get("hub_token", ""))
        self.tracking_edit.setText(values.get("tracking_url_template", ""))
        self.insecure_check.setChecked(values.get("allow_insecure_hub") == "1")
        index = self.language_combo.findData(values.get("language", "zh_CN"))
        self.language_combo.setCurrentIndex(max(0, index))
        for message in self.messages.values():
            message.say(None)
        self.status.clear()

    def values(self) -> dict[str, str]:
        return {
            "station_code": self.code_edit.text(),
            "station_name": clean_text(self.name_edit.text()),
            "station_address": clean_text(self.address_edit.text()),
            "specialist": clean_text(self.specialist_edit.text()),
            "allow_insecure_hub": "1" if self.insecure_check.isChecked() else "0",
            "hub_url": self.hub_url_edit.text().strip(),
            "hub_token": self.hub_token_edit.text().strip(),
            "tracking_url_template": self.tracking_edit.text().strip() or SETTING_DEFAULTS["tracking_url_template"],
            "language": str(self.language_combo.currentData()),
        }

    def error_for(self, key: str, values: dict[str, str] | None = None) -> str | None:
        values = values or self.values()
        language = current_language()
        if key in ("station_name", "specialist"):
            issues = check_text(values[key], key, required=True)
            return issues[0].message(language) if issues else None
        if key == "hub_url":
            issues = check_hub_url(values[key], values["allow_insecure_hub"] == "1")
            return issues[0].message(language) if issues else None
        try:
            validate_setting(key, values[key])
        except ValueError:
            return self.tr("Enter an http(s) address that contains {tracking_no}.")
        return None

    def _check(self, key: str) -> str | None:
        error = self.error_for(key)
        self.messages[key].say(error)
        return error

    def save(self) -> None:
        if self._saving:
            return
        values = self.values()
        failing = [key for key in self.messages if self._check(key)]
        if failing:
            self.status.setText(self.tr("Not saved: please correct the fields marked in red."))
            return
        language_changed = values["language"] != self.loaded.get("language", values["language"])
        self._saving = True
        self.save_button.setEnabled(False)

        def done(_result: object) -> None:
            self._saving = False
            self.save_button.setEnabled(True)
            self.loaded = dict(values)
            self.status.setText(self.tr("Saved."))
            self.saved.emit(values, language_changed)

        def failed(exc: BaseException) -> None:
            self._saving = False
            self.save_button.setEnabled(True)
            if isinstance(exc, ValidationFailed):
                text = "; ".join(i.message(current_language()) for i in exc.issues)
            else:
                text = str(exc)
            self.status.setText(self.tr("Not saved: {error}").format(error=text))

        self.tasks.run(lambda _p: save_settings_page(self.db, values), on_success=done, on_failure=failed, write=True,
                       owner=self)

    def is_saving(self) -> bool:
        return self._saving


class SettingsDialog(QDialog):
    """The settings form in a dialog (closes after a successful save)."""

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        layout = QVBoxLayout(self)
        self.form = SettingsForm(db, tasks, self, embedded=False)
        layout.addWidget(self.form)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.form.saved.connect(lambda *_args: self.accept())
        self.resize(900, 520)

    def result_values(self) -> dict[str, Any]:
        return self.form.values()
