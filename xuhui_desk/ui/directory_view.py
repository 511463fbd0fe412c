"""The enterprise directory page: search the companies the station serves, correct their
details, and import a tenant roster from Excel with a preview.

The list is a lazy model like the queue's (ids of the search read in the background, rows
read a page at a time). Editing validates like the intake form and saves on the write
worker. The roster import reads the workbook in the background, shows what each row would
do — new, update, unchanged, duplicate in the file, or not imported because of an error —
and imports the good rows in one transaction with a progress indicator; importing the same
roster again adds nothing.

Keyboard: Ctrl+F search, Enter (or a double click) edits the selected enterprise,
Ctrl+I imports a roster, F5 reads the list again.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.services import labels
from xuhui_desk.services.directory import (
    EnterpriseRow,
    ImportResult,
    RosterError,
    RosterErrorCode,
    RosterPreview,
    RosterRow,
    RowAction,
    apply_roster,
    export_problem_rows,
    fetch_enterprises,
    find_enterprise_ids,
    get_enterprise,
    has_problems,
    preview_roster,
    row_problems,
    update_enterprise,
    validate_enterprise,
)
from xuhui_desk.services.intake import EnterpriseInput
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.open_table import OpenOnEnterTable
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.validation import LIMITS, Issue, Severity, ValidationFailed

log = logging.getLogger(__name__)

PAGE_SIZE = 100
CACHE_LIMIT = 3000
SEARCH_DELAY_MS = 250
# Cell padding left and right (the style sheet's ``padding: 2px 8px``), and a margin to spare.
CELL_PADDING = 2 * 8 + 6
# Chinese characters of a name the directory shows when it has the room, and at the least.
NAME_CHARS = 12
NAME_MIN_CHARS = 6
# Rows of a roster preview sized to their problems (a long roster's first rows; the rest keep one line
# and show every problem in their tooltip).
FIT_ROWS = 3000

_Index = QModelIndex | QPersistentModelIndex
IdRole = Qt.ItemDataRole.UserRole + 1

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


# --- the directory list ----------------------------------------------------------------------------


class DirColumn(IntEnum):
    NAME = 0
    USCC = 1
    CONTACT = 2
    PHONE = 3
    PARK = 4
    BUILDING = 5
    REQUESTS = 6
    SYNC = 7


# Hidden in this order while the directory is too narrow for a 12-character name.
NARROW_HIDES = (DirColumn.BUILDING, DirColumn.PARK, DirColumn.SYNC, DirColumn.CONTACT)

DIR_SORT_KEYS = {
    DirColumn.NAME: "name", DirColumn.USCC: "uscc", DirColumn.CONTACT: "contact_name",
    DirColumn.PHONE: "phone", DirColumn.PARK: "park", DirColumn.BUILDING: "building",
    DirColumn.REQUESTS: "request_count", DirColumn.SYNC: "sync_state",
}


@dataclass(frozen=True)
class _DirSnapshot:
    generation: int
    ids: list[int]
    rows: dict[int, EnterpriseRow]


class EnterpriseDirectoryModel(QAbstractTableModel):
    """Enterprises matching a search: ids in the background, rows a page at a time."""

    refreshed = Signal()
    failed = Signal(str)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self._query = ""
        self._sort = "name"
        self._descending = False
        self._ids: list[int] = []
        self._rows: OrderedDict[int, EnterpriseRow] = OrderedDict()
        self._generation = 0
        self._language = current_language()
        self.loading = False
        self.rows_loaded = 0

    @property
    def query(self) -> str:
        return self._query

    def set_query(self, query: str) -> None:
        self._query = query.strip()
        self.refresh()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(DirColumn):
            return
        self._sort = DIR_SORT_KEYS[DirColumn(column)]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    def refresh(self) -> None:
        """Read the ids of the search again in the background."""
        self._generation += 1
        generation, query, sort, descending = self._generation, self._query, self._sort, self._descending

        def work(_progress: Any) -> _DirSnapshot:
            with self.db.session() as session:
                ids = find_enterprise_ids(session, query, sort=sort, descending=descending)
                return _DirSnapshot(generation, ids, fetch_enterprises(session, ids[:PAGE_SIZE]))

        self.loading = True
        self.tasks.run(work, on_success=self._apply, on_failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.failed.emit(str(exc))

    def _apply(self, snap: _DirSnapshot) -> None:
        if snap.generation != self._generation:
            return
        self.loading = False
        self.beginResetModel()
        self._ids = snap.ids
        self._rows = OrderedDict(snap.rows)
        self.rows_loaded += len(snap.rows)
        self.endResetModel()
        self.refreshed.emit()

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_data(self, row: int) -> EnterpriseRow | None:
        enterprise_id = self.id_at(row)
        if enterprise_id is None:
            return None
        if enterprise_id not in self._rows:
            page = row // PAGE_SIZE
            wanted = [i for i in self._ids[page * PAGE_SIZE:(page + 1) * PAGE_SIZE] if i not in self._rows]
            with self.db.session() as session:  # one page by primary key: about a millisecond
                fetched = fetch_enterprises(session, wanted)
            self._rows.update(fetched)
            self.rows_loaded += len(fetched)
            while len(self._rows) > CACHE_LIMIT:
                self._rows.popitem(last=False)
        else:
            self._rows.move_to_end(enterprise_id)
        return self._rows.get(enterprise_id)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(DirColumn)

    def column_title(self, column: DirColumn) -> str:
        return {
            DirColumn.NAME: self.tr("Enterprise"), DirColumn.USCC: self.tr("Credit code"),
            DirColumn.CONTACT: self.tr("Contact"), DirColumn.PHONE: self.tr("Phone"),
            DirColumn.PARK: self.tr("Park"), DirColumn.BUILDING: self.tr("Building"),
            DirColumn.REQUESTS: self.tr("Requests"), DirColumn.SYNC: self.tr("Sync"),
        }[column]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(DirColumn):
            return self.column_title(DirColumn(section))
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        column = DirColumn(index.column())
        if role == IdRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and column == DirColumn.NAME:
            # Everything about the company, also what a narrow window leaves out.
            place = " ".join(p for p in (row.park, row.building) if p)
            return "\n".join(t for t in (row.name, row.uscc, " ".join(p for p in (row.contact_name, row.phone) if p),
                                          place) if t)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = {
                DirColumn.NAME: row.name, DirColumn.USCC: row.uscc, DirColumn.CONTACT: row.contact_name,
                DirColumn.PHONE: row.phone, DirColumn.PARK: row.park, DirColumn.BUILDING: row.building,
                DirColumn.REQUESTS: str(row.request_count),
                DirColumn.SYNC: labels.sync_label(row.sync_state, self._language),
            }
            return values[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == DirColumn.REQUESTS:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ForegroundRole and column == DirColumn.SYNC and row.sync_state == "error":
            return QBrush(QColor("#c62828"))
        return None


# --- editing one enterprise ---------------------------------------------------------------------------


class EnterpriseDialog(QDialog):
    """Correct one enterprise's details (validated like the intake form)."""

    saved = Signal(int)

    FIELDS = ("name", "uscc", "contact_name", "phone", "park", "building")
    # Validation names a field differently from the form.
    ISSUE_FIELDS: ClassVar[dict[str, str]] = {"enterprise_name": "name"}

    def __init__(self, db: Database, tasks: TaskRunner, enterprise_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.enterprise_id = enterprise_id
        self._language = current_language()
        self.setWindowTitle(self.tr("Edit enterprise"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setVerticalSpacing(4)
        self.edits: dict[str, QLineEdit] = {}
        self.messages: dict[str, QLabel] = {}
        captions = {
            "name": self.tr("Enterprise name"), "uscc": self.tr("Credit code"),
            "contact_name": self.tr("Contact"), "phone": self.tr("Phone"), "park": self.tr("Park"),
            "building": self.tr("Building"),
        }
        limits = {"name": LIMITS["enterprise_name"], "uscc": 24, "contact_name": LIMITS["contact_name"],
                  "phone": 32, "park": LIMITS["park"], "building": LIMITS["building"]}
        for key in self.FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"edit_{key}")
            edit.setMaxLength(limits[key])
            message = QLabel()
            message.setObjectName("fieldError")
            message.setWordWrap(True)
            message.hide()
            holder = QVBoxLayout()
            holder.setSpacing(2)
            holder.addWidget(edit)
            holder.addWidget(message)
            form.addRow(captions[key], holder)
            self.edits[key] = edit
            self.messages[key] = message
        layout.addLayout(form)
        self.note = QLabel(self.tr("Changes are sent to the district hub with the next sync."))
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setProperty("primary", True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.activated.connect(self.save)
        self._load()

    def _load(self) -> None:
        with self.db.session() as session:  # one row by primary key
            enterprise = get_enterprise(session, self.enterprise_id)
            values = {"name": enterprise.name, "uscc": enterprise.uscc or "",
                      "contact_name": enterprise.contact_name, "phone": enterprise.phone,
                      "park": enterprise.park, "building": enterprise.building}
        for key, value in values.items():
            self.edits[key].setText(value)

    def value(self) -> EnterpriseInput:
        return EnterpriseInput(**{key: self.edits[key].text() for key in self.FIELDS})

    def show_issues(self, issues: list[Issue]) -> None:
        self._place_issues(issues)
        # Messages wrap under their fields: let the dialog grow to show them whole.
        self.layout().activate()
        self.adjustSize()

    def _place_issues(self, issues: list[Issue]) -> None:
        for message in self.messages.values():
            message.hide()
        for issue in issues:
            key = self.ISSUE_FIELDS.get(issue.field, issue.field)
            label = self.messages.get(key)
            if label is None:
                continue
            label.setObjectName("fieldWarning" if issue.severity is Severity.WARNING else "fieldError")
            label.style().unpolish(label)
            label.style().polish(label)
            label.setText(issue.message(self._language))
            label.show()

    def save(self) -> None:
        data = self.value()
        _cleaned, issues = validate_enterprise(data)
        self.show_issues(issues)
        if any(i.severity is Severity.ERROR for i in issues):
            return
        self.buttons.setEnabled(False)
        enterprise_id = self.enterprise_id

        def done(_changed: object) -> None:
            self.buttons.setEnabled(True)
            self.saved.emit(enterprise_id)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            if isinstance(exc, ValidationFailed):
                self.show_issues(exc.issues)
            else:
                self.error.setText(self.tr("Not saved: {reason}").format(reason=exc))
                self.error.show()

        self.tasks.run(lambda _p: update_enterprise(self.db, enterprise_id, data), on_success=done,
                       on_failure=failed, write=True)


# --- roster import ------------------------------------------------------------------------------------


class RosterColumn(IntEnum):
    LINE = 0
    ACTION = 1
    PROBLEMS = 2
    NAME = 3
    USCC = 4
    CONTACT = 5
    PHONE = 6
    PARK = 7
    BUILDING = 8


ACTION_COLOURS = {
    RowAction.NEW: "#1e6b34", RowAction.UPDATE: "#1d5fbf", RowAction.UNCHANGED: "#7b8794",
    RowAction.DUPLICATE: "#7b8794", RowAction.INVALID: "#c62828",
}


class RosterPreviewModel(QAbstractTableModel):
    """The rows of a roster preview with what importing each would do and its problems."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RosterRow] = []
        self._all: list[RosterRow] = []
        self._problems_only = False
        self._language = current_language()

    def set_preview(self, preview: RosterPreview | None) -> None:
        self.beginResetModel()
        self._all = list(preview.rows) if preview else []
        self._rows = self._visible()
        self.endResetModel()

    def set_problems_only(self, on: bool) -> None:
        self.beginResetModel()
        self._problems_only = on
        self._rows = self._visible()
        self.endResetModel()

    def _visible(self) -> list[RosterRow]:
        if not self._problems_only:
            return self._all
        return [r for r in self._all if r.issues or r.action in (RowAction.DUPLICATE, RowAction.INVALID)
                or r.existing_name]

    def row_at(self, row: int) -> RosterRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RosterColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole \
                or not 0 <= section < len(RosterColumn):
            return None
        return {
            RosterColumn.LINE: self.tr("Row"), RosterColumn.ACTION: self.tr("Import"),
            RosterColumn.NAME: self.tr("Enterprise"), RosterColumn.USCC: self.tr("Credit code"),
            RosterColumn.CONTACT: self.tr("Contact"), RosterColumn.PHONE: self.tr("Phone"),
            RosterColumn.PARK: self.tr("Park"), RosterColumn.BUILDING: self.tr("Building"),
            RosterColumn.PROBLEMS: self.tr("Details"),
        }[RosterColumn(section)]

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def action_text(self, row: RosterRow) -> str:
        return {
            RowAction.NEW: self.tr("New"), RowAction.UPDATE: self.tr("Update"),
            RowAction.UNCHANGED: self.tr("Unchanged"), RowAction.DUPLICATE: self.tr("Duplicate"),
            RowAction.INVALID: self.tr("Not imported"),
        }[row.action]

    def problems_text(self, row: RosterRow) -> str:
        """Every problem of the row, one per line (the cell wraps; nothing is cut off)."""
        parts = row_problems(row, self._language)
        if row.action is RowAction.UPDATE and row.changes:
            names = {"uscc": self.tr("credit code"), "contact_name": self.tr("contact"), "phone": self.tr("phone"),
                     "park": self.tr("park"), "building": self.tr("building")}
            parts.append(self.tr("updates: {fields}").format(
                fields=self.tr(", ").join(names.get(c, c) for c in row.changes)))
        return "\n".join(parts)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = RosterColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            d = row.data
            values = {
                RosterColumn.LINE: str(row.line), RosterColumn.ACTION: self.action_text(row),
                RosterColumn.NAME: d.name, RosterColumn.USCC: d.uscc, RosterColumn.CONTACT: d.contact_name,
                RosterColumn.PHONE: d.phone, RosterColumn.PARK: d.park, RosterColumn.BUILDING: d.building,
                RosterColumn.PROBLEMS: self.problems_text(row),
            }
            return values[column]
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == RosterColumn.ACTION:
                return QBrush(QColor(ACTION_COLOURS[row.action]))
            if column == RosterColumn.PROBLEMS:
                tone = "#c62828" if row.errors else "#a15c00" if row.warnings or row.existing_name else "#52606d"
                return QBrush(QColor(tone))
            if row.action in (RowAction.DUPLICATE, RowAction.UNCHANGED):
                return QBrush(QColor("#7b8794"))
        if role == Qt.ItemDataRole.BackgroundRole and row.action is RowAction.INVALID:
            return QBrush(QColor("#fff5f5"))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == RosterColumn.LINE:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop  # rows grow with their problems
        return None


class RosterImportDialog(QDialog):
    """Choose a roster, see what importing it would do, then import the good rows."""

    imported = Signal(object)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.preview: RosterPreview | None = None
        self.result: ImportResult | None = None
        self.setWindowTitle(self.tr("Import a tenant roster"))
        self.setStyleSheet(DIRECTORY_STYLE)
        self._fit_to_screen(parent)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)

        intro = QLabel(self.tr(
            "An Excel workbook (.xlsx) with one enterprise per row and a header row naming the columns, "
            "e.g. 企业名称, 统一社会信用代码, 联系人, 联系电话, 园区, 楼宇. Companies already in the directory "
            "(same credit code, or same name without one) are updated, never added twice."))
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        layout.addWidget(intro)

        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText(self.tr("No file chosen"))
        self.choose_button = QPushButton(self.tr("Choose file…"))
        self.choose_button.clicked.connect(self.choose_file)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.choose_button)
        layout.addLayout(row)

        self.status = QLabel()
        self.status.setObjectName("rosterSummary")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.columns_label = QLabel()
        self.columns_label.setObjectName("muted")
        self.columns_label.setWordWrap(True)
        layout.addWidget(self.columns_label)

        self.model = RosterPreviewModel(self)
        self.table = QTableView()
        self.table.setObjectName("rosterTable")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        # The problems column wraps: a row shows all its problems, one per line.
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        metrics = self.fontMetrics()
        bold_font = QFont(self.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        for column, sample in ((RosterColumn.LINE, "00000"), (RosterColumn.ACTION, "Not imported"),
                               (RosterColumn.PROBLEMS, "统一社会信用代码中的组织机构代码校验不通过，请与营业"),
                               (RosterColumn.NAME, "上海某某科技发展有限公司"),
                               (RosterColumn.USCC, "9131010452601815X3"),
                               (RosterColumn.CONTACT, "联系人名"), (RosterColumn.PHONE, "021-64871234"),
                               (RosterColumn.PARK, "漕河泾开发区"), (RosterColumn.BUILDING, "科技绿洲三期")):
            title = self.model.headerData(int(column), Qt.Orientation.Horizontal)
            header.resizeSection(int(column), max(metrics.horizontalAdvance(sample) + CELL_PADDING,
                                                  bold.horizontalAdvance(str(title)) + 24))
        self.model.modelReset.connect(self._fit_rows)
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.problems_only = QCheckBox(self.tr("Only rows with problems"))
        self.problems_only.toggled.connect(self.model.set_problems_only)
        bottom.addWidget(self.problems_only)
        self.export_button = QPushButton(self.tr("Export rows with problems…"))
        self.export_button.setToolTip(self.tr(
            "Save the rows with problems, each with all its problems, to an Excel file to correct them"))
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_problems)
        bottom.addWidget(self.export_button)
        bottom.addStretch(1)
        self.import_button = QPushButton()
        self.import_button.setProperty("primary", True)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(self.close_button)
        bottom.addWidget(self.import_button)
        layout.addLayout(bottom)
        self._show_summary()

    def _fit_to_screen(self, parent: QWidget | None) -> None:
        """As large as the preview wants (1120 × 640), never larger than the screen it opens on."""
        screen = (parent.screen() if parent is not None else None) or QApplication.primaryScreen()
        width, height = 1120, 640
        if screen is not None:
            area = screen.availableGeometry()
            width, height = min(width, area.width() - 40), min(height, area.height() - 60)
        self.resize(width, height)

    def _fit_rows(self) -> None:
        """Rows with more than one problem grow to show them all (the first rows of a long roster)."""
        for row in range(min(self.model.rowCount(), FIT_ROWS)):
            roster_row = self.model.row_at(row)
            if roster_row is not None and has_problems(roster_row):
                self.table.resizeRowToContents(row)

    def export_problems(self, path: Path | None = None) -> int:
        """Save the rows with problems to an .xlsx (asks where, unless ``path`` is given)."""
        preview = self.preview
        if preview is None:
            return 0
        if not isinstance(path, Path):
            suggested = preview.path.with_name(self.tr("{name} - rows to correct.xlsx").format(name=preview.path.stem))
            chosen, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Export rows with problems"), str(suggested), self.tr("Excel workbooks (*.xlsx)"))
            if not chosen:
                return 0
            path = Path(chosen)
        try:
            written = export_problem_rows(preview, path, current_language())
        except OSError as exc:
            self.status.setObjectName("rosterError")
            self.status.setText(self.tr("The rows could not be saved: {reason}").format(reason=exc.strerror or exc))
            return 0
        self.status.setText(self.tr("{count} rows with problems saved to {file}.").format(
            count=written, file=path.name))
        return written

    # --- reading ------------------------------------------------------------------------------

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose the roster"), str(Path.home()), self.tr("Excel workbooks (*.xlsx)"))
        if path:
            self.load(Path(path))

    def load(self, path: Path) -> None:
        """Read ``path`` in the background and show the preview."""
        self.path_edit.setText(str(path))
        self.preview = None
        self.result = None
        self.model.set_preview(None)
        self.import_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self.status.setObjectName("rosterSummary")
        self.status.setText(self.tr("Reading {file}…").format(file=Path(path).name))
        self.columns_label.clear()
        self.choose_button.setEnabled(False)

        def done(preview: RosterPreview) -> None:
            self.choose_button.setEnabled(True)
            self.preview = preview
            self.model.set_preview(preview)
            self._show_summary()

        def failed(exc: BaseException) -> None:
            self.choose_button.setEnabled(True)
            self.show_error(exc)

        self.tasks.run(lambda progress: preview_roster(self.db, Path(path), progress), on_success=done,
                       on_failure=failed, label=self.tr("Reading the roster…"), parent=self)

    def error_text(self, exc: BaseException) -> str:
        if not isinstance(exc, RosterError):
            return self.tr("The file cannot be read: {reason}").format(reason=exc)
        p = exc.params
        return {
            RosterErrorCode.NOT_FOUND: self.tr("The file {path} does not exist.").format(path=p.get("path")),
            RosterErrorCode.OLD_EXCEL: self.tr(
                "{path} is an old Excel 97-2003 (.xls) file. Open it in Excel or WPS, save it as .xlsx, "
                "then import that file.").format(path=p.get("path")),
            RosterErrorCode.NOT_XLSX: self.tr("{path} is not an Excel workbook (.xlsx).").format(path=p.get("path")),
            RosterErrorCode.UNREADABLE: self.tr("{path} cannot be read: {reason}").format(
                path=p.get("path"), reason=p.get("reason")),
            RosterErrorCode.EMPTY: self.tr("{path} is empty.").format(path=p.get("path")),
            RosterErrorCode.NO_HEADER: self.tr(
                "No header row found in {path}. The roster needs a column named 企业名称 (or 公司名称, "
                "单位名称, Company name) in one of its first rows.").format(path=p.get("path")),
            RosterErrorCode.TOO_MANY_ROWS: self.tr(
                "{path} has more than {limit} rows; split it into smaller files.").format(
                path=p.get("path"), limit=p.get("limit")),
        }[exc.code]

    def show_error(self, exc: BaseException) -> None:
        self.status.setObjectName("rosterError")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(self.error_text(exc))
        self.import_button.setEnabled(False)

    def _show_summary(self) -> None:
        preview = self.preview
        if preview is None:
            self.import_button.setText(self.tr("Import"))
            if not self.path_edit.text():
                self.status.setText(self.tr("Choose the roster file to see what would be imported."))
            return
        self.status.setObjectName("rosterSummary")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(self.tr(
            "{rows} rows in sheet “{sheet}”: {new} new, {update} to update, {unchanged} unchanged, "
            "{duplicate} repeated in the file, {invalid} with errors (not imported).").format(
            rows=len(preview.rows), sheet=preview.sheet, new=preview.count(RowAction.NEW),
            update=preview.count(RowAction.UPDATE), unchanged=preview.count(RowAction.UNCHANGED),
            duplicate=preview.count(RowAction.DUPLICATE), invalid=preview.count(RowAction.INVALID)))
        field_names = {"name": self.tr("name"), "uscc": self.tr("credit code"), "contact_name": self.tr("contact"),
                       "phone": self.tr("phone"), "park": self.tr("park"), "building": self.tr("building")}
        mapping = self.tr(", ").join(
            self.tr("{field} ← “{title}”").format(field=field_names.get(k, k), title=v)
            for k, v in preview.columns.items())
        self.columns_label.setText(self.tr("Columns read (header on row {line}): {mapping}").format(
            line=preview.header_line, mapping=mapping))
        self.export_button.setEnabled(any(has_problems(r) for r in preview.rows))
        count = preview.importable
        self.import_button.setText(self.tr("Import {count} enterprises").format(count=count))
        self.import_button.setEnabled(count > 0)

    # --- importing ----------------------------------------------------------------------------

    def start_import(self) -> None:
        preview = self.preview
        if preview is None or preview.importable == 0:
            return
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)

        def done(result: ImportResult) -> None:
            self.result = result
            self.choose_button.setEnabled(True)
            self.status.setText(self.tr(
                "Imported: {created} new, {updated} updated, {unchanged} unchanged, {skipped} not imported.").format(
                created=result.created, updated=result.updated, unchanged=result.unchanged,
                skipped=result.skipped))
            self.import_button.setText(self.tr("Imported"))
            self.imported.emit(result)

        def failed(exc: BaseException) -> None:
            self.choose_button.setEnabled(True)
            self.import_button.setEnabled(True)
            self.status.setObjectName("rosterError")
            self.status.setText(self.tr("Nothing was imported: {reason}").format(reason=exc))

        self.tasks.run(lambda progress: apply_roster(self.db, preview, progress), on_success=done,
                       on_failure=failed, label=self.tr("Importing the roster…"), parent=self, write=True)


# --- the page -----------------------------------------------------------------------------------------


class DirectoryView(QWidget):
    """The directory page (see the module documentation)."""

    # An enterprise was edited or a roster imported.
    changed = Signal()

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
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
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
        self._search_timer.timeout.connect(lambda: self.model.set_query(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.table.opened.connect(lambda index: self.edit(index.row()))
        self.table.doubleClicked.connect(lambda index: self.edit(index.row()))
        self.model.refreshed.connect(self._show_counts)
        self.model.modelReset.connect(self._show_counts)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self).activated.connect(self.focus_search)
        QShortcut(QKeySequence("Ctrl+I"), self).activated.connect(self.import_roster)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self).activated.connect(self.refresh)
        self.setFocusProxy(self.search)
        self.retranslate()
        self.model.refresh()

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
        for column, width in self._natural.items():
            header.resizeSection(column, width)
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
        for column in self._natural:
            self.table.setColumnHidden(column, column in hidden)
        self.hidden_for_width = hidden
        minimum = metrics.horizontalAdvance("企" * NAME_MIN_CHARS + "…") + CELL_PADDING
        self.table.horizontalHeader().resizeSection(int(DirColumn.NAME), max(available - others(), minimum))

    def retranslate(self) -> None:
        self.title.setText(self.tr("Enterprise directory"))
        self.search.setPlaceholderText(self.tr("Search name, credit code, contact, phone, park or building  (Ctrl+F)"))
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

    def edit_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.edit(index.row())

    def edit(self, row: int) -> EnterpriseDialog | None:
        """Open the edit dialog of the enterprise in ``row`` (modeless; the list refreshes on save)."""
        enterprise_id = self.model.id_at(row)
        if enterprise_id is None:
            return None
        dialog = EnterpriseDialog(self.db, self.tasks, enterprise_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _id: (self.refresh(), self.changed.emit()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def import_roster(self, path: Path | None = None) -> RosterImportDialog:
        """Open the roster import dialog (reading ``path`` at once when given)."""
        dialog = RosterImportDialog(self.db, self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(lambda _result: (self.refresh(), self.changed.emit()))
        self.dialog = dialog
        dialog.open()
        if isinstance(path, Path):
            dialog.load(path)
        return dialog

