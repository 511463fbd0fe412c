"""The main window: navigation on the left, one page per task, the sync state in the status bar.

Pages are built when first opened (the intake form at once, since the day starts there),
so the window shows fast and pages written by other parts of the program are imported
only when needed. A page whose module is not available shows a calm placeholder.

Shortcuts: Ctrl+1 intake, Ctrl+2 queue, Ctrl+3 directory, Ctrl+4 reports, Ctrl+, settings,
F2 new intake, Ctrl+Shift+S sync now. Window geometry lives in ``window.ini`` in the data
folder (never in the user's own QSettings).

Sync with the district hub runs in the background (:class:`~xuhui_desk.ui.sync_controller.SyncController`,
started once the window shows, stopped when it closes); the status bar shows its state and its
progress, and its warning opens the sync panel (:mod:`xuhui_desk.ui.sync_panel`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, QPersistentModelIndex, QSettings, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QCursor,
    QDesktopServices,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from xuhui_desk import __version__
from xuhui_desk.codes import SyncErrorKind
from xuhui_desk.db import Database
from xuhui_desk.services.timefmt import to_local
from xuhui_desk.startup import StationInfo
from xuhui_desk.ui.sync_controller import SyncController, is_online
from xuhui_desk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

STATE_FILE = "window.ini"
NAV_WIDTH = 188
CARD_MAX_WIDTH = 760
SYNC_SHORTCUT = "Ctrl+Shift+S"
# The status bar's warning is cut to this width (the whole text is in its tooltip and the panel).
WARNING_MAX_WIDTH = 560


class Page(IntEnum):
    INTAKE = 0
    QUEUE = 1
    DIRECTORY = 2
    REPORTS = 3
    SETTINGS = 4


PAGE_SHORTCUTS: dict[Page, str] = {
    Page.INTAKE: "Ctrl+1",
    Page.QUEUE: "Ctrl+2",
    Page.DIRECTORY: "Ctrl+3",
    Page.REPORTS: "Ctrl+4",
    Page.SETTINGS: "Ctrl+,",
}


class _NavDelegate(QStyledItemDelegate):
    """Navigation item: its label, and its shortcut in a quieter colour on the right."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        hint = index.data(Qt.ItemDataRole.UserRole + 1)
        if not hint:
            return
        painter.save()
        font = option.font  # type: ignore[attr-defined]
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        painter.setPen(QColor("#8fa6c1"))
        rect = option.rect.adjusted(0, 0, -12, 0)  # type: ignore[attr-defined]
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), str(hint))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), 40))


