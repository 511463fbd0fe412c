"""Importing a tenant roster from Excel: the workbook is read in the background, a preview says
what each row would do — new, update, unchanged, duplicate in the file, or not imported because
of an error — and the good rows are imported in one transaction with a progress indicator;
importing the same roster again adds nothing."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.policies import fact_label
from xuhui_desk.services.directory import (
    ImportResult,
    RosterError,
    RosterErrorCode,
    RosterPreview,
    RosterRow,
    RowAction,
    apply_roster,
    export_problem_rows,
    has_problems,
    preview_roster,
    row_problems,
)
from xuhui_desk.ui.directory.style import CELL_PADDING, DIRECTORY_STYLE
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.lazy_table_model import Index
from xuhui_desk.ui.tasks import TaskRunner

# Rows of a roster preview sized to their problems (a long roster's first rows; the rest keep one line
# and show every problem in their tooltip).
FIT_ROWS = 3000


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

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
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

    def flags(self, index: Index) -> Qt.ItemFlag:
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
            # A profile fact (services/policies.py) is named as the company file names it.
            parts.append(self.tr("updates: {fields}").format(
                fields=self.tr(", ").join(names.get(c) or fact_label(c, self._language) for c in row.changes)))
        return "\n".join(parts)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
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
        # What the last import did (``result`` would shadow QDialog.result()).
        self.import_result: ImportResult | None = None
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
        self.import_result = None
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
            self.tr("{field} ← “{title}”").format(field=field_names.get(k) or fact_label(k, current_language()),
                                                   title=v)
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
            self.import_result = result
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
