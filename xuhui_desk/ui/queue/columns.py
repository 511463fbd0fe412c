"""The queue's column widths: each as wide as its longest text in the current language, the
company column taking the rest, and the columns the detail pane repeats stepping aside while
the queue is too narrow for the company name."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from xuhui_desk.codes import Status
from xuhui_desk.services import labels
from xuhui_desk.ui.queue.model import Column, RequestQueueModel, taxonomy_label

# Chinese characters of a company name the queue shows when it has the room (1366 px and up).
COMPANY_CHARS = 12
# ... and at the least, before the table scrolls sideways within itself.
COMPANY_MIN_CHARS = 6
CELL_PADDING = 16
# Hidden in this order while the queue is too narrow for the company name (the detail pane
# shows them for the request it holds).
NARROW_HIDES = (Column.CREATED, Column.CATEGORY, Column.SYNC)


class QueueColumns:
    """The widths and hidden columns of the queue's table (``page`` gives the fonts)."""

    def __init__(self, page: QWidget, table: QTableView, model: RequestQueueModel) -> None:
        self.page = page
        self.table = table
        self.model = model
        # Columns the user hid (header menu) and those hidden while the queue is too narrow for them.
        self.user_hidden = {int(Column.DEPARTMENT), int(Column.URGENCY)}
        self.auto_hidden: set[int] = set()
        self.natural: dict[int, int] = {}

    def size(self, lang: str) -> None:
        """Column widths from the longest text each column shows in the current language; the
        company column takes the rest (see :meth:`fit`)."""
        from xuhui_desk.services.taxonomy import load_taxonomy

        header = self.table.horizontalHeader()
        metrics = self.page.fontMetrics()
        bold_font = QFont(self.page.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        taxonomy = load_taxonomy()

        def widest(texts: list[str], cap: int) -> int:
            return min(max(metrics.horizontalAdvance(t) for t in texts) + 16, cap)

        def titled(column: Column, width: int) -> int:
            return max(width, bold.horizontalAdvance(self.model.column_title(column)) + 22)

        icon = self.table.iconSize().width() if self.table.iconSize().isValid() else 16
        widths = {
            Column.TRACKING_NO: metrics.horizontalAdvance("XH03-20261126-000") + 14,
            Column.CREATED: metrics.horizontalAdvance("11-26 14:03") + 16,
            Column.CATEGORY: widest([taxonomy_label(c.code, lang) for c in taxonomy.categories], 120),
            Column.DEPARTMENT: widest([taxonomy_label(d.code, lang) for d in taxonomy.departments], 220),
            # Room for the urgent mark before the status.
            Column.STATUS: widest([labels.status_label(s.value, lang) for s in Status], 110) + icon + 4,
            Column.DUE: bold.horizontalAdvance("⚠ 11-26 17:30") + 16,
            Column.URGENCY: widest([labels.urgency_label(u, lang) for u in ("normal", "urgent")], 90),
            Column.SYNC: 40,
        }
        self.natural = {int(column): titled(column, width) for column, width in widths.items()}
        for column, width in self.natural.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        header.setSectionResizeMode(int(Column.ENTERPRISE), QHeaderView.ResizeMode.Fixed)
        self.fit()

    def company_width_wanted(self) -> int:
        """The company column's width when there is room: :data:`COMPANY_CHARS` Chinese characters."""
        # A longer name shows its first characters and an ellipsis.
        return self.page.fontMetrics().horizontalAdvance("企" * COMPANY_CHARS + "…") + CELL_PADDING

    def fit(self) -> None:
        """Give the company column what the others leave, and never less than a readable minimum.

        When the queue is narrow (a small screen, or the detail pane open beside it), the columns
        the detail pane repeats are hidden first (:data:`NARROW_HIDES`), until the company name has
        its :data:`COMPANY_CHARS` characters, then the tracking number if the name would get less
        than :data:`COMPANY_MIN_CHARS`; they come back as soon as there is room. Only when even
        that is not enough does the table scroll sideways — within itself, never the page.
        """
        header = self.table.horizontalHeader()
        available = self.table.viewport().width()
        if available <= 0 or not self.natural:
            return
        wanted = self.company_width_wanted()
        minimum = self.page.fontMetrics().horizontalAdvance("企" * COMPANY_MIN_CHARS + "…") + CELL_PADDING
        shown = [c for c in self.natural if c not in self.user_hidden]
        hidden: set[int] = set()

        def others() -> int:
            return sum(self.natural[c] for c in shown if c not in hidden)

        for column in NARROW_HIDES:
            if others() + wanted <= available:
                break
            if column in shown:
                hidden.add(int(column))
        if others() + minimum > available and int(Column.TRACKING_NO) in shown:
            hidden.add(int(Column.TRACKING_NO))  # the detail pane beside it shows the tracking number
        for index in self.natural:
            self.table.setColumnHidden(index, index in self.user_hidden or index in hidden)
        self.auto_hidden = hidden
        header.resizeSection(int(Column.ENTERPRISE), max(available - others(), minimum))

    def set_shown(self, column: Column, shown: bool) -> None:
        """Show or hide a column (the header menu's choice, kept while the queue is open)."""
        if shown:
            self.user_hidden.discard(int(column))
        else:
            self.user_hidden.add(int(column))
        self.fit()

