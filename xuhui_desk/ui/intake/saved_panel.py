"""The panel shown after saving: the tracking number in large type, what was saved, print and next."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.services.timefmt import display
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.labels import category_label
from xuhui_desk.ui.local_writes import opened
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.widgets.keys import key_hint, key_text

if TYPE_CHECKING:
    from xuhui_desk.services.intake import IntakeResult
    from xuhui_desk.services.receipts import ReceiptData

RECEIPT_LAYOUTS = ("thermal", "a5")


class SavedPanel(QFrame):
    """``show_saved(...)`` fills it in; ``printRequested`` (Print receipt) and ``newRequested``
    (New intake) say what the specialist chose; ``receipt_layout()`` is the chosen paper."""

    printRequested = Signal()
    newRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("successPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 16)
        layout.setSpacing(6)
        self.title = QLabel(self.tr("Request saved"))
        self.title.setObjectName("successTitle")
        layout.addWidget(self.title)
        # What the specialist confirmed before saving, said plainly (not "with a reminder", audit D18).
        self.warning = QLabel()
        self.warning.setObjectName("fieldWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        layout.addWidget(self.warning)
        caption = QLabel(self.tr("Tracking number"))
        caption.setObjectName("muted")
        layout.addWidget(caption)
        self.tracking_label = QLabel()
        self.tracking_label.setObjectName("trackingNo")
        self.tracking_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                    | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        layout.addWidget(self.tracking_label)
        details = QGridLayout()
        details.setHorizontalSpacing(12)
        details.setVerticalSpacing(4)
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for row, (key, text) in enumerate((
            ("enterprise", self.tr("Enterprise")),
            ("category", self.tr("Category")),
            ("department", self.tr("Department")),
            ("due", self.tr("Reply due")),
            ("linked", self.tr("Linked to")),
        )):
            caption = QLabel(text)
            caption.setObjectName("muted")
            value = QLabel()
            value.setWordWrap(True)
            details.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            details.addWidget(value, row, 1)
            self.values[key] = value
            self.captions[key] = caption
        details.setColumnStretch(1, 1)
        layout.addLayout(details)
        layout.addSpacing(8)
        row1 = QHBoxLayout()
        self.print_button = QPushButton(self.tr("Print receipt"))
        self.print_button.setProperty("primary", True)
        self.print_button.setToolTip(key_text("Ctrl+P"))
        row1.addWidget(self.print_button)
        row1.addWidget(key_hint("Ctrl+P"))
        self.layout_combo = QComboBox()
        self.layout_combo.addItem(self.tr("80 mm slip"), RECEIPT_LAYOUTS[0])
        self.layout_combo.addItem(self.tr("A5 page"), RECEIPT_LAYOUTS[1])
        self.layout_combo.setToolTip(self.tr("Receipt paper"))
        row1.addWidget(self.layout_combo)
        row1.addStretch(1)
        layout.addLayout(row1)
        row2 = QHBoxLayout()
        self.new_button = QPushButton(self.tr("New intake"))
        self.new_button.setToolTip(key_text("F2"))
        row2.addWidget(self.new_button)
        row2.addWidget(key_hint("F2"))
        row2.addStretch(1)
        layout.addLayout(row2)
        self.print_button.clicked.connect(self.printRequested)
        self.new_button.clicked.connect(self.newRequested)

    def receipt_layout(self) -> str:
        """The receipt paper chosen: ``"thermal"`` (80 mm slip) or ``"a5"``."""
        return str(self.layout_combo.currentData())

    def show_saved(self, result: IntakeResult, *, enterprise: str, corrected: bool, linked_tracking_no: str) -> None:
        """What was saved: ``corrected`` when the category is the specialist's choice over the
        suggestion; ``linked_tracking_no`` of the open request it was linked to ("" when none)."""
        self.tracking_label.setText(result.tracking_no)
        self.values["enterprise"].setText(enterprise)
        category = category_label(result.category)
        if corrected:
            category += "  " + self.tr("(your choice; correction recorded)")
        self.values["category"].setText(category)
        self.values["department"].setText(category_label(result.department) if result.department else "—")
        self.values["due"].setText(display(result.sla_due_at, with_time=False) if result.sla_due_at else
                                   self.tr("to be set (the official calendar is not known yet)"))
        self.values["linked"].setText(linked_tracking_no)
        self.values["linked"].setVisible(bool(linked_tracking_no))
        self.captions["linked"].setVisible(bool(linked_tracking_no))
        self.title.setText(self.tr("Request saved"))
        language = current_language()
        self.warning.setText(self.tr("Saved although: {warnings}").format(
            warnings=" ".join(w.message(language) for w in result.warnings)) if result.warnings else "")
        self.warning.setVisible(bool(result.warnings))

    def print_receipt(self, db: Database, tasks: TaskRunner, uuid: str) -> None:
        """Build the receipt of request ``uuid`` in the background, then open the print preview
        on the chosen paper."""
        language = current_language()
        layout = self.receipt_layout()

        def read(_progress: object) -> ReceiptData:
            opened(db)
            from xuhui_desk.services.intake import intake_receipt

            return intake_receipt(db, uuid, language)

        def done(data: ReceiptData) -> None:
            # Loaded here, on first use: the page shows before the printing modules are imported.
            render = importlib.import_module("xuhui_desk.ui.receipt_render")
            render.open_print_preview(self, data, layout)

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(self, self.tr("Receipt"),
                                self.tr("The receipt cannot be printed: {error}").format(error=exc))

        tasks.run(read, on_success=done, on_failure=failed, owner=self, label=self.tr("Preparing the receipt…"))
