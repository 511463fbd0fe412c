"""Hand a policy list over: print it (thermal slip or A5, remembered like the receipt's choice) or
record that the company was told (记录已告知), in both cases as a push
(:func:`xuhui_desk.services.policies.record_push`, synced to the hub).

The list is built on a worker by :func:`xuhui_desk.services.policy_print.policy_list_for_company`
and shown in the print preview with ``open()``. The push is recorded when the preview is
accepted — Qt's preview accepts once the list went to the printer — with the channel
``print_thermal`` / ``print_a5``; a preview closed without printing records nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QMessageBox, QWidget

from xuhui_desk.db import Database
from xuhui_desk.services.timefmt import SHANGHAI
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.reprint import LAYOUTS, STATE_FILE, remembered_layout
from xuhui_desk.ui.tasks import Task, TaskRunner

if TYPE_CHECKING:
    from xuhui_desk.services.policies import PushRecord
    from xuhui_desk.services.policy_print import PolicyList
    from xuhui_desk.ui.policies.print_render import PolicyListPreviewDialog

STATE_KEY = "policies/layout"


def _state(db: Database) -> QSettings:
    path = getattr(db, "path", None)
    if path is not None:
        return QSettings(str(path.parent / STATE_FILE), QSettings.Format.IniFormat)
    return QSettings()


def remembered_list_layout(db: Database) -> str:
    """The layout the last policy list was printed on (the receipt's until one was chosen)."""
    value = _state(db).value(STATE_KEY, "")
    return value if value in LAYOUTS else remembered_layout(db)


def remember_list_layout(db: Database, layout: str) -> None:
    if layout in LAYOUTS:
        state = _state(db)
        state.setValue(STATE_KEY, layout)
        state.sync()


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def reason(exc: BaseException) -> str:
    """Why a hand-over failed, in the GUI's language where the service says it with issues."""
    from xuhui_desk.services.policy_print import PolicyListError
    from xuhui_desk.validation import ValidationFailed

    if isinstance(exc, PolicyListError) and exc.missing:
        return QCoreApplication.translate(
            "PolicyPrint", "no longer current at this station (withdrawn or expired since it was shown): {ids}"
        ).format(ids=", ".join(exc.missing))
    if isinstance(exc, ValidationFailed):
        return "\n".join(issue.message(current_language()) for issue in exc.issues)
    return str(exc)


@dataclass(frozen=True)
class PushRequest:
    """What a push is made for: the request by id or uuid, or none (the company file). ``hold``
    (the intake form, before its request is saved): called when the push is written, returns the
    push's uuid, which the form keeps to tie the push to its request when it is saved."""

    request_id: int | None = None
    request_uuid: str | None = None
    hold: Callable[[], str] | None = None


def record_push(db: Database, tasks: TaskRunner, owner: QWidget, enterprise_id: int,
                policies: Sequence[tuple[str, int]], channel: str, *, request: PushRequest | None = None,
                on_recorded: Callable[[PushRecord], None] | None = None) -> Task[PushRecord]:
    """Record on the write worker that ``policies`` were handed to the company (by the current
    specialist), for ``request``; a failure is told in a message box."""
    chosen = list(policies)
    request = request or PushRequest()
    request_id, request_uuid = request.request_id, request.request_uuid
    held = request.hold() if request.hold is not None and request_id is None and request_uuid is None else None

    def write(_progress: object) -> PushRecord:
        from xuhui_desk.services.followup import current_specialist
        from xuhui_desk.services.policies import record_push as record

        return record(db, enterprise_id, chosen, by=current_specialist(db), channel=channel, request_id=request_id,
                      request_uuid=request_uuid, hold=held is not None, uuid=held)

    def failed(exc: BaseException) -> None:
        text = QCoreApplication.translate("PolicyPrint", "The hand-over could not be recorded: {error}")
        box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("PolicyPrint", "Policies"),
                          text.format(error=reason(exc)), QMessageBox.StandardButton.Ok, owner)
        box.open()

    return tasks.run(write, on_success=on_recorded, on_failure=failed, owner=owner, write=True)


def print_policy_list(parent: QWidget, db: Database, tasks: TaskRunner, enterprise_id: int,
                      policy_ids: Sequence[str], layout: str | None = None, *, request: PushRequest | None = None,
                      on_preview: Callable[[PolicyListPreviewDialog], None] | None = None,
                      on_recorded: Callable[[PushRecord], None] | None = None) -> Task[PolicyList]:
    """Build the list of ``policy_ids`` for the company in the background and open its print
    preview (``layout``: the remembered one when None, and remembered when given). Once the
    list is printed (the preview accepted) the push is recorded."""
    chosen = layout if layout in LAYOUTS else remembered_list_layout(db)
    remember_list_layout(db, chosen)
    language = current_language()
    ids = list(policy_ids)
    today = _today()

    def build(_progress: object) -> PolicyList:
        from xuhui_desk.services.policy_print import policy_list_for_company

        return policy_list_for_company(db, enterprise_id, ids, today=today, language=language)

    def shown(data: PolicyList) -> None:
        from xuhui_desk.ui.policies.print_render import open_policy_list_preview

        dialog = open_policy_list_preview(parent, data, chosen)
        dialog.accepted.connect(lambda: record_push(db, tasks, parent, enterprise_id, data.policies(),
                                                    f"print_{chosen}", request=request,
                                                    on_recorded=on_recorded))
        if on_preview is not None:
            on_preview(dialog)

    def failed(exc: BaseException) -> None:
        text = QCoreApplication.translate("PolicyPrint", "The policy list cannot be printed: {error}")
        box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("PolicyPrint", "Policy list"),
                          text.format(error=reason(exc)), QMessageBox.StandardButton.Ok, parent)
        box.open()

    return tasks.run(build, on_success=shown, on_failure=failed, owner=parent, latest="policy-list",
                     label=QCoreApplication.translate("PolicyPrint", "Preparing the policy list…"))
