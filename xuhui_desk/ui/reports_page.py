"""The Reports page: this week's figures so far and the weekly report (Ctrl+R opens its dialog)."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from xuhui_desk.db import Database
from xuhui_desk.services.weekly import WeekSummary, week_summary
from xuhui_desk.ui.report_dialog import ReportDialog
from xuhui_desk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

CARD_MAX_WIDTH = 760


class ReportsPage(QWidget):
    """The weekly report: this week's figures so far and the button that opens the report dialog."""

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.setObjectName("page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 20)
        layout.setSpacing(14)
        title = QLabel(self.tr("Reports"))
        title.setObjectName("pageTitle")
        layout.addWidget(title)

        figures = QFrame()
        figures.setObjectName("card")
        figures.setMaximumWidth(CARD_MAX_WIDTH)
        column = QVBoxLayout(figures)
        column.setContentsMargins(20, 14, 20, 16)
        self.week_title = QLabel(self.tr("This week so far"))
        self.week_title.setObjectName("sectionTitle")
        column.addWidget(self.week_title)
        numbers = QHBoxLayout()
        numbers.setSpacing(24)
        self.figure_labels: dict[str, QLabel] = {}
        for key, caption in (("received", self.tr("received")), ("resolved", self.tr("replied or closed")),
                             ("overdue_open", self.tr("overdue now (any week)"))):
            box = QVBoxLayout()
            box.setSpacing(0)
            value = QLabel("—")
            value.setObjectName("bigFigure")
            text = QLabel(caption)
            text.setObjectName("muted")
            box.addWidget(value)
            box.addWidget(text)
            numbers.addLayout(box)
            self.figure_labels[key] = value
        numbers.addStretch(1)
        column.addLayout(numbers)
        layout.addWidget(figures)

        card = QFrame()
        card.setObjectName("card")
        card.setMaximumWidth(CARD_MAX_WIDTH)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(20, 14, 20, 16)
        inner.setSpacing(10)
        heading = QLabel(self.tr("Weekly report"))
        heading.setObjectName("sectionTitle")
        inner.addWidget(heading)
        text = QLabel(self.tr(
            "The weekly report counts the requests received, resolved and overdue in a week, by category "
            "and department, with the ratings, and saves it as an Excel workbook for the district. "
            "Prepare it every Monday for the week before."
        ))
        text.setWordWrap(True)
        text.setObjectName("muted")
        inner.addWidget(text)
        row = QHBoxLayout()
        self.open_button = QPushButton(self.tr("Create weekly report…"))
        self.open_button.setProperty("primary", True)
        self.open_button.setShortcut(QKeySequence("Ctrl+R"))
        self.open_button.setToolTip(QKeySequence("Ctrl+R").toString(QKeySequence.SequenceFormat.NativeText))
        self.open_button.clicked.connect(self.open_report_dialog)
        row.addWidget(self.open_button)
        hint = QLabel(QKeySequence("Ctrl+R").toString(QKeySequence.SequenceFormat.NativeText))
        hint.setObjectName("keyHint")
        row.addWidget(hint)
        row.addStretch(1)
        inner.addLayout(row)
        layout.addWidget(card)
        layout.addStretch(1)
        self.setFocusProxy(self.open_button)
        self.refresh()

    def refresh(self) -> None:
        """Count this week's requests in the background."""

        def done(summary: WeekSummary) -> None:
            self.week_title.setText(self.tr("This week so far (since Monday {date})").format(
                date=summary.monday.strftime("%m-%d")))
            for key, label in self.figure_labels.items():
                label.setText(str(getattr(summary, key)))

        self.tasks.run(lambda _p: week_summary(self.db), on_success=done, owner=self, latest="week",
                       on_failure=lambda exc: log.warning("week summary failed: %s", exc))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.figure_labels["received"].text() != "—":
            self.refresh()

    def open_report_dialog(self) -> ReportDialog:
        """Ctrl+R: the weekly report dialog (window-modal, not a nested event loop)."""
        dialog = ReportDialog(self.db, self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
