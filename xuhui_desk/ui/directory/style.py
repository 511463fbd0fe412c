"""How the directory page and the roster import look (one style sheet for both tables)."""

from __future__ import annotations

# Cell padding left and right (the style sheet's ``padding: 2px 8px``), and a margin to spare.
CELL_PADDING = 2 * 8 + 6

DIRECTORY_STYLE = """
QTableView#directoryTable, QTableView#rosterTable {
    background: #ffffff; alternate-background-color: #f8fafc; border: 1px solid #dde2ea;
    border-radius: 6px; selection-background-color: #cfe0f7; selection-color: #102a43;
}
QTableView#directoryTable QHeaderView::section, QTableView#rosterTable QHeaderView::section {
    background: #f3f5f8; color: #334e68; border: none; border-bottom: 1px solid #dde2ea;
    border-right: 1px solid #e6eaf0; padding: 4px 6px; font-weight: bold;
}
/* Codes and names never touch the column edge. */
QTableView#directoryTable::item, QTableView#rosterTable::item { padding: 2px 8px; }
QLabel#directoryCounts { color: #334e68; }
QLabel#rosterSummary { color: #243b53; }
QLabel#rosterError { color: #c62828; }
QLabel#fieldError { color: #c62828; }
QLabel#fieldWarning { color: #a15c00; }
"""
