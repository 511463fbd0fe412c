"""One request in full, as a read model for the GUI's detail pane: its fields, its timeline, what
the workflow allows next, and how far past its due date it is on the working-day calendar.

Everything returned is plain frozen data (no ORM objects, no open session), safe to hand from a
worker thread to the GUI thread. The rules themselves live in :mod:`xuhui_desk.services.workflow`
(allowed transitions, who may be rated, when intake may still be corrected) and
:mod:`xuhui_desk.services.workdays` (escalation); this module only reads and assembles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xuhui_desk.codes import OPEN_STATUSES, Status
from xuhui_desk.db import Database
from xuhui_desk.models import utcnow
from xuhui_desk.services.search import UNRESOLVED
from xuhui_desk.services.workdays import CalendarYearUnknown, default_calendar
from xuhui_desk.services.workflow import (
    RATABLE,
    RatingOutcome,
    allowed_next,
    can_edit_intake,
    find_request,
    rating_outcome,
)

_OPEN = frozenset(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class EventView:
    """One timeline event as recorded (``data`` is a copy of the event's JSON payload)."""

    id: int
    occurred_at: datetime
    kind: str
    actor: str
    origin: str
    data: dict[str, Any]


@dataclass(frozen=True)
class DetailData:
    """A request as the detail view shows it (plain data, safe to hand between threads)."""

    uuid: str
    tracking_no: str
    status: str
    category: str
    subcategory: str | None
    department: str | None
    channel: str
    urgency: str
    description: str
    specialist: str
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime | None
    sla_provisional: bool
    resolved_at: datetime | None
    rating: int | None
    rating_comment: str | None
    sync_state: str
    sync_error: str | None
    linked_request_uuid: str | None
    enterprise_name: str
    uscc: str
    contact_name: str
    phone: str
    park: str
    building: str
    events: tuple[EventView, ...]
    allowed: tuple[str, ...]
    can_edit: bool
    ratable: bool
    #: (escalation level, working days overdue — None when the calendar cannot count them).
    escalation: tuple[int, float | None] | None = None
    linked_tracking_no: str | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN


def escalation_at(sla_due_at: datetime | None, status: str, now: datetime) -> tuple[int, float | None] | None:
    """How overdue an unresolved request is at ``now``: ``(level, working days late)``, or None
    when it is resolved, has no due date or is not yet due. Counted on the official working-day
    calendar; when a year involved has no published calendar the request is still marked
    overdue, at level 1 with the days unknown (None), rather than not at all."""
    if status not in UNRESOLVED or sla_due_at is None:
        return None
    calendar = default_calendar()
    try:
        if not calendar.is_overdue(sla_due_at, now):
            return None
        return calendar.escalation_level(sla_due_at, now), calendar.overdue_workdays(sla_due_at, now)
    except CalendarYearUnknown:
        return (1, None)


def load_detail(db: Database, uuid: str, now: datetime | None = None) -> DetailData:
    """Everything the detail view shows of request ``uuid`` (a uuid or a tracking number), with
    its escalation measured at ``now`` (default: the current time).

    Events come in the order they were recorded (by id, never by a clock, as the workflow reads
    the timeline). ``allowed`` is exactly :func:`~xuhui_desk.services.workflow.allowed_next` of
    its status. A link to a request this station does not hold gives ``linked_tracking_no``
    None. Raises :class:`~xuhui_desk.services.workflow.RequestNotFound` for an unknown request.
    """
    now = now or utcnow()
    with db.session() as session:
        full = find_request(session, uuid)
        events = tuple(
            EventView(e.id, e.occurred_at, e.kind, e.actor, e.origin, dict(e.data or {}))
            for e in sorted(full.events, key=lambda e: e.id)
        )
        linked = None
        if full.linked_request_uuid:
            try:
                linked = find_request(session, full.linked_request_uuid).tracking_no
            except LookupError:
                linked = None
        e = full.enterprise
        return DetailData(
            uuid=full.uuid, tracking_no=full.tracking_no, status=full.status, category=full.category,
            subcategory=full.subcategory, department=full.department, channel=full.channel,
            urgency=full.urgency, description=full.description, specialist=full.specialist,
            created_at=full.created_at, updated_at=full.updated_at, sla_due_at=full.sla_due_at,
            sla_provisional=bool(full.sla_provisional), resolved_at=full.resolved_at, rating=full.rating,
            rating_comment=full.rating_comment,
            sync_state=full.sync_state, sync_error=full.sync_error, linked_request_uuid=full.linked_request_uuid,
            enterprise_name=e.name, uscc=e.uscc or "", contact_name=e.contact_name, phone=e.phone, park=e.park,
            building=e.building, events=events, allowed=tuple(s.value for s in allowed_next(full.status)),
            can_edit=can_edit_intake(full), ratable=Status(full.status) in RATABLE,
            escalation=escalation_at(full.sla_due_at, full.status, now), linked_tracking_no=linked,
        )


def rating_preview(db: Database, status: str, rating: int, now: datetime) -> RatingOutcome:
    """What saving ``rating`` for a request in ``status`` at ``now`` will do, on this station's
    calendar (:func:`~xuhui_desk.services.workflow.rating_outcome`; nothing is written): shown
    to the user before a dissatisfied rating is saved."""
    with db.session() as session:
        return rating_outcome(status, rating, now, session)
