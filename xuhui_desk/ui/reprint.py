"""Reprint a saved request's receipt (Ctrl+P in the queue; the detail view calls the same).

:func:`reprint_receipt` builds the receipt in the background with the one builder the command
line uses too (:func:`~xuhui_desk.services.receipts.receipt_for_request`), then opens the print
preview of :mod:`xuhui_desk.ui.receipt_render` with ``open()`` (never ``exec()`` from a task's
callback: audit D1). The layout — the 80 mm thermal slip or an A5 page — is asked with a
small menu and remembered in the data folder's ``window.ini`` (:func:`remembered_layout`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QPoint, QSettings
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from xuhui_desk.db import Database
from xuhui_desk.services.receipts import ReceiptData, RequestNotFoundForReceipt, request_receipt
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.tasks import Task, TaskRunner

LAYOUTS = ("thermal", "a5")
STATE_FILE = "window.ini"
STATE_KEY = "receipt/layout"


def _state(db: Database) -> QSettings:
    path = getattr(db, "path", None)
    if isinstance(path, Path):
        return QSettings(str(path.parent / STATE_FILE), QSettings.Format.IniFormat)
    return QSettings()


def remembered_layout(db: Database) -> str:
    """The layout chosen last on this station ("thermal" until one is chosen)."""
    value = _state(db).value(STATE_KEY, LAYOUTS[0])
    return value if value in LAYOUTS else LAYOUTS[0]


def remember_layout(db: Database, layout: str) -> None:
    if layout in LAYOUTS:
        state = _state(db)
        state.setValue(STATE_KEY, layout)
        state.sync()


def layout_label(layout: str) -> str:
    if layout == "thermal":
        return QCoreApplication.translate("Reprint", "Thermal slip (80 mm)")
    return QCoreApplication.translate("Reprint", "A5 page")


def receipt_data(db: Database, key: str, language: str) -> ReceiptData:
    """The receipt of the request ``key`` (uuid or tracking number): the builder of ``xuhui-desk receipt``."""
    return request_receipt(db, key, language)


def reprint_receipt(parent: QWidget, db: Database, tasks: TaskRunner, key: str,
                    layout: str | None = None) -> Task[ReceiptData]:
    """Build the receipt of ``key`` in the background and open its print preview (``layout``:
    the remembered one when None). A failure is told in a message box, never a traceback."""
    chosen = layout if layout in LAYOUTS else remembered_layout(db)
    language = current_language()

    def shown(data: ReceiptData) -> None:
        from xuhui_desk.ui.receipt_render import open_print_preview

        open_print_preview(parent, data, chosen)

    def failed(exc: BaseException) -> None:
        reason = (QCoreApplication.translate("Reprint", "the request {key} no longer exists").format(key=key)
                  if isinstance(exc, RequestNotFoundForReceipt) else str(exc))
        box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("Reprint", "Receipt"),
                          QCoreApplication.translate("Reprint", "The receipt cannot be printed: {error}").format(
                              error=reason), QMessageBox.StandardButton.Ok, parent)
        box.open()

    label = QCoreApplication.translate("Reprint", "Preparing the receipt…")
    return tasks.run(lambda _p: receipt_data(db, key, language), on_success=shown, on_failure=failed,
                     owner=parent, latest="reprint", label=label)


def choose_and_reprint(parent: QWidget, db: Database, tasks: TaskRunner, key: str,
                       at: QPoint | None = None) -> QMenu:
    """Ask thermal or A5 in a small menu (the remembered one first and current: Enter takes it),
    remember the choice and reprint. Returns the menu (shown with ``popup``, not ``exec``)."""
    menu = QMenu(parent)
    menu.setObjectName("reprintMenu")
    menu.setTitle(QCoreApplication.translate("Reprint", "Reprint the receipt"))
    current = remembered_layout(db)
    actions = {}
    for layout in sorted(LAYOUTS, key=lambda name: name != current):
        action = menu.addAction(layout_label(layout))
        action.setData(layout)
        actions[layout] = action

    def chosen(action: object) -> None:
        layout = getattr(action, "data", lambda: None)()
        if layout in LAYOUTS:
            remember_layout(db, layout)
            reprint_receipt(parent, db, tasks, key, layout)

    menu.triggered.connect(chosen)
    menu.setActiveAction(actions[current])
    where = at if at is not None else parent.mapToGlobal(parent.rect().center())
    menu.popup(where, actions[current])
    return menu
