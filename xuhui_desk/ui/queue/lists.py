"""The queue's lists: saved views (named filters), the list to Excel and the printed list.

* **Saved views** — the views combo picks one (its filters are set and the queue reads
  itself again); the "Views" menu saves the current filters under a name (Ctrl+Shift+V),
  renames or deletes the view picked. Stored through :mod:`xuhui_desk.services.saved_views`.
* **Excel** (Ctrl+Shift+E) — the current filter, in the queue's order, with the columns the
  queue shows and the masked phone, written in the background with a progress box and Cancel
  (:func:`~xuhui_desk.services.list_export.export_requests_xlsx`); afterwards a box offers to
  open the file or its folder.
* **Print** (Ctrl+Shift+L) — the same list as a landscape table in a print preview (at most
  :data:`~xuhui_desk.services.list_export.PRINT_LIMIT` rows; the title says when there are more).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDate, QMarginsF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPageLayout, QPageSize, QTextDocument
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox

from xuhui_desk.services.saved_views import (
    SavedView,
    ViewFilter,
    delete_view,
    rename_view,
    save_view,
    saved_views,
)
from xuhui_desk.services.search import RequestFilter
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.queue.model import Column

if TYPE_CHECKING:
    # Qt's print support and the export (with the reports package under it) are imported when a
    # list is first exported or printed, not with the queue (benchmarks/README.md, memory).
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    from xuhui_desk.services.list_export import PrintList
    from xuhui_desk.ui.queue.view import QueueView

#: The export key of each queue column (the phone, masked, follows the company).
COLUMN_KEYS = {
    Column.TRACKING_NO: "tracking_no", Column.CREATED: "created_at", Column.ENTERPRISE: "enterprise_name",
    Column.CATEGORY: "category", Column.DEPARTMENT: "department", Column.STATUS: "status",
    Column.DUE: "sla_due_at", Column.URGENCY: "urgency", Column.SYNC: "sync_state",
}


class QueueLists:
    """Saved views, export and print of one :class:`QueueView` (its widgets live on the page)."""

    def __init__(self, view: QueueView) -> None:
        self.view = view
        self.views: list[SavedView] = []
        #: The last workbook written (for tests and the "open" buttons).
        self.exported: Path | None = None
        self.preview: QPrintPreviewDialog | None = None
        self.message: QMessageBox | None = None

    def tr(self, text: str) -> str:
        # Not a QObject: its strings are translated in its own context, as lupdate files them.
        return QCoreApplication.translate("QueueLists", text)

    # --- saved views ----------------------------------------------------------------------------

    def load_views(self, select: str | None = None) -> None:
        """Read the saved views in the background and fill the combo (picking ``select``)."""
        db = self.view.db
        self.view.tasks.run(lambda _p: saved_views(db), on_success=lambda v: self._fill(v, select),
                            owner=self.view, latest="views")

    def _fill(self, views: list[SavedView], select: str | None) -> None:
        self.views = views
        combo = self.view.views
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("Saved views…"), "")
        for view in views:
            combo.addItem(view.name, view.name)
        index = combo.findData(select) if select else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        has_views = bool(views)
        combo.setEnabled(has_views)
        self.view.rename_view_action.setEnabled(has_views)
        self.view.delete_view_action.setEnabled(has_views)
        self.view.fit_combo(combo)

    def picked(self, index: int) -> None:
        name = self.view.views.itemData(index)
        chosen = next((v for v in self.views if v.name == name), None)
        if chosen is not None:
            self.view.apply_view(chosen.filter)

    def current_name(self) -> str:
        return str(self.view.views.currentData() or "")

    def ask_save(self) -> QInputDialog:
        """Ask a name for the current filters (the picked view's name offered) and save them."""
        dialog = self._ask(self.tr("Save view"), self.tr("Name of the view (the current filters):"),
                           self.current_name(), self.save_as)
        return dialog

    def save_as(self, name: str, flt: ViewFilter | None = None) -> None:
        flt = flt or self.view.view_filter()
        db = self.view.db
        self.view.tasks.run(lambda _p: save_view(db, name, flt), write=True, owner=self.view,
                            on_success=lambda saved: self._saved(saved.name), on_failure=self._failed)

    def _saved(self, name: str) -> None:
        self.load_views(select=name)
        self.view.say(self.tr("View “{name}” saved").format(name=name))

    def ask_rename(self) -> QInputDialog | None:
        old = self.current_name()
        if not old:
            return None
        return self._ask(self.tr("Rename view"), self.tr("New name of “{name}”:").format(name=old), old,
                         lambda new: self.rename(old, new))

    def rename(self, old: str, new: str) -> None:
        db = self.view.db
        self.view.tasks.run(lambda _p: rename_view(db, old, new), write=True, owner=self.view,
                            on_success=lambda view: self.load_views(select=view.name), on_failure=self._failed)

    def ask_delete(self) -> QMessageBox | None:
        name = self.current_name()
        if not name:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Delete view"),
                          self.tr("Delete the view “{name}”? The requests are not touched.").format(name=name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self.view)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.accepted.connect(lambda: self.delete(name))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        box.open()
        return box

    def delete(self, name: str) -> None:
        db = self.view.db
        self.view.tasks.run(lambda _p: delete_view(db, name), write=True, owner=self.view,
                            on_success=lambda _ok: self.load_views(), on_failure=self._failed)

    def _ask(self, title: str, label: str, text: str, then: object) -> QInputDialog:
        dialog = QInputDialog(self.view)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextValue(text)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(then)
        self.message = None
        dialog.open()
        return dialog

    def _failed(self, exc: BaseException) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Saved views"), str(exc), QMessageBox.StandardButton.Ok,
                          self.view)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        box.open()

    # --- export and print -------------------------------------------------------------------------

    def columns(self) -> list[tuple[str, str]]:
        """(key, title) of the columns the queue shows, in its order, the masked phone after the company."""
        table, model = self.view.table, self.view.model
        header = table.horizontalHeader()
        out: list[tuple[str, str]] = []
        for visual in range(header.count()):
            column = Column(header.logicalIndex(visual))
            if column != Column.ENTERPRISE and table.isColumnHidden(int(column)) and \
                    int(column) not in self.view.columns.auto_hidden:
                continue  # hidden by the user; the ones hidden for width only are exported
            out.append((COLUMN_KEYS[column], model.column_title(column)))
            if column == Column.ENTERPRISE:
                out.append(("phone", self.tr("Phone")))
        return out

    def default_name(self) -> str:
        return self.tr("requests-{day}.xlsx").format(day=QDate.currentDate().toString("yyyyMMdd"))

    def ask_export(self) -> QFileDialog:
        """Ask where to save the workbook (a non-native dialog opened with ``open()``), then export."""
        dialog = QFileDialog(self.view, self.tr("Export the list to Excel"),
                             str(Path.home() / self.default_name()), self.tr("Excel workbook (*.xlsx)"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("xlsx")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.open()
        return dialog

    def export_to(self, path: Path, flt: RequestFilter | None = None) -> None:
        """Write the current list to ``path`` in the background (progress, Cancel)."""
        db, columns, language = self.view.db, self.columns(), current_language()
        flt = flt or self.view.model.filter
        sheet = self.tr("Requests")

        def run(progress: object) -> int:
            from xuhui_desk.services.list_export import export_requests_xlsx

            return export_requests_xlsx(db, flt, path, columns, language=language, now=datetime.now(UTC),
                                        sheet_title=sheet, progress=progress)  # type: ignore[arg-type]

        self.view.tasks.run(run, on_success=lambda count: self._exported(path, count), on_failure=self._export_failed,
                            owner=self.view, label=self.tr("Exporting the list…"), cancellable=True)

    def _exported(self, path: Path, count: int) -> None:
        self.exported = path
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Export the list to Excel"),
                          self.tr("{count} requests written to {path}").format(
                              count=self.view.locale().toString(count), path=path),
                          QMessageBox.StandardButton.Close, self.view)
        open_file = box.addButton(self.tr("Open the file"), QMessageBox.ButtonRole.ActionRole)
        open_folder = box.addButton(self.tr("Open the folder"), QMessageBox.ButtonRole.ActionRole)
        open_file.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))
        box.setDefaultButton(open_file)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        box.open()

    def _export_failed(self, exc: BaseException) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Export the list to Excel"),
                          self.tr("The list could not be exported: {error}").format(error=exc),
                          QMessageBox.StandardButton.Ok, self.view)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        box.open()

    def print_list(self) -> None:
        """Read the list in the background, then open its landscape print preview."""
        db, columns, language = self.view.db, self.columns(), current_language()
        flt = self.view.model.filter

        def read(_progress: object) -> PrintList:
            from xuhui_desk.services.list_export import list_rows

            return list_rows(db, flt, [k for k, _t in columns], language=language, now=datetime.now(UTC))

        self.view.tasks.run(
            read, on_success=lambda found: self._preview(found, [t for _k, t in columns]),
            on_failure=self._export_failed, owner=self.view, label=self.tr("Preparing the list…"),
            cancellable=True)

    def document(self, found: PrintList, titles: list[str]) -> QTextDocument:
        """The list as a table document (title, what it shows, the rows)."""
        from xuhui_desk.services.list_export import PRINT_LIMIT

        title = self.tr("Requests — {filters}").format(filters=self.view.describe_filters())
        note = (self.tr("{shown} of {total} requests (the first {limit}; export the list for all of them)")
                if found.total > len(found.rows) else self.tr("{total} requests")).format(
                    shown=len(found.rows), total=found.total, limit=PRINT_LIMIT)
        head = "".join(f"<th>{html.escape(t)}</th>" for t in titles)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in found.rows)
        doc = QTextDocument()
        doc.setDefaultStyleSheet("th { background: #e4e7eb; text-align: left; } td, th { padding: 2px 4px; }")
        doc.setHtml(f"<h3>{html.escape(title)}</h3><p>{html.escape(note)} · "
                    f"{html.escape(datetime.now().strftime('%Y-%m-%d %H:%M'))}</p>"
                    f"<table border='0.5' cellspacing='0' width='100%'><thead><tr>{head}</tr></thead>"
                    f"<tbody>{body}</tbody></table>")
        return doc

    def _preview(self, found: PrintList, titles: list[str]) -> None:
        from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

        doc = self.document(found, titles)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                          QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
        printer.setDocName(self.tr("Requests"))
        dialog = QPrintPreviewDialog(printer, self.view)
        # The dialog only points at the printer: it must live as long as the dialog.
        dialog.printer_kept = printer  # type: ignore[attr-defined]
        self.printer = printer
        dialog.setWindowTitle(self.tr("Print the list"))
        doc.setParent(dialog)
        dialog.paintRequested.connect(lambda target: doc.print_(target))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview = dialog
        self.printed_document = doc
        dialog.open()


