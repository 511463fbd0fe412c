"""A layout that lines its widgets up left to right and wraps onto the next line when narrow
(after Qt's Flow Layout example), so that a row of filters or a legend fits any window width
without clipping a label or widening the page."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Items keep their size hints; a line breaks where the next item would not fit.

    ``stretch_last`` pushes the last item to the right edge of its line (a "clear filters"
    button at the end of the filter row).
    """

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6, line_spacing: int = 6,
                 stretch_last: bool = False) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._line_spacing = line_spacing
        self._stretch_last = stretch_last
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        # One line: every item side by side.
        visible = [i for i in self._items if not i.isEmpty()]
        width = sum(i.sizeHint().width() for i in visible) + self._spacing * max(len(visible) - 1, 0)
        height = max((i.sizeHint().height() for i in visible), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        # As narrow as the widest single item: everything else wraps.
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize().expandedTo(item.sizeHint()))
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = area.x()
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if lines[-1] and x + hint.width() > area.right() + 1:
                lines.append([])
                x = area.x()
            lines[-1].append((item, hint))
            x += hint.width() + self._spacing
        y = area.y()
        for number, line in enumerate(lines):
            height = max((hint.height() for _item, hint in line), default=0)
            x = area.x()
            for index, (item, hint) in enumerate(line):
                last = number == len(lines) - 1 and index == len(line) - 1
                if apply:
                    left = area.right() + 1 - hint.width() if last and self._stretch_last else x
                    top = y + (height - hint.height()) // 2
                    item.setGeometry(QRect(QPoint(max(left, x), top), hint))
                x += hint.width() + self._spacing
            y += height + (self._line_spacing if number < len(lines) - 1 else 0)
        return y - rect.y() + margins.bottom()


def wrapping_row(parent: QWidget | None = None, **options: object) -> tuple[QWidget, FlowLayout]:
    """A widget holding a :class:`FlowLayout` whose height follows its width."""
    holder = QWidget(parent)
    layout = FlowLayout(holder, **options)  # type: ignore[arg-type]
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    holder.setSizePolicy(policy)
    return holder, layout
