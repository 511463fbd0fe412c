"""File ▸ Back up now, Open the backups folder and Restore from a backup: the main window's
backup actions, each working in the background and speaking in message boxes.

A restore is only chosen and confirmed here; the application swaps the databases when
``restoreRequested`` fires (:mod:`xuhui_desk.ui.app`), because the window itself is rebuilt.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from xuhui_desk.config import backup_dir
from xuhui_desk.services.timefmt import to_local
from xuhui_desk.ui.tasks import TaskRunner


class BackupActions(QObject):
    """The backup and restore actions of one main window (its ``window``)."""

    # The lead chose and confirmed a backup to restore (its path).
    restoreRequested = Signal(str)

    def __init__(self, window: QMainWindow, tasks: TaskRunner, data_dir: Path) -> None:
        super().__init__(window)
        self.window = window
        self.tasks = tasks
        self.data_dir = data_dir

    def backup_now(self) -> None:
        """A consistent copy in the backups folder, on a worker."""
        from xuhui_desk.services.backups import make_backup

        data_dir = self.data_dir
        bar = self.window.statusBar()
        bar.showMessage(self.tr("Backing up…"))

        def done(path: Path) -> None:
            bar.showMessage(self.tr("Backed up to {path}").format(path=path), 10000)

        def failed(exc: BaseException) -> None:
            bar.clearMessage()
            QMessageBox.warning(self.window, self.tr("Backup"),
                                self.tr("The backup could not be written: {error}").format(error=exc))

        self.tasks.run(lambda _p: make_backup(data_dir), on_success=done, on_failure=failed, owner=self.window,
                       label=self.tr("Backing up the database…"))

    def choose_backup(self) -> None:
        """Pick a backup; it is checked and described in the background, then confirmed."""
        chosen, _filter = QFileDialog.getOpenFileName(self.window, self.tr("Restore from a backup"),
                                                      str(backup_dir(self.data_dir)),
                                                      self.tr("Database backups (*.db);;All files (*)"))
        if chosen:
            self.confirm_restore(Path(chosen))

    def confirm_restore(self, path: Path) -> None:
        from xuhui_desk.services.backups import BackupDescription, describe_backup

        def described(info: BackupDescription) -> None:
            newest = to_local(info.newest_request_at).strftime("%Y-%m-%d %H:%M") if info.newest_request_at else "—"
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Restore from a backup"), self.tr(
                "Replace this workstation's data with the backup {name}?").format(name=path.name),
                parent=self.window)
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

            def answered(_result: int) -> None:
                if box.clickedButton() is restore:
                    self.restoreRequested.emit(str(path))

            box.finished.connect(answered)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

        def refused(exc: BaseException) -> None:
            QMessageBox.warning(self.window, self.tr("Restore from a backup"),
                                self.tr("This file cannot be restored: {error}").format(error=exc))

        self.tasks.run(lambda _p: describe_backup(path), on_success=described, on_failure=refused,
                       owner=self.window, label=self.tr("Checking the backup…"))

    def open_backups_folder(self) -> None:
        folder = backup_dir(self.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
