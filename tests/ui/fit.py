"""Is anything cut off? Checks a shown widget tree the way a person looks at a screenshot.

* a one-line label narrower than its text (elided or cut);
* a line edit too narrow for its text (or, when empty, its placeholder);
* a combo box too narrow for its current item;
* a button narrower than its text.

Only visible widgets whose whole rectangle is inside a visible ancestor chain are checked; word-wrapped
labels may wrap, and text the program elides on purpose (with a tooltip) is marked by the caller.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QStyle, QStyleOptionComboBox, QWidget

# Frame, padding and the clear button of a line edit (qss: padding 4px 6px, 1px border).
LINE_EDIT_CHROME = 14
CLEAR_BUTTON = 22


def _text_width(widget: QWidget, text: str) -> int:
    return widget.fontMetrics().horizontalAdvance(text)


def clipped(root: QWidget, *, ignore: tuple[QWidget, ...] = ()) -> list[str]:
    """Descriptions of the widgets under ``root`` whose text does not fit."""
    problems: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or widget in ignore or any(w.isAncestorOf(widget) for w in ignore):
            continue
        name = widget.objectName() or type(widget).__name__
        if isinstance(widget, QLabel) and not widget.wordWrap() and widget.text() and widget.pixmap().isNull():
            text = widget.text().split("\n")
            if widget.textFormat() != widget.textFormat().RichText and "<" not in widget.text():
                need = max(_text_width(widget, line.replace("&", "")) for line in text)
                margins = widget.contentsMargins()
                have = widget.contentsRect().width() - 2 * widget.margin()
                if need > have + 1:
                    problems.append(f"label {name} {widget.text()!r}: {need} px of text in {have} px"
                                    f" (margins {margins.left()}+{margins.right()})")
        elif isinstance(widget, QLineEdit):
            text = widget.text() or widget.placeholderText()
            if text:
                need = _text_width(widget, text) + LINE_EDIT_CHROME + (CLEAR_BUTTON if widget.isClearButtonEnabled()
                                                                     and widget.text() else 0)
                if need > widget.width() + 1:
                    problems.append(f"line edit {name} {text!r}: needs {need} px, has {widget.width()}")
        elif isinstance(widget, QComboBox) and widget.currentText():
            option = QStyleOptionComboBox()
            widget.initStyleOption(option)
            field = widget.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                                  QStyle.SubControl.SC_ComboBoxEditField, widget)
            need = _text_width(widget, widget.currentText())
            if need > field.width() + 1:
                problems.append(f"combo {name} {widget.currentText()!r}: {need} px of text in {field.width()} px")
        elif isinstance(widget, QAbstractButton) and widget.text():
            need = _text_width(widget, widget.text().replace("&", ""))
            if need > widget.width() - 8:
                problems.append(f"button {name} {widget.text()!r}: {need} px of text in {widget.width()} px")
    return problems
