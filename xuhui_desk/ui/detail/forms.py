"""The building blocks of the detail pane's cards, made for a pane from about 300 px wide: a card
with a title, a selectable value label, and form rows that put their field under the caption, or a
button under its field, when the pane is too narrow for both side by side (never a sideways
scroll bar). :meth:`xuhui_desk.ui.detail.view.DetailView._fit_forms` decides, on each resize.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QVBoxLayout,
    QWidget,
)


def card(title: QLabel) -> tuple[QFrame, QVBoxLayout]:
    """A titled card (``#card`` in desk.qss) and the layout its content goes into."""
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 12, 14, 12)
    layout.setSpacing(8)
    title.setObjectName("sectionTitle")
    layout.addWidget(title)
    return frame, layout


def value_label() -> QLabel:
    """A field's value: wraps, can be selected with the mouse, takes the row's width."""
    label = QLabel()
    label.setObjectName("detailText")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


def wrapping_form(vertical_spacing: int = 8) -> QFormLayout:
    """A form with captions beside their fields; :meth:`DetailView._fit_forms` puts every field
    under its caption when the pane is too narrow for both (never a sideways scroll bar).

    (Not Qt's WrapLongRows: it decides without the caption spacing and lets a row overflow.)
    """
    form = QFormLayout()
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(vertical_spacing)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return form


#: Body and card margins around a form, until measured (see DetailView._fit_forms).
FORM_OVERHEAD = 56


class FieldRow(QWidget):
    """``field`` growing, ``button`` beside it at its full width — or under it when the pane is
    too narrow for both (:meth:`set_stacked`, decided by :meth:`DetailView._fit_forms`)."""

    def __init__(self, field: QWidget, button: QPushButton, *, top: bool = False) -> None:
        super().__init__()
        self.field, self.button = field, button
        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self._layout.addWidget(field, 1)
        self._layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop if top else Qt.AlignmentFlag(0))

    def field_width(self) -> int:
        """The field's width: a combo box as wide as its current choice needs (else it is cut)."""
        field = self.field
        if isinstance(field, QComboBox) and field.currentText():
            option = QStyleOptionComboBox()
            field.initStyleOption(option)
            text = field.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                                QStyle.SubControl.SC_ComboBoxEditField, field)
            chrome = field.width() - text.width()
            return max(field.minimumSizeHint().width(),
                       field.fontMetrics().horizontalAdvance(field.currentText()) + chrome + 2)
        return field.minimumSizeHint().width()

    def side_by_side_width(self) -> int:
        return self.field_width() + self._layout.spacing() + self.button.sizeHint().width()

    def set_stacked(self, stacked: bool) -> None:
        direction = QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        if self._layout.direction() != direction:
            self._layout.setDirection(direction)
            # Under the field the button keeps its own width, at the left.
            self._layout.setAlignment(self.button, Qt.AlignmentFlag.AlignLeft if stacked else Qt.AlignmentFlag(0))


def field_row(field: QWidget, button: QPushButton, *, top: bool = False) -> FieldRow:
    """A :class:`FieldRow` (``top``: the button at the top of a taller field)."""
    return FieldRow(field, button, top=top)


class ButtonRow(QWidget):
    """Buttons at the right, side by side — or one under the other when the pane is too narrow
    (:meth:`set_stacked`, decided by :meth:`DetailView._fit_forms`)."""

    def __init__(self, *buttons: QPushButton) -> None:
        super().__init__()
        self.buttons = buttons
        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self._layout.addStretch(1)
        for button in buttons:
            self._layout.addWidget(button)

    def side_by_side_width(self) -> int:
        return sum(b.sizeHint().width() for b in self.buttons) + self._layout.spacing() * (len(self.buttons) - 1)

    def set_stacked(self, stacked: bool) -> None:
        direction = QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        if self._layout.direction() != direction:
            self._layout.setDirection(direction)
            for button in self.buttons:
                self._layout.setAlignment(button, Qt.AlignmentFlag.AlignRight if stacked else Qt.AlignmentFlag(0))


def button_row(*buttons: QPushButton) -> ButtonRow:
    """A :class:`ButtonRow` of ``buttons``, in that order."""
    return ButtonRow(*buttons)


def repolish(widget: QWidget) -> None:
    """Apply the style sheet again after a dynamic property the sheet selects on changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)

