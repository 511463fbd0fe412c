"""Start the workstation GUI: application, fonts, translations, database, first-run wizard, main window.

Start-up is a feature: only Qt Widgets and the program's own light modules are imported
before the main window shows — not SQLAlchemy (about 250 ms, nearly three times a bare Qt
window). When the stored schema revision is the program's head (the usual case) the file is
checked and the start-up state (station, language, specialist) read with plain ``sqlite3``;
the window is built and shown around a :class:`DeferredDatabase`, which opens the engine on a
worker at the next turn of the event loop. Background work asked for meanwhile (the intake
form's router and today's list, the sync state) waits on its worker until the database is
open; a page that reads on the GUI thread opens it there at once. A new database, one due
for an upgrade or one the program must refuse is opened (or refused) before any window, as
before. The main window builds its other pages when they are first opened, and reports,
receipts, sync and openpyxl are imported when first used.

``XUHUI_DESK_SMOKE_QUIT_MS=N`` closes the first window N ms after it is shown and exits
normally: the frozen bundle's smoke test starts and stops the real program with it. It
also prints the start-up time on standard output.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QMessageLogContext, QObject, Qt, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from xuhui_desk import __version__
from xuhui_desk.config import DEFAULT_LANGUAGE, database_path, resolve_data_dir
from xuhui_desk.db import (
    Database,
    DatabaseCorrupt,
    DatabaseError,
    DatabaseTooNew,
    DeferredDatabase,
    open_database,
)
from xuhui_desk.resources import resource_path
from xuhui_desk.startup import database_at_head, read_station_file
from xuhui_desk.ui.fonts import with_app_font
from xuhui_desk.ui.i18n import install_translators
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.wheel_guard import install_wheel_guard

log = logging.getLogger(__name__)

SMOKE_ENV = "XUHUI_DESK_SMOKE_QUIT_MS"
APP_NAME = "xuhui_desk"
ORG_NAME = "Xuhui District Enterprise Service"
ORG_DOMAIN = "xuhui.gov.cn"
# Point size of the application font: readable at the counter, still dense.
BASE_POINT_SIZE = 10.5
LOG_DIRNAME = "logs"


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), named, with the shipped Chinese font and the style sheet."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(ORG_NAME)
    app.setOrganizationDomain(ORG_DOMAIN)
    apply_look(app)
    install_wheel_guard(app)  # the wheel scrolls panes, never an unfocused dropdown (audit D6)
    return app


def apply_look(app: QApplication) -> None:
    """Application font (the shipped Noto Sans SC first, then the system's) and the style sheet."""
    font = with_app_font(app.font())
    font.setPointSizeF(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyle("Fusion")
    qss = resource_path("qss", "desk.qss")
    if qss.is_file():
        # Images in the style sheet are addressed relative to its folder (works frozen too).
        app.setStyleSheet(qss.read_text(encoding="utf-8").replace("@QSS@", qss.parent.as_posix()))


# --- the database ---------------------------------------------------------------------------------


def explain_database_error(exc: BaseException) -> tuple[str, str]:
    """The headline and the advice shown when the database cannot be opened."""
    if isinstance(exc, DatabaseTooNew):
        return (
            QCoreApplication.translate("Startup", "This database was written by a newer version of the program."),
            QCoreApplication.translate(
                "Startup",
                "It was not opened and nothing in it was changed. Install the newer version of the "
                "workstation program, then start it again."),
        )
    if isinstance(exc, DatabaseCorrupt):
        return (
            QCoreApplication.translate("Startup", "The database file is damaged or is not a database of this program."),
            QCoreApplication.translate(
                "Startup",
                "It was left untouched. Restore the latest backup (the backups folder in the data "
                "folder) with the command: xuhui-desk restore FILE"),
        )
    if isinstance(exc, DatabaseError):
        return (
            QCoreApplication.translate("Startup", "The database cannot be opened."),
            QCoreApplication.translate("Startup", "It was left untouched. The details below say why."),
        )
    return (
        QCoreApplication.translate("Startup", "The database cannot be opened."),
        QCoreApplication.translate(
            "Startup", "Check that the data folder exists and can be written, then start the program again."),
    )


def show_database_error(exc: BaseException, path: Path, parent: QWidget | None = None) -> None:
    """A modal message that says what is wrong with the database and what to do; never a traceback."""
    headline, advice = explain_database_error(exc)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(QCoreApplication.translate("Startup", "Xuhui Enterprise Service Desk"))
    box.setText(headline)
    where = QCoreApplication.translate("Startup", "Database file: {path}").format(path=path)
    box.setInformativeText(advice + "\n\n" + where)
    box.setDetailedText(str(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    _arm_smoke_quit(box)
    box.exec()


def open_database_for_gui(data_dir: Path, parent: QWidget | None = None, *,
                          defer: bool = False) -> Database | None:
    """Open (and migrate) the database of ``data_dir``; on failure explain it in a message box and return None.

    ``defer``: when the file is at the head revision, check it only and return a
    :class:`DeferredDatabase` (opened later); a new file or an upgrade is done here and now.
    """
    path = database_path(data_dir)
    try:
        if defer and database_at_head(path):
            return DeferredDatabase(path)
        return open_database(path)
    except (DatabaseError, OSError) as exc:
        log.error("cannot open the database %s: %s", path, exc)
        show_database_error(exc, path, parent)
        return None
    except Exception as exc:  # e.g. a failed migration: still a message, never a traceback
        log.exception("cannot open the database %s", path)
        show_database_error(exc, path, parent)
        return None


def read_startup_state(db: Database) -> tuple[bool, str]:
    """(station set up?, language) — tiny reads with plain sqlite3, on the GUI thread before any window exists."""
    state = read_station_file(db.path)
    return state.initialised, state.language


# --- the running program --------------------------------------------------------------------------


FIRST_BACKUP_CHECK_MS = 30_000
BACKUP_CHECK_MS = 3 * 3600 * 1000


class Workstation(QObject):
    """Owns the database, the background runner and the main window; rebuilds the window on a language switch."""

    def __init__(self, db: Database, data_dir: Path, language: str) -> None:
        super().__init__()
        self.db = db
        self.data_dir = data_dir
        self.language = language
        self.tasks = TaskRunner(self)
        self.window: QWidget | None = None

    def run_wizard(self) -> bool:
        """The first-run wizard; True when the station was set up."""
        from xuhui_desk.ui.wizard import FirstRunWizard

        wizard = FirstRunWizard(self.db, self.tasks)
        _arm_smoke_quit(wizard)
        try:
            return wizard.exec() == FirstRunWizard.DialogCode.Accepted
        finally:
            self.tasks.wait()
            wizard.deleteLater()

    def open_main_window(self) -> QWidget:
        from xuhui_desk.ui.main_window import MainWindow

        # The station as the window shows it, read without SQLAlchemy (the database may not be open yet).
        window = MainWindow(self.db, self.tasks, self.data_dir, station=read_station_file(self.db.path))
        window.languageChangeRequested.connect(self.switch_language)
        window.restoreRequested.connect(lambda path: self.restore_backup(Path(path)))
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        window.restore_state()
        window.show()
        self.window = window
        return window

    def open_database_soon(self) -> None:
        """At the next turn of the event loop (the window is shown), open a deferred database on a worker."""
        if isinstance(self.db, DeferredDatabase) and not self.db.is_open:
            QTimer.singleShot(0, self, self._open_database)

    def _open_database(self) -> None:
        db = self.db
        if not isinstance(db, DeferredDatabase) or self.window is None or not self.window.isVisible():
            return  # closed at once (the smoke test): nothing to open
        db.release()
        self.tasks.run(lambda _progress: db.resolve(), on_failure=self._database_failed)

    def start_periodic_backups(self) -> None:
        """A backup of the database a while after start and then every few hours, when one is due
        (services.backups.backup_if_due: the newest copy is older than 20 hours)."""
        self._backup_timer = QTimer(self)
        self._backup_timer.setInterval(BACKUP_CHECK_MS)
        self._backup_timer.timeout.connect(self._backup_if_due)
        self._backup_timer.start()
        QTimer.singleShot(FIRST_BACKUP_CHECK_MS, self, self._backup_if_due)

    def _backup_if_due(self) -> None:
        from xuhui_desk.services.backups import backup_if_due

        data_dir = self.data_dir
        def written(path: Path | None) -> None:
            if path is not None:
                log.info("periodic backup written to %s", path)

        self.tasks.run(lambda _progress: backup_if_due(data_dir), on_success=written,
                       on_failure=lambda exc: log.warning("periodic backup failed: %s", exc))

    def _database_failed(self, exc: BaseException) -> None:
        log.error("cannot open the database %s: %s", self.db.path, exc)
        show_database_error(exc, self.db.path, self.window)
        QCoreApplication.exit(1)

    def switch_language(self, language: str) -> None:
        """Install the translators for ``language`` and rebuild the main window in it (keeping its draft)."""
        from xuhui_desk.ui.main_window import MainWindow

        old = self.window
        if isinstance(self.db, DeferredDatabase):
            self.db.release()  # tasks.wait() below must not wait for a release that cannot come
        self.language = install_translators(language)
        if not isinstance(old, MainWindow):
            return
        state = old.handover_state()
        old.save_state()
        # Let background work of the old window finish and deliver before it goes away.
        self.tasks.wait()
        QCoreApplication.processEvents()
        new = self.open_main_window()
        assert isinstance(new, MainWindow)
        new.take_over_state(state)
        old.hide()
        old.deleteLater()

    def restore_backup(self, source: Path) -> None:
        """Replace the database with a backup the lead confirmed, and reopen the window on it.

        This program holds the database like any other, so it closes its own first (sync stopped,
        background work finished); the restore (checked, the live data kept as a safety copy) and
        the reopening run on a worker. Refused or failed: the data as it was is opened again.
        """
        from xuhui_desk.services.backups import RestoreResult, restore
        from xuhui_desk.ui.main_window import MainWindow

        old = self.window
        if not isinstance(old, MainWindow):
            return
        state = old.handover_state()
        old.save_state()
        old.setEnabled(False)
        if isinstance(self.db, DeferredDatabase):
            self.db.release()
        self.tasks.wait()
        QCoreApplication.processEvents()
        self.db.close()
        data_dir = self.data_dir

        def work(_progress: object) -> tuple[RestoreResult, Database]:
            try:
                return restore(data_dir, source), open_database(database_path(data_dir))
            except BaseException as exc:
                exc.reopened = open_database(database_path(data_dir))  # type: ignore[attr-defined]
                raise

        def reopen(db: Database, message: str) -> None:
            self.db = db
            new = self.open_main_window()
            assert isinstance(new, MainWindow)
            new.take_over_state({"page": state.get("page", 0)})
            new.statusBar().showMessage(message, 15000)
            old.hide()
            old.deleteLater()

        def done(result: tuple[RestoreResult, Database]) -> None:
            restored, db = result
            kept = restored.kept
            reopen(db, self.tr("Restored {name}; the data before it was kept as {kept}").format(
                name=source.name, kept=kept.name if kept else "—"))

        def failed(exc: BaseException) -> None:
            db = getattr(exc, "reopened", None)
            if db is None:
                show_database_error(exc, database_path(data_dir), old)
                QCoreApplication.exit(1)
                return
            reopen(db, self.tr("Not restored: {error}").format(error=exc))
            QMessageBox.warning(self.window, self.tr("Restore from a backup"),
                                self.tr("The backup was not restored; nothing was changed.\n\n{error}").format(
                                    error=exc))

        self.tasks.run(work, on_success=done, on_failure=failed, label=self.tr("Restoring the backup…"))

    def shutdown(self) -> None:
        if isinstance(self.db, DeferredDatabase):
            self.db.cancel_waiting()  # closing before it opened: waiting tasks stop, nothing opens it
        self.tasks.wait()
        QCoreApplication.processEvents()
        self.db.close()


def _arm_smoke_quit(window: QWidget) -> None:
    """Close ``window`` a while after it is shown when the smoke-test variable is set."""
    raw = os.environ.get(SMOKE_ENV, "").strip()
    if not raw:
        return
    try:
        delay = max(0, int(raw))
    except ValueError:
        delay = 0
    started = _STARTED_AT

    def report_and_close() -> None:
        print(f"smoke: {type(window).__name__} shown {int((time.perf_counter() - started) * 1000)} ms after start",
              flush=True)
        window.close()

    QTimer.singleShot(delay, window, report_and_close)


def _configure_logging(data_dir: Path) -> None:
    """Log to a file in the data folder; warnings and errors also to standard error."""
    root = logging.getLogger()
    if any(getattr(h, "_xuhui_desk", False) for h in root.handlers):
        return
    try:
        log_dir = data_dir / LOG_DIRNAME
        log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(log_dir / "desk.log", encoding="utf-8")
        handler.setLevel(logging.INFO)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._xuhui_desk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    except OSError:
        pass
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console._xuhui_desk = True  # type: ignore[attr-defined]
    root.addHandler(console)
    root.setLevel(logging.INFO)


# What the headless "offscreen" platform says it cannot do (raise windows, grab the keyboard for a
# popup, pass size hints to a window manager): expected there, so only logged at debug level.
_PLATFORM_LIMITS = ("This plugin does not support",)
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _route_qt_messages() -> None:
    """Qt's own messages go to the log like ours (warnings also to standard error)."""
    qt_log = logging.getLogger("qt")

    def handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        level = _QT_LEVELS.get(kind, logging.WARNING)
        if message.startswith(_PLATFORM_LIMITS) and QCoreApplication.instance() is not None \
                and QGuiApplication.platformName() == "offscreen":
            level = logging.DEBUG
        qt_log.log(level, "%s", message)

    qInstallMessageHandler(handler)


def _install_excepthook() -> None:
    """An unexpected error in a slot is logged and shown, and the program keeps running."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        if QApplication.instance() is None:
            return
        box = QMessageBox(QApplication.activeWindow())
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(QCoreApplication.translate("Startup", "Xuhui Enterprise Service Desk"))
        box.setText(QCoreApplication.translate(
            "Startup", "Something went wrong. What you saved is safe; the details were written to the log."))
        box.setDetailedText("".join(traceback.format_exception_only(kind, exc)))
        box.exec()

    sys.excepthook = hook


_STARTED_AT = time.perf_counter()


def run(data_dir: str | None) -> int:
    """Run the GUI on ``data_dir`` (None: ``$XUHUI_DESK_DATA_DIR`` or the platform default); the exit status."""
    global _STARTED_AT
    _STARTED_AT = time.perf_counter()
    folder = resolve_data_dir(data_dir)
    _configure_logging(folder)
    _route_qt_messages()
    app = create_application()
    # Chinese until the stored setting is known, so that even a start-up error speaks the default language.
    install_translators(DEFAULT_LANGUAGE)
    db = open_database_for_gui(folder, defer=True)
    if db is None:
        return 1
    previous_hook = sys.excepthook
    _install_excepthook()
    previous_quit = app.quitOnLastWindowClosed()
    workstation: Workstation | None = None
    try:
        initialised, language = read_startup_state(db)
        if language != DEFAULT_LANGUAGE:
            language = install_translators(language)
        workstation = Workstation(db, folder, language)
        if not initialised:
            if isinstance(db, DeferredDatabase):
                # The wizard writes at once: open it now (a first run pays the import).
                try:
                    db.resolve()
                except Exception as exc:
                    log.error("cannot open the database %s: %s", db.path, exc)
                    show_database_error(exc, db.path)
                    return 1
            # Keep the application alive between the wizard and the main window.
            app.setQuitOnLastWindowClosed(False)
            if not workstation.run_wizard():
                return 0
            app.setQuitOnLastWindowClosed(True)
            _, language = read_startup_state(db)
            workstation.language = install_translators(language)
        window = workstation.open_main_window()
        _arm_smoke_quit(window)
        workstation.open_database_soon()
        workstation.start_periodic_backups()
        return app.exec()
    finally:
        sys.excepthook = previous_hook
        app.setQuitOnLastWindowClosed(previous_quit)
        if workstation is not None:
            workstation.shutdown()
        else:
            db.close()
