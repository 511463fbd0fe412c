"""The form card of the intake page: the fields in paper-form order, each with its message line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.codes import Channel, Urgency
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.labels import category_label, channel_label, urgency_label
from xuhui_desk.ui.widgets.field_message import FieldMessage, mark_field
from xuhui_desk.ui.widgets.keys import key_hint, key_text
from xuhui_desk.validation import (
    LIMITS,
    Issue,
    Severity,
    check_phone,
    check_text,
    check_uscc,
    clean_text,
    normalize_uscc,
)

if TYPE_CHECKING:
    from xuhui_desk.services.intake import EnterpriseMatch, IntakeInput

# The one-line fields, in tab order.
LINE_FIELDS = ("enterprise_name", "uscc", "contact_name", "phone", "park", "building")

FieldParts = tuple[QLabel, QWidget, FieldMessage]


class DescriptionEdit(QPlainTextEdit):
    """Multi-line description in which Tab moves on (as in every other field) instead of typing a tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)


class IntakeFields(QFrame):
    """The enterprise and request fields, the save and clear buttons and the busy line.

    ``inputs`` and ``messages`` map a field (the validation's field names) to its widget and its
    message line. ``arrange(two_columns=...)`` lays the fields out two to a row or one.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)

        self.name_edit = self._line("enterprise_name", self.tr("Type a name or credit code to search the directory"))
        self.uscc_edit = self._line("uscc", self.tr("18 characters; empty for a sole trader"), 40)
        self.contact_edit = self._line("contact_name")
        self.phone_edit = self._line("phone", self.tr("Mobile or Shanghai landline"), 32)
        self.park_edit = self._line("park")
        self.building_edit = self._line("building")
        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("channel")
        for channel in Channel:
            self.channel_combo.addItem(channel_label(channel), channel.value)

        self.messages: dict[str, FieldMessage] = {}
        self.inputs: dict[str, QWidget] = {
            "enterprise_name": self.name_edit,
            "uscc": self.uscc_edit,
            "contact_name": self.contact_edit,
            "phone": self.phone_edit,
            "park": self.park_edit,
            "building": self.building_edit,
            "channel": self.channel_combo,
        }

        section = QLabel(self.tr("Enterprise details"))
        section.setObjectName("sectionTitle")
        layout.addWidget(section)
        # Placed by arrange(): two fields a row when the card is wide, one when it is narrow.
        self.enterprise_grid = self._grid()
        self.enterprise_grid.setColumnMinimumWidth(2, 0)
        self._enterprise_fields = [
            self._field_parts(self.tr("Enterprise name"), "enterprise_name", required=True),
            self._field_parts(self.tr("Credit code"), "uscc"),
            self._field_parts(self.tr("Contact"), "contact_name"),
            self._field_parts(self.tr("Phone"), "phone"),
            self._field_parts(self.tr("Park"), "park"),
            self._field_parts(self.tr("Building"), "building"),
            self._field_parts(self.tr("Channel"), "channel"),
        ]
        layout.addLayout(self.enterprise_grid)

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setStyleSheet("color: #e4e8ee;")
        layout.addSpacing(4)
        layout.addWidget(rule)
        layout.addSpacing(2)

        section = QLabel(self.tr("Request details"))
        section.setObjectName("sectionTitle")
        layout.addWidget(section)
        self.description_edit = DescriptionEdit()
        self.description_edit.setObjectName("description")
        self.description_edit.setPlaceholderText(
            self.tr("What the company asks for, in its own words (at least 4 characters)"))
        self.description_edit.setMinimumHeight(110)
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("category")
        self.category_combo.addItem(self.tr("Use the suggestion"), None)
        # The categories are added when the router (and with it the taxonomy) is loaded in the background.
        self.urgency_combo = QComboBox()
        self.urgency_combo.setObjectName("urgency")
        for urgency in Urgency:
            self.urgency_combo.addItem(urgency_label(urgency), urgency.value)
        self.inputs.update(description=self.description_edit, category=self.category_combo,
                           urgency=self.urgency_combo)

        self.request_grid = grid = self._grid()
        label = self._label(self.tr("Description"), self.description_edit, required=True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setContentsMargins(0, 5, 0, 0)
        grid.addWidget(label, 0, 0)
        grid.addWidget(self.description_edit, 0, 1, 1, 3)
        below = QHBoxLayout()
        self.messages["description"] = FieldMessage()
        below.addWidget(self.messages["description"], 1)
        self.counter = QLabel()
        self.counter.setObjectName("hint")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        below.addWidget(self.counter)
        grid.addLayout(below, 1, 1, 1, 3)
        self._request_fields = [self._field_parts(self.tr("Category"), "category"),
                                self._field_parts(self.tr("Urgency"), "urgency")]
        self.category_note = QLabel()
        self.category_note.setObjectName("hint")
        self.category_note.setWordWrap(True)
        self._two_columns: bool | None = None
        self.arrange(two_columns=True)
        # The warning for a credit code the directory has under another company's name, and the
        # code it is for: shown until the code changes.
        self._uscc_conflict: tuple[str, Issue] | None = None
        # A category to select once the categories are loaded (a draft restored early).
        self._pending_category: str | None = None
        layout.addLayout(grid, 1)

        self.form_error = QLabel()
        self.form_error.setObjectName("errorBanner")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        layout.addWidget(self.form_error)

        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        self.save_button = QPushButton(self.tr("Save intake"))
        self.save_button.setProperty("primary", True)
        self.save_button.setMinimumWidth(120)
        self.save_button.setToolTip(key_text("Ctrl+S"))
        self.clear_button = QPushButton(self.tr("Clear"))
        buttons.addWidget(self.save_button)
        buttons.addWidget(key_hint("Ctrl+S"))
        buttons.addSpacing(8)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        self.busy_label = QLabel()
        self.busy_label.setObjectName("hint")
        buttons.addWidget(self.busy_label)
        layout.addLayout(buttons)
        self.update_counter()

    # --- building -----------------------------------------------------------------------------

    @staticmethod
    def _grid() -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        return grid

    @staticmethod
    def _line(field: str, placeholder: str = "", max_length: int | None = None) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(field)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        edit.setMaxLength(max_length or LIMITS.get(field, 100))
        return edit

    @staticmethod
    def _label(text: str, buddy: QWidget, required: bool = False) -> QLabel:
        label = QLabel(text + (" *" if required else ""))
        label.setObjectName("fieldLabel")
        label.setBuddy(buddy)
        return label

    def _field_parts(self, text: str, field: str, *, required: bool = False) -> FieldParts:
        widget = self.inputs[field]
        message = FieldMessage()
        self.messages[field] = message
        return self._label(text, widget, required), widget, message

    # --- layout -------------------------------------------------------------------------------

    def arrange(self, *, two_columns: bool) -> None:
        """Lay the fields out two to a row (wide) or one to a row (narrow: 1024 px screens, English labels),
        so that a credit code, a phone number or a combo's text is never cut off."""
        if two_columns == self._two_columns:
            return
        self._two_columns = two_columns
        for grid in (self.enterprise_grid, self.request_grid):
            for column in range(4):
                grid.setColumnStretch(column, 0)
            grid.setColumnStretch(1, 1)
            if two_columns:
                grid.setColumnStretch(3, 1)
        # The enterprise name always has a row of its own; then the other fields.
        first, *rest = self._enterprise_fields
        _place(self.enterprise_grid, first, 0, 0, span=3, message_row=1)
        _place_pairs(self.enterprise_grid, rest, start_row=2, two_columns=two_columns)
        row = _place_pairs(self.request_grid, self._request_fields, start_row=2, two_columns=two_columns)
        self.request_grid.addWidget(self.category_note, row, 1, 1, 3)

    # --- what the fields hold and say ---------------------------------------------------------

    def line_edits(self) -> list[QLineEdit]:
        return [self.name_edit, self.uscc_edit, self.contact_edit, self.phone_edit, self.park_edit,
                self.building_edit]

    def description(self) -> str:
        return self.description_edit.toPlainText()

    def update_counter(self) -> None:
        length = len(clean_text(self.description(), multiline=True))
        limit = LIMITS["description"]
        self.counter.setText(f"{length} / {limit}")
        self.counter.setStyleSheet("color: #c62828;" if length > limit else "")

    def show_category_note(self, suggested: str | None) -> None:
        """Under the category: whether the chosen one is the suggestion (``suggested``) or a correction."""
        chosen = self.chosen_category()
        note = self.category_note
        if chosen and suggested and chosen != suggested:
            text = self.tr("Differs from the suggestion ({category}): saved as a correction, "
                           "so that later suggestions learn from it.").format(category=category_label(suggested))
            note.setStyleSheet("color: #a15c00;")
        elif chosen and chosen == suggested:
            text = self.tr("Suggestion accepted.")
            note.setStyleSheet("")
        elif suggested:
            text = self.tr("The suggested category is used unless you choose another one.")
            note.setStyleSheet("")
        else:
            text = ""
        note.setText(text)

    def confirm_warnings(self, warnings: Sequence[Issue]) -> bool:
        """Ask whether to save past these warnings; on "Check again" the first such field gets the focus."""
        language = current_language()
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Please check"))
        box.setText("\n".join(w.message(language) for w in warnings))
        box.setInformativeText(self.tr("Save the request anyway?"))
        save = box.addButton(self.tr("Save anyway"), QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton(self.tr("Check again"), QMessageBox.ButtonRole.RejectRole)
        # Enter must not save past a warning the specialist has not read: the default is to look again.
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        box.exec()
        accepted = box.clickedButton() is save
        box.deleteLater()
        if not accepted and warnings[0].field in self.inputs:
            self.inputs[warnings[0].field].setFocus()
        return accepted

    def set_uscc_conflict(self, code: str | None, issue: Issue | None = None) -> None:
        """The directory has credit code ``code`` under another company (``issue`` says which); None: forget it."""
        self._uscc_conflict = (code, issue) if code is not None and issue is not None else None

    def uscc_conflict(self) -> list[Issue]:
        """The directory conflict found for the credit code now typed (none for another code)."""
        conflict = self._uscc_conflict
        if conflict is None or conflict[0] != normalize_uscc(self.uscc_edit.text()):
            return []
        return [conflict[1]]

    def field_issues(self, field: str) -> list[Issue]:
        """The field's own issues; for the credit code also a directory conflict found for this code."""
        if field == "uscc":
            return check_uscc(self.uscc_edit.text())[1] + self.uscc_conflict()
        if field == "phone":
            return check_phone(self.phone_edit.text())[1]
        if field == "description":
            return check_text(clean_text(self.description(), multiline=True), "description")
        edit = self.inputs[field]
        assert isinstance(edit, QLineEdit)
        return check_text(clean_text(edit.text()), field)

    def check_field(self, field: str) -> Issue | None:
        """Check the field and show every issue it has; returns the first (None when it is fine)."""
        issues = self.field_issues(field)
        self.show_issues(field, issues)
        return issues[0] if issues else None

    def recheck_if_shown(self, field: str) -> None:
        """Check the field again as it is typed in, once it shows a message (so that it goes when fixed)."""
        if self.messages[field].isVisible():
            self.show_issues(field, self.field_issues(field))

    def show_all_issues(self, issues: Sequence[Issue]) -> None:
        """Every issue under its field (and nothing else); the first field in error gets the focus."""
        self.clear_issues()
        by_field: dict[str, list[Issue]] = {}
        for issue in issues:
            by_field.setdefault(issue.field, []).append(issue)
        for field, found in by_field.items():
            self.show_issues(field, found)
        first = next((i for i in issues if i.severity is Severity.ERROR), None)
        if first is not None and first.field in self.inputs:
            self.inputs[first.field].setFocus(Qt.FocusReason.OtherFocusReason)

    def show_issues(self, field: str, issues: Sequence[Issue]) -> None:
        """Every issue of ``field`` under it (a field without a message line: on the form's error banner)."""
        message = self.messages.get(field)
        if message is None:
            if issues:
                self.show_form_error(issues[0].message(current_language()))
            return
        message.show_issues(issues, current_language())
        mark_field(self.inputs[field], issues)

    def show_form_error(self, text: str) -> None:
        self.form_error.setText(text)
        self.form_error.setVisible(bool(text))

    def issue_text(self, field: str) -> str:
        """The message shown under ``field`` ('' when none)."""
        message = self.messages[field]
        return message.text() if message.isVisible() else ""

    def clear_issues(self) -> None:
        for field in self.messages:
            self.show_issues(field, [])
        self.show_form_error("")

    def set_editable(self, editable: bool) -> None:
        for edit in self.line_edits():
            edit.setReadOnly(not editable)
            edit.setClearButtonEnabled(editable)
        self.description_edit.setReadOnly(not editable)
        for combo in (self.channel_combo, self.category_combo, self.urgency_combo):
            combo.setEnabled(editable)
        self.clear_button.setEnabled(editable)
        self.save_button.setEnabled(editable)

    def clear(self) -> None:
        """Empty every field and message (a new intake)."""
        self._uscc_conflict = None
        for edit in self.line_edits():
            edit.clear()
        self.description_edit.clear()
        for combo in (self.channel_combo, self.category_combo, self.urgency_combo):
            combo.setCurrentIndex(0)
        self.clear_issues()

    def fill_enterprise(self, match: EnterpriseMatch, *, overwrite: bool) -> None:
        """Put a directory entry's details in the form (all of them, or only into empty fields)."""
        values = {
            self.name_edit: match.name, self.uscc_edit: match.uscc, self.contact_edit: match.contact_name,
            self.phone_edit: match.phone, self.park_edit: match.park, self.building_edit: match.building,
        }
        for edit, value in values.items():
            if value and (overwrite or not edit.text().strip()):
                edit.setText(value)
        for field in ("enterprise_name", "uscc", "phone"):
            self.show_issues(field, [])
        self.check_field("uscc")

    def add_categories(self, categories: Sequence[tuple[str, str]]) -> None:
        """Fill the category list once: (label, code) after "Use the suggestion"; then select a
        category a draft restored before they were known."""
        if self.category_combo.count() != 1:
            return
        for label, code in categories:
            self.category_combo.addItem(label, code)
        if self._pending_category:
            self.category_combo.setCurrentIndex(max(0, self.category_combo.findData(self._pending_category)))
            self._pending_category = None

    def chosen_category(self) -> str | None:
        """The category chosen in the list (None: the suggestion)."""
        data = self.category_combo.currentData()
        return str(data) if data else None

    def collect(self, linked_request_uuid: str | None) -> IntakeInput:
        """What the fields hold, as the intake service's input."""
        from xuhui_desk.services.intake import EnterpriseInput, IntakeInput

        return IntakeInput(
            enterprise=EnterpriseInput(
                name=self.name_edit.text(),
                uscc=self.uscc_edit.text(),
                contact_name=self.contact_edit.text(),
                phone=self.phone_edit.text(),
                park=self.park_edit.text(),
                building=self.building_edit.text(),
            ),
            description=self.description(),
            category=self.chosen_category(),
            channel=str(self.channel_combo.currentData()),
            urgency=str(self.urgency_combo.currentData()),
            linked_request_uuid=linked_request_uuid,
        )

    def has_text(self) -> bool:
        """Something is typed in a text field."""
        return any(e.text().strip() for e in self.line_edits()) or bool(self.description().strip())

    def draft(self) -> dict[str, Any]:
        """What is typed and chosen, to put back with :meth:`restore_draft` (a language switch rebuilds the page)."""
        return {
            "fields": {f: w.text() for f, w in self.inputs.items() if isinstance(w, QLineEdit)},
            "description": self.description(),
            "channel": self.channel_combo.currentData(),
            "category": self.category_combo.currentData(),
            "urgency": self.urgency_combo.currentData(),
        }

    def restore_draft(self, draft: dict[str, Any]) -> None:
        for field, text in draft.get("fields", {}).items():
            widget = self.inputs.get(field)
            if isinstance(widget, QLineEdit):
                widget.setText(text)
        self.description_edit.setPlainText(draft.get("description", ""))
        for combo, key in ((self.channel_combo, "channel"), (self.urgency_combo, "urgency")):
            index = combo.findData(draft.get(key))
            if index >= 0:
                combo.setCurrentIndex(index)
        category = draft.get("category")
        if category:
            index = self.category_combo.findData(category)
            if index >= 0:
                self.category_combo.setCurrentIndex(index)
            else:
                self._pending_category = category


def _place_pairs(grid: QGridLayout, fields: list[FieldParts], *, start_row: int, two_columns: bool) -> int:
    """Place the fields from ``start_row``; returns the next free row. A field's message always
    takes the whole width under its row (audit D20: under one of two narrow fields it wrapped
    onto three lines, mid-word); in a pair the right field's message follows the left's."""
    row = start_row
    for index, parts in enumerate(fields):
        if not two_columns:
            _place(grid, parts, row, 0, span=3, message_row=row + 1)
            row += 2
        elif index % 2 == 0:
            _place(grid, parts, row, 0, message_row=row + 1)
        else:
            _place(grid, parts, row, 2, message_row=row + 2)
            row += 3
    if two_columns and len(fields) % 2:
        row += 3
    return row


def _place(grid: QGridLayout, parts: FieldParts, row: int, column: int, *, span: int = 1, message_row: int) -> None:
    label, widget, message = parts
    for item in parts:
        grid.removeWidget(item)
    grid.addWidget(label, row, column)
    grid.addWidget(widget, row, column + 1, 1, span)
    grid.addWidget(message, message_row, 1, 1, 3)