class _ClickableLabel(QLabel):
    """A status-bar label that opens something when clicked."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class MainWindow(QMainWindow):
    """The workstation's main window (see the module documentation)."""

    # The settings page saved a new language; the application rebuilds the window in it.
    languageChangeRequested = Signal(str)
    # The lead chose and confirmed a backup to restore (its path); the application swaps databases.
    restoreRequested = Signal(str)

    def __init__(self, db: Database, tasks: TaskRunner, data_dir: Path | None = None,
                 parent: QWidget | None = None, *, station: StationInfo | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.data_dir = Path(data_dir) if data_dir is not None else db.path.parent
        self._pages: dict[Page, QWidget] = {}
        self._station_name = ""
        self._station_code = ""
        self._specialist = ""
        if station is not None:
            # Read by the application with plain sqlite3: the database may still be opening.
            self._station_name, self._station_code, self._specialist = station.name, station.code, \
                station.specialist
        else:
            self._load_station()

        self.setWindowTitle(self._title())
        self.setMinimumSize(1024, 640)
        self.resize(1366, 768)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._build_nav())
        self.stack = QStackedWidget()
        for _page in Page:
            holder = QWidget()
            holder.setObjectName("page")
            holder_layout = QVBoxLayout(holder)
            holder_layout.setContentsMargins(0, 0, 0, 0)
            self.stack.addWidget(holder)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.sync = SyncController(db, tasks, self)
        self.sync_panel: Any = None
        self._sync_started = False
        self._sync_warning = ""
        self._sync_asked = False  # the running round was asked for (its result is always said)
        self._build_actions()
        self._build_status_bar()
        self.set_sync_status(None, 0, None, None)
        self.sync.statusChanged.connect(self._sync_status_changed)
        self.sync.roundStarted.connect(self._sync_round_started)
        self.sync.progressed.connect(self._sync_progressed)
        self.sync.roundFinished.connect(self._sync_round_finished)
        self.sync.requestsChanged.connect(self._sync_changed_requests)
        self.show_page(Page.INTAKE)

    # --- station ------------------------------------------------------------------------------

    def _load_station(self) -> None:
        from xuhui_desk.services.station import get_setting, get_station

        # One tiny read while the window is built (well under the 50 ms budget).
        with self.db.session() as session:
            station = get_station(session)
            self._station_name = station.name if station else ""
            self._station_code = station.code if station else ""
            self._specialist = get_setting(session, "specialist")

    def _title(self) -> str:
        app = self.tr("Xuhui Enterprise Service Desk")
        if self._station_name:
            return self.tr("{app} — {station} ({code})").format(app=app, station=self._station_name,
                                                                 code=self._station_code)
        return app

    def update_station(self, name: str, code: str, specialist: str) -> None:
        """Show new station details (after the settings were saved)."""
        self._station_name, self._station_code, self._specialist = name, code, specialist
        self.setWindowTitle(self._title())
        self.nav_station.setText(name)
        self.nav_code.setText(self.tr("Station {code}").format(code=code))
        self.nav_footer.setText(self._footer_text())

    def _footer_text(self) -> str:
        if self._specialist:
            return self.tr("Specialist: {name}").format(name=self._specialist)
        return self.tr("Specialist not set")

    # --- navigation ---------------------------------------------------------------------------

    def page_title(self, page: Page) -> str:
        return {
            Page.INTAKE: self.tr("Intake"),
            Page.QUEUE: self.tr("Requests"),
            Page.DIRECTORY: self.tr("Directory"),
            Page.REPORTS: self.tr("Reports"),
            Page.SETTINGS: self.tr("Settings"),
        }[page]

    def _build_nav(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("navPanel")
        panel.setFixedWidth(NAV_WIDTH)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 16, 0, 12)
        layout.setSpacing(2)
        self.nav_station = QLabel(self._station_name)
        self.nav_station.setObjectName("navStation")
        self.nav_station.setWordWrap(True)
        self.nav_code = QLabel(self.tr("Station {code}").format(code=self._station_code))
        self.nav_code.setObjectName("navStationCode")
        for label in (self.nav_station, self.nav_code):
            label.setContentsMargins(16, 0, 12, 0)
            layout.addWidget(label)
        layout.addSpacing(14)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setItemDelegate(_NavDelegate(self.nav))
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for page in Page:
            shortcut = QKeySequence(PAGE_SHORTCUTS[page]).toString(QKeySequence.SequenceFormat.NativeText)
            item = QListWidgetItem(self.page_title(page))
            item.setData(Qt.ItemDataRole.UserRole, int(page))
            item.setData(Qt.ItemDataRole.UserRole + 1, shortcut)
            item.setToolTip(self.tr("{page} ({shortcut})").format(page=self.page_title(page), shortcut=shortcut))
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._nav_changed)
        layout.addWidget(self.nav, 1)
        self.nav_footer = QLabel(self._footer_text())
        self.nav_footer.setObjectName("navFooter")
        self.nav_footer.setContentsMargins(16, 0, 12, 0)
        self.nav_footer.setWordWrap(True)
        layout.addWidget(self.nav_footer)
        return panel

    def _nav_changed(self, row: int) -> None:
        if row >= 0:
            self.show_page(Page(row), focus=False)

    def current_page(self) -> Page:
        return Page(self.stack.currentIndex())

    def page(self, page: Page) -> QWidget:
        """The page's widget, built on first use."""
        if page not in self._pages:
            widget = self._create_page(page)
            holder = self.stack.widget(int(page))
            holder.layout().addWidget(widget)
            self._pages[page] = widget
        return self._pages[page]

    def show_page(self, page: Page, *, focus: bool = True) -> QWidget:
        if page != self.current_page() and not self._may_leave(self.current_page()):
            self._sync_nav()
            return self.page(self.current_page())
        widget = self.page(page)
        self.stack.setCurrentIndex(int(page))
        if self.nav.currentRow() != int(page):
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(int(page))
            self.nav.blockSignals(False)
        if focus:
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return widget

    def _sync_nav(self) -> None:
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(int(self.current_page()))
        self.nav.blockSignals(False)

    def _may_leave(self, page: Page) -> bool:
        """Leaving Settings with changes not saved asks first (audit D24): save, discard or stay."""
        from xuhui_desk.ui.settings_dialog import SettingsForm

        form = self._pages.get(page)
        if page != Page.SETTINGS or not isinstance(form, SettingsForm) or not form.is_dirty():
            return True
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Settings"),
                          self.tr("The settings were changed but not saved."), parent=self)
        save = box.addButton(self.tr("Save"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(self.tr("Discard the changes"), QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton(self.tr("Stay on Settings"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is discard:
            form.reload()
            return True
        if clicked is save:
            form.save()
            return form.is_saving()  # invalid fields: the form says which, and the page stays
        return False

    def _create_page(self, page: Page) -> QWidget:
        factories: dict[Page, Callable[[], QWidget]] = {
            Page.INTAKE: self._create_intake,
            Page.QUEUE: self._create_queue,
            Page.DIRECTORY: self._create_directory,
            Page.REPORTS: self._create_reports,
            Page.SETTINGS: self._create_settings,
        }
        # No safety net: a page that cannot be built is a bug, and it must fail loudly (in tests too).
        return factories[page]()

    def _create_intake(self) -> QWidget:
        from xuhui_desk.ui.intake_form import IntakeForm

        form = IntakeForm(self.db, self.tasks, self)
        form.saved.connect(self._intake_saved)
        form.requestActivated.connect(self.show_request)
        return form

    def _create_queue(self) -> QWidget:
        from xuhui_desk.ui.detail import DetailView
        from xuhui_desk.ui.queue_view import QueueView, ReadingPane

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("queueSplitter")
        splitter.setChildrenCollapsible(False)
        self.queue_view = QueueView(self.db, self.tasks, splitter)
        splitter.addWidget(self.queue_view)
        self.detail_view = DetailView(self.db, self.tasks, splitter)
        splitter.addWidget(self.detail_view)
        self.queue_view.requestActivated.connect(self.detail_view.show_request)
        # Hidden while empty, opened at the user's width, emptied when a new search drops its request.
        self.reading_pane = ReadingPane(splitter, self.queue_view, self.detail_view, self._settings)
        splitter.setFocusProxy(self.queue_view)
        self.queue_splitter = splitter
        return splitter

    def _create_directory(self) -> QWidget:
        from xuhui_desk.ui.directory_view import DirectoryView

        return DirectoryView(self.db, self.tasks, self)

    def _create_reports(self) -> QWidget:
        from xuhui_desk.ui.reports_page import ReportsPage

        return ReportsPage(self.db, self.tasks, self)

    def _create_settings(self) -> QWidget:
        from xuhui_desk.ui.settings_dialog import SettingsForm

        form = SettingsForm(self.db, self.tasks, self)
        form.saved.connect(self._settings_saved)
        return form

    def show_request(self, uuid: str) -> None:
        """Open the queue page with this request in the detail view."""
        self.show_page(Page.QUEUE)
        self.queue_view.select_request(uuid)
        self.detail_view.show_request(uuid)

    @property
    def intake_form(self) -> Any:
        return self.page(Page.INTAKE)

    def new_intake(self) -> None:
        """F2: the intake page with an empty form (asking first if a typed form would be lost)."""
        form = self.show_page(Page.INTAKE)
        form.start_new(confirm=True)

    def _intake_saved(self, uuid: str, tracking_no: str) -> None:
        self.statusBar().showMessage(self.tr("Saved {tracking_no}").format(tracking_no=tracking_no), 8000)
        # The queue and the detail pane listen to the program's request notices.
        from xuhui_desk.ui.queue_model import request_signals

        request_signals().changed.emit(uuid)

    def _settings_saved(self, values: dict[str, str], language_changed: bool) -> None:
        self.update_station(values.get("station_name", self._station_name), self._station_code,
                            values.get("specialist", self._specialist))
        self.statusBar().showMessage(self.tr("Settings saved"), 5000)
        self.sync.settings_changed()  # the hub address or token may be new
        if language_changed:
            self.languageChangeRequested.emit(values["language"])

    # --- actions and menus --------------------------------------------------------------------

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu(self.tr("&File"))
        self.action_new_intake = QAction(self.tr("&New intake"), self)
        self.action_new_intake.setShortcut(QKeySequence("F2"))
        self.action_new_intake.triggered.connect(self.new_intake)
        file_menu.addAction(self.action_new_intake)
        file_menu.addSeparator()
        self.action_backup = QAction(self.tr("&Back up the database now"), self)
        self.action_backup.triggered.connect(self.backup_now)
        file_menu.addAction(self.action_backup)
        self.action_backups_folder = QAction(self.tr("Open the backups &folder"), self)
        self.action_backups_folder.triggered.connect(self.open_backups_folder)
        file_menu.addAction(self.action_backups_folder)
        self.action_restore = QAction(self.tr("&Restore from a backup…"), self)
        self.action_restore.triggered.connect(self.choose_backup)
        file_menu.addAction(self.action_restore)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        sync_menu = menu.addMenu(self.tr("S&ync"))
        self.action_sync_now = QAction(self.tr("&Sync now"), self)
        self.action_sync_now.setShortcut(QKeySequence(SYNC_SHORTCUT))
        self.action_sync_now.triggered.connect(self.sync_now)
        sync_menu.addAction(self.action_sync_now)
        self.action_sync_panel = QAction(self.tr("&Refused records and sync state…"), self)
        self.action_sync_panel.triggered.connect(self.show_sync_panel)
        sync_menu.addAction(self.action_sync_panel)
        self.addAction(self.action_sync_now)

        go_menu = menu.addMenu(self.tr("&Go"))
        self.page_actions: dict[Page, QAction] = {}
        for page in Page:
            action = QAction(self.page_title(page), self)
            action.setShortcut(QKeySequence(PAGE_SHORTCUTS[page]))
            action.triggered.connect(lambda _checked=False, p=page: self.show_page(p))
            go_menu.addAction(action)
            self.addAction(action)
            self.page_actions[page] = action
        self.addAction(self.action_new_intake)
        self.addAction(quit_action)

        help_menu = menu.addMenu(self.tr("&Help"))
        shortcuts_action = QAction(self.tr("&Keyboard shortcuts"), self)
        shortcuts_action.setShortcut(QKeySequence("F1"))
        shortcuts_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(shortcuts_action)
        self.addAction(shortcuts_action)
        about = QAction(self.tr("&About"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def shortcut_help(self) -> str:
        rows = [
            (self.tr("Intake"), "Ctrl+1"),
            (self.tr("Requests"), "Ctrl+2"),
            (self.tr("Directory"), "Ctrl+3"),
            (self.tr("Reports"), "Ctrl+4"),
            (self.tr("Settings"), "Ctrl+,"),
            (self.tr("New intake"), "F2"),
            (self.tr("Save the intake"), "Ctrl+S"),
            (self.tr("Accept the suggested category"), "Ctrl+Enter"),
            (self.tr("Link to the open request shown"), "Alt+L"),
            (self.tr("Print the receipt"), "Ctrl+P"),
            (self.tr("Search the requests or the directory"), "Ctrl+F"),
            (self.tr("Open the selected request or company"), "Enter"),
            (self.tr("Save the note being written (detail pane)"), "Ctrl+Enter"),
            (self.tr("Weekly report (Reports page)"), "Ctrl+R"),
            (self.tr("Sync with the district hub now"), SYNC_SHORTCUT),
            (self.tr("This list"), "F1"),
        ]
        lines = "".join(
            f"<tr><td style='padding-right:18px'>{label}</td>"
            f"<td><b>{QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)}</b></td></tr>"
            for label, key in rows
        )
        return f"<table>{lines}</table>"

    def backup_now(self) -> None:
        """File ▸ Back up now: a consistent copy in the backups folder, on a worker."""
        from xuhui_desk.services.backups import make_backup

        data_dir = self.data_dir
        self.statusBar().showMessage(self.tr("Backing up…"))

        def done(path: Path) -> None:
            self.statusBar().showMessage(self.tr("Backed up to {path}").format(path=path), 10000)

        def failed(exc: BaseException) -> None:
            self.statusBar().clearMessage()
            QMessageBox.warning(self, self.tr("Backup"), self.tr("The backup could not be written: {error}").format(
                error=exc))

        self.tasks.run(lambda _p: make_backup(data_dir), on_success=done, on_failure=failed,
                       label=self.tr("Backing up the database…"), parent=self)

    def choose_backup(self) -> None:
        """File ▸ Restore: pick a backup; it is checked and described in the background, then confirmed."""
        from xuhui_desk.config import backup_dir

        chosen, _filter = QFileDialog.getOpenFileName(self, self.tr("Restore from a backup"),
                                                      str(backup_dir(self.data_dir)),
                                                      self.tr("Database backups (*.db);;All files (*)"))
        if chosen:
            self.confirm_restore(Path(chosen))

    def confirm_restore(self, path: Path) -> None:
        from xuhui_desk.services.backups import BackupDescription, describe_backup

        def described(info: BackupDescription) -> None:
            newest = to_local(info.newest_request_at).strftime("%Y-%m-%d %H:%M") if info.newest_request_at else "—"
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Restore from a backup"), self.tr(
                "Replace this workstation's data with the backup {name}?").format(name=path.name), parent=self)
            box.setInformativeText(self.tr(
                "Station: {station}\nRequests: {count}, the newest {newest}\nHub: {hub}\n\n"
                "Everything saved since that backup is replaced; the data as it is now is kept as a safety "
                "copy in the backups folder. The window reopens after the restore.").format(
                station=f"{info.station_code or ''} {info.station_name or ''}".strip() or "—",
                count=info.requests, newest=newest, hub=info.hub_url or "—"))
            restore = box.addButton(self.tr("Restore"), QMessageBox.ButtonRole.DestructiveRole)
            cancel = box.addButton(QMessageBox.StandardButton.Cancel)
            box.setDefaultButton(cancel)
            box.setEscapeButton(cancel)
            box.finished.connect(lambda _r: box.clickedButton() is restore and self.restoreRequested.emit(str(path)))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

        def refused(exc: BaseException) -> None:
            QMessageBox.warning(self, self.tr("Restore from a backup"),
                                self.tr("This file cannot be restored: {error}").format(error=exc))

        self.tasks.run(lambda _p: describe_backup(path), on_success=described, on_failure=refused,
                       label=self.tr("Checking the backup…"), parent=self)

    def open_backups_folder(self) -> None:
        from xuhui_desk.config import backup_dir

        folder = backup_dir(self.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, self.tr("Keyboard shortcuts"), self.shortcut_help())

    def show_about(self) -> None:
        text = self.tr(
            "<h3>Xuhui Enterprise Service Desk {version}</h3>"
            "<p>The workstation of Xuhui District's \"13+N\" enterprise service stations: intake, "
            "routing, receipts, follow-up and the weekly report, working offline and syncing with "
            "the district hub.</p><p>Data folder: {folder}</p>"
        ).format(version=__version__, folder=self.data_dir)
        QMessageBox.about(self, self.tr("About"), text)

    # --- status bar ---------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.sync_state_label = QLabel()
        self.sync_pending_label = QLabel()
        self.sync_last_label = QLabel()
        self.sync_warning_label = _ClickableLabel()
        self.sync_warning_label.setObjectName("syncWarning")
        self.sync_warning_label.setCursor(QCursor(Qt.CursorShape.PointingHandCursor))
        self.sync_warning_label.clicked.connect(self.show_sync_panel)
        self.sync_progress = QProgressBar()
        self.sync_progress.setObjectName("syncProgress")
        self.sync_progress.setFixedSize(110, 12)
        self.sync_progress.setTextVisible(False)
        self.sync_progress.hide()
        self.sync_button = QToolButton()
        self.sync_button.setObjectName("syncButton")
        self.sync_button.setText(self.tr("Sync now"))
        self.sync_button.setToolTip(self.tr("Sync with the district hub now ({shortcut})").format(
            shortcut=QKeySequence(SYNC_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)))
        self.sync_button.setAutoRaise(True)
        self.sync_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sync_button.clicked.connect(self.sync_now)
        for widget in (self.sync_warning_label, self.sync_pending_label, self.sync_last_label,
                       self.sync_state_label, self.sync_progress, self.sync_button):
            bar.addPermanentWidget(widget)

    def set_sync_status(self, online: bool | None, pending: int, last_sync: datetime | None,
                        warning: str | None, *, configured: bool | None = None) -> None:
        """Show the sync state: ``online`` None means sync is not set up (no hub address) or, with
        ``configured`` True, not known yet (no round so far).

        ``last_sync`` is an aware datetime (shown in Asia/Shanghai); ``warning`` a short sentence
        for the specialist (clicking it opens the sync panel), or None.
        """
        if online is None and configured:
            text, name = self.tr("○ Not synced yet"), "syncOffline"
        elif online is None:
            text, name = self.tr("Sync not set up"), "syncOffline"
        elif online:
            text, name = self.tr("● Online"), "syncOnline"
        else:
            text, name = self.tr("● Offline"), "syncOffline"
        self.sync_state_label.setText(text)
        self.sync_state_label.setObjectName(name)
        self.sync_state_label.style().unpolish(self.sync_state_label)
        self.sync_state_label.style().polish(self.sync_state_label)
        self.sync_pending_label.setText(self.tr("Waiting to sync: {count}").format(count=max(0, pending)))
        if last_sync is None:
            self.sync_last_label.setText(self.tr("Last sync: never"))
        else:
            local = to_local(last_sync)
            self.sync_last_label.setText(self.tr("Last sync: {time}").format(time=local.strftime("%m-%d %H:%M")))
            self.sync_last_label.setToolTip(local.strftime("%Y-%m-%d %H:%M:%S"))
        self._sync_warning = warning or ""
        self._show_warning()
        self.sync_warning_label.setToolTip(
            (warning + "\n" + self.tr("Click for the sync panel")) if warning else "")
        self.sync_warning_label.setVisible(bool(warning))

    def _show_warning(self) -> None:
        metrics = self.sync_warning_label.fontMetrics()
        self.sync_warning_label.setText(metrics.elidedText(self._sync_warning, Qt.TextElideMode.ElideRight,
                                                           WARNING_MAX_WIDTH))

    # --- sync ---------------------------------------------------------------------------------

    def sync_now(self) -> None:
        """Ctrl+Shift+S, the status bar's button and Sync ▸ Sync now: a round in the background."""
        status = self.sync.status
        if status is not None and not status.configured:
            self.statusBar().showMessage(
                self.tr("Sync is not set up: enter the hub address and the station token in Settings"), 8000)
            self.show_page(Page.SETTINGS)
            self.sync.settings_changed()
            return
        if self.sync.sync_now():
            self._sync_asked = True
        else:
            self.statusBar().showMessage(self.tr("A sync is already running"), 4000)

    def show_sync_panel(self) -> Any:
        """The panel of refused records and the sync state (not modal)."""
        from xuhui_desk.ui.sync_panel import SyncPanel

        if self.sync_panel is None or not isValid(self.sync_panel):
            self.sync_panel = SyncPanel(self.db, self.tasks, self.sync, self)
            self.sync_panel.openRequest.connect(self.show_request)
            self.sync_panel.openEnterprise.connect(self._open_enterprise)
            self.sync_panel.openSettings.connect(lambda: self.show_page(Page.SETTINGS))
        self.sync_panel.show()
        self.sync_panel.raise_()
        self.sync_panel.activateWindow()
        return self.sync_panel

    def _open_enterprise(self, name: str) -> None:
        from xuhui_desk.ui.directory_view import DirectoryView

        directory = self.show_page(Page.DIRECTORY)
        assert isinstance(directory, DirectoryView)
        directory.search.setText(name)

    def _sync_status_changed(self, status: Any) -> None:
        if self.sync.running:
            self.sync_pending_label.setText(self.tr("Waiting to sync: {count}").format(count=status.pending))
            return
        warnings = self.sync.warnings(status)
        self.set_sync_status(is_online(status), status.pending, status.last_success_at,
                             warnings[0] if warnings else None, configured=status.configured)
        if len(warnings) > 1:
            self.sync_warning_label.setToolTip("\n".join(warnings) + "\n" + self.tr("Click for the sync panel"))
        others = status.pending - status.pending_requests
        self.sync_pending_label.setToolTip(
            self.tr("{requests} request(s) and {others} other record(s) (companies, timeline entries) "
                    "wait to be sent").format(requests=status.pending_requests, others=others))
        self.sync_button.setEnabled(True)

    def _sync_round_started(self) -> None:
        self.sync_state_label.setText(self.tr("⟳ Syncing…"))
        self.sync_state_label.setObjectName("syncOnline")
        self.sync_state_label.style().unpolish(self.sync_state_label)
        self.sync_state_label.style().polish(self.sync_state_label)
        self.sync_progress.setRange(0, 0)
        self.sync_progress.show()
        self.sync_button.setEnabled(False)

    def _sync_progressed(self, phase: str, done: int, total: int) -> None:
        if phase == "checking":
            text = self.tr("⟳ Contacting the district hub…")
        elif phase == "pushing":
            text = self.tr("⟳ Sending {done} of {total}").format(done=done, total=total) if total \
                else self.tr("⟳ Sending…")
        elif phase == "pulling":
            text = self.tr("⟳ Receiving updates: {count}").format(count=done)
        else:
            return
        self.sync_state_label.setText(text)
        if phase == "pushing" and total:
            self.sync_progress.setRange(0, total)
            self.sync_progress.setValue(min(done, total))
        else:
            self.sync_progress.setRange(0, 0)

    def _sync_round_finished(self, summary: Any) -> None:
        self.sync_progress.hide()
        self.sync_button.setEnabled(True)
        asked, self._sync_asked = self._sync_asked, False
        if summary.ok and (asked or summary.pushed or summary.pulled or summary.rejected):
            parts = [self.tr("Sync finished: {pushed} sent, {pulled} updates received").format(
                pushed=summary.pushed, pulled=summary.pulled)]
            if summary.rejected:
                parts.append(self.tr("{count} refused").format(count=summary.rejected))
            self.statusBar().showMessage(self.tr(", ").join(parts), 8000)
        elif summary.error_kind == SyncErrorKind.BUSY:
            self.statusBar().showMessage(self.tr("Another sync of this station is running"), 5000)

    def _sync_changed_requests(self) -> None:
        """Sent, refused or updated by the district: the queue and the open request show it."""
        if Page.QUEUE in self._pages:
            self.queue_view.refresh()
            self.detail_view.reload()

    # --- state --------------------------------------------------------------------------------

    def _settings(self) -> QSettings:
        return QSettings(str(self.data_dir / STATE_FILE), QSettings.Format.IniFormat)

    def restore_state(self) -> None:
        settings = self._settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def save_state(self) -> None:
        settings = self._settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.sync()  # (the reading pane keeps its own width: queue_view.ReadingPane)

    def handover_state(self) -> dict[str, Any]:
        """What a rebuilt window (after a language switch) takes over: the page and the intake draft.

        This window is being replaced: its sync stops here (the new window's takes over)."""
        self.sync.shutdown()
        state: dict[str, Any] = {"page": int(self.current_page())}
        if Page.INTAKE in self._pages:
            state["draft"] = self.intake_form.draft()
        return state

    def take_over_state(self, state: dict[str, Any]) -> None:
        draft = state.get("draft")
        if draft:
            self.intake_form.restore_draft(draft)
        self.show_page(Page(state.get("page", Page.INTAKE)))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sync_started:
            # Only now, and only a read: the first round follows a few seconds later.
            self._sync_started = True
            self.sync.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        # A running round is cancelled between batches and waited for; what was sent is kept.
        self.sync.shutdown()
        if self.sync_panel is not None and isValid(self.sync_panel):
            self.sync_panel.close()
        self.save_state()
        super().closeEvent(event)
