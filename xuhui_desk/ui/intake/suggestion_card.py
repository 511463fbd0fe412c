"""The card that shows the router's suggested category for the description, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.labels import category_label
from xuhui_desk.ui.widgets.keys import key_hint

if TYPE_CHECKING:
    from xuhui_desk.services.routing import RoutingResult


def percent(confidence: float) -> int:
    """Whole percent, rounded down: 0.996 is "99%", never a certainty the router does not have."""
    return max(0, min(99, int(confidence * 100)))


class SuggestionCard(QFrame):
    """The suggested category, its share, the department, the words behind it and the other
    categories with their evidence; a hint while there is nothing to suggest."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 16)
        layout.setSpacing(6)
        head = QHBoxLayout()
        title = QLabel(self.tr("Suggested category"))
        title.setObjectName("sectionTitle")
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(key_hint("Ctrl+Return"))
        accept = QLabel(self.tr("accept"))
        accept.setObjectName("hint")
        head.addWidget(accept)
        layout.addLayout(head)

        self.empty = QLabel(self.tr("Type the description: the suggested category and why will show here."))
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 2, 0, 0)
        body.setSpacing(6)
        line = QHBoxLayout()
        self.category = QLabel()
        self.category.setObjectName("suggestionCategory")
        self.category.setWordWrap(True)
        line.addWidget(self.category)
        line.addStretch(1)
        self.confidence = QLabel()
        self.confidence.setObjectName("suggestionConfidence")
        line.addWidget(self.confidence)
        body.addLayout(line)
        self.department = QLabel()
        self.department.setObjectName("suggestionDepartment")
        self.department.setWordWrap(True)
        body.addWidget(self.department)
        why = QLabel(self.tr("Why"))
        why.setObjectName("muted")
        body.addSpacing(4)
        body.addWidget(why)
        self.reasons = self._reason_label()
        body.addWidget(self.reasons)
        self.alternatives_title = QLabel(self.tr("Also possible"))
        self.alternatives_title.setObjectName("muted")
        body.addSpacing(4)
        body.addWidget(self.alternatives_title)
        # Each other category with its share and the words that point to it (audit D19: evidence
        # for another category is said to be so, not listed under the suggestion).
        self.alternatives = self._reason_label()
        body.addWidget(self.alternatives)
        layout.addWidget(self.body)
        self.body.hide()

    @staticmethod
    def _reason_label() -> QLabel:
        label = QLabel()
        label.setObjectName("reason")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    def show_result(self, result: RoutingResult | None) -> None:
        """Show the router's answer (None: nothing to suggest yet)."""
        self.body.setVisible(result is not None)
        self.empty.setVisible(result is None)
        if result is None:
            return
        language = current_language()
        label = category_label(result.category.value)
        if result.subcategory is not None:
            label = f"{label} · {result.subcategory.label(language)}"
        self.category.setText(label)
        self.confidence.setText(self.tr("{percent}% sure").format(percent=percent(result.confidence)))
        self.department.setText(self.tr("Handled by: {department}").format(
            department=result.department.label(language)))
        reasons = result.reasons_for(result.category, language)[:5]
        self.reasons.setText("\n".join(f"· {r}" for r in reasons) if reasons else "—")
        lines = []
        for alt in result.alternatives:
            evidence = result.reasons_for(alt.category, language)[:2]
            if alt.confidence < 0.01 and not evidence:
                continue
            line = f"· {category_label(alt.category.value)} {percent(alt.confidence)}%"
            if evidence:
                line += self.tr(": {evidence}").format(evidence=self.tr("; ").join(evidence))
            lines.append(line)
        self.alternatives.setText("\n".join(lines[:3]))
        self.alternatives_title.setVisible(bool(lines))
        self.alternatives.setVisible(bool(lines))

    def show_unavailable(self, error: BaseException) -> None:
        """The router could not be loaded: say so where the suggestion would be."""
        self.empty.setText(self.tr("Category suggestions are not available: {error}").format(error=error))
