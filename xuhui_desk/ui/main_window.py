"""The main window: navigation on the left, one page per task, the sync state in the status bar.

Pages are built when first opened (Today at once, since the day starts there), so the window
shows fast and each page's module is imported only when needed. A page that cannot be built is
an error, never a placeholder.

Shortcuts: Ctrl+1 Today, Ctrl+2 intake, Ctrl+3 queue, Ctrl+4 directory, Ctrl+5 reports,
Ctrl+, settings, F2 new intake, Ctrl+Shift+S sync now, Ctrl+Shift+U switch the specialist.
Window geometry (and Today's "only mine") lives in ``window.ini`` in the data folder (never in
the user's own QSettings).

Today's lists are read in the background and kept live (:mod:`xuhui_desk.ui.today.controller`):
their count shows in the navigation, and a desktop notification (the system tray's, when there
is one) announces deadlines within the hour and today's callbacks
(:mod:`xuhui_desk.ui.today.notifier`).

Sync with the district hub runs in the background (:class:`~xuhui_desk.ui.sync_controller.SyncController`,
started once the window shows, stopped when it closes); the status bar shows its state and its
progress, and its warning opens the sync panel (:mod:`xuhui_desk.ui.sync_panel`).

Its parts live beside it: the navigation column (:mod:`~xuhui_desk.ui.nav`), the sync state in
the status bar (:mod:`~xuhui_desk.ui.sync_status`) and the backup actions
(:mod:`~xuhui_desk.ui.backup_actions`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from xuhui_desk import __version__
from xuhui_desk.codes import SyncErrorKind
from xuhui_desk.db import Database
from xuhui_desk.startup import StationInfo, read_station_file
from xuhui_desk.ui.backup_actions import BackupActions
from xuhui_desk.ui.nav import PAGE_SHORTCUTS, NavPanel, Page, page_title
from xuhui_desk.ui.specialist_switch import SHORTCUT as SPECIALIST_SHORTCUT
from xuhui_desk.ui.sync_controller import SyncController, is_online
from xuhui_desk.ui.sync_status import SYNC_SHORTCUT, SyncStatusBar
from xuhui_desk.ui.tasks import Progress, TaskRunner
from xuhui_desk.ui.today.controller import TodayController
from xuhui_desk.ui.today.notifier import DeadlineNotifier

if TYPE_CHECKING:
    from xuhui_desk.services.sync import SyncStatus, SyncSummary
    from xuhui_desk.services.today import Today
    from xuhui_desk.ui.detail import DetailView
    from xuhui_desk.ui.intake import IntakeForm
    from xuhui_desk.ui.queue.reading_pane import ReadingPane
    from xuhui_desk.ui.queue.view import QueueView
    from xuhui_desk.ui.specialist_switch import SpecialistSwitcher
    from xuhui_desk.ui.sync_panel import SyncPanel
    from xuhui_desk.ui.today.page import TodayPage

log = logging.getLogger(__name__)

__all__ = ["PAGE_SHORTCUTS", "STATE_FILE", "MainWindow", "Page"]

STATE_FILE = "window.ini"


class MainWindow(QMainWindow):
    """The workstation's main window (see the module documentation)."""

    # The settings page saved a new language; the application rebuilds the window in it.
    languageChangeRequested = Signal(str)
    # The lead chose and confirmed a backup to restore (its path); the application swaps databases.
    restoreRequested = Signal(str)

    # The queue page's parts, built with the page (_create_queue).
    queue_view: QueueView
    detail_view: DetailView
    reading_pane: ReadingPane
    queue_splitter: QSplitter

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
        self.nav_panel = NavPanel()
        self.nav_panel.set_station(self._station_name, self._station_code, self._specialist)
        self.nav_panel.pageChosen.connect(lambda row: self.show_page(Page(row), focus=False))
        self.nav_panel.specialistClicked.connect(self.switch_specialist)
        self.nav = self.nav_panel.list
        row.addWidget(self.nav_panel)
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
        self.sync_panel: SyncPanel | None = None
        self._sync_started = False
        self._sync_asked = False  # the running round was asked for (its result is always said)
        self.backups = BackupActions(self, tasks, self.data_dir)
        self.backups.restoreRequested.connect(self.restoreRequested)
        self._build_actions()
        self.statusBar().setSizeGripEnabled(False)
        self.sync_bar = SyncStatusBar(self.statusBar())
        self.sync_bar.syncRequested.connect(self.sync_now)
        self.sync_bar.panelRequested.connect(self.show_sync_panel)
        self.sync_bar.show_state(None, 0, None, None)
        self.sync.statusChanged.connect(self._sync_status_changed)
        self.sync.roundStarted.connect(self.sync_bar.round_started)
        self.sync.progressed.connect(self.sync_bar.progressed)
        self.sync.roundFinished.connect(self._sync_round_finished)
        self.sync.requestsChanged.connect(self._sync_changed_requests)

        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            # Only where the desktop has a tray (never offscreen): the notifications' way out.
            self.tray = QSystemTrayIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation),
                                        self)
            self.tray.setToolTip(self._title())
            self.tray.messageClicked.connect(self._notification_clicked)
            self.tray.show()
        self.notifier = DeadlineNotifier(self._show_notification if self.tray is not None else None, self)
        self.today = TodayController(db, tasks, self)
        self.today.set_filter(self._specialist, bool(self._settings().value("today/only_mine", False, type=bool)))
        self.today.updated.connect(self._today_updated)
        self.today.ticked.connect(lambda: self.notifier.consider(self.today.today))
        self.switcher: SpecialistSwitcher | None = None
        self.show_page(Page.TODAY)

    # --- station ------------------------------------------------------------------------------

    def _load_station(self) -> None:
        # The application passes the station it read at start-up; without it (a window built on its
        # own), the same plain-sqlite3 read: a few rows, well under the 50 ms budget.
        station = read_station_file(self.db.path)
        self._station_name, self._station_code, self._specialist = station.name, station.code, \
            station.specialist

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
        self.nav_panel.set_station(name, code, specialist)
        if self.tray is not None:
            self.tray.setToolTip(self._title())
        self.today.set_filter(specialist, self.today.only_mine)
        if Page.TODAY in self._pages:
            self.today_page.set_specialist(specialist)

    # --- navigation ---------------------------------------------------------------------------

    def page_title(self, page: Page) -> str:
        return page_title(page)

    def current_page(self) -> Page:
        return Page(self.stack.currentIndex())

    def page(self, page: Page) -> QWidget:
        """The page's widget, built on first use."""
        if page not in self._pages:
            widget = self._create_page(page)
            holder = self.stack.widget(int(page))
            layout = holder.layout() if holder is not None else None
            assert layout is not None, "every page has its holder (built in __init__)"
            layout.addWidget(widget)
            self._pages[page] = widget
        return self._pages[page]

    def show_page(self, page: Page, *, focus: bool = True) -> QWidget:
        if page != self.current_page() and not self._may_leave(self.current_page()):
            self._sync_nav()
            return self.page(self.current_page())
        widget = self.page(page)
        self.stack.setCurrentIndex(int(page))
        self.nav_panel.set_current(page)
        if focus:
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return widget

    def _sync_nav(self) -> None:
        self.nav_panel.set_current(self.current_page())

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
            Page.TODAY: self._create_today,
            Page.INTAKE: self._create_intake,
            Page.QUEUE: self._create_queue,
            Page.DIRECTORY: self._create_directory,
            Page.REPORTS: self._create_reports,
            Page.SETTINGS: self._create_settings,
        }
        # No safety net: a page that cannot be built is a bug, and it must fail loudly (in tests too).
        return factories[page]()

    def _create_today(self) -> QWidget:
        from xuhui_desk.ui.today.page import TodayPage

        page = TodayPage(self)
        page.set_specialist(self._specialist)
        page.only_mine.setChecked(self.today.only_mine)
        page.onlyMineToggled.connect(self._only_mine_toggled)
        page.requestActivated.connect(self.show_request)
        page.refusedActivated.connect(self.show_sync_panel)
        page.moreActivated.connect(lambda _key: self.show_page(Page.QUEUE))
        if self.today.today is not None:
            page.show_today(self.today.today)
        page.show_new_policies(self.today.new_policies)
        self.today.policiesUpdated.connect(page.show_new_policies)
        page.policyActivated.connect(self.show_policy_companies)
        return page

    def _create_intake(self) -> QWidget:
        from xuhui_desk.ui.intake import IntakeForm

        form = IntakeForm(self.db, self.tasks, self)
        form.saved.connect(self._intake_saved)
        form.requestActivated.connect(self.show_request)
        return form

    def _create_queue(self) -> QWidget:
        from xuhui_desk.ui.detail import DetailView
        from xuhui_desk.ui.queue.reading_pane import ReadingPane
        from xuhui_desk.ui.queue.view import QueueView

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("queueSplitter")
        splitter.setChildrenCollapsible(False)
        self.queue_view = QueueView(self.db, self.tasks, splitter)
        splitter.addWidget(self.queue_view)
        self.detail_view = DetailView(self.db, self.tasks, splitter)
        splitter.addWidget(self.detail_view)
        self.queue_view.requestActivated.connect(self.detail_view.show_request)
        self.queue_view.companyRequestActivated.connect(self.show_request)
        # Hidden while empty, opened at the user's width, emptied when a new search drops its request.
        self.reading_pane = ReadingPane(splitter, self.queue_view, self.detail_view, self._settings)
        splitter.setFocusProxy(self.queue_view)
        self.queue_splitter = splitter
        return splitter

    def _create_directory(self) -> QWidget:
        from xuhui_desk.ui.directory.page import DirectoryView

        directory = DirectoryView(self.db, self.tasks, self)
        directory.requestActivated.connect(self.show_request)
        return directory

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
    def today_page(self) -> TodayPage:
        from xuhui_desk.ui.today.page import TodayPage

        page = self.page(Page.TODAY)
        assert isinstance(page, TodayPage)
        return page

    @property
    def intake_form(self) -> IntakeForm:
        from xuhui_desk.ui.intake import IntakeForm

        form = self.page(Page.INTAKE)
        assert isinstance(form, IntakeForm)
        return form

    def new_intake(self) -> None:
        """F2: the intake page with an empty form (asking first if a typed form would be lost)."""
        self.show_page(Page.INTAKE)
        self.intake_form.start_new(confirm=True)

    def _intake_saved(self, uuid: str, tracking_no: str) -> None:
        self.statusBar().showMessage(self.tr("Saved {tracking_no}").format(tracking_no=tracking_no), 8000)
        # The queue and the detail pane listen to the program's request notices.
        from xuhui_desk.ui.queue.model import request_signals

        request_signals().changed.emit(uuid)

    # --- today ---------------------------------------------------------------------------------

    def today_count(self) -> int:
        """What the navigation shows beside Today: everything on its lists."""
        today = self.today.today
        return sum(today.counts().values()) if today is not None else 0

    def _today_updated(self, today: Today) -> None:
        self.nav_panel.set_badge(Page.TODAY, sum(today.counts().values()))
        if Page.TODAY in self._pages:
            self.today_page.show_today(today)
        self.notifier.consider(today)

    def show_policy_companies(self, policy_id: str, title: str) -> QWidget:
        """The companies of this station that may qualify for a policy (Today's new policy)."""
        from xuhui_desk.ui.policies.companies import open_companies_for_policy

        dialog = open_companies_for_policy(self, self.db, self.tasks, policy_id, title)
        dialog.requestActivated.connect(self.show_request)
        self.policy_companies = dialog
        return dialog

    def _only_mine_toggled(self, checked: bool) -> None:
        self.today.set_filter(self._specialist, checked)
        settings = self._settings()
        settings.setValue("today/only_mine", checked)
        settings.sync()

    def _show_notification(self, title: str, text: str) -> None:
        if self.tray is not None:
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10000)

    def _notification_clicked(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.show_page(Page.TODAY)

    # --- the specialist ------------------------------------------------------------------------

    def switch_specialist(self) -> None:
        """Ctrl+Shift+U or a click on the navigation's foot: the switcher popup, the next specialist
        selected (Enter switches)."""
        if self.switcher is not None and isValid(self.switcher) and self.switcher.isVisible():
            self.switcher.raise_()
            return
        db = self.db

        def read(_progress: Progress) -> list[str]:
            from xuhui_desk.services.followup import known_specialists

            return known_specialists(db)

        self.tasks.run(read, on_success=self._open_switcher, owner=self, latest="specialists",
                       on_failure=lambda exc: self.statusBar().showMessage(
                           self.tr("The specialists could not be read: {error}").format(error=exc), 8000))

    def _open_switcher(self, names: list[str]) -> None:
        from xuhui_desk.ui.specialist_switch import SpecialistSwitcher

        if self._specialist and self._specialist not in names:
            names = [self._specialist, *names]
        self.switcher = SpecialistSwitcher(self.db, self.tasks, names, self._specialist, self)
        self.switcher.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.switcher.switched.connect(self._specialist_switched)
        self.switcher.open()  # from a task's callback: never exec() (audit D1)

    def _specialist_switched(self, name: str) -> None:
        self.update_station(self._station_name, self._station_code, name)
        self.statusBar().showMessage(self.tr("{name} works at the desk now").format(name=name), 6000)
        if Page.SETTINGS in self._pages:
            from xuhui_desk.ui.settings_dialog import SettingsForm

            form = self._pages[Page.SETTINGS]
            if isinstance(form, SettingsForm) and not form.is_dirty():
                form.reload()  # its specialist field shows the new name

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
        self.action_switch_specialist = QAction(self.tr("S&witch the specialist…"), self)
        self.action_switch_specialist.setShortcut(QKeySequence(SPECIALIST_SHORTCUT))
        self.action_switch_specialist.triggered.connect(self.switch_specialist)
        file_menu.addAction(self.action_switch_specialist)
        self.addAction(self.action_switch_specialist)
        file_menu.addSeparator()
        self.action_backup = QAction(self.tr("&Back up the database now"), self)
        self.action_backup.triggered.connect(self.backups.backup_now)
        file_menu.addAction(self.action_backup)
        self.action_backups_folder = QAction(self.tr("Open the backups &folder"), self)
        self.action_backups_folder.triggered.connect(self.backups.open_backups_folder)
        file_menu.addAction(self.action_backups_folder)
        self.action_restore = QAction(self.tr("&Restore from a backup…"), self)
        self.action_restore.triggered.connect(self.backups.choose_backup)
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
            *((self.page_title(page), PAGE_SHORTCUTS[page]) for page in Page),
            (self.tr("Open the line chosen on Today"), "Enter"),
            (self.tr("Only mine (Today)"), "Alt+O"),
            (self.tr("Switch the specialist"), SPECIALIST_SHORTCUT),
            (self.tr("New intake"), "F2"),
            (self.tr("Save the intake"), "Ctrl+S"),
            (self.tr("Accept the suggested category"), "Ctrl+Enter"),
            (self.tr("Link to the open request shown"), "Alt+L"),
            (self.tr("Print the receipt (intake) or reprint it (requests, detail pane)"), "Ctrl+P"),
            (self.tr("Search the requests or the directory"), "Ctrl+F"),
            (self.tr("Open the selected request or company"), "Enter"),
            (self.tr("Company file (intake, requests, directory)"), "Ctrl+E"),
            (self.tr("Only my requests (requests)"), "Ctrl+M"),
            (self.tr("Save the filters as a view (requests)"), "Ctrl+Shift+V"),
            (self.tr("Export the list to Excel (requests)"), "Ctrl+Shift+E"),
            (self.tr("Print the list (requests)"), "Ctrl+Shift+L"),
            (self.tr("Save the note being written (detail pane)"), "Ctrl+Enter"),
            (self.tr("Record a contact with the company (detail pane)"), "Ctrl+K"),
            (self.tr("Attach a file (detail pane)"), "Ctrl+Shift+A"),
            (self.tr("Attach the new scan offered (detail pane)"), "F8"),
            (self.tr("Weekly report (Reports page)"), "Ctrl+R"),
            (self.tr("Sync with the district hub now"), SYNC_SHORTCUT),
            (self.tr("This list"), "F1"),
        ]
        def cells(row: tuple[str, str] | None) -> str:
            if row is None:
                return "<td></td><td></td>"
            label, key = row
            return (f"<td style='padding-right:12px'>{label}</td><td style='padding-right:28px'>"
                    f"<b>{QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)}</b></td>")

        # Two columns side by side: the list stays shorter than a 700-pixel screen.
        half = (len(rows) + 1) // 2
        left, right = rows[:half], rows[half:]
        lines = "".join(f"<tr>{cells(a)}{cells(right[i] if i < len(right) else None)}</tr>"
                        for i, a in enumerate(left))
        return f"<table>{lines}</table>"

    def show_shortcuts(self) -> QDialog:
        """F1: every key of the program, in two columns (a message box would wrap them narrow)."""
        dialog = QDialog(self)
        dialog.setObjectName("shortcutsDialog")
        dialog.setWindowTitle(self.tr("Keyboard shortcuts"))
        layout = QVBoxLayout(dialog)
        label = QLabel(self.shortcut_help())
        label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_about(self) -> None:
        text = self.tr(
            "<h3>Xuhui Enterprise Service Desk {version}</h3>"
            "<p>The workstation of Xuhui District's \"13+N\" enterprise service stations: intake, "
            "routing, receipts, follow-up and the weekly report, working offline and syncing with "
            "the district hub.</p><p>Data folder: {folder}</p>"
        ).format(version=__version__, folder=self.data_dir)
        QMessageBox.about(self, self.tr("About"), text)

    # --- status bar ---------------------------------------------------------------------------

    def set_sync_status(self, online: bool | None, pending: int, last_sync: datetime | None,
                        warning: str | None, *, configured: bool | None = None) -> None:
        """Show a sync state in the status bar (see :meth:`SyncStatusBar.show_state`)."""
        self.sync_bar.show_state(online, pending, last_sync, warning, configured=configured)

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

    def show_sync_panel(self) -> SyncPanel:
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
        from xuhui_desk.ui.directory.page import DirectoryView

        directory = self.show_page(Page.DIRECTORY)
        assert isinstance(directory, DirectoryView)
        directory.search.setText(name)

    def _sync_status_changed(self, status: SyncStatus) -> None:
        if self.sync.running:
            self.sync_bar.show_pending(status.pending)
            return
        self.sync_bar.show_status(status, is_online(status), self.sync.warnings(status))

    def _sync_round_finished(self, summary: SyncSummary) -> None:
        self.sync_bar.round_finished()
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
        self._stop_today()
        state: dict[str, Any] = {"page": int(self.current_page())}
        if Page.INTAKE in self._pages:
            state["draft"] = self.intake_form.draft()
        return state

    def take_over_state(self, state: dict[str, Any]) -> None:
        draft = state.get("draft")
        if draft:
            self.intake_form.restore_draft(draft)
        self.show_page(Page(state.get("page", Page.TODAY)))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sync_started:
            # Only now, and only a read: the first round follows a few seconds later.
            self._sync_started = True
            self.sync.start()
            self.today.start()

    def _stop_today(self) -> None:
        self.today.shutdown()
        if self.tray is not None:
            self.tray.hide()  # (a rebuilt window shows its own)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Today stops following writes first: the closing round's last writes start no new read.
        self._stop_today()
        # A running round is cancelled between batches and waited for; what was sent is kept.
        self.sync.shutdown()
        if self.sync_panel is not None and isValid(self.sync_panel):
            self.sync_panel.close()
        # Policy lists handed over in an intake left unsaved go to the hub on their own (queued on
        # the write worker, which the workstation waits for before it closes the database).
        if Page.INTAKE in self._pages:
            self.intake_form.policy_card.leave()
        self.save_state()
        super().closeEvent(event)
