"""The "Attachments" card of the detail pane (issue 14 §5): photos, scans and PDFs of the request.

Files are attached through :func:`xuhui_desk.services.attachments.add_attachment` on the write
thread — dropped onto the pane (:meth:`AttachmentsCard.attach_files`, called by the pane's drop
handler), chosen in a file dialog (the button, Ctrl+Shift+A), or offered from the watched scanner
folder. A refused file (kind, size, the request's total) gets the service's reason in the card and
nothing is written; the other files of the same drop are still attached.

The list shows a thumbnail of each picture (scaled by a background task; a PDF or TIFF gets a file
icon), its name, size and whether the district hub has it (waiting, sent, refused — with the hub's
reason). Enter or a double click opens the file with the system viewer.

**Scanner folder.** A station setting (``scanner_folder``, stored with
:func:`xuhui_desk.services.station.set_setting`; the card's "Scanner folder…" button). A
``QFileSystemWatcher`` watches it; a file that appears there afterwards is *offered* — "attach
scan.pdf to XH…? F8" — never attached silently. Files already there when watching starts are
not offered; an offer the user ignores (Esc or "Ignore") is not offered again.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QIcon,
    QImage,
    QImageReader,
    QKeySequence,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.services.attachments import (
    FILE_PENDING,
    FILE_REFUSED,
    FILE_SYNCED,
    AttachmentInfo,
    add_attachment,
    list_attachments,
)
from xuhui_desk.services.station import load_settings_page, set_setting
from xuhui_desk.ui.detail.file_size import file_size_text
from xuhui_desk.ui.detail.forms import button_row
from xuhui_desk.ui.detail.pane_card import PaneCard, refusal_text
from xuhui_desk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

# Opens the file dialog from anywhere in the detail pane.
ATTACH_SHORTCUT = "Ctrl+Shift+A"
# Attaches the file the scanner folder offers.
SCAN_SHORTCUT = "F8"
# The station setting holding the watched scanner folder.
SCANNER_SETTING = "scanner_folder"
THUMB = 88
# A new file is offered once the folder has been quiet this long (a scanner writes in steps).
SETTLE_MS = 600
_GRID = QSize(132, THUMB + 84)  # the thumbnail and four lines of text
_THUMBNAIL_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Attached:
    """What one attach round did: the files attached and, per refused file, why."""

    attached: tuple[AttachmentInfo, ...]
    refused: tuple[tuple[str, BaseException], ...]


def _thumbnails(paths: dict[str, Path]) -> dict[str, QImage]:
    """Pictures scaled to the thumbnail size (QImage is safe off the GUI thread; QPixmap is not)."""
    out: dict[str, QImage] = {}
    for key, path in paths.items():
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if not image.isNull():
            out[key] = image
    return out


def _folder_entries(folder: Path) -> dict[str, tuple[int, float]]:
    """The files directly in ``folder``: name → (size, modification time); {} when unreadable."""
    entries: dict[str, tuple[int, float]] = {}
    try:
        for path in folder.iterdir():
            if path.name.startswith(".") or not path.is_file():
                continue
            st = path.stat()
            entries[path.name] = (st.st_size, st.st_mtime)
    except OSError:
        return {}
    return entries


class AttachmentsCard(PaneCard):
    """The request's attachments (see the module documentation)."""

    # The scanner folder offers a file (its path), or withdrew its offer ("").
    offered = Signal(str)
    # The attachments of the request shown were read and their thumbnails drawn.
    listed = Signal()

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.db = db
        self._tracking_no = ""
        self._infos: list[AttachmentInfo] = []
        self._folder: Path | None = None
        self._seen: dict[str, tuple[int, float]] = {}
        self._offers: list[Path] = []
        self._ignored: set[tuple[str, tuple[int, float] | None]] = set()

        self.list = QListWidget()
        self.list.setObjectName("attachmentList")
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(_GRID)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWrapping(True)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.list.itemActivated.connect(self.open_item)  # Enter and a double click
        self.list.hide()
        self.body.addWidget(self.list)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("muted")
        self.empty_label.setWordWrap(True)
        self.body.addWidget(self.empty_label)
        self.refused_label = QLabel()
        self.refused_label.setObjectName("fieldWarning")
        self.refused_label.setWordWrap(True)
        self.refused_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refused_label.hide()
        self.body.addWidget(self.refused_label)

        # The scanner folder's offer: one keystroke attaches, nothing happens without it.
        self.offer_panel = QFrame()
        self.offer_panel.setObjectName("scanOffer")
        offer = QVBoxLayout(self.offer_panel)
        offer.setContentsMargins(8, 6, 8, 6)
        offer.setSpacing(6)
        self.offer_label = QLabel()
        self.offer_label.setObjectName("offerText")
        self.offer_label.setWordWrap(True)
        offer.addWidget(self.offer_label)
        self.offer_attach = QPushButton()
        self.offer_attach.setObjectName("attachScan")
        self.offer_attach.setProperty("primary", True)
        self.offer_attach.clicked.connect(self.attach_offered)
        self.offer_ignore = QPushButton()
        self.offer_ignore.setObjectName("ignoreScan")
        self.offer_ignore.clicked.connect(self.ignore_offered)
        offer.addWidget(button_row(self.offer_ignore, self.offer_attach))
        self.offer_panel.hide()
        self.body.addWidget(self.offer_panel)
        escape = QShortcut(QKeySequence("Escape"), self.offer_panel)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.ignore_offered)

        self.add_button = QPushButton()
        self.add_button.setObjectName("attachFile")
        self.add_button.clicked.connect(self.choose_files)
        self.folder_button = QPushButton()
        self.folder_button.setObjectName("scannerFolder")
        self.folder_button.clicked.connect(self.choose_folder)
        self.body.addWidget(button_row(self.folder_button, self.add_button))
        self.folder_label = QLabel()
        self.folder_label.setObjectName("muted")
        self.folder_label.setWordWrap(True)
        self.body.addWidget(self.folder_label)

        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(lambda _p: self._settle.start())
        self._settle.timeout.connect(self._scan_folder)
        self._dialog: QFileDialog | None = None
        self.tasks.run(lambda _p: load_settings_page(self.db).get(SCANNER_SETTING, ""),
                       on_success=lambda folder: self.watch_folder(folder or None),
                       on_failure=lambda _exc: None, owner=self)

    def retranslate(self, language: str) -> None:
        self._language = language
        self.title.setText(self.tr("Attachments"))
        self.empty_label.setText(self.tr("No attachments. Drop photos, scans or PDFs onto this pane, "
                                         "or attach a file."))
        attach = QKeySequence(ATTACH_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)
        self.add_button.setText(self.tr("Attach a file…"))
        self.add_button.setToolTip(self.tr("Attach photos, scans or PDFs from a folder ({shortcut}); files can "
                                           "also be dropped onto this pane").format(shortcut=attach))
        self.folder_button.setText(self.tr("Scanner folder…"))
        self.folder_button.setToolTip(self.tr("A folder the scanner saves into: a new scan there is offered "
                                              "for the request shown"))
        self.offer_ignore.setText(self.tr("Ignore"))
        self.list.setToolTip(self.tr("Enter or a double click opens the file"))
        self._show_folder()
        self._show_offer()
        self._show_list()

    # --- the request shown --------------------------------------------------------------------

    def follow(self, uuid: str | None) -> None:
        if uuid != self._uuid:
            self.clear_messages()
            self._infos = []
            self.list.clear()
        self._uuid = uuid
        self._show_offer()

    def show_request(self, uuid: str, tracking_no: str) -> None:
        """Read the request's attachments, then their thumbnails (both in the background)."""
        self._tracking_no = tracking_no
        self._show_offer()

        def shown(infos: list[AttachmentInfo]) -> None:
            if uuid != self._uuid:
                return
            self._infos = infos
            self._show_list()
            pictures = {i.sha256: i.thumbnail_path for i in infos if i.thumbnail_path is not None}
            if not pictures:
                self.listed.emit()
                return
            self.tasks.run(lambda _p: _thumbnails(pictures), on_success=lambda images: self._set_thumbnails(
                uuid, images), on_failure=lambda _exc: self.listed.emit(), owner=self, latest="thumbnails")

        self.tasks.run(lambda _p: list_attachments(self.db, uuid), on_success=shown,
                       on_failure=lambda _exc: None, owner=self, latest="attachments")

    @property
    def infos(self) -> list[AttachmentInfo]:
        return list(self._infos)

    def _state_text(self, info: AttachmentInfo) -> str:
        if not info.present:
            return self.tr("file missing")
        return {FILE_PENDING: self.tr("waiting"), FILE_SYNCED: self.tr("sent"),
                FILE_REFUSED: self.tr("refused")}.get(info.sync_state, info.sync_state)

    def _show_list(self) -> None:
        self.list.clear()
        file_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        refused = []
        for info in self._infos:
            item = QListWidgetItem(file_icon, f"{info.name}\n{file_size_text(info.size)}\n{self._state_text(info)}")
            item.setData(Qt.ItemDataRole.UserRole, info.sha256)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            tip = f"{info.name}\n{info.media_type} · {file_size_text(info.size)}\n{self._state_text(info)}"
            if info.sync_state == FILE_REFUSED and info.sync_error:
                tip += f": {info.sync_error}"
                refused.append(self.tr("“{name}” was refused by the district hub: {reason}").format(
                    name=info.name, reason=info.sync_error))
            item.setToolTip(tip)
            self.list.addItem(item)
        self.list.setVisible(bool(self._infos))
        self.empty_label.setVisible(not self._infos)
        self.refused_label.setText("\n".join(refused))
        self.refused_label.setVisible(bool(refused))
        self._fit_list()

    def _set_thumbnails(self, uuid: str, images: dict[str, QImage]) -> None:
        if uuid == self._uuid:
            for row in range(self.list.count()):
                item = self.list.item(row)
                image = images.get(item.data(Qt.ItemDataRole.UserRole))
                if image is not None:
                    item.setIcon(QIcon(QPixmap.fromImage(image)))
                    item.setData(_THUMBNAIL_ROLE, True)
        self.listed.emit()

    def thumbnail_count(self) -> int:
        """How many items show a picture's own thumbnail (not the file icon)."""
        return sum(1 for row in range(self.list.count()) if self.list.item(row).data(_THUMBNAIL_ROLE))

    def _fit_list(self) -> None:
        # As tall as its rows of thumbnails: the pane scrolls, never the list inside it.
        per_row = max(1, (self.list.viewport().width() or self.width() - 40) // _GRID.width())
        rows = max(1, math.ceil(self.list.count() / per_row))
        self.list.setFixedHeight(rows * _GRID.height() + 2 * self.list.frameWidth() + 4)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_list()

    def open_item(self, item: QListWidgetItem) -> None:
        """Enter / double click: the file in the system viewer (the stored copy; never written)."""
        info = next((i for i in self._infos if i.sha256 == item.data(Qt.ItemDataRole.UserRole)), None)
        if info is None:
            return
        if not info.present:
            self.show_error(self.tr("“{name}” is not in the data folder (restored without its files?).").format(
                name=info.name))
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(info.path))):
            self.show_error(self.tr("No program on this computer opens “{name}”.").format(name=info.name))

    # --- attaching ----------------------------------------------------------------------------

    def attach_files(self, paths: list[Path]) -> bool:
        """Attach ``paths`` to the request shown, one by one on the write thread; each refused file
        is named with the reason, the others are attached. False when nothing was started."""
        uuid = self._uuid
        if uuid is None or not paths:
            return False
        paths = list(paths)

        def work() -> Attached:
            attached: list[AttachmentInfo] = []
            refused: list[tuple[str, BaseException]] = []
            for path in paths:
                try:
                    attached.append(add_attachment(self.db, uuid, path))
                except (ValueError, LookupError) as exc:  # ValidationFailed is a ValueError
                    refused.append((path.name, exc))
            return Attached(tuple(attached), tuple(refused))

        def saved(result: Attached) -> None:
            lines = [self.tr("Not attached: {reason}").format(reason=refusal_text(exc, self._language))
                     for _name, exc in result.refused]
            if lines:
                self.show_error("\n".join(lines))
            new = [a for a in result.attached if not a.already_attached]
            again = [a for a in result.attached if a.already_attached]
            done = []
            if new:
                done.append(self.tr("Attached: {names}").format(names=", ".join(a.name for a in new)))
            if again:
                done.append(self.tr("Already attached: {names}").format(names=", ".join(a.name for a in again)))
            if done:
                self.done.setText("\n".join(done))
                self.done.show()

        return self.run_write(work, saved)

    def choose_files(self) -> None:
        """Ctrl+Shift+A: a file dialog (window-modal, open(): no nested event loop)."""
        if self._uuid is None:
            return
        dialog = QFileDialog(self.window(), self.tr("Attach files to {tracking_no}").format(
            tracking_no=self._tracking_no))
        dialog.setObjectName("attachDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters([self.tr("Photos, scans and PDFs (*.jpg *.jpeg *.png *.tif *.tiff *.pdf)"),
                               self.tr("All files (*)")])
        dialog.filesSelected.connect(lambda files: self.attach_files([Path(f) for f in files]))
        dialog.finished.connect(dialog.deleteLater)
        self._dialog = dialog
        dialog.open()

    # --- the scanner folder -------------------------------------------------------------------

    @property
    def scanner_folder(self) -> Path | None:
        return self._folder

    def choose_folder(self) -> None:
        dialog = QFileDialog(self.window(), self.tr("Scanner folder"))
        dialog.setObjectName("scannerFolderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        if self._folder is not None:
            dialog.setDirectory(str(self._folder))
        dialog.fileSelected.connect(self.set_scanner_folder)
        dialog.finished.connect(dialog.deleteLater)
        self._dialog = dialog
        dialog.open()

    def set_scanner_folder(self, folder: str) -> None:
        """Store ``folder`` as the station's scanner folder ("" stops watching) and watch it."""
        def stored(value: str) -> None:
            self.watch_folder(value or None)

        self.tasks.run(lambda _p: set_setting(self.db, SCANNER_SETTING, folder), on_success=stored,
                       on_failure=lambda exc: self.show_error(refusal_text(exc, self._language)),
                       owner=self, write=True)

    def watch_folder(self, folder: str | None) -> None:
        """Watch ``folder`` (None: none) for new files; the files already in it are not offered."""
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        self._offers = []
        self._folder = Path(folder) if folder else None
        self._seen = {}
        if self._folder is not None:
            if self._folder.is_dir():
                self._seen = _folder_entries(self._folder)
                self.watcher.addPath(str(self._folder))
            else:
                log.warning("scanner folder %s is not there", self._folder)
        self._show_folder()
        self._show_offer()

    def _show_folder(self) -> None:
        if self._folder is None:
            self.folder_label.setText(self.tr("No scanner folder watched."))
        elif self._folder.is_dir():
            self.folder_label.setText(self.tr("Scanner folder: {folder}").format(folder=self._folder))
        else:
            self.folder_label.setText(self.tr("Scanner folder {folder} is not there (a network drive not "
                                              "connected?).").format(folder=self._folder))

    def _scan_folder(self) -> None:
        folder = self._folder
        if folder is None:
            return

        def scanned(entries: dict[str, tuple[int, float]]) -> None:
            if folder != self._folder:
                return
            for name in sorted(entries, key=lambda n: entries[n][1]):
                changed = self._seen.get(name) != entries[name]
                path = folder / name
                if changed and (name, entries[name]) not in self._ignored and path not in self._offers:
                    self._offers.append(path)
            self._offers = [p for p in self._offers if p.name in entries]
            self._seen = entries
            self._show_offer()

        self.tasks.run(lambda _p: _folder_entries(folder), on_success=scanned, on_failure=lambda _exc: None,
                       owner=self, latest="scanner")

    @property
    def offer(self) -> Path | None:
        """The scanned file offered now (None: no offer)."""
        return self._offers[0] if self._offers else None

    def _show_offer(self) -> None:
        path = self.offer
        if path is None:
            if self.offer_panel.isVisible() or not self.offer_panel.isHidden():
                self.offer_panel.hide()
                self.offered.emit("")
            return
        key = QKeySequence(SCAN_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)
        more = len(self._offers) - 1
        if self._uuid is None:
            text = self.tr("New scan “{name}” in the scanner folder: open a request to attach it.")
        else:
            text = self.tr("New scan “{name}” in the scanner folder. Attach it to {tracking_no}?")
        text = text.format(name=path.name, tracking_no=self._tracking_no)
        if more:
            text += " " + self.tr("({count} more waiting)").format(count=more)
        self.offer_label.setText(text)
        self.offer_attach.setText(self.tr("Attach ({shortcut})").format(shortcut=key))
        self.offer_attach.setEnabled(self._uuid is not None and bool(self._tracking_no))
        self.offer_panel.show()
        self.offered.emit(str(path))

    def attach_offered(self) -> None:
        """F8: attach the offered scan to the request shown (the only way a scan is attached)."""
        path = self.offer
        if path is None or self._uuid is None or not self._tracking_no:
            return
        if self.attach_files([path]):
            self._offers.remove(path)
            self._ignored.add((path.name, self._seen.get(path.name)))
            self._show_offer()

    def ignore_offered(self) -> None:
        """Esc / "Ignore": do not attach the offered scan, and do not offer it again."""
        path = self.offer
        if path is None:
            return
        self._offers.remove(path)
        self._ignored.add((path.name, self._seen.get(path.name)))
        self._show_offer()

    def set_busy(self, busy: bool) -> None:
        super().set_busy(busy)
        self.add_button.setEnabled(not busy)
        self.offer_attach.setEnabled(not busy and self._uuid is not None)
