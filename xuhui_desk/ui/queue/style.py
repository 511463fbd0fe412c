"""How the queue page looks: its style sheet and the swatches of its legend."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPainter, QPixmap

TABLE_STYLE = """
QTableView#queueTable {
    background: #ffffff; alternate-background-color: #f8fafc; border: 1px solid #dde2ea;
    border-radius: 6px; gridline-color: #eef1f5;
    selection-background-color: #cfe0f7; selection-color: #102a43;
}
QTableView#queueTable QHeaderView::section {
    background: #f3f5f8; color: #334e68; border: none; border-bottom: 1px solid #dde2ea;
    border-right: 1px solid #e6eaf0; padding: 4px 6px; font-weight: bold;
}
QLabel#queueEmpty { color: #7b8794; }
QLabel#queueCounts { color: #334e68; }
QLabel#queueCounts[overdue="true"] { color: #a61b1b; }
QLabel#queueLegendCaption, QLabel#queueLegendText { color: #52606d; }
QLabel#queueLegendText { margin-right: 6px; }
"""


def number_text(value: float) -> str:
    """A number of days as the legend writes it: 2 for 2.0, 2.5 as is."""
    return str(int(value)) if float(value).is_integer() else str(value)


def swatch(colour: QColor, size: int = 14) -> QPixmap:
    """A square of a row shade with a thin border, so that the palest shade is still seen."""
    pixmap = QPixmap(size, size)
    pixmap.fill(colour)
    painter = QPainter(pixmap)
    painter.setPen(QColor("#d9b3ad"))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return pixmap
