"""The weekly report dialog (统计报表 → 生成周报…, Ctrl+R).

The lead picks the ISO week (the last complete week by default; the running week is allowed and
marked "so far"), masked or unmasked (unmasked asks for a reason, written to the audit log),
the workbook's language and where to save it (the folder is remembered in ``window.ini`` of the
data folder). The workbook is written on a background worker by the same writer as
``xuhui-desk report``, with progress and Cancel; afterwards the dialog offers to open the file
or its folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.services.reports import ReportError, ReportWeek, WeeklyReport
from xuhui_desk.services.weekly import ReportChoices, export_report, report_choices, suggested_path
from xuhui_desk.services.workdays import CalendarYearUnknown
from xuhui_desk.ui.i18n import LANGUAGE_NAMES
from xuhui_desk.ui.tasks import Progress, Task, TaskRunner

log = logging.getLogger(__name__)

STATE_FILE = "window.ini"
FOLDER_KEY = "report/folder"


class ReportDialog(QDialog):
    """See the module documentation. ``written(path)`` is emitted when a workbook was saved."""

    written = Signal(str)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.choices: ReportChoices | None = None
        self.saved_path: Path | None = None
        self._task: Task | None = None
        self._outcome: str | None = None
        self._path_edited = False
        self.setWindowTitle(self.tr("Weekly report"))
        self.setMinimumWidth(560)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(12)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)

        self.week_combo = QComboBox()
        self.week_combo.setMinimumContentsLength(26)
        self.week_combo.currentIndexChanged.connect(self._week_changed)
        form.addRow(self.tr("&Week:"), self.week_combo)

        privacy = QWidget()
        column = QVBoxLayout(privacy)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self.masked_radio = QRadioButton(self.tr("&Masked: contact names and phone numbers hidden (recommended)"))
        self.unmasked_radio = QRadioButton(self.tr("&Unmasked: names and phone numbers in full"))
        self.masked_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.masked_radio)
        group.addButton(self.unmasked_radio)
        column.addWidget(self.masked_radio)
        column.addWidget(self.unmasked_radio)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText(self.tr("Why the full contact details are needed (kept in the audit log)"))
        self.reason_edit.setMaxLength(500)
        self.reason_edit.setEnabled(False)
        column.addWidget(self.reason_edit)
        self.unmasked_radio.toggled.connect(self._privacy_changed)
        self.reason_edit.textChanged.connect(self._update_buttons)
        form.addRow(self.tr("Privacy:"), privacy)

        self.language_combo = QComboBox()
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(name, code)
        form.addRow(self.tr("&Language:"), self.language_combo)

        where_box = QWidget()
        where = QHBoxLayout(where_box)
        where.setContentsMargins(0, 0, 0, 0)
        self.path_edit = QLineEdit()
        self.path_edit.textEdited.connect(self._path_typed)
        self.path_edit.textChanged.connect(self._update_buttons)
        self.browse_button = QPushButton(self.tr("&Browse…"))
        self.browse_button.clicked.connect(self.browse)
        where.addWidget(self.path_edit, 1)
        where.addWidget(self.browse_button)
        form.addRow(self.tr("&Save as:"), where_box)
        label = form.labelForField(where_box)
        if isinstance(label, QLabel):
            label.setBuddy(self.path_edit)  # Alt+S reaches the file name, not the row
        layout.addLayout(form)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)

        self.done_panel = QFrame()
        self.done_panel.setObjectName("card")
        done_layout = QHBoxLayout(self.done_panel)
        done_layout.setContentsMargins(12, 8, 12, 8)
        self.open_file_button = QPushButton(self.tr("&Open the file"))
        self.open_file_button.clicked.connect(self.open_file)
        self.open_folder_button = QPushButton(self.tr("Open the &folder"))
        self.open_folder_button.clicked.connect(self.open_folder)
        done_layout.addWidget(self.open_file_button)
        done_layout.addWidget(self.open_folder_button)
        done_layout.addStretch(1)
        self.done_panel.hide()
        layout.addWidget(self.done_panel)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.create_button = QPushButton(self.tr("&Create the report"))
        self.create_button.setProperty("primary", True)
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create_report)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.create_report)

        self._set_busy(True)
        self.tasks.run(lambda _p: report_choices(self.db), on_success=self._choices_loaded,
                       on_failure=self._show_error, owner=self)

    # --- choices -------------------------------------------------------------------------------

    def _state(self) -> QSettings:
        return QSettings(str(self.db.path.parent / STATE_FILE), QSettings.Format.IniFormat)

    def _folder(self) -> Path:
        stored = self._state().value(FOLDER_KEY)
        if isinstance(stored, str) and stored and Path(stored).is_dir():
            return Path(stored)
        documents = Path.home() / "Documents"
        return documents if documents.is_dir() else Path.home()

    def _week_text(self, week: ReportWeek, choices: ReportChoices) -> str:
        days = self.tr("{start} – {end}").format(start=week.monday.strftime("%m-%d"),
                                                 end=week.days[-1].strftime("%m-%d"))
        if week == choices.current:
            return self.tr("{week} ({days}, this week so far)").format(week=week.label, days=days)
        if week == choices.default:
            return self.tr("{week} ({days}, last week)").format(week=week.label, days=days)
        return self.tr("{week} ({days})").format(week=week.label, days=days)

    def _choices_loaded(self, choices: ReportChoices) -> None:
        self.choices = choices
        self.week_combo.blockSignals(True)
        for week in choices.weeks:
            self.week_combo.addItem(self._week_text(week, choices), week.label)
        self.week_combo.setCurrentIndex(choices.weeks.index(choices.default))
        self.week_combo.blockSignals(False)
        index = self.language_combo.findData(choices.language)
        self.language_combo.setCurrentIndex(max(index, 0))
        self._set_busy(False)
        self._week_changed()
        self.week_combo.setFocus()

    def selected_week(self) -> ReportWeek | None:
        if self.choices is None or self.week_combo.currentIndex() < 0:
            return None
        return self.choices.weeks[self.week_combo.currentIndex()]

    def _week_changed(self) -> None:
        week = self.selected_week()
        if week is None or self.choices is None:
            return
        folder = Path(self.path_edit.text()).parent if self._path_edited and self.path_edit.text() else self._folder()
        self.path_edit.setText(str(suggested_path(folder, self.choices.station_code, week)))
        self._path_edited = False

    def _path_typed(self) -> None:
        self._path_edited = True

    def _privacy_changed(self, unmasked: bool) -> None:
        self.reason_edit.setEnabled(unmasked)
        if unmasked:
            self.reason_edit.setFocus()
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = (self.choices is not None and self._task is None and bool(self.path_edit.text().strip())
                 and (not self.unmasked_radio.isChecked() or bool(self.reason_edit.text().strip())))
        self.create_button.setEnabled(ready)

    def browse(self) -> None:
        current = Path(self.path_edit.text().strip() or self._folder())
        chosen, _filter = QFileDialog.getSaveFileName(self, self.tr("Save the weekly report"), str(current),
                                                      self.tr("Excel workbook (*.xlsx)"))
        if chosen:
            path = Path(chosen)
            if path.suffix.lower() != ".xlsx":
                path = path.with_name(path.name + ".xlsx")
            self.path_edit.setText(str(path))
            self._path_edited = True

    # --- creating ------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.week_combo, self.masked_radio, self.unmasked_radio, self.language_combo,
                       self.path_edit, self.browse_button):
            widget.setEnabled(not busy)
        self.reason_edit.setEnabled(not busy and self.unmasked_radio.isChecked())
        self._update_buttons()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setObjectName("fieldError" if error else "muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def create_report(self) -> None:
        week = self.selected_week()
        if week is None or self.choices is None or self._task is not None or not self.create_button.isEnabled():
            return
        out = Path(self.path_edit.text().strip()).expanduser()
        if out.suffix.lower() != ".xlsx":
            out = out.with_name(out.name + ".xlsx")
            self.path_edit.setText(str(out))
        if not out.parent.is_dir():
            self._say(self.tr("The folder {folder} does not exist.").format(folder=out.parent), error=True)
            return
        if out.is_dir():
            self._say(self.tr("{path} is a folder: give a file name ending in .xlsx").format(path=out), error=True)
            return
        if out.exists():
            box = QMessageBox(QMessageBox.Icon.Question, self.tr("Weekly report"),
                              self.tr("{name} already exists. Replace it?").format(name=out.name),
                              QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
            box.setDefaultButton(QMessageBox.StandardButton.No)
            if box.exec() != QMessageBox.StandardButton.Yes:
                return
        unmasked = self.unmasked_radio.isChecked()
        reason = self.reason_edit.text().strip()
        language = str(self.language_combo.currentData())
        actor = self.choices.specialist
        phases = {"query": self.tr("Reading the week's requests…"), "figures": self.tr("Counting…"),
                  "summary": self.tr("Writing the summary…"), "requests": self.tr("Writing the requests…"),
                  "done": self.tr("Finishing…")}

        def work(progress: Progress) -> WeeklyReport:
            def report(done: int, total: int, phase: str) -> None:
                progress(done, total, phases.get(phase, ""))

            return export_report(self.db, week, out, language=language, unmasked=unmasked, reason=reason,
                                 actor=actor, progress=report)

        self.done_panel.hide()
        self.saved_path = None
        self._outcome = None
        self._say(self.tr("Creating the report for {week}…").format(week=week.label))
        self._task = self.tasks.run(work, on_success=lambda report: self._written(out, report),
                                    on_failure=self._show_error, label=self.tr("Creating the weekly report…"),
                                    owner=self, cancellable=True)
        self._task.finished.connect(self._task_finished)
        self._set_busy(True)

    def _task_finished(self) -> None:
        # The runner says "finished" before it calls back: look at the outcome once it has.
        self._task = None
        QTimer.singleShot(0, self._after_task)

    def _after_task(self) -> None:
        self._set_busy(False)
        if self._outcome is None:  # cancelled: the runner calls neither callback
            self._say(self.tr("Cancelled: no report was written."))

    def _written(self, out: Path, report: WeeklyReport) -> None:
        self._outcome = "written"
        self.saved_path = out
        self._state().setValue(FOLDER_KEY, str(out.parent))
        totals = report.totals
        text = self.tr("Saved {name}: {new} new, {resolved} resolved, {open} still open, {overdue} overdue.").format(
            name=out.name, new=totals.new, resolved=totals.resolved, open=totals.open, overdue=totals.overdue)
        if report.partial:
            text += " " + self.tr("The week is not over yet: the figures are those of today.")
        self._say(text)
        self.done_panel.show()
        self.open_file_button.setFocus()
        self.written.emit(str(out))

    def _show_error(self, exc: BaseException) -> None:
        self._outcome = "failed"
        if isinstance(exc, CalendarYearUnknown | ReportError):
            text = str(exc)
        elif isinstance(exc, OSError):
            text = self.tr("The report cannot be written: {error}").format(error=exc.strerror or exc)
        else:
            log.error("the weekly report failed: %r", exc)
            text = self.tr("The report could not be made: {error}").format(error=exc)
        self._say(text, error=True)

    # --- afterwards ----------------------------------------------------------------------------

    def open_file(self) -> None:
        if self.saved_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved_path)))

    def open_folder(self) -> None:
        if self.saved_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved_path.parent)))

    def reject(self) -> None:
        if self._task is not None:
            self._task.cancel()
        super().reject()
