"""The lead edits the ready-made reply texts of each category (issue 14 §3).

The detail pane offers these texts where the specialist writes a reply
(:mod:`xuhui_desk.ui.detail.actions`). Here the lead picks a category, edits its texts (a title
and the text each), adds, removes or reorders them, and saves. Saving an empty list goes back to
the texts the program ships. Reads and writes go through :mod:`xuhui_desk.services.followup`
in the background; a refused save says why (the service checks every title and text) and keeps
what was typed.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.services.followup import ReplyText
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.labels import category_label
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.validation import ValidationFailed


class ReplyTextsDialog(QDialog):
    """Edit the reply texts of one category at a time (see the module documentation)."""

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.setObjectName("replyTextsDialog")
        self.setWindowTitle(self.tr("Ready-made reply texts"))
        self.resize(720, 520)
        self._texts: list[list[str]] = []  # [title, text] of the category shown, as edited
        self._dirty = False
        self._loading = False

        layout = QVBoxLayout(self)
        top = QFormLayout()
        self.category_combo = QComboBox()
        from xuhui_desk.services.taxonomy import load_taxonomy

        for category in load_taxonomy().categories:
            self.category_combo.addItem(category_label(category.code), category.code)
        top.addRow(self.tr("&Category"), self.category_combo)
        self._shown_category = self.category()
        layout.addLayout(top)

        body = QHBoxLayout()
        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName("replyTextList")
        left.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("&Add"))
        self.remove_button = QPushButton(self.tr("&Remove"))
        self.up_button = QPushButton(self.tr("Move &up"))
        self.down_button = QPushButton(self.tr("Move do&wn"))
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        left.addLayout(buttons)
        body.addLayout(left, 2)

        right = QFormLayout()
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(50)
        self.text_edit = QPlainTextEdit()
        right.addRow(self.tr("&Title"), self.title_edit)
        right.addRow(self.tr("Te&xt"), self.text_edit)
        body.addLayout(right, 3)
        layout.addLayout(body, 1)

        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.box = QDialogButtonBox()
        self.save_button = self.box.addButton(self.tr("&Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.shipped_button = self.box.addButton(self.tr("Use the shipped texts"),
                                                 QDialogButtonBox.ButtonRole.ResetRole)
        self.close_button = self.box.addButton(QDialogButtonBox.StandardButton.Close)
        layout.addWidget(self.box)

        self.category_combo.currentIndexChanged.connect(self._category_changed)
        self.list.currentRowChanged.connect(self._row_changed)
        self.title_edit.textEdited.connect(self._edited)
        self.text_edit.textChanged.connect(self._edited)
        self.add_button.clicked.connect(self.add_text)
        self.remove_button.clicked.connect(self.remove_text)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.save_button.clicked.connect(self.save)
        self.shipped_button.clicked.connect(self.use_shipped)
        self.close_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)
        self.load()

    # --- reading ------------------------------------------------------------------------------

    def category(self) -> str:
        return str(self.category_combo.currentData())

    def load(self) -> None:
        """Read the shown category's texts (the lead's list, else the shipped one) in the background."""
        db, category, language = self.db, self.category(), current_language()
        from xuhui_desk.services.followup import reply_templates

        self._loading = True
        self.tasks.run(lambda _p: reply_templates(db, category, language), on_success=self._show,
                       on_failure=lambda exc: self._say(self.tr("The texts could not be read: {error}").format(
                           error=exc)), owner=self, latest="load")

    def _show(self, texts: list[ReplyText]) -> None:
        self._texts = [[t.title, t.text] for t in texts]
        self._dirty = False
        self._refill(0)
        self._loading = False

    def _refill(self, row: int) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for title, _text in self._texts:
            self.list.addItem(QListWidgetItem(title or self.tr("(no title)")))
        self.list.blockSignals(False)
        if self._texts:
            self.list.setCurrentRow(max(0, min(row, len(self._texts) - 1)))
        self._row_changed(self.list.currentRow())

    def _row_changed(self, row: int) -> None:
        has = 0 <= row < len(self._texts)
        for widget in (self.title_edit, self.text_edit, self.remove_button, self.up_button, self.down_button):
            widget.setEnabled(has)
        self.title_edit.blockSignals(True)
        self.text_edit.blockSignals(True)
        self.title_edit.setText(self._texts[row][0] if has else "")
        self.text_edit.setPlainText(self._texts[row][1] if has else "")
        self.title_edit.blockSignals(False)
        self.text_edit.blockSignals(False)

    def _category_changed(self) -> None:
        if self._dirty:
            answer = QMessageBox.question(
                self, self.windowTitle(), self.tr("The texts of the previous category were changed but not saved. "
                                                  "Discard the changes?"),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                # Back to the category being edited, without asking again.
                self.category_combo.blockSignals(True)
                self.category_combo.setCurrentIndex(self.category_combo.findData(self._shown_category))
                self.category_combo.blockSignals(False)
                return
        self._shown_category = self.category()
        self._say("")
        self.load()

    # --- editing ------------------------------------------------------------------------------

    def _edited(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self._texts):
            return
        self._texts[row] = [self.title_edit.text(), self.text_edit.toPlainText()]
        item = self.list.item(row)
        if item is not None:
            item.setText(self._texts[row][0] or self.tr("(no title)"))
        self._dirty = True

    def add_text(self) -> None:
        self._texts.append(["", ""])
        self._dirty = True
        self._refill(len(self._texts) - 1)
        self.title_edit.setFocus()

    def remove_text(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._texts):
            del self._texts[row]
            self._dirty = True
            self._refill(row)

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if 0 <= row < len(self._texts) and 0 <= target < len(self._texts):
            self._texts[row], self._texts[target] = self._texts[target], self._texts[row]
            self._dirty = True
            self._refill(target)

    # --- saving -------------------------------------------------------------------------------

    def save(self) -> None:
        """Store the category's texts as edited (an empty list: the shipped texts again)."""
        self._write([(title, text) for title, text in self._texts])

    def use_shipped(self) -> None:
        self._write([])

    def _write(self, texts: list[tuple[str, str]]) -> None:
        from xuhui_desk.services.followup import current_specialist, set_reply_templates

        db, category = self.db, self.category()

        def work(_progress: object) -> list[ReplyText]:
            return set_reply_templates(db, category, texts, actor=current_specialist(db))

        def saved(_stored: list[ReplyText]) -> None:
            self._dirty = False
            self.load()
            self._say(self.tr("Saved.") if texts else self.tr("The shipped texts are used again."), error=False)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, ValidationFailed):
                text = "\n".join(dict.fromkeys(i.message(current_language()) for i in exc.issues))
            else:
                text = str(exc)
            self._say(self.tr("Not saved: {error}").format(error=text))

        self.tasks.run(work, on_success=saved, on_failure=refused, write=True, owner=self)

    def _say(self, text: str, *, error: bool = True) -> None:
        self.message.setObjectName("fieldError" if error else "hint")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def is_dirty(self) -> bool:
        return self._dirty
