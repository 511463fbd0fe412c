"""The enterprise directory page: search the companies the station serves, correct their
details, and import a tenant roster from Excel with a preview.

The list is a lazy model like the queue's (ids of the search read in the background, rows
read a page at a time). Editing validates like the intake form and saves on the write
worker. The roster import reads the workbook in the background, shows what each row would
do — new, update, unchanged, duplicate in the file, or not imported because of an error —
and imports the good rows in one transaction with a progress indicator; importing the same
roster again adds nothing.

Keyboard: Ctrl+F search, Enter (or a double click) edits the selected enterprise, Ctrl+E
(or the "Company file" button) opens its company file (企业档案: profile, contacts, every
request; a request opened there is sent as ``requestActivated(uuid)``), Ctrl+I imports a
roster, F5 reads the list again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.services import labels
from xuhui_desk.services.directory import ImportResult
from xuhui_desk.ui.directory.enterprise_dialog import EnterpriseDialog
from xuhui_desk.ui.directory.model import DirColumn, EnterpriseDirectoryModel
from xuhui_desk.ui.directory.roster_import import RosterImportDialog
from xuhui_desk.ui.directory.style import CELL_PADDING, DIRECTORY_STYLE
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.open_table import OpenOnEnterTable, setup_list_table
from xuhui_desk.ui.tasks import TaskRunner

SEARCH_DELAY_MS = 250
# Chinese characters of a name the directory shows when it has the room, and at the least.
NAME_CHARS = 12
NAME_MIN_CHARS = 6
# Hidden in this order while the directory is too narrow for a 12-character name.
NARROW_HIDES = (DirColumn.BUILDING, DirColumn.PARK, DirColumn.SYNC, DirColumn.CONTACT)


class DirectoryView(QWidget):
    """The directory page (see the module documentation)."""

    # An enterprise was edited or a roster imported.
    changed = Signal()
    # A request was opened from a company file (its uuid): the main window shows it.
    requestActivated = Signal(str)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.setObjectName("page")
        self.setStyleSheet(DIRECTORY_STYLE)
        self.model = EnterpriseDirectoryModel(db, tasks, self)
        self._sort_column = int(DirColumn.NAME)
        self._sort_order = Qt.SortOrder.AscendingOrder
        self.dialog: QDialog | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        top.addWidget(self.title)
        top.addStretch(1)
        self.counts = QLabel()
        self.counts.setObjectName("directoryCounts")
        top.addWidget(self.counts)
        layout.addLayout(top)

        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        bar.addWidget(self.search, 1)
        self.file_button = QPushButton()
        self.file_button.setObjectName("directoryCompanyFile")
        self.file_button.clicked.connect(self.open_company_file)
        bar.addWidget(self.file_button)
        self.edit_button = QPushButton()
        self.edit_button.clicked.connect(self.edit_current)
        self.import_button = QPushButton()
        self.import_button.setProperty("primary", True)
        self.import_button.clicked.connect(self.import_roster)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.import_button)
        layout.addLayout(bar)

        self.table = OpenOnEnterTable()
        self.table.setObjectName("directoryTable")
        self.table.setModel(self.model)
        setup_list_table(self.table, row_height=self.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSortIndicator(self._sort_column, self._sort_order)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._header_clicked)
        self._natural: dict[int, int] = {}
        self.hidden_for_width: set[int] = set()
        self._size_columns()
        self.table.viewport().installEventFilter(self)
        layout.addWidget(self.table, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search)
        self.search.textChanged.connect(self._search_timer.start)
        self.table.opened.connect(self._edit_index)
        self.table.doubleClicked.connect(self._edit_index)
        self.model.refreshed.connect(self._show_counts)
        self.model.modelReset.connect(self._show_counts)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self).activated.connect(self.focus_search)
        QShortcut(QKeySequence("Ctrl+I"), self).activated.connect(self.import_roster)
        QShortcut(QKeySequence("Ctrl+E"), self).activated.connect(self.open_company_file)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self).activated.connect(self.refresh)
        self.setFocusProxy(self.search)
        self.retranslate()
        self.model.refresh(reset=True)

    def _size_columns(self) -> None:
        """Each column as wide as its longest usual content or its title (plus the cell padding);
        the name column takes the rest (:meth:`_fit_columns`)."""
        metrics = self.fontMetrics()
        bold_font = QFont(self.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        header = self.table.horizontalHeader()
        # Wide letters in the code sample: any real code fits.
        samples = {DirColumn.USCC: "91310104MA1WMW0W3M", DirColumn.CONTACT: "联系人名",
                   DirColumn.PHONE: "021-64871234转123", DirColumn.PARK: "枫林生命健康产业园",
                   DirColumn.BUILDING: "科技绿洲三期5号楼", DirColumn.REQUESTS: "000",
                   DirColumn.SYNC: labels.sync_label("error", current_language())}
        self._natural = {
            int(column): max(metrics.horizontalAdvance(sample) + CELL_PADDING,
                             bold.horizontalAdvance(self.model.column_title(column)) + 24)
            for column, sample in samples.items()
        }
        for column in DirColumn:
            header.setSectionResizeMode(int(column), QHeaderView.ResizeMode.Fixed)
        for index, width in self._natural.items():
            header.resizeSection(index, width)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The name column gets what the others leave; while that is less than
        :data:`NAME_CHARS` characters, the columns of :data:`NARROW_HIDES` step aside (the name's
        tooltip still shows the park and building), and come back when there is room."""
        available = self.table.viewport().width()
        if available <= 0 or not self._natural:
            return
        metrics = self.fontMetrics()
        wanted = metrics.horizontalAdvance("企" * NAME_CHARS + "…") + CELL_PADDING
        hidden: set[int] = set()

        def others() -> int:
            return sum(w for c, w in self._natural.items() if c not in hidden)

        for column in NARROW_HIDES:
            if others() + wanted <= available:
                break
            hidden.add(int(column))
        for index in self._natural:
            self.table.setColumnHidden(index, index in hidden)
        self.hidden_for_width = hidden
        minimum = metrics.horizontalAdvance("企" * NAME_MIN_CHARS + "…") + CELL_PADDING
        self.table.horizontalHeader().resizeSection(int(DirColumn.NAME), max(available - others(), minimum))

    def retranslate(self) -> None:
        self.title.setText(self.tr("Enterprise directory"))
        self.search.setPlaceholderText(self.tr("Search name, credit code, contact, phone, park or building  (Ctrl+F)"))
        self.file_button.setText(self.tr("Company file…"))
        self.file_button.setToolTip(self.tr("Profile, contacts and every request of the selected enterprise (Ctrl+E)"))
        self.edit_button.setText(self.tr("Edit…"))
        self.edit_button.setToolTip(self.tr("Edit the selected enterprise (Enter)"))
        self.import_button.setText(self.tr("Import roster…"))
        self.import_button.setToolTip(self.tr("Import a tenant roster from Excel (Ctrl+I)"))
        self._show_counts()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self._size_columns()
        super().changeEvent(event)

    def refresh(self) -> None:
        """Read the list again in the background (keeps the place and the selection)."""
        self.model.refresh()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and hasattr(self, "table") and watched is self.table.viewport():
            self._fit_columns()
            return False
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.model.rowCount():
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                self.table.selectRow(max(self.table.currentIndex().row(), 0))
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def _show_counts(self) -> None:
        self.counts.setText(self.tr("{count} enterprises").format(count=self.locale().toString(self.model.rowCount())))

    def _header_clicked(self, column: int) -> None:
        if column == self._sort_column:
            self._sort_order = (Qt.SortOrder.DescendingOrder if self._sort_order == Qt.SortOrder.AscendingOrder
                                else Qt.SortOrder.AscendingOrder)
        else:
            self._sort_column, self._sort_order = column, Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(self._sort_column, self._sort_order)
        self.model.sort(self._sort_column, self._sort_order)

    def _search(self) -> None:
        self.model.set_query(self.search.text())

    def _edit_index(self, index: QModelIndex) -> None:
        self.edit(index.row())

    def _enterprise_saved(self, _enterprise_id: int) -> None:
        self._directory_changed()

    def _roster_imported(self, _result: ImportResult) -> None:
        self._directory_changed()

    def _directory_changed(self) -> None:
        """An enterprise was edited or a roster imported: read the list again (keeping the place) and say so."""
        self.refresh()
        self.changed.emit()

    def edit_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.edit(index.row())

    def open_company_file(self) -> QDialog | None:
        """The company file of the selected enterprise (window-modal, opened with ``open()``)."""
        from xuhui_desk.ui.company_file.dialog import open_company_file

        index = self.table.currentIndex()
        enterprise_id = self.model.id_at(index.row()) if index.isValid() else None
        if enterprise_id is None:
            return None
        dialog = open_company_file(self, self.db, self.tasks, enterprise_id)
        dialog.requestActivated.connect(self.requestActivated)
        self.dialog = dialog
        return dialog

    def edit(self, row: int) -> EnterpriseDialog | None:
        """Open the edit dialog of the enterprise in ``row`` (modeless; the list refreshes on save)."""
        enterprise_id = self.model.id_at(row)
        if enterprise_id is None:
            return None
        dialog = EnterpriseDialog(self.db, self.tasks, enterprise_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._enterprise_saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def import_roster(self, path: Path | None = None) -> RosterImportDialog:
        """Open the roster import dialog (reading ``path`` at once when given)."""
        dialog = RosterImportDialog(self.db, self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._roster_imported)
        self.dialog = dialog
        dialog.open()
        if isinstance(path, Path):
            dialog.load(path)
        return dialog
