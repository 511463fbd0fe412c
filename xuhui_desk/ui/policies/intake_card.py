"""The intake form's policy card: the policies that fit the company at the counter.

A card around a compact :class:`~xuhui_desk.ui.policies.matches.PolicyMatchesPanel` for the
form's side column. It shows as soon as the company is known (chosen from the directory, or
its known credit code typed) and follows the description as it is typed (relevant policies
first); it hides again for a new company or a new intake.

A list handed over before the request is saved is *held*: the card keeps the push's uuid, the
form's save ties it to the new request (``held_pushes`` of the intake service), and a new intake
or the main window closing lets it go on its own (:meth:`IntakePolicyCard.leave`); a language
switch hands it to the rebuilt form with the draft. Once the request is saved, lists handed over
are made for it directly.
"""

from __future__ import annotations

import logging
import uuid

from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from xuhui_desk.db import Database
from xuhui_desk.ui.policies.matches import PolicyMatchesPanel
from xuhui_desk.ui.policies.printing import PushRequest
from xuhui_desk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class IntakePolicyCard(QFrame):
    """See the module documentation."""

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        self.panel = PolicyMatchesPanel(db, tasks, compact=True)
        layout.addWidget(self.panel)
        self.panel.loaded.connect(lambda _n: self.setVisible(self.panel.enterprise_id is not None))
        self.db = db
        self.tasks = tasks
        self._held: list[str] = []
        self.panel.push_request = PushRequest(hold=self._hold)
        self.hide()

    def _hold(self) -> str:
        key = str(uuid.uuid4())
        self._held.append(key)
        return key

    def held_pushes(self) -> tuple[str, ...]:
        """The uuids of the lists handed over during this intake, held for its request."""
        return tuple(self._held)

    def adopt_held(self, uuids: list[str]) -> None:
        """Lists held for this intake by the form this one replaces (a language switch)."""
        self._held.extend(str(u) for u in uuids)

    def request_saved(self, request_uuid: str) -> None:
        """The intake's request is saved (and took the held lists): later ones are made for it."""
        self._held.clear()
        self.panel.push_request = PushRequest(request_uuid=request_uuid)

    def leave(self) -> None:
        """A new intake: lists still held (this intake was not saved) go to the hub on their own."""
        held, self._held = self._held, []
        self.panel.push_request = PushRequest(hold=self._hold)
        if held:
            release_held(self.db, self.tasks, held)

    def set_company(self, key: int | str | None) -> None:
        """The company typed or chosen (None: none yet, the card hides)."""
        if key is None:
            self.hide()
        self.panel.set_company(key)

    def set_text(self, text: str) -> None:
        self.panel.set_text(text)


def release_held(db: Database, tasks: TaskRunner, uuids: list[str]) -> None:
    """Let the held lists ``uuids`` go on their own, on the write worker."""

    def release(_progress: object) -> int:
        from xuhui_desk.services.policies import release_held_pushes

        return release_held_pushes(db, uuids)

    tasks.run(release, on_failure=lambda exc: log.warning("held policy lists not let go: %s", exc), write=True)
